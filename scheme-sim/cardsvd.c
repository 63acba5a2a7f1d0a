/*
 * cardsvd.c — the card verification data of `scheme-sim cards request`,
 * each piece good, bad (one digit or bit off), malformed (present but
 * unreadable: the gateway must decline it as the check's own DE39, never
 * skip the check) or none: CVC2 in DE48 SE92, track 2 with CVC1 in DE35,
 * a PIN block under the ZPK in DE52, an ARQC from MK-AC in DE55.  Test
 * cards and test keys only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hsm/des.h"
#include "hsm/pin.h"
#include "scheme-sim/cardsreq.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/mchip.h"
#include "scheme-sim/portfolio.h"

/* "bad": the first digit one off. */
static void
spoil(int how, char *digits)
{
	if (how == VD_BAD)
		digits[0] = digits[0] == '9' ? '0' : (char)(digits[0] + 1);
}

/* Sets a field that holds verification data, and wipes the copy. */
static int
set_wiped(json_t *f, const char *key, char *v, size_t vsz)
{
	int rc = sim_json_set(f, key, v);

	sodium_memzero(v, vsz);
	return rc;
}

/* DE48 SE92: the CVC2; malformed, an SE92 of two digits. */
static int
set_cvc2(json_t *f, const struct reqopts *r, const struct sim_pcard *c)
{
	char v[32];

	if (r->vd_cvc2 == VD_NONE)
		return 0;
	if (r->vd_cvc2 == VD_MALFORMED)
		snprintf(v, sizeof v, "R9202%.2s", c->cvc2);
	else {
		snprintf(v, sizeof v, "R9203%s", c->cvc2);
		spoil(r->vd_cvc2, v + 5);
	}
	return set_wiped(f, "48", v, sizeof v);
}

/* DE35: PAN=YYMM, service code 101, CVC1 first in the discretionary
 * data; malformed, the discretionary data cut short (PAN=YYMM10). */
static int
set_track2(json_t *f, const struct reqopts *r, const struct sim_pcard *c)
{
	char v[64];
	size_t n;

	if (r->vd_track2 == VD_NONE)
		return 0;
	snprintf(v, sizeof v, "%s=%s101", c->pan, r->expiry ? r->expiry :
	    c->exp);
	n = strlen(v);
	if (r->vd_track2 == VD_MALFORMED)
		v[n - 1] = '\0';
	else {
		snprintf(v + n, sizeof v - n, "%s0000000", c->cvv1);
		spoil(r->vd_track2, v + n);
	}
	return set_wiped(f, "35", v, sizeof v);
}

/* DE52: the card's PIN (9999 when bad) as an ISO format 0 block; when
 * malformed its control nibble is F, so the HSM finds no format 0 block
 * in it (a format error, not a wrong PIN). */
static int
set_pinblock(json_t *f, const struct reqopts *r, const struct sim_portfolio *p,
    const struct sim_pcard *c)
{
	struct hsm_des zpk;
	uint8_t blk[8];
	char pin[8], acct[13], hex[17];
	int rc = -1;

	if (r->vd_pin == VD_NONE)
		return 0;
	snprintf(pin, sizeof pin, "%s", r->vd_pin == VD_BAD ? "9999" :
	    c->pin[0] ? c->pin : "1234");
	if (sim_pin_account(c->pan, acct) == 0 &&
	    hsm_pinblock_encode(0, pin, strlen(pin), acct, blk) == 0 &&
	    hsm_des_init(&zpk, p->zpk, 16) == 0) {
		if (r->vd_pin == VD_MALFORMED)
			blk[0] ^= 0xF0;
		if (hsm_des_encrypt(&zpk, blk, blk, 8) == 0) {
			sim_tohex(blk, 8, hex);
			rc = set_wiped(f, "52", hex, sizeof hex);
		}
		hsm_des_free(&zpk);
	}
	sodium_memzero(pin, sizeof pin);
	sodium_memzero(blk, sizeof blk);
	return rc;
}

/* The terminal country for 9F1A: DE19 when given, else the UK's. */
static uint16_t
terminal_country(const struct reqopts *r)
{
	if (r->country != NULL && r->country[0] >= '0' && r->country[0] <= '9')
		return (uint16_t)atoi(r->country);
	return 826;
}

/* DE55: an ARQC over this request's amount and currency from the card's
 * ICC key; ATC from the STAN, so each request is a fresh cryptogram. */
static int
set_de55(json_t *f, const struct reqopts *r, const struct sim_portfolio *p,
    const struct sim_pcard *c)
{
	static const uint8_t un[4] = { 0x11, 0x22, 0x33, 0x44 };
	struct sim_emvtx tx = { .amount = r->amount,
	    .currency = (uint16_t)atoi(r->currency),
	    .country = terminal_country(r) };
	struct hsm_des k;
	uint8_t icc[16], mac[8], de55[128];
	char hex[2 * sizeof de55 + 1];
	ssize_t n = -1;

	if (r->vd_arqc == VD_NONE)
		return 0;
	tx.atc[0] = (uint8_t)(r->stan >> 8);
	tx.atc[1] = (uint8_t)r->stan;
	memcpy(tx.un, un, 4);
	/* k holds MK-AC, then serves as the scratch key of the ARQC. */
	if (hsm_des_init(&k, p->mkac, 16) == 0) {
		if (sim_mchip_icc_key(&k, c->pan, icc) == 0 &&
		    sim_mchip_arqc(&k, icc, &tx, mac) == 0)
			n = sim_mchip_de55(&tx, mac, r->vd_arqc == VD_BAD ?
			    SIM_DE55_BAD : r->vd_arqc == VD_MALFORMED ?
			    SIM_DE55_MALFORMED : SIM_DE55_GOOD, de55,
			    sizeof de55);
		hsm_des_free(&k);
	}
	sodium_memzero(icc, sizeof icc);
	if (n < 0)
		return -1;
	sim_tohex(de55, (size_t)n, hex);
	return sim_json_set(f, "55", hex);
}

int
req_verification(json_t *f, const struct reqopts *r,
    const struct sim_portfolio *p, const struct sim_pcard *c)
{
	return set_cvc2(f, r, c) || set_track2(f, r, c) ||
	    set_pinblock(f, r, p, c) || set_de55(f, r, p, c) ? -1 : 0;
}
