/*
 * cardsreq.c — `scheme-sim cards request`: one authorisation request for
 * a portfolio card as the iso8583 CLI's JSON ({"mti":..,"fields":{..}}):
 * the POS entry mode (DE22) and the verification data it needs
 * (cardsvd.c), cash or purchase, currency and billing amount, country,
 * and for reversals the original's DE90 and the replacement amount DE95.
 * Test cards and test keys only: the stand-in rule tests send these.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "scheme-sim/cardsmain.h"
#include "scheme-sim/cardsreq.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/portfolio.h"

/* The fixed request data the reversal's DE90 repeats. */
#define REQ_DE7		"1123010203"
#define REQ_DE32	"005037"

/* --entry: DE22 and the one piece of verification data it needs. */
static const struct {
	const char	*name, *de22;
	size_t		 need;	/* offset of its vd_ member; 0: none */
} entries[] = {
	{ "chip", "051", offsetof(struct reqopts, vd_arqc) },
	{ "contactless", "071", offsetof(struct reqopts, vd_arqc) },
	{ "stripe", "021", offsetof(struct reqopts, vd_track2) },
	{ "ctls-stripe", "911", offsetof(struct reqopts, vd_track2) },
	{ "fallback", "901", offsetof(struct reqopts, vd_track2) },
	{ "manual", "012", offsetof(struct reqopts, vd_cvc2) },
	{ "ecom", "812", offsetof(struct reqopts, vd_cvc2) },
	{ "cof", "102", 0 },
	{ "unknown", "031", 0 },
};

#define AT(f)	.off = offsetof(struct reqopts, f)
#define ARR(f)	AT(f), .max = sizeof(((struct reqopts *)0)->f)
#define VD	"good|bad|malformed|none"

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
	{ .name = "entry", .arg = "MODE", .kind = SIM_OPT_STR, AT(entry),
	  .help = "DE22 by how the card was read: chip 051,\n"
	  "contactless 071, stripe 021, ctls-stripe 911,\n"
	  "fallback 901, manual 012, ecom 812, cof 102,\n"
	  "unknown 031; the data the mode needs is then\n"
	  "sent good unless said otherwise (chip and\n"
	  "contactless: ARQC; the stripes: track 2; manual\n"
	  "and ecom: CVC2)" },
	{ .name = "de22", .arg = "NNN", .kind = SIM_OPT_DIGITS, ARR(de22),
	  .min = 3, .why = "want 3 digits",
	  .help = "DE22 as given (default 051, or --entry's)" },
	{ .name = "no-de22", .kind = SIM_OPT_SET, AT(no_de22),
	  .help = "no DE22 at all" },
	{ .name = "cvc2", .arg = VD, .kind = SIM_OPT_STR, AT(cvc2),
	  .help = "CVC2 in DE48 SE92 (malformed: 2 digits)" },
	{ .name = "track2", .arg = VD, .kind = SIM_OPT_STR, AT(track2),
	  .help = "track 2 with its CVC1 in DE35 (malformed: the\n"
	  "discretionary data cut short)" },
	{ .name = "pin", .arg = VD, .kind = SIM_OPT_STR, AT(pin),
	  .help = "PIN block under the ZPK in DE52 (malformed: no\n"
	  "format 0 block inside)" },
	{ .name = "arqc", .arg = VD, .kind = SIM_OPT_STR, AT(arqc),
	  .help = "DE55 with an ARQC from MK-AC over DE4 and DE49\n"
	  "(malformed: the ARQC element runs past the end);\n"
	  "each defaults to none, or to good when --entry\n"
	  "needs it" },
	{ .name = "expiry", .arg = "YYMM", .kind = SIM_OPT_STR, AT(expiry),
	  .help = "DE14 and track 2's expiry (default the card's)" },
	{ .name = "cash", .kind = SIM_OPT_SET, AT(cash),
	  .help = "a cash withdrawal: DE3 010000 (default 000000)" },
	{ .name = "currency", .arg = "NNN", .kind = SIM_OPT_DIGITS,
	  ARR(currency), .min = 3, .why = "want 3 digits",
	  .help = "DE49 (default 826)" },
	{ .name = "billing", .arg = "N", .kind = SIM_OPT_COUNT, AT(billing),
	  .max = 999999999999ull, .why = "want minor units",
	  .help = "DE6 = N, DE51 = the card's currency" },
	{ .name = "country", .arg = "NNN|AAA", .kind = SIM_OPT_STR,
	  AT(country), .help = "merchant country: digits in DE19, letters in\n"
	  "DE43 positions 38-40" },
	{ .name = "orig-stan", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(orig_stan), .why = "want a number",
	  .help = "DE90 naming the 0100 this tool made with\n"
	  "--stan N (for 0400/0420)" },
	{ .name = "de95", .arg = "N", .kind = SIM_OPT_COUNT, AT(de95),
	  .max = 999999999999ull, .why = "want minor units",
	  .help = "DE95: replacement (actual) amount N, then zeros" },
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab req_optab = SIM_OPTAB(
    "scheme-sim cards request",
    "usage: scheme-sim cards request --portfolio F (--index I | --pan PAN) "
    "[--mti M]\n"
    "    [--amount N] [--stan N] [--mcc M] [--expiry YYMM]\n"
    "    [--entry MODE | --de22 NNN | --no-de22]\n"
    "    [--cvc2|--track2|--arqc|--pin " VD "]\n"
    "    [--cash] [--currency NNN] [--billing N] [--country NNN|AAA]\n"
    "    [--orig-stan N] [--de95 N]\n\n", req_opts, 32);

