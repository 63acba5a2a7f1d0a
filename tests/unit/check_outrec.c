/*
 * check_outrec.c — the OUT_REQUEST records the stand-in's store keeps
 * (gateway/standin/outrec.c), with a real store: in flight or answered,
 * read back after a restart, dropped once their time is over, sealed on
 * disk; and the outbound saf's entries beside them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "gateway/standin/outrec.h"
#include "gateway/standin/standin.h"
#include "tests/unit/sistate.h"
#include "tests/unit/checkrun.h"

#define PAN	"5413330089020011"

static struct event_base *base;
static char dir[64];

static void
durable_setup(struct standin_conf *c)
{
	char keyfile[96];

	fix_state_dir(dir, sizeof dir, "outrec");
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	fix_state_conf(c, dir, keyfile, 1);
}

static void
teardown(void)
{
	fix_state_end(base, dir);
}

static int rec_done, rec_rc;
static struct { uint64_t corr; int answered; char body[32]; } loaded[8];
static int nloaded;

static void
rec_begun(uint64_t corr, int rc)
{
	(void)corr;
	rec_rc = rc;
	rec_done = 1;
}

static void
rec_collect(const struct outrec *r, void *arg)
{
	(void)arg;
	ck_assert_int_lt(nloaded, 8);
	ck_assert_str_eq(r->link, "out");
	ck_assert_str_eq(r->core, "core-a");
	loaded[nloaded].corr = r->corr;
	loaded[nloaded].answered = r->answered;
	ck_assert_uint_lt(r->len, sizeof loaded[0].body);
	memcpy(loaded[nloaded].body, r->body, r->len);
	loaded[nloaded].body[r->len] = '\0';
	nloaded++;
}

/* One record written and waited for: in flight, or answered (its
 * completion runs after the answered ones queued before it). */
static void
rec_put(uint64_t corr, int64_t for_ms, int answered, const char *body)
{
	struct outrec r;

	memset(&r, 0, sizeof r);
	r.corr = corr;
	r.until_ms = (uint64_t)((int64_t)(wall_us() / 1000) + for_ms);
	r.answered = answered;
	snprintf(r.link, sizeof r.link, "out");
	snprintf(r.core, sizeof r.core, "core-a");
	r.body = (const uint8_t *)body;
	r.len = strlen(body);
	if (answered) {
		outrec_answered(&r);
		return;
	}
	rec_done = 0;
	ck_assert_int_eq(outrec_begin(&r, rec_begun), 0);
	fix_run_until(base, &rec_done);
	ck_assert_int_eq(rec_rc, 0);
}

/* 1 when the store's file holds s in the clear. */
static int
on_disk(const char *s)
{
	static char db[1 << 20];
	char path[96];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/state/data.mdb", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(db, 1, sizeof db, f);
	fclose(f);
	ck_assert_uint_gt(n, 0);
	return memmem(db, n, s, strlen(s)) != NULL;
}

static long
rec_load(void)
{
	nloaded = 0;
	return outrec_load(wall_us() / 1000, rec_collect, NULL);
}

/* Kept across a restart, sealed, an answered one gone when its time
 * is, one in flight never (the scheme may have acted on it): a corr_id
 * the gateway acted on is never sent to the scheme again by a retry. */
