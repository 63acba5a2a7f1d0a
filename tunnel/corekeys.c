/*
 * corekeys.c — direction keys from the configured core-link keys.
 */
#include <string.h>

#include <sodium.h>

#include "tunnel/corekeys.h"

#define LABEL_GC	"gatewayd core link v2 gw->core"
#define LABEL_CG	"gatewayd core link v2 core->gw"

void
core_key_direction(const uint8_t k[SEAL_KEYLEN], int gw_to_core,
    uint8_t out[SEAL_KEYLEN])
{
	const char *label = gw_to_core ? LABEL_GC : LABEL_CG;

	crypto_generichash(out, SEAL_KEYLEN, (const uint8_t *)label,
	    strlen(label), k, SEAL_KEYLEN);
}

int
core_keys_derive(struct core_keys *lk, const struct seal_keyring *conf,
    enum core_role role)
{
	uint8_t d[SEAL_KEYLEN];
	int i, rv = 0;

	seal_keyring_init(&lk->seal);
	seal_keyring_init(&lk->open);
	for (i = 0; i < conf->n && rv == 0; i++) {
		core_key_direction(conf->k[i].key, role == ROLE_GATEWAY, d);
		if (seal_keyring_add(&lk->seal, d) == -1)
			rv = -1;
		core_key_direction(conf->k[i].key, role != ROLE_GATEWAY, d);
		if (rv == 0 && seal_keyring_add(&lk->open, d) == -1)
			rv = -1;
	}
	sodium_memzero(d, sizeof d);
	if (rv == -1)
		core_keys_clear(lk);
	return rv;
}

void
core_keys_clear(struct core_keys *lk)
{
	seal_keyring_clear(&lk->seal);
	seal_keyring_clear(&lk->open);
}
