/*
 * schemeopts.c — the options of `scheme-sim scheme`: one table parses
 * them and prints --help; then the checks between options and the values
 * a run is made of (framer, request fields, card list, expected DE39s).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/schemerun.h"
#include "scheme-sim/schemesim.h"

#define AT(f)	.off = offsetof(struct scheme, f)
#define ARR(f)	AT(f), .max = sizeof(((struct scheme *)0)->f)

static int
set_answer_rc(void *o, const char *arg, char *why, size_t whysz)
{
	struct scheme *s = o;

	(void)why;
	(void)whysz;
	if (strlen(arg) != 2 || sim_rc_index(arg) < 0)
		return -1;
	memcpy(s->answer_rc, arg, 3);
	return 0;
}

static int
set_entry(void *o, const char *arg, char *why, size_t whysz)
{
	struct scheme *s = o;

	(void)why;
	(void)whysz;
	return (s->rs.entry = sim_entry_parse(arg)) < 0 ? -1 : 0;
}

/* Names of [A-Za-z0-9_-], so they print as they are in every report. */
static int
set_phases(void *o, const char *arg, char *why, size_t whysz)
{
	struct scheme *s = o;
	size_t len;

	(void)why;
	(void)whysz;
	while (*arg != '\0') {
		len = strcspn(arg, ",");
		if (len > 0) {
			if (s->nphase_names >= MAX_PHASES || len > 30 ||
			    strspn(arg, "-_0123456789abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") < len)
				return -1;
			memcpy(s->phase_names[s->nphase_names], arg, len);
			s->phase_names[s->nphase_names++][len] = '\0';
		}
		arg += len + (arg[len] == ',');
	}
	return 0;
}

