/*
 * mchip.c — the chip card side of an ARQC (mchip.h).  The CDOL1 data is
 * the tags the gateway reads back in this order (9F02 9F03 9F1A 95 5F2A
 * 9A 9C 9F37 82 9F36) and the CVR of 9F10 (M/Chip CVN 16), so the cryptogram covers exactly what DE55 says:
 * the request's amount and currency, not fixed values.
 */
#include <string.h>

#include <sodium.h>

#include "hsm/client/hsmclient.h"
#include "hsm/emv.h"
#include "iso8583/emv.h"
#include "scheme-sim/mchip.h"

/* The fixed terminal data: TVR, date, type, AIP, PSN. */
static const uint8_t tvr[5] = { 0x00, 0x00, 0x00, 0x80, 0x00 };
static const uint8_t date[3] = { 0x26, 0x11, 0x23 };
static const uint8_t aip[2] = { 0x19, 0x80 };
/* Issuer application data (9F10) as M/Chip writes it: key derivation
 * index, CVN 16, the CVR (6 bytes, which the ARQC covers), DAC. */
static const uint8_t iad[10] = { 0x01, 0x10, 0xA0, 0x00, 0x03, 0x22,
    0x00, 0x00, 0x00, 0x00 };

void
sim_amount_bcd(uint64_t amount, uint8_t out[6])
{
	int i;

	for (i = 5; i >= 0; i--) {
		out[i] = (uint8_t)((amount % 10) | ((amount / 10 % 10) << 4));
		amount /= 100;
	}
}

void
sim_mchip_n3(uint16_t code, uint8_t out[2])
{
	out[0] = (uint8_t)(code / 100 % 10);
	out[1] = (uint8_t)((code / 10 % 10) << 4 | code % 10);
}

int
sim_mchip_icc_key(const struct hsm_des *mkac, const char *pan,
    uint8_t icc[16])
{
	uint8_t y[8];

	if (hsm_emv_option_a_y(pan, strlen(pan), "00", y) == -1)
		return -1;
	return hsm_emv_icc_mk(mkac, y, icc);
}

/* CDOL1 data, padded (ISO 9797-1 method 2).  Returns its length. */
static size_t
cdol1(const struct sim_emvtx *tx, uint8_t out[48])
{
	uint8_t *p = out;

	sim_amount_bcd(tx->amount, p);
	memset(p + 6, 0, 6);			/* amount, other */
	sim_mchip_n3(tx->country, p + 12);
	memcpy(p + 14, tvr, 5);
	sim_mchip_n3(tx->currency, p + 19);
	memcpy(p + 21, date, 3);
	p[24] = 0x00;				/* type: purchase */
	memcpy(p + 25, tx->un, 4);
	memcpy(p + 29, aip, 2);
	memcpy(p + 31, tx->atc, 2);
	memcpy(p + 33, iad + 2, 6);		/* CVR */
	p[39] = 0x80;
	return 40;
}

int
sim_mchip_arqc(struct hsm_des *k, const uint8_t icc[16],
    const struct sim_emvtx *tx, uint8_t arqc[8])
{
	static const uint8_t zero[8];
	uint8_t r[8], sk[16], data[48];
	size_t n = cdol1(tx, data);
	int rc = -1;

	/* Session key diversifier: ATC, 00 00, unpredictable number. */
	memcpy(r, tx->atc, 2);
	memset(r + 2, 0, 2);
	memcpy(r + 4, tx->un, 4);
	if (hsm_des_rekey(k, icc, 16) == 0 &&
	    hsm_emv_session_key(k, r, sk) == 0 &&
	    hsm_des_rekey(k, sk, 16) == 0)
		rc = hsm_des_mac(k, HSM_MAC_ALG3, HSM_PAD_NONE, zero, data, n,
		    1, arqc);
	sodium_memzero(sk, sizeof sk);
	return rc;
}

ssize_t
sim_mchip_de55(const struct sim_emvtx *tx, const uint8_t arqc[8], int how,
    uint8_t *out, size_t cap)
{
	uint8_t amt[6], cur[2], cty[2], mac[8];
	const struct {
		uint32_t	 tag;
		const void	*v;
		size_t		 len;
	} tags[] = {
		{ 0x9F27, "\x80", 1 }, { 0x9F02, amt, 6 },
		{ 0x9F03, "\0\0\0\0\0\0", 6 }, { 0x9F1A, cty, 2 },
		{ 0x95, tvr, 5 }, { 0x5F2A, cur, 2 }, { 0x9A, date, 3 },
		{ 0x9C, "\x00", 1 }, { 0x9F37, tx->un, 4 }, { 0x82, aip, 2 },
		{ 0x9F36, tx->atc, 2 }, { 0x9F10, iad, sizeof iad },
		{ 0x5F34, "\x00", 1 },
		{ 0x9F26, mac, 8 },
	};
	size_t i, n = 0, nt = sizeof tags / sizeof tags[0];
	ssize_t k;

	sim_amount_bcd(tx->amount, amt);
	sim_mchip_n3(tx->currency, cur);
	sim_mchip_n3(tx->country, cty);
	memcpy(mac, arqc, 8);
	if (how == SIM_DE55_BAD)
		mac[0] ^= 0x01;
	for (i = 0; i < nt; i++) {
		k = emv_put(out + n, cap - n, tags[i].tag, tags[i].v,
		    tags[i].len);
		if (k < 0)
			return -1;
		n += (size_t)k;
	}
	/* Malformed: the ARQC, last, says 8 bytes but only 4 follow, so no
	 * reader finds a whole one however it walks the elements. */
	if (how == SIM_DE55_MALFORMED)
		n -= 4;
	return (ssize_t)n;
}
