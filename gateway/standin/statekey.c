/*
 * statekey.c — the state key: PAN hashing and record sealing.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#define NONCELEN	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

#include "base/keyfile.h"
#include "gateway/standin/statekey.h"

struct statekey {
	uint8_t	hkey[crypto_generichash_KEYBYTES];
	uint8_t	skey[crypto_secretbox_KEYBYTES];
	/* Nonces: a random prefix per process start and a counter, so a
	 * seal costs no getrandom(2) and never repeats a nonce (16 random
	 * bytes per start make a prefix collision negligible). */
	uint8_t	nprefix[16];
	_Atomic uint64_t nctr;
};

static void
derive(const uint8_t raw[32], const char *ctx, uint8_t *out, size_t outlen)
{
	crypto_generichash(out, outlen, (const uint8_t *)ctx, strlen(ctx), raw,
	    32);
}

struct statekey *
statekey_new(const uint8_t raw[32])
{
	struct statekey *k;

	if ((k = sodium_malloc(sizeof *k)) == NULL)
		return NULL;
	derive(raw, "gatewayd card-hash v1", k->hkey, sizeof k->hkey);
	derive(raw, "gatewayd record-seal v1", k->skey, sizeof k->skey);
	randombytes_buf(k->nprefix, sizeof k->nprefix);
	k->nctr = 0;
	return k;
}

struct statekey *
statekey_load(const char *path, char *err, size_t errsz)
{
	uint8_t raw[KEY_LEN];
	struct statekey *k;

	if (keyfile_read(raw, path, err, errsz) == -1)
		return NULL;
	k = statekey_new(raw);
	sodium_memzero(raw, sizeof raw);
	if (k == NULL)
		snprintf(err, errsz, "%s: out of secure memory", path);
	return k;
}

void
statekey_free(struct statekey *k)
{
	if (k != NULL)
		sodium_free(k);		/* wipes */
}

void
statekey_subkey(const struct statekey *k, const char *purpose,
    uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)purpose, strlen(purpose),
	    k->hkey, sizeof k->hkey);
}

void
statekey_hash(const struct statekey *k, char domain, const char *s,
    uint8_t out[STATEKEY_HASHLEN])
{
	crypto_generichash_state st;
	uint8_t d = (uint8_t)domain;

	crypto_generichash_init(&st, k->hkey, sizeof k->hkey,
	    STATEKEY_HASHLEN);
	crypto_generichash_update(&st, &d, 1);
	crypto_generichash_update(&st, (const uint8_t *)s, strlen(s));
	crypto_generichash_final(&st, out, STATEKEY_HASHLEN);
	sodium_memzero(&st, sizeof st);
}

/* The associated data: the database's name and the record's key, so a
 * sealed value opens only where it was written (not under another card,
 * not in another database). */
static void
ad_make(const char *db, const void *key, size_t klen,
    crypto_generichash_state *st, uint8_t ad[32])
{
	uint8_t l = (uint8_t)strlen(db);

	crypto_generichash_init(st, NULL, 0, 32);
	crypto_generichash_update(st, &l, 1);
	crypto_generichash_update(st, (const uint8_t *)db, l);
	crypto_generichash_update(st, key, klen);
	crypto_generichash_final(st, ad, 32);
}

long
statekey_seal(const struct statekey *k, const char *db, const void *key,
    size_t klen, const void *pt, size_t ptlen, uint8_t *out, size_t cap)
{
	/* The counter is not key material: the key stays const to callers
	 * (the object itself is writable, from sodium_malloc). */
	struct statekey *mk = (struct statekey *)(uintptr_t)k;
	crypto_generichash_state st;
	uint8_t ad[32];
	uint64_t c;
	int i;

	if (cap < STATEKEY_SEAL_OVERHEAD || ptlen > cap -
	    STATEKEY_SEAL_OVERHEAD)
		return -1;
	c = ++mk->nctr;
	memcpy(out, k->nprefix, sizeof k->nprefix);
	for (i = 0; i < 8; i++)
		out[16 + i] = (uint8_t)(c >> (56 - 8 * i));
	ad_make(db, key, klen, &st, ad);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCELEN, NULL, pt,
	    ptlen, ad, sizeof ad, NULL, out, k->skey);
	return (long)(ptlen + STATEKEY_SEAL_OVERHEAD);
}

long
statekey_open(const struct statekey *k, const char *db, const void *key,
    size_t klen, const uint8_t *in, size_t len, void *pt, size_t cap)
{
	crypto_generichash_state st;
	uint8_t ad[32];
	size_t ptlen;

	if (len < STATEKEY_SEAL_OVERHEAD)
		return -1;
	ptlen = len - STATEKEY_SEAL_OVERHEAD;
	if (ptlen > cap)
		return -1;
	ad_make(db, key, klen, &st, ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
	    in + NONCELEN, len - NONCELEN, ad, sizeof ad, in, k->skey) != 0)
		return -1;
	return (long)ptlen;
}