static const struct sim_opt scheme_rows[] = {
	{ .kind = SIM_OPT_HEADING, .help = "link:" },
	{ .name = "connect", .arg = "[NAME=]HOST:PORT", .kind = SIM_OPT_FN,
	  .fn = scheme_gw_opt, .why = "want a numeric HOST:PORT",
	  .help = "connect to the gateway's Listen address; twice for\n"
	  "two appliances (A, B): load spread over those up,\n"
	  "requests in flight on a lost line resent to the\n"
	  "other, the line redialled; NAME labels the\n"
	  "appliance in the report" },
	{ .name = "listen", .arg = "ADDR:PORT", .kind = SIM_OPT_ADDR,
	  AT(addr), .val = SCHEME_LISTEN, .why = "want a numeric HOST:PORT",
	  .help = "accept the gateway's connections (Connect links)" },
	{ .name = "profile", .arg = "P", .kind = SIM_OPT_STR, AT(profile),
	  .help = "iso87 | iso87hex | mastercard | fps (default iso87)" },
	{ .name = "framing", .arg = "F", .kind = SIM_OPT_STR, AT(framing),
	  .help = "len2 | len4ascii (default len2)" },
	{ .name = "frame-header", .arg = "HEX", .kind = SIM_OPT_STR,
	  AT(frame_header),
	  .help = "a fixed header between the length prefix and the\n"
	  "message, sent as given and skipped on receipt (the\n"
	  "gateway's FrameHeader)" },
	{ .name = "conns", .arg = "N", .kind = SIM_OPT_COUNT, AT(conns_opt),
	  .min = 1, .max = MAX_CONNS, .why = "want 1..64",
	  .help = "TCP connections (default 1, max 64), to each\n"
	  "appliance (max 32 each with two)" },
	{ .name = "connect-timeout", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(connect_timeout_ns), .why = "bad duration",
	  .help = "keep retrying the connect this long (default 10s)" },
	{ .name = "no-signon", .kind = SIM_OPT_CLEAR, AT(signon),
	  .help = "do not send the 0800 sign-on first" },
	{ .name = "signon-code", .arg = "C", .kind = SIM_OPT_DIGITS,
	  ARR(signon_code), .min = 3, .why = "want 3 digits",
	  .help = "DE70 of the sign-on (default 061 for mastercard,\n"
	  "001 otherwise)" },
	{ .name = "signoff", .kind = SIM_OPT_SET, AT(signoff),
	  .help = "send an 0800 sign-off (062 for mastercard, 002\n"
	  "otherwise) on every connection before closing" },
	{ .name = "echo-silent", .kind = SIM_OPT_SET, AT(echo_silent),
	  .help = "never answer the gateway's echo tests (DE70 270,\n"
	  "301, 831): a dead line as the gateway sees it" },
	{ .name = "hold", .arg = "D", .kind = SIM_OPT_DURATION, AT(hold_ns),
	  .why = "bad duration",
	  .help = "keep the connections open this long after the\n"
	  "load, answering (or not) the gateway (default 0)" },
	{ .name = "zmk", .arg = "FILE", .kind = SIM_OPT_STR, AT(zmk_path),
	  .help = "the clear test ZMK (32 hex digits) the key changes\n"
	  "(0800 161) send new ZPKs under" },
	{ .name = "new-zpk", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(new_zpk_path),
	  .help = "clear test ZPKs, one a line, for the key changes\n"
	  "in turn (random once they run out)" },
	{ .name = "key-change-at", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(key_change_ns), .why = "bad duration",
	  .help = "send one key change this long into the load\n"
	  "(also sent whenever the gateway asks: 0800 162)" },
	{ .name = "hold-out", .arg = "N", .kind = SIM_OPT_COUNT, AT(hold_out),
	  .why = "want a number",
	  .help = "leave the first N requests and advices the gateway\n"
	  "sends unanswered (its repeats and reversals)" },
	{ .name = "mak", .arg = "FILE", .kind = SIM_OPT_STR, AT(mak_path),
	  .help = "the clear test MAC key (32 hex digits): DE64 on\n"
	  "all but 08xx, answers' MACs checked" },
	{ .name = "new-mak", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(new_mak_path),
	  .help = "clear test MAC keys, one a line, for the MAC key\n"
	  "changes in turn (random once they run out)" },
	{ .name = "mak-change-at", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(mak_change_ns), .why = "bad duration",
	  .help = "send one MAC key change (161, kind M) this long\n"
	  "into the load; MACs switch to it once answered 00" },
	{ .name = "bad-mac-every", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(bad_mac_every), .why = "want a number",
	  .help = "spoil every Nth MAC sent (with --mak)" },
	{ .kind = SIM_OPT_HEADING, .help = "load:" },
	{ .name = "rate", .arg = "N", .kind = SIM_OPT_COUNT, AT(rate),
	  .why = "want a number (k/m)",
	  .help = "requests per second, open loop (k/m suffixes)" },
	{ .name = "inflight", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(inflight_cap), .min = 1, .why = "want a number > 0",
	  .help = "cap on requests in flight (default 64 without\n"
	  "--rate; unlimited up to the ring with it)" },
	{ .name = "duration", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(duration_ns), .why = "bad duration",
	  .help = "how long to send (default 5s; 20ms, 1.5s, 2m)" },
	{ .name = "count", .arg = "N", .kind = SIM_OPT_COUNT, AT(count),
	  .why = "want a number",
	  .help = "stop after N requests (whichever comes first)" },
	{ .name = "cards", .arg = "FILE", .kind = SIM_OPT_STR, AT(cards_path),
	  .help = "PAN [YYMM [AMOUNT]] per line (default: built-in\n"
	  "synthetic test cards)" },
	{ .name = "portfolio", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(portfolio_path),
	  .help = "the cards of a portfolio (cards generate), each\n"
	  "request with valid verification data for its\n"
	  "entry mode (instead of --cards)" },
	{ .name = "entry", .arg = "MODE", .kind = SIM_OPT_FN, .fn = set_entry,
	  .why = "want chip, stripe, ecom or mix",
	  .help = "with --portfolio: chip (DE22 051, an ARQC over\n"
	  "the amount in DE55), stripe (901, track 2 with\n"
	  "CVC1), ecom (812, CVC2 in DE48 SE92), or mix:\n"
	  "request k is chip, stripe, ecom by k mod 3\n"
	  "(default mix)" },
	{ .name = "pin", .kind = SIM_OPT_SET, AT(pin),
	  .help = "with --portfolio: every request carries the card's\n"
	  "PIN in DE52 under the ZPK in use (the portfolio's,\n"
	  "then each key change's once answered 00)" },
	{ .name = "zpk", .arg = "FILE", .kind = SIM_OPT_STR, AT(zpk_path),
	  .help = "with --pin: the clear test ZPK in use at the start\n"
	  "(default: the portfolio's)" },
	{ .name = "amount", .arg = "N", .kind = SIM_OPT_COUNT, AT(rs.amount),
	  .max = 999999999999ull, .why = "want minor units",
	  .help = "amount in minor units (default 1000); amounts\n"
	  "cycle through N + k*--amount-step, k = 0..9" },
	{ .name = "amount-step", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(rs.amount_step), .why = "want a number", .help = "(default 0)" },
	{ .name = "mti", .arg = "MTI", .kind = SIM_OPT_STR, AT(mti),
	  .help = "request MTI (default 0100, 0200 for fps)" },
	{ .name = "advice-every", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(advice_every), .why = "want a number",
	  .help = "every Nth message is an 0120 advice instead" },
	{ .name = "acquirer", .arg = "ID", .kind = SIM_OPT_DIGITS,
	  ARR(rs.de32), .min = 1, .why = "want 1..11 digits",
	  .help = "DE32 (default 005037)" },
	{ .name = "merchant", .arg = "ID", .kind = SIM_OPT_TEXT, ARR(rs.de42),
	  .min = 1, .why = "want 1..15 chars",
	  .help = "DE42 (default SIMMERCHANT0001)" },
	{ .name = "mcc", .arg = "NNNN", .kind = SIM_OPT_DIGITS,
	  ARR(rs.de18), .min = 4, .why = "want 4 digits",
	  .help = "DE18, the merchant's category (default 5411)" },
	{ .name = "currency", .arg = "CCC", .kind = SIM_OPT_DIGITS,
	  ARR(rs.de49), .min = 3, .why = "want 3 digits",
	  .help = "DE49 (default 826)" },
	{ .name = "tick", .arg = "D", .kind = SIM_OPT_DURATION, AT(tick_ns),
	  .min = 10000, .why = "want >= 10us",
	  .help = "pacing timer period (default 100us)" },
	{ .name = "no-kernel-ts", .kind = SIM_OPT_CLEAR, AT(kernel_ts),
	  .help = "time answers when this process reads them, not\n"
	  "by the kernel's receive timestamp (the default,\n"
	  "so our own wake-up delay is not charged to the\n"
	  "gateway on a busy machine)" },
	{ .kind = SIM_OPT_HEADING, .help = "checks and report:" },
	{ .name = "expect", .arg = "LIST", .kind = SIM_OPT_STR,
	  AT(expect_list),
	  .help = "DE39 values that count as correct, comma\n"
	  "separated, or 'any' (default 00,05,51,91)" },
	{ .name = "timeout", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(timeout_ns), .min = 1, .why = "bad duration",
	  .help = "a request unanswered this long is an error\n"
	  "(default 2s)" },
	{ .name = "deadline", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(deadline_ns), .why = "bad duration",
	  .help = "count answers slower than D (e.g. 40ms)" },
	{ .name = "core-mark", .arg = "C", .kind = SIM_OPT_CHAR,
	  AT(core_mark), .why = "want one character",
	  .help = "approvals whose DE38 starts with C came from the\n"
	  "core (scheme-sim core marks its own; default C)" },
	{ .name = "answer-rc", .arg = "RC", .kind = SIM_OPT_FN,
	  .fn = set_answer_rc, .why = "want 2 characters",
	  .help = "DE39 for requests the gateway sends us (default 00)" },
	{ .name = "json", .arg = "FILE", .kind = SIM_OPT_STR, AT(json_path),
	  .help = "write the report as JSON too" },
	{ .name = "record-approvals", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(approvals_path),
	  .help = "append \"DE7 STAN RRN DE38\" per approval received" },
	{ .name = "record-answers", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(answers_path),
	  .help = "append \"DE7 STAN RRN DE39 DE38\" per answer to a\n"
	  "request (- for a field the answer lacks)" },
	{ .name = "progress", .kind = SIM_OPT_SET, AT(progress),
	  .help = "a line a second on stderr (default: on for\n"
	  "runs of 3 s or more)" },
	{ .name = "no-progress", .kind = SIM_OPT_CLEAR, AT(progress),
	  .help = "no progress lines" },
	{ .name = "phases", .arg = "NAMES", .kind = SIM_OPT_FN,
	  .fn = set_phases, .why = "want up to 16 names of [A-Za-z0-9_-]",
	  .help = "names for the report phases, comma separated;\n"
	  "SIGUSR1 starts the next phase" },
	SIM_OPT_VERBOSE_ROW,
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab scheme_optab = SIM_OPTAB("scheme-sim scheme",
"usage: scheme-sim scheme (--connect [NAME=]HOST:PORT [--connect ...] |\n"
"                          --listen ADDR:PORT) [options]\n"
"\n"
"Plays a scheme towards a gateway link: signs on, answers echoes and any\n"
"request the gateway sends, sends authorisation load and checks every\n"
"response (MTI = request + 10, 0110 for a repeated 0101 too; DE2 3 4 7\n"
"11 12 13 32 37 41 42 49 echoed; DE39 in --expect).  Prints a report;\n"
"exit 0 only if there were no errors (and no deadline misses when\n"
"--deadline is given).\n"
"\n", scheme_rows, 26);

void
sim_scheme_usage(void)
{
	sim_opts_usage(&scheme_optab);
}

static void
defaults(struct scheme *s)
{
	s->profile = "iso87";
	s->framing = "len2";
	s->expect_list = "00,05,51,91";
	s->conns_opt = 1;
	s->duration_ns = 5000000000ull;
	s->timeout_ns = 2000000000ull;
	s->tick_ns = 100000;
	s->connect_timeout_ns = 10000000000ull;
	s->signon = 1;
	s->kernel_ts = 1;
	s->progress = -1;
	s->core_mark = 'C';
	strcpy(s->answer_rc, "00");
	s->rs.amount = 1000;
	strcpy(s->rs.de32, "005037");
	strcpy(s->rs.de42, "SIMMERCHANT0001");
	strcpy(s->rs.de49, "826");
	strcpy(s->rs.de18, "5411");
}

static int
parse_expect(struct scheme *s, const char *list)
{
	char buf[256], *tok, *save;
	int idx;

	memset(s->expect, 0, sizeof s->expect);
	if (strcmp(list, "any") == 0) {
		memset(s->expect, 1, sizeof s->expect);
		return 0;
	}
	if (strlen(list) >= sizeof buf)
		return -1;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strlen(tok) != 2 || (idx = sim_rc_index(tok)) < 0)
			return -1;
		s->expect[idx] = 1;
	}
	return 0;
}

