/*
 * portfolio.c — the test portfolio: generate (keys formed through
 * hsmctl), load, SNAPSHOT bodies, and requests with verification data.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hsm/cvv.h"
#include "hsm/des.h"
#include "hsm/emv.h"
#include "hsm/client/hsmclient.h"
#include "base/hex.h"
#include "hsm/pin.h"
#include "iso8583/emv.h"
#include "scheme-sim/cards.h"
#include "scheme-sim/portfolio.h"
#include "tunnel/tlv.h"

/* Key hex goes through hsm/hex.c, which keeps clear keys out of lookup
 * tables; here only the NUL is added. */
static void
tohex(const uint8_t *b, size_t n, char *out)
{
	hex_encode(b, n, out);
	out[2 * n] = '\0';
}

/* --- load -------------------------------------------------------------------- */

static int
kv_hex(const char *line, const char *key, uint8_t out[16])
{
	char pat[16], hex[40];
	const char *p;

	snprintf(pat, sizeof pat, "%s=", key);
	if ((p = strstr(line, pat)) == NULL ||
	    sscanf(p + strlen(pat), "%32[0-9A-Fa-f]", hex) != 1)
		return -1;
	return hex_decode_exact(hex, strlen(hex), out, 16);
}

int
sim_portfolio_load(struct sim_portfolio *p, const char *path, char *err,
    size_t errsz)
{
	FILE *f;
	char line[1024];
	struct sim_pcard c, *nv;
	size_t cap = 0;
	int ln = 0;
	long long bal;
	unsigned long long tl, dl;

	memset(p, 0, sizeof *p);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (strncmp(line, "clear ", 6) == 0) {
			if (kv_hex(line, "CVK", p->cvk) == -1 ||
			    kv_hex(line, "PVK", p->pvk) == -1 ||
			    kv_hex(line, "MK-AC", p->mkac) == -1 ||
			    kv_hex(line, "ZPK", p->zpk) == -1)
				goto bad;
		} else if (strncmp(line, "blocks ", 7) == 0) {
			if (sscanf(line + 7, "%639s", p->blocks) != 1)
				goto bad;
		} else if (strncmp(line, "card ", 5) == 0) {
			memset(&c, 0, sizeof c);
			if (sscanf(line + 5, "%19s %4s %7s %llu %llu %lld %3s "
			    "%23s %6s %c %4s %3s %3s", c.pan, c.exp, c.status,
			    &tl, &dl, &bal, c.cur, c.account, c.pin, &c.pvki,
			    c.pvv, c.cvv1, c.cvc2) != 13)
				goto bad;
			c.txn_limit = tl;
			c.daily = dl;
			c.balance = bal;
			if (p->n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((nv = realloc(p->v, cap * sizeof *nv)) ==
				    NULL)
					goto bad;
				p->v = nv;
			}
			p->v[p->n++] = c;
		} else
			goto bad;
	}
	fclose(f);
	if (p->n == 0 || p->blocks[0] == '\0') {
		snprintf(err, errsz, "%s: no cards or no key blocks", path);
		sim_portfolio_free(p);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errsz, "%s:%d: bad line", path, ln);
	fclose(f);
	sim_portfolio_free(p);
	return -1;
}

void
sim_portfolio_free(struct sim_portfolio *p)
{
	free(p->v);
	sodium_memzero(p, sizeof *p);
}

const struct sim_pcard *
sim_portfolio_find(const struct sim_portfolio *p, const char *pan)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].pan, pan) == 0)
			return &p->v[i];
	return NULL;
}

/* --- snapshot ----------------------------------------------------------------- */

static size_t
card_tlv(const struct sim_portfolio *p, const struct sim_pcard *c,
    uint8_t *out, size_t cap)
{
	struct tlv_w w;
	char pv[32];

	tlv_w_init(&w, out, cap);
	tlv_put_str(&w, 0x2001, c->pan);
	tlv_put_str(&w, 0x2002, c->status);
	tlv_put_str(&w, 0x2003, c->exp);
	tlv_put_u64(&w, 0x2004, c->txn_limit);
	tlv_put_u64(&w, 0x2005, c->daily);
	snprintf(pv, sizeof pv, "%lld", (long long)c->balance);
	tlv_put_str(&w, 0x2006, pv);
	tlv_put_str(&w, 0x2007, c->cur);
	tlv_put_str(&w, 0x2008, p->blocks);
	snprintf(pv, sizeof pv, "PVKI=%c;PVV=%s", c->pvki, c->pvv);
	tlv_put_str(&w, 0x2009, pv);
	tlv_put_str(&w, 0x200A, c->account);
	return w.err ? 0 : w.len;
}

