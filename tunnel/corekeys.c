/*
 * corekeys.c — direction keys from the configured core-link keys.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/corekeys.h"

#define LABEL_GC	"gatewayd core link v2 gw->core"
#define LABEL_CG	"gatewayd core link v2 core->gw"
#define LABEL_PAIR	"gatewayd pair link v2 "

/* The direction key of K named by label (no NUL). */
static void
label_key(const uint8_t k[SEAL_KEYLEN], const char *label,
    uint8_t out[SEAL_KEYLEN])
{
	crypto_generichash(out, SEAL_KEYLEN, (const uint8_t *)label,
	    strlen(label), k, SEAL_KEYLEN);
}

void
core_key_direction(const uint8_t k[SEAL_KEYLEN], int gw_to_core,
    uint8_t out[SEAL_KEYLEN])
{
	label_key(k, gw_to_core ? LABEL_GC : LABEL_CG, out);
}

/* Both rings: every configured key's direction key under seal_label
 * seals (the first one sends), under open_label opens. */
static int
rings_derive(struct core_keys *lk, const struct seal_keyring *conf,
    const char *seal_label, const char *open_label)
{
	uint8_t d[SEAL_KEYLEN];
	int i, rv = 0;

	seal_keyring_init(&lk->seal);
	seal_keyring_init(&lk->open);
	for (i = 0; i < conf->n && rv == 0; i++) {
		label_key(conf->k[i].key, seal_label, d);
		if (seal_keyring_add(&lk->seal, d) == -1)
			rv = -1;
		label_key(conf->k[i].key, open_label, d);
		if (rv == 0 && seal_keyring_add(&lk->open, d) == -1)
			rv = -1;
	}
	sodium_memzero(d, sizeof d);
	if (rv == -1)
		core_keys_clear(lk);
	return rv;
}

int
core_keys_derive(struct core_keys *lk, const struct seal_keyring *conf,
    enum core_role role)
{
	return role == ROLE_GATEWAY ? rings_derive(lk, conf, LABEL_GC,
	    LABEL_CG) : rings_derive(lk, conf, LABEL_CG, LABEL_GC);
}

int
pair_keys_derive(struct core_keys *lk, const struct seal_keyring *conf,
    const char *me, const char *peer)
{
	char mine[sizeof LABEL_PAIR + 64], theirs[sizeof mine];
	int n, m;

	n = snprintf(mine, sizeof mine, "%s%s", LABEL_PAIR, me);
	m = snprintf(theirs, sizeof theirs, "%s%s", LABEL_PAIR, peer);
	if (strcmp(me, peer) == 0 || n < 0 || (size_t)n >= sizeof mine ||
	    m < 0 || (size_t)m >= sizeof theirs)
		return -1;
	return rings_derive(lk, conf, mine, theirs);
}

void
core_keys_clear(struct core_keys *lk)
{
	seal_keyring_clear(&lk->seal);
	seal_keyring_clear(&lk->open);
}
