/*
 * saf.c — the advice queue, durable or in memory, and its sender; what
 * a write job stores of it is in safstore.c.
 */
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/be.h"
#include "base/idhash.h"
#include "base/log.h"
#include "tunnel/tlv.h"
#include "base/clock.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/store.h"

#define SAF_WINDOW	4096	/* entries kept in memory */
#define SAF_ACK_BATCH	8192

struct entry {
	TAILQ_ENTRY(entry) e;
	struct idlink	 hl;		/* hl.id: the advice id */
	int		 memory;	/* not in the store (saf_push) */
	uint64_t	 enq_wall_us;
	uint64_t	 next_us;	/* 0: never sent */
	uint32_t	 tries;
	int		 inflight;
	int		 held;		/* being amended: not sent yet */
	size_t		 len;
	uint8_t		 body[];
};

static struct {
	struct store		*st;
	const struct statekey	*key;
	saf_send_fn		*send;
	void			*sendarg;
	uint32_t		 retry_us, max_inflight;
	TAILQ_HEAD(, entry)	 q;
	/* Acks and amendments find their entry by id: a walk of the queue,
	 * which holds up to SAF_MEMORY_MAX advices besides the window, took
	 * 1-2 ms, and under overload the amendments of late commits came in
	 * hundreds (the loop stopped reading for 400 ms). */
	struct idhash		 index;
	size_t			 nmem;
	uint64_t		 tail_id;	/* highest stored id in memory
						   or loaded */
	uint64_t		 mem_next;	/* last saf_push id */
	size_t			 nmemory;	/* saf_push entries queued */
	int			 all_loaded;	/* memory holds every entry */
	int			 loading;
	uint64_t		 appends_during_load;
	uint32_t		 ninflight;
	struct entry		*cursor;	/* first never sent, or NULL */
	uint64_t		*held;		/* saf_hold ids */
	size_t			 nheld, heldcap;
	struct saf_stats	 s;
	/* grouped deletions */
	uint64_t		*acks;
	size_t			 nacks;
	int			 deleting;
	int			 up;
	/* the pair's mirror (saf_watch) */
	saf_added_fn		*on_added;
	void			(*on_acked)(uint64_t);
	saf_settle_fn		*settle;	/* set before the store runs */
	void			(*settled)(const struct saf_settled *);
} S;

void
saf_watch(saf_added_fn *added, void (*acked)(uint64_t id))
{
	S.on_added = added;
	S.on_acked = acked;
}

void
saf_on_settle(saf_settle_fn *run, void (*done)(const struct saf_settled *))
{
	S.settle = run;
	S.settled = done;
}

static struct entry *
entry_new(uint64_t id, const uint8_t *b, size_t len, uint64_t enq)
{
	struct entry *e;

	if ((e = malloc(sizeof *e + len)) == NULL)
		return NULL;
	memset(e, 0, sizeof *e);
	e->hl.id = id;
	e->enq_wall_us = enq;
	e->len = len;
	if (len > 0)
		memcpy(e->body, b, len);
	return e;
}

static void
entry_free(struct entry *e)
{
	/* advices hold the PAN: wipe */
	sodium_memzero(e->body, e->len);
	free(e);
}

/* The queued entry with this id, or NULL. */
static struct entry *
find(uint64_t id)
{
	struct idlink *l = idhash_find(&S.index, id);

	return l != NULL ? IDHASH_ITEM(l, struct entry, hl) : NULL;
}

static void
enqueue(struct entry *e)
{
	TAILQ_INSERT_TAIL(&S.q, e, e);
	idhash_add(&S.index, &e->hl);
	S.nmem++;
	if (!e->memory)
		S.tail_id = e->hl.id;
	if (S.cursor == NULL)
		S.cursor = e;
}

/* --- loading the window ------------------------------------------------------- */

struct load_job {
	struct store_job	 job;
	uint64_t		 from;		/* first id wanted */
	uint64_t		 upto;		/* last: the last announced */
	size_t			 want;
	int			 hit_end;
	size_t			 n;
	struct entry		**v;
	uint64_t		 depth;
	uint64_t		 next_id;
	int			 bad;
};

