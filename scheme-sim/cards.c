/*
 * cards.c — card lists.  The built-in cards are synthetic (well-known
 * test BINs, generated account numbers, valid Luhn digits) so a run needs
 * no input file and never carries real card data.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/cards.h"

int
sim_luhn_ok(const char *pan)
{
	size_t n = strlen(pan), i;
	int sum = 0, d, dbl = 0;

	if (n < 12 || n > 19)
		return 0;
	for (i = n; i-- > 0;) {
		if (pan[i] < '0' || pan[i] > '9')
			return 0;
		d = pan[i] - '0';
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

void
sim_luhn_complete(const char *body, size_t len, char *out)
{
	size_t i;
	int sum = 0, d, dbl = 1;	/* the check digit will sit to the right */

	memcpy(out, body, len);
	for (i = len; i-- > 0;) {
		d = body[i] - '0';
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	out[len] = (char)('0' + (10 - sum % 10) % 10);
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
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
sim_cards_load(struct sim_cards *c, const char *path, char *err, size_t errsz)
{
	FILE *f;
	char line[256], *tok[5], *save, *p;
	size_t cap = 0, lineno = 0, nt;
	struct sim_card *nv;

	memset(c, 0, sizeof *c);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		nt = 0;
		for (p = strtok_r(line, " \t\r\n,;", &save); p != NULL && nt < 5;
		    p = strtok_r(NULL, " \t\r\n,;", &save))
			tok[nt++] = p;
		if (nt == 0)
			continue;
		if (nt > 4) {
			snprintf(err, errsz, "%s:%zu: too many columns", path,
			    lineno);
			goto fail;
		}
		/* The message names the line, never the PAN itself. */
		if (!all_digits(tok[0], 12, 19)) {
			snprintf(err, errsz, "%s:%zu: PAN must be 12 to 19 "
			    "digits", path, lineno);
			goto fail;
		}
		if (nt > 1 && !all_digits(tok[1], 4, 4)) {
			snprintf(err, errsz, "%s:%zu: expiry must be YYMM",
			    path, lineno);
			goto fail;
		}
		if (nt > 2 && !all_digits(tok[2], 1, 12)) {
			snprintf(err, errsz, "%s:%zu: amount must be 1 to 12 "
			    "digits (minor units)", path, lineno);
			goto fail;
		}
		if (nt > 3 && !all_digits(tok[3], 3, 4)) {
			snprintf(err, errsz, "%s:%zu: CVC2 must be 3 or 4 "
			    "digits", path, lineno);
			goto fail;
		}
		if (c->n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = reallocarray(c->v, cap, sizeof *nv);
			if (nv == NULL) {
				snprintf(err, errsz, "out of memory");
				goto fail;
			}
			c->v = nv;
		}
		memset(&c->v[c->n], 0, sizeof c->v[c->n]);
		strcpy(c->v[c->n].pan, tok[0]);
		strcpy(c->v[c->n].exp, nt > 1 ? tok[1] : "3012");
		c->v[c->n].amount = nt > 2 ? strtoull(tok[2], NULL, 10) : 0;
		if (nt > 3)
			strcpy(c->v[c->n].cvc2, tok[3]);
		c->n++;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	if (c->n == 0) {
		snprintf(err, errsz, "%s: no cards", path);
		sim_cards_free(c);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	sim_cards_free(c);
	return -1;
}

void
sim_cards_free(struct sim_cards *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
