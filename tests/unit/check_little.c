/* check_little.c — admission's estimate (base/little.h): the pace
 * between completions read from a busy pipeline, a stop of the host not
 * taken for the pace, a lasting slowdown followed within five windows,
 * the empty-pipeline time, the wait n x gap + base, and a pile-up priced
 * at the pace the last ones cleared at. */
#include <check.h>
#include <stdlib.h>

#include "base/little.h"
#include "tests/unit/checkrun.h"

/* count pieces, each entering at *t and leaving pace µs later, one
 * after the other (something else keeps the pipeline busy) */
static void
run(struct little *q, uint64_t *t, unsigned count, uint64_t pace)
{
	uint64_t ahead;

	while (count-- > 0) {
		ahead = little_enter(q, *t);
		*t += pace;
		little_leave(q, *t, *t - pace, ahead);
	}
}

START_TEST(test_pace_and_stops)
{
	struct little q = { 0 };
	uint64_t t = 1000;

	little_enter(&q, t);		/* the one that keeps it busy */
	run(&q, &t, 1000, 100);
	ck_assert_uint_eq(little_gap(&q), 100);
	/* a 10 ms stop with nothing done, then the pace as before: the
	 * window it closes is one of nine */
	t += 10000;
	run(&q, &t, 1, 100);
	run(&q, &t, 100, 100);
	ck_assert_uint_eq(little_gap(&q), 100);
	/* a slowdown that lasts: within five windows */
	run(&q, &t, 5 * 34, 300);
	ck_assert_uint_eq(little_gap(&q), 300);
	/* and back */
	run(&q, &t, 5 * 100, 100);
	ck_assert_uint_eq(little_gap(&q), 100);
}
END_TEST

START_TEST(test_base_and_wait)
{
	struct little q = { 0 };
	uint64_t t = 1000, took[] = { 2000, 2100, 9000, 1900, 2050 }, a;
	unsigned i;

	/* alone in the pipeline each time: the median, not the stop */
	for (i = 0; i < sizeof took / sizeof took[0]; i++) {
		a = little_enter(&q, t);
		ck_assert_uint_eq(a, 0);
		little_leave(&q, t + took[i], t, a);
		t += 100000;
	}
	ck_assert_uint_eq(little_base(&q), 2050);
	ck_assert_uint_eq(little_wait(&q, t), 2050);
	/* 10 busy at a 50 µs pace: one more waits 10 x 50 + its own way */
	for (i = 0; i < 10; i++)
		little_enter(&q, t);
	run(&q, &t, 2000, 50);
	ck_assert_uint_eq(little_gap(&q), 50);
	ck_assert_uint_eq(little_wait(&q, t), 2050 + 10 * 50);
}
END_TEST

/* n pieces enter at *t at once (what a stop of the host leaves) */
static void
pile(struct little *q, uint64_t t, unsigned n, uint64_t *ahead)
{
	unsigned i;

	for (i = 0; i < n; i++)
		ahead[i] = little_enter(q, t);
}

START_TEST(test_pile_up)
{
	struct little q = { 0 };
	uint64_t t = 1000, ahead[64], e, took = 3000;
	unsigned i;

	/* the ordinary load: one piece at a time, 200 µs apart, 3 ms
	 * through an empty pipeline */
	e = little_enter(&q, t);
	little_leave(&q, t + took, t, e);
	t += 100000;
	little_enter(&q, t);		/* the one that keeps it busy */
	run(&q, &t, 1000, 200);
	ck_assert_uint_eq(little_gap(&q), 200);
	/* 1. a pile-up with no large batch seen: n x gap, as before */
	t += 10000;
	pile(&q, t, 60, ahead);
	ck_assert_uint_eq(little_wait(&q, t), took + 61 * 200);
	/* 2. batches: a small one and a repeated report change nothing;
	 * one of 60 in 2.4 ms is 40 µs a piece */
	little_batch(&q, t, 1, 10, 1000);
	ck_assert_uint_eq(q.paces.n, 0);
	little_batch(&q, t + 2400, 2, 60, 2400);
	little_batch(&q, t + 2400, 2, 60, 2400);
	ck_assert_uint_eq(q.paces.n, 1);
	ck_assert_uint_eq(little_pace(&q), 40);
	/* 3. the young pile-up is priced at that pace; one that has lasted
	 * 20 ms is overload, priced at what completes */
	ck_assert_uint_eq(little_wait(&q, t + 2400), took + 61 * 40);
	ck_assert_uint_eq(little_wait(&q, t + 20001), took + 61 * 200);
	/* 4. fewer than a pile-up: the gap */
	for (i = 0; i < 30; i++)
		little_leave(&q, t + 2400, t, ahead[i]);
	ck_assert_uint_eq(q.pile_at, 0);
	ck_assert_uint_eq(little_wait(&q, t + 2400), took + 31 * 200);
	/* 5. a new pile-up, young, but the last large batch over a second
	 * old: the gap; a large batch again, its pace */
	t += 2400 + 1000001;
	pile(&q, t, 30, ahead);
	ck_assert_uint_eq(little_wait(&q, t), took + 61 * 200);
	little_batch(&q, t, 3, 40, 1600);
	ck_assert_uint_eq(little_wait(&q, t), took + 61 * 40);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("little");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pace_and_stops);
	tcase_add_test(tc, test_base_and_wait);
	tcase_add_test(tc, test_pile_up);
	suite_add_tcase(s, tc);
	return check_run(s);
}