static int
load_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct load_job *lj = arg;
	uint8_t pt[SAF_BODY_MAX];
	long n;

	if (lj->n == lj->want)
		return 1;
	/* Committed but not yet announced (saf_added, saf_hold): its
	 * decision's completion has not run, and may amend it first. */
	if (kl == 8 && be64_get(k) > lj->upto) {
		lj->hit_end = 1;
		return 1;
	}
	if (kl != 8 || vl < 8) {
		lj->bad++;
		return 0;
	}
	n = statekey_open(S.key, "saf", k, kl, (const uint8_t *)v + 8, vl - 8,
	    pt, sizeof pt);
	if (n < 0) {
		/* Never dropped: counted and kept (a wrong state key?) */
		lj->bad++;
		return 0;
	}
	lj->v[lj->n] = entry_new(be64_get(k), pt, (size_t)n,
	    be64_get(v));
	sodium_memzero(pt, (size_t)n);
	if (lj->v[lj->n] != NULL)
		lj->n++;
	return 0;
}

static int
load_run(struct store_txn *t, void *arg)
{
	struct load_job *lj = arg;
	uint8_t key[8];
	size_t i;
	int rc;

	for (i = 0; i < lj->n; i++)
		entry_free(lj->v[i]);
	lj->n = 0;
	lj->bad = 0;
	lj->hit_end = 0;
	be64_put(key, lj->from);
	if ((rc = store_scan(t, STORE_SAF, key, sizeof key, load_one, lj))
	    != 0)
		return rc;
	lj->hit_end |= lj->n < lj->want;
	lj->depth = store_count(t, STORE_SAF);
	return saf_last_id(t, &lj->next_id);
}

static int
is_held(uint64_t id)
{
	size_t i;

	for (i = 0; i < S.nheld; i++)
		if (S.held[i] == id)
			return 1;
	return 0;
}

static void
load_take(struct load_job *lj)
{
	size_t i;

	for (i = 0; i < lj->n; i++) {
		struct entry *e = lj->v[i];
		if (e->hl.id <= S.tail_id) {
			entry_free(e);
			continue;
		}
		e->held = S.nheld > 0 && is_held(e->hl.id);
		enqueue(e);
	}
	if (lj->bad)
		log_warnx("event=saf_unreadable_entries count=%d "
		    "reason=\"do not open under the state key; kept\"",
		    lj->bad);
}

static void
load_done(void *arg, int rc)
{
	struct load_job *lj = arg;

	S.loading = 0;
	if (rc != 0) {
		log_warnx("event=saf_load_failed error=\"%s\"",
		    store_strerror(rc));
	} else {
		load_take(lj);
		if (lj->hit_end && S.appends_during_load == 0)
			S.all_loaded = 1;
	}
	free(lj->v);
	free(lj);
}

static void
maybe_load(void)
{
	struct load_job *lj;

	if (S.st == NULL || S.all_loaded || S.loading ||
	    S.nmem > SAF_WINDOW / 2 || !S.up)
		return;
	if ((lj = calloc(1, sizeof *lj)) == NULL)
		return;
	lj->want = SAF_WINDOW - S.nmem;
	if ((lj->v = calloc(lj->want, sizeof *lj->v)) == NULL) {
		free(lj);
		return;
	}
	lj->from = S.tail_id + 1;
	lj->upto = S.s.next_id;
	lj->job.run = load_run;
	lj->job.done = load_done;
	lj->job.arg = lj;
	S.loading = 1;
	S.appends_during_load = 0;
	store_read(S.st, &lj->job);
}

