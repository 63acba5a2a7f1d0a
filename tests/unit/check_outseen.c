/* check_outseen.c — OUT_REQUEST corr_ids: a repeat in flight is held, a
 * repeat answered gets the same answer, entries go after their keep time
 * (answered ones only, each told to the expiry hook), and the table
 * refuses past OUTSEEN_MAX rather than forget one in flight. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/outseen.h"
#include "tests/unit/checkrun.h"

#define KEEP	1000000

static uint64_t gone[8];
static size_t ngone;

static void
on_gone(uint64_t corr)
{
	if (ngone < sizeof gone / sizeof gone[0])
		gone[ngone] = corr;
	ngone++;
}

START_TEST(test_repeat_and_expiry)
{
	const uint8_t ans[] = "0110 answer", *body = NULL;
	size_t len = 0;

	ngone = 0;
	outseen_on_expire(on_gone);
	ck_assert_int_eq(outseen_check(7, 100, KEEP, &body, &len), OUTSEEN_NEW);
	ck_assert_int_eq(outseen_check(9, 100, KEEP, &body, &len), OUTSEEN_NEW);
	ck_assert_int_eq(outseen_check(7, 200, KEEP, &body, &len),
	    OUTSEEN_INFLIGHT);
	outseen_answered(7, ans, sizeof ans, 300, KEEP);
	ck_assert_int_eq(outseen_check(7, 400, KEEP, &body, &len),
	    OUTSEEN_ANSWERED);
	ck_assert_uint_eq(len, sizeof ans);
	ck_assert_mem_eq(body, ans, sizeof ans);
	/* 9 is still in flight long after its keep time: kept */
	outseen_expire(400 + 2 * KEEP);
	ck_assert_uint_eq(ngone, 1);
	ck_assert_uint_eq(gone[0], 7);
	ck_assert_uint_eq(outseen_count(), 1);
	ck_assert_int_eq(outseen_check(7, 500 + 2 * KEEP, KEEP, &body, &len),
	    OUTSEEN_NEW);
	outseen_shutdown();
	ck_assert_uint_eq(outseen_count(), 0);
}
END_TEST

START_TEST(test_full)
{
	const uint8_t *body;
	size_t len;
	uint64_t i;

	outseen_on_expire(NULL);
	/* ids the core chooses, 2^16 apart: the hash outseen had before
	 * (corr ^ corr >> 29, 4,096 buckets) put them in 13 chains of
	 * 8,192; keyed, each is found at once */
	for (i = 0; i < OUTSEEN_MAX; i++)
		ck_assert_int_eq(outseen_check(i << 16, 1, KEEP, &body, &len),
		    OUTSEEN_NEW);
	ck_assert_int_eq(outseen_check(1, 1, KEEP, &body, &len), OUTSEEN_FULL);
	ck_assert_int_eq(outseen_check((uint64_t)(OUTSEEN_MAX - 1) << 16, 2, KEEP, &body,
	    &len), OUTSEEN_INFLIGHT);
	outseen_shutdown();
	ck_assert_int_eq(outseen_check(1, 3, KEEP, &body, &len), OUTSEEN_NEW);
	outseen_shutdown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("outseen");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_repeat_and_expiry);
	tcase_add_test(tc, test_full);
	suite_add_tcase(s, tc);
	return check_run(s);
}