START_TEST(out_records)
{
	struct standin_conf c;
	char err[256];

	durable_setup(&c);
	ck_assert_int_eq(outrec_enabled(), 0);
	ck_assert_msg(standin_init(base, &c, &fix_quiet_ops, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_int_eq(outrec_enabled(), 1);
	/* 1. in flight; answered; an answered one whose time is over; a
	 *    barrier */
	rec_put(7, 60000, 0, "req " PAN);
	rec_put(8, 60000, 1, "answer 8");
	rec_put(9, -1, 1, "answer 9");
	rec_put(10, 60000, 0, "barrier");
	/* 2. the in-flight 10 answered, the answer replacing it */
	rec_put(10, 60000, 1, "answer 10");
	rec_put(11, 60000, 0, "barrier");
	outrec_forget(11);
	rec_put(12, 60000, 0, "barrier");
	outrec_forget(12);
	/* in flight at a stop longer than its time: kept all the same */
	rec_put(13, -1, 0, "req 13");
	/* 3. a restart reads them back: 7 and 13 in flight, 8 and 10
	 *    answered */
	standin_shutdown();
	ck_assert_int_eq(outrec_enabled(), 0);
	ck_assert_msg(standin_init(base, &c, &fix_quiet_ops, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_int_eq(rec_load(), 4);
	ck_assert_uint_eq(loaded[0].corr, 7);
	ck_assert_int_eq(loaded[0].answered, 0);
	ck_assert_str_eq(loaded[0].body, "req " PAN);
	ck_assert_uint_eq(loaded[1].corr, 8);
	ck_assert_int_eq(loaded[1].answered, 1);
	ck_assert_str_eq(loaded[1].body, "answer 8");
	ck_assert_uint_eq(loaded[2].corr, 10);
	ck_assert_str_eq(loaded[2].body, "answer 10");
	ck_assert_uint_eq(loaded[3].corr, 13);
	ck_assert_int_eq(loaded[3].answered, 0);
	/* 4. the answered one past its time was deleted by that load */
	ck_assert_int_eq(rec_load(), 4);
	/* 5. no PAN in the clear on disk */
	standin_shutdown();
	ck_assert_int_eq(on_disk(PAN), 0);
	ck_assert_int_eq(on_disk("answer 8"), 0);
	teardown();
}
END_TEST

static struct { uint64_t corr; char pt[32]; } saf[8];
static int nsaf;

static int
saf_collect(uint64_t corr, const uint8_t *pt, size_t len, void *arg)
{
	(void)arg;
	ck_assert_int_lt(nsaf, 8);
	ck_assert_uint_lt(len, sizeof saf[0].pt);
	saf[nsaf].corr = corr;
	memcpy(saf[nsaf].pt, pt, len);
	saf[nsaf].pt[len] = '\0';
	nsaf++;
	return 0;
}

static long
saf_load(void)
{
	nsaf = 0;
	return outrec_saf_load(saf_collect, NULL);
}

/*
 * The outbound saf's entries: replaced whole, deleted (one never put
 * too), read back after a restart, sealed.  Not waited for: a record
 * waited for, queued behind them, is the barrier.
 */
START_TEST(outsaf_entries)
{
	struct standin_conf c;
	char err[256];

	durable_setup(&c);
	ck_assert_int_eq(outrec_saf_put(1, (const uint8_t *)"x", 1), -1);
	ck_assert_msg(standin_init(base, &c, &fix_quiet_ops, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_int_eq(saf_load(), 0);
	/* 1. two entries, the first replaced, a third put and deleted */
	ck_assert_int_eq(outrec_saf_put(5, (const uint8_t *)"v2 a " PAN, 21),
	    0);
	ck_assert_int_eq(outrec_saf_put(6, (const uint8_t *)"six", 3), 0);
	ck_assert_int_eq(outrec_saf_put(5, (const uint8_t *)"five2", 5), 0);
	ck_assert_int_eq(outrec_saf_put(7, (const uint8_t *)"seven", 5), 0);
	ck_assert_int_eq(outrec_saf_del(7), 0);
	ck_assert_int_eq(outrec_saf_del(8), 0);		/* none: no error */
	outrec_answered(&(struct outrec){ .corr = 5, .answered = 1,
	    .until_ms = wall_us() / 1000 + 60000, .link = "out",
	    .core = "core-a", .body = (const uint8_t *)"91", .len = 2 });
	rec_put(20, 60000, 0, "barrier");
	/* 2. after a restart: 5 (its last body) and 6 */
	standin_shutdown();
	ck_assert_msg(standin_init(base, &c, &fix_quiet_ops, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_int_eq(saf_load(), 2);
	ck_assert_uint_eq(saf[0].corr, 5);
	ck_assert_str_eq(saf[0].pt, "five2");
	ck_assert_uint_eq(saf[1].corr, 6);
	ck_assert_str_eq(saf[1].pt, "six");
	/* 3. sealed on disk */
	standin_shutdown();
	ck_assert_int_eq(on_disk("five2"), 0);
	ck_assert_int_eq(on_disk("seven"), 0);
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("outrec");
	TCase *tc = tcase_create("outrec");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, out_records);
	tcase_add_test(tc, outsaf_entries);
	suite_add_tcase(s, tc);
	return check_run(s);
}
