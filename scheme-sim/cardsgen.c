/*
 * cardsgen.c — `scheme-sim cards generate N`: a test portfolio of N cards
 * under four fresh random keys (CVK, PVK, MK-AC, ZPK), each formed into a
 * key block under the LMK by hsmctl, with every card's CVV1, CVC2 and PVV
 * computed from them.  The file holds the clear test keys (the scheme
 * side needs them for cryptograms) and is written mode 0600.
 */
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hsm/cvv.h"
#include "hsm/des.h"
#include "hsm/pin.h"
#include "scheme-sim/cards.h"
#include "scheme-sim/cardsmain.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/portfolio.h"

#define NKEYS	4

static const char *const key_types[NKEYS] = { "CVK", "PVK", "MK-AC", "ZPK" };
/*
 * The gateway's snapshot keys are formed for what stand-in does with
 * them and nothing more: CVK and PVK verify-only (V: hsmd refuses CW
 * with them), MK-AC derive (X: KQ), the ZPK decrypt-only (D: it opens
 * PIN blocks for EC/EA but is never the target of a translation).
 */
static const char *const key_modes[NKEYS] = { "V", "V", "X", "D" };

struct genopts {
	const char	*lmk, *out, *hsmctl;
	int		 special;
};

#define AT(f)	.off = offsetof(struct genopts, f)

