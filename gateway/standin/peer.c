/*
 * peer.c — what the stand-in keeps for its pair peer (ARCHITECTURE
 * section 13): the peer's mirrored advices, sealed, until the peer says
 * the core has them (release) or the peer has been gone too long and we
 * deliver them ourselves (takeover); and the peer's stand-in decisions,
 * fed to our duplicate detection so that a retransmission the scheme
 * sends us after failing over gets the peer's answer, not a second
 * decision.
 *
 * Keys in the `peer` database: 'a' id (u64 BE) -> wall time (u64 BE) and
 * the sealed advice; 'd' id -> the peer decision's dec_rec; 'r' id ->
 * wall time: an advice released or taken over.  A `dedup` entry pointing
 * at a peer decision holds its id with SI_PEER_DEC set.
 *
 * The pair link is datagrams, and the peer retries its advice until we
 * acknowledge it: a copy can come after its release (a retry the ack
 * crossed, a datagram overtaken) or the release before it (the advice
 * lost once).  Held then, it would be held for good and sent to the core
 * again on a takeover; so each release and each advice taken over leaves
 * its id ('r'), and a copy that comes later is acknowledged, not held
 * (its decision is still kept for duplicates).  A mark stays a day, for
 * retries across a pair link outage: one for each advice the peer made
 * in a day, the oldest going first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"
#include "gateway/standin/take.h"

#define META_HELD	"peer_held"
#define RELEASED_KEEP	(86400ULL * 1000000)	/* µs a release mark stays */
#define RELEASED_PRUNE	8		/* old marks removed per release */

static void
peer_key(char kind, uint64_t id, uint8_t k[9])
{
	k[0] = (uint8_t)kind;
	be64_put(k + 1, id);
}

#define HELD_UNSET	UINT64_MAX	/* a job that did not move the count */

/* The count of the peer's advices kept, moved by delta in the job's
 * transaction; what it is now into *held (the job's own: its completion
 * shows it, store.h). */
static int
add_held(struct store_txn *t, int delta, uint64_t *held)
{
	uint64_t v;
	int rc;

	if ((rc = store_get_u64(t, STORE_META, META_HELD,
	    sizeof META_HELD - 1, &v)) != 0)
		return rc;
	v = delta < 0 && v == 0 ? 0 : v + (uint64_t)(int64_t)delta;
	*held = v;
	return store_put_u64(t, STORE_META, META_HELD, sizeof META_HELD - 1,
	    v);
}

/* On the loop, once the job is durable. */
static void
held_done(int rc, uint64_t held)
{
	if (rc == 0 && held != HELD_UNSET)
		SI.peer_held = held;
}

/* --- keeping a mirrored advice ------------------------------------------------- */

struct keep_job {
	struct store_job job;
	uint64_t	 id, wall_us;
	void		(*cb)(void *, int);
	void		*arg;
	int		 has_dkey;
	int		 released;	/* released before it came */
	uint8_t		 dkey[SI_DKEY_LEN];
	struct dec_rec	 rec;
	uint64_t	 held;
	size_t		 len;
	uint8_t		 body[];
};

/* The peer's decision under its duplicate key, for retransmissions. */
static int
keep_decision(struct store_txn *t, struct keep_job *kj)
{
	const void *v;
	size_t vl;
	uint8_t k[9], ik[8];
	int rc;

	if (!kj->has_dkey)
		return 0;
	/* Our own decision under the key, or the peer's already: kept. */
	rc = store_get(t, STORE_DEDUP, kj->dkey, SI_DKEY_LEN, &v, &vl);
	if (rc != STORE_NOTFOUND)
		return rc;
	peer_key('d', kj->id, k);
	be64_put(ik, kj->id | SI_PEER_DEC);
	if ((rc = store_put(t, STORE_PEER, k, sizeof k, &kj->rec,
	    sizeof kj->rec)) != 0)
		return rc;
	return store_put(t, STORE_DEDUP, kj->dkey, SI_DKEY_LEN, ik, 8);
}

