/* check_dlq.c — the deadline queue: order, never early, removal, entries
 * added from a callback, a deadline already past. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>

#include <event2/event.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "tests/unit/checkrun.h"

struct item {
	struct dlq_ent	 e;
	int		 id;
	uint64_t	 fired;
};

static struct event_base *base;
static int order[16], nfired;

static void
on_fire(struct dlq_ent *e)
{
	struct item *it = (struct item *)((char *)e - offsetof(struct item, e));

	it->fired = now_us();
	order[nfired++] = it->id;
}

static void
run_for(uint64_t us)
{
	struct timeval tv = { 0, (suseconds_t)us };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void
setup(void)
{
	static int inited;

	if (!inited) {
		base = event_base_new();
		ck_assert_ptr_nonnull(base);
		ck_assert_int_eq(dlq_init(base), 0);
		inited = 1;
	}
	nfired = 0;
}

START_TEST(fires_in_deadline_order_never_early)
{
	struct item it[5];
	static const uint64_t ms[5] = { 30, 10, 20, 10, 5 };
	static const int want[5] = { 4, 1, 3, 2, 0 };
	uint64_t t0 = now_us();
	int i;

	setup();
	for (i = 0; i < 5; i++) {
		it[i].id = i;
		it[i].e.queued = 0;
		dlq_add(&it[i].e, t0 + ms[i] * 1000, on_fire);
	}
	run_for(60000);
	ck_assert_int_eq(nfired, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(order[i], want[i]);
		ck_assert_uint_ge(it[i].fired, t0 + ms[i] * 1000);
		ck_assert_int_eq(it[i].e.queued, 0);
	}
}
END_TEST

START_TEST(removed_entries_do_not_fire)
{
	struct item a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };
	uint64_t t0 = now_us();

	setup();
	dlq_add(&a.e, t0 + 5000, on_fire);
	dlq_add(&b.e, t0 + 10000, on_fire);
	dlq_add(&c.e, t0 + 15000, on_fire);
	dlq_del(&a.e);		/* the armed head goes: the timer stays */
	dlq_del(&c.e);
	dlq_del(&c.e);		/* twice is harmless */
	run_for(30000);
	ck_assert_int_eq(nfired, 1);
	ck_assert_int_eq(order[0], 2);
}
END_TEST

START_TEST(moving_an_entry_and_past_deadlines)
{
	struct item a = { .id = 1 }, b = { .id = 2 };
	uint64_t t0 = now_us();

	setup();
	dlq_add(&a.e, t0 + 20000, on_fire);
	dlq_add(&a.e, t0 + 2000, on_fire);	/* re-added: moved, not twice */
	dlq_add(&b.e, t0 - 1000, on_fire);	/* already due */
	run_for(40000);
	ck_assert_int_eq(nfired, 2);
	ck_assert_int_eq(order[0], 2);
	ck_assert_int_eq(order[1], 1);
}
END_TEST

static struct item chained;

static void
on_fire_add(struct dlq_ent *e)
{
	on_fire(e);
	chained.id = 9;
	dlq_add(&chained.e, now_us() + 3000, on_fire);
}

START_TEST(callbacks_may_add)
{
	struct item a = { .id = 1 };

	setup();
	dlq_add(&a.e, now_us() + 2000, on_fire_add);
	run_for(20000);
	ck_assert_int_eq(nfired, 2);
	ck_assert_int_eq(order[1], 9);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dlq");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fires_in_deadline_order_never_early);
	tcase_add_test(tc, removed_entries_do_not_fire);
	tcase_add_test(tc, moving_an_entry_and_past_deadlines);
	tcase_add_test(tc, callbacks_may_add);
	suite_add_tcase(s, tc);
	return check_run_nofork(s);
}
