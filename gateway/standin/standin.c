/*
 * standin.c — the stand-in's life: the state key, the store and the HSM
 * client opened at start, the durable counters read back, the advice
 * queue loaded and sent while a core is up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "hsm/client/hsmclient.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"

#define SAF_RETRY_US	1000000
#define SAF_INFLIGHT	128
/* The HSM answers within a request's deadline or the deadline guard
 * answers 91 first; this only bounds a lost reply. */
#define HSM_TIMEOUT_MS	30


struct counters_job {
	struct store_job job;
	uint64_t	 exposure, approvals, amount, reversals, released,
			 version, snap_time, format, decisions, force,
			 peer_held, base;
};

static int
counters_run(struct store_txn *t, void *arg)
{
	struct counters_job *c = arg;
	int rc;

	if ((rc = store_get_u64(t, STORE_EXPOSURE, "T", 1, &c->exposure)) ||
	    (rc = store_get_u64(t, STORE_META, "approvals", 9,
	    &c->approvals)) ||
	    (rc = store_get_u64(t, STORE_META, "approved_amount", 15,
	    &c->amount)) ||
	    (rc = store_get_u64(t, STORE_META, "reversals", 9,
	    &c->reversals)) ||
	    (rc = store_get_u64(t, STORE_META, "released_amount", 15,
	    &c->released)) ||
	    (rc = store_get_u64(t, STORE_META, "snapshot_version", 16,
	    &c->version)) ||
	    (rc = store_get_u64(t, STORE_META, "snapshot_time", 13,
	    &c->snap_time)) ||
	    (rc = store_get_u64(t, STORE_META, "force", 5, &c->force)) ||
	    (rc = store_get_u64(t, STORE_META, "store_format", 12,
	    &c->format)) ||
	    (rc = store_get_u64(t, STORE_META, "saf_next_id", 11,
	    &c->decisions)) ||
	    (rc = store_get_u64(t, STORE_META, "peer_held", 9,
	    &c->peer_held)) ||
	    (rc = store_get_u64(t, STORE_META, "saf_base_id", 11, &c->base)))
		return rc;
	return 0;
}

/* A store this build does not read the records of (an older layout of
 * `decisions`) is refused, not misread; an empty one is stamped. */
static int
format_run(struct store_txn *t, void *arg)
{
	const uint64_t *base = arg;
	int rc;

	/* Advice ids go on from the store's creation time in µs, not from
	 * 1: the core keeps one advice per (gateway, advice id), and a
	 * store recreated under the same name must not reuse ids it has
	 * seen (its new advices would be taken for repeats). */
	if ((rc = store_put_u64(t, STORE_META, "saf_next_id", 11, *base)) ||
	    (rc = store_put_u64(t, STORE_META, "saf_base_id", 11, *base)))
		return rc;
	return store_put_u64(t, STORE_META, "store_format", 12,
	    STORE_FORMAT);
}

static int
load_counters(char *err, size_t errsz)
{
	struct counters_job cj;
	int rc;

	memset(&cj, 0, sizeof cj);
	cj.job.run = counters_run;
	cj.job.arg = &cj;
	if ((rc = store_run_now(SI.st, &cj.job, 0)) != 0) {
		snprintf(err, errsz, "store: %s", store_strerror(rc));
		return -1;
	}
	SI.exposure = cj.exposure;
	SI.approvals = cj.approvals;
	SI.approved_amount = cj.amount;
	SI.reversals = cj.reversals;
	SI.released_amount = cj.released;
	SI.snapshot_version = cj.version;
	SI.snapshot_wall_us = cj.snap_time;
	SI.peer_held = cj.peer_held;
	SI.saf_base_id = cj.base;
	SI.force_stored = cj.force >= 1 && cj.force <= 3 ? (int)cj.force - 1 :
	    -1;
	if (cj.format == STORE_FORMAT)
		return 0;
	if (cj.format != 0 || cj.version != 0 || cj.approvals != 0 ||
	    cj.decisions != 0) {
		snprintf(err, errsz, "store in %s has layout %llu, this "
		    "gatewayd writes %d: deliver its advices with the gatewayd "
		    "that wrote it, then move it aside", SI.conf.state_dir,
		    (unsigned long long)cj.format, STORE_FORMAT);
		return -1;
	}
	memset(&cj, 0, sizeof cj);
	cj.job.run = format_run;
	cj.base = wall_us();
	cj.job.arg = &cj.base;
	if ((rc = store_run_now(SI.st, &cj.job, 1)) != 0) {
		snprintf(err, errsz, "store: %s", store_strerror(rc));
		return -1;
	}
	SI.saf_base_id = cj.base;
	return 0;
}

