/*
 * check_simload.c — scheme-sim's codec-free load machinery: the fixed-rate
 * pacer, the ring of requests in flight (STAN lookup, wrap, expiry) and
 * the command-line value parsers.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "scheme-sim/cards.h"
#include "scheme-sim/pacer.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/pending.h"
#include "tests/unit/checkrun.h"

START_TEST(test_pacer_rate)
{
	struct sim_pacer p;
	uint64_t t0 = 1000000000ull, n;

	sim_pacer_init(&p, 10000, t0, 1000000);	/* 10k/s: one per 100 µs */
	ck_assert_uint_eq(sim_pacer_due(&p, t0), 1);
	sim_pacer_take(&p, 1);
	ck_assert_uint_eq(sim_pacer_due(&p, t0 + 99999), 0);
	ck_assert_uint_eq(sim_pacer_wait(&p, t0 + 50000), 50000);
	ck_assert_uint_eq(sim_pacer_due(&p, t0 + 100000), 1);
	/* After one second exactly 10001 sends are due in total. */
	n = sim_pacer_due(&p, t0 + 1000000000ull);
	ck_assert_uint_eq(n + 1, 10001);
	sim_pacer_take(&p, n);
	ck_assert_uint_eq(sim_pacer_due(&p, t0 + 1000000000ull), 0);
}
END_TEST

START_TEST(test_pacer_burst_and_unpaced)
{
	struct sim_pacer p;

	sim_pacer_init(&p, 1000, 0, 50);
	/* A 1 s stall: the schedule is owed 1001 sends, granted 50 at once. */
	ck_assert_uint_eq(sim_pacer_due(&p, 1000000000ull), 50);
	sim_pacer_init(&p, 0, 0, 64);
	ck_assert_uint_eq(sim_pacer_due(&p, 12345), 64);
	ck_assert_uint_eq(sim_pacer_wait(&p, 12345), 0);
}
END_TEST

START_TEST(test_pending_find_and_wrap)
{
	struct sim_pending_ring r;
	struct sim_pending *p, *q;
	uint64_t seq, i;

	/* Start just below the STAN wrap (999999 -> 1). */
	ck_assert_int_eq(sim_pending_init(&r, 1000, 999990), 0);
	ck_assert_uint_eq(sim_pending_slots(&r), 1024);
	for (i = 0; i < 20; i++) {
		p = sim_pending_next(&r, &seq);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(seq, 999990 + i);
		p->sent_ns = i;
		p->amount = i;
	}
	ck_assert_uint_eq(sim_stan(999998), 999999);
	ck_assert_uint_eq(sim_stan(999999), 1);
	ck_assert_uint_eq(r.inflight, 20);
	/* Every STAN finds its own request, across the wrap. */
	for (i = 0; i < 20; i++) {
		q = sim_pending_find(&r, sim_stan(999990 + i));
		ck_assert_ptr_nonnull(q);
		ck_assert_uint_eq(q->amount, i);
	}
	ck_assert_ptr_null(sim_pending_find(&r, 5000));	/* never sent */
	ck_assert_ptr_null(sim_pending_find(&r, 0));
	/* Answer out of order; a second answer is not found. */
	q = sim_pending_find(&r, sim_stan(999995));
	sim_pending_done(&r, q);
	ck_assert_ptr_null(sim_pending_find(&r, sim_stan(999995)));
	ck_assert_uint_eq(r.inflight, 19);
	/* Expiry takes the oldest first, and only when old enough. */
	p = sim_pending_expire(&r, 0, 0);	/* seq 999990, sent at 0 */
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->amount, 0);
	ck_assert_uint_eq(r.inflight, 18);
	ck_assert_ptr_null(sim_pending_expire(&r, 0, 0));
	p = sim_pending_expire(&r, 3, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->amount, 1);
	ck_assert_uint_eq(r.inflight, 17);
	sim_pending_free(&r);
}
END_TEST

