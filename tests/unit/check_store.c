/* check_store.c — LMDB store: group commit, reads, map full, restart. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "base/be.h"
#include "gateway/standin/store.h"

static char dir[64];

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
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_group_commit_and_restart);
	tcase_add_test(tc, test_map_full);
	tcase_add_test(tc, test_failing_job_isolated);
	tcase_add_test(tc, test_job_queued_twice);
	tcase_add_test(tc, test_be64);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