/* Step 1: the link (address, profile, framing, sign-on code). */
static int
check_link(struct scheme *s)
{
	int fk;

	if (s->addr.arg != NULL && s->ngws > 0) {
		fprintf(stderr, "scheme-sim scheme: --connect and --listen: "
		    "not both\n");
		return -1;
	}
	if (s->ngws > 0)
		s->addr = s->gws[0].addr;
	else if (s->addr.arg != NULL) {
		/* --listen: one appliance, named by the address */
		s->gws[0].addr = s->addr;
		snprintf(s->gws[0].name, sizeof s->gws[0].name, "%s",
		    s->addr.arg);
		s->ngws = 1;
	} else {
		fprintf(stderr, "scheme-sim scheme: --connect or --listen is "
		    "required\n");
		return -1;
	}
	if ((s->rs.prof = iso_profile_find(s->profile)) == NULL)
		return sim_opts_bad(&scheme_optab, "profile", s->profile,
		    iso_profile_names());
	if ((fk = frame_kind_parse(s->framing)) < 0)
		return sim_opts_bad(&scheme_optab, "framing", s->framing,
		    "want len2 or len4ascii");
	s->fr.kind = (uint8_t)fk;
	s->fr.hdrlen = 0;
	s->fr.max = ISO_BUF_MAX;
	if (s->frame_header != NULL) {
		size_t n = strlen(s->frame_header);

		if (n == 0 || n % 2 != 0 || n / 2 > sizeof s->frame_hdr ||
		    hex_decode_exact(s->frame_header, n, s->frame_hdr,
		    n / 2) == -1)
			return sim_opts_bad(&scheme_optab, "frame-header",
			    s->frame_header, "want 2 to 64 hex digits");
		s->fr.hdrlen = (uint16_t)(n / 2);
		s->fr.hdr = s->frame_hdr;
	}
	if (parse_expect(s, s->expect_list) == -1)
		return sim_opts_bad(&scheme_optab, "expect", s->expect_list,
		    "want RC,RC,... or any");
	if (s->signon_code[0] == '\0')
		strcpy(s->signon_code, strncmp(s->profile, "mastercard",
		    10) == 0 ? "061" : "001");
	if (s->conns_opt * (uint64_t)s->ngws > MAX_CONNS) {
		char n[24];

		snprintf(n, sizeof n, "%llu", (unsigned long long)s->conns_opt);
		return sim_opts_bad(&scheme_optab, "conns", n,
		    "at most 32 to each of two appliances");
	}
	s->nconns = (int)s->conns_opt * s->ngws;
	return 0;
}

