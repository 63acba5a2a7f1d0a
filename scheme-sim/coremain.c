/*
 * coremain.c — option parsing and help for `scheme-sim core`; the work is
 * in coresim.c (core link, UDP) and coretcp.c (--tcp).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/iso8583.h"
#include "base/log.h"
#include "scheme-sim/coremain.h"
#include "scheme-sim/coreopts.h"
#include "scheme-sim/parse.h"
#include "tunnel/seal.h"

void
sim_core_usage(void)
{
	fprintf(stderr,
"usage: scheme-sim core --listen ADDR:PORT --key FILE [--key FILE ...] [options]\n"
"       scheme-sim core --tcp ADDR:PORT [--profile P] [--framing F] [options]\n"
"\n"
"Plays the bank's cloud core on the core link (UDP, GUE, sealed frames;\n"
"ARCHITECTURE section 4): answers AUTH_REQUEST, HEARTBEAT (with\n"
"HEARTBEAT_ACK) and ADVICE (with ADVICE_ACK, recorded), and sends\n"
"OUT_REQUESTs.  With --tcp it is instead a plain framed ISO 8583 peer that\n"
"answers requests itself (the bare-relay floor behind haproxy).\n"
"Runs until SIGINT/SIGTERM (or --duration), then prints its counters.\n"
"\n"
"core link:\n"
"  --listen ADDR:PORT        UDP address (default port 6080)\n"
"  --key FILE                base64 32-byte key, repeatable: the first seals,\n"
"                            all open (rotation); mode 0600 like gatewayd's\n"
"  --cards FILE              push this portfolio (scheme-sim cards generate)\n"
"                            as SNAPSHOT frames until acknowledged\n"
"  --record FILE             append one JSON line per ADVICE (advice id,\n"
"                            dup flag, link, MTI, masked PAN, amount, DE39,\n"
"                            stand-in DE39 and reason...) and per OUT_RESPONSE\n"
"  --out-request LINK:FILE   send the message in FILE (iso8583 CLI JSON:\n"
"                            {\"mti\":..,\"fields\":{..}}) to the gateway link\n"
"                            LINK once the gateway is heard; repeatable\n"
"  --out-every D             resend the OUT_REQUESTs every D\n"
"  --out-profile P           profile for reading those files (default iso87)\n"
"decisions (both modes):\n"
"  --decline-over N          amount (DE4, minor units) over N: DE39 51\n"
"  --decline-pan PAN|FILE    PAN on the list: DE39 05 (repeatable)\n"
"  --rc RC                   answer every request with RC\n"
"  --core-mark C             first character of the DE38 approval code\n"
"                            (default C; scheme-sim scheme counts those\n"
"                            approvals as the core's)\n"
"faults (core link):\n"
"  --delay D                 answer AUTH_REQUESTs after D (e.g. 5ms)\n"
"  --delay-dist DIST         uniform:MIN:MAX | normal:MEAN:SD | exp:MEAN\n"
"  --drop P                  drop data frames with probability P (0..1);\n"
"                            heartbeats are not dropped\n"
"  --blackhole-after D       stop answering anything (heartbeats too) D\n"
"                            after start; SIGUSR1 toggles, SIGUSR2 restores\n"
"  --blackhole-for D         ... and come back D later\n"
"  --seed N                  random seed for --drop and --delay-dist\n"
"plain ISO 8583 peer:\n"
"  --tcp ADDR:PORT           listen for TCP instead of the core link\n"
"  --profile P               iso87 | iso87hex | mastercard | fps (default iso87)\n"
"  --framing F               len2 | len4ascii (default len2)\n"
"common:\n"
"  --duration D              exit after D\n"
"  --json FILE               counters as JSON at exit\n"
"  -q                        no summary on stdout\n"
"  -v                        more logging\n"
"  -h, --help                this text\n");
}

enum {
	O_LISTEN = 256, O_KEY, O_RECORD, O_OUTREQ, O_OUTEVERY, O_OUTPROF,
	O_DECLOVER, O_DECLPAN, O_RC, O_MARK, O_DELAY, O_DELAYDIST, O_DROP,
	O_BHAFTER, O_BHFOR, O_SEED, O_TCP, O_PROFILE, O_FRAMING, O_DURATION,
	O_JSON, O_CARDS
};

static const struct option core_opts[] = {
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "key", required_argument, NULL, O_KEY },
	{ "record", required_argument, NULL, O_RECORD },
	{ "out-request", required_argument, NULL, O_OUTREQ },
	{ "out-every", required_argument, NULL, O_OUTEVERY },
	{ "out-profile", required_argument, NULL, O_OUTPROF },
	{ "decline-over", required_argument, NULL, O_DECLOVER },
	{ "decline-pan", required_argument, NULL, O_DECLPAN },
	{ "rc", required_argument, NULL, O_RC },
	{ "core-mark", required_argument, NULL, O_MARK },
	{ "delay", required_argument, NULL, O_DELAY },
	{ "delay-dist", required_argument, NULL, O_DELAYDIST },
	{ "drop", required_argument, NULL, O_DROP },
	{ "blackhole-after", required_argument, NULL, O_BHAFTER },
	{ "blackhole-for", required_argument, NULL, O_BHFOR },
	{ "seed", required_argument, NULL, O_SEED },
	{ "tcp", required_argument, NULL, O_TCP },
	{ "profile", required_argument, NULL, O_PROFILE },
	{ "framing", required_argument, NULL, O_FRAMING },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "json", required_argument, NULL, O_JSON },
	{ "cards", required_argument, NULL, O_CARDS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "scheme-sim core: --%s %s: %s\n", opt, val, why);
	return 2;
}

int
sim_core_main(int argc, char **argv)
{
	struct sim_core_opts *o;
	const char *profile = "iso87", *framing = "len2", *addr = NULL, *colon;
	static char rcbuf[3];
	char err[256];
	int ch, fk, rc, have_listen = 0;

	if ((o = calloc(1, sizeof *o)) == NULL)
		return 2;
	seal_keyring_init(&o->keys);
	sim_rules_init(&o->rules);
	/*
	 * Every sealed frame takes a fresh 24-byte nonce.  libsodium's default
	 * generator makes one getrandom(2) call per nonce (5% of the
	 * simulator's time at 50k frames/s); its internal generator is a
	 * ChaCha20 stream seeded from the kernel, as good for nonces.
	 */
	randombytes_set_implementation(&randombytes_internal_implementation);
	if (seal_init() == -1) {
		free(o);
		return 2;
	}
	optind = 1;
	rc = 0;
	while (rc == 0 &&
	    (ch = getopt_long(argc, argv, "hqv", core_opts, NULL)) != -1) {
		switch (ch) {
		case O_LISTEN:
		case O_TCP:
			addr = optarg;
			o->tcp = ch == O_TCP;
			have_listen = 1;
			if (sim_parse_addr(optarg, &o->addr, &o->addrlen) == -1)
				rc = bad(ch == O_TCP ? "tcp" : "listen", optarg,
				    "want a numeric ADDR:PORT");
			break;
		case O_KEY:
			if (seal_keyring_add_file(&o->keys, optarg, err,
			    sizeof err) == -1)
				rc = bad("key", optarg, err);
			break;
		case O_RECORD:
			o->record_path = optarg;
			break;
		case O_CARDS:
			o->cards_path = optarg;
			break;
		case O_OUTREQ:
			colon = strchr(optarg, ':');
			if (colon == NULL || colon == optarg ||
			    (size_t)(colon - optarg) >= sizeof o->outreq[0].link ||
			    colon[1] == '\0' || o->noutreq == SIM_MAX_OUTREQ) {
				rc = bad("out-request", optarg, "want LINK:FILE");
				break;
			}
			memcpy(o->outreq[o->noutreq].link, optarg,
			    (size_t)(colon - optarg));
			o->outreq[o->noutreq].file = colon + 1;
			o->noutreq++;
			break;
		case O_OUTEVERY:
			if (sim_parse_duration(optarg, &o->out_every_ns) == -1)
				rc = bad("out-every", optarg, "bad duration");
			break;
		case O_OUTPROF:
			o->out_profile = optarg;
			if (iso_profile_find(optarg) == NULL)
				rc = bad("out-profile", optarg, iso_profile_names());
			break;
		case O_DECLOVER:
			if (sim_parse_count(optarg, &o->rules.decline_over) == -1)
				rc = bad("decline-over", optarg, "want minor units");
			break;
		case O_DECLPAN:
			if (sim_rules_add_pans(&o->rules, optarg, err,
			    sizeof err) == -1)
				rc = bad("decline-pan", "", err);
			break;
		case O_RC:
			if (strlen(optarg) != 2) {
				rc = bad("rc", optarg, "want 2 characters");
				break;
			}
			memcpy(rcbuf, optarg, 3);
			o->rules.force_rc = rcbuf;
			break;
		case O_MARK:
			if (strlen(optarg) != 1)
				rc = bad("core-mark", optarg, "want one character");
			else
				o->rules.mark = optarg[0];
			break;
		case O_DELAY:
		case O_DELAYDIST:
			if (sim_delay_parse(&o->delay, optarg) == -1)
				rc = bad(ch == O_DELAY ? "delay" : "delay-dist",
				    optarg, "want D, uniform:MIN:MAX, "
				    "normal:MEAN:SD or exp:MEAN");
			break;
		case O_DROP:
			if (sim_parse_prob(optarg, &o->drop) == -1)
				rc = bad("drop", optarg, "want 0..1");
			break;
		case O_BHAFTER:
			if (sim_parse_duration(optarg, &o->blackhole_after_ns) ||
			    o->blackhole_after_ns == 0)
				rc = bad("blackhole-after", optarg, "bad duration");
			break;
		case O_BHFOR:
			if (sim_parse_duration(optarg, &o->blackhole_for_ns))
				rc = bad("blackhole-for", optarg, "bad duration");
			break;
		case O_SEED:
			if (sim_parse_count(optarg, &o->seed) == -1)
				rc = bad("seed", optarg, "want a number");
			break;
		case O_PROFILE:
			profile = optarg;
			break;
		case O_FRAMING:
			framing = optarg;
			break;
		case O_DURATION:
			if (sim_parse_duration(optarg, &o->duration_ns) == -1)
				rc = bad("duration", optarg, "bad duration");
			break;
		case O_JSON:
			o->json_path = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			log_setverbose(1);
			break;
		case 'h':
			sim_core_usage();
			exit(0);
		default:
			sim_core_usage();
			rc = 2;
		}
	}
	if (rc == 0 && optind != argc) {
		fprintf(stderr, "scheme-sim core: unexpected argument %s\n",
		    argv[optind]);
		rc = 2;
	}
	if (rc == 0 && !have_listen) {
		fprintf(stderr, "scheme-sim core: --listen or --tcp is required\n");
		rc = 2;
	}
	if (rc == 0 && !o->tcp && o->keys.n == 0) {
		fprintf(stderr, "scheme-sim core: --key is required on the core "
		    "link (%s)\n", addr);
		rc = 2;
	}
	if (rc == 0 && (o->prof = iso_profile_find(profile)) == NULL)
		rc = bad("profile", profile, iso_profile_names());
	if (rc == 0 && (fk = frame_kind_parse(framing)) < 0)
		rc = bad("framing", framing, "want len2 or len4ascii");
	else if (rc == 0) {
		o->fr.kind = (uint8_t)fk;
		o->fr.max = ISO_BUF_MAX;
	}
	if (rc == 0)
		rc = o->tcp ? sim_coretcp_run(o) : sim_coreudp_run(o);
	seal_keyring_clear(&o->keys);
	sim_rules_free(&o->rules);
	free(o);
	return rc;
}
