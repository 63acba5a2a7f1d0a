/*
 * corekeys.c — direction keys from the configured core-link keys.
 */
#include <stdio.h>
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

#define LABEL_PAIR	"gatewayd pair link v2 "

static int
pair_direction(const uint8_t k[SEAL_KEYLEN], const char *name,
    uint8_t out[SEAL_KEYLEN])
{
	char label[sizeof LABEL_PAIR + 64];
	int n;

	n = snprintf(label, sizeof label, "%s%s", LABEL_PAIR, name);
	if (n < 0 || (size_t)n >= sizeof label)
		return -1;
	crypto_generichash(out, SEAL_KEYLEN, (const uint8_t *)label,
	    (size_t)n, k, SEAL_KEYLEN);
	return 0;
}

int
pair_keys_derive(struct core_keys *lk, const struct seal_keyring *conf,
    const char *me, const char *peer)
{
	uint8_t d[SEAL_KEYLEN];
	int i, rv = 0;

	if (strcmp(me, peer) == 0)
		return -1;
	seal_keyring_init(&lk->seal);
	seal_keyring_init(&lk->open);
	for (i = 0; i < conf->n && rv == 0; i++) {
		if (pair_direction(conf->k[i].key, me, d) == -1 ||
		    seal_keyring_add(&lk->seal, d) == -1 ||
		    pair_direction(conf->k[i].key, peer, d) == -1 ||
		    seal_keyring_add(&lk->open, d) == -1)
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
