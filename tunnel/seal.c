/*
 * seal.c — keys, key ids, AEAD seal/open and the anti-replay window of
 * the core link.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/be.h"
#include "base/keyfile.h"
#include "tunnel/seal.h"

/*
 * Nonces: 16 random bytes drawn once per process (and again in a forked
 * child) followed by a 64-bit counter.  Unique per key without a
 * getrandom(2) per frame, which on these machines costs more than the
 * AEAD itself; XChaCha20's 192-bit nonce leaves room for the prefix.
 */
static uint8_t	nonce_prefix[16];
static uint64_t	nonce_ctr;
static int	nonce_ready;

static void
nonce_reseed(void)
{
	randombytes_buf(nonce_prefix, sizeof nonce_prefix);
	__atomic_store_n(&nonce_ctr, 0, __ATOMIC_SEQ_CST);
}

/* The first seed, by seal_init or lazily by the first seal: either way a
 * forked child must never continue the parent's nonces. */
static void
nonce_start(void)
{
	if (!nonce_ready) {
		pthread_atfork(NULL, NULL, nonce_reseed);
		nonce_ready = 1;
	}
	nonce_reseed();
}

static void
nonce_next(uint8_t out[SEAL_NONCELEN])
{
	uint64_t c;
	int i;

	if (!nonce_ready)
		nonce_start();
	c = __atomic_fetch_add(&nonce_ctr, 1, __ATOMIC_RELAXED);
	memcpy(out, nonce_prefix, 16);
	for (i = 0; i < 8; i++)
		out[16 + i] = (uint8_t)(c >> (56 - 8 * i));
}

int
seal_init(void)
{
	if (sodium_init() < 0)
		return -1;
	nonce_start();
	return 0;
}

uint32_t
seal_key_id(const uint8_t key[SEAL_KEYLEN])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof h, key, SEAL_KEYLEN, NULL, 0);
	return be32_get(h);
}

void
seal_keyring_init(struct seal_keyring *r)
{
	memset(r, 0, sizeof *r);
}

int
seal_keyring_add(struct seal_keyring *r, const uint8_t key[SEAL_KEYLEN])
{
	uint32_t id = seal_key_id(key);

	if (r->n >= SEAL_MAXKEYS || seal_keyring_find(r, id) != NULL)
		return -1;
	r->k[r->n].id = id;
	memcpy(r->k[r->n].key, key, SEAL_KEYLEN);
	r->n++;
	return 0;
}

int
seal_keyring_add_file(struct seal_keyring *r, const char *path, char *err,
    size_t errsz)
{
	uint8_t key[SEAL_KEYLEN];
	int rv = -1;

	if (keyfile_read(key, path, err, errsz) == -1)
		return -1;
	if (seal_keyring_add(r, key) == -1)
		snprintf(err, errsz, "%s: too many keys or key listed twice",
		    path);
	else
		rv = 0;
	sodium_memzero(key, sizeof key);
	return rv;
}

void
seal_keyring_clear(struct seal_keyring *r)
{
	sodium_memzero(r, sizeof *r);
}

const struct seal_key *
seal_keyring_find(const struct seal_keyring *r, uint32_t id)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->k[i].id == id)
			return &r->k[i];
	return NULL;
}

ssize_t
seal_seal(const struct seal_keyring *r, const uint8_t gue[4],
    const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap)
{
	uint8_t ad[8];
	unsigned long long clen;

	if (r->n < 1 || cap < SEAL_OVERHEAD || ptlen > cap - SEAL_OVERHEAD)
		return -1;
	be32_put(out, r->k[0].id);
	nonce_next(out + SEAL_IDLEN);
	memcpy(ad, gue, 4);
	memcpy(ad + 4, out, 4);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
	    out + SEAL_IDLEN + SEAL_NONCELEN, &clen, pt, ptlen, ad, sizeof ad,
	    NULL, out + SEAL_IDLEN, r->k[0].key) != 0)
		return -1;
	return (ssize_t)(SEAL_IDLEN + SEAL_NONCELEN + clen);
}

ssize_t
seal_open(const struct seal_keyring *r, const uint8_t gue[4],
    const uint8_t *in, size_t len, uint8_t *pt, size_t cap,
    enum seal_err *why)
{
	const struct seal_key *k;
	uint8_t ad[8];
	unsigned long long plen;
	size_t clen;

	*why = SEAL_OK;
	if (len < SEAL_OVERHEAD) {
		*why = SEAL_ESHORT;
		return -1;
	}
	if ((k = seal_keyring_find(r, be32_get(in))) == NULL) {
		*why = SEAL_EKEY;
		return -1;
	}
	clen = len - SEAL_IDLEN - SEAL_NONCELEN;
	if (clen - SEAL_TAGLEN > cap) {
		*why = SEAL_EROOM;
		return -1;
	}
	memcpy(ad, gue, 4);
	memcpy(ad + 4, in, 4);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL,
	    in + SEAL_IDLEN + SEAL_NONCELEN, clen, ad, sizeof ad,
	    in + SEAL_IDLEN, k->key) != 0) {
		*why = SEAL_EAUTH;
		return -1;
	}
	return (ssize_t)plen;
}
