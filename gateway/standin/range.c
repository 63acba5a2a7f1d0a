/*
 * range.c — parameter tables: values parsed, the table checked, a PAN's
 * range found by its longest prefix.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/standin/range.h"

void
range_init(struct range *r, const char *name)
{
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->cash = 1;
	r->cof = 1;
	r->share = 100;
}

/* The next item of a list separated by commas or blanks: its length
 * (0 at the end) and *p moved past it. */
static size_t
next_item(const char **p, const char **item)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ',' || *s == ' ' || *s == '\t')
		s++;
	*item = s;
	while (s[n] != '\0' && s[n] != ',' && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s + n;
	return n;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static int
upper(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	return n > 0;
}

int
range_add_prefixes(struct range *r, const char *list, char *err,
    size_t errsz)
{
	const char *p = list, *it;
	size_t n;

	while ((n = next_item(&p, &it)) != 0) {
		if (!digits(it, n) || n > RANGE_PAN_MAX - 2) {
			snprintf(err, errsz, "Prefix: \"%.*s\": want 1 to %d "
			    "digits", (int)n, it, RANGE_PAN_MAX - 2);
			return -1;
		}
		if (r->nprefix == RANGE_PREFIX_MAX) {
			snprintf(err, errsz, "Prefix: more than %d in one "
			    "range", RANGE_PREFIX_MAX);
			return -1;
		}
		memcpy(r->prefix[r->nprefix], it, n);
		r->prefix[r->nprefix++][n] = '\0';
	}
	return 0;
}

/* "7995" or "3000-3999" into a span. */
static int
mcc_span(const char *s, size_t n, uint16_t *lo, uint16_t *hi)
{
	if (n == 4 && digits(s, 4)) {
		*lo = *hi = (uint16_t)atoi(s);
		return 0;
	}
	if (n == 9 && s[4] == '-' && digits(s, 4) && digits(s + 5, 4)) {
		*lo = (uint16_t)strtoul(s, NULL, 10);
		*hi = (uint16_t)strtoul(s + 5, NULL, 10);
		return *lo <= *hi ? 0 : -1;
	}
	return -1;
}

static int
mccg_spans(struct range_mccg *g, const char *s, size_t len, char *err,
    size_t errsz)
{
	char buf[256];
	const char *p = buf, *it;
	size_t n;

	if (len >= sizeof buf) {
		snprintf(err, errsz, "MccGroup %s: list too long", g->name);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	while ((n = next_item(&p, &it)) != 0) {
		if (g->nspan == RANGE_SPAN_MAX) {
			snprintf(err, errsz, "MccGroup %s: more than %d MCCs "
			    "or spans", g->name, RANGE_SPAN_MAX);
			return -1;
		}
		if (mcc_span(it, n, &g->lo[g->nspan], &g->hi[g->nspan]) ==
		    -1) {
			snprintf(err, errsz, "MccGroup %s: \"%.*s\": want an "
			    "MCC (7995) or a span (3000-3999)", g->name, (int)n,
			    it);
			return -1;
		}
		g->nspan++;
	}
	return 0;
}

/* "NAME MCCS block" or "NAME MCCS limit AMOUNT". */
int
range_add_mccg(struct range *r, const char *line, char *err, size_t errsz)
{
	struct range_mccg g;
	const char *p = line, *it, *mccs, *act;
	size_t n, mn, an;
	char *end;

	memset(&g, 0, sizeof g);
	if ((n = next_item(&p, &it)) == 0 || n >= sizeof g.name) {
		snprintf(err, errsz, "MccGroup: want NAME MCCS block|limit N");
		return -1;
	}
	memcpy(g.name, it, n);
	while (*p == ' ' || *p == '\t')
		p++;
	mccs = p;
	/* The MCC list runs to the word "block" or "limit". */
	act = strstr(p, " block");
	if (act == NULL)
		act = strstr(p, " limit ");
	if (act == NULL || act == mccs) {
		snprintf(err, errsz, "MccGroup %s: want MCCS then block or "
		    "limit N", g.name);
		return -1;
	}
	mn = (size_t)(act - mccs);
	if (mccg_spans(&g, mccs, mn, err, errsz) == -1)
		return -1;
	p = act;
	an = next_item(&p, &it);
	if (an == 5 && strncmp(it, "block", 5) == 0) {
		g.block = 1;
	} else {
		n = next_item(&p, &it);
		g.limit = n > 0 && digits(it, n) && n <= 15 ?
		    strtoull(it, &end, 10) : 0;
		if (g.limit == 0) {
			snprintf(err, errsz, "MccGroup %s: limit: want an "
			    "amount in minor units above 0", g.name);
			return -1;
		}
	}
	if (next_item(&p, &it) != 0) {
		snprintf(err, errsz, "MccGroup %s: \"%s\": unexpected",
		    g.name, it);
		return -1;
	}
	if (r->nmccg == RANGE_MCCG_MAX) {
		snprintf(err, errsz, "MccGroup: more than %d in one range",
		    RANGE_MCCG_MAX);
		return -1;
	}
	r->mccg[r->nmccg++] = g;
	return 0;
}

/* A list of 3-character codes (digits, or capitals when alpha). */
static int
codes(const char *key, const char *list, int alpha, char (*out)[4],
    int max, int *nout, char *err, size_t errsz)
{
	const char *p = list, *it;
	size_t n;
	int k = 0;

	while ((n = next_item(&p, &it)) != 0) {
		if (n != 3 || !(digits(it, 3) || (alpha && upper(it, 3)))) {
			snprintf(err, errsz, "%s: \"%.*s\": want ISO %s codes",
			    key, (int)n, it, alpha ? "3166 numeric or alpha-3"
			    : "4217 numeric");
			return -1;
		}
		if (k == max) {
			snprintf(err, errsz, "%s: more than %d", key, max);
			return -1;
		}
		memcpy(out[k], it, 3);
		out[k++][3] = '\0';
	}
	*nout = k;
	return 0;
}

int
range_set_countries(struct range *r, const char *list, char *err,
    size_t errsz)
{
	return codes("Countries", list, 1, r->country, RANGE_COUNTRY_MAX,
	    &r->ncountry, err, errsz);
}

int
range_set_currencies(struct range *r, const char *list, char *err,
    size_t errsz)
{
	return codes("Currencies", list, 0, r->cur, RANGE_CUR_MAX, &r->ncur,
	    err, errsz);
}

int
range_table_check(const struct range_table *t, int *line, char *err,
    size_t errsz)
{
	const struct range *a, *b;
	int i, j, k, l;

	for (i = 0; i < t->n; i++) {
		a = &t->r[i];
		*line = a->line;
		if (strcmp(a->name, "default") == 0 && a->nprefix > 0) {
			snprintf(err, errsz, "[Range default]: takes no Prefix "
			    "(it applies when no prefix matches)");
			return -1;
		}
		if (strcmp(a->name, "default") != 0 && a->nprefix == 0) {
			snprintf(err, errsz, "[Range %s]: Prefix is required",
			    a->name);
			return -1;
		}
		for (j = i; j < t->n; j++) {
			b = &t->r[j];
			for (k = 0; k < a->nprefix; k++)
				for (l = i == j ? k + 1 : 0; l < b->nprefix;
				    l++) {
					if (strcmp(a->prefix[k], b->prefix[l])
					    != 0)
						continue;
					/* The later one is at fault; the
					 * earlier is named with its line so
					 * the operator finds both. */
					*line = b->line;
					if (i == j)
						snprintf(err, errsz, "[Range "
						    "%s]: Prefix %s listed "
						    "twice", b->name,
						    b->prefix[l]);
					else
						snprintf(err, errsz, "[Range "
						    "%s]: Prefix %s is also in "
						    "[Range %s] (line %d)",
						    b->name, b->prefix[l],
						    a->name, a->line);
					return -1;
				}
		}
	}
	return 0;
}

const struct range *
range_match(const struct range_table *t, const char *pan)
{
	static struct range builtin;
	const struct range *best = NULL, *dflt = NULL;
	size_t bl = 0, pl;
	int i, k;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->r[i].name, "default") == 0)
			dflt = &t->r[i];
		for (k = 0; k < t->r[i].nprefix; k++) {
			pl = strlen(t->r[i].prefix[k]);
			if (pl > bl && strncmp(pan, t->r[i].prefix[k], pl) ==
			    0) {
				best = &t->r[i];
				bl = pl;
			}
		}
	}
	if (best != NULL)
		return best;
	if (dflt != NULL)
		return dflt;
	if (builtin.share == 0)
		range_init(&builtin, "default");
	return &builtin;
}