int
saf_init(struct store *st, const struct statekey *k, saf_send_fn *send,
    void *sendarg, uint32_t retry_us, uint32_t max_inflight)
{
	struct load_job lj;
	int rc;

	memset(&S, 0, sizeof S);
	TAILQ_INIT(&S.q);
	if (idhash_init(&S.index) == -1)
		return -1;
	S.st = st;
	S.key = k;
	S.send = send;
	S.sendarg = sendarg;
	S.retry_us = retry_us;
	S.max_inflight = max_inflight;
	/* Ids of advices held in memory: unique across restarts without a
	 * store to count in (the start time, then one more each), and apart
	 * from the store's, which count from 1. */
	S.mem_next = SAF_MEMORY_ID | wall_us() << 4;
	if (st == NULL) {
		S.all_loaded = 1;
		S.up = 1;
		return 0;
	}
	if ((S.acks = calloc(SAF_ACK_BATCH, sizeof *S.acks)) == NULL)
		return -1;
	memset(&lj, 0, sizeof lj);
	lj.want = SAF_WINDOW;
	if ((lj.v = calloc(lj.want, sizeof *lj.v)) == NULL)
		return -1;
	lj.from = 0;
	lj.upto = UINT64_MAX;		/* all of it was announced */
	lj.job.run = load_run;
	lj.job.arg = &lj;
	rc = store_run_now(st, &lj.job, 0);
	if (rc == 0) {
		load_take(&lj);
		S.all_loaded = lj.hit_end;
		S.s.depth = lj.depth;
	}
	free(lj.v);
	if (rc != 0) {
		log_warnx("event=saf_load_failed error=\"%s\"",
		    store_strerror(rc));
		return -1;
	}
	S.s.next_id = lj.next_id;
	S.up = 1;
	if (S.s.depth > 0)
		log_info("event=saf_loaded depth=%llu head_id=%llu",
		    (unsigned long long)S.s.depth,
		    (unsigned long long)(TAILQ_FIRST(&S.q) ?
		    TAILQ_FIRST(&S.q)->hl.id : 0));
	return 0;
}

void
saf_shutdown(void)
{
	struct entry *e;

	while ((e = TAILQ_FIRST(&S.q)) != NULL) {
		TAILQ_REMOVE(&S.q, e, e);
		entry_free(e);
	}
	S.cursor = NULL;
	free(S.acks);
	S.acks = NULL;
	free(S.held);
	S.held = NULL;
	S.nheld = S.heldcap = 0;
	idhash_free(&S.index);
	S.nmem = 0;
	S.up = 0;
}

void
saf_added(uint64_t id, const uint8_t *body, size_t len, uint64_t enq)
{
	struct entry *e;

	if (S.on_added != NULL)
		S.on_added(id, body, len);
	S.s.depth++;
	S.s.appended++;
	if (id > S.s.next_id)
		S.s.next_id = id;
	if (S.loading)
		S.appends_during_load++;
	if (!S.all_loaded || S.nmem >= SAF_WINDOW || id <= S.tail_id) {
		S.all_loaded = 0;
		return;
	}
	if ((e = entry_new(id, body, len, enq)) == NULL) {
		S.all_loaded = 0;	/* it is in the store: loaded later */
		return;
	}
	enqueue(e);
}

int
saf_final(uint64_t id)
{
	return id <= S.s.next_id && !is_held(id);
}

void
saf_hold(uint64_t id, uint64_t enq)
{
	struct entry *e;
	uint64_t *v;

	if (S.nheld == S.heldcap) {
		if ((v = reallocarray(S.held, S.heldcap * 2 + 16,
		    sizeof *v)) == NULL)
			fatal("saf_hold");	/* an order we cannot keep */
		S.held = v;
		S.heldcap = S.heldcap * 2 + 16;
	}
	S.held[S.nheld++] = id;
	S.s.depth++;
	S.s.appended++;
	if (id > S.s.next_id)
		S.s.next_id = id;
	if (S.loading)
		S.appends_during_load++;
	if (!S.all_loaded || S.nmem >= SAF_WINDOW || id <= S.tail_id ||
	    (e = entry_new(id, NULL, 0, enq)) == NULL) {
		S.all_loaded = 0;	/* loaded (held) later */
		return;
	}
	e->held = 1;			/* its place in the order, no body */
	enqueue(e);
}

