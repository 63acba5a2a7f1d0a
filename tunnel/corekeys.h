/*
 * corekeys.h — the core link's direction keys (ARCHITECTURE section 4).
 * Nothing is sealed with a configured key K itself: each direction has
 * its own key,
 *
 *   K_gc = BLAKE2b-256(key = K, message = "gatewayd core link v2 gw->core")
 *   K_cg = BLAKE2b-256(key = K, message = "gatewayd core link v2 core->gw")
 *
 * The gateway seals with K_gc and opens with K_cg, the core the other way
 * round: a frame reflected back to its sender never opens, and the two
 * directions never share a nonce space.  A key id names a direction key.
 */
#ifndef TUNNEL_COREKEYS_H
#define TUNNEL_COREKEYS_H

#include "tunnel/seal.h"

enum core_role { ROLE_GATEWAY, ROLE_CORE };

struct core_keys {
	struct seal_keyring	seal;	/* ours: the first one seals */
	struct seal_keyring	open;	/* the peer's: any of them opens */
};

/* The direction key of K: gateway to core (gw_to_core) or back. */
void	core_key_direction(const uint8_t k[SEAL_KEYLEN], int gw_to_core,
	    uint8_t out[SEAL_KEYLEN]);
/* Both rings from the configured keys, in their order: 0 or -1. */
int	core_keys_derive(struct core_keys *, const struct seal_keyring *,
	    enum core_role);
/*
 * The pair link's rings (ARCHITECTURE section 13): each appliance seals
 * with BLAKE2b-256(key = K, message = "gatewayd pair link v2 " NAME) of
 * its own [Gateway] Name and opens with its peer's, so a frame reflected
 * back never opens and the two directions never share a nonce space.
 * 0, or -1 (names the same, or too long).
 */
int	pair_keys_derive(struct core_keys *, const struct seal_keyring *,
	    const char *me, const char *peer);
/* Wipes them. */
void	core_keys_clear(struct core_keys *);

#endif
