/*
 * check_hist.c — the latency histogram scheme-sim reports from: bucket
 * arithmetic, nearest-rank percentiles, precision bound, merge.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "scheme-sim/hist.h"
#include "tests/unit/checkrun.h"

START_TEST(test_index_roundtrip)
{
	uint64_t v;
	size_t i;

	/* Exact region. */
	for (v = 0; v < 2 * HIST_SUB; v++) {
		ck_assert_uint_eq(hist_index(v), v);
		ck_assert_uint_eq(hist_bucket_low(v), v);
		ck_assert_uint_eq(hist_bucket_high(v), v);
	}
	/* Every bucket's bounds map back to it, and buckets tile the line. */
	for (i = 2 * HIST_SUB; i < HIST_NBUCKETS; i++) {
		ck_assert_uint_eq(hist_index(hist_bucket_low(i)), i);
		ck_assert_uint_eq(hist_index(hist_bucket_high(i)), i);
		ck_assert_uint_eq(hist_bucket_low(i), hist_bucket_high(i - 1) + 1);
	}
	ck_assert_uint_eq(hist_index(UINT64_MAX), HIST_NBUCKETS - 1);
	ck_assert_uint_eq(hist_bucket_high(HIST_NBUCKETS - 1), UINT64_MAX);
}
END_TEST

START_TEST(test_precision)
{
	uint64_t v, hi;

	/* A reported value is never more than 1/64 above the true one. */
	for (v = 1; v < (1ull << 40); v = v * 3 / 2 + 7) {
		hi = hist_bucket_high(hist_index(v));
		ck_assert_uint_ge(hi, v);
		ck_assert_uint_le(hi - v, v / HIST_SUB);
	}
}
END_TEST

START_TEST(test_percentiles_exact_small)
{
	struct hist h;
	uint64_t v;

	hist_reset(&h);
	ck_assert_uint_eq(hist_pct(&h, 50), 0);
	/* 1..100: exact region, so nearest-rank percentiles are exact. */
	for (v = 100; v >= 1; v--)
		hist_add(&h, v);
	ck_assert_uint_eq(h.count, 100);
	ck_assert_uint_eq(hist_pct(&h, 50), 50);
	ck_assert_uint_eq(hist_pct(&h, 90), 90);
	ck_assert_uint_eq(hist_pct(&h, 99), 99);
	ck_assert_uint_eq(hist_pct(&h, 99.9), 100);
	ck_assert_uint_eq(hist_pct(&h, 100), 100);
	ck_assert_uint_eq(hist_pct(&h, 0), 1);
	ck_assert_uint_eq(hist_pct(&h, 0.5), 1);
	ck_assert_uint_eq(hist_pct(&h, 1), 1);
	ck_assert_uint_eq(hist_pct(&h, 1.01), 2);
	ck_assert(hist_mean(&h) > 50.49 && hist_mean(&h) < 50.51);
}
END_TEST

START_TEST(test_percentiles_large)
{
	struct hist h;
	uint64_t i, p;

	hist_reset(&h);
	/* 1000 values in µs-as-ns: 1000, 2000, ..., 1000000. */
	for (i = 1; i <= 1000; i++)
		hist_add(&h, i * 1000);
	p = hist_pct(&h, 99);
	ck_assert_uint_ge(p, 990000);
	ck_assert_uint_le(p, 990000 + 990000 / HIST_SUB);
	p = hist_pct(&h, 50);
	ck_assert_uint_ge(p, 500000);
	ck_assert_uint_le(p, 500000 + 500000 / HIST_SUB);
	/* Clamped to the exact max, never a bucket bound above it. */
	ck_assert_uint_eq(hist_pct(&h, 99.99), 1000000);
	ck_assert_uint_eq(h.max, 1000000);
	ck_assert_uint_eq(h.min, 1000);
}
END_TEST

START_TEST(test_single_value_and_outlier)
{
	struct hist h;
	int i;

	hist_reset(&h);
	hist_add(&h, 123456);
	ck_assert_uint_eq(hist_pct(&h, 50), 123456);	/* clamped both ways */
	ck_assert_uint_eq(hist_pct(&h, 99.9), 123456);
	hist_reset(&h);
	for (i = 0; i < 999; i++)
		hist_add(&h, 100);
	hist_add(&h, 40000000);		/* one 40 ms outlier in 1000 */
	ck_assert_uint_eq(hist_pct(&h, 99.9), 100);
	ck_assert_uint_eq(hist_pct(&h, 99.95), 40000000);
	ck_assert_uint_eq(h.max, 40000000);
}
END_TEST

START_TEST(test_merge)
{
	struct hist *a = malloc(sizeof *a), *b = malloc(sizeof *b),
	    *c = malloc(sizeof *c);
	uint64_t v;
	int p;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	hist_reset(a);
	hist_reset(b);
	hist_reset(c);
	for (v = 1; v < 200000; v += 37) {
		hist_add((v & 1) ? a : b, v);
		hist_add(c, v);
	}
	hist_merge(a, b);
	ck_assert_uint_eq(a->count, c->count);
	ck_assert_uint_eq(a->min, c->min);
	ck_assert_uint_eq(a->max, c->max);
	for (p = 1; p <= 100; p++)
		ck_assert_uint_eq(hist_pct(a, p), hist_pct(c, p));
	/* Merging an empty histogram changes nothing. */
	hist_reset(b);
	hist_merge(a, b);
	ck_assert_uint_eq(a->min, c->min);
	free(a);
	free(b);
	free(c);
}
END_TEST

static Suite *
hist_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_index_roundtrip);
	tcase_add_test(tc, test_precision);
	tcase_add_test(tc, test_percentiles_exact_small);
	tcase_add_test(tc, test_percentiles_large);
	tcase_add_test(tc, test_single_value_and_outlier);
	tcase_add_test(tc, test_merge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(hist_suite());
}