static const struct sim_opt gen_opts[] = {
	{ .name = "lmk", .arg = "FILE", .kind = SIM_OPT_STR, AT(lmk),
	  .help = "the HSM's LMK (hsmctl lmk init)" },
	{ .name = "out", .arg = "FILE", .kind = SIM_OPT_STR, AT(out),
	  .help = "the portfolio to write (mode 0600)" },
	{ .name = "special", .kind = SIM_OPT_SET, AT(special),
	  .help = "cards 1..7 are the rule-test cards: lost, stolen,\n"
	  "blocked, expired, low funds, low daily limit, closed" },
	{ .name = "hsmctl", .arg = "PATH", .kind = SIM_OPT_STR, AT(hsmctl),
	  .help = "hsmctl to form the key blocks with (default: the\n"
	  "one beside this program)" },
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab gen_optab = SIM_OPTAB(
    "scheme-sim cards generate",
    "usage: scheme-sim cards generate N --lmk FILE --out FILE [--special] "
    "[--hsmctl PATH]\n\n"
    "Cards 0-9 are in the classic range 541333; from 10 on they cycle\n"
    "premium 541334, prepaid 541335, classic (see cards tables).\n\n",
    gen_opts, 22);

void
sim_cards_generate_usage(void)
{
	sim_opts_usage(&gen_optab);
}

/* The clear key goes to hsmctl on a pipe (--clear -), never in its
 * argv, where any process could read it from /proc. */
static int
form_block(const char *hsmctl, const char *lmk, const char *type,
    const char *mode, const uint8_t key[16], char *out, size_t cap)
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
		    type, "--mode", mode, "--clear", "-", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	if (pid != -1) {
		sim_tohex(key, 16, hex);
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

/* Fresh random keys, each also as a key block under the LMK. */
static int
form_keys(const struct genopts *g, struct sim_portfolio *p,
    char blocks[NKEYS][200])
{
	uint8_t *keys[NKEYS] = { p->cvk, p->pvk, p->mkac, p->zpk };
	char dir[PATH_MAX], hsmctl[PATH_MAX + 16];
	int i;

	if (g->hsmctl != NULL)
		snprintf(hsmctl, sizeof hsmctl, "%s", g->hsmctl);
	else {
		exe_dir(dir, sizeof dir);
		snprintf(hsmctl, sizeof hsmctl, "%s/hsmctl", dir);
	}
	for (i = 0; i < NKEYS; i++) {
		randombytes_buf(keys[i], 16);
		hsm_des_parity_fix(keys[i], 16);
		if (form_block(hsmctl, g->lmk, key_types[i], key_modes[i],
		    keys[i], blocks[i], sizeof blocks[i]) == -1)
			return -1;
	}
	return 0;
}

/* Card i, in the account range cardstab.c puts it in: the first few are
 * the rule-test cards when special is set. */
static void
make_card(size_t i, int special, struct sim_pcard *c)
{
	char body[32];

	memset(c, 0, sizeof *c);
	snprintf(body, sizeof body, "%s%09zu", sim_card_prefix(i),
	    i % 1000000000u);
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

/* The card's CVV1 (service code 101), CVC2 (000) and PVV. */
static int
card_values(const struct hsm_des *cvk, const struct hsm_des *pvk,
    struct sim_pcard *c)
{
	size_t pl = strlen(c->pan);
	char acct[12];

	if (hsm_cvv(cvk, c->pan, pl, c->exp, "101", c->cvv1) == -1 ||
	    hsm_cvv(cvk, c->pan, pl, c->exp, "000", c->cvc2) == -1)
		return -1;
	memcpy(acct, c->pan + pl - 12, 11);	/* 11 digits for PVV */
	acct[11] = '\0';
	if (hsm_pvv(pvk, acct, c->pvki, c->pin, c->pvv) == -1)
		return -1;
	c->cvv1[3] = c->cvc2[3] = c->pvv[4] = '\0';
	return 0;
}

static int
write_cards(FILE *f, const struct sim_portfolio *p, size_t n, int special)
{
	struct hsm_des cvk, pvk;
	struct sim_pcard c;
	size_t i;
	int rc = -1;

	if (hsm_des_init(&cvk, p->cvk, 16) == -1)
		return -1;
	if (hsm_des_init(&pvk, p->pvk, 16) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		make_card(i, special, &c);
		if (card_values(&cvk, &pvk, &c) == -1)
			break;
		fprintf(f, "card %s %s %s %llu %llu %lld %s %s %s %c %s %s "
		    "%s\n", c.pan, c.exp, c.status,
		    (unsigned long long)c.txn_limit,
		    (unsigned long long)c.daily, (long long)c.balance, c.cur,
		    c.account, c.pin, c.pvki, c.pvv, c.cvv1, c.cvc2);
	}
	rc = i == n ? 0 : -1;
	hsm_des_free(&pvk);
out:
	hsm_des_free(&cvk);
	return rc;
}

static int
write_portfolio(const struct genopts *g, const struct sim_portfolio *p,
    char blocks[NKEYS][200], size_t n)
{
	char hex[NKEYS][33];
	FILE *f;
	int fd, i, rc;

	fd = open(g->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "scheme-sim cards: %s: %s\n", g->out,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	sim_tohex(p->cvk, 16, hex[0]);
	sim_tohex(p->pvk, 16, hex[1]);
	sim_tohex(p->mkac, 16, hex[2]);
	sim_tohex(p->zpk, 16, hex[3]);
	fprintf(f, "# scheme-sim test portfolio: %zu cards.  TEST KEYS IN "
	    "CLEAR: never a production key.\n", n);
	fprintf(f, "clear");
	for (i = 0; i < NKEYS; i++)
		fprintf(f, " %s=%s", key_types[i], hex[i]);
	fprintf(f, "\nblocks");
	for (i = 0; i < NKEYS; i++)
		fprintf(f, "%c%s=%s", i ? ';' : ' ', key_types[i], blocks[i]);
	fprintf(f, "\n");
	sodium_memzero(hex, sizeof hex);
	rc = write_cards(f, p, n, g->special);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int
sim_cards_generate(int argc, char **argv)
{
	struct genopts g = { 0 };
	struct sim_portfolio p;
	char blocks[NKEYS][200];
	uint64_t n;
	int first, rc;

	/* An hsmctl that exits early fails its key, not this process. */
	signal(SIGPIPE, SIG_IGN);
	if (sim_opts_parse(&gen_optab, &g, argc, argv, &first) == -1)
		return 2;
	if (first >= argc || g.lmk == NULL || g.out == NULL) {
		sim_cards_generate_usage();
		return 2;
	}
	if (sim_parse_count(argv[first], &n) == -1 || n == 0 || n > 10000000) {
		fprintf(stderr, "scheme-sim cards: bad count\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	memset(&p, 0, sizeof p);
	rc = form_keys(&g, &p, blocks) == -1 ||
	    write_portfolio(&g, &p, blocks, (size_t)n) == -1 ? 1 : 0;
	sodium_memzero(&p, sizeof p);
	return rc;
}
