/*
 * cards.c — card lists.  The built-in cards are synthetic (well-known
 * test BINs, generated account numbers, valid Luhn digits) so a run needs
 * no input file and never carries real card data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "scheme-sim/cards.h"
#include "scheme-sim/parse.h"

/* The Luhn sum of n digits, every second one doubled from the right,
 * the rightmost itself when dbl is set. */
static int
luhn_sum(const char *d, size_t n, int dbl)
{
	int sum = 0, v;

	while (n-- > 0) {
		v = d[n] - '0';
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return sum;
}

int
sim_luhn_ok(const char *pan)
{
	size_t n = strlen(pan);

	return n >= 12 && n <= 19 && dec_valid(pan, n) &&
	    luhn_sum(pan, n, 0) % 10 == 0;
}

void
sim_luhn_complete(const char *body, size_t len, char *out)
{
	/* The check digit will sit to the right: body's last is doubled. */
	memcpy(out, body, len);
	out[len] = (char)('0' + (10 - luhn_sum(body, len, 1) % 10) % 10);
	out[len + 1] = '\0';
}

int
sim_cards_builtin(struct sim_cards *c)
{
	/* Test BINs only: Mastercard 5413 33 / 5555 55, Visa 4761 73. */
	static const char *bins[] = { "541333", "555555", "476173", "222300" };
	const size_t per_bin = 64;
	size_t b, i, k = 0;
	char body[20];

	c->n = sizeof bins / sizeof bins[0] * per_bin;
	c->v = calloc(c->n, sizeof *c->v);
	if (c->v == NULL)
		return -1;
	for (b = 0; b < sizeof bins / sizeof bins[0]; b++)
		for (i = 0; i < per_bin; i++, k++) {
			snprintf(body, sizeof body, "%s%09zu", bins[b],
			    (size_t)(900000000u + b * 1000u + i * 7919u));
			sim_luhn_complete(body, 15, c->v[k].pan);
			memcpy(c->v[k].exp, "3012", 5);
		}
	return 0;
}

static int
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && dec_valid(s, n);
}

/* A card line's columns in order, and what a bad one is told: the line,
 * never the PAN itself. */
static const struct {
	size_t		 min, max;	/* digits */
	const char	*why;
} columns[] = {
	{ 12, 19, "PAN must be 12 to 19 digits" },
	{ 4, 4, "expiry must be YYMM" },
	{ 1, 12, "amount must be 1 to 12 digits (minor units)" },
	{ 3, 4, "CVC2 must be 3 or 4 digits" },
};

#define NCOLUMNS	(sizeof columns / sizeof columns[0])

static int
card_line(void *arg, char *line, char *why, size_t whysz)
{
	struct sim_cards *c = arg;
	struct sim_card *card, *nv;
	char *tok[NCOLUMNS + 1], *save, *p;
	size_t nt = 0, i;

	for (p = strtok_r(line, " \t\r\n,;", &save); p != NULL &&
	    nt <= NCOLUMNS; p = strtok_r(NULL, " \t\r\n,;", &save))
		tok[nt++] = p;
	if (nt == 0)
		return 0;
	if (nt > NCOLUMNS) {
		snprintf(why, whysz, "too many columns");
		return -1;
	}
	for (i = 0; i < nt; i++)
		if (!all_digits(tok[i], columns[i].min, columns[i].max)) {
			snprintf(why, whysz, "%s", columns[i].why);
			return -1;
		}
	if (c->n == c->cap) {
		if ((nv = reallocarray(c->v, c->cap ? c->cap * 2 : 64,
		    sizeof *nv)) == NULL) {
			snprintf(why, whysz, "out of memory");
			return -1;
		}
		c->v = nv;
		c->cap = c->cap ? c->cap * 2 : 64;
	}
	card = &c->v[c->n++];
	memset(card, 0, sizeof *card);
	strcpy(card->pan, tok[0]);
	strcpy(card->exp, nt > 1 ? tok[1] : "3012");
	card->amount = nt > 2 ? strtoull(tok[2], NULL, 10) : 0;
	if (nt > 3)
		strcpy(card->cvc2, tok[3]);
	return 0;
}

int
sim_cards_load(struct sim_cards *c, const char *path, char *err, size_t errsz)
{
	memset(c, 0, sizeof *c);
	if (sim_parse_list(path, card_line, c, err, errsz) == -1) {
		sim_cards_free(c);
		return -1;
	}
	if (c->n == 0) {
		snprintf(err, errsz, "%s: no cards", path);
		return -1;
	}
	return 0;
}

void
sim_cards_free(struct sim_cards *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}
