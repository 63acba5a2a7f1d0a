/*
 * siview.c — what operators see of the stand-in: `gatewayctl standin`
 * and `gatewayctl saf` (text, or JSON built with jansson) and the
 * gatewayd_standin_*, _store_* and _saf_* metrics.
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "base/clock.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"

struct row {
	const char	*key;
	uint64_t	 v;
	int		 nl;		/* ends a line of the text form */
};

/* The counters both forms show, in order; n rows at most. */
static size_t
standin_rows(struct row *r, size_t n)
{
	struct store_stats s;
	size_t i = 0;

	store_stats(SI.st, &s);
#define ROW(k, val, endl) do {						\
	if (i < n)							\
		r[i++] = (struct row){ (k), (val), (endl) };		\
} while (0)
	ROW("approvals", SI.approvals, 0);
	ROW("approved_amount", SI.approved_amount, 0);
	ROW("reversals", SI.reversals, 0);
	ROW("released_amount", SI.released_amount, 1);
	ROW("settled_amount", SI.settled_amount, 0);
	ROW("pruned_decisions", SI.pruned_decisions, 0);
	ROW("pruned_keys", SI.pruned_keys, 0);
	ROW("exposure", SI.exposure, 0);
	ROW("exposure_cap", SI.rules.exposure_cap, 1);
	/* the pair's split (share.c): every budget is cut to this */
	ROW("paired", (uint64_t)SI.conf.paired, 0);
	ROW("share_percent", SI.share, 0);
	ROW("share_version", SI.share_version, 0);
	ROW("peer_held", SI.peer_held, 0);
	ROW("peer_refused", SI.peer_refused, 0);
	ROW("duplicates_of_peer", SI.dup_peer, 1);
	ROW("snapshot_version", SI.snapshot_version, 0);
	ROW("snapshot_not_newer", SI.snapshot_old, 0);
	ROW("snapshot_age_s", si_snapshot_age(), 0);
	ROW("max_snapshot_age_s", SI.conf.max_age_s, 0);
	ROW("snapshot_stale", si_snapshot_age() > SI.conf.max_age_s, 0);
	ROW("stale_91", SI.stale_91, 1);
	ROW("decisions", SI.decided, 1);
	ROW("map_full", SI.map_full, 0);
	ROW("deadline_91", SI.deadline_91, 0);
	ROW("late_voids", SI.voids, 0);
	ROW("hsm_91", SI.hsm_91, 1);
	/* admission's estimate of a new decision's time through
	 * (gateway/admit.c: shed_busy) and what it is made of */
	ROW("wait_us", standin_wait_us(), 0);
	ROW("wait_base_us", little_base(&SI.load), 0);
	ROW("wait_gap_us", little_gap(&SI.load), 0);
	ROW("wait_batch_pace_us", little_pace(&SI.load), 1);
	ROW("batches", s.batches, 0);
	ROW("max_batch", s.max_batch, 0);
	ROW("lookups_on_loop", s.lookups_loop, 0);
	ROW("lookup_faults", s.lookup_faults, 0);
	ROW("commit_us_avg", s.commit_us_total / (s.batches ? s.batches :
	    1), 0);
	ROW("commit_us_max", s.commit_us_max, 1);
	ROW("map_used", s.map_used, 0);
	ROW("map_size", s.map_size, 0);
	/* what the commits write: /proc/PID/task/TID/io (bench-standin) */
	ROW("store_writer_tid", s.writer_tid, 1);
#undef ROW
	return i;
}

void
standin_text(struct evbuffer *b)
{
	struct row r[48];
	size_t i, n;

	if (!SI.up) {
		evbuffer_add_printf(b, "store: not open (decline 91)\n");
		return;
	}
	n = standin_rows(r, sizeof r / sizeof r[0]);
	for (i = 0; i < n; i++)
		evbuffer_add_printf(b, "%s: %llu%s", r[i].key,
		    (unsigned long long)r[i].v, r[i].nl ? "\n" : "  ");
	if (si_snapshot_age() > SI.conf.max_age_s)
		evbuffer_add_printf(b, "STALE SNAPSHOT: stand-in declines 91 "
		    "until the core pushes a newer one\n");
	si_ranges_text(b);
}

json_t *
standin_json(void)
{
	struct row r[48];
	size_t i, n;
	json_t *o;

	if (!SI.up)
		return json_pack("{s:s}", "store", "closed");
	o = json_object();
	n = standin_rows(r, sizeof r / sizeof r[0]);
	for (i = 0; i < n; i++)
		json_object_set_new(o, r[i].key, json_integer(
		    (json_int_t)r[i].v));
	json_object_set_new(o, "ranges", si_ranges_json());
	return o;
}

int
standin_saf_control(const char *what)
{
	if (strcmp(what, "pause") == 0)
		saf_pause(1);
	else if (strcmp(what, "resume") == 0) {
		saf_pause(0);
		saf_run(now_us());
	} else if (strcmp(what, "replay") == 0)
		saf_replay(now_us());
	else
		return -1;
	return 0;
}