void
saf_amended(uint64_t id, const uint8_t *body, size_t len)
{
	struct entry *e, *n;
	size_t i;

	if (S.on_added != NULL)
		S.on_added(id, body, len);
	for (i = 0; i < S.nheld; i++)
		if (S.held[i] == id) {
			S.held[i] = S.held[--S.nheld];
			break;
		}
	if ((e = find(id)) == NULL)
		return;			/* not loaded yet: the store has it */
	if ((n = entry_new(id, body, len, e->enq_wall_us)) == NULL) {
		log_warn("event=saf_amend_stuck id=%llu reason=\"held until "
		    "a restart loads it from the store\"",
		    (unsigned long long)id);
		return;
	}
	TAILQ_INSERT_AFTER(&S.q, e, n, e);
	if (S.cursor == e)
		S.cursor = n;
	TAILQ_REMOVE(&S.q, e, e);
	idhash_del(&S.index, &e->hl);
	idhash_add(&S.index, &n->hl);
	entry_free(e);
}

int
saf_push(uint8_t *buf, size_t len, size_t cap, uint64_t *idp)
{
	struct entry *e;
	struct tlv_w w;
	uint64_t id = S.mem_next + 1;

	if (!S.up)
		return -1;
	if (S.nmemory >= SAF_MEMORY_MAX) {
		/* Under overload this is every shed request: the first
		 * line, then one per thousand; the counter says the rest. */
		if (S.s.memory_dropped++ % 1000 == 0)
			log_warnx("event=advice_queue_full queue=memory "
			    "limit=%d dropped=%llu", SAF_MEMORY_MAX,
			    (unsigned long long)S.s.memory_dropped);
		return -1;
	}
	tlv_w_init(&w, buf, cap < SAF_BODY_MAX ? cap : SAF_BODY_MAX);
	w.len = len;
	tlv_put_u64(&w, TLV_ADVICE_ID, id);
	if (w.err || (e = entry_new(id, buf, w.len, wall_us())) == NULL)
		return -1;
	e->memory = 1;
	S.mem_next = id;
	S.nmemory++;
	S.s.depth++;
	S.s.appended++;
	S.s.in_memory_only++;
	enqueue(e);
	*idp = id;
	return 0;
}

/* --- acknowledgements --------------------------------------------------------- */

struct del_job {
	struct store_job	 job;
	size_t			 n;
	size_t			 deleted;
	struct saf_settled	 settled;	/* saf_on_settle's */
	uint64_t		 ids[];
};

static int
del_run(struct store_txn *t, void *arg)
{
	struct del_job *dj = arg;
	uint8_t key[8];
	size_t i;
	int rc;

	dj->deleted = 0;
	dj->settled = (struct saf_settled){ 0, UINT64_MAX };
	for (i = 0; i < dj->n; i++) {
		be64_put(key, dj->ids[i]);
		rc = store_del(t, STORE_SAF, key, sizeof key);
		if (rc == 0)
			dj->deleted++;
		else if (rc != STORE_NOTFOUND)
			return rc;
		if (S.settle != NULL &&
		    (rc = S.settle(t, dj->ids[i], &dj->settled)) != 0)
			return rc;
	}
	return 0;
}

static void flush_acks(void);

static void
del_done(void *arg, int rc)
{
	struct del_job *dj = arg;

	S.deleting = 0;
	if (rc != 0)
		/* They stay in the store: sent again after a restart, and
		 * the core de-duplicates by advice id. */
		log_warnx("event=saf_delete_failed count=%zu error=\"%s\"",
		    dj->n, store_strerror(rc));
	else
		S.s.depth -= dj->deleted < S.s.depth ? dj->deleted : S.s.depth;
	if (rc == 0 && dj->settled.first != UINT64_MAX && S.settled != NULL)
		S.settled(&dj->settled);
	free(dj);
	if (S.up)
		flush_acks();
}

static void
flush_acks(void)
{
	struct del_job *dj;

	if (S.deleting || S.nacks == 0)
		return;
	if ((dj = malloc(sizeof *dj + S.nacks * sizeof(uint64_t))) == NULL)
		return;
	memset(dj, 0, sizeof *dj);
	dj->n = S.nacks;
	memcpy(dj->ids, S.acks, S.nacks * sizeof(uint64_t));
	S.nacks = 0;
	dj->job.run = del_run;
	dj->job.done = del_done;
	dj->job.arg = dj;
	S.deleting = 1;
	store_write(S.st, &dj->job);
}

