/*
 * check_replay.c — acceptance rules 4 and 5 on their own (tunnel/replay.c):
 * freshness either way, frames sealed before the receiver started, the
 * window per session, sessions per key, and the floors raised when a
 * session or a key has to be forgotten while its frames could still come
 * back fresh.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "tunnel/replay.h"
#include "tests/unit/checkrun.h"

#define FRESH	30000ULL			/* FreshWindow, ms */
#define START	1700000000000ULL		/* receiver start, ms */
#define NOW	(START + 60000ULL)

/* The spec's minimum; the sizes below are what the floors tests fill. */
_Static_assert(REPLAY_WINDOW >= 1024, "rule 5: a window of at least 1024");

static struct replay *
new_replay(void)
{
	struct replay *r = replay_new(START);

	ck_assert_ptr_nonnull(r);
	return r;
}

static enum replay_verdict
acc(struct replay *r, uint32_t key, uint64_t session, uint64_t seq,
    uint64_t sent, uint64_t now)
{
	return replay_accept(r, key, session, seq, sent, now, FRESH);
}

START_TEST(test_window)
{
	struct replay *r = new_replay();
	uint64_t s, top;

	ck_assert_int_eq(acc(r, 1, 42, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 42, 1, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 1, 42, 3, NOW, NOW), REPLAY_OK);
	/* reordered */
	ck_assert_int_eq(acc(r, 1, 42, 2, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 42, 2, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 1, 42, 3, NOW, NOW), REPLAY_SEEN);
	/* the whole window behind the top is still remembered */
	ck_assert_int_eq(acc(r, 1, 42, 3 + REPLAY_WINDOW - 1, NOW, NOW),
	    REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 42, 5, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 42, 5, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 1, 42, 3, NOW, NOW), REPLAY_SEEN);
	/* older than the window: refused even though never seen */
	ck_assert_int_eq(acc(r, 1, 42, 100000, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 42, 100000 - REPLAY_WINDOW, NOW, NOW),
	    REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 1, 42, 100000 - REPLAY_WINDOW + 1, NOW, NOW),
	    REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 42, 100000 - 1, NOW, NOW), REPLAY_OK);
	/* bits reused as the window slides are not mistaken for seen */
	for (s = 100001; s < 100000 + 3 * REPLAY_WINDOW; s += 7)
		ck_assert_int_eq(acc(r, 1, 42, s, NOW, NOW), REPLAY_OK);
	top = s - 7;
	for (s = top - REPLAY_WINDOW + 1; s <= top; s++)
		if ((s - 100001) % 7 != 0)
			ck_assert_int_eq(acc(r, 1, 42, s, NOW, NOW), REPLAY_OK);
	for (s = top - REPLAY_WINDOW + 1; s <= top; s++)
		ck_assert_int_eq(acc(r, 1, 42, s, NOW, NOW), REPLAY_SEEN);
	/* another session, and the same session id under another key, have
	 * windows of their own */
	ck_assert_int_eq(acc(r, 1, 43, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 43, 1, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 2, 42, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 2, 42, 1, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 1, 42, top, NOW, NOW), REPLAY_SEEN);
	replay_free(r);
}
END_TEST

START_TEST(test_fresh)
{
	struct replay *r = new_replay();

	/* at most FreshWindow either way, inclusive */
	ck_assert_int_eq(acc(r, 1, 7, 1, NOW - FRESH - 1, NOW), REPLAY_STALE);
	ck_assert_int_eq(acc(r, 1, 7, 2, NOW + FRESH + 1, NOW), REPLAY_STALE);
	ck_assert_int_eq(acc(r, 1, 7, 3, NOW - FRESH, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 7, 4, NOW + FRESH, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 7, 5, 0, NOW), REPLAY_STALE);
	ck_assert_int_eq(acc(r, 1, 7, 6, UINT64_MAX, NOW), REPLAY_STALE);
	ck_assert_int_eq(acc(r, 1, 7, 7, UINT64_MAX - FRESH / 2, NOW),
	    REPLAY_STALE);
	/* a refused frame takes nothing: its seq is still free */
	ck_assert_int_eq(acc(r, 1, 7, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 7, 2, NOW, NOW), REPLAY_OK);
	/* a seen frame that has since gone stale says stale (rule 4 first) */
	ck_assert_int_eq(acc(r, 1, 7, 3, NOW - FRESH, NOW + 1), REPLAY_STALE);
	ck_assert_int_eq(acc(r, 1, 7, 4, NOW + FRESH, NOW), REPLAY_SEEN);
	replay_free(r);
}
END_TEST

