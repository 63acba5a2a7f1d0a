/*
 * storeq.c — the store's two threads and their queues: the writer runs
 * every pending write job in one transaction and commits it (group
 * commit), the reader runs read jobs; completions go back to the event
 * loop through an eventfd.
 */
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <lmdb.h>

#include "base/clock.h"
#include "base/log.h"
#include "gateway/standin/store-int.h"

#define READER_CHECK_S	10
/* Decisions per transaction: bounds the commit time and the burst of
 * completions the event loop runs at once. */
#define STORE_BATCH_MAX	256
#define POLL_MAX	128	/* completions per loop wake-up */
/* After a look-up pass on the loop met the disk, look-ups go to the
 * reader thread this long (the pages it reads come back into memory). */
#define LOOKUP_AWAY_US	(10 * 1000000ull)
/* A pass of look-ups in memory takes microseconds; a disk read more. */
#define LOOKUP_SLOW_US	20

/* --- queues -------------------------------------------------------------------- */

static void
jobq_init(struct jobq *q)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	q->head = NULL;
	q->tail = &q->head;
}

static void
jobq_push(struct jobq *q, struct store_job *j)
{
	int wake;

	j->next = NULL;
	j->rc = 0;
	j->settled = 0;
	pthread_mutex_lock(&q->mu);
	wake = q->head == NULL;		/* else the thread is busy and will
					   find it: no futex wake needed */
	*q->tail = j;
	q->tail = &j->next;
	if (wake)
		pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static void
jobq_push_list(struct jobq *q, struct store_job *h, struct store_job **t)
{
	int wake;

	pthread_mutex_lock(&q->mu);
	wake = q->head == NULL;
	*q->tail = h;
	q->tail = t;
	if (wake)
		pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* Takes the queued jobs, at most max (0: all); NULL on stop with nothing
 * queued, or on the periodic wake-up (*tick set). */
static struct store_job *
jobq_take(struct jobq *q, int *tick, size_t max)
{
	struct store_job *l, *last;
	struct timespec ts;
	size_t n;

	*tick = 0;
	pthread_mutex_lock(&q->mu);
	if (q->head == NULL && !q->stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += READER_CHECK_S;
		if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
			*tick = 1;
	}
	l = q->head;
	if (l != NULL && max != 0) {
		for (last = l, n = 1; last->next != NULL && n < max; n++)
			last = last->next;
		q->head = last->next;
		last->next = NULL;
		if (q->head == NULL)
			q->tail = &q->head;
	} else {
		q->head = NULL;
		q->tail = &q->head;
	}
	pthread_mutex_unlock(&q->mu);
	return l;
}

static void
complete(struct store *st, struct store_job *l)
{
	struct store_job *last;
	uint64_t one = 1;

	if (l == NULL)
		return;
	for (last = l; last->next != NULL; last = last->next)
		;
	pthread_mutex_lock(&st->dmu);
	*st->dtail = l;
	st->dtail = &last->next;
	pthread_mutex_unlock(&st->dmu);
	if (write(st->efd, &one, sizeof one) == -1 && errno != EAGAIN)
		log_warn("event=store_wake_failed");
}

/* Frees a job to be queued again, then runs its completion. */
static void
finish(struct store *st, struct store_job *j)
{
	pthread_mutex_lock(&st->dmu);
	j->queued = 0;
	pthread_mutex_unlock(&st->dmu);
	if (j->done != NULL)
		j->done(j->arg, j->rc);
}

/* Runs up to max completions (0: all); the number run, *more set when
 * some are left. */
static int
poll_some(struct store *st, int max, int *more)
{
	struct store_job *l, *j, *next, *rest = NULL, **rtail = NULL;
	uint64_t v;
	int n = 0;

	if (read(st->efd, &v, sizeof v) == -1 && errno != EAGAIN)
		log_warn("event=store_eventfd_read");
	pthread_mutex_lock(&st->dmu);
	l = st->dhead;
	if (max > 0) {
		/* keep what is past max at the head of the list */
		for (j = l; j != NULL && ++n < max; j = j->next)
			;
		if (j != NULL && j->next != NULL) {
			rest = j->next;
			rtail = st->dtail;
			j->next = NULL;
		}
		n = 0;
	}
	st->dhead = rest;
	st->dtail = rest != NULL ? rtail : &st->dhead;
	pthread_mutex_unlock(&st->dmu);
	*more = rest != NULL;
	for (j = l; j != NULL; j = next) {
		/* Free to queue again from here, its own done included; the
		 * jobs after it in this list are not, until theirs ran. */
		next = j->next;
		finish(st, j);
		n++;
	}
	return n;
}

int
store_poll(struct store *st)
{
	int more;

	return poll_some(st, 0, &more);
}

int
store_wait(struct store *st)
{
	struct store_job *h;
	int n;

	for (;;) {
		pthread_mutex_lock(&st->dmu);
		h = st->dhead;
		pthread_mutex_unlock(&st->dmu);
		if (h != NULL)
			break;
		usleep(200);
	}
	n = store_poll(st);
	return n;
}

static void
on_eventfd(evutil_socket_t fd, short ev, void *arg)
{
	struct store *st = arg;
	int more;

	(void)fd;
	(void)ev;
	/* A bounded burst, then the loop's other events (the deadline
	 * guard among them) get their turn. */
	poll_some(st, POLL_MAX, &more);
	if (more)
		event_active(st->ev, EV_READ, 0);
}

/* --- the writer -------------------------------------------------------------- */

static void
count_failure(struct store *st, int rc)
{
	pthread_mutex_lock(&st->smu);
	if (rc == STORE_FULL)
		st->s.map_full++;
	else
		st->s.errors++;
	pthread_mutex_unlock(&st->smu);
}

/* Runs the unsettled jobs of l in one transaction; 0 committed, else the
 * error of the commit itself. */
static int
write_batch(struct store *st, struct store_job *l, size_t *njobs)
{
	struct store_txn t = { st, NULL };
	struct store_job *j;
	int rc;

again:
	*njobs = 0;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &t.txn)) != 0)
		return store_rc(rc);
	for (j = l; j != NULL; j = j->next) {
		if (j->settled)
			continue;
		if ((rc = j->run(&t, j->arg)) != 0) {
			/* The transaction is unusable now: drop it, settle
			 * this job with its error, redo the others. */
			mdb_txn_abort(t.txn);
			j->rc = rc;
			j->settled = 1;
			count_failure(st, rc);
			goto again;
		}
		(*njobs)++;
	}
	if (*njobs == 0) {
		mdb_txn_abort(t.txn);
		return 0;
	}
	return store_rc(mdb_txn_commit(t.txn));
}

