/*
 * cfgrange.c — the `[Range NAME]` sections: the stand-in's parameter
 * tables (ARCHITECTURE section 6).  Each key's value is parsed by
 * range.c, so the reader, `gatewayd -n` and the rules share one meaning;
 * printing is range_print's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/cfg-int.h"

#define RK(f)	offsetof(struct range, f)

/* The amounts and counts: minor units or a number, 0 = none. */
static const struct {
	const char	*key;
	size_t		 off;
} amounts[] = {
	{ "TxnLimit", RK(txn_limit) },
	{ "DailyCount", RK(daily_count) },
	{ "DailyAmount", RK(daily_amount) },
	{ "CashLimit", RK(cash_limit) },
	{ "CashDailyAmount", RK(cash_daily_amount) },
};

static int
yesno(struct pctx *px, const char *key, const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0)
		*out = 0;
	else {
		cfg_error(px, "%s: \"%.40s\": want yes or no", key, v);
		return 0;
	}
	return 1;
}

/* Lists: the parser's message, prefixed by nothing (it names the key). */
static int
list(struct pctx *px, int rc, const char *err)
{
	if (rc == -1) {
		cfg_error(px, "%s", err);
		return 0;
	}
	return 1;
}

int
cfg_range_new(struct pctx *px, const char *name)
{
	struct range_table *t = &px->c->ranges;
	int i;

	if (!cfg_valid_name(name) || strlen(name) >= RANGE_NAME_MAX) {
		cfg_error(px, "[Range %s]: bad range name", name);
		return 0;
	}
	for (i = 0; i < t->n; i++)
		if (strcmp(t->r[i].name, name) == 0) {
			cfg_error(px, "[Range %s]: range defined twice", name);
			return 0;
		}
	if (t->n == RANGE_MAX) {
		cfg_error(px, "[Range %s]: more than %d ranges", name,
		    RANGE_MAX);
		return 0;
	}
	px->range = &t->r[t->n++];
	range_init(px->range, name);
	px->range->line = px->sect_line;
	return 1;
}

/* 1, 0 after cfg_error, -1 when [Range] has no such key. */
int
cfg_range_key(struct pctx *px, const char *key, const char *v)
{
	struct range *r = px->range;
	char err[200];
	uint64_t n;
	size_t i;

	for (i = 0; i < sizeof amounts / sizeof amounts[0]; i++)
		if (strcasecmp(key, amounts[i].key) == 0) {
			if (cfg_u64(v, UINT64_MAX / 4, &n) == -1) {
				cfg_error(px, "%s: \"%.40s\": want a number "
				    "(0: none)", amounts[i].key, v);
				return 0;
			}
			memcpy((char *)r + amounts[i].off, &n, sizeof n);
			return 1;
		}
	if (strcasecmp(key, "Prefix") == 0)
		return list(px, range_add_prefixes(r, v, err, sizeof err), err);
	if (strcasecmp(key, "MccGroup") == 0)
		return list(px, range_add_mccg(r, v, err, sizeof err), err);
	if (strcasecmp(key, "Countries") == 0)
		return list(px, range_set_countries(r, v, err, sizeof err),
		    err);
	if (strcasecmp(key, "Currencies") == 0)
		return list(px, range_set_currencies(r, v, err, sizeof err),
		    err);
	if (strcasecmp(key, "Cash") == 0)
		return yesno(px, "Cash", v, &r->cash);
	if (strcasecmp(key, "CredentialOnFile") == 0)
		return yesno(px, "CredentialOnFile", v, &r->cof);
	if (strcasecmp(key, "ExposureShare") == 0) {
		snprintf(err, sizeof err, "%s", v);
		if ((i = strlen(err)) > 0 && err[i - 1] == '%')
			err[i - 1] = '\0';
		if (cfg_u64(err, 100, &n) == -1) {
			cfg_error(px, "ExposureShare: \"%.40s\": want a "
			    "percentage, 0..100", v);
			return 0;
		}
		r->share = (unsigned)n;
		return 1;
	}
	return -1;
}
