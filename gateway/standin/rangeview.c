/*
 * rangeview.c — `gatewayctl standin`'s parameter tables: each range's
 * limits as configured, and from the store its approvals today (count
 * and amount) and its outstanding exposure against its share of the cap.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "base/clock.h"
#include "gateway/standin/si.h"

/* The built-in default is shown when no range is configured. */
struct rview {
	const struct range *r;
	uint64_t	 count, amount, exposure;
};

struct rview_job {
	struct store_job job;
	char		 day[9];
	int		 n;
	struct rview	 v[RANGE_MAX + 1];
};

static int
rview_run(struct store_txn *t, void *arg)
{
	struct rview_job *j = arg;
	uint8_t k[2 + 8 + RANGE_NAME_MAX];
	size_t kl;
	int i, rc;

	for (i = 0; i < j->n; i++) {
		kl = si_range_key('c', j->day, j->v[i].r->name, k);
		if ((rc = store_get_u64(t, STORE_EXPOSURE, k, kl,
		    &j->v[i].count)) != 0)
			return rc;
		kl = si_range_key('a', j->day, j->v[i].r->name, k);
		if ((rc = store_get_u64(t, STORE_EXPOSURE, k, kl,
		    &j->v[i].amount)) != 0)
			return rc;
		kl = si_range_key('E', NULL, j->v[i].r->name, k);
		if ((rc = store_get_u64(t, STORE_EXPOSURE, k, kl,
		    &j->v[i].exposure)) != 0)
			return rc;
	}
	return 0;
}

/* The ranges and their counters: 0, or -1 (no store, or it failed). */
static int
rview_read(struct rview_job *j)
{
	const struct range_table *t = &SI.conf.ranges;
	char yymm[5];
	int i, dflt = 0;

	memset(j, 0, sizeof *j);
	for (i = 0; i < t->n; i++) {
		j->v[j->n++].r = &t->r[i];
		dflt |= strcmp(t->r[i].name, "default") == 0;
	}
	if (!dflt)
		j->v[j->n++].r = range_match(t, "");
	si_utc_day(wall_us(), j->day, yymm);
	j->job.run = rview_run;
	j->job.arg = j;
	return SI.st != NULL && store_run_now(SI.st, &j->job, 0) == 0 ? 0 : -1;
}

static void
prefixes(const struct range *r, char *out, size_t cap)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < r->nprefix && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "",
		    r->prefix[i]);
	if (r->nprefix == 0)
		snprintf(out, cap, "(none)");
}

void
si_ranges_text(struct evbuffer *b)
{
	struct rview_job j;
	const struct range *r;
	char p[64];
	int i;

	if (rview_read(&j) == -1) {
		evbuffer_add_printf(b, "ranges: store not readable\n");
		return;
	}
	evbuffer_add_printf(b, "%-12s %-20s %9s %6s %10s %4s %4s %5s %5s "
	    "%8s %12s %12s %12s\n", "range", "prefixes", "txn_limit", "count",
	    "daily_amt", "cash", "cof", "mccg", "share", "today_n",
	    "today_amt", "exposure", "share_cap");
	for (i = 0; i < j.n; i++) {
		r = j.v[i].r;
		prefixes(r, p, sizeof p);
		evbuffer_add_printf(b, "%-12s %-20s %9" PRIu64 " %6" PRIu64
		    " %10" PRIu64 " %4s %4s %5d %4u%% %8" PRIu64 " %12" PRIu64
		    " %12" PRIu64 " %12" PRIu64 "\n", r->name, p, r->txn_limit,
		    r->daily_count, r->daily_amount, r->cash ? "yes" : "no",
		    r->cof ? "yes" : "no", r->nmccg, r->share, j.v[i].count,
		    j.v[i].amount, j.v[i].exposure,
		    range_share_of(r, SI.rules.exposure_cap));
	}
}

static json_t *
range_json(const struct rview *v)
{
	const struct range *r = v->r;
	json_t *o, *a;
	int i;

	o = json_pack("{s:s,s:I,s:I,s:I,s:b,s:I,s:I,s:b,s:i,s:I,s:I,s:I,s:I}",
	    "name", r->name, "txn_limit", (json_int_t)r->txn_limit,
	    "daily_count", (json_int_t)r->daily_count,
	    "daily_amount", (json_int_t)r->daily_amount, "cash", r->cash,
	    "cash_limit", (json_int_t)r->cash_limit,
	    "cash_daily_amount", (json_int_t)r->cash_daily_amount,
	    "cof", r->cof, "share", (int)r->share,
	    "share_cap", (json_int_t)range_share_of(r, SI.rules.exposure_cap),
	    "today_count", (json_int_t)v->count,
	    "today_amount", (json_int_t)v->amount,
	    "exposure", (json_int_t)v->exposure);
	if (o == NULL)
		return NULL;
	a = json_array();
	for (i = 0; i < r->nprefix; i++)
		json_array_append_new(a, json_string(r->prefix[i]));
	json_object_set_new(o, "prefixes", a);
	a = json_array();
	for (i = 0; i < r->nmccg; i++)
		json_array_append_new(a, json_pack("{s:s,s:b,s:I}", "name",
		    r->mccg[i].name, "block", r->mccg[i].block, "limit",
		    (json_int_t)r->mccg[i].limit));
	json_object_set_new(o, "mcc_groups", a);
	return o;
}

json_t *
si_ranges_json(void)
{
	struct rview_job j;
	json_t *a;
	int i;

	if (rview_read(&j) == -1)
		return json_null();
	a = json_array();
	for (i = 0; i < j.n; i++)
		json_array_append_new(a, range_json(&j.v[i]));
	return a;
}
