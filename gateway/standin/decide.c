/*
 * decide.c — a request through the stand-in, in steps:
 *   1. facts from the request (facts.c), the advice body built;
 *   2. the look-up on the reader thread (ledger.c): an earlier decision
 *      for the same request, the card;
 *   3. rules 1-2 on the loop (card known, active, not expired);
 *   4. verification through the HSM (verify.c);
 *   5. the decision on the writer thread (ledger.c), durable;
 *   6. the answer, and the advice queued for the core.
 * A decline found on the way (steps 1-4) is recorded like any decision.
 * The deadline guard answers 91 if step 6 has not come in time.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"

/* The guard answers this much before Deadline: room for the loop to be
 * late, off the CPU for a scheduler slice on a loaded machine or busy
 * with a group commit's completions; at most a fifth of the budget. */
#define GUARD_MARGIN_US	8000

static void on_deadline(struct sidec *);

static struct sidec *
sidec_new(const struct iso_msg *m, const struct iso_profile *p,
    const char *link, int kind, const char *reason, uint64_t t0,
    standin_cb *cb, void *arg)
{
	struct sidec *d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->kind = kind;
	d->t0 = t0;
	d->cb = cb;
	d->arg = arg;
	memcpy(d->mti, m->mti, 5);
	snprintf(d->link, sizeof d->link, "%s", link);
	snprintf(d->reason, sizeof d->reason, "%s", reason ? reason : "");
	si_utc_day(wall_us(), d->day, d->yymm);
	si_dup_key(d, p, link, m);
	d->job.arg = d;
	d->entered_us = now_us();
	d->ahead = little_enter(&SI.load, d->entered_us);
	return d;
}

static void
guard_cb(struct dlq_ent *e)
{
	on_deadline((struct sidec *)((char *)e - offsetof(struct sidec,
	    guard)));
}

static void
sidec_free(struct sidec *d)
{
	/* Its work is over only now, whenever it was answered: a 91 from
	 * the guard leaves the write still in the pipeline. */
	uint64_t now = now_us();

	little_batch(&SI.load, now, d->job.batch_seq, d->job.batch_n,
	    d->job.batch_us);
	little_leave(&SI.load, now, d->entered_us, d->ahead);
	dlq_del(&d->guard);
	if (d->adv != NULL) {
		sodium_memzero(d->adv, d->advcap);
		free(d->adv);
	}
	if (d->amended != NULL) {
		sodium_memzero(d->amended, d->advcap);
		free(d->amended);
	}
	sodium_memzero(d, sizeof *d);
	free(d);
}

static void
respond(struct sidec *d)
{
	if (d->responded)
		return;
	d->responded = 1;
	dlq_del(&d->guard);
	if (d->cb != NULL)
		d->cb(d->arg, &d->res);
}

/* Answers 91 now, whatever comes next.  Not through d->res: a write job
 * may be filling that in on the writer thread. */
static void
respond_91(struct sidec *d, const char *why)
{
	struct si_result r;

	if (d->responded)
		return;
	memset(&r, 0, sizeof r);
	memcpy(r.de39, "91", 3);
	r.why = why;
	d->responded = 1;
	dlq_del(&d->guard);
	if (d->cb != NULL)
		d->cb(d->arg, &r);
	d->cb = NULL;
}

/*
 * The advice body: the request without sensitive authentication data,
 * with DE2 taken from track 2 when absent, plus metadata.  Built on the
 * loop; the write job appends the outcome and the advice id.
 */
static int
build_advice(struct sidec *d, const struct iso_msg *m, const char *link,
    const struct iso_profile *prof)
{
	struct tlv_w w;
	size_t len, need = 4 + 4 + 24 + 512;	/* MTI, DE2, metadata */
	int f;

	/* Sized first, written straight into the heap: no big (and, with
	 * -ftrivial-auto-var-init, zero-filled) stack buffer per request. */
	for (f = iso_next(m, 0); f != 0; f = iso_next(m, f))
		if (iso_get(m, f, &len) != NULL)
			need += 4 + len;
	need += strlen(link) + strlen(prof->name) + strlen(SI.conf.name);
	if (need > COREFR_MAX_BODY)
		need = COREFR_MAX_BODY;
	d->advcap = need + SI_ADV_ROOM;
	if ((d->adv = malloc(d->advcap)) == NULL)
		return -1;
	tlv_w_init(&w, d->adv, d->advcap - SI_ADV_ROOM);
	tlv_put_msg_kept(&w, prof, m);
	if (!iso_has(m, 2) && d->pan[0] != '\0')
		tlv_put_str(&w, 2, d->pan);
	tlv_put_str(&w, TLV_LINK, link);
	tlv_put_str(&w, TLV_PROFILE, prof->name);
	tlv_put_u64(&w, TLV_RECV_TIME, wall_us() - (now_us() - d->t0));
	tlv_put_str(&w, TLV_GATEWAY, SI.conf.name);
	if (d->kind != K_ADVICE)
		tlv_put_str(&w, TLV_STANDIN_REASON, d->reason);
	if (w.err) {
		sodium_memzero(d->adv, d->advcap);
		free(d->adv);
		d->adv = NULL;
		return -1;
	}
	d->advlen = w.len;
	return 0;
}