static void
writer_batch(struct store *st, struct store_job *l)
{
	struct store_job *j, *next;
	size_t n = 0;
	uint64_t t0 = now_us(), dt, seq;
	int rc;

	rc = write_batch(st, l, &n);
	if (rc != 0 && l->next != NULL) {
		/* The commit of the group failed (full map at commit):
		 * one transaction per job, so only the ones that do not fit
		 * fail. */
		for (j = l; j != NULL; j = next) {
			next = j->next;
			if (j->settled)
				continue;
			j->next = NULL;
			if ((rc = write_batch(st, j, &n)) != 0) {
				j->rc = rc;
				count_failure(st, rc);
			}
			j->next = next;
		}
	} else if (rc != 0) {
		l->rc = rc;
		count_failure(st, rc);
	}
	dt = now_us() - t0;
	n = 0;
	for (j = l; j != NULL; j = j->next)
		n++;
	pthread_mutex_lock(&st->smu);
	seq = ++st->s.batches;
	st->s.jobs += n;
	st->s.last_batch = n;
	if (n > st->s.max_batch)
		st->s.max_batch = n;
	st->s.commit_us_total += dt;
	if (dt > st->s.commit_us_max)
		st->s.commit_us_max = dt;
	pthread_mutex_unlock(&st->smu);
	for (j = l; j != NULL; j = j->next) {
		j->batch_seq = seq;
		j->batch_n = (uint32_t)n;
		j->batch_us = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
	}
	complete(st, l);
}

static void
reader_check(struct store *st)
{
	int dead = 0;

	mdb_reader_check(st->env, &dead);
	pthread_mutex_lock(&st->smu);
	st->s.reader_checks++;
	st->s.stale_readers += (uint64_t)dead;
	pthread_mutex_unlock(&st->smu);
	if (dead > 0)
		log_warnx("event=store_stale_readers cleared=%d", dead);
}

static void *
writer_main(void *arg)
{
	struct store *st = arg;
	struct store_job *l;
	uint64_t last_check = now_us();
	int tick;

	pthread_mutex_lock(&st->smu);
	st->s.writer_tid = (uint64_t)gettid();
	pthread_mutex_unlock(&st->smu);
	for (;;) {
		l = jobq_take(&st->wq, &tick, STORE_BATCH_MAX);
		if (l != NULL)
			writer_batch(st, l);
		if (tick || now_us() - last_check > READER_CHECK_S * 1000000u) {
			reader_check(st);
			last_check = now_us();
		}
		if (l == NULL && !tick) {
			pthread_mutex_lock(&st->wq.mu);
			int stop = st->wq.stop && st->wq.head == NULL;
			pthread_mutex_unlock(&st->wq.mu);
			if (stop)
				break;
		}
	}
	return NULL;
}

