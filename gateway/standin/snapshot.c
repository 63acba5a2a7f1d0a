/*
 * snapshot.c — a SNAPSHOT from the core into the cards database, on the
 * writer thread, acknowledged once durable (ARCHITECTURE section 4).
 * Versions only go up: one older than or equal to the version the store
 * holds (kept durably in meta) changes nothing, and is acknowledged with
 * the store's version, so a replayed or re-sealed old snapshot cannot
 * bring back a card state the core has since replaced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/si.h"

/* A card's approvals the core has not acknowledged: what they still hold
 * (amount less reversals). */
struct unsettled {
	uint8_t		 hash[STATEKEY_HASHLEN];
	uint64_t	 amount;
};

struct snap_job {
	struct store_job	 job;
	struct unsettled	*un;		/* sorted by hash */
	size_t			 nun, capun;
	int			 un_built;	/* at the first balance */
	char			 core[STANDIN_NAME_MAX];
	uint64_t		 corr;
	uint64_t		 version;	/* the frame's */
	uint64_t		 held;		/* the store's, after the job */
	uint64_t		 wall;		/* applied at, µs */
	int			 ok, old;
	size_t			 ncards;
	char			 err[128];
	struct store_txn	*txn;
	int			 rc;
	size_t			 len;
	uint8_t			 body[];
};

static int
un_cmp(const void *a, const void *b)
{
	return memcmp(a, b, STATEKEY_HASHLEN);
}

/* One advice in the queue: its approval, if the core has not settled it,
 * into the job's list. */
static int
un_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct snap_job *sj = arg;
	struct unsettled *p;
	struct dec_rec r;
	const void *dv;
	size_t dl;
	int rc;

	(void)v;
	(void)vl;
	if (kl != 8)
		return 0;
	if ((rc = store_get(sj->txn, STORE_DECISIONS, k, kl, &dv, &dl)) ==
	    STORE_NOTFOUND)
		return 0;	/* a scheme advice, a peer's: no spend here */
	if (rc != 0 || dl != sizeof r)
		return rc != 0 ? rc : STORE_CORRUPT;
	memcpy(&r, dv, sizeof r);
	if (!r.approved || r.settled || r.released >= r.amount)
		return 0;
	if (sj->nun == sj->capun) {
		p = reallocarray(sj->un, sj->capun * 2 + 64, sizeof *p);
		if (p == NULL)
			return ENOMEM;
		sj->un = p;
		sj->capun = sj->capun * 2 + 64;
	}
	memcpy(sj->un[sj->nun].hash, r.hash, sizeof r.hash);
	sj->un[sj->nun++].amount = r.amount - r.released;
	return 0;
}

/* The list, one entry a card, sorted for look-ups. */
static int
un_build(struct store_txn *t, struct snap_job *sj)
{
	size_t i, o;
	int rc;

	sj->nun = 0;
	if ((rc = store_scan(t, STORE_SAF, NULL, 0, un_one, sj)) != 0)
		return rc;
	if (sj->nun > 1)
		qsort(sj->un, sj->nun, sizeof *sj->un, un_cmp);
	for (i = 0, o = 0; i < sj->nun; i++) {
		if (o > 0 && un_cmp(sj->un[o - 1].hash, sj->un[i].hash) == 0)
			sj->un[o - 1].amount += sj->un[i].amount;
		else
			sj->un[o++] = sj->un[i];
	}
	sj->nun = o;
	return 0;
}

/*
 * The spend a card's new balance starts from: the core's balance holds
 * the advices it has applied, not those still in our queue (made, not
 * yet sent, paused, unacknowledged), so theirs counts against it; 0 for
 * none.  (One the core applied and has not acknowledged yet is counted
 * twice until the next snapshot: the safe way.)
 */
static uint64_t
un_spend(const struct snap_job *sj, const char *pan)
{
	uint8_t h[STATEKEY_HASHLEN];
	const struct unsettled *u;

	if (sj->nun == 0 || pan[0] == '\0')
		return 0;
	statekey_hash(SI.key, 'P', pan, h);
	u = bsearch(h, sj->un, sj->nun, sizeof *sj->un, un_cmp);
	sodium_memzero(h, sizeof h);
	return u != NULL ? u->amount : 0;
}

