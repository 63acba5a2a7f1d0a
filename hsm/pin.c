/*
 * pin.c — PIN blocks, PVV and IBM 3624.
 */
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "hsm/cvv.h"
#include "base/hex.h"
#include "hsm/pin.h"

/* P field nibble i of an 8-byte block. */
static unsigned
nib(const uint8_t *b, size_t i)
{
	return (b[i / 2] >> (i % 2 ? 0 : 4)) & 15;
}

static void
setnib(uint8_t *b, size_t i, unsigned v)
{
	if (i % 2)
		b[i / 2] = (uint8_t)((b[i / 2] & 0xf0) | v);
	else
		b[i / 2] = (uint8_t)((b[i / 2] & 0x0f) | v << 4);
}

/* A = 0000 || 12 account digits. */
static int
pan_block(const char acct[12], uint8_t a[8])
{
	char s[16];

	if (!dec_valid(acct, 12))
		return -1;
	memcpy(s, "0000", 4);
	memcpy(s + 4, acct, 12);
	return hex_decode_exact(s, 16, a, 8);
}

int
hsm_pinblock_encode(int fmt, const char *pin, size_t pinlen,
    const char acct[12], uint8_t block[8])
{
	uint8_t a[8], rnd[8];
	size_t i;

	if (pinlen < 4 || pinlen > 12 || !dec_valid(pin, pinlen))
		return HSM_PIN_ELEN;
	if (fmt != 0 && fmt != 1 && fmt != 3)
		return HSM_PIN_EFORMAT;
	randombytes_buf(rnd, sizeof rnd);
	setnib(block, 0, (unsigned)fmt);
	setnib(block, 1, (unsigned)pinlen);
	for (i = 0; i < 14; i++) {
		unsigned v;

		if (i < pinlen)
			v = (unsigned)(pin[i] - '0');
		else if (fmt == 0)
			v = 15;
		else if (fmt == 3)
			v = 10 + (rnd[i / 2] >> (i % 2 ? 0 : 4) & 15) % 6;
		else
			v = rnd[i / 2] >> (i % 2 ? 0 : 4) & 15;
		setnib(block, i + 2, v);
	}
	if (fmt != 1) {
		if (pan_block(acct, a) == -1)
			return HSM_PIN_EBLOCK;
		for (i = 0; i < 8; i++)
			block[i] ^= a[i];
	}
	sodium_memzero(rnd, sizeof rnd);
	return HSM_PIN_OK;
}

/* The fill after the PIN digits: F (format 0), A (4), A-F (3), any (1). */
static int
fill_valid(unsigned fmt, unsigned v)
{
	switch (fmt) {
	case 0:
		return v == 15;
	case 3:
		return v >= 10;
	case 4:
		return v == 10;
	default:
		return 1;
	}
}

/* The plain PIN field: control nibble fmt, length, digits, fill. */
static int
pin_field_decode(const uint8_t *p, unsigned fmt, char pin[12],
    size_t *pinlen)
{
	size_t i, n;
	unsigned v;

	if (nib(p, 0) != fmt)
		return HSM_PIN_EBLOCK;
	n = nib(p, 1);
	if (n < 4 || n > 12)
		return HSM_PIN_ELEN;
	for (i = 0; i < 14; i++) {
		v = nib(p, i + 2);
		if (i < n) {
			if (v > 9)
				return HSM_PIN_EBLOCK;
			pin[i] = (char)('0' + v);
		} else if (!fill_valid(fmt, v))
			return HSM_PIN_EBLOCK;
	}
	*pinlen = n;
	return HSM_PIN_OK;
}

int
hsm_pinblock_decode(int fmt, const uint8_t block[8], const char acct[12],
    char pin[12], size_t *pinlen)
{
	uint8_t p[8], a[8];
	size_t i;
	int rc = HSM_PIN_EBLOCK;

	if (fmt != 0 && fmt != 1 && fmt != 3)
		return HSM_PIN_EFORMAT;
	memcpy(p, block, 8);
	if (fmt != 1) {
		if (pan_block(acct, a) == -1)
			goto out;
		for (i = 0; i < 8; i++)
			p[i] ^= a[i];
	}
	rc = pin_field_decode(p, (unsigned)fmt, pin, pinlen);
out:
	sodium_memzero(p, sizeof p);
	return rc;
}

int
hsm_pinblock4_pan_field(const char *pan, size_t panlen, uint8_t field[16])
{
	char s[32];

	if (panlen == 0 || panlen > 19 || !dec_valid(pan, panlen))
		return -1;
	memset(s, '0', sizeof s);
	/* M = digits beyond 12, then the PAN left-padded with 0 to 12. */
	s[0] = (char)('0' + (panlen > 12 ? panlen - 12 : 0));
	if (panlen >= 12)
		memcpy(s + 1, pan, panlen);
	else
		memcpy(s + 1 + 12 - panlen, pan, panlen);
	return hex_decode_exact(s, 32, field, 16);
}

static int
aes_ecb(const uint8_t *key, size_t keylen, int enc, const uint8_t in[16],
    uint8_t out[16])
{
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	int outl, rc = -1;

	c = keylen == 16 ? EVP_aes_128_ecb() : keylen == 24 ?
	    EVP_aes_192_ecb() : keylen == 32 ? EVP_aes_256_ecb() : NULL;
	if (c == NULL || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, c, NULL, key, NULL, enc) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, out, &outl, in, 16) == 1 && outl == 16)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
hsm_pinblock4_decipher(const uint8_t *key, size_t keylen,
    const uint8_t block[16], const char *pan, size_t panlen, char pin[12],
    size_t *pinlen)
{
	uint8_t x[16], pf[16];
	size_t i;
	int rc = HSM_PIN_EBLOCK;

	/* block = E(E(P) xor A), so P = D(D(block) xor A). */
	if (hsm_pinblock4_pan_field(pan, panlen, pf) == -1 ||
	    aes_ecb(key, keylen, 0, block, x) == -1)
		goto out;
	for (i = 0; i < 16; i++)
		x[i] ^= pf[i];
	if (aes_ecb(key, keylen, 0, x, x) == -1)
		goto out;
	rc = pin_field_decode(x, 4, pin, pinlen);
out:
	sodium_memzero(x, sizeof x);
	return rc;
}

int
hsm_pvv(const struct hsm_des *pvk, const char acct11[11], char pvki,
    const char pin4[4], char pvv[4])
{
	char s[16];
	uint8_t tsp[8];
	int rc = -1;

	if (!dec_valid(acct11, 11) || pvki < '0' || pvki > '9' ||
	    !dec_valid(pin4, 4))
		return -1;
	memcpy(s, acct11, 11);
	s[11] = pvki;
	memcpy(s + 12, pin4, 4);
	if (hex_decode_exact(s, 16, tsp, 8) == 0 &&
	    hsm_des_encrypt(pvk, tsp, tsp, 8) == 0) {
		hsm_decimalise(tsp, 4, pvv);
		rc = 0;
	}
	sodium_memzero(s, sizeof s);
	sodium_memzero(tsp, sizeof tsp);
	return rc;
}

int
hsm_ibm_natural(const struct hsm_des *pvk, const char valblock[16],
    const char dectab[16], size_t n, char *natural)
{
	uint8_t b[8];
	size_t i;

	if (n > 16 || !dec_valid(dectab, 16) ||
	    hex_decode_exact(valblock, 16, b, 8) == -1 ||
	    hsm_des_encrypt(pvk, b, b, 8) == -1)
		return -1;
	for (i = 0; i < n; i++)
		natural[i] = dectab[nib(b, i)];
	sodium_memzero(b, sizeof b);
	return 0;
}