/* --- the write ---------------------------------------------------------------- */

static void
count_store_failure(struct sidec *d, int rc)
{
	if (rc == STORE_FULL) {
		SI.map_full++;
		log_warnx("event=standin_store_full mti=%s rc=91 reason=\"LMDB "
		    "map full: declining; raise the map size\"", d->mti);
	} else {
		SI.store_errors++;
		log_warnx("event=standin_store_error mti=%s rc=91 error=\"%s\"",
		    d->mti, store_strerror(rc));
	}
}

/* The decision is durable: the counters. */
static void
count_decision(struct sidec *d)
{
	SI.decided++;
	if (d->dup) {
		SI.dup_durable++;
		if (d->id & SI_PEER_DEC)
			SI.dup_peer++;
		return;
	}
	if (d->approved) {
		SI.approvals++;
		SI.approved_amount += d->card_amount;
		SI.exposure += d->card_amount;
	}
	if (d->released) {
		SI.reversals++;
		SI.released_amount += d->released;
		SI.exposure -= d->exp_released < SI.exposure ?
		    d->exp_released : SI.exposure;
	}
}

/*
 * The store could not take the decision: the scheme is answered 91 and
 * the core still hears of it, from an advice held in memory (saf_push),
 * which says what the scheme was told.
 */
static void
advise_in_memory(struct sidec *d)
{
	struct tlv_w w;
	uint64_t id;

	if (d->kind == K_ADVICE || d->adv == NULL)
		return;		/* a scheme advice not stored is not acked */
	tlv_w_init(&w, d->adv, d->advcap);
	w.len = d->advlen;
	tlv_put_str(&w, 39, "91");
	tlv_put_str(&w, TLV_STANDIN_DE39, "91");
	tlv_put_str(&w, TLV_STANDIN_RULE, "91");
	tlv_put_str(&w, TLV_STANDIN_WHY, "store");
	if (w.err || saf_push(d->adv, w.len, d->advcap, &id) == -1)
		log_warnx("event=advice_lost mti=%s reason=\"store failed and "
		    "the memory queue refused it\"", d->mti);
}

static void amend(struct sidec *);

static void
decide_done(void *arg, int rc)
{
	struct sidec *d = arg;

	if (rc != 0) {
		count_store_failure(d, rc);
		memset(&d->res, 0, sizeof d->res);
		memcpy(d->res.de39, d->kind == K_ADVICE ? "96" : "91", 3);
		d->res.why = "store";
		advise_in_memory(d);
		respond(d);
		sidec_free(d);
		saf_kick(now_us());
		return;
	}
	count_decision(d);
	if (!d->approved && !d->dup)
		d->res.has_arpc = 0;
	/* A repeat of a decision whose void is on its way (the scheme was
	 * told 91; the record says what the rules decided until the void
	 * lands): 91, as the scheme was told. */
	if (d->dup && !(d->id & SI_PEER_DEC) && !saf_final(d->id)) {
		memset(&d->res, 0, sizeof d->res);
		memcpy(d->res.de39, "91", 3);
		d->res.why = "deadline";
	}
	if (d->responded || now_us() > d->deadline)
		SI.late_durable++;
	if (strcmp(d->res.de39, "00") != 0)
		log_debug("event=standin_decline mti=%s rc=%s why=%s id=%llu",
		    d->mti, d->res.de39, d->res.why ? d->res.why : "-",
		    (unsigned long long)d->id);
	respond(d);
	/* Answered 91 by the guard while this was committing: the advice
	 * must say 91 too before it leaves. */
	if (d->voided && !d->dup && strcmp(d->res.de39, "91") != 0) {
		saf_hold(d->id, wall_us());
		amend(d);
		return;
	}
	if (!d->dup)
		saf_added(d->id, d->adv, d->advout, wall_us());
	sidec_free(d);
	saf_kick(now_us());
}