/* Step 2: the load (MTI, in-flight window, end, amounts). */
static int
check_load(struct scheme *s)
{
	const char *mti = s->mti;

	if (mti == NULL)
		mti = strcmp(s->profile, "fps") == 0 ? "0200" : "0100";
	if (strlen(mti) != 4 || strspn(mti, "0123456789") != 4 ||
	    mti[2] % 2 != 0)
		return sim_opts_bad(&scheme_optab, "mti", mti,
		    "want a 4-digit request MTI");
	strcpy(s->rs.mti, mti);
	if (s->inflight_cap == 0)	/* not given */
		s->inflight_cap = s->rate ? 1u << 19 : 64;
	s->refill_batch = s->inflight_cap / 8 > 8 ? s->inflight_cap / 8 : 8;
	if (s->refill_batch > s->inflight_cap)
		s->refill_batch = s->inflight_cap;
	if (s->count == 0 && s->duration_ns == 0)
		return sim_opts_bad(&scheme_optab, "duration", "0",
		    "give --duration or --count");
	if (s->progress < 0)
		s->progress = s->duration_ns >= 3000000000ull;
	/* Amount plus step must stay within n12. */
	if (s->rs.amount + 9 * s->rs.amount_step > 999999999999ull)
		return sim_opts_bad(&scheme_optab, "amount-step", "",
		    "amounts exceed 12 digits");
	return 0;
}

