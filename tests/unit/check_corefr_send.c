/*
 * check_corefr_send.c — the core link's sender and receiver as gatewayd
 * and a core use them: corefr_send (one session and one seq counter per
 * sealing key for the whole process, sent_ms from the wall clock) and
 * corefr_recv (the peer's keys, the wall clock); the names metrics use.
 * The acceptance rules themselves are check_corefr.c's.
 */
#include <check.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "tunnel/corefr.h"
#include "tests/unit/checkrun.h"

#define FRESH	30000ULL

static uint8_t dg[COREFR_MAX_DGRAM];
static uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];
static struct corefr_hdr got;
static const uint8_t *gotbody;

/* Keys for role from configured keys filled with the bytes in fill. */
static void
keys(struct core_keys *lk, enum core_role role, const char *fill)
{
	struct seal_keyring conf;
	uint8_t k[SEAL_KEYLEN];

	seal_keyring_init(&conf);
	for (; *fill != '\0'; fill++) {
		memset(k, *fill, sizeof k);
		ck_assert_int_eq(seal_keyring_add(&conf, k), 0);
	}
	ck_assert_int_eq(core_keys_derive(lk, &conf, role), 0);
	seal_keyring_clear(&conf);
}

static size_t
send1(const struct core_keys *lk, int type, uint64_t corr)
{
	ssize_t n;

	n = corefr_send(lk, type, corr, 1000, (const uint8_t *)"BODY", 4, dg,
	    sizeof dg);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static enum corefr_reject
recv1(const struct core_keys *lk, struct replay *rp, const uint8_t *d,
    size_t n)
{
	enum corefr_reject why = COREFR_R_MAX;
	int rc;

	rc = corefr_recv(lk, rp, FRESH, d, n, &got, pt, sizeof pt, &gotbody,
	    &why);
	ck_assert_int_eq(rc, why == COREFR_R_NONE ? 0 : -1);
	return why;
}

START_TEST(test_send_recv)
{
	static uint8_t first[COREFR_MAX_DGRAM];
	struct core_keys gw, core;
	struct replay *rp;
	uint64_t t0, t1, wall, session, seq;
	size_t n, n1;

	keys(&gw, ROLE_GATEWAY, "A");
	keys(&core, ROLE_CORE, "A");
	ck_assert_ptr_nonnull(rp = replay_new(corefr_now_ms() - 1000));
	/* the wall clock, in ms */
	t0 = corefr_now_ms();
	wall = (uint64_t)time(NULL) * 1000;
	ck_assert_uint_ge(t0 + 2000, wall);
	ck_assert_uint_le(t0, wall + 1000);
	n1 = send1(&gw, COREFR_AUTH_REQUEST, 77);
	t1 = corefr_now_ms();
	memcpy(first, dg, n1);
	ck_assert_int_eq(recv1(&core, rp, dg, n1), COREFR_R_NONE);
	ck_assert_uint_eq(got.type, COREFR_AUTH_REQUEST);
	ck_assert_uint_eq(got.corr_id, 77);
	ck_assert_uint_eq(got.budget_us, 1000);
	ck_assert_uint_eq(got.key_id, gw.seal.k[0].id);
	ck_assert_uint_ge(got.sent_ms, t0);
	ck_assert_uint_le(got.sent_ms, t1);
	ck_assert_mem_eq(gotbody, "BODY", 4);
	session = got.session;
	seq = got.seq;
	/* the next frame: same session, the next seq */
	n = send1(&gw, COREFR_HEARTBEAT, 78);
	ck_assert_uint_eq(dg[0], 0x20);
	ck_assert_uint_eq(dg[1], GUE_CTYPE_HEARTBEAT);
	ck_assert_int_eq(recv1(&core, rp, dg, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.session, session);
	ck_assert_uint_eq(got.seq, seq + 1);
	/* the first again */
	ck_assert_int_eq(recv1(&core, rp, first, n1), COREFR_R_REPLAY);
	/* reflected: the gateway does not take its own frame */
	ck_assert_int_eq(recv1(&gw, rp, first, n1), COREFR_R_KEY);
	/* the answer: the core's own session under its own key */
	n = send1(&core, COREFR_HEARTBEAT_ACK, 78);
	ck_assert_uint_eq(dg[1], GUE_CTYPE_HEARTBEAT_ACK);
	ck_assert_int_eq(recv1(&gw, rp, dg, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.key_id, core.seal.k[0].id);
	ck_assert_uint_ne(got.session, session);
	core_keys_clear(&gw);
	core_keys_clear(&core);
	replay_free(rp);
}
END_TEST

/* corefr_recv reads the wall clock for rules 4 and 5. */
START_TEST(test_recv_clock)
{
	struct core_keys gw, core;
	struct replay *rp, *later;
	struct corefr_hdr h;
	uint64_t now = corefr_now_ms();
	ssize_t n;

	keys(&gw, ROLE_GATEWAY, "B");
	keys(&core, ROLE_CORE, "B");
	ck_assert_ptr_nonnull(rp = replay_new(now - 1000));
	memset(&h, 0, sizeof h);
	h.type = COREFR_ADVICE_ACK;
	h.session = 5;
	h.seq = 1;
	h.sent_ms = now - 60000;
	n = corefr_build(&core.seal, &h, NULL, 0, dg, sizeof dg);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(recv1(&gw, rp, dg, (size_t)n), COREFR_R_STALE);
	h.sent_ms = now + 60000;
	n = corefr_build(&core.seal, &h, NULL, 0, dg, sizeof dg);
	ck_assert_int_eq(recv1(&gw, rp, dg, (size_t)n), COREFR_R_STALE);
	h.sent_ms = now;
	n = corefr_build(&core.seal, &h, NULL, 0, dg, sizeof dg);
	ck_assert_int_eq(recv1(&gw, rp, dg, (size_t)n), COREFR_R_NONE);
	/* a receiver that started after it was sealed */
	ck_assert_ptr_nonnull(later = replay_new(now + 10000));
	ck_assert_int_eq(recv1(&gw, later, dg, (size_t)n),
	    COREFR_R_BEFORE_START);
	replay_free(later);
	replay_free(rp);
	core_keys_clear(&gw);
	core_keys_clear(&core);
}
END_TEST

/*
 * One session and seq counter per sealing key, whichever endpoint (struct
 * core_keys) the frame goes through; another sealing key, another session.
 */
START_TEST(test_sessions)
{
	struct core_keys ep_a, ep_b, rot, peer;
	struct replay *rp;
	uint64_t session, seq;
	size_t n;

	keys(&ep_a, ROLE_GATEWAY, "C");
	keys(&ep_b, ROLE_GATEWAY, "CD");
	keys(&rot, ROLE_GATEWAY, "EC");
	keys(&peer, ROLE_CORE, "EC");
	ck_assert_ptr_nonnull(rp = replay_new(corefr_now_ms() - 1000));
	n = send1(&ep_a, COREFR_ADVICE, 1);
	ck_assert_int_eq(recv1(&peer, rp, dg, n), COREFR_R_NONE);
	session = got.session;
	seq = got.seq;
	n = send1(&ep_b, COREFR_ADVICE, 2);
	ck_assert_int_eq(recv1(&peer, rp, dg, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.session, session);
	ck_assert_uint_eq(got.seq, seq + 1);
	n = send1(&ep_a, COREFR_ADVICE, 3);
	ck_assert_int_eq(recv1(&peer, rp, dg, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.seq, seq + 2);
	/* rotated: E seals now, a new session from seq 1 */
	n = send1(&rot, COREFR_ADVICE, 4);
	ck_assert_int_eq(recv1(&peer, rp, dg, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.key_id, rot.seal.k[0].id);
	ck_assert_uint_ne(got.session, session);
	ck_assert_uint_eq(got.seq, 1);
	core_keys_clear(&ep_a);
	core_keys_clear(&ep_b);
	core_keys_clear(&rot);
	core_keys_clear(&peer);
	replay_free(rp);
}
END_TEST

/* A forked child seals as a new sender: its first frame is a session of
 * its own, which the receiver takes beside the parent's. */
START_TEST(test_fork_new_session)
{
	struct core_keys gw, peer;
	struct replay *rp;
	uint64_t parent;
	int fds[2], st;
	size_t n;
	pid_t pid;

	keys(&gw, ROLE_GATEWAY, "F");
	keys(&peer, ROLE_CORE, "F");
	ck_assert_ptr_nonnull(rp = replay_new(corefr_now_ms() - 1000));
	n = send1(&gw, COREFR_ADVICE, 1);
	ck_assert_int_eq(recv1(&peer, rp, dg, n), COREFR_R_NONE);
	parent = got.session;
	ck_assert_int_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		n = send1(&gw, COREFR_ADVICE, 2);
		_exit(write(fds[1], dg, n) == (ssize_t)n ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	n = (size_t)read(fds[0], dg, sizeof dg);
	close(fds[0]);
	close(fds[1]);
	ck_assert_int_eq(recv1(&peer, rp, dg, n), COREFR_R_NONE);
	ck_assert_uint_ne(got.session, parent);
	ck_assert_uint_eq(got.seq, 1);
	core_keys_clear(&gw);
	core_keys_clear(&peer);
	replay_free(rp);
}
END_TEST

/* More sealing keys than the sender tracks (SEAL_MAXKEYS): a key that
 * lost its place starts a new session at seq 1, so no (session, seq) is
 * ever sealed twice and the receiver refuses none of them. */
START_TEST(test_sessions_many_keys)
{
	enum { NK = SEAL_MAXKEYS + 1 };
	struct core_keys k[NK], peer[NK];
	struct replay *rp;
	uint64_t session[NK], seq[NK];
	char fill[2] = { 0, 0 };
	int i, round, renewed = 0;
	size_t n;

	for (i = 0; i < NK; i++) {
		fill[0] = (char)('a' + i);
		keys(&k[i], ROLE_CORE, fill);
		keys(&peer[i], ROLE_GATEWAY, fill);
	}
	ck_assert_ptr_nonnull(rp = replay_new(corefr_now_ms() - 1000));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < NK; i++) {
			n = send1(&k[i], COREFR_OUT_REQUEST, (uint64_t)i);
			ck_assert_int_eq(recv1(&peer[i], rp, dg, n),
			    COREFR_R_NONE);
			if (round > 0 && got.session == session[i]) {
				ck_assert_uint_eq(got.seq, seq[i] + 1);
			} else {
				ck_assert_uint_eq(got.seq, 1);
				renewed += round > 0;
			}
			session[i] = got.session;
			seq[i] = got.seq;
		}
	}
	ck_assert_int_gt(renewed, 0);
	for (i = 0; i < NK; i++) {
		core_keys_clear(&k[i]);
		core_keys_clear(&peer[i]);
	}
	replay_free(rp);
}
END_TEST

START_TEST(test_errors)
{
	struct core_keys none, gw;
	uint8_t body[COREFR_MAX_BODY + 1];

	memset(&none, 0, sizeof none);
	ck_assert_int_eq(corefr_send(&none, COREFR_HEARTBEAT, 1, 0, NULL, 0,
	    dg, sizeof dg), -1);
	keys(&gw, ROLE_GATEWAY, "F");
	memset(body, 0, sizeof body);
	ck_assert_int_eq(corefr_send(&gw, COREFR_SNAPSHOT_ACK, 1, 0, body,
	    sizeof body, dg, sizeof dg), -1);
	ck_assert_int_gt(corefr_send(&gw, COREFR_SNAPSHOT_ACK, 1, 0, body,
	    sizeof body - 1, dg, sizeof dg), 0);
	ck_assert_int_eq(corefr_send(&gw, COREFR_SNAPSHOT_ACK, 1, 0, body, 10,
	    dg, 50), -1);
	core_keys_clear(&gw);
}
END_TEST

START_TEST(test_names)
{
	static const char *const reasons[] = {
		"none", "gue", "key", "auth", "version", "stale",
		"before_start", "replay", "source",
	};
	static const char *const types[] = {
		"?", "AUTH_REQUEST", "AUTH_RESPONSE", "ADVICE", "ADVICE_ACK",
		"OUT_REQUEST", "OUT_RESPONSE", "SNAPSHOT", "SNAPSHOT_ACK",
		"HEARTBEAT", "HEARTBEAT_ACK", "SHARE", "SHARE_ACK",
		"PEER_ADVICE", "PEER_ADVICE_ACK", "PEER_RELEASE",
		"PEER_RELEASE_ACK",
	};
	int i, c;
	uint8_t p;

	ck_assert_int_eq(COREFR_R_MAX, sizeof reasons / sizeof reasons[0]);
	for (i = 0; i < COREFR_R_MAX; i++)
		ck_assert_str_eq(corefr_reject_name(i), reasons[i]);
	ck_assert_str_eq(corefr_reject_name(COREFR_R_MAX), "?");
	ck_assert_str_eq(corefr_reject_name(-1), "?");
	ck_assert_int_eq(COREFR_TYPE_MAX + 1, sizeof types / sizeof types[0]);
	for (i = 1; i <= COREFR_TYPE_MAX; i++)
		ck_assert_str_eq(corefr_type_name(i), types[i]);
	ck_assert_str_eq(corefr_type_name(0), "?");
	ck_assert_str_eq(corefr_type_name(COREFR_TYPE_MAX + 1), "?");
	ck_assert_str_eq(corefr_type_name(-1), "?");
	for (i = 1; i <= COREFR_TYPE_MAX; i++) {
		corefr_gue_for(i, &c, &p);
		ck_assert_int_eq(c, i == COREFR_HEARTBEAT ||
		    i == COREFR_HEARTBEAT_ACK);
		ck_assert_uint_eq(p, i == COREFR_HEARTBEAT ? 1 :
		    i == COREFR_HEARTBEAT_ACK ? 2 : 253);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("corefr_send");
	TCase *tc = tcase_create("core");

	if (seal_init() == -1)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_send_recv);
	tcase_add_test(tc, test_recv_clock);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_fork_new_session);
	tcase_add_test(tc, test_sessions_many_keys);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return check_run(s);
}