void
saf_ack(uint64_t id)
{
	struct entry *e;
	int memory;

	if ((e = find(id)) == NULL) {
		/* A repeat ack, or one for an entry not in the window:
		 * deleting it is harmless either way. */
		S.s.unknown_acks++;
		if (id == 0 || id > S.s.next_id || S.st == NULL)
			return;
	} else {
		if (e->inflight)
			S.ninflight--;
		if (S.cursor == e)
			S.cursor = TAILQ_NEXT(e, e);
		TAILQ_REMOVE(&S.q, e, e);
		idhash_del(&S.index, &e->hl);
		S.nmem--;
		memory = e->memory;
		entry_free(e);
		S.s.acked++;
		if (memory) {
			/* Nothing to delete: memory was all there was. */
			S.nmemory--;
			S.s.depth--;
			return;
		}
	}
	if (S.on_acked != NULL)
		S.on_acked(id);
	if (S.nacks == SAF_ACK_BATCH)
		flush_acks();
	if (S.nacks < SAF_ACK_BATCH)
		S.acks[S.nacks++] = id;
	flush_acks();
	maybe_load();
}

/* --- sending ---------------------------------------------------------------- */

static int
send_one(struct entry *e, uint64_t now)
{
	if (S.send(e->hl.id, e->body, e->len, S.sendarg) == -1)
		return -1;
	if (e->tries > 0)
		S.s.resent++;
	S.s.sent++;
	e->tries++;
	e->inflight = 1;
	e->next_us = now + S.retry_us;
	S.ninflight++;
	return 0;
}

/* Whole window, in order: retries of what was not acknowledged in time,
 * then what was never sent (on the timer). */
void
saf_run(uint64_t now)
{
	struct entry *e;

	if (!S.up || S.s.paused)
		return;
	maybe_load();
	TAILQ_FOREACH(e, &S.q, e) {
		if (e->held)
			break;		/* in order: it goes once amended */
		if (e->inflight && e->next_us > now)
			continue;
		if (e->inflight) {		/* no ack in time */
			e->inflight = 0;
			S.ninflight--;
		}
		if (S.ninflight >= S.max_inflight)
			break;
		if (send_one(e, now) == -1)
			break;
		if (e == S.cursor)
			S.cursor = TAILQ_NEXT(e, e);
	}
}

/* Only what was never sent, from the cursor: cheap, after each append. */
void
saf_kick(uint64_t now)
{
	if (!S.up || S.s.paused)
		return;
	while (S.cursor != NULL && !S.cursor->held &&
	    S.ninflight < S.max_inflight) {
		if (S.cursor->tries == 0 && send_one(S.cursor, now) == -1)
			break;
		S.cursor = TAILQ_NEXT(S.cursor, e);
	}
}

void
saf_reset_inflight(void)
{
	struct entry *e;

	TAILQ_FOREACH(e, &S.q, e)
		e->inflight = 0;
	S.ninflight = 0;
	S.cursor = TAILQ_FIRST(&S.q);
}

void
saf_pause(int on)
{
	S.s.paused = on;
}

void
saf_replay(uint64_t now)
{
	saf_reset_inflight();
	saf_run(now);
}

void
saf_get_stats(struct saf_stats *o)
{
	struct entry *e, *h = TAILQ_FIRST(&S.q);
	uint64_t now = wall_us();

	*o = S.s;
	o->in_memory = S.nmem;
	o->durable = S.st != NULL;
	o->max_attempts = 0;
	/* Advices go in queue order and a send that fails or a held one
	 * stops the rest: the sent ones are a prefix (about max_inflight
	 * long), and the queue behind it may hold 100,000 never sent. */
	for (e = h; e != NULL && e->tries > 0; e = TAILQ_NEXT(e, e))
		if (e->tries > o->max_attempts)
			o->max_attempts = e->tries;
	if (h != NULL) {
		o->head_id = h->hl.id;
		o->head_attempts = h->tries;
		o->oldest_age_us = now > h->enq_wall_us ? now -
		    h->enq_wall_us : 0;
	}
}
