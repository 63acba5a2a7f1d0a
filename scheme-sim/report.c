/*
 * report.c — text and JSON reports.  The percentiles both print come
 * from one table; the JSON is built with jansson (jsonout.c).
 */
#include <stdio.h>
#include <string.h>

#include "scheme-sim/jsonout.h"
#include "scheme-sim/report.h"

static const struct {
	const char	*text;		/* name in the text report */
	const char	*json;		/* key in the JSON */
	double		 p;
} pcts[] = {
	{ "p50", "p50", 50 },
	{ "p90", "p90", 90 },
	{ "p99", "p99", 99 },
	{ "p99.9", "p99_9", 99.9 },
};

#define NPCTS	(sizeof pcts / sizeof pcts[0])

static double
us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static double
secs(const struct sim_stats *s)
{
	return (double)(s->t_end_ns - s->t_start_ns) / 1e9;
}

static double
rate(const struct sim_stats *s)
{
	double t = secs(s);

	return t > 0 ? (double)s->received / t : 0.0;
}

void
sim_report_text(FILE *f, const struct sim_report_ctx *ctx,
    const struct sim_stats *s)
{
	size_t i;
	char rc[3];

	fprintf(f, "%s: %.2f s, sent %llu, answered %llu (%.0f/s)\n", s->name,
	    secs(s), (unsigned long long)s->sent,
	    (unsigned long long)s->received, rate(s));
	fprintf(f, "  DE39:");
	for (i = 0; i < SIM_RC_N; i++)
		if (s->by_rc[i]) {
			sim_rc_name((int)i, rc);
			fprintf(f, " %s=%llu", rc,
			    (unsigned long long)s->by_rc[i]);
		}
	if (s->rc_other)
		fprintf(f, " other=%llu", (unsigned long long)s->rc_other);
	fprintf(f, "\n  approvals: core=%llu other=%llu\n",
	    (unsigned long long)s->approved_core,
	    (unsigned long long)s->approved_other);
	fprintf(f, "  errors: %llu (rc_unexpected=%llu mismatch=%llu "
	    "timeout=%llu late=%llu unexpected=%llu decode=%llu)\n",
	    (unsigned long long)sim_stats_errors(s),
	    (unsigned long long)s->rc_unexpected,
	    (unsigned long long)s->mismatch, (unsigned long long)s->timeouts,
	    (unsigned long long)s->late, (unsigned long long)s->unexpected,
	    (unsigned long long)s->decode_err);
	fprintf(f, "  latency_us:");
	for (i = 0; i < NPCTS; i++)
		fprintf(f, " %s=%.1f", pcts[i].text,
		    us(hist_pct(&s->lat, pcts[i].p)));
	fprintf(f, " max=%.1f mean=%.1f\n", us(s->lat.count ? s->lat.max : 0),
	    hist_mean(&s->lat) / 1000.0);
	if (ctx->deadline_ns)
		fprintf(f, "  deadline %.1fms: misses=%llu\n",
		    (double)ctx->deadline_ns / 1e6,
		    (unsigned long long)s->deadline_miss);
}

static json_t *
json_by_rc(const struct sim_stats *s)
{
	json_t *o = json_object();
	char rc[3];
	int i;

	for (i = 0; o != NULL && i < SIM_RC_N; i++)
		if (s->by_rc[i]) {
			sim_rc_name(i, rc);
			if (sim_json_set_u64(o, rc, s->by_rc[i]) == -1) {
				json_decref(o);
				o = NULL;
			}
		}
	return o;
}

static json_t *
json_latency(const struct hist *h)
{
	json_t *o;
	size_t i;

	o = json_pack("{s:I, s:o}", "count", (json_int_t)h->count, "min",
	    sim_json_fixed(us(h->count ? h->min : 0), 1));
	for (i = 0; o != NULL && i < NPCTS; i++)
		if (json_object_set_new(o, pcts[i].json,
		    sim_json_fixed(us(hist_pct(h, pcts[i].p)), 1)) == -1) {
			json_decref(o);
			o = NULL;
		}
	if (o != NULL && (json_object_set_new(o, "max",
	    sim_json_fixed(us(h->count ? h->max : 0), 1)) == -1 ||
	    json_object_set_new(o, "mean",
	    sim_json_fixed(hist_mean(h) / 1000.0, 1)) == -1)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static json_t *
json_stats(const struct sim_stats *s)
{
	return json_pack("{s:s, s:o, s:I, s:I, s:o, s:o, s:I, "
	    "s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, "
	    "s:I, s:I, s:I, s:o}",
	    "name", s->name,
	    "seconds", sim_json_fixed(secs(s), 3),
	    "sent", (json_int_t)s->sent,
	    "received", (json_int_t)s->received,
	    "rate", sim_json_fixed(rate(s), 1),
	    "by_rc", json_by_rc(s),
	    "rc_other", (json_int_t)s->rc_other,
	    "approved",
		"core", (json_int_t)s->approved_core,
		"other", (json_int_t)s->approved_other,
	    "errors",
		"total", (json_int_t)sim_stats_errors(s),
		"rc_unexpected", (json_int_t)s->rc_unexpected,
		"mismatch", (json_int_t)s->mismatch,
		"timeout", (json_int_t)s->timeouts,
		"late", (json_int_t)s->late,
		"unexpected", (json_int_t)s->unexpected,
		"decode", (json_int_t)s->decode_err,
	    "deadline_miss", (json_int_t)s->deadline_miss,
	    "netmgmt", (json_int_t)s->netmgmt,
	    "incoming", (json_int_t)s->incoming,
	    "latency_us", json_latency(&s->lat));
}

int
sim_report_json(const char *path, const struct sim_report_ctx *ctx,
    const struct sim_stats *total, const struct sim_stats *phases,
    int nphases)
{
	json_t *list, *doc;
	int i;

	list = json_array();
	for (i = 0; list != NULL && i < nphases; i++)
		if (json_array_append_new(list, json_stats(&phases[i])) == -1) {
			json_decref(list);
			list = NULL;
		}
	doc = json_pack("{s:s, s:s, s:i, s:I, s:I, s:o, s:b, s:o, s:o}",
	    "profile", ctx->profile,
	    "framing", ctx->framing,
	    "conns", ctx->conns,
	    "target_rate", (json_int_t)ctx->rate,
	    "inflight", (json_int_t)ctx->inflight,
	    "deadline_us", sim_json_fixed(us(ctx->deadline_ns), 1),
	    "kernel_rx_timestamps", ctx->kernel_ts,
	    "total", json_stats(total),
	    "phases", list);
	if (ctx->extra != NULL) {
		if (doc != NULL && json_object_update(doc, ctx->extra) == -1) {
			json_decref(doc);
			doc = NULL;
		}
		json_decref(ctx->extra);
	}
	return sim_json_save(path, doc);
}

void
sim_report_progress(FILE *f, double t_s, const struct sim_stats *iv,
    const struct sim_stats *total, uint64_t inflight)
{
	fprintf(f, "t=%.0fs sent=%llu answered=%llu rate=%.0f/s inflight=%llu "
	    "p50_us=%.0f p99_us=%.0f max_us=%.0f errors=%llu "
	    "deadline_miss=%llu\n",
	    t_s, (unsigned long long)total->sent,
	    (unsigned long long)total->received, rate(iv),
	    (unsigned long long)inflight, us(hist_pct(&iv->lat, 50)),
	    us(hist_pct(&iv->lat, 99)), us(iv->lat.count ? iv->lat.max : 0),
	    (unsigned long long)sim_stats_errors(total),
	    (unsigned long long)total->deadline_miss);
	fflush(f);
}
