/*
 * report.c — text and JSON reports.  The JSON is written by hand: the
 * content is numbers and fixed names, nothing that needs escaping beyond
 * the phase name, which we restrict when it is set.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "scheme-sim/report.h"

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

void
sim_report_text(FILE *f, const struct sim_report_ctx *ctx,
    const struct sim_stats *s)
{
	double t = secs(s);
	int i;
	char rc[3];

	fprintf(f, "%s: %.2f s, sent %llu, answered %llu (%.0f/s)\n", s->name,
	    t, (unsigned long long)s->sent, (unsigned long long)s->received,
	    t > 0 ? (double)s->received / t : 0.0);
	fprintf(f, "  DE39:");
	for (i = 0; i < SIM_RC_N; i++)
		if (s->by_rc[i]) {
			sim_rc_name(i, rc);
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
	fprintf(f, "  latency_us: p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f "
	    "max=%.1f mean=%.1f\n", us(hist_pct(&s->lat, 50)),
	    us(hist_pct(&s->lat, 90)), us(hist_pct(&s->lat, 99)),
	    us(hist_pct(&s->lat, 99.9)), us(s->lat.count ? s->lat.max : 0),
	    hist_mean(&s->lat) / 1000.0);
	if (ctx->deadline_ns)
		fprintf(f, "  deadline %.1fms: misses=%llu\n",
		    (double)ctx->deadline_ns / 1e6,
		    (unsigned long long)s->deadline_miss);
}

static void
json_stats(FILE *f, const struct sim_stats *s)
{
	double t = secs(s);
	int i, first = 1;
	char rc[3];

	fprintf(f, "{\"name\":\"%s\",\"seconds\":%.3f,\"sent\":%llu,"
	    "\"received\":%llu,\"rate\":%.1f,\"by_rc\":{", s->name, t,
	    (unsigned long long)s->sent, (unsigned long long)s->received,
	    t > 0 ? (double)s->received / t : 0.0);
	for (i = 0; i < SIM_RC_N; i++)
		if (s->by_rc[i]) {
			sim_rc_name(i, rc);
			fprintf(f, "%s\"%s\":%llu", first ? "" : ",", rc,
			    (unsigned long long)s->by_rc[i]);
			first = 0;
		}
	fprintf(f, "},\"rc_other\":%llu,\"approved\":{\"core\":%llu,"
	    "\"other\":%llu},", (unsigned long long)s->rc_other,
	    (unsigned long long)s->approved_core,
	    (unsigned long long)s->approved_other);
	fprintf(f, "\"errors\":{\"total\":%llu,\"rc_unexpected\":%llu,"
	    "\"mismatch\":%llu,\"timeout\":%llu,\"late\":%llu,"
	    "\"unexpected\":%llu,\"decode\":%llu},",
	    (unsigned long long)sim_stats_errors(s),
	    (unsigned long long)s->rc_unexpected,
	    (unsigned long long)s->mismatch, (unsigned long long)s->timeouts,
	    (unsigned long long)s->late, (unsigned long long)s->unexpected,
	    (unsigned long long)s->decode_err);
	fprintf(f, "\"deadline_miss\":%llu,\"netmgmt\":%llu,\"incoming\":%llu,",
	    (unsigned long long)s->deadline_miss,
	    (unsigned long long)s->netmgmt, (unsigned long long)s->incoming);
	fprintf(f, "\"latency_us\":{\"count\":%llu,\"min\":%.1f,\"p50\":%.1f,"
	    "\"p90\":%.1f,\"p99\":%.1f,\"p99_9\":%.1f,\"max\":%.1f,"
	    "\"mean\":%.1f}}", (unsigned long long)s->lat.count,
	    us(s->lat.count ? s->lat.min : 0), us(hist_pct(&s->lat, 50)),
	    us(hist_pct(&s->lat, 90)), us(hist_pct(&s->lat, 99)),
	    us(hist_pct(&s->lat, 99.9)), us(s->lat.count ? s->lat.max : 0),
	    hist_mean(&s->lat) / 1000.0);
}

int
sim_report_json(const char *path, const struct sim_report_ctx *ctx,
    const struct sim_stats *total, const struct sim_stats *phases,
    int nphases)
{
	FILE *f;
	int i;

	if ((f = fopen(path, "w")) == NULL) {
		log_warn("json report %s", path);
		return -1;
	}
	fprintf(f, "{\"profile\":\"%s\",\"framing\":\"%s\",\"conns\":%d,"
	    "\"target_rate\":%llu,\"inflight\":%llu,\"deadline_us\":%.1f,"
	    "\"kernel_rx_timestamps\":%s,\"total\":", ctx->profile,
	    ctx->framing, ctx->conns, (unsigned long long)ctx->rate,
	    (unsigned long long)ctx->inflight, us(ctx->deadline_ns),
	    ctx->kernel_ts ? "true" : "false");
	json_stats(f, total);
	fprintf(f, ",\"phases\":[");
	for (i = 0; i < nphases; i++) {
		if (i)
			fputc(',', f);
		json_stats(f, &phases[i]);
	}
	fprintf(f, "]}\n");
	if (fclose(f) == EOF) {
		log_warn("json report %s", path);
		return -1;
	}
	return 0;
}

void
sim_report_progress(FILE *f, double t_s, const struct sim_stats *iv,
    const struct sim_stats *total, uint64_t inflight)
{
	double dt = (double)(iv->t_end_ns - iv->t_start_ns) / 1e9;

	fprintf(f, "t=%.0fs sent=%llu answered=%llu rate=%.0f/s inflight=%llu "
	    "p50_us=%.0f p99_us=%.0f max_us=%.0f errors=%llu deadline_miss=%llu\n",
	    t_s, (unsigned long long)total->sent,
	    (unsigned long long)total->received,
	    dt > 0 ? (double)iv->received / dt : 0.0,
	    (unsigned long long)inflight, us(hist_pct(&iv->lat, 50)),
	    us(hist_pct(&iv->lat, 99)), us(iv->lat.count ? iv->lat.max : 0),
	    (unsigned long long)sim_stats_errors(total),
	    (unsigned long long)total->deadline_miss);
	fflush(f);
}
