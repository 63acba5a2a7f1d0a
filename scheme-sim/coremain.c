/*
 * coremain.c — the options of `scheme-sim core` (one table parses them
 * and prints --help) and its entry; the work is in coresim.c (core link,
 * UDP) and coretcp.c (--tcp).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/iso8583.h"
#include "scheme-sim/coremain.h"
#include "scheme-sim/coreopts.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/parse.h"
#include "tunnel/seal.h"

#define AT(f)	.off = offsetof(struct sim_core_opts, f)
#define ARR(f)	AT(f), .max = sizeof(((struct sim_core_opts *)0)->f)

static int
set_key(void *o, const char *arg, char *why, size_t whysz)
{
	return seal_keyring_add_file(&((struct sim_core_opts *)o)->keys, arg,
	    why, whysz);
}

static int
set_outreq(void *v, const char *arg, char *why, size_t whysz)
{
	struct sim_core_opts *o = v;
	const char *colon = strchr(arg, ':');

	if (o->noutreq == SIM_MAX_OUTREQ) {
		snprintf(why, whysz, "at most %d of them", SIM_MAX_OUTREQ);
		return -1;
	}
	if (colon == NULL || colon == arg ||
	    (size_t)(colon - arg) >= sizeof o->outreq[0].link ||
	    colon[1] == '\0')
		return -1;
	memcpy(o->outreq[o->noutreq].link, arg, (size_t)(colon - arg));
	o->outreq[o->noutreq].file = colon + 1;
	o->noutreq++;
	return 0;
}

static int
set_decline_pan(void *o, const char *arg, char *why, size_t whysz)
{
	return sim_rules_add_pans(&((struct sim_core_opts *)o)->rules, arg,
	    why, whysz);
}

static int
set_delay(void *o, const char *arg, char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return sim_delay_parse(&((struct sim_core_opts *)o)->delay, arg);
}

static int
set_drop(void *o, const char *arg, char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return sim_parse_prob(arg, &((struct sim_core_opts *)o)->drop);
}

/* Checked now, moved once a gateway is heard (coreshare.c). */
static int
set_share(void *v, const char *arg, char *why, size_t whysz)
{
	struct core_move m;

	if (core_share_parse(arg, &m, why, whysz) == -1)
		return -1;
	((struct sim_core_opts *)v)->share = arg;
	return 0;
}

#define DELAY_WHY "want D, uniform:MIN:MAX, normal:MEAN:SD or exp:MEAN"

