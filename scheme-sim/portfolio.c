/*
 * portfolio.c — the test portfolio: load, look up, and SNAPSHOT bodies.
 * `scheme-sim cards generate` writes it (cardsgen.c), `cards request`
 * builds requests from it (cardsreq.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "scheme-sim/portfolio.h"
#include "tunnel/tlv.h"

/* Key hex goes through base/hex.c, which keeps clear keys out of lookup
 * tables; here only the NUL is added. */
void
sim_tohex(const uint8_t *b, size_t n, char *out)
{
	hex_encode(b, n, out);
	out[2 * n] = '\0';
}

/* --- load ------------------------------------------------------------- */

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

/*
 * The snapshot carries a card's keys, never a zone key: the ZPK belongs to
 * the link a PIN block comes over (gatewayd's ZPKFile and key changes),
 * so the portfolio's ZPK block (there for the test setup to give the
 * link) is left out of blocks.
 */
static void
drop_zone_key(char *blocks)
{
	char *z = blocks, *end;

	/* the key named ZPK, at the start of a block (not "XZPK=") */
	while ((z = strstr(z, "ZPK=")) != NULL && z != blocks && z[-1] != ';')
		z += 4;
	if (z == NULL)
		return;
	if ((end = strchr(z, ';')) != NULL)
		memmove(z, end + 1, strlen(end + 1) + 1);
	else
		*(z == blocks ? z : z - 1) = '\0';
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
	drop_zone_key(p->blocks);
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

/* --- snapshot --------------------------------------------------------- */

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

int
sim_pin_account(const char *pan, char acct[13])
{
	size_t n = strlen(pan);

	if (n < 13)
		return -1;
	memcpy(acct, pan + n - 13, 12);
	acct[12] = '\0';
	return 0;
}
