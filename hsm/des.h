/*
 * des.h — DES/TDES keys with cached OpenSSL contexts, ISO 9797-1 MACs, KCVs.
 *
 * Single DES is done as two-key TDES with K||K so that only OpenSSL's
 * default provider is needed (the legacy provider holds DES-ECB).
 * A struct hsm_des is built once per key (see kbcache.c) and then used for
 * every call: building EVP contexts per call would cost more than the DES.
 */
#ifndef HSM_DES_H
#define HSM_DES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct hsm_des {
	uint8_t		 key[24];	/* clear key; lives in mlocked memory */
	size_t		 len;		/* 8, 16 or 24 bytes */
	EVP_CIPHER_CTX	*enc;		/* ECB encrypt, whole key */
	EVP_CIPHER_CTX	*dec;		/* ECB decrypt, whole key */
	EVP_CIPHER_CTX	*lenc;		/* ECB encrypt, single DES with KL */
};

enum { HSM_PAD_NONE = 0, HSM_PAD_ISO1 = 1, HSM_PAD_ISO2 = 2 };
enum { HSM_MAC_ALG1 = 1, HSM_MAC_ALG3 = 3 };

int	hsm_des_init(struct hsm_des *, const uint8_t *key, size_t len);
void	hsm_des_free(struct hsm_des *);
/* Re-key an initialised struct (derived per-call keys: no allocation). */
int	hsm_des_rekey(struct hsm_des *, const uint8_t *key, size_t len);
/* ECB over n bytes (n a multiple of 8), in place allowed. */
int	hsm_des_encrypt(const struct hsm_des *, const uint8_t *in, uint8_t *out,
	    size_t n);
int	hsm_des_decrypt(const struct hsm_des *, const uint8_t *in, uint8_t *out,
	    size_t n);
/* Single DES under the left half only (retail MAC chain, CVV first step). */
int	hsm_des_encrypt_left(const struct hsm_des *, const uint8_t *in,
	    uint8_t *out, size_t n);
/* One-shot TDES ECB with a clear key (derivations, tests). */
int	hsm_tdes_ecb(const uint8_t *key, size_t keylen, int encrypt,
	    const uint8_t *in, uint8_t *out, size_t n);
/* KCV: E_K(0^8); callers print the first 3 (or 8) bytes. */
int	hsm_des_kcv(const struct hsm_des *, uint8_t out[8]);
int	hsm_des_kcv_clear(const uint8_t *key, size_t len, uint8_t out[8]);
/* Odd parity in every byte? */
int	hsm_des_parity_ok(const uint8_t *key, size_t len);
void	hsm_des_parity_fix(uint8_t *key, size_t len);
/*
 * ISO 9797-1 MAC with algorithm 1 (CBC, whole key) or 3 (CBC under KL,
 * last block under the whole key). iv is the chaining value from a
 * previous part (zeros to start). With final == 0 the data must be whole
 * blocks, no padding is applied and out is the chaining value for the next
 * part; with final != 0 padding is applied and out is the MAC.
 */
int	hsm_des_mac(const struct hsm_des *, int alg, int pad,
	    const uint8_t iv[8], const uint8_t *data, size_t len, int final,
	    uint8_t out[8]);

#endif