static void *
reader_main(void *arg)
{
	struct store *st = arg;
	struct store_txn t = { st, NULL };
	struct store_job *l, *j;
	uint64_t n;
	int tick, rc;

	for (;;) {
		l = jobq_take(&st->rq, &tick, 0);
		if (l == NULL) {
			if (tick)
				continue;
			pthread_mutex_lock(&st->rq.mu);
			int stop = st->rq.stop && st->rq.head == NULL;
			pthread_mutex_unlock(&st->rq.mu);
			if (stop)
				break;
			continue;
		}
		rc = t.txn == NULL ?
		    mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t.txn) :
		    mdb_txn_renew(t.txn);
		for (n = 0, j = l; j != NULL; j = j->next, n++)
			j->rc = rc != 0 ? store_rc(rc) : j->run(&t, j->arg);
		pthread_mutex_lock(&st->smu);
		st->s.reads += n;
		pthread_mutex_unlock(&st->smu);
		if (rc == 0)
			mdb_txn_reset(t.txn);
		else
			t.txn = NULL;
		complete(st, l);
	}
	if (t.txn != NULL)
		mdb_txn_abort(t.txn);
	return NULL;
}

/* --- submitting ---------------------------------------------------------------------- */

/* After close began, a job is not run: it completes with STORE_CLOSED. */
static void
submit(struct store *st, struct jobq *q, struct store_job *j)
{
	int stopped;

	pthread_mutex_lock(&q->mu);
	stopped = q->stop;
	pthread_mutex_unlock(&q->mu);
	if (!stopped) {
		jobq_push(q, j);
		return;
	}
	j->next = NULL;
	j->rc = STORE_CLOSED;
	complete(st, j);
}

/* Whether the loop thread waited for the disk (a major fault) since it
 * last asked; if so, look-ups leave the loop for a while.  Asked only
 * after a pass long enough to have read the disk: a pass in memory
 * costs no system call. */
static int
lookup_faulted(struct store *st, uint64_t took_us)
{
	struct rusage ru;
	long before = st->majflt;

	if (took_us < LOOKUP_SLOW_US || getrusage(RUSAGE_THREAD, &ru) == -1)
		return 0;
	st->majflt = ru.ru_majflt;
	if (ru.ru_majflt <= before)
		return 0;
	if (now_us() >= st->lookup_away_until)
		log_warnx("event=store_lookups_off_loop faults=%ld "
		    "reason=\"the store's pages were not in memory: look-ups "
		    "run on the reader thread for %llus\"", ru.ru_majflt - before,
		    LOOKUP_AWAY_US / 1000000);
	st->lookup_away_until = now_us() + LOOKUP_AWAY_US;
	return 1;
}

/*
 * The look-ups of one loop pass, on the loop, in one read transaction.
 * A point look-up in pages the store itself wrote (so in memory) takes
 * microseconds; on the reader thread it cost two thread hand-offs, each
 * a wake-up and a context switch, per decision.
 */
static void
lookups_run(struct store *st)
{
	struct store_txn t = { st, st->ltxn };
	struct store_job *l = st->pl, *j, *next;
	uint64_t n = 0, t0 = now_us();
	int rc, faulted;

	st->pl = NULL;
	st->plt = &st->pl;
	rc = t.txn == NULL ? mdb_txn_begin(st->env, NULL, MDB_RDONLY,
	    &t.txn) : mdb_txn_renew(t.txn);
	for (j = l; j != NULL; j = j->next, n++)
		j->rc = rc != 0 ? store_rc(rc) : j->run(&t, j->arg);
	if (rc == 0)
		mdb_txn_reset(t.txn);
	else if (t.txn != NULL) {
		mdb_txn_abort(t.txn);
		t.txn = NULL;
	}
	st->ltxn = t.txn;
	faulted = lookup_faulted(st, now_us() - t0);
	pthread_mutex_lock(&st->smu);
	st->s.reads += n;
	st->s.lookups_loop += n;
	st->s.lookup_faults += (uint64_t)faulted;
	pthread_mutex_unlock(&st->smu);
	for (j = l; j != NULL; j = next) {
		next = j->next;
		finish(st, j);
	}
}

static void
flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct store *st = arg;

	(void)fd;
	(void)ev;
	st->flush_pending = 0;
	/* first: their completions may queue writes, sent below */
	if (st->pl != NULL)
		lookups_run(st);
	if (st->pr != NULL) {
		jobq_push_list(&st->rq, st->pr, st->prt);
		st->pr = NULL;
		st->prt = &st->pr;
	}
	if (st->pw != NULL) {
		jobq_push_list(&st->wq, st->pw, st->pwt);
		st->pw = NULL;
		st->pwt = &st->pw;
	}
}