static int
saf_send(uint64_t id, const uint8_t *b, size_t len, void *arg)
{
	(void)arg;
	return SI.ops->send(NULL, COREFR_ADVICE, id, b, len);
}

void
standin_reconfigure(const struct standin_conf *c)
{
	struct sirules_cfg r;

	memset(&r, 0, sizeof r);
	r.off = c->mode == STANDIN_OFF;
	r.max_amount = c->max_amount;
	r.exposure_cap = c->exposure_cap;
	if (sirules_parse_mcc(&r, c->block_mcc) == -1)
		log_warnx("event=standin_bad_blockmcc value=\"%s\"",
		    c->block_mcc);
	SI.rules = r;
	SI.conf = *c;
	si_share_reconfigure();
}

/* Approvals whose advices the core acknowledged: no longer outstanding
 * (the store's figure moved in the same transaction; this is its mirror),
 * and no longer kept past KeepDecisions. */
static void
settled(const struct saf_settled *s)
{
	SI.exposure -= s->amount < SI.exposure ? s->amount : SI.exposure;
	SI.settled_amount += s->amount;
	si_prune_settled(s->first);
}

/* The store, its counters and its advice queue: 0, or -1 with err. */
static int
open_store(struct event_base *base, char *err, size_t errsz)
{
	const char *ms;
	size_t mapsize = SI.conf.store_size != 0 ? SI.conf.store_size :
	    STANDIN_STORE_SIZE_DEFAULT;
	unsigned flags = 0;

	if (SI.conf.state_key[0] == '\0') {
		snprintf(err, errsz, "no StateKeyFile: stand-in declines "
		    "everything (91)");
		return -1;
	}
	if ((SI.key = statekey_load(SI.conf.state_key, err, errsz)) == NULL)
		return -1;
	statekey_subkey(SI.key, "gatewayd dedup digest v1", SI.digest_key);
	/* Test knobs (documented in doc/standin.md). */
	if ((ms = getenv("GATEWAYD_STORE_MAPSIZE")) != NULL)
		mapsize = (size_t)strtoull(ms, NULL, 10);
	if ((ms = getenv("GATEWAYD_STORE_SYNC")) != NULL &&
	    strcmp(ms, "meta") == 0)
		flags |= STORE_NOMETASYNC;
	if ((SI.st = store_open(SI.conf.state_dir, mapsize, flags, base, err,
	    errsz)) == NULL)
		return -1;
	if (load_counters(err, errsz) == -1 || si_share_load(err, errsz) == -1)
		return -1;
	if (saf_init(SI.st, SI.key, saf_send, NULL, SAF_RETRY_US,
	    SAF_INFLIGHT) == -1) {
		snprintf(err, errsz, "store: cannot load the advice queue");
		return -1;
	}
	saf_on_settle(si_settle_run, settled);
	si_prune_reset();
	return 0;
}

static void
close_store(void)
{
	store_close(SI.st);		/* runs what is queued */
	SI.st = NULL;
	saf_shutdown();
	statekey_free(SI.key);
	SI.key = NULL;
	sodium_memzero(SI.digest_key, sizeof SI.digest_key);
}

