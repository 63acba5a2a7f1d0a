/* check_store.c — LMDB store: group commit, reads, map full, restart. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include <event2/event.h>

#include "base/be.h"
#include "gateway/standin/store.h"
#include "tests/unit/checkrun.h"

static char dir[64];	/* check-store.XXXXXX under /tmp or /var/tmp */

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof dir, "/tmp/check-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
rm_tmp(void)
{
	char p[128];

	snprintf(p, sizeof p, "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

struct pj {
	struct store_job job;
	uint64_t	 k;
	size_t		 vlen;
	int		 done, rc;
	uint64_t	 got;
	int		 found;
};

static int
put_run(struct store_txn *t, void *arg)
{
	struct pj *p = arg;
	uint8_t v[4096];
	uint8_t k[8];

	memset(v, (int)(p->k & 0xff), sizeof v);
	be64_put(k, p->k);
	return store_put(t, STORE_DECISIONS, k, 8, v, p->vlen);
}

static int
get_run(struct store_txn *t, void *arg)
{
	struct pj *p = arg;
	const void *v;
	size_t vl;
	uint8_t k[8];
	int rc;

	be64_put(k, p->k);
	rc = store_get(t, STORE_DECISIONS, k, 8, &v, &vl);
	if (rc == STORE_NOTFOUND) {
		p->found = 0;
		return 0;
	}
	if (rc != 0)
		return rc;
	p->found = 1;
	p->got = vl;
	return 0;
}

static void
pj_done(void *arg, int rc)
{
	struct pj *p = arg;

	p->done = 1;
	p->rc = rc;
}

static void
wait_all(struct store *st, struct pj *v, int n)
{
	int i, left;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++)
			left += !v[i].done;
		if (left == 0)
			return;
		store_wait(st);
	}
}