START_TEST(test_before_start)
{
	struct replay *r = new_replay(), *r2;
	uint64_t now = START + 5000;

	/* fresh, but sealed before this receiver began */
	ck_assert_int_eq(acc(r, 1, 9, 1, START - 1, now), REPLAY_BEFORE_START);
	ck_assert_int_eq(acc(r, 1, 9, 1, START - FRESH + 5000, now),
	    REPLAY_BEFORE_START);
	ck_assert_int_eq(acc(r, 1, 9, 1, START, now), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 9, 2, START + 4000, now), REPLAY_OK);
	/* too old says stale, whatever the start */
	ck_assert_int_eq(acc(r, 1, 9, 3, now - FRESH - 1, now), REPLAY_STALE);
	/* a restart (nothing kept) refuses what the last run accepted */
	r2 = replay_new(START + 4500);
	ck_assert_ptr_nonnull(r2);
	ck_assert_int_eq(acc(r2, 1, 9, 1, START, now), REPLAY_BEFORE_START);
	ck_assert_int_eq(acc(r2, 1, 9, 2, START + 4000, now),
	    REPLAY_BEFORE_START);
	ck_assert_int_eq(acc(r2, 1, 9, 3, START + 4500, now), REPLAY_OK);
	replay_free(r2);
	replay_free(r);
}
END_TEST

/* More sessions on a key than it keeps, all of them quiet for longer than
 * FreshWindow: the oldest goes without a floor, since any frame of it
 * would be stale anyway. */
START_TEST(test_evict_old_sessions)
{
	struct replay *r = new_replay();
	uint64_t t0 = NOW, later = NOW + FRESH + 1, i;

	for (i = 0; i < REPLAY_SESSIONS; i++)
		ck_assert_int_eq(acc(r, 1, 100 + i, 1, t0 + i, t0 + i),
		    REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 500, 1, later, later), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), 0);
	/* ...which is so: a replay of the forgotten session is stale */
	ck_assert_int_eq(acc(r, 1, 100, 1, t0, later), REPLAY_STALE);
	/* the others are still known (live ones are, at least) */
	ck_assert_int_eq(acc(r, 1, 100 + REPLAY_SESSIONS - 1, 1,
	    t0 + REPLAY_SESSIONS - 1, later), REPLAY_SEEN);
	/* new sessions keep coming without a floor while quiet ones are
	 * the ones that go (all but session 500 by now)... */
	later += 100;
	for (i = 0; i < REPLAY_SESSIONS - 1; i++)
		ck_assert_int_eq(acc(r, 1, 600 + i, 1, later, later),
		    REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), 0);
	/* ...until the one to go is live: then its last frame is the floor */
	ck_assert_int_eq(acc(r, 1, 700, 1, later, later), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), later - 100);
	replay_free(r);
}
END_TEST

/* The same, but the sessions are live: forgetting the oldest raises the
 * key's floor to its last sent_ms, and from then on every frame at or
 * below it is refused, from any session, new or known. */
