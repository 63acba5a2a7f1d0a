/*
 * hsmctl — LMK administration and key forming for hsmd.
 *
 * The only place clear keys are accepted: on the command line (tests),
 * from stdin ("--clear -"), or as components entered separately by
 * custodians. Output is always a key block under the LMK plus its check
 * value.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "hsm/des.h"
#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "hsm/keyblock.h"
#include "hsm/lmk.h"
#include "base/log.h"

static const char usage_text[] =
    "usage: hsmctl lmk init --out FILE [--passphrase-file F] [--force]\n"
    "       hsmctl lmk check FILE [--passphrase-file F]\n"
    "       hsmctl key form --lmk FILE [--passphrase-file F] --type TYPE\n"
    "                       (--clear HEX|- | --components N)\n"
    "                       [--adjust-parity | --no-parity-check]\n"
    "                       [--usage XX] [--mode M] [--exportability E]\n"
    "       hsmctl key generate --lmk FILE [--passphrase-file F] --type TYPE\n"
    "                       [--length 8|16|24]\n"
    "       hsmctl diag --hsm unix:PATH|tcp:HOST:PORT [--timeout MS]\n"
    "\n"
    "lmk init     create an AES-256 LMK; sealed under the passphrase in F\n"
    "             (Argon2id), or unsealed (mode 0600) without: tests only,\n"
    "             with HSM_INSECURE_TEST_LMK=1 in the environment (also\n"
    "             needed to read an unsealed LMK).\n"
    "lmk check    print the LMK check value (the one hsmd's NC returns).\n"
    "key form     wrap a clear key (or the XOR of N components, each read\n"
    "             as one hex line from stdin) under the LMK; prints\n"
    "             'S<key block> <KCV>'.\n"
    "key generate the same with a random key.\n"
    "diag         ask a running hsmd or payShield for NC diagnostics.\n"
    "\n"
    "TYPE (usage, mode of use): CVK (C0,V) PVK (V0,V: PVV and IBM offset)\n"
    "  PVK-IBM (V1,V) PVK-VISA (V2,V) TPK ZPK (P0,B) ZMK (K0,B)\n"
    "  MK-AC (E0,X) TAK ZAK (M3,C: ISO 9797-1 alg. 3) TAK1 (M1,C: alg. 1)\n"
    "Mode V keys only verify: hsmd refuses CW with them (error A8).\n"
    "--mode C forms a CVK that can also generate (CW), for card issuing.\n"
    "hsmctl works on the LMK file itself and needs no hsmd; only diag\n"
    "talks to one (NC, served by every listener).\n"
    "The passphrase of a sealed LMK may also come from\n"
    "$CREDENTIALS_DIRECTORY/lmk-passphrase.\n";

static const struct {
	const char	*name;
	const char	*usage;
	char		 mode;
	char		 exportability;
} types[] = {
	{ "CVK", "C0", 'V', 'N' },
	{ "PVK", "V0", 'V', 'N' },
	{ "PVK-IBM", "V1", 'V', 'N' },
	{ "PVK-VISA", "V2", 'V', 'N' },
	{ "TPK", "P0", 'B', 'E' },
	{ "ZPK", "P0", 'B', 'E' },
	{ "ZMK", "K0", 'B', 'E' },
	{ "MK-AC", "E0", 'X', 'N' },
	{ "TAK", "M3", 'C', 'E' },
	{ "ZAK", "M3", 'C', 'E' },
	{ "TAK1", "M1", 'C', 'E' },
};

struct opts {
	const char	*out, *ppfile, *lmk, *type, *clear, *usage, *hsm;
	const char	*mode, *exportability;
	int		 components, adjust, noparity, force, length;
	long		 timeout;
};

static char *
passphrase(const char *ppfile, size_t *len)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	char *pp;

	if (ppfile == NULL && creds != NULL) {
		snprintf(path, sizeof path, "%s/lmk-passphrase", creds);
		if (access(path, R_OK) == 0)
			ppfile = path;
	}
	if (ppfile == NULL)
		return NULL;
	if ((pp = lmk_read_passphrase(ppfile, len)) == NULL)
		fatal("passphrase-file=%s", ppfile);
	return pp;
}

/*
 * An unsealed LMK is for tests only: hsmctl makes or reads one only when
 * the environment says HSM_INSECURE_TEST_LMK=1 (the test scripts set it,
 * and the tools they run, such as scheme-sim's portfolio generator, pass
 * it on), and says so on stderr every time.
 */