static int
snap_one(const struct cards_snaprec *r, void *arg)
{
	struct snap_job *sj = arg;

	/* The queue is walked once a job, and only for a balance. */
	if (r->has_balance && !sj->un_built) {
		if ((sj->rc = un_build(sj->txn, sj)) != 0)
			return -1;
		sj->un_built = 1;
	}
	if ((sj->rc = cards_put(sj->txn, SI.key, r,
	    r->has_balance ? un_spend(sj, r->pan) : 0)) != 0)
		return -1;
	sj->ncards++;
	return 0;
}

/* The version a SNAPSHOT body starts with (its first tag). */
static int
body_version(const uint8_t *b, size_t len, uint64_t *v)
{
	return tlv_find_u64(b, len, TLV_SNAP_VERSION, v);
}

static int
snap_run(struct store_txn *t, void *arg)
{
	struct snap_job *sj = arg;
	int rc;

	sj->txn = t;
	sj->rc = 0;
	sj->ncards = 0;
	sj->ok = sj->old = 0;
	if ((rc = store_get_u64(t, STORE_META, "snapshot_version", 16,
	    &sj->held)) != 0)
		return rc;
	if (body_version(sj->body, sj->len, &sj->version) == 0 &&
	    sj->version <= sj->held) {
		sj->old = 1;		/* acknowledged, nothing changes */
		return 0;
	}
	sj->un_built = 0;		/* a retried batch walks again */
	if (cards_parse(sj->body, sj->len, &sj->version, snap_one, sj,
	    sj->err, sizeof sj->err) == -1)
		return sj->rc;		/* 0: rejected body, nothing written */
	sj->ok = 1;
	sj->held = sj->version;
	sj->wall = wall_us();
	if ((rc = store_put_u64(t, STORE_META, "snapshot_time", 13,
	    sj->wall)) != 0)
		return rc;
	return store_put_u64(t, STORE_META, "snapshot_version", 16,
	    sj->version);
}

static void
snap_done(void *arg, int rc)
{
	struct snap_job *sj = arg;
	uint8_t b[64];
	struct tlv_w w;

	if (rc != 0 || (!sj->ok && !sj->old)) {
		SI.snapshot_bad++;
		log_warnx("event=snapshot_rejected corr=%llu reason=\"%s\"",
		    (unsigned long long)sj->corr,
		    rc != 0 ? store_strerror(rc) : sj->err);
	} else {
		if (sj->old) {
			SI.snapshot_old++;
			log_info("event=snapshot_not_newer version=%llu "
			    "held=%llu reason=\"versions only go up\"",
			    (unsigned long long)sj->version,
			    (unsigned long long)sj->held);
		} else {
			SI.snapshot_version = sj->version;
			SI.snapshot_wall_us = sj->wall;
			SI.snapshot_cards += sj->ncards;
			log_debug("event=snapshot_applied version=%llu "
			    "cards=%zu", (unsigned long long)sj->version,
			    sj->ncards);
		}
		tlv_w_init(&w, b, sizeof b);
		tlv_put_u64(&w, TLV_SNAP_VERSION, sj->held);
		SI.ops->send(sj->core, COREFR_SNAPSHOT_ACK, sj->corr, b, w.len);
	}
	sodium_memzero(sj->body, sj->len);
	free(sj->un);
	free(sj);
}

void
standin_snapshot(const char *core, uint64_t corr, const uint8_t *body,
    size_t len)
{
	struct snap_job *sj;

	if (!SI.up || (sj = malloc(sizeof *sj + len)) == NULL)
		return;
	memset(sj, 0, sizeof *sj);
	snprintf(sj->core, sizeof sj->core, "%s", core);
	sj->corr = corr;
	sj->len = len;
	memcpy(sj->body, body, len);
	sj->job.run = snap_run;
	sj->job.done = snap_done;
	sj->job.arg = sj;
	store_write(SI.st, &sj->job);
}
