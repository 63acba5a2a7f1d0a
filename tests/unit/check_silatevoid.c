/* check_silatevoid.c — a late void with a reversal between (gateway/
 * standin/decide.c, ledger.c), on a real store and event loop.  The
 * writer is held so that an approval's commit outlasts its deadline: the
 * scheme is answered 91 and the approval is voided once it lands.  A
 * reversal of it that came meanwhile commits between the approval and
 * its void, and releases the approval first.  What the appliance shows
 * (the memory mirror) must be what the store holds: read again after a
 * restart, and spent again on the card.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "iso8583/iso8583.h"
#include "tunnel/tlv.h"
#include "gateway/standin/si.h"
#include "tests/unit/sistate.h"
#include "tests/unit/checkrun.h"

#define PAN	"5413330089020011"

static struct event_base *base;
static char dir[64];
static struct si_result res[3];
static int done[3], blocked_done;

/* A job that holds the writer until the test lets it go (10 s at most). */
struct holder {
	struct store_job job;
	atomic_int	 go, holding;
};

static const struct standin_ops ops = { fix_ack_send, NULL };

static void
on_result(void *arg, const struct si_result *r)
{
	int i = (int)(intptr_t)arg;

	res[i] = *r;
	done[i] = 1;
}

static int
hold_run(struct store_txn *t, void *arg)
{
	struct holder *h = arg;
	int i;

	(void)t;
	atomic_store(&h->holding, 1);
	for (i = 0; i < 10000 && !atomic_load(&h->go); i++)
		usleep(1000);
	return 0;
}

static void
hold_done(void *arg, int rc)
{
	(void)arg;
	(void)rc;
	blocked_done++;
}

static void
hold(struct holder *h)
{
	memset(h, 0, sizeof *h);
	h->job.run = hold_run;
	h->job.done = hold_done;
	h->job.arg = h;
	ck_assert_int_eq(store_write(SI.st, &h->job), 0);
}

static void
pass(void)
{
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	usleep(500);
}

/* Until n write jobs wait behind the one running (writes leave at the
 * end of a loop pass; a look-up may finish on the reader thread). */
static void
waiting(size_t n)
{
	int i;

	for (i = 0; i < 20000 && store_writes_waiting(SI.st) < n; i++)
		pass();
	ck_assert_uint_ge(store_writes_waiting(SI.st), n);
}

/* Until h's job runs (the jobs before it have); writes leave at the end
 * of a loop pass. */
static void
held(struct holder *h)
{
	int n;

	for (n = 0; n < 20000 && !atomic_load(&h->holding); n++)
		pass();
	ck_assert_int_eq(atomic_load(&h->holding), 1);
}

static void
snapshot(void)
{
	uint8_t rec[256], body[512];
	struct tlv_w r, w;

	tlv_w_init(&r, rec, sizeof rec);
	tlv_put_str(&r, 0x2001, PAN);
	tlv_put_str(&r, 0x2002, "active");
	tlv_put_str(&r, 0x2003, "2812");
	tlv_put_str(&r, 0x2004, "50000");	/* per transaction */
	tlv_put_str(&r, 0x2005, "100000");	/* a day */
	tlv_put_str(&r, 0x2006, "1000000");
	tlv_put_str(&r, 0x2007, "826");
	tlv_w_init(&w, body, sizeof body);
	tlv_put_u64(&w, TLV_SNAP_VERSION, 10);
	tlv_put(&w, TLV_SNAP_CARD, rec, r.len);
	ck_assert_int_eq(w.err, 0);
	standin_snapshot("core-a", 10, body, w.len);
	fix_run_until(base, &fix_acks);
}

/* Request slot i (0100 or its reversal 0400), its deadline budget_ms
 * from now; the loop is not run. */
static void
request(int i, const char *mti, const char *amount, const char *stan,
    int budget_ms)
{
	static struct iso_msg m[3];
	const struct iso_profile *p = iso_profile_find("iso87");

	iso_msg_init(&m[i], mti);
	iso_set_str(&m[i], 2, PAN);
	iso_set_str(&m[i], 4, amount);
	iso_set_str(&m[i], 49, "826");
	iso_set_str(&m[i], 7, "1206103000");
	iso_set_str(&m[i], 11, stan);
	iso_set_str(&m[i], 32, "4321");
	iso_set_str(&m[i], 37, "000000000001");
	if (mti[1] == '4')
		iso_set_str(&m[i], 90, "0100" "000001" "1206103000"
		    "00000004321" "00000000000");
	else
		iso_set_str(&m[i], 22, "100");	/* nothing to verify */
	done[i] = 0;
	ck_assert_int_eq(standin_decide(&m[i], "mc", p, "core-down",
	    now_us(), now_us() + (uint64_t)budget_ms * 1000, on_result,
	    (void *)(intptr_t)i), 0);
}

static const char *
decide(const char *amount, const char *stan)
{
	request(0, "0100", amount, stan, 2000);
	fix_run_until(base, &done[0]);
	return res[0].de39;
}

static uint64_t
fig(const char *name)
{
	json_t *j = standin_json();
	uint64_t v;

	v = (uint64_t)json_integer_value(json_object_get(j, name));
	json_decref(j);
	return v;
}

static uint64_t
reads(void)
{
	struct store_stats s;

	store_stats(SI.st, &s);
	return s.reads;
}