static void
insecure_ok(const char *path)
{
	const char *e = getenv("HSM_INSECURE_TEST_LMK");

	if (e == NULL || strcmp(e, "1") != 0)
		fatalx("lmk=%s msg=\"the LMK is not sealed: seal it "
		    "(--passphrase-file) or, in a test, set "
		    "HSM_INSECURE_TEST_LMK=1\"", path);
	log_warnx("event=insecure-test-lmk lmk=%s msg=\"UNSEALED LMK "
	    "(HSM_INSECURE_TEST_LMK=1): for tests only\"", path);
}

static struct lmk *
open_lmk(const char *path, const char *ppfile)
{
	char *pp = NULL;
	size_t pplen = 0;
	struct lmk *l;
	int sealed;

	if (path == NULL)
		fatalx("msg=\"--lmk FILE is required\"");
	if ((sealed = lmk_file_sealed(path)) == -1)
		fatalx("lmk=%s msg=\"unreadable or not an LMK file\"", path);
	if (sealed && (pp = passphrase(ppfile, &pplen)) == NULL)
		fatalx("lmk=%s msg=\"sealed: give --passphrase-file\"", path);
	if (!sealed)
		insecure_ok(path);
	l = lmk_load(path, pp, pplen);
	if (pp)
		sodium_free(pp);
	if (l == NULL)
		exit(1);
	return l;
}

static int
lmk_init_cmd(const struct opts *o)
{
	struct lmk *l;
	char *pp = NULL, kcv[LMK_KCV_HEX + 1];
	size_t pplen = 0;

	if (o->out == NULL)
		fatalx("msg=\"--out FILE is required\"");
	if (!o->force && access(o->out, F_OK) == 0)
		fatalx("out=%s msg=\"exists; --force to replace it\"", o->out);
	if (o->ppfile != NULL &&
	    (pp = lmk_read_passphrase(o->ppfile, &pplen)) == NULL)
		fatal("passphrase-file=%s", o->ppfile);
	if (o->ppfile == NULL)
		insecure_ok(o->out);
	if ((l = lmk_generate()) == NULL)
		fatalx("msg=\"cannot generate\"");
	if (lmk_save(l, o->out, pp, pplen) == -1)
		fatal("out=%s", o->out);
	lmk_check_value(l, kcv);
	printf("%s\n", kcv);
	lmk_free(l);
	if (pp)
		sodium_free(pp);
	return 0;
}

static int
lmk_check_cmd(const char *path, const struct opts *o)
{
	struct lmk *l = open_lmk(path, o->ppfile);
	char kcv[LMK_KCV_HEX + 1];

	lmk_check_value(l, kcv);
	printf("%s\n", kcv);
	lmk_free(l);
	return 0;
}

/* One hex line from stdin into key (sodium memory); returns its length. */
static size_t
read_hex_line(uint8_t *key, size_t max)
{
	char *line = sodium_malloc(256);
	size_t n = 0, i;
	int c;

	if (line == NULL)
		fatalx("msg=\"out of memory\"");
	while ((c = getchar()) != EOF && c != '\n')
		if (c != ' ' && c != '\r' && n < 255)
			line[n++] = (char)c;
	if (n % 2 != 0 || n / 2 > max || n == 0 ||
	    hex_decode_exact(line, n, key, n / 2) == -1)
		n = 0;
	for (i = 0; i < 256; i++)
		line[i] = 0;
	sodium_free(line);
	return n / 2;
}