static void
submit(struct sidec *d, int write, int (*run)(struct store_txn *, void *),
    void (*done)(void *, int))
{
	int rc;

	d->job.run = run;
	d->job.done = done;
	d->job.arg = d;
	rc = write ? store_write(SI.st, &d->job) : store_lookup(SI.st, &d->job);
	if (rc != 0)
		/* Still queued from before: its completion goes on and
		 * frees it; the scheme is answered now. */
		respond_91(d, "store");
}

static void
submit_write(struct sidec *d)
{
	d->stage = ST_WRITE;
	submit(d, 1, si_decide_run, decide_done);
}

/* A decline decided on the loop (card, HSM, deadline): recorded too. */
static void
decline(struct sidec *d, const char *de39, const char *why)
{
	memcpy(d->pre, de39, 3);
	d->why = why;
	d->has_arpc = 0;
	submit_write(d);
}

/* Verification is over: a decline, or on to the write. */
static void
verified(struct sidec *d, const char *de39, const char *why)
{
	if (de39 != NULL)
		decline(d, de39, why);
	else
		submit_write(d);
}

/* --- amending a decision the scheme was told was 91 --------------------------- */

static void
amend_done(void *arg, int rc)
{
	struct sidec *d = arg;

	if (rc != 0) {
		/* The advice goes as first written: say that it disagrees
		 * with the answer. */
		log_warnx("event=standin_amend_failed id=%llu error=\"%s\" "
		    "reason=\"the advice says %s, the scheme was answered "
		    "91\"", (unsigned long long)d->id, store_strerror(rc),
		    d->res.de39);
		saf_amended(d->id, d->adv, d->advout);
		sidec_free(d);
		saf_kick(now_us());
		return;
	}
	SI.voids++;
	if (d->approved) {
		/* Back out what count_decision added, as the store did: the
		 * approval whole; of the exposure what reversals left. */
		SI.approvals--;
		SI.approved_amount -= d->card_amount;
		SI.exposure -= d->exp_released < SI.exposure ?
		    d->exp_released : SI.exposure;
		log_info("event=standin_late_void id=%llu amount=%llu "
		    "reason=\"durable commit outlasted the deadline; answered "
		    "91\"", (unsigned long long)d->id,
		    (unsigned long long)d->released);
	}
	saf_amended(d->id, d->amended, d->amendlen);
	sidec_free(d);
	saf_kick(now_us());
}

static void
amend(struct sidec *d)
{
	if ((d->amended = malloc(d->advcap)) == NULL) {
		amend_done(d, ENOMEM);
		return;
	}
	submit(d, 1, si_amend_run, amend_done);
}

/* --- the deadline guard, the look-up --------------------------------------------- */

static void
on_deadline(struct sidec *d)
{
	if (d->responded)
		return;
	SI.deadline_91++;
	respond_91(d, "deadline");
	if (d->stage == ST_WRITE) {
		/* The commit is late: the job decides 91 if it has not
		 * run yet (si_decide_run reads this on the writer thread),
		 * else what it decided is amended to 91 when it lands
		 * (si_amend_run). */
		__atomic_store_n(&d->voided, 1, __ATOMIC_RELEASE);
		return;
	}
	/* the pipeline goes on and records the 91 */
	memcpy(d->pre, "91", 3);
	d->why = "deadline";
}

static void
lookup_done(void *arg, int rc)
{
	struct sidec *d = arg;
	const char *de39, *why;

	if (rc != 0) {
		SI.store_errors++;
		log_warnx("event=standin_lookup_error rc=91 error=\"%s\"",
		    store_strerror(rc));
		decline(d, "91", "store");
		return;
	}
	if (d->pre[0] != '\0' || d->dup || d->kind != K_AUTH) {
		submit_write(d);
		return;
	}
	d->rule = R_CARD;
	if ((de39 = sirules_card(d->card_rc == 0 ? &d->card : NULL, d->yymm,
	    d->req_exp[0] ? d->req_exp : NULL, &why)) != NULL) {
		if (strcmp(why, "expiry") == 0)
			d->rule = R_EXPIRY;
		decline(d, de39, why);
		return;
	}
	d->rule = R_VERIFY;
	si_verify(d, verified);
}