const struct range_mccg *
range_mccg_find(const struct range *r, const char *mcc)
{
	unsigned v;
	int i, k;

	if (mcc == NULL || strlen(mcc) != 4 || !digits(mcc, 4))
		return NULL;
	v = (unsigned)atoi(mcc);
	for (i = 0; i < r->nmccg; i++)
		for (k = 0; k < r->mccg[i].nspan; k++)
			if (v >= r->mccg[i].lo[k] && v <= r->mccg[i].hi[k])
				return &r->mccg[i];
	return NULL;
}

int
range_has_country(const struct range *r, const char *code)
{
	int i;

	for (i = 0; i < r->ncountry; i++)
		if (strcmp(r->country[i], code) == 0)
			return 1;
	return 0;
}

int
range_has_currency(const struct range *r, const char *cur)
{
	int i;

	for (i = 0; i < r->ncur; i++)
		if (strcmp(r->cur[i], cur) == 0)
			return 1;
	return 0;
}

uint64_t
range_share_of(const struct range *r, uint64_t cap)
{
	return (uint64_t)((unsigned __int128)cap * r->share / 100);
}

static void
print_list(FILE *f, const char *key, const char (*v)[4], int n)
{
	int i;

	if (n == 0)
		return;
	fprintf(f, "%s =", key);
	for (i = 0; i < n; i++)
		fprintf(f, " %s", v[i]);
	fputc('\n', f);
}