START_TEST(test_pending_full)
{
	struct sim_pending_ring r;
	struct sim_pending *p;
	uint64_t seq, i;

	ck_assert_int_eq(sim_pending_init(&r, 1, 0), 0);
	for (i = 0; i < 1024; i++)
		ck_assert_ptr_nonnull(sim_pending_next(&r, &seq));
	/* The slot for the next seq still holds seq 0: refuse. */
	ck_assert_ptr_null(sim_pending_next(&r, &seq));
	p = sim_pending_expire(&r, 0, 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(sim_pending_next(&r, &seq));
	ck_assert_uint_eq(seq, 1024);
	ck_assert_ptr_nonnull(sim_pending_find(&r, sim_stan(1024)));
	ck_assert_ptr_null(sim_pending_find(&r, sim_stan(0)));
	sim_pending_free(&r);
}
END_TEST

START_TEST(test_parse_values)
{
	uint64_t v;
	double d;
	struct sockaddr_storage ss;
	socklen_t sl;
	char buf[64];

	ck_assert_int_eq(sim_parse_duration("40ms", &v), 0);
	ck_assert_uint_eq(v, 40000000);
	ck_assert_int_eq(sim_parse_duration("1.5s", &v), 0);
	ck_assert_uint_eq(v, 1500000000);
	ck_assert_int_eq(sim_parse_duration("250us", &v), 0);
	ck_assert_uint_eq(v, 250000);
	ck_assert_int_eq(sim_parse_duration("5", &v), 0);
	ck_assert_uint_eq(v, 5000000000ull);
	ck_assert_int_eq(sim_parse_duration("5 s", &v), -1);
	ck_assert_int_eq(sim_parse_duration("-1s", &v), -1);
	ck_assert_int_eq(sim_parse_duration("ms", &v), -1);
	ck_assert_int_eq(sim_parse_count("20k", &v), 0);
	ck_assert_uint_eq(v, 20000);
	ck_assert_int_eq(sim_parse_count("1m", &v), 0);
	ck_assert_uint_eq(v, 1000000);
	ck_assert_int_eq(sim_parse_count("12x", &v), -1);
	ck_assert_int_eq(sim_parse_prob("0.1", &d), 0);
	ck_assert_int_eq(sim_parse_prob("1.1", &d), -1);
	ck_assert_int_eq(sim_parse_addr("127.0.0.1:6080", &ss, &sl), 0);
	ck_assert_uint_eq(sl, sizeof(struct sockaddr_in));
	ck_assert_str_eq(sim_addr_str((struct sockaddr *)&ss, buf, sizeof buf),
	    "127.0.0.1:6080");
	ck_assert_int_eq(sim_parse_addr("[::1]:7001", &ss, &sl), 0);
	ck_assert_str_eq(sim_addr_str((struct sockaddr *)&ss, buf, sizeof buf),
	    "[::1]:7001");
	ck_assert_int_eq(sim_parse_addr(":7001", &ss, &sl), 0);
	ck_assert_int_eq(sim_parse_addr("localhost:7001", &ss, &sl), -1);
	ck_assert_int_eq(sim_parse_addr("1.2.3.4:70000", &ss, &sl), -1);
}
END_TEST

START_TEST(test_cards_builtin_luhn)
{
	struct sim_cards c;
	size_t i;

	ck_assert_int_eq(sim_cards_builtin(&c), 0);
	ck_assert_uint_gt(c.n, 100);
	for (i = 0; i < c.n; i++) {
		ck_assert_uint_eq(strlen(c.v[i].pan), 16);
		ck_assert(sim_luhn_ok(c.v[i].pan));
	}
	ck_assert(sim_luhn_ok("5413330089010434"));
	ck_assert(!sim_luhn_ok("5413330089010435"));
	sim_cards_free(&c);
}
END_TEST

static Suite *
simload_suite(void)
{
	Suite *s = suite_create("simload");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pacer_rate);
	tcase_add_test(tc, test_pacer_burst_and_unpaced);
	tcase_add_test(tc, test_pending_find_and_wrap);
	tcase_add_test(tc, test_pending_full);
	tcase_add_test(tc, test_parse_values);
	tcase_add_test(tc, test_cards_builtin_luhn);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(simload_suite());
}
