/*
 * emv.c — EMV derivations on top of des.c.
 */
#include <string.h>

#include <sodium.h>

#include "hsm/emv.h"
#include "base/hex.h"

/* A child key: the 16-byte diversification data under the parent. */
static int
derive(const struct hsm_des *parent, const uint8_t in[16], uint8_t out[16])
{
	if (hsm_des_encrypt(parent, in, out, 16) == -1)
		return -1;
	hsm_des_parity_fix(out, 16);
	return 0;
}

int
hsm_emv_icc_mk(const struct hsm_des *imk, const uint8_t y[8],
    uint8_t mk[16])
{
	uint8_t in[16];
	size_t i;

	if (imk->len != 16 && imk->len != 24)
		return -1;
	memcpy(in, y, 8);
	for (i = 0; i < 8; i++)
		in[8 + i] = (uint8_t)~y[i];
	return derive(imk, in, mk);
}

int
hsm_emv_session_key(const struct hsm_des *mk, const uint8_t r[8],
    uint8_t sk[16])
{
	uint8_t in[16];

	memcpy(in, r, 8);
	memcpy(in + 8, r, 8);
	in[2] = 0xF0;
	in[8 + 2] = 0x0F;
	return derive(mk, in, sk);
}

int
hsm_emv_arpc1(const struct hsm_des *k, const uint8_t arqc[8],
    const uint8_t arc[2], uint8_t arpc[8])
{
	uint8_t x[8];

	memcpy(x, arqc, 8);
	x[0] ^= arc[0];
	x[1] ^= arc[1];
	return hsm_des_encrypt(k, x, arpc, 8);
}

int
hsm_emv_arpc2(const struct hsm_des *sk, const uint8_t arqc[8],
    const uint8_t csu[4], const uint8_t *pad, size_t padlen,
    uint8_t arpc[4])
{
	static const uint8_t zero[8];
	uint8_t buf[20], mac[8];

	if (padlen > 8)
		return -1;
	memcpy(buf, arqc, 8);
	memcpy(buf + 8, csu, 4);
	if (padlen)
		memcpy(buf + 12, pad, padlen);
	if (hsm_des_mac(sk, HSM_MAC_ALG3, HSM_PAD_ISO2, zero, buf,
	    12 + padlen, 1, mac) == -1)
		return -1;
	memcpy(arpc, mac, 4);
	return 0;
}