static void
print_u64(FILE *f, const char *key, uint64_t v)
{
	if (v != 0)
		fprintf(f, "%s = %" PRIu64 "\n", key, v);
}

void
range_print(FILE *f, const struct range *r)
{
	const struct range_mccg *g;
	int i, k;

	fprintf(f, "[Range %s]\n", r->name);
	for (i = 0; i < r->nprefix; i++)
		fprintf(f, "Prefix = %s\n", r->prefix[i]);
	print_u64(f, "TxnLimit", r->txn_limit);
	print_u64(f, "DailyCount", r->daily_count);
	print_u64(f, "DailyAmount", r->daily_amount);
	fprintf(f, "Cash = %s\n", r->cash ? "yes" : "no");
	print_u64(f, "CashLimit", r->cash_limit);
	print_u64(f, "CashDailyAmount", r->cash_daily_amount);
	fprintf(f, "CredentialOnFile = %s\n", r->cof ? "yes" : "no");
	for (i = 0; i < r->nmccg; i++) {
		g = &r->mccg[i];
		fprintf(f, "MccGroup = %s ", g->name);
		for (k = 0; k < g->nspan; k++)
			if (g->lo[k] == g->hi[k])
				fprintf(f, "%s%04u", k ? "," : "", g->lo[k]);
			else
				fprintf(f, "%s%04u-%04u", k ? "," : "",
				    g->lo[k], g->hi[k]);
		if (g->block)
			fprintf(f, " block\n");
		else
			fprintf(f, " limit %" PRIu64 "\n", g->limit);
	}
	print_list(f, "Countries", (const char (*)[4])r->country, r->ncountry);
	print_list(f, "Currencies", (const char (*)[4])r->cur, r->ncur);
	fprintf(f, "ExposureShare = %u\n", r->share);
}