/* Not on open_hsm's stack: a probe still pending when it gives up is
 * failed later, by hsm_client_free. */
static int probe_answer;

static void
probe_done(const struct hsm_result *r, void *arg)
{
	(void)arg;
	probe_answer = r->status == HSM_OK ? 1 : -1;
}

/* Runs the loop (the client's reconnect timer is on it) for us µs, or
 * until `until`. */
static void
run_loop_for(struct event_base *base, uint64_t us, uint64_t until)
{
	uint64_t end = now_us() + us;

	if (end > until)
		end = until;
	while (now_us() < end) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

/* The HSM named in the config answers an NC, or stand-in cannot verify
 * a card: 0, or -1 with err. */
static int
open_hsm(struct event_base *base, char *err, size_t errsz)
{
	struct hsm_client_opts ho;
	uint64_t until;

	hsm_client_opts_default(&ho);
	ho.timeout_ms = HSM_TIMEOUT_MS;
	if ((SI.hsm = hsm_client_new(base, SI.conf.hsm, &ho)) == NULL) {
		snprintf(err, errsz, "HSM %s: cannot be used (address?)",
		    SI.conf.hsm);
		return -1;
	}
	until = now_us() + HSM_PROBE_MS * 1000ull;
	probe_answer = 0;
	while (probe_answer != 1 && now_us() < until) {
		probe_answer = 0;
		if (hsm_diagnostics(SI.hsm, probe_done, NULL) == -1)
			probe_answer = -1;
		while (probe_answer == 0 && now_us() < until) {
			event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
			if (probe_answer == 0)
				usleep(1000);
		}
		if (probe_answer == -1)		/* not up yet: ask again */
			run_loop_for(base, 50000, until);
	}
	if (probe_answer != 1) {
		snprintf(err, errsz, "HSM %s: no answer to NC (diagnostics) "
		    "within %d ms", SI.conf.hsm, HSM_PROBE_MS);
		return -1;
	}
	return 0;
}

int
standin_init(struct event_base *base, const struct standin_conf *c,
    const struct standin_ops *ops, char *err, size_t errsz)
{
	memset(&SI, 0, sizeof SI);
	SI.force_stored = -1;
	SI.ops = ops;
	SI.fps = iso_profile_find("fps");
	standin_reconfigure(c);
	if (!c->durable) {
		if (saf_init(NULL, NULL, saf_send, NULL, SAF_RETRY_US,
		    SAF_INFLIGHT) == -1)
			fatalx("advice queue");
		log_warnx("event=durability_none reason=\"lab mode: no "
		    "stand-in store, stand-in answers 91, advices in memory "
		    "only\"");
		return 0;
	}
	if (open_store(base, err, errsz) == -1 ||
	    (c->hsm[0] != '\0' && open_hsm(base, err, errsz) == -1)) {
		standin_shutdown();
		return -1;
	}
	SI.up = 1;
	log_info("event=standin_ready state=%s exposure=%llu approvals=%llu "
	    "snapshot_version=%llu hsm=%s share=%u share_version=%llu "
	    "peer_held=%llu", c->state_dir,
	    (unsigned long long)SI.exposure,
	    (unsigned long long)SI.approvals,
	    (unsigned long long)SI.snapshot_version,
	    c->hsm[0] ? c->hsm : "none", SI.share,
	    (unsigned long long)SI.share_version,
	    (unsigned long long)SI.peer_held);
	return 0;
}

void
standin_shutdown(void)
{
	SI.up = 0;
	if (SI.hsm != NULL)
		hsm_client_free(SI.hsm);	/* fails calls: they record */
	SI.hsm = NULL;
	if (SI.st != NULL)
		close_store();
	else
		saf_shutdown();
}

int
standin_enabled(void)
{
	return SI.up;
}

int
standin_queue(uint8_t *buf, size_t len, size_t cap)
{
	uint64_t id;

	if (saf_push(buf, len, cap, &id) == -1)
		return -1;
	saf_kick(now_us());
	return 0;
}

/* An advice on its way into the store (standin_queue_durable). */
struct adv_job {
	struct store_job	 job;
	void			(*cb)(uint64_t, int);
	uint64_t		 tag, id, wall_us;
	size_t			 len, cap, out;
	uint8_t			 buf[];
};

static int
adv_run(struct store_txn *t, void *arg)
{
	struct adv_job *aj = arg;

	return saf_append(t, SI.key, aj->buf, aj->len, aj->cap, aj->wall_us,
	    &aj->out, &aj->id);
}

static void
adv_done(void *arg, int rc)
{
	struct adv_job *aj = arg;

	if (rc == 0) {
		saf_added(aj->id, aj->buf, aj->out, aj->wall_us);
		saf_kick(now_us());
	} else
		log_warnx("event=advice_not_stored error=\"%s\"",
		    store_strerror(rc));
	aj->cb(aj->tag, rc == 0);
	sodium_memzero(aj->buf, aj->cap);
	free(aj);
}

int
standin_queue_durable(const uint8_t *body, size_t len,
    void (*cb)(uint64_t, int), uint64_t tag)
{
	struct adv_job *aj;
	size_t cap = len + 64;	/* room for the advice id tag */

	if ((aj = calloc(1, sizeof *aj + cap)) == NULL)
		return -1;
	memcpy(aj->buf, body, len);
	aj->len = len;
	aj->cap = cap;
	aj->cb = cb;
	aj->tag = tag;
	aj->wall_us = wall_us();
	if (!SI.up) {
		/* No store: the memory queue, as standin_queue. */
		if (standin_queue(aj->buf, len, cap) == -1) {
			sodium_memzero(aj->buf, cap);
			free(aj);
			return -1;
		}
		sodium_memzero(aj->buf, cap);
		free(aj);
		cb(tag, 1);
		return 0;
	}
	aj->job.run = adv_run;
	aj->job.done = adv_done;
	aj->job.arg = aj;
	if (store_write(SI.st, &aj->job) != 0) {
		sodium_memzero(aj->buf, cap);
		free(aj);
		return -1;
	}
	return 0;
}

void
standin_watch(void (*added)(uint64_t, const uint8_t *, size_t),
    void (*acked)(uint64_t))
{
	saf_watch(added, acked);
}

void
standin_advice_ack(uint64_t id)
{
	saf_ack(id);
}

/*
 * A full store declines every stand-in decision 91: say so while there
 * is room, at 80, 90 and 95% used (once per step up; again after it
 * fell below).  Checked ten times a second.
 */
static void
fill_check(uint64_t now)
{
	static const unsigned steps[] = { 80, 90, 95 };
	static uint64_t next;
	static unsigned level;
	struct store_stats s;
	unsigned pct, l = 0;

	if (SI.st == NULL || now < next)
		return;
	next = now + 100000;
	store_stats(SI.st, &s);
	if (s.map_size == 0)
		return;
	pct = (unsigned)(s.map_used * 100 / s.map_size);
	while (l < sizeof steps / sizeof steps[0] && pct >= steps[l])
		l++;
	if (l > level)
		log_warnx("event=standin_store_filling used_pct=%u used=%llu "
		    "size=%llu reason=\"when full, stand-in declines every "
		    "decision 91: raise [StandIn] StoreSize (restart), or "
		    "bring the core back to drain the advice queue\"", pct,
		    (unsigned long long)s.map_used,
		    (unsigned long long)s.map_size);
	level = l;
}

void
standin_tick(int core_up)
{
	static int had_core;

	fill_check(now_us());
	si_prune_tick(now_us());

	if (core_up && !had_core)
		saf_reset_inflight();
	had_core = core_up;
	if (core_up)
		saf_run(now_us());
}