static int
key_cmd(const struct opts *o, int generate)
{
	uint8_t *key, *comp, kcv[8];
	char hdr[KB_HDR_LEN + 1], blk[256], kcvhex[7];
	struct lmk *l;
	size_t i, j, keylen = 0, n;
	int t;

	if (o->type == NULL)
		fatalx("msg=\"--type TYPE is required\"");
	for (t = 0; t < (int)(sizeof types / sizeof types[0]); t++)
		if (strcasecmp(types[t].name, o->type) == 0)
			break;
	if (t == (int)(sizeof types / sizeof types[0]))
		fatalx("type=%s msg=\"unknown key type\"", o->type);
	if ((key = sodium_malloc(KB_MAX_KEY)) == NULL ||
	    (comp = sodium_malloc(KB_MAX_KEY)) == NULL)
		fatalx("msg=\"out of memory\"");
	l = open_lmk(o->lmk, o->ppfile);

	if (generate) {
		keylen = o->length ? (size_t)o->length : 16;
		if (keylen != 8 && keylen != 16 && keylen != 24)
			fatalx("msg=\"--length 8, 16 or 24\"");
		randombytes_buf(key, keylen);
		hsm_des_parity_fix(key, keylen);
	} else if (o->components > 0) {
		for (i = 0; i < (size_t)o->components; i++) {
			if (isatty(0))
				fprintf(stderr, "component %zu: ", i + 1);
			n = read_hex_line(comp, 24);
			if (n != 8 && n != 16 && n != 24)
				fatalx("component=%zu msg=\"bad hex\"", i + 1);
			if (i > 0 && n != keylen)
				fatalx("component=%zu msg=\"length differs\"",
				    i + 1);
			keylen = n;
			hsm_des_kcv_clear(comp, n, kcv);
			hex_encode(kcv, 3, kcvhex);
			kcvhex[6] = '\0';
			/* Custodians check each component's KCV. */
			fprintf(stderr, "component %zu KCV %s%s\n", i + 1, kcvhex,
			    hsm_des_parity_ok(comp, n) ? "" :
			    " (parity not odd)");
			for (j = 0; j < n; j++)
				key[j] = (uint8_t)(i == 0 ? comp[j] :
				    key[j] ^ comp[j]);
		}
		/* An even number of odd-parity components XORs to even. */
		hsm_des_parity_fix(key, keylen);
	} else if (o->clear != NULL) {
		if (strcmp(o->clear, "-") == 0)
			keylen = read_hex_line(key, 24);
		else {
			n = strlen(o->clear);
			if (n % 2 == 0 && n / 2 <= 24 &&
			    hex_decode_exact(o->clear, n, key, n / 2) == 0)
				keylen = n / 2;
		}
		if (keylen != 8 && keylen != 16 && keylen != 24)
			fatalx("msg=\"clear key must be 16, 32 or 48 hex\"");
		if (!hsm_des_parity_ok(key, keylen)) {
			if (o->adjust)
				hsm_des_parity_fix(key, keylen);
			else if (!o->noparity)
				fatalx("msg=\"key parity is not odd; "
				    "--adjust-parity fixes it\"");
		}
	} else
		fatalx("msg=\"give --clear HEX, --clear - or --components N\"");

	memcpy(hdr, "10000", 5);
	memcpy(hdr + 5, o->usage ? o->usage : types[t].usage, 2);
	hdr[7] = keylen == 8 ? 'D' : 'T';
	hdr[8] = o->mode ? o->mode[0] : types[t].mode;
	memcpy(hdr + 9, "00", 2);
	hdr[11] = o->exportability ? o->exportability[0] :
	    types[t].exportability;
	memcpy(hdr + 12, "0000", 4);
	if (o->usage && strlen(o->usage) != 2)
		fatalx("msg=\"--usage takes 2 characters\"");
	if (kb_wrap(l->key, LMK_LEN, hdr, key, keylen, blk, sizeof blk) !=
	    KB_OK || hsm_des_kcv_clear(key, keylen, kcv) == -1)
		fatalx("msg=\"cannot wrap the key\"");
	hex_encode(kcv, 3, kcvhex);
	kcvhex[6] = '\0';
	printf("S%s %s\n", blk, kcvhex);
	sodium_free(key);
	sodium_free(comp);
	lmk_free(l);
	return 0;
}