/* A --record-* file, appended to and line-buffered (it survives the
 * gateway's crash tests); nothing when path is NULL.  0 or -1 (said). */
static int
record_open(const char *path, FILE **f)
{
	if (path == NULL)
		return 0;
	if ((*f = fopen(path, "a")) == NULL) {
		fprintf(stderr, "scheme-sim scheme: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	setvbuf(*f, NULL, _IOLBF, 0);
	return 0;
}

/* Step 3: the request fields, the cards, the records. */
static int
make_requests(struct scheme *s)
{
	char err[256];

	s->rs.emv = strncmp(s->profile, "mastercard", 10) == 0;
	strcpy(s->rs.de3, "000000");
	strcpy(s->rs.de22, s->rs.emv ? "051" : "012");
	if (s->pin && s->portfolio_path == NULL)
		return sim_opts_bad(&scheme_optab, "pin", "",
		    "needs --portfolio");
	if (s->rs.entry != 0 && s->portfolio_path == NULL)
		return sim_opts_bad(&scheme_optab, "entry", "",
		    "needs --portfolio");
	if (s->portfolio_path != NULL && s->cards_path != NULL)
		return sim_opts_bad(&scheme_optab, "portfolio",
		    s->portfolio_path, "not with --cards");
	if (s->portfolio_path != NULL) {
		if (sim_vcards_load(s->portfolio_path, &s->cards, &s->vcards,
		    &s->arqc_key, s->zpk_cur, err, sizeof err) == -1) {
			fprintf(stderr, "scheme-sim scheme: --portfolio %s\n",
			    err);
			return -1;
		}
		s->rs.vcards = s->vcards;
		s->rs.arqc_key = s->arqc_key;
		if (s->pin) {
			if (s->zpk_path != NULL &&
			    scheme_key_file(s->zpk_path, s->zpk_cur) == -1)
				return sim_opts_bad(&scheme_optab, "zpk",
				    s->zpk_path, "want 32 hex digits");
			if (hsm_des_init(&s->pin_zpk, s->zpk_cur, 16) == -1)
				return -1;
			s->rs.pin_zpk = &s->pin_zpk;
		}
		if (s->rs.entry == 0)
			s->rs.entry = SIM_ENTRY_MIX;
	} else if (s->cards_path != NULL) {
		if (sim_cards_load(&s->cards, s->cards_path, err, sizeof err)) {
			fprintf(stderr, "scheme-sim scheme: --cards %s\n", err);
			return -1;
		}
	} else if (sim_cards_builtin(&s->cards) == -1)
		return -1;
	s->rs.cards = &s->cards;
	snprintf(s->rs.rrn_prefix, sizeof s->rs.rrn_prefix, "%04u", (unsigned)
	    ((sim_wall_us() / 1000000u + (uint64_t)getpid()) % 10000));
	if (record_open(s->approvals_path, &s->approvals) == -1 ||
	    record_open(s->answers_path, &s->answers) == -1)
		return -1;
	return 0;
}

int
scheme_opts(struct scheme *s, int argc, char **argv)
{
	int first;

	defaults(s);
	if (sim_opts_parse(&scheme_optab, s, argc, argv, &first) == -1)
		return -1;
	if (first != argc) {
		fprintf(stderr, "scheme-sim scheme: unexpected argument %s\n",
		    argv[first]);
		return -1;
	}
	if (check_link(s) == -1 || check_load(s) == -1 ||
	    make_requests(s) == -1)
		return -1;
	return 0;
}