size_t
sim_portfolio_snapshot(const struct sim_portfolio *p, size_t *next,
    uint64_t version, uint8_t *out, size_t cap)
{
	uint8_t rec[2048];
	struct tlv_w w;
	size_t n, before;

	if (*next >= p->n)
		return 0;
	tlv_w_init(&w, out, cap);
	tlv_put_u64(&w, TLV_SNAP_VERSION, version);
	while (*next < p->n) {
		if ((n = card_tlv(p, &p->v[*next], rec, sizeof rec)) == 0)
			break;
		before = w.len;
		tlv_put(&w, TLV_SNAP_CARD, rec, n);
		if (w.err) {
			w.err = 0;
			w.len = before;
			break;
		}
		(*next)++;
	}
	return w.len;
}

/* --- generate ------------------------------------------------------------------- */

/* The clear key goes to hsmctl on a pipe (--clear -), never in its
 * argv, where any process could read it from /proc. */
static int
form_block(const char *hsmctl, const char *lmk, const char *type,
    const uint8_t key[16], char *out, size_t cap)
{
	char hex[34], line[512], *sp;
	int in[2], res[2], st = -1, ok;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(res, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if ((pid = fork()) == 0) {
		if (dup2(in[0], 0) == -1 || dup2(res[1], 1) == -1)
			_exit(127);
		execl(hsmctl, hsmctl, "key", "form", "--lmk", lmk, "--type",
		    type, "--clear", "-", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	if (pid != -1) {
		tohex(key, 16, hex);
		hex[32] = '\n';
		ok = write(in[1], hex, 33) == 33;
		sodium_memzero(hex, sizeof hex);
		close(in[1]);
		while (ok && got < sizeof line - 1 &&
		    (n = read(res[0], line + got, sizeof line - 1 - got)) > 0)
			got += (size_t)n;
		waitpid(pid, &st, 0);
	} else
		close(in[1]);
	close(res[0]);
	line[got] = '\0';
	if (st != 0 || line[0] != 'S' || (sp = strchr(line, ' ')) == NULL) {
		fprintf(stderr, "scheme-sim cards: hsmctl key form --type %s "
		    "failed\n", type);
		return -1;
	}
	*sp = '\0';
	if ((size_t)(sp - line) >= cap)
		return -1;
	memcpy(out, line, (size_t)(sp - line) + 1);
	return 0;
}

static void
random_key(uint8_t k[16])
{
	randombytes_buf(k, 16);
	hsm_des_parity_fix(k, 16);
}

static void
exe_dir(char *out, size_t cap)
{
	char p[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
	char *s;

	if (n <= 0) {
		snprintf(out, cap, ".");
		return;
	}
	p[n] = '\0';
	if ((s = strrchr(p, '/')) != NULL)
		*s = '\0';
	snprintf(out, cap, "%s", p);
}

/* Card i: the first few are the rule-test cards when special is set. */
static void
make_card(size_t i, int special, struct sim_pcard *c)
{
	char body[32];

	memset(c, 0, sizeof *c);
	snprintf(body, sizeof body, "541333%09zu", i % 1000000000u);
	sim_luhn_complete(body, strlen(body), c->pan);
	strcpy(c->exp, "2812");
	strcpy(c->status, "active");
	c->txn_limit = 100000;
	c->daily = 100000000;
	c->balance = 1000000000;
	strcpy(c->cur, "826");
	snprintf(c->account, sizeof c->account, "ACC%07zu", i % 100000000u);
	strcpy(c->pin, "1234");
	c->pvki = '1';
	if (!special)
		return;
	switch (i) {
	case 1: strcpy(c->status, "lost"); break;
	case 2: strcpy(c->status, "stolen"); break;
	case 3: strcpy(c->status, "blocked"); break;
	case 4: strcpy(c->exp, "2001"); break;		/* expired */
	case 5: c->balance = 5000; break;		/* low funds */
	case 6: c->daily = 3000; break;			/* low daily */
	case 7: strcpy(c->status, "closed"); break;
	default: break;
	}
}

static int
generate(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "lmk", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "hsmctl", required_argument, NULL, 'H' },
		{ "special", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct sim_portfolio p;
	struct hsm_des cvk, pvk;
	char dir[PATH_MAX], hsmctl[PATH_MAX + 16], b[4][200], acct[13];
	const char *lmk = NULL, *outp = NULL;
	uint8_t pinblk[8];
	char hex[4][33];
	size_t n, i, pl;
	int ch, special = 0, fd;
	FILE *f;

	exe_dir(dir, sizeof dir);
	snprintf(hsmctl, sizeof hsmctl, "%s/hsmctl", dir);
	/* An hsmctl that exits early fails its key, not this process. */
	signal(SIGPIPE, SIG_IGN);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'l': lmk = optarg; break;
		case 'o': outp = optarg; break;
		case 'H': snprintf(hsmctl, sizeof hsmctl, "%s", optarg); break;
		case 's': special = 1; break;
		default: return 2;
		}
	}
	if (optind >= argc || lmk == NULL || outp == NULL) {
		fprintf(stderr, "usage: scheme-sim cards generate N --lmk FILE "
		    "--out FILE [--special] [--hsmctl PATH]\n");
		return 2;
	}
	n = (size_t)strtoull(argv[optind], NULL, 10);
	if (n == 0 || n > 10000000) {
		fprintf(stderr, "scheme-sim cards: bad count\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	memset(&p, 0, sizeof p);
	random_key(p.cvk);
	random_key(p.pvk);
	random_key(p.mkac);
	random_key(p.zpk);
	if (form_block(hsmctl, lmk, "CVK", p.cvk, b[0], sizeof b[0]) == -1 ||
	    form_block(hsmctl, lmk, "PVK", p.pvk, b[1], sizeof b[1]) == -1 ||
	    form_block(hsmctl, lmk, "MK-AC", p.mkac, b[2], sizeof b[2]) == -1 ||
	    form_block(hsmctl, lmk, "ZPK", p.zpk, b[3], sizeof b[3]) == -1)
		return 1;
	if (hsm_des_init(&cvk, p.cvk, 16) == -1 ||
	    hsm_des_init(&pvk, p.pvk, 16) == -1)
		return 1;
	fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "scheme-sim cards: %s: %s\n", outp,
		    strerror(errno));
		return 1;
	}
	tohex(p.cvk, 16, hex[0]);
	tohex(p.pvk, 16, hex[1]);
	tohex(p.mkac, 16, hex[2]);
	tohex(p.zpk, 16, hex[3]);
	fprintf(f, "# scheme-sim test portfolio: %zu cards.  TEST KEYS IN "
	    "CLEAR: never a production key.\n", n);
	fprintf(f, "clear CVK=%s PVK=%s MK-AC=%s ZPK=%s\n", hex[0], hex[1],
	    hex[2], hex[3]);
	fprintf(f, "blocks CVK=%s;PVK=%s;MK-AC=%s;ZPK=%s\n", b[0], b[1], b[2],
	    b[3]);
	for (i = 0; i < n; i++) {
		struct sim_pcard c;

		make_card(i, special, &c);
		pl = strlen(c.pan);
		if (hsm_cvv(&cvk, c.pan, pl, c.exp, "101", c.cvv1) == -1 ||
		    hsm_cvv(&cvk, c.pan, pl, c.exp, "000", c.cvc2) == -1)
			return 1;
		memcpy(acct, c.pan + pl - 12, 11);	/* 11 digits for PVV */
		acct[11] = '\0';
		if (hsm_pvv(&pvk, acct, c.pvki, c.pin, c.pvv) == -1)
			return 1;
		c.cvv1[3] = c.cvc2[3] = c.pvv[4] = '\0';
		fprintf(f, "card %s %s %s %llu %llu %lld %s %s %s %c %s %s %s\n",
		    c.pan, c.exp, c.status, (unsigned long long)c.txn_limit,
		    (unsigned long long)c.daily, (long long)c.balance, c.cur,
		    c.account, c.pin, c.pvki, c.pvv, c.cvv1, c.cvc2);
	}
	(void)pinblk;
	hsm_des_free(&cvk);
	hsm_des_free(&pvk);
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(&p, sizeof p);
	if (fclose(f) != 0)
		return 1;
	return 0;
}

/* --- request ------------------------------------------------------------------ */

/*
 * One request as the iso8583 CLI's JSON, with the verification data asked
 * for: good, bad (one digit off) or none.
 */
static int
request(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "portfolio", required_argument, NULL, 'p' },
		{ "pan", required_argument, NULL, 'P' },
		{ "index", required_argument, NULL, 'i' },
		{ "mti", required_argument, NULL, 'm' },
		{ "amount", required_argument, NULL, 'a' },
		{ "stan", required_argument, NULL, 'S' },
		{ "mcc", required_argument, NULL, 'M' },
		{ "cvc2", required_argument, NULL, 'c' },
		{ "track2", required_argument, NULL, 't' },
		{ "arqc", required_argument, NULL, 'q' },
		{ "pin", required_argument, NULL, 'n' },
		{ "expiry", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct sim_portfolio p;
	const struct sim_pcard *c = NULL;
	const char *pf = NULL, *pan = NULL, *mti = "0100", *mcc = "5411";
	const char *cvc2 = "none", *t2 = "none", *arqc = "none", *pin = "none";
	const char *expo = NULL;
	char err[256], buf[64], acct[13];
	uint64_t amount = 1000, stan = 1;
	long idx = -1;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'p': pf = optarg; break;
		case 'P': pan = optarg; break;
		case 'i': idx = strtol(optarg, NULL, 10); break;
		case 'm': mti = optarg; break;
		case 'a': amount = strtoull(optarg, NULL, 10); break;
		case 'S': stan = strtoull(optarg, NULL, 10); break;
		case 'M': mcc = optarg; break;
		case 'c': cvc2 = optarg; break;
		case 't': t2 = optarg; break;
		case 'q': arqc = optarg; break;
		case 'n': pin = optarg; break;
		case 'e': expo = optarg; break;
		default: return 2;
		}
	}
	if (pf == NULL || (pan == NULL && idx < 0)) {
		fprintf(stderr, "usage: scheme-sim cards request --portfolio F "
		    "(--index I | --pan PAN) [--mti M] [--amount N] [--stan N]"
		    " [--mcc M]\n    [--cvc2|--track2|--arqc|--pin "
		    "good|bad|none] [--expiry YYMM]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (sim_portfolio_load(&p, pf, err, sizeof err) == -1) {
		fprintf(stderr, "scheme-sim cards: %s\n", err);
		return 1;
	}
	if (pan != NULL)
		c = sim_portfolio_find(&p, pan);
	else if ((size_t)idx < p.n)
		c = &p.v[idx];
	if (c == NULL) {
		/* an unknown card: a valid-looking PAN not in the file */
		static struct sim_pcard u;
		memset(&u, 0, sizeof u);
		snprintf(u.pan, sizeof u.pan, "%s", pan ? pan :
		    "5413339999999992");
		strcpy(u.exp, "2812");
		strcpy(u.cvv1, "123");
		strcpy(u.cvc2, "123");
		c = &u;
	}
	printf("{\"mti\":\"%s\",\"fields\":{\"2\":\"%s\",\"3\":\"000000\","
	    "\"4\":\"%012llu\",\"7\":\"1123010203\",\"11\":\"%06llu\","
	    "\"12\":\"010203\",\"13\":\"1123\",\"14\":\"%s\",\"18\":\"%s\","
	    "\"22\":\"051\",\"32\":\"005037\",\"37\":\"RULE%08llu\","
	    "\"41\":\"TERM0001\",\"42\":\"SIMMERCHANT0001\",\"49\":\"826\"",
	    mti, c->pan, (unsigned long long)amount,
	    (unsigned long long)(stan % 1000000), expo ? expo : c->exp, mcc,
	    (unsigned long long)stan);
	if (strcmp(cvc2, "none") != 0) {
		snprintf(buf, sizeof buf, "%s", c->cvc2);
		if (strcmp(cvc2, "bad") == 0)
			buf[0] = buf[0] == '9' ? '0' : (char)(buf[0] + 1);
		printf(",\"48\":\"R9203%s\"", buf);
	}
	if (strcmp(t2, "none") != 0) {
		snprintf(buf, sizeof buf, "%s", c->cvv1);
		if (strcmp(t2, "bad") == 0)
			buf[0] = buf[0] == '9' ? '0' : (char)(buf[0] + 1);
		printf(",\"35\":\"%s=%s101%s0000000\"", c->pan,
		    expo ? expo : c->exp, buf);
	}
	if (strcmp(pin, "none") != 0) {
		struct hsm_des zpk;
		uint8_t blk[8];
		char pinv[8], hex[17];
		size_t pl = strlen(c->pan);

		snprintf(pinv, sizeof pinv, "%s", strcmp(pin, "bad") == 0 ?
		    "9999" : c->pin[0] ? c->pin : "1234");
		memcpy(acct, c->pan + pl - 13, 12);
		acct[12] = '\0';
		if (hsm_pinblock_encode(0, pinv, strlen(pinv), acct, blk) == -1
		    || hsm_des_init(&zpk, p.zpk, 16) == -1 ||
		    hsm_des_encrypt(&zpk, blk, blk, 8) == -1)
			return 1;
		hsm_des_free(&zpk);
		tohex(blk, 8, hex);
		printf(",\"52\":\"%s\"", hex);
	}
	if (strcmp(arqc, "none") != 0) {
		uint8_t de55[256], y[8], icc[16], sk[16], r[8], mac[8];
		uint8_t tx[64], amt[6], atc[2] = { 0x00, 0x2A };
		uint8_t un[4] = { 0x11, 0x22, 0x33, 0x44 };
		static const uint8_t zero[8];
		struct hsm_des mk, ik, sd;
		char hex[520];
		size_t n = 0, tl = 0, pl = strlen(c->pan);
		uint64_t a = amount;
		ssize_t k;
		int i;

		for (i = 5; i >= 0; i--) {
			amt[i] = (uint8_t)((a % 10) | ((a / 10 % 10) << 4));
			a /= 100;
		}
#define TX(v, l) do { memcpy(tx + tl, (v), (l)); tl += (l); } while (0)
		TX(amt, 6);
		TX("\0\0\0\0\0\0", 6);
		TX("\x08\x26", 2);
		TX("\x00\x00\x00\x80\x00", 5);
		TX("\x08\x26", 2);
		TX("\x26\x11\x23", 3);
		TX("\x00", 1);
		TX(un, 4);
		TX("\x19\x80", 2);
		TX(atc, 2);
#undef TX
		tx[tl++] = 0x80;
		while (tl % 8)
			tx[tl++] = 0;
		memcpy(r, atc, 2);
		memset(r + 2, 0, 6);
		memcpy(r + 4, un, 4);
		if (hsm_emv_option_a_y(c->pan, pl, "00", y) == -1 ||
		    hsm_des_init(&mk, p.mkac, 16) == -1 ||
		    hsm_emv_icc_mk(&mk, y, icc) == -1 ||
		    hsm_des_init(&ik, icc, 16) == -1 ||
		    hsm_emv_session_key(&ik, r, sk) == -1 ||
		    hsm_des_init(&sd, sk, 16) == -1 ||
		    hsm_des_mac(&sd, HSM_MAC_ALG3, HSM_PAD_NONE, zero, tx, tl,
		    1, mac) == -1)
			return 1;
		hsm_des_free(&mk);
		hsm_des_free(&ik);
		hsm_des_free(&sd);
		if (strcmp(arqc, "bad") == 0)
			mac[0] ^= 0x01;
#define E(t, v, l) do {						\
	k = emv_put(de55 + n, sizeof de55 - n, (t), (v), (l));		\
	if (k < 0)							\
		return 1;						\
	n += (size_t)k;							\
} while (0)
		E(0x9F26, mac, 8);
		E(0x9F27, "\x80", 1);
		E(0x9F02, amt, 6);
		E(0x9F03, "\0\0\0\0\0\0", 6);
		E(0x9F1A, "\x08\x26", 2);
		E(0x95, "\x00\x00\x00\x80\x00", 5);
		E(0x5F2A, "\x08\x26", 2);
		E(0x9A, "\x26\x11\x23", 3);
		E(0x9C, "\x00", 1);
		E(0x9F37, un, 4);
		E(0x82, "\x19\x80", 2);
		E(0x9F36, atc, 2);
		E(0x5F34, "\x00", 1);
#undef E
		tohex(de55, n, hex);
		printf(",\"55\":\"%s\"", hex);
	}
	printf("}}\n");
	sim_portfolio_free(&p);
	return 0;
}

/* `cards list`: the scheme's card list (PAN YYMM AMOUNT CVC2). */
static int
list(int argc, char **argv)
{
	struct sim_portfolio p;
	char err[256];
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: scheme-sim cards list PORTFOLIO\n");
		return 2;
	}
	if (sim_portfolio_load(&p, argv[1], err, sizeof err) == -1) {
		fprintf(stderr, "scheme-sim cards: %s\n", err);
		return 1;
	}
	for (i = 0; i < p.n; i++)
		printf("%s %s 0 %s\n", p.v[i].pan, p.v[i].exp, p.v[i].cvc2);
	sim_portfolio_free(&p);
	return 0;
}

int
sim_cards_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "generate") == 0)
		return generate(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "request") == 0)
		return request(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(argc - 1, argv + 1);
	fprintf(stderr, "usage: scheme-sim cards generate N --lmk FILE --out "
	    "FILE [--special]\n"
	    "       scheme-sim cards request --portfolio FILE --index I "
	    "[...]\n"
	    "       scheme-sim cards list PORTFOLIO\n");
	return 2;
}