static void
start(struct standin_conf *c)
{
	char keyfile[96], err[256];

	/* the cases may run in one process (CK_FORK=no under ASan) */
	memset(res, 0, sizeof res);
	memset(done, 0, sizeof done);
	blocked_done = fix_acks = 0;
	fix_state_dir(dir, sizeof dir, "silatevoid");
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	fix_state_conf(c, dir, keyfile, 1);
	ck_assert_msg(standin_init(base, c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
}

/*
 * The guard answers 91 while the approval's write job waits its turn:
 * the job decides that 91 itself, in its own transaction (no approval
 * is written, none is voided after; a crash cannot leave one).
 */
START_TEST(guard_before_the_job_runs)
{
	struct standin_conf c;
	struct holder h;

	start(&c);
	hold(&h);
	held(&h);
	request(0, "0100", "000000030000", "000001", 40);
	waiting(1);			/* its write job, behind h */
	fix_run_until(base, &done[0]);
	ck_assert_str_eq(res[0].de39, "91");
	atomic_store(&h.go, 1);
	fix_run_until(base, &blocked_done);
	/* the decision is the 91: its repeat gets 91, nothing is spent or
	 * voided */
	ck_assert_str_eq(decide("000000030000", "000001"), "91");
	ck_assert_str_eq(res[0].why, "duplicate");
	ck_assert_uint_eq(fig("approvals"), 0);
	ck_assert_uint_eq(fig("exposure"), 0);
	ck_assert_uint_eq(fig("late_voids"), 0);
	fix_state_end(base, dir);
}
END_TEST

/*
 * The guard answers 91 while the approval's commit is under way (the job
 * ran, the batch has not committed): the approval lands and is voided
 * after.  Its reversal, come meanwhile, commits between the two and
 * releases it first; a repeat of it that finds it between the two is
 * answered 91, as the original was.
 */
START_TEST(reversal_between_commit_and_void)
{
	static const char *names[] = { "approvals", "approved_amount",
	    "reversals", "released_amount", "exposure" };
	static const uint64_t want[] = { 0, 0, 1, 30000, 0 };
	struct standin_conf c;
	struct holder h1, h2;
	char err[256];
	uint64_t r0;
	size_t i;
	int n;

	start(&c);
	/* 1. the writer held; an approval of 300.00 with 1 s to go
	 *    queued behind it, a second holder behind that: let go, the
	 *    writer takes both in one batch, runs the approval, and holds
	 *    the batch's commit; the guard then answers 91 */
	hold(&h1);
	held(&h1);
	request(0, "0100", "000000030000", "000001", 1000);
	waiting(1);			/* its write job, behind h1 */
	hold(&h2);
	waiting(2);			/* then h2 */
	atomic_store(&h1.go, 1);
	held(&h2);
	fix_run_until(base, &done[0]);
	ck_assert_str_eq(res[0].de39, "91");
	ck_assert_str_eq(res[0].why, "deadline");

	/* 2. its reversal comes meanwhile, and a repeat of it: looked up on
	 *    the loop (nothing committed yet), then queued behind that
	 *    batch */
	r0 = reads();
	request(1, "0400", "000000030000", "000009", 2000);
	request(2, "0100", "000000030000", "000001", 2000);
	for (n = 0; n < 20000 && reads() < r0 + 2; n++)
		pass();
	ck_assert_uint_ge(reads(), r0 + 2);
	ck_assert_int_eq(done[1], 0);
	ck_assert_int_eq(done[2], 0);

	/* 3. the commit: the approval lands (and is voided), the reversal
	 *    finds it approved and releases it whole */
	atomic_store(&h2.go, 1);
	fix_run_until(base, &done[1]);
	ck_assert_str_eq(res[1].de39, "00");
	ck_assert_str_eq(res[1].why, "released");
	/* the repeat found the approval before its void: answered 91, as
	 * the scheme was told, not the record's 00 */
	fix_run_until(base, &done[2]);
	ck_assert_str_eq(res[2].de39, "91");
	for (n = 0; n < 20000 && fig("late_voids") == 0; n++)
		pass();
	ck_assert_uint_eq(fig("late_voids"), 1);
	ck_assert_int_eq(blocked_done, 2);

	/* 4. the mirror: the void took the approval out whole, the
	 *    reversal's release stays, nothing is exposed */
	for (i = 0; i < sizeof names / sizeof *names; i++)
		ck_assert_msg(fig(names[i]) == want[i], "%s: %llu, want %llu",
		    names[i], (unsigned long long)fig(names[i]),
		    (unsigned long long)want[i]);

	/* 5. the store says the same after a restart */
	standin_shutdown();
	ck_assert_msg(standin_init(base, &c, &ops, err,
	    sizeof err) == 0, "%s", err);
	for (i = 0; i < sizeof names / sizeof *names; i++)
		ck_assert_msg(fig(names[i]) == want[i],
		    "%s after a restart: %llu, want %llu", names[i],
		    (unsigned long long)fig(names[i]),
		    (unsigned long long)want[i]);

	/* 6. and so does the card: nothing of the void is spent, so its
	 *    day's 1000.00 holds two of 500.00, not a third */
	ck_assert_str_eq(decide("000000050000", "000002"), "00");
	ck_assert_str_eq(decide("000000050000", "000003"), "00");
	ck_assert_str_eq(decide("000000000100", "000004"), "51");
	ck_assert_str_eq(res[0].why, "card-daily-limit");
	fix_state_end(base, dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("silatevoid");
	TCase *tc = tcase_create("void");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, guard_before_the_job_runs);
	tcase_add_test(tc, reversal_between_commit_and_void);
	suite_add_tcase(s, tc);
	return check_run(s);
}