START_TEST(test_evict_live_sessions)
{
	struct replay *r = new_replay();
	uint64_t base = NOW - 1000, i;

	for (i = 0; i < REPLAY_SESSIONS; i++)
		ck_assert_int_eq(acc(r, 1, 100 + i, 1, base + i, NOW),
		    REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), 0);
	ck_assert_int_eq(acc(r, 1, 900, 1, NOW, NOW), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), base);
	/* a new frame of a known session at the floor is refused... */
	ck_assert_int_eq(acc(r, 1, 105, 2, base, NOW), REPLAY_SEEN);
	/* ...one above it passes, even if older than that session's last */
	ck_assert_int_eq(acc(r, 1, 105, 3, base + 1, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 105, 3, base + 1, NOW), REPLAY_SEEN);
	ck_assert_uint_eq(replay_floor(r, 1), base);
	/* the other keys have no floor */
	ck_assert_uint_eq(replay_floor(r, 2), 0);
	ck_assert_int_eq(acc(r, 2, 100, 1, base, NOW), REPLAY_OK);
	/* a new session's first frame not above the last sent_ms of the
	 * live session that would make room for it (101) is refused */
	ck_assert_int_eq(acc(r, 1, 901, 1, base + 1, NOW), REPLAY_SEEN);
	/* the evicted session's frame, replayed: at the floor */
	ck_assert_int_eq(acc(r, 1, 100, 1, base, NOW), REPLAY_SEEN);
	/* and a refused frame changed nothing: not the floor, nor a slot */
	ck_assert_uint_eq(replay_floor(r, 1), base);
	replay_free(r);
}
END_TEST

/* The edge: at exactly FreshWindow after its last frame a session can
 * still be replayed fresh, so evicting it then raises the floor. */
START_TEST(test_evict_edge)
{
	struct replay *r = new_replay();
	uint64_t edge = NOW + FRESH, i;

	for (i = 0; i < REPLAY_SESSIONS; i++)
		ck_assert_int_eq(acc(r, 1, 100 + i, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 900, 1, edge, edge), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), NOW);
	ck_assert_int_eq(acc(r, 1, 100, 1, NOW, edge), REPLAY_SEEN);
	replay_free(r);
	/* one ms later it could not, and goes without one */
	r = new_replay();
	for (i = 0; i < REPLAY_SESSIONS; i++)
		ck_assert_int_eq(acc(r, 1, 100 + i, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 900, 1, edge + 1, edge + 1), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), 0);
	ck_assert_int_eq(acc(r, 1, 100, 1, NOW, edge + 1), REPLAY_STALE);
	replay_free(r);
}
END_TEST

/* A busy session is not the one evicted, however many come and go. */
START_TEST(test_evict_keeps_busy)
{
	struct replay *r = new_replay();
	uint64_t i, sent;

	ck_assert_int_eq(acc(r, 1, 7, 1, NOW, NOW), REPLAY_OK);
	for (i = 0; i < 4 * REPLAY_SESSIONS; i++) {
		sent = NOW + 2 * i + 1;
		ck_assert_int_eq(acc(r, 1, 1000 + i, 1, sent, sent),
		    REPLAY_OK);
		ck_assert_int_eq(acc(r, 1, 7, 2 + i, sent + 1, sent + 1),
		    REPLAY_OK);
	}
	/* session 7 kept its window: its last frame, above every floor,
	 * is a repeat and not a new session's first */
	ck_assert_int_eq(acc(r, 1, 7, 1 + i, sent + 1, sent + 1), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 1, 7, 2 + i, sent + 2, sent + 2), REPLAY_OK);
	/* 31 sessions fitted beside it; the rest each evicted the oldest
	 * live one, the last of which set the floor */
	ck_assert_uint_eq(replay_floor(r, 1),
	    NOW + 2 * (4 * REPLAY_SESSIONS - REPLAY_SESSIONS) + 1);
	replay_free(r);
}
END_TEST

/* More direction keys than the table keeps.  Quiet ones go freely; a live
 * one raises the floor of every key, since which key a replay will come
 * under is not known. */