/* From the loop: held until the end of this loop iteration. */
static void
defer(struct store *st, struct store_job ***tail, struct store_job *j)
{
	j->next = NULL;
	j->rc = 0;
	j->settled = 0;
	**tail = j;
	*tail = &j->next;
	if (!st->flush_pending) {
		st->flush_pending = 1;
		event_active(st->flush_ev, EV_TIMEOUT, 0);
	}
}

/*
 * A job is in one list at a time: queued twice, its next pointer would
 * join two lists and the completion walk could loop for ever.
 */
static int
claim(struct store *st, struct store_job *j)
{
	int was;

	pthread_mutex_lock(&st->dmu);
	was = j->queued;
	j->queued = 1;
	pthread_mutex_unlock(&st->dmu);
	if (was) {
		log_warnx("event=store_job_refused reason=\"queued again "
		    "before its completion ran\"");
		return STORE_BUSY;
	}
	return 0;
}

int
store_write(struct store *st, struct store_job *j)
{
	if (claim(st, j) != 0)
		return STORE_BUSY;
	/* Deferred to the end of the loop pass while the loop runs;
	 * store_close frees flush_ev before it stops the queues. */
	if (st->flush_ev != NULL)
		defer(st, &st->pwt, j);
	else
		submit(st, &st->wq, j);
	return 0;
}

size_t
store_writes_waiting(struct store *st)
{
	struct store_job *j;
	size_t n = 0;

	pthread_mutex_lock(&st->wq.mu);
	for (j = st->wq.head; j != NULL; j = j->next)
		n++;
	pthread_mutex_unlock(&st->wq.mu);
	return n;
}

int
store_lookup(struct store *st, struct store_job *j)
{
	if (claim(st, j) != 0)
		return STORE_BUSY;
	if (st->flush_ev == NULL)
		submit(st, &st->rq, j);
	else if (now_us() < st->lookup_away_until)
		defer(st, &st->prt, j);		/* the reader thread */
	else
		defer(st, &st->plt, j);
	return 0;
}

int
store_read(struct store *st, struct store_job *j)
{
	if (claim(st, j) != 0)
		return STORE_BUSY;
	if (st->flush_ev != NULL)
		defer(st, &st->prt, j);
	else
		submit(st, &st->rq, j);
	return 0;
}

/* --- start and stop ---------------------------------------------------------------- */

int
storeq_start(struct store *st, struct event_base *base, char *err,
    size_t errsz)
{
	if ((st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		snprintf(err, errsz, "eventfd: %s", strerror(errno));
		return -1;
	}
	pthread_mutex_init(&st->dmu, NULL);
	pthread_mutex_init(&st->smu, NULL);
	st->dtail = &st->dhead;
	jobq_init(&st->wq);
	jobq_init(&st->rq);
	st->pwt = &st->pw;
	st->prt = &st->pr;
	st->plt = &st->pl;
	if (base != NULL) {
		/* the loop's faults so far (loading the program) are not
		 * the store's */
		struct rusage ru;

		if (getrusage(RUSAGE_THREAD, &ru) == 0)
			st->majflt = ru.ru_majflt;
		st->ev = event_new(base, st->efd, EV_READ | EV_PERSIST,
		    on_eventfd, st);
		st->flush_ev = event_new(base, -1, 0, flush_cb, st);
		if (st->ev == NULL || st->flush_ev == NULL ||
		    event_add(st->ev, NULL) == -1) {
			snprintf(err, errsz, "event_new");
			return -1;
		}
	}
	if (pthread_create(&st->wq.thr, NULL, writer_main, st) != 0) {
		snprintf(err, errsz, "pthread_create");
		return -1;
	}
	st->wq.started = 1;
	if (pthread_create(&st->rq.thr, NULL, reader_main, st) != 0) {
		snprintf(err, errsz, "pthread_create");
		return -1;
	}
	st->rq.started = 1;
	return 0;
}

static void
jobq_stop(struct jobq *q)
{
	if (!q->started) {
		q->stop = 1;
		return;
	}
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thr, NULL);
	q->started = 0;
}

void
storeq_stop(struct store *st)
{
	/* What the loop holds goes to the threads first. */
	if (st->flush_ev != NULL) {
		do	/* a look-up's completion may queue another */
			flush_cb(-1, 0, st);
		while (st->pl != NULL || st->pw != NULL || st->pr != NULL);
		event_free(st->flush_ev);
		st->flush_ev = NULL;
	}
	/* Readers first: their completions may queue writes. */
	jobq_stop(&st->rq);
	if (st->efd != -1)
		while (store_poll(st) > 0)
			;
	jobq_stop(&st->wq);
	if (st->efd != -1) {
		while (store_poll(st) > 0)
			;
		close(st->efd);
		st->efd = -1;
	}
	if (st->ev != NULL)
		event_free(st->ev);
	st->ev = NULL;
	if (st->ltxn != NULL)
		mdb_txn_abort(st->ltxn);
	st->ltxn = NULL;
}
