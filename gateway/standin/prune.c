/*
 * prune.c — how long the store keeps decisions (KeepDecisions,
 * doc/standin.md "Retention").
 *
 * A decision's record and its duplicate keys serve retransmissions and
 * reversals: days, not for ever.  Kept for ever, every stand-in decision
 * left about 400 bytes behind and the store filled after enough outages
 * (then every stand-in decision is 91).  A write job, one at a time:
 *   1. deletes our decisions older than KeepDecisions, oldest first (ids
 *      grow with time), but never an approval the core has not settled:
 *      its exposure is outstanding and its reversal must find it (when
 *      it settles, the walk goes back to it: si_prune_settled);
 *   2. the same for the pair peer's decisions ('d' in the peer database);
 *   3. walks the duplicate keys a slice at a time and deletes those whose
 *      decision is gone; a walk starts after steps 1-2 deleted some.
 * Slices are small: the job runs in a commit the stand-in's decisions may
 * be waiting for.  While the stand-in decides, one job of an eighth of
 * a slice a second; when it is quiet, one a tick while there is work;
 * otherwise one every 10 s.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/be.h"
#include "base/clock.h"
#include "base/log.h"
#include "gateway/standin/si.h"

#define PRUNE_SLICE	512		/* deletions a job, each kind */
#define PRUNE_SCAN	2048		/* entries a job walks, each kind */
#define PRUNE_BUSY_DIV	8		/* of both, while it decides */
#define PRUNE_BUSY_US	1000000		/* while the stand-in decides */
#define PRUNE_IDLE_US	10000000	/* nothing left to do */

struct prune_job {
	struct store_job job;
	/* in */
	uint64_t	 cutoff_us;
	size_t		 slice, scan;	/* this job's bounds */
	uint64_t	 dec_from, peer_from;
	uint8_t		 dd_from[SI_DKEY_LEN];
	int		 dd_walk;	/* 0 none, 1 from the start, 2 on */
	/* out (the job may run again: only these are written) */
	uint64_t	 o_dec_from, o_peer_from;
	uint8_t		 o_dd_from[SI_DKEY_LEN];
	int		 o_dd_done;
	size_t		 ndec, npeer, nkeys, seen;
	int		 more;
	/* scratch */
	uint64_t	 ids[PRUNE_SLICE];
	uint8_t		 keys[PRUNE_SLICE][SI_DKEY_LEN];
	size_t		 n;
	int		 peer;		/* walking the peer's decisions */
	struct store_txn *t;
};

static struct {
	struct prune_job j;
	int		 queued;
	uint64_t	 next_us, decided;
	uint64_t	 dec_from, peer_from;
	uint8_t		 dd_from[SI_DKEY_LEN];
	int		 dd_walk, dd_due;
	uint64_t	 back_id;	/* si_prune_settled; UINT64_MAX none */
} P = { .back_id = UINT64_MAX };

/* A decision (ours, or the peer's under 'd'): collected when older than
 * the cutoff and not an outstanding approval; stops at the first young
 * one, as the rest are younger. */
static int
dec_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct prune_job *pj = arg;
	const uint8_t *kb = k;
	struct dec_rec r;
	uint64_t id;

	if (pj->peer && (kl != 9 || kb[0] != 'd'))
		return 1;		/* past the 'd' range */
	if (kl != (pj->peer ? 9u : 8u) || vl != sizeof r)
		return 0;		/* not a decision: not ours to judge */
	id = be64_get(kb + (pj->peer ? 1 : 0));
	memcpy(&r, v, sizeof r);
	if (r.wall_us >= pj->cutoff_us)
		return 1;
	if (pj->seen++ == pj->scan) {
		pj->more = 1;		/* this one in the next slice */
		return 1;
	}
	if (pj->peer)
		pj->o_peer_from = id + 1;
	else
		pj->o_dec_from = id + 1;
	if (!pj->peer && r.approved && !r.settled)
		return 0;		/* outstanding: kept */
	pj->ids[pj->n++] = id;
	if (pj->n == pj->slice)
		pj->more = 1;
	return pj->n == pj->slice;
}

/* Steps 1 and 2: old decisions, ours then the peer's. */
static int
prune_decisions(struct store_txn *t, struct prune_job *pj, int peer)
{
	uint8_t k[9];
	size_t i, kl = peer ? 9 : 8;
	int rc;

	pj->peer = peer;
	pj->n = pj->seen = 0;
	k[0] = 'd';
	be64_put(k + (peer ? 1 : 0), peer ? pj->peer_from : pj->dec_from);
	if ((rc = store_scan(t, peer ? STORE_PEER : STORE_DECISIONS, k, kl,
	    dec_one, pj)) != 0)
		return rc;
	for (i = 0; i < pj->n; i++) {
		be64_put(k + (peer ? 1 : 0), pj->ids[i]);
		rc = store_del(t, peer ? STORE_PEER : STORE_DECISIONS, k, kl);
		if (rc != 0 && rc != STORE_NOTFOUND)
			return rc;
	}
	*(peer ? &pj->npeer : &pj->ndec) = pj->n;
	return 0;
}

/* Whether the decision a duplicate key names is still there. */
static int
target_gone(struct store_txn *t, uint64_t id)
{
	struct dec_rec r;
	uint8_t ik[8];
	const void *v;
	size_t vl;
	int rc;

	if (id & SI_PEER_DEC)
		rc = si_peer_decision(t, id, &r);
	else {
		be64_put(ik, id);
		rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl);
	}
	return rc == STORE_NOTFOUND;
}

