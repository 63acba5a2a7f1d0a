/*
 * des.c — TDES helpers over OpenSSL EVP with contexts kept per key.
 */
#include <string.h>

#include <sodium.h>

#include "hsm/des.h"

static const EVP_CIPHER *
cipher_for(size_t len)
{
	return len == 24 ? EVP_des_ede3_ecb() : EVP_des_ede_ecb();
}

static EVP_CIPHER_CTX *
ctx_new(const uint8_t *key, size_t len, int encrypt)
{
	EVP_CIPHER_CTX *c;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(c, cipher_for(len), NULL, key, NULL,
	    encrypt) != 1 || EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

int
hsm_des_init(struct hsm_des *d, const uint8_t *key, size_t len)
{
	uint8_t kk[16];

	memset(d, 0, sizeof *d);
	if (len != 8 && len != 16 && len != 24)
		return -1;
	memcpy(d->key, key, len);
	d->len = len;
	/* Single DES key K becomes K||K; KL||KL gives single DES under KL. */
	memcpy(kk, key, 8);
	memcpy(kk + 8, key, 8);
	if (len == 8) {
		d->enc = ctx_new(kk, 16, 1);
		d->dec = ctx_new(kk, 16, 0);
	} else {
		d->enc = ctx_new(key, len, 1);
		d->dec = ctx_new(key, len, 0);
	}
	d->lenc = ctx_new(kk, 16, 1);
	sodium_memzero(kk, sizeof kk);
	if (d->enc == NULL || d->dec == NULL || d->lenc == NULL) {
		hsm_des_free(d);
		return -1;
	}
	return 0;
}

/*
 * Re-key in place. With the same key length the cipher is kept (NULL):
 * OpenSSL 3 then only runs the key schedule instead of fetching the
 * cipher implementation again, which is most of an init's cost.
 */
static int
ctx_rekey(EVP_CIPHER_CTX *c, const uint8_t *key, size_t len, int encrypt,
    int same)
{
	if (EVP_CipherInit_ex(c, same ? NULL : cipher_for(len), NULL, key,
	    NULL, encrypt) != 1 || EVP_CIPHER_CTX_set_padding(c, 0) != 1)
		return -1;
	return 0;
}

int
hsm_des_rekey(struct hsm_des *d, const uint8_t *key, size_t len)
{
	uint8_t kk[16];
	int rc = 0, same;

	if ((len != 8 && len != 16 && len != 24) || d->enc == NULL)
		return -1;
	/* 8- and 16-byte keys both run as two-key TDES. */
	same = (d->len == 24) == (len == 24);
	memcpy(d->key, key, len);
	d->len = len;
	memcpy(kk, key, 8);
	memcpy(kk + 8, key, 8);
	if (len == 8)
		rc |= ctx_rekey(d->enc, kk, 16, 1, same) |
		    ctx_rekey(d->dec, kk, 16, 0, same);
	else
		rc |= ctx_rekey(d->enc, key, len, 1, same) |
		    ctx_rekey(d->dec, key, len, 0, same);
	rc |= ctx_rekey(d->lenc, kk, 16, 1, 1);
	sodium_memzero(kk, sizeof kk);
	return rc;
}

void
hsm_des_free(struct hsm_des *d)
{
	/* EVP_CIPHER_CTX_free cleanses the schedule it holds. */
	EVP_CIPHER_CTX_free(d->enc);
	EVP_CIPHER_CTX_free(d->dec);
	EVP_CIPHER_CTX_free(d->lenc);
	sodium_memzero(d, sizeof *d);
}

static int
ecb(EVP_CIPHER_CTX *c, const uint8_t *in, uint8_t *out, size_t n)
{
	int outl;

	if (c == NULL || n % 8 != 0 || n > 0x7ffffff0)
		return -1;
	if (n == 0)
		return 0;
	if (EVP_CipherUpdate(c, out, &outl, in, (int)n) != 1 ||
	    (size_t)outl != n)
		return -1;
	return 0;
}

int
hsm_des_encrypt(const struct hsm_des *d, const uint8_t *in, uint8_t *out,
    size_t n)
{
	return ecb(d->enc, in, out, n);
}

int
hsm_des_decrypt(const struct hsm_des *d, const uint8_t *in, uint8_t *out,
    size_t n)
{
	return ecb(d->dec, in, out, n);
}

int
hsm_des_encrypt_left(const struct hsm_des *d, const uint8_t *in,
    uint8_t *out, size_t n)
{
	return ecb(d->lenc, in, out, n);
}

int
hsm_tdes_ecb(const uint8_t *key, size_t keylen, int encrypt,
    const uint8_t *in, uint8_t *out, size_t n)
{
	struct hsm_des d;
	int rc;

	if (hsm_des_init(&d, key, keylen) == -1)
		return -1;
	rc = encrypt ? hsm_des_encrypt(&d, in, out, n) :
	    hsm_des_decrypt(&d, in, out, n);
	hsm_des_free(&d);
	return rc;
}

int
hsm_des_kcv(const struct hsm_des *d, uint8_t out[8])
{
	static const uint8_t zero[8];

	return hsm_des_encrypt(d, zero, out, 8);
}

int
hsm_des_kcv_clear(const uint8_t *key, size_t len, uint8_t out[8])
{
	static const uint8_t zero[8];

	return hsm_tdes_ecb(key, len, 1, zero, out, 8);
}

int
hsm_des_parity_ok(const uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (__builtin_parity(key[i]) != 1)
			return 0;
	return 1;
}

void
hsm_des_parity_fix(uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (__builtin_parity(key[i]) != 1)
			key[i] ^= 1;
}

int
hsm_des_mac(const struct hsm_des *d, int alg, int pad, const uint8_t iv[8],
    const uint8_t *data, size_t len, int final, uint8_t out[8])
{
	uint8_t h[8], last[8];
	size_t full, rem, i, j;
	EVP_CIPHER_CTX *chain;

	if (alg == HSM_MAC_ALG3 && d->len == 8)
		return -1;	/* retail MAC needs KL and KR */
	if (alg != HSM_MAC_ALG1 && alg != HSM_MAC_ALG3)
		return -1;
	if (pad != HSM_PAD_NONE && pad != HSM_PAD_ISO1 && pad != HSM_PAD_ISO2)
		return -1;
	if ((!final || pad == HSM_PAD_NONE) && (len % 8 != 0 || len == 0))
		return -1;
	chain = alg == HSM_MAC_ALG3 ? d->lenc : d->enc;
	memcpy(h, iv, 8);

	/*
	 * Build the last (padded) block separately and chain the rest in
	 * place: method 1 adds nothing to aligned data but turns an empty
	 * message into one zero block; method 2 always appends 0x80.
	 */
	rem = len % 8;
	full = len - rem;
	if (final && (pad == HSM_PAD_ISO2 || (pad == HSM_PAD_ISO1 &&
	    (rem != 0 || len == 0)))) {
		memset(last, 0, 8);
		if (rem != 0)
			memcpy(last, data + full, rem);
		if (pad == HSM_PAD_ISO2)
			last[rem] = 0x80;
	} else {
		full = len - 8;
		memcpy(last, data + full, 8);
	}
	for (i = 0; i < full; i += 8) {
		for (j = 0; j < 8; j++)
			h[j] ^= data[i + j];
		if (ecb(chain, h, h, 8) == -1)
			return -1;
	}
	for (j = 0; j < 8; j++)
		h[j] ^= last[j];
	if (ecb(final ? d->enc : chain, h, h, 8) == -1)
		return -1;
	memcpy(out, h, 8);
	return 0;
}
