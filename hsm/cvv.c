/*
 * cvv.c — CVV/CVC: two DES steps over the PAN, expiry and service code.
 */
#include <string.h>

#include <sodium.h>

#include "hsm/cvv.h"
#include "base/hex.h"

void
hsm_decimalise(const uint8_t r[8], size_t n, char *out)
{
	size_t i, k = 0;
	unsigned v;
	int pass;

	for (pass = 0; pass < 2 && k < n; pass++)
		for (i = 0; i < 16 && k < n; i++) {
			v = (r[i / 2] >> (i % 2 ? 0 : 4)) & 15;
			if (pass == 0 && v < 10)
				out[k++] = (char)('0' + v);
			else if (pass == 1 && v >= 10)
				out[k++] = (char)('0' + v - 10);
		}
}

int
hsm_cvv(const struct hsm_des *cvk, const char *pan, size_t panlen,
    const char expiry[4], const char svc[3], char cvv[3])
{
	char digits[32];
	uint8_t b[16], r[8];
	size_t i;
	int rc = -1;

	if (cvk->len != 16 || panlen == 0 || panlen > 19 ||
	    !dec_valid(pan, panlen) || !dec_valid(expiry, 4) ||
	    !dec_valid(svc, 3))
		return -1;
	memset(digits, '0', sizeof digits);
	memcpy(digits, pan, panlen);
	memcpy(digits + panlen, expiry, 4);
	memcpy(digits + panlen + 4, svc, 3);
	if (hex_decode_exact(digits, 32, b, 16) == -1)
		goto out;
	if (hsm_des_encrypt_left(cvk, b, r, 8) == -1)
		goto out;
	for (i = 0; i < 8; i++)
		r[i] ^= b[8 + i];
	if (hsm_des_encrypt(cvk, r, r, 8) == -1)
		goto out;
	hsm_decimalise(r, 3, cvv);
	rc = 0;
out:
	sodium_memzero(r, sizeof r);
	return rc;
}