static int
keep_run(struct store_txn *t, void *arg)
{
	/* writer thread only; not on the stack (zero-filled by the build) */
	static __thread uint8_t rec[8 + SAF_BODY_MAX + STATEKEY_SEAL_OVERHEAD];
	struct keep_job *kj = arg;
	const void *v;
	size_t vl;
	uint8_t k[9];
	long n;
	int rc;

	kj->held = HELD_UNSET;
	kj->released = 0;
	peer_key('a', kj->id, k);
	/* Kept already (the peer sent it again): nothing to write. */
	if ((rc = store_get(t, STORE_PEER, k, sizeof k, &v, &vl)) !=
	    STORE_NOTFOUND)
		return rc;
	peer_key('r', kj->id, k);
	if ((rc = store_get(t, STORE_PEER, k, sizeof k, &v, &vl)) == 0) {
		kj->released = 1;
		return keep_decision(t, kj);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	peer_key('a', kj->id, k);
	if ((rc = add_held(t, 1, &kj->held)) != 0)
		return rc;
	be64_put(rec, kj->wall_us);
	n = statekey_seal(SI.key, "peer", k, sizeof k, kj->body, kj->len,
	    rec + 8, sizeof rec - 8);
	if (n < 0)
		return STORE_TOOBIG;
	if ((rc = store_put(t, STORE_PEER, k, sizeof k, rec, 8 + (size_t)n)))
		return rc;
	return keep_decision(t, kj);
}

static void
keep_done(void *arg, int rc)
{
	struct keep_job *kj = arg;

	if (rc != 0)
		log_warnx("event=peer_advice_not_kept id=%llu error=\"%s\"",
		    (unsigned long long)kj->id, store_strerror(rc));
	else if (kj->released)
		log_info("event=peer_advice_after_release id=%llu "
		    "held=no", (unsigned long long)kj->id);
	held_done(rc, kj->held);
	kj->cb(kj->arg, rc == 0);
	sodium_memzero(kj->body, kj->len);
	free(kj);
}

/* The peer's stand-in answer to a request, as its advice tells it: the
 * duplicate key and record a retransmission of it here is found by. */
static void
peer_decision(struct keep_job *kj, const struct iso_profile *prof)
{
	struct sidec *d;
	struct iso_msg *m;
	char link[48], de39[3], de38[7] = "", mti[5];

	/* Authorisations only: a reversal repeated here is decided here,
	 * so it releases what this appliance approved, if it did. */
	if (tlv_find_str(kj->body, kj->len, TLV_MTI, mti, sizeof mti) == -1 ||
	    (mti[1] != '1' && mti[1] != '2') || mti[2] != '0')
		return;
	if (prof == NULL ||
	    tlv_find_str(kj->body, kj->len, TLV_STANDIN_DE39, de39,
	    sizeof de39) == -1 || strlen(de39) != 2 ||
	    tlv_find_str(kj->body, kj->len, TLV_LINK, link, sizeof link) == -1)
		return;		/* a scheme advice: nothing was decided */
	tlv_find_str(kj->body, kj->len, 38, de38, sizeof de38);
	m = malloc(sizeof *m);
	d = calloc(1, sizeof *d);
	if (m == NULL || d == NULL || tlv_get_msg(kj->body, kj->len, m) == -1) {
		free(d);
		free(m);
		return;
	}
	si_dup_key(d, prof, link, m);
	if (d->has_dkey) {
		kj->has_dkey = 1;
		memcpy(kj->dkey, d->dkey, sizeof kj->dkey);
		memcpy(kj->rec.digest, d->digest, sizeof kj->rec.digest);
		memcpy(kj->rec.de39, de39, 3);
		memcpy(kj->rec.de38, de38, 7);
		kj->rec.kind = K_AUTH;
		kj->rec.wall_us = wall_us();
		/* approved stays 0: its spend is the peer's, never ours to
		 * release */
	}
	free(d);
	sodium_memzero(m, sizeof *m);	/* it holds the PAN */
	free(m);
}

/* What the body claims to be: NULL when it is the peer's advice id, as
 * the core will count it (0x1007, 0x1006), else why not.  A takeover
 * delivers the body as it is, so a claim of any other identity would
 * have the core take it for that advice and drop the real one as a
 * repeat: one of ours (a stand-in approval never posted), or another
 * of the peer's. */
static const char *
peer_claim(const char *peer, uint64_t id, const uint8_t *body, size_t len,
    uint64_t *claimed)
{
	char gw[STANDIN_NAME_MAX];

	if (tlv_find_u64(body, len, TLV_ADVICE_ID, claimed) == -1) {
		*claimed = 0;		/* ids start at 1 */
		return "no advice id (0x1006) in it";
	}
	if (tlv_find_str(body, len, TLV_GATEWAY, gw, sizeof gw) == -1)
		return "no gateway (0x1007) in it";
	if (strcmp(gw, SI.conf.name) == 0)
		return "0x1007 is this appliance's own name";
	if (strcmp(gw, peer) != 0)
		return "0x1007 names neither appliance of the pair";
	if (*claimed != id)
		return "0x1006 is not the frame's advice id";
	return NULL;
}

int
standin_peer_keep(const char *peer, uint64_t id, const uint8_t *body,
    size_t len, const struct iso_profile *prof, void (*cb)(void *, int),
    void *arg)
{
	struct keep_job *kj;
	const char *why;
	uint64_t claimed;

	if (!SI.up || len > SAF_BODY_MAX)
		return -1;
	/* Not kept and not acknowledged: the peer goes on sending it, and
	 * the log goes on saying so. */
	if ((why = peer_claim(peer, id, body, len, &claimed)) != NULL) {
		SI.peer_refused++;
		log_warnx("event=peer_advice_refused peer=%s id=%llu "
		    "claimed_id=%llu refused=%llu reason=\"%s\"", peer,
		    (unsigned long long)id, (unsigned long long)claimed,
		    (unsigned long long)SI.peer_refused, why);
		return -1;
	}
	if ((kj = calloc(1, sizeof *kj + len)) == NULL)
		return -1;
	kj->id = id;
	kj->wall_us = wall_us();
	kj->cb = cb;
	kj->arg = arg;
	kj->len = len;
	memcpy(kj->body, body, len);
	peer_decision(kj, prof);
	kj->job.run = keep_run;
	kj->job.done = keep_done;
	kj->job.arg = kj;
	if (store_write(SI.st, &kj->job) != 0) {
		sodium_memzero(kj->body, len);
		free(kj);
		return -1;
	}
	return 0;
}

/* A peer decision's record (the ledger's look-up of a duplicate key). */
int
si_peer_decision(struct store_txn *t, uint64_t id, struct dec_rec *r)
{
	const void *v;
	size_t vl;
	uint8_t k[9];
	int rc;

	peer_key('d', id & ~SI_PEER_DEC, k);
	if ((rc = store_get(t, STORE_PEER, k, sizeof k, &v, &vl)) != 0)
		return rc;
	if (vl != sizeof *r)
		return STORE_CORRUPT;
	memcpy(r, v, sizeof *r);
	return 0;
}

/* --- release ------------------------------------------------------------------- */

struct release_job {
	struct store_job job;
	uint64_t	 id, held;
	void		(*cb)(void *, int);
	void		*arg;
};

struct old_marks {
	uint64_t	 before;	/* wall µs */
	size_t		 n;
	uint8_t		 k[RELEASED_PRUNE][9];
};

static int
old_mark(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct old_marks *om = arg;

	if (kl != 9 || ((const uint8_t *)k)[0] != 'r' || vl != 8 ||
	    be64_get(v) >= om->before || om->n == RELEASED_PRUNE)
		return 1;	/* ids grow: the rest are younger */
	memcpy(om->k[om->n++], k, 9);
	return 0;
}

/* The advice id is done with here (released or taken over): its mark,
 * so that a copy that comes later is acknowledged and not held again,
 * and the oldest marks out. */
static int
mark_released(struct store_txn *t, uint64_t id)
{
	struct old_marks om = { .before = wall_us() - RELEASED_KEEP };
	uint8_t k[9], v[8];
	size_t i;
	int rc;

	if ((rc = store_scan(t, STORE_PEER, "r", 1, old_mark, &om)) != 0)
		return rc;
	for (i = 0; i < om.n; i++)
		if ((rc = store_del(t, STORE_PEER, om.k[i], 9)) != 0)
			return rc;
	peer_key('r', id, k);
	be64_put(v, wall_us());
	return store_put(t, STORE_PEER, k, sizeof k, v, sizeof v);
}

static int
release_run(struct store_txn *t, void *arg)
{
	struct release_job *rj = arg;
	uint8_t k[9];
	int rc;

	rj->held = HELD_UNSET;
	peer_key('a', rj->id, k);
	/* Held, or released before (a repeat), taken over, not come yet:
	 * a copy may still be on its way (a retry the ack crossed). */
	rc = store_del(t, STORE_PEER, k, sizeof k);
	if (rc != 0 && rc != STORE_NOTFOUND)
		return rc;
	if (rc == 0 && (rc = add_held(t, -1, &rj->held)) != 0)
		return rc;
	return mark_released(t, rj->id);
}

static void
release_done(void *arg, int rc)
{
	struct release_job *rj = arg;

	held_done(rc, rj->held);
	rj->cb(rj->arg, rc == 0);
	free(rj);
}

int
standin_peer_release(uint64_t id, void (*cb)(void *, int), void *arg)
{
	struct release_job *rj;

	if (!SI.up || (rj = calloc(1, sizeof *rj)) == NULL)
		return -1;
	rj->id = id;
	rj->cb = cb;
	rj->arg = arg;
	rj->job.run = release_run;
	rj->job.done = release_done;
	rj->job.arg = rj;
	if (store_write(SI.st, &rj->job) != 0) {
		free(rj);
		return -1;
	}
	return 0;
}

/* --- takeover ------------------------------------------------------------------ */

static int
take_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct take_job *tj = arg;
	int rc;

	if (kl != 9 || ((const uint8_t *)k)[0] != 'a' || tj->n == TAKE_BATCH)
		return 1;
	if ((rc = take_open(tj, "peer", k, kl, v, vl)) == 0) {
		log_warnx("event=peer_advice_unreadable key_id=%llu",
		    (unsigned long long)be64_get((const uint8_t *)k + 1));
		return 0;	/* kept: never dropped */
	}
	if (rc < 0)
		return 1;
	tj->peer_id[tj->n++] = be64_get((const uint8_t *)k + 1);
	return 0;
}