static const struct sim_opt core_opts[] = {
	{ .kind = SIM_OPT_HEADING, .help = "core link:" },
	{ .name = "listen", .arg = "ADDR:PORT", .kind = SIM_OPT_ADDR,
	  AT(addr), .val = CORE_UDP, .why = "want a numeric ADDR:PORT",
	  .help = "UDP address (default port 6080)" },
	{ .name = "key", .arg = "FILE", .kind = SIM_OPT_FN, .fn = set_key,
	  .help = "base64 32-byte key, repeatable: the first seals,\n"
	  "all open (rotation); mode 0600 like gatewayd's" },
	{ .name = "cards", .arg = "FILE", .kind = SIM_OPT_STR, AT(cards_path),
	  .help = "push this portfolio (scheme-sim cards generate)\n"
	  "as SNAPSHOT frames until acknowledged" },
	{ .name = "snapshot-version", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(snap_version), .min = 1, .why = "want a number > 0",
	  .help = "version of the first SNAPSHOT frame, the next\n"
	  "ones counting up (default: the clock in ms)" },
	{ .name = "record", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(record_path),
	  .help = "append one JSON line per ADVICE (advice id,\n"
	  "dup flag, link, MTI, masked PAN, amount, DE39,\n"
	  "stand-in DE39 and reason...) and per OUT_RESPONSE" },
	{ .name = "share", .arg = "NAME=PCT,...", .kind = SIM_OPT_FN,
	  .fn = set_share,
	  .help = "once a gateway is heard, move the stand-in\n"
	  "budget shares to these (SHARE frames: lower\n"
	  "first, then raise; doc/scheme-sim.md)" },
	{ .name = "out-request", .arg = "LINK:FILE", .kind = SIM_OPT_FN,
	  .fn = set_outreq, .why = "want LINK:FILE",
	  .help = "send the message in FILE (iso8583 CLI JSON:\n"
	  "{\"mti\":..,\"fields\":{..}}) to the gateway link\n"
	  "LINK once the gateway is heard; repeatable,\n"
	  "up to 256 (each its own DE11, as the gateway\n"
	  "matches answers by DE11 and DE7)" },
	{ .name = "out-on-command", .kind = SIM_OPT_SET, AT(out_on_cmd),
	  .help = "send the OUT_REQUESTs only on the control\n"
	  "socket's out-request command" },
	{ .name = "out-every", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(out_every_ns), .why = "bad duration",
	  .help = "resend the OUT_REQUESTs every D" },
	{ .name = "out-profile", .arg = "P", .kind = SIM_OPT_STR,
	  AT(out_profile),
	  .help = "profile for reading those files (default iso87)" },
	{ .kind = SIM_OPT_HEADING, .help = "decisions (both modes):" },
	{ .name = "decline-over", .arg = "N", .kind = SIM_OPT_COUNT,
	  AT(rules.decline_over), .why = "want minor units",
	  .help = "amount (DE4, minor units) over N: DE39 51" },
	{ .name = "decline-pan", .arg = "PAN|FILE", .kind = SIM_OPT_FN,
	  .fn = set_decline_pan,
	  .help = "PAN on the list: DE39 05 (repeatable)" },
	{ .name = "rc", .arg = "RC", .kind = SIM_OPT_TEXT, ARR(force_rc),
	  .min = 2, .why = "want 2 characters",
	  .help = "answer every request with RC" },
	{ .name = "core-mark", .arg = "C", .kind = SIM_OPT_CHAR,
	  AT(rules.mark), .why = "want one character",
	  .help = "first character of the DE38 approval code\n"
	  "(default C; scheme-sim scheme counts those\n"
	  "approvals as the core's)" },
	{ .kind = SIM_OPT_HEADING, .help = "faults (core link):" },
	{ .name = "delay", .arg = "D", .kind = SIM_OPT_FN, .fn = set_delay,
	  .why = DELAY_WHY,
	  .help = "answer AUTH_REQUESTs after D (e.g. 5ms)" },
	{ .name = "delay-dist", .arg = "DIST", .kind = SIM_OPT_FN,
	  .fn = set_delay, .why = DELAY_WHY,
	  .help = "uniform:MIN:MAX | normal:MEAN:SD | exp:MEAN" },
	{ .name = "drop", .arg = "P", .kind = SIM_OPT_FN, .fn = set_drop,
	  .why = "want 0..1",
	  .help = "drop data frames with probability P (0..1);\n"
	  "heartbeats are not dropped" },
	{ .name = "blackhole-after", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(blackhole_after_ns), .min = 1, .why = "bad duration",
	  .help = "stop answering anything (heartbeats too) D\n"
	  "after start; SIGUSR1 toggles, SIGUSR2 restores" },
	{ .name = "blackhole-for", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(blackhole_for_ns), .why = "bad duration",
	  .help = "... and come back D later" },
	{ .name = "seed", .arg = "N", .kind = SIM_OPT_COUNT, AT(seed),
	  .why = "want a number",
	  .help = "random seed for --drop and --delay-dist" },
	{ .name = "control", .arg = "PATH", .kind = SIM_OPT_STR,
	  AT(control_path),
	  .help = "unix socket taking fault commands while running\n"
	  "(blackhole, delay, drop, rc, advice-ack, snapshot,\n"
	  "restart, mark, counters, out-request, share;\n"
	  "scheme-sim run's core steps)" },
	{ .kind = SIM_OPT_HEADING, .help = "plain ISO 8583 peer:" },
	{ .name = "tcp", .arg = "ADDR:PORT", .kind = SIM_OPT_ADDR, AT(addr),
	  .val = CORE_TCP, .why = "want a numeric ADDR:PORT",
	  .help = "listen for TCP instead of the core link" },
	{ .name = "profile", .arg = "P", .kind = SIM_OPT_STR, AT(profile),
	  .help = "iso87 | iso87hex | mastercard | fps (default iso87)" },
	{ .name = "framing", .arg = "F", .kind = SIM_OPT_STR, AT(framing),
	  .help = "len2 | len4ascii (default len2)" },
	{ .kind = SIM_OPT_HEADING, .help = "common:" },
	{ .name = "duration", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(duration_ns), .why = "bad duration", .help = "exit after D" },
	{ .name = "json", .arg = "FILE", .kind = SIM_OPT_STR, AT(json_path),
	  .help = "counters as JSON at exit" },
	{ .letter = 'q', .kind = SIM_OPT_SET, AT(quiet),
	  .help = "no summary on stdout" },
	SIM_OPT_VERBOSE_ROW,
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab core_optab = SIM_OPTAB("scheme-sim core",
"usage: scheme-sim core --listen ADDR:PORT --key FILE [--key FILE ...] "
    "[options]\n"
"       scheme-sim core --tcp ADDR:PORT [--profile P] [--framing F] [options]\n"
"\n"
"Plays the bank's cloud core on the core link (UDP, GUE, sealed frames;\n"
"ARCHITECTURE section 4): answers AUTH_REQUEST, HEARTBEAT (with\n"
"HEARTBEAT_ACK) and ADVICE (with ADVICE_ACK, recorded), and sends\n"
"OUT_REQUESTs.  A pair of gateways is kept apart: advices known by the\n"
"gateway that made them, snapshots acked by each, SHARE moves (--share).\n"
"With --tcp it is instead a plain framed ISO 8583 peer that\n"
"answers requests itself (the bare-relay floor behind haproxy).\n"
"Runs until SIGINT/SIGTERM (or --duration), then prints its counters.\n"
"\n", core_opts, 28);

void
sim_core_usage(void)
{
	sim_opts_usage(&core_optab);
}

/* What one option says of another, and the profile and framing. */
static int
check(struct sim_core_opts *o, int argc, char **argv, int first)
{
	int fk;

	if (first != argc) {
		fprintf(stderr, "scheme-sim core: unexpected argument %s\n",
		    argv[first]);
		return -1;
	}
	if (o->addr.arg == NULL) {
		fprintf(stderr, "scheme-sim core: --listen or --tcp is "
		    "required\n");
		return -1;
	}
	if (o->addr.how == CORE_UDP && o->keys.n == 0) {
		fprintf(stderr, "scheme-sim core: --key is required on the "
		    "core link (%s)\n", o->addr.arg);
		return -1;
	}
	if (o->out_profile != NULL && iso_profile_find(o->out_profile) == NULL)
		return sim_opts_bad(&core_optab, "out-profile", o->out_profile,
		    iso_profile_names());
	if ((o->prof = iso_profile_find(o->profile)) == NULL)
		return sim_opts_bad(&core_optab, "profile", o->profile,
		    iso_profile_names());
	if ((fk = frame_kind_parse(o->framing)) < 0)
		return sim_opts_bad(&core_optab, "framing", o->framing,
		    "want len2 or len4ascii");
	o->fr.kind = (uint8_t)fk;
	o->fr.max = ISO_BUF_MAX;
	if (o->force_rc[0] != '\0')
		o->rules.force_rc = o->force_rc;
	return 0;
}

int
sim_core_main(int argc, char **argv)
{
	struct sim_core_opts *o;
	int first, rc = 2;

	if ((o = calloc(1, sizeof *o)) == NULL)
		return 2;
	seal_keyring_init(&o->keys);
	sim_rules_init(&o->rules);
	o->profile = "iso87";
	o->framing = "len2";
	/*
	 * Every sealed frame takes a fresh 24-byte nonce.  libsodium's default
	 * generator makes one getrandom(2) call per nonce (5% of the
	 * simulator's time at 50k frames/s); its internal generator is a
	 * ChaCha20 stream seeded from the kernel, as good for nonces.
	 */
	randombytes_set_implementation(&randombytes_internal_implementation);
	if (seal_init() == 0 &&
	    sim_opts_parse(&core_optab, o, argc, argv, &first) == 0 &&
	    check(o, argc, argv, first) == 0)
		rc = o->addr.how == CORE_TCP ? sim_coretcp_run(o) :
		    sim_coreudp_run(o);
	seal_keyring_clear(&o->keys);
	sim_rules_free(&o->rules);
	free(o);
	return rc;
}
