/*
 * aes.h — AES-CMAC and AES-CBC one-shots over OpenSSL 3 EVP (key blocks,
 * LMK check value, AES KCVs).
 */
#ifndef HSM_AES_H
#define HSM_AES_H

#include <stddef.h>
#include <stdint.h>

int	hsm_aes_cmac(const uint8_t *key, size_t keylen, const uint8_t *data,
	    size_t len, uint8_t mac[16]);
/* CBC without padding over n bytes (a multiple of 16). */
int	hsm_aes_cbc(const uint8_t *key, size_t keylen, int encrypt,
	    const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t n);
/* AES KCV by the CMAC method (X9.24-1:2017): CMAC_K(0^16), 5 bytes used. */
int	hsm_aes_kcv(const uint8_t *key, size_t keylen, uint8_t kcv[16]);
/* Legacy AES KCV: E_K(0^16). */
int	hsm_aes_kcv_legacy(const uint8_t *key, size_t keylen, uint8_t kcv[16]);

#endif