struct diag_state {
	struct event_base	*base;
	int			 rc;
};

static void
diag_done(const struct hsm_result *r, void *arg)
{
	struct diag_state *d = arg;

	if (r->status == HSM_OK) {
		printf("lmk-check=%s firmware=%s\n", r->u.diag.lmk_check,
		    r->u.diag.firmware);
		d->rc = 0;
	} else
		fprintf(stderr, "hsmctl: diagnostics failed: %s (error %s)\n",
		    hsm_status_str(r->status), r->error);
	event_base_loopbreak(d->base);
}

static int
diag_cmd(const struct opts *o)
{
	struct hsm_client_opts co;
	struct hsm_client *c;
	struct diag_state d;

	if (o->hsm == NULL)
		fatalx("msg=\"--hsm ADDR is required\"");
	d.base = event_base_new();
	d.rc = 1;
	hsm_client_opts_default(&co);
	co.timeout_ms = (unsigned)o->timeout;
	if ((c = hsm_client_new(d.base, o->hsm, &co)) == NULL)
		fatalx("hsm=%s msg=\"bad address\"", o->hsm);
	if (hsm_diagnostics(c, diag_done, &d) == -1)
		fatalx("msg=\"cannot queue the call\"");
	event_base_dispatch(d.base);
	hsm_client_free(c);
	event_base_free(d.base);
	return d.rc;
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "lmk", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 't' },
		{ "clear", required_argument, NULL, 'c' },
		{ "components", required_argument, NULL, 'n' },
		{ "adjust-parity", no_argument, NULL, 'a' },
		{ "no-parity-check", no_argument, NULL, 'P' },
		{ "usage", required_argument, NULL, 'u' },
		{ "mode", required_argument, NULL, 'm' },
		{ "exportability", required_argument, NULL, 'e' },
		{ "length", required_argument, NULL, 'L' },
		{ "force", no_argument, NULL, 'f' },
		{ "hsm", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	const char *w1, *w2;
	int ch;

	memset(&o, 0, sizeof o);
	o.timeout = 2000;
	log_init("hsmctl", 0);
	if (sodium_init() < 0)
		fatalx("msg=\"sodium_init failed\"");
	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'o': o.out = optarg; break;
		case 'p': o.ppfile = optarg; break;
		case 'k': o.lmk = optarg; break;
		case 't': o.type = optarg; break;
		case 'c': o.clear = optarg; break;
		case 'n':
			o.components = atoi(optarg);
			if (o.components < 1 || o.components > 9)
				fatalx("msg=\"--components 1-9\"");
			break;
		case 'a': o.adjust = 1; break;
		case 'P': o.noparity = 1; break;
		case 'u': o.usage = optarg; break;
		case 'm': o.mode = optarg; break;
		case 'e': o.exportability = optarg; break;
		case 'L': o.length = atoi(optarg); break;
		case 'f': o.force = 1; break;
		case 's': o.hsm = optarg; break;
		case 'T':
			o.timeout = atol(optarg);
			if (o.timeout < 1)
				fatalx("msg=\"--timeout MS\"");
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	w1 = optind < argc ? argv[optind] : "";
	w2 = optind + 1 < argc ? argv[optind + 1] : "";
	if (strcmp(w1, "lmk") == 0 && strcmp(w2, "init") == 0 &&
	    argc - optind == 2)
		return lmk_init_cmd(&o);
	if (strcmp(w1, "lmk") == 0 && strcmp(w2, "check") == 0 &&
	    argc - optind == 3)
		return lmk_check_cmd(argv[optind + 2], &o);
	if (strcmp(w1, "key") == 0 && strcmp(w2, "form") == 0 &&
	    argc - optind == 2)
		return key_cmd(&o, 0);
	if (strcmp(w1, "key") == 0 && strcmp(w2, "generate") == 0 &&
	    argc - optind == 2)
		return key_cmd(&o, 1);
	if (strcmp(w1, "diag") == 0 && argc - optind == 1)
		return diag_cmd(&o);
	fputs(usage_text, stderr);
	return 2;
}