void
sim_cards_request_usage(void)
{
	sim_opts_usage(&req_optab);
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
	return sim_json_set(f, "2", c->pan) ||
	    sim_json_set(f, "3", r->cash ? "010000" : "000000") ||
	    sim_json_set(f, "4", de4) || sim_json_set(f, "7", REQ_DE7) ||
	    sim_json_set(f, "11", de11) || sim_json_set(f, "12", "010203") ||
	    sim_json_set(f, "13", "1123") ||
	    sim_json_set(f, "14", r->expiry ? r->expiry : c->exp) ||
	    sim_json_set(f, "18", r->mcc) ||
	    (!r->no_de22 && sim_json_set(f, "22", r->de22)) ||
	    sim_json_set(f, "32", REQ_DE32) || sim_json_set(f, "37", de37) ||
	    sim_json_set(f, "41", "TERM0001") ||
	    sim_json_set(f, "42", "SIMMERCHANT0001") ||
	    sim_json_set(f, "49", r->currency) ? -1 : 0;
}

/* Billing amount, country, and a reversal's DE90 and DE95. */
static int
set_extra(json_t *f, const struct reqopts *r, const struct sim_pcard *c)
{
	char v[64];

	if (r->billing != REQ_UNSET) {
		snprintf(v, sizeof v, "%012llu",
		    (unsigned long long)r->billing);
		if (sim_json_set(f, "6", v) || sim_json_set(f, "51", c->cur))
			return -1;
	}
	if (r->country != NULL && r->country[0] >= '0' &&
	    r->country[0] <= '9' && sim_json_set(f, "19", r->country))
		return -1;
	if (r->country != NULL && r->country[0] >= 'A') {
		/* Name 1-23, city 24-36, country 38-40 (37: a space). */
		snprintf(v, sizeof v, "%-23s%-14s%s", "SIM MERCHANT 0001",
		    "LONDON", r->country);
		if (sim_json_set(f, "43", v))
			return -1;
	}
	if (r->orig_stan != REQ_UNSET) {
		/* Original MTI, DE11, DE7, DE32 to 11 digits, 11 zeros. */
		snprintf(v, sizeof v, "0100%06llu%s%011d%011d",
		    (unsigned long long)(r->orig_stan % 1000000), REQ_DE7,
		    atoi(REQ_DE32), 0);
		if (sim_json_set(f, "90", v))
			return -1;
	}
	if (r->de95 != REQ_UNSET) {
		snprintf(v, sizeof v, "%012llu%030d",
		    (unsigned long long)r->de95, 0);
		if (sim_json_set(f, "95", v))
			return -1;
	}
	return 0;
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
	strcpy(unknown->cur, "826");
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
	    set_extra(fields, r, c) == 0 &&
	    req_verification(fields, r, p, c) == 0)
		rc = sim_json_print(stdout, json_pack("{s:o, s:O}", "mti",
		    sim_json_bytes(r->mti, strlen(r->mti)), "fields", fields));
	json_decref(fields);
	sodium_memzero(&unknown, sizeof unknown);
	return rc;
}

/* One --cvc2/--track2/--arqc/--pin value; NULL keeps the default. */
static int
vd_parse(const char *name, const char *v, int *out)
{
	static const char *const names[] = { "none", "good", "bad",
	    "malformed" };
	int i;

	if (v == NULL)
		return 0;
	for (i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;	/* VD_NONE .. VD_MALFORMED */
			return 0;
		}
	return sim_opts_bad(&req_optab, name, v, "want " VD);
}

int
req_entry_set(struct reqopts *r, const char *entry)
{
	size_t i;

	for (i = 0; i < sizeof entries / sizeof entries[0]; i++)
		if (strcmp(entry, entries[i].name) == 0)
			break;
	if (i == sizeof entries / sizeof entries[0])
		return -1;
	if (r->de22[0] == '\0')	/* --de22 wins */
		memcpy(r->de22, entries[i].de22, 4);
	/* need names the vd_ member the mode must send. */
	if (entries[i].need != 0)
		*(int *)(void *)((char *)r + entries[i].need) = VD_GOOD;
	return 0;
}

/* --entry's DE22 and default data, then the explicit choices. */
static int
resolve(struct reqopts *r)
{
	if (r->entry != NULL && req_entry_set(r, r->entry) == -1)
		return sim_opts_bad(&req_optab, "entry", r->entry,
		    REQ_ENTRY_NAMES);
	if (r->currency[0] == '\0')
		strcpy(r->currency, "826");
	if (r->country != NULL && !(strlen(r->country) == 3 &&
	    (strspn(r->country, "0123456789") == 3 ||
	    strspn(r->country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)))
		return sim_opts_bad(&req_optab, "country", r->country,
		    "want 3 digits or 3 capital letters");
	return vd_parse("cvc2", r->cvc2, &r->vd_cvc2) ||
	    vd_parse("track2", r->track2, &r->vd_track2) ||
	    vd_parse("arqc", r->arqc, &r->vd_arqc) ||
	    vd_parse("pin", r->pin, &r->vd_pin) ? -1 : 0;
}

int
sim_cards_request(int argc, char **argv)
{
	struct reqopts r = { .mti = "0100", .mcc = "5411",
	    .index = REQ_UNSET, .amount = 1000, .stan = 1,
	    .billing = REQ_UNSET, .orig_stan = REQ_UNSET, .de95 = REQ_UNSET };
	struct sim_portfolio p;
	char err[256];
	int first, rc;

	if (sim_opts_parse(&req_optab, &r, argc, argv, &first) == -1)
		return 2;
	if (r.portfolio == NULL || (r.pan == NULL && r.index == REQ_UNSET)) {
		sim_cards_request_usage();
		return 2;
	}
	if (resolve(&r) == -1)
		return 2;
	if (r.de22[0] == '\0')
		strcpy(r.de22, "051");
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