START_TEST(test_group_commit_and_restart)
{
	enum { N = 2000 };
	struct pj *v = calloc(N, sizeof *v);
	struct store_stats s;
	struct store *st;
	char err[256];
	int i;

	mkdir_tmp();
	st = store_open(dir, 64 << 20, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	for (i = 0; i < N; i++) {
		v[i].k = (uint64_t)i + 1;
		v[i].vlen = 100;
		v[i].job.run = put_run;
		v[i].job.done = pj_done;
		v[i].job.arg = &v[i];
		store_write(st, &v[i].job);
	}
	wait_all(st, v, N);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(v[i].rc, 0);
	store_stats(st, &s);
	ck_assert_uint_eq(s.jobs, N);
	/* Grouped: far fewer commits than jobs. */
	ck_assert_msg(s.batches < N / 4, "batches %llu for %d jobs",
	    (unsigned long long)s.batches, N);
	ck_assert_uint_gt(s.max_batch, 1);
	store_close(st);

	/* Restart: everything is there. */
	st = store_open(dir, 64 << 20, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	for (i = 0; i < N; i++) {
		v[i].done = 0;
		v[i].job.run = get_run;
		store_read(st, &v[i].job);
	}
	wait_all(st, v, N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(v[i].rc, 0);
		ck_assert_int_eq(v[i].found, 1);
		ck_assert_uint_eq(v[i].got, 100);
	}
	store_close(st);
	rm_tmp();
	free(v);
}
END_TEST

START_TEST(test_map_full)
{
	enum { N = 400 };
	struct pj *v = calloc(N, sizeof *v);
	struct store_stats s;
	struct store *st;
	char err[256];
	int i, ok = 0, full = 0, first_full = -1;

	mkdir_tmp();
	st = store_open(dir, 256 << 10, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	/* Queued in several waves so batches mix fitting and failing jobs. */
	for (i = 0; i < N; i++) {
		v[i].k = (uint64_t)i + 1;
		v[i].vlen = 3000;
		v[i].job.run = put_run;
		v[i].job.done = pj_done;
		v[i].job.arg = &v[i];
		store_write(st, &v[i].job);
		if (i % 50 == 49)
			wait_all(st, v, i + 1);
	}
	wait_all(st, v, N);
	for (i = 0; i < N; i++) {
		if (v[i].rc == 0)
			ok++;
		else {
			ck_assert_int_eq(v[i].rc, STORE_FULL);
			if (first_full < 0)
				first_full = i;
			full++;
		}
	}
	ck_assert_int_gt(ok, 10);
	ck_assert_int_gt(full, 0);
	store_stats(st, &s);
	ck_assert_uint_eq(s.map_full, (uint64_t)full);
	store_close(st);

	/* What was acknowledged as written survived; nothing else is half
	 * there. */
	st = store_open(dir, 256 << 10, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	for (i = 0; i < N; i++) {
		int was_ok = v[i].rc == 0;
		v[i].done = 0;
		v[i].job.run = get_run;
		ck_assert_int_eq(store_run_now(st, &v[i].job, 0), 0);
		ck_assert_int_eq(v[i].found, was_ok);
	}
	store_close(st);
	rm_tmp();
	free(v);
}
END_TEST

static int
fail_run(struct store_txn *t, void *arg)
{
	(void)t;
	(void)arg;
	return STORE_TOOBIG;
}

START_TEST(test_failing_job_isolated)
{
	struct pj v[3];
	struct store *st;
	char err[256];
	int i;

	mkdir_tmp();
	st = store_open(dir, 1 << 20, 0, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(st);
	memset(v, 0, sizeof v);
	for (i = 0; i < 3; i++) {
		v[i].k = (uint64_t)i + 10;
		v[i].vlen = 10;
		v[i].job.run = i == 1 ? fail_run : put_run;
		v[i].job.done = pj_done;
		v[i].job.arg = &v[i];
		store_write(st, &v[i].job);
	}
	wait_all(st, v, 3);
	ck_assert_int_eq(v[0].rc, 0);
	ck_assert_int_eq(v[1].rc, STORE_TOOBIG);
	ck_assert_int_eq(v[2].rc, 0);
	store_close(st);
	rm_tmp();
}
END_TEST

/* A job queued again before its completion ran is refused, not put in
 * two lists (where the completion walk could loop for ever); once its
 * completion has run it may go again, from that completion too. */
static struct store *again_st;
static int again_left;

static void
again_done(void *arg, int rc)
{
	struct pj *p = arg;

	ck_assert_int_eq(rc, 0);
	p->done++;
	if (--again_left > 0)
		ck_assert_int_eq(store_write(again_st, &p->job), 0);
}

START_TEST(test_job_queued_twice)
{
	struct pj p;
	char err[256];

	mkdir_tmp();
	again_st = store_open(dir, 1 << 20, 0, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(again_st);
	memset(&p, 0, sizeof p);
	p.k = 1;
	p.vlen = 16;
	p.job.run = put_run;
	p.job.done = again_done;
	p.job.arg = &p;
	again_left = 3;
	ck_assert_int_eq(store_write(again_st, &p.job), 0);
	ck_assert_int_eq(store_write(again_st, &p.job), STORE_BUSY);
	ck_assert_int_eq(store_read(again_st, &p.job), STORE_BUSY);
	ck_assert_int_eq(store_run_now(again_st, &p.job, 1), STORE_BUSY);
	while (p.done < 3)
		store_wait(again_st);
	ck_assert_int_eq(p.done, 3);
	ck_assert_int_eq(p.job.queued, 0);
	ck_assert_str_eq(store_strerror(STORE_BUSY), "job queued twice");
	store_close(again_st);
	rm_tmp();
}
END_TEST

/* --- look-ups on the loop ----------------------------------------------------- */

static pthread_t lk_thread;
static int lk_elsewhere, lk_chain;
static struct store *lk_st;

static int
lk_run(struct store_txn *t, void *arg)
{
	if (!pthread_equal(pthread_self(), lk_thread))
		lk_elsewhere++;
	return get_run(t, arg);
}

static void
lk_again(void *arg, int rc)
{
	struct pj *p = arg;

	pj_done(arg, rc);
	/* a look-up queued from a look-up's completion runs too */
	if (lk_chain-- > 0) {
		p->done = 0;
		ck_assert_int_eq(store_lookup(lk_st, &p->job), 0);
	}
}

static void
loop_until(struct event_base *base, struct pj *v, int n)
{
	int i, left, spins = 0;

	do {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		for (left = 0, i = 0; i < n; i++)
			left += !v[i].done;
		if (left > 0)
			usleep(200);
		ck_assert_int_lt(++spins, 50000);
	} while (left > 0);
}

START_TEST(test_lookup_on_loop)
{
	struct event_base *base = event_base_new();
	struct store_stats s;
	struct pj w, r[3], late;
	char err[256];
	int i;

	mkdir_tmp();
	lk_thread = pthread_self();
	lk_st = store_open(dir, 1 << 20, 0, base, err, sizeof err);
	ck_assert_msg(lk_st != NULL, "%s", err);
	memset(&w, 0, sizeof w);
	w.k = 7;
	w.vlen = 40;
	w.job = (struct store_job){ .run = put_run, .done = pj_done,
	    .arg = &w };
	ck_assert_int_eq(store_write(lk_st, &w.job), 0);
	loop_until(base, &w, 1);
	ck_assert_int_eq(w.rc, 0);

	memset(r, 0, sizeof r);
	for (i = 0; i < 3; i++) {
		r[i].k = i == 2 ? 8 : 7;	/* the third is not there */
		r[i].job = (struct store_job){ .run = lk_run,
		    .done = i == 0 ? lk_again : pj_done, .arg = &r[i] };
		ck_assert_int_eq(store_lookup(lk_st, &r[i].job), 0);
	}
	/* queued twice before its completion ran: refused, as for reads */
	ck_assert_int_eq(store_lookup(lk_st, &r[1].job), STORE_BUSY);
	lk_chain = 2;
	loop_until(base, r, 3);
	while (lk_chain >= 0)
		loop_until(base, r, 1);
	ck_assert_int_eq(lk_elsewhere, 0);
	ck_assert_int_eq(r[0].found, 1);
	ck_assert_uint_eq(r[0].got, 40);
	ck_assert_int_eq(r[1].found, 1);
	ck_assert_int_eq(r[2].found, 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(r[i].rc, 0);
	store_stats(lk_st, &s);
	ck_assert_uint_eq(s.reads, 5);

	/* queued and the loop never ran again: close completes it */
	memset(&late, 0, sizeof late);
	late.k = 7;
	late.job = (struct store_job){ .run = lk_run, .done = pj_done,
	    .arg = &late };
	ck_assert_int_eq(store_lookup(lk_st, &late.job), 0);
	store_close(lk_st);
	ck_assert_int_eq(late.done, 1);
	ck_assert_int_eq(late.found, 1);
	event_base_free(base);
	rm_tmp();
}
END_TEST

/* Reads the value's bytes: an overflow page is touched only then. */
static int
lk_touch_run(struct store_txn *t, void *arg)
{
	struct pj *p = arg;
	const uint8_t *v;
	const void *vp;
	size_t vl, i;
	uint8_t k[8];
	int rc;

	if (!pthread_equal(pthread_self(), lk_thread))
		lk_elsewhere++;
	be64_put(k, p->k);
	if ((rc = store_get(t, STORE_DECISIONS, k, 8, &vp, &vl)) != 0)
		return rc;
	v = vp;
	for (p->got = 0, i = 0; i < vl; i++)
		p->got += v[i];
	p->found = 1;
	return 0;
}

START_TEST(test_lookup_cold_store)
{
	enum { N = 64 };
	struct event_base *base = event_base_new();
	struct store_stats s;
	struct pj *w = calloc(N, sizeof *w), r[2];
	char err[256], p[128];
	int i, fd;

	/* on a disk (not tmpfs): its pages can leave memory */
	snprintf(dir, sizeof dir, "/var/tmp/check-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	lk_thread = pthread_self();
	lk_elsewhere = 0;
	lk_st = store_open(dir, 4 << 20, 0, base, err, sizeof err);
	ck_assert_msg(lk_st != NULL, "%s", err);
	for (i = 0; i < N; i++) {
		w[i].k = (uint64_t)i + 1;
		w[i].vlen = 4000;	/* a page of its own, written, never read */
		w[i].job = (struct store_job){ .run = put_run, .done = pj_done,
		    .arg = &w[i] };
		ck_assert_int_eq(store_write(lk_st, &w[i].job), 0);
	}
	loop_until(base, w, N);
	/* Committed, so clean: out of memory it goes. */
	snprintf(p, sizeof p, "%s/data.mdb", dir);
	ck_assert_int_ne(fd = open(p, O_RDONLY), -1);
	ck_assert_int_eq(fdatasync(fd), 0);
	ck_assert_int_eq(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);

	memset(r, 0, sizeof r);
	r[0].k = 33;
	r[0].job = (struct store_job){ .run = lk_touch_run, .done = pj_done,
	    .arg = &r[0] };
	ck_assert_int_eq(store_lookup(lk_st, &r[0].job), 0);
	loop_until(base, r, 1);
	ck_assert_int_eq(r[0].rc, 0);
	ck_assert_uint_eq(r[0].got, 4000u * 33);
	store_stats(lk_st, &s);
	ck_assert_uint_eq(s.lookups_loop, 1);
	ck_assert_msg(s.lookup_faults == 1, "the look-up met no fault: the "
	    "page stayed in memory");
	ck_assert_int_eq(lk_elsewhere, 0);	/* that one ran on the loop */
	/* the next goes to the reader thread */
	r[1].k = 34;
	r[1].job = (struct store_job){ .run = lk_touch_run, .done = pj_done,
	    .arg = &r[1] };
	ck_assert_int_eq(store_lookup(lk_st, &r[1].job), 0);
	loop_until(base, &r[1], 1);
	ck_assert_uint_eq(r[1].got, 4000u * 34);
	ck_assert_int_eq(lk_elsewhere, 1);
	store_stats(lk_st, &s);
	ck_assert_uint_eq(s.lookups_loop, 1);
	store_close(lk_st);
	event_base_free(base);
	rm_tmp();
	free(w);
}
END_TEST

START_TEST(test_be64)
{
	uint8_t b[8];

	be64_put(b, 0x0102030405060708ull);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[7], 8);
	ck_assert_uint_eq(be64_get(b), 0x0102030405060708ull);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_group_commit_and_restart);
	tcase_add_test(tc, test_map_full);
	tcase_add_test(tc, test_failing_job_isolated);
	tcase_add_test(tc, test_job_queued_twice);
	tcase_add_test(tc, test_lookup_on_loop);
	tcase_add_test(tc, test_lookup_cold_store);
	tcase_add_test(tc, test_be64);
	suite_add_tcase(s, tc);
	return check_run(s);
}
