/*
 * cardsreq.c — `scheme-sim cards request`: one authorisation request for
 * a portfolio card as the iso8583 CLI's JSON ({"mti":..,"fields":{..}}),
 * with the card verification data asked for, each good, bad (one digit or
 * bit off) or none: CVC2 in DE48 SE92, track 2 with CVV1 in DE35, a PIN
 * block under the ZPK in DE52, an ARQC from MK-AC in DE55.  Test cards
 * and test keys only: the stand-in rule tests send these.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hsm/des.h"
#include "hsm/emv.h"
#include "hsm/client/hsmclient.h"
#include "hsm/pin.h"
#include "iso8583/emv.h"
#include "scheme-sim/cardsmain.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/portfolio.h"
#include "scheme-sim/schememsg.h"

#define NO_INDEX	UINT64_MAX

struct reqopts {
	const char	*portfolio, *pan, *mti, *mcc, *expiry;
	const char	*cvc2, *track2, *arqc, *pin;
	uint64_t	 index, amount, stan;
};

/* The fixed terminal data the ARQC covers. */
static const uint8_t atc[2] = { 0x00, 0x2A };
static const uint8_t un[4] = { 0x11, 0x22, 0x33, 0x44 };

#define AT(f)	.off = offsetof(struct reqopts, f)

