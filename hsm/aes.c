/*
 * aes.c — AES helpers. Only used on key-block unwrap (cache misses), key
 * forming and start-up, so one EVP context per call is fine here.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hsm/aes.h"

static const char *
cbc_name(size_t keylen)
{
	return keylen == 16 ? "AES-128-CBC" : keylen == 24 ? "AES-192-CBC" :
	    keylen == 32 ? "AES-256-CBC" : NULL;
}

int
hsm_aes_cmac(const uint8_t *key, size_t keylen, const uint8_t *data,
    size_t len, uint8_t mac[16])
{
	static EVP_MAC *cmac;	/* fetched once: fetching is the slow part */
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	const char *name = cbc_name(keylen);
	size_t outl = 0;
	int rc = -1;

	if (name == NULL)
		return -1;
	if (cmac == NULL && (cmac = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(cmac)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) == 1 &&
	    (len == 0 || EVP_MAC_update(ctx, data, len) == 1) &&
	    EVP_MAC_final(ctx, mac, &outl, 16) == 1 && outl == 16)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
hsm_aes_cbc(const uint8_t *key, size_t keylen, int encrypt,
    const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t n)
{
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	int outl, rc = -1;

	c = keylen == 16 ? EVP_aes_128_cbc() : keylen == 24 ?
	    EVP_aes_192_cbc() : keylen == 32 ? EVP_aes_256_cbc() : NULL;
	if (c == NULL || n % 16 != 0 || n > 0x7ffffff0)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    (n == 0 || (EVP_CipherUpdate(ctx, out, &outl, in, (int)n) == 1 &&
	    (size_t)outl == n)))
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
hsm_aes_kcv(const uint8_t *key, size_t keylen, uint8_t kcv[16])
{
	static const uint8_t zero[16];

	return hsm_aes_cmac(key, keylen, zero, 16, kcv);
}

int
hsm_aes_kcv_legacy(const uint8_t *key, size_t keylen, uint8_t kcv[16])
{
	static const uint8_t zero[16];
	uint8_t iv[16] = { 0 };

	/* One block of CBC with a zero IV is ECB. */
	return hsm_aes_cbc(key, keylen, 1, iv, zero, kcv, 16);
}