void
standin_saf_text(struct evbuffer *b)
{
	struct saf_stats s;

	saf_get_stats(&s);
	evbuffer_add_printf(b, "saf: depth %llu (in memory %llu)  oldest "
	    "%llu ms  head id %llu attempts %llu  max attempts %llu%s%s\n"
	    "sent %llu  resent %llu  acked %llu  appended %llu  last id %llu\n"
	    "in-memory advices (91s of stand-in off and admission) dropped "
	    "when full: %llu\n",
	    (unsigned long long)s.depth, (unsigned long long)s.in_memory,
	    (unsigned long long)(s.oldest_age_us / 1000),
	    (unsigned long long)s.head_id,
	    (unsigned long long)s.head_attempts,
	    (unsigned long long)s.max_attempts,
	    s.durable ? "" : "  NOT DURABLE (no store)",
	    s.paused ? "  PAUSED (gatewayctl saf in resume)" : "",
	    (unsigned long long)s.sent, (unsigned long long)s.resent,
	    (unsigned long long)s.acked, (unsigned long long)s.appended,
	    (unsigned long long)s.next_id,
	    (unsigned long long)s.memory_dropped);
}

json_t *
standin_saf_json(void)
{
	struct saf_stats s;

	saf_get_stats(&s);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,"
	    "s:b,s:I,s:s,s:I}",
	    "depth", (json_int_t)s.depth, "in_memory", (json_int_t)s.in_memory,
	    "oldest_age_ms", (json_int_t)(s.oldest_age_us / 1000),
	    "head_id", (json_int_t)s.head_id,
	    "head_attempts", (json_int_t)s.head_attempts,
	    "max_attempts", (json_int_t)s.max_attempts,
	    "sent", (json_int_t)s.sent, "resent", (json_int_t)s.resent,
	    "acked", (json_int_t)s.acked, "appended", (json_int_t)s.appended,
	    "last_id", (json_int_t)s.next_id,
	    "memory_dropped", (json_int_t)s.memory_dropped,
	    "durable", s.durable, "paused", s.paused,
	    "imported", (json_int_t)SI.imported,
	    /* where `gatewayctl saf import` puts a file (import/) */
	    "state_dir", SI.conf.state_dir,
	    /* the store's first advice id (they go on from its creation) */
	    "first_id", (json_int_t)SI.saf_base_id + 1);
}

int
standin_snapshot_info(uint64_t *version, uint64_t *age_s)
{
	*version = SI.snapshot_version;
	*age_s = si_snapshot_age();
	return SI.up && *age_s > SI.conf.max_age_s;
}

uint64_t
standin_queue_depth(void)
{
	struct saf_stats s;

	saf_get_stats(&s);
	return s.depth;
}

/* One metric: its type line and its value. */
static void
metric(struct evbuffer *b, const char *name, const char *type, uint64_t v)
{
	evbuffer_add_printf(b, "# TYPE gatewayd_%s %s\ngatewayd_%s %llu\n",
	    name, type, name, (unsigned long long)v);
}

static void
saf_metrics(struct evbuffer *b)
{
	struct saf_stats s;

	saf_get_stats(&s);
	metric(b, "saf_depth", "gauge", s.depth);
	evbuffer_add_printf(b, "# TYPE gatewayd_saf_oldest_age_seconds gauge\n"
	    "gatewayd_saf_oldest_age_seconds %.3f\n",
	    (double)s.oldest_age_us / 1e6);
	metric(b, "saf_head_attempts", "gauge", s.head_attempts);
	metric(b, "saf_sent_total", "counter", s.sent);
	metric(b, "saf_resent_total", "counter", s.resent);
	metric(b, "saf_acked_total", "counter", s.acked);
	metric(b, "saf_memory_dropped_total", "counter", s.memory_dropped);
}

/* The stand-in's counters while it is up; the queue's in either mode. */
void
standin_metrics(struct evbuffer *b)
{
	struct store_stats s;

	if (SI.up) {
		store_stats(SI.st, &s);
		metric(b, "standin_exposure", "gauge", SI.exposure);
		metric(b, "standin_approvals_total", "counter", SI.approvals);
		metric(b, "standin_reversals_total", "counter", SI.reversals);
		metric(b, "standin_store_full_total", "counter", SI.map_full);
		metric(b, "standin_store_errors_total", "counter",
		    SI.store_errors);
		metric(b, "standin_deadline_declines_total", "counter",
		    SI.deadline_91);
		metric(b, "standin_hsm_declines_total", "counter", SI.hsm_91);
		metric(b, "standin_durable_duplicates_total", "counter",
		    SI.dup_durable);
		metric(b, "snapshot_version", "gauge", SI.snapshot_version);
		metric(b, "snapshot_not_newer_total", "counter",
		    SI.snapshot_old);
		metric(b, "snapshot_age_seconds", "gauge", si_snapshot_age());
		metric(b, "snapshot_stale", "gauge", si_snapshot_age() >
		    SI.conf.max_age_s);
		metric(b, "standin_stale_declines_total", "counter",
		    SI.stale_91);
		metric(b, "store_batches_total", "counter", s.batches);
		metric(b, "store_jobs_total", "counter", s.jobs);
		metric(b, "store_max_batch", "gauge", s.max_batch);
		metric(b, "store_lookup_faults_total", "counter",
		    s.lookup_faults);
		metric(b, "store_map_used_bytes", "gauge", s.map_used);
		metric(b, "store_map_size_bytes", "gauge", s.map_size);
	}
	saf_metrics(b);
}