/* --- entry points ------------------------------------------------------------- */

/* Rule 0: no decision on a snapshot older than MaxSnapshotAge.  A
 * repeat of an earlier request still gets its earlier answer (the
 * write job looks for it first). */
uint64_t
si_snapshot_age(void)
{
	uint64_t now = wall_us();

	if (SI.snapshot_wall_us == 0)
		return UINT64_MAX;
	return now > SI.snapshot_wall_us ?
	    (now - SI.snapshot_wall_us) / 1000000 : 0;
}

static void
stale_check(struct sidec *d)
{
	const char *why;
	uint64_t age = si_snapshot_age();

	if (sirules_fresh(age, SI.conf.max_age_s, &why) == NULL)
		return;
	SI.stale_91++;
	memcpy(d->pre, "91", 3);
	d->why = why;
	d->rule = R_SNAPSHOT;
	if (SI.stale_91 == 1 || SI.stale_91 % 1000 == 0)
		log_warnx("event=standin_stale_snapshot rc=91 age_s=%lld "
		    "max_age_s=%u declines=%llu reason=\"no decision on "
		    "balances older than MaxSnapshotAge: the core must push a "
		    "newer snapshot\"", age == UINT64_MAX ? -1LL :
		    (long long)age, SI.conf.max_age_s,
		    (unsigned long long)SI.stale_91);
}

static uint64_t
guard_margin(uint64_t t0, uint64_t deadline)
{
	uint64_t budget = deadline > t0 ? deadline - t0 : 0;

	return budget / 5 < GUARD_MARGIN_US ? budget / 5 : GUARD_MARGIN_US;
}

uint64_t
standin_wait_us(void)
{
	return little_wait(&SI.load, now_us());
}

uint64_t
standin_base_us(void)
{
	return little_base(&SI.load);
}

uint64_t
standin_inflight(void)
{
	return SI.load.n;
}

int
standin_decide(const struct iso_msg *m, const char *link,
    const struct iso_profile *prof, const char *reason, uint64_t t0,
    uint64_t deadline, standin_cb *cb, void *arg)
{
	struct sidec *d;
	int fps = prof == SI.fps, kind;

	if (!SI.up || SI.conf.mode == STANDIN_OFF)
		return -1;
	if (m->mti[1] == '4')
		kind = K_REVERSAL;
	else if (fps && strcmp(m->mti, "0200") == 0)
		kind = K_CREDIT;
	else
		kind = K_AUTH;
	if ((d = sidec_new(m, prof, link, kind, reason, t0, cb, arg)) ==	/* 1 */
	    NULL)
		return -1;
	d->deadline = deadline;
	if (si_amount(m, 4, &d->amount) == 0 || (fps && si_amount(m, 6,
	    &d->amount) == 0))
		d->has_amount = 1;
	if (kind == K_REVERSAL)
		si_reversal_key(d, m);
	else if (kind == K_CREDIT)
		si_credit_facts(d, m);
	else {
		si_auth_facts(d, m);
		stale_check(d);
	}
	if (build_advice(d, m, link, prof) == -1) {
		sidec_free(d);
		return -1;
	}
	/* The guard: a little before the deadline, to leave time to send;
	 * with less than that left it fires at once (91). */
	dlq_add(&d->guard, d->deadline - guard_margin(t0, d->deadline),
	    guard_cb);
	d->stage = ST_LOOKUP;
	submit(d, 0, si_lookup_run, lookup_done);			/* 2 */
	return 0;
}

int
standin_advice(const struct iso_msg *m, const char *link,
    const struct iso_profile *prof, uint64_t t0, standin_cb *cb, void *arg)
{
	struct sidec *d;

	if (!SI.up)
		return -1;
	if ((d = sidec_new(m, prof, link, K_ADVICE, NULL, t0, cb, arg)) ==
	    NULL)
		return -1;
	d->deadline = UINT64_MAX;
	si_amount(m, 4, &d->amount);
	if (m->mti[1] == '4')
		si_reversal_key(d, m);
	if (build_advice(d, m, link, prof) == -1) {
		sidec_free(d);
		return -1;
	}
	submit_write(d);
	return 0;
}