START_TEST(test_evict_keys)
{
	struct replay *r = new_replay();
	uint64_t base = NOW - 100, later = NOW + FRESH + 1;
	uint32_t k;

	for (k = 1; k <= REPLAY_KEYS; k++)
		ck_assert_int_eq(acc(r, k, 50, 1, base + k, NOW), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), 0);
	ck_assert_int_eq(acc(r, REPLAY_KEYS + 1, 50, 1, NOW, NOW), REPLAY_OK);
	/* key 1 (the quietest) went: its last frame is the global floor */
	ck_assert_uint_eq(replay_floor(r, REPLAY_KEYS + 1), base + 1);
	ck_assert_uint_eq(replay_floor(r, 5), base + 1);
	ck_assert_uint_eq(replay_floor(r, 0xdeadbeef), base + 1);
	ck_assert_int_eq(acc(r, 5, 51, 1, base + 1, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(r, 5, 51, 1, base + 2, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, 1, 50, 1, base + 1, NOW), REPLAY_SEEN);
	replay_free(r);

	/* the same with keys quiet for longer than FreshWindow: no floor */
	r = new_replay();
	for (k = 1; k <= REPLAY_KEYS; k++)
		ck_assert_int_eq(acc(r, k, 50, 1, base + k, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(r, REPLAY_KEYS + 1, 50, 1, later, later),
	    REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, REPLAY_KEYS + 1), 0);
	ck_assert_uint_eq(replay_floor(r, 1), 0);
	ck_assert_int_eq(acc(r, 1, 50, 1, base + 1, later), REPLAY_STALE);
	replay_free(r);
}
END_TEST

/* Two endpoints holding one key share one table: a frame taken by one is
 * a repeat at the other.  Endpoints on other keys are unaffected. */
START_TEST(test_shared)
{
	struct replay *r = new_replay();
	struct replay *ep_a = r, *ep_b = r;

	ck_assert_int_eq(acc(ep_a, 1, 77, 1, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(ep_b, 1, 77, 1, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(ep_b, 1, 77, 2, NOW, NOW), REPLAY_OK);
	ck_assert_int_eq(acc(ep_a, 1, 77, 2, NOW, NOW), REPLAY_SEEN);
	ck_assert_int_eq(acc(ep_b, 3, 77, 1, NOW, NOW), REPLAY_OK);
	replay_free(r);
}
END_TEST

/* Two receivers share the table, one with FreshWindow 30 s, one with
 * 120 s: a session the 30 s one forgets a minute on could still come back
 * fresh through the 120 s one, so forgetting it raises the floor. */
START_TEST(test_shared_windows)
{
	struct replay *r = new_replay();
	uint64_t t0 = NOW, later = NOW + 60000, i;

	replay_keep(r, 120000);
	replay_keep(r, FRESH);		/* the largest stays */
	for (i = 0; i < REPLAY_SESSIONS; i++)
		ck_assert_int_eq(acc(r, 1, 100 + i, 1, t0 + i, t0 + i),
		    REPLAY_OK);
	/* a new session through the 30 s receiver: the oldest goes */
	ck_assert_int_eq(acc(r, 1, 500, 1, later, later), REPLAY_OK);
	ck_assert_uint_eq(replay_floor(r, 1), t0);
	/* the forgotten session's frame, through the 120 s receiver */
	ck_assert_int_eq(replay_accept(r, 1, 100, 1, t0, later, 120000),
	    REPLAY_SEEN);
	replay_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_fresh);
	tcase_add_test(tc, test_before_start);
	tcase_add_test(tc, test_evict_old_sessions);
	tcase_add_test(tc, test_evict_live_sessions);
	tcase_add_test(tc, test_evict_edge);
	tcase_add_test(tc, test_evict_keeps_busy);
	tcase_add_test(tc, test_evict_keys);
	tcase_add_test(tc, test_shared);
	tcase_add_test(tc, test_shared_windows);
	suite_add_tcase(s, tc);
	return check_run(s);
}