/* Up to TAKE_BATCH of the peer's advices into our queue, in one job. */
static int
take_run(struct store_txn *t, void *arg)
{
	struct take_job *tj = arg;
	uint8_t k[9];
	size_t i;
	int rc;

	take_clear(tj);			/* a retried batch starts again */
	tj->held = HELD_UNSET;
	if ((rc = store_scan(t, STORE_PEER, "a", 1, take_one, tj)) != 0)
		return rc;
	for (i = 0; i < tj->n; i++) {
		tj->v[i].wall_us = wall_us();
		if ((rc = saf_append_peer(t, SI.key, tj->v[i].body,
		    tj->v[i].len, tj->v[i].wall_us, &tj->v[i].id)) != 0)
			return rc;
		peer_key('a', tj->peer_id[i], k);
		if ((rc = store_del(t, STORE_PEER, k, sizeof k)) != 0 ||
		    (rc = add_held(t, -1, &tj->held)) != 0 ||
		    (rc = mark_released(t, tj->peer_id[i])) != 0)
			return rc;
	}
	return 0;
}

static void
take_done(void *arg, int rc)
{
	struct take_job *tj = arg;
	size_t n = rc == 0 ? tj->n : 0;

	if (rc != 0)
		log_warnx("event=peer_takeover_failed error=\"%s\"",
		    store_strerror(rc));
	held_done(rc, tj->held);
	taken_added(tj, n);
	take_clear(tj);
	tj->cb(tj->arg, n, rc == 0);
	free(tj);
}

int
standin_peer_takeover(void (*cb)(void *, size_t, int), void *arg)
{
	struct take_job *tj;

	if (!SI.up || (tj = calloc(1, sizeof *tj)) == NULL)
		return -1;
	tj->cb = cb;
	tj->arg = arg;
	tj->job.run = take_run;
	tj->job.done = take_done;
	tj->job.arg = tj;
	if (store_write(SI.st, &tj->job) != 0) {
		free(tj);
		return -1;
	}
	return 0;
}

uint64_t
standin_peer_held(void)
{
	return SI.peer_held;
}