static int
key_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct prune_job *pj = arg;

	if (kl != SI_DKEY_LEN)
		return 0;
	if (pj->dd_walk == 2 && memcmp(k, pj->dd_from, SI_DKEY_LEN) == 0)
		return 0;		/* where the last slice ended */
	if (pj->seen++ == pj->scan) {
		pj->more = 1;		/* this one in the next slice */
		return 1;
	}
	memcpy(pj->o_dd_from, k, SI_DKEY_LEN);
	if (vl == 8 && target_gone(pj->t, be64_get(v)))
		memcpy(pj->keys[pj->n++], k, SI_DKEY_LEN);
	if (pj->n == pj->slice)
		pj->more = 1;
	return pj->n == pj->slice;
}

/* Step 3: a slice of the walk over the duplicate keys. */
static int
prune_keys(struct store_txn *t, struct prune_job *pj)
{
	size_t i;
	int rc;

	pj->n = pj->seen = 0;
	pj->t = t;
	pj->more = 0;
	if ((rc = store_scan(t, STORE_DEDUP, pj->dd_walk == 2 ?
	    pj->dd_from : NULL, SI_DKEY_LEN, key_one, pj)) != 0)
		return rc;
	pj->o_dd_done = !pj->more;
	for (i = 0; i < pj->n; i++)
		if ((rc = store_del(t, STORE_DEDUP, pj->keys[i],
		    SI_DKEY_LEN)) != 0 && rc != STORE_NOTFOUND)
			return rc;
	pj->nkeys = pj->n;
	return 0;
}

static int
prune_run(struct store_txn *t, void *arg)
{
	struct prune_job *pj = arg;
	int more, rc;

	pj->o_dec_from = pj->dec_from;
	pj->o_peer_from = pj->peer_from;
	memcpy(pj->o_dd_from, pj->dd_from, SI_DKEY_LEN);
	pj->ndec = pj->npeer = pj->nkeys = 0;
	pj->o_dd_done = 0;
	pj->more = 0;
	if ((rc = prune_decisions(t, pj, 0)) != 0 ||
	    (rc = prune_decisions(t, pj, 1)) != 0)
		return rc;
	more = pj->more;
	if (pj->dd_walk != 0 && (rc = prune_keys(t, pj)) != 0)
		return rc;
	pj->more |= more;
	return 0;
}

static void
prune_done(void *arg, int rc)
{
	struct prune_job *pj = arg;
	uint64_t now = now_us();

	P.queued = 0;
	if (rc != 0) {
		if (rc != STORE_CLOSED)		/* not at a stop */
			log_warnx("event=standin_prune_failed error=\"%s\"",
			    store_strerror(rc));
		P.next_us = now + PRUNE_IDLE_US;
		return;
	}
	P.dec_from = pj->o_dec_from;
	P.peer_from = pj->o_peer_from;
	if (pj->ndec + pj->npeer > 0)
		P.dd_due = 1;
	if (P.dd_walk != 0) {
		memcpy(P.dd_from, pj->o_dd_from, SI_DKEY_LEN);
		P.dd_walk = pj->o_dd_done ? 0 : 2;
	}
	SI.pruned_decisions += pj->ndec + pj->npeer;
	SI.pruned_keys += pj->nkeys;
	if (pj->ndec + pj->npeer + pj->nkeys > 0)
		log_debug("event=standin_pruned decisions=%zu peer=%zu keys=%zu",
		    pj->ndec, pj->npeer, pj->nkeys);
	if (!pj->more && P.dd_walk == 0 && !P.dd_due &&
	    P.back_id == UINT64_MAX)
		P.next_us = now + PRUNE_IDLE_US;
	else
		P.next_us = SI.decided != P.decided ? now + PRUNE_BUSY_US : 0;
}

/* From the stand-in's tick: the next job when it is due. */
void
si_prune_tick(uint64_t now)
{
	struct prune_job *pj = &P.j;

	/* keep_s 0 only in tests (the configuration takes 1d..366d) */
	if (SI.st == NULL || SI.conf.keep_s == 0 || P.queued ||
	    now < P.next_us)
		return;
	if (P.dd_walk == 0 && P.dd_due) {
		P.dd_walk = 1;		/* a walk sees what was deleted */
		P.dd_due = 0;
	}
	if (P.back_id < P.dec_from)	/* not while a job ran: it moved on */
		P.dec_from = P.back_id;
	P.back_id = UINT64_MAX;
	memset(pj, 0, offsetof(struct prune_job, ids));
	pj->cutoff_us = wall_us() - (uint64_t)SI.conf.keep_s * 1000000;
	pj->slice = PRUNE_SLICE;
	pj->scan = PRUNE_SCAN;
	if (SI.decided != P.decided) {
		pj->slice /= PRUNE_BUSY_DIV;
		pj->scan /= PRUNE_BUSY_DIV;
	}
	pj->dec_from = P.dec_from;
	pj->peer_from = P.peer_from;
	memcpy(pj->dd_from, P.dd_from, SI_DKEY_LEN);
	pj->dd_walk = P.dd_walk;
	pj->job.run = prune_run;
	pj->job.done = prune_done;
	pj->job.arg = pj;
	P.decided = SI.decided;
	if (store_write(SI.st, &pj->job) == 0)
		P.queued = 1;
}

/* An approval the walk passed over as outstanding (its advice not yet
 * acknowledged) is settled now: without this it would be looked at
 * again only at the next start.  Young ones are ahead of the walk. */
void
si_prune_settled(uint64_t id)
{
	if (id >= P.dec_from || id >= P.back_id)
		return;
	P.back_id = id;
	if (!P.queued)
		P.next_us = 0;
}

/* A store opened: start from its oldest decision. */
void
si_prune_reset(void)
{
	memset(&P, 0, sizeof P);
	P.back_id = UINT64_MAX;
}