static const struct sim_opt req_opts[] = {
	{ .name = "portfolio", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(portfolio), .help = "the portfolio (scheme-sim cards generate)" },
	{ .name = "index", .arg = "I", .kind = SIM_OPT_COUNT, AT(index),
	  .max = 10000000, .why = "want a card number",
	  .help = "the portfolio's card I (from 0; past the last:\n"
	  "an unknown card)" },
	{ .name = "pan", .arg = "PAN", .kind = SIM_OPT_STR, AT(pan),
	  .help = "the card with this PAN (not in the portfolio:\n"
	  "an unknown card)" },
	{ .name = "mti", .arg = "M", .kind = SIM_OPT_STR, AT(mti),
	  .help = "the MTI (default 0100)" },
	{ .name = "amount", .arg = "N", .kind = SIM_OPT_COUNT, AT(amount),
	  .max = 999999999999ull, .why = "want minor units",
	  .help = "DE4 in minor units (default 1000)" },
	{ .name = "stan", .arg = "N", .kind = SIM_OPT_COUNT, AT(stan),
	  .why = "want a number",
	  .help = "DE11 (its low 6 digits) and DE37 (default 1)" },
	{ .name = "mcc", .arg = "M", .kind = SIM_OPT_STR, AT(mcc),
	  .help = "DE18 (default 5411)" },
	{ .name = "cvc2", .arg = "good|bad|none", .kind = SIM_OPT_STR,
	  AT(cvc2), .help = "CVC2 in DE48 SE92 (default none)" },
	{ .name = "track2", .arg = "good|bad|none", .kind = SIM_OPT_STR,
	  AT(track2), .help = "track 2 with its CVV1 in DE35 (default none)" },
	{ .name = "pin", .arg = "good|bad|none", .kind = SIM_OPT_STR, AT(pin),
	  .help = "PIN block under the ZPK in DE52 (default none)" },
	{ .name = "arqc", .arg = "good|bad|none", .kind = SIM_OPT_STR,
	  AT(arqc), .help = "DE55 with an ARQC from MK-AC (default none)" },
	{ .name = "expiry", .arg = "YYMM", .kind = SIM_OPT_STR, AT(expiry),
	  .help = "DE14 and track 2's expiry (default the card's)" },
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab req_optab = SIM_OPTAB(
    "scheme-sim cards request",
    "usage: scheme-sim cards request --portfolio F (--index I | --pan PAN) "
    "[--mti M]\n"
    "    [--amount N] [--stan N] [--mcc M] [--expiry YYMM]\n"
    "    [--cvc2|--track2|--arqc|--pin good|bad|none]\n\n", req_opts, 32);

void
sim_cards_request_usage(void)
{
	sim_opts_usage(&req_optab);
}

static int
set(json_t *fields, const char *key, const char *v)
{
	return json_object_set_new(fields, key, sim_json_bytes(v, strlen(v)));
}

/* "bad": the first digit one off. */
static void
spoil(const char *how, char *digits)
{
	if (strcmp(how, "bad") == 0)
		digits[0] = digits[0] == '9' ? '0' : (char)(digits[0] + 1);
}

/* Sets a field that holds verification data, and wipes the copy. */
static int
set_wiped(json_t *f, const char *key, char *v, size_t vsz)
{
	int rc = set(f, key, v);

	sodium_memzero(v, vsz);
	return rc;
}

/* The fields every request has. */
static int
set_base(json_t *f, const struct reqopts *r, const struct sim_pcard *c)
{
	char de4[16], de11[8], de37[32];

	snprintf(de4, sizeof de4, "%012llu", (unsigned long long)r->amount);
	snprintf(de11, sizeof de11, "%06llu",
	    (unsigned long long)(r->stan % 1000000));
	snprintf(de37, sizeof de37, "RULE%08llu", (unsigned long long)r->stan);
	return set(f, "2", c->pan) || set(f, "3", "000000") ||
	    set(f, "4", de4) || set(f, "7", "1123010203") ||
	    set(f, "11", de11) || set(f, "12", "010203") ||
	    set(f, "13", "1123") ||
	    set(f, "14", r->expiry ? r->expiry : c->exp) ||
	    set(f, "18", r->mcc) || set(f, "22", "051") ||
	    set(f, "32", "005037") || set(f, "37", de37) ||
	    set(f, "41", "TERM0001") || set(f, "42", "SIMMERCHANT0001") ||
	    set(f, "49", "826") ? -1 : 0;
}

/* DE48 SE92 (CVC2) and DE35 (track 2 with CVV1). */
static int
set_cvc(json_t *f, const struct reqopts *r, const struct sim_pcard *c)
{
	char v[64];
	size_t n;

	if (strcmp(r->cvc2, "none") != 0) {
		snprintf(v, sizeof v, "R9203%s", c->cvc2);
		spoil(r->cvc2, v + 5);
		if (set_wiped(f, "48", v, sizeof v) == -1)
			return -1;
	}
	if (strcmp(r->track2, "none") != 0) {
		snprintf(v, sizeof v, "%s=%s101", c->pan,
		    r->expiry ? r->expiry : c->exp);
		n = strlen(v);
		snprintf(v + n, sizeof v - n, "%s0000000", c->cvv1);
		spoil(r->track2, v + n);
		if (set_wiped(f, "35", v, sizeof v) == -1)
			return -1;
	}
	return 0;
}

/* DE52: the card's PIN (9999 when bad) as an ISO format 0 block. */
static int
set_pinblock(json_t *f, const struct reqopts *r, const struct sim_portfolio *p,
    const struct sim_pcard *c)
{
	struct hsm_des zpk;
	uint8_t blk[8];
	char pin[8], acct[13], hex[17];
	size_t pl = strlen(c->pan);
	int rc = -1;

	if (strcmp(r->pin, "none") == 0)
		return 0;
	snprintf(pin, sizeof pin, "%s", strcmp(r->pin, "bad") == 0 ? "9999" :
	    c->pin[0] ? c->pin : "1234");
	memcpy(acct, c->pan + pl - 13, 12);
	acct[12] = '\0';
	if (hsm_pinblock_encode(0, pin, strlen(pin), acct, blk) == 0 &&
	    hsm_des_init(&zpk, p->zpk, 16) == 0) {
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

/* The transaction data (CDOL1) the ARQC covers, padded (method 2). */
static size_t
arqc_data(const uint8_t amt[6], uint8_t tx[64])
{
	static const struct {
		const void	*v;
		size_t		 len;
	} parts[] = {
		{ NULL, 6 },			/* amount, authorised */
		{ "\0\0\0\0\0\0", 6 },		/* amount, other */
		{ "\x08\x26", 2 },		/* terminal country */
		{ "\x00\x00\x00\x80\x00", 5 },	/* TVR */
		{ "\x08\x26", 2 },		/* currency */
		{ "\x26\x11\x23", 3 },		/* date */
		{ "\x00", 1 },			/* type */
		{ un, 4 },
		{ "\x19\x80", 2 },		/* AIP */
		{ atc, 2 },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		memcpy(tx + n, parts[i].v ? parts[i].v : amt, parts[i].len);
		n += parts[i].len;
	}
	tx[n++] = 0x80;
	while (n % 8)
		tx[n++] = 0;
	return n;
}

/* The ARQC the card computes: MK-AC -> ICC master key -> session key
 * (from the ATC and unpredictable number) -> MAC of the data. */
static int
arqc(const struct sim_portfolio *p, const struct sim_pcard *c,
    const uint8_t amt[6], uint8_t mac[8])
{
	static const uint8_t zero[8];
	struct hsm_des mk, ik, sd;
	uint8_t tx[64], y[8], icc[16], sk[16], r[8];
	size_t tl = arqc_data(amt, tx);
	int rc = -1;

	memcpy(r, atc, 2);
	memset(r + 2, 0, 6);
	memcpy(r + 4, un, 4);
	if (hsm_emv_option_a_y(c->pan, strlen(c->pan), "00", y) == -1 ||
	    hsm_des_init(&mk, p->mkac, 16) == -1)
		return -1;
	if (hsm_emv_icc_mk(&mk, y, icc) == 0 &&
	    hsm_des_init(&ik, icc, 16) == 0) {
		if (hsm_emv_session_key(&ik, r, sk) == 0 &&
		    hsm_des_init(&sd, sk, 16) == 0) {
			rc = hsm_des_mac(&sd, HSM_MAC_ALG3, HSM_PAD_NONE, zero,
			    tx, tl, 1, mac);
			hsm_des_free(&sd);
		}
		hsm_des_free(&ik);
	}
	hsm_des_free(&mk);
	sodium_memzero(icc, sizeof icc);
	sodium_memzero(sk, sizeof sk);
	return rc;
}

/* DE55: the ARQC (one bit off when bad) and the tags it was made over. */
static int
set_de55(json_t *f, const struct reqopts *r, const struct sim_portfolio *p,
    const struct sim_pcard *c)
{
	uint8_t de55[256], amt[6], mac[8];
	const struct {
		uint32_t	 tag;
		const void	*v;
		size_t		 len;
	} tags[] = {
		{ 0x9F26, mac, 8 }, { 0x9F27, "\x80", 1 }, { 0x9F02, amt, 6 },
		{ 0x9F03, "\0\0\0\0\0\0", 6 }, { 0x9F1A, "\x08\x26", 2 },
		{ 0x95, "\x00\x00\x00\x80\x00", 5 }, { 0x5F2A, "\x08\x26", 2 },
		{ 0x9A, "\x26\x11\x23", 3 }, { 0x9C, "\x00", 1 },
		{ 0x9F37, un, 4 }, { 0x82, "\x19\x80", 2 }, { 0x9F36, atc, 2 },
		{ 0x5F34, "\x00", 1 },
	};
	char hex[2 * sizeof de55 + 1];
	size_t i, n = 0;
	ssize_t k;

	if (strcmp(r->arqc, "none") == 0)
		return 0;
	sim_amount_bcd(r->amount, amt);
	if (arqc(p, c, amt, mac) == -1)
		return -1;
	if (strcmp(r->arqc, "bad") == 0)
		mac[0] ^= 0x01;
	for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		k = emv_put(de55 + n, sizeof de55 - n, tags[i].tag, tags[i].v,
		    tags[i].len);
		if (k < 0)
			return -1;
		n += (size_t)k;
	}
	sim_tohex(de55, n, hex);
	return set(f, "55", hex);
}

/* The card asked for, or a valid-looking unknown one. */
static const struct sim_pcard *
pick_card(const struct reqopts *r, const struct sim_portfolio *p,
    struct sim_pcard *unknown)
{
	const struct sim_pcard *c = NULL;

	if (r->pan != NULL)
		c = sim_portfolio_find(p, r->pan);
	else if (r->index < p->n)
		c = &p->v[r->index];
	if (c != NULL)
		return c;
	memset(unknown, 0, sizeof *unknown);
	snprintf(unknown->pan, sizeof unknown->pan, "%s",
	    r->pan ? r->pan : "5413339999999992");
	strcpy(unknown->exp, "2812");
	strcpy(unknown->cvv1, "123");
	strcpy(unknown->cvc2, "123");
	return unknown;
}

static int
print_request(const struct reqopts *r, const struct sim_portfolio *p)
{
	struct sim_pcard unknown;
	const struct sim_pcard *c = pick_card(r, p, &unknown);
	json_t *fields = json_object();
	int rc = -1;

	if (fields != NULL && set_base(fields, r, c) == 0 &&
	    set_cvc(fields, r, c) == 0 && set_pinblock(fields, r, p, c) == 0 &&
	    set_de55(fields, r, p, c) == 0)
		rc = sim_json_print(stdout, json_pack("{s:o, s:O}", "mti",
		    sim_json_bytes(r->mti, strlen(r->mti)), "fields", fields));
	json_decref(fields);
	sodium_memzero(&unknown, sizeof unknown);
	return rc;
}

int
sim_cards_request(int argc, char **argv)
{
	struct reqopts r = { .mti = "0100", .mcc = "5411", .cvc2 = "none",
	    .track2 = "none", .arqc = "none", .pin = "none",
	    .index = NO_INDEX, .amount = 1000, .stan = 1 };
	struct sim_portfolio p;
	char err[256];
	int first, rc;

	if (sim_opts_parse(&req_optab, &r, argc, argv, &first) == -1)
		return 2;
	if (r.portfolio == NULL || (r.pan == NULL && r.index == NO_INDEX)) {
		sim_cards_request_usage();
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (sim_portfolio_load(&p, r.portfolio, err, sizeof err) == -1) {
		fprintf(stderr, "scheme-sim cards: %s\n", err);
		return 1;
	}
	rc = print_request(&r, &p) == 0 ? 0 : 1;
	sim_portfolio_free(&p);
	return rc;
}
