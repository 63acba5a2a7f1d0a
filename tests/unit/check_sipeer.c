/* check_sipeer.c — what the stand-in keeps for its pair peer
 * (gateway/standin/peer.c), with a real store: an advice kept is held
 * until released; a release that comes before its advice (the advice
 * lost once and retried, or overtaken on the datagram link) leaves a
 * mark, so the advice that follows is acknowledged but not held, across
 * a restart too, and never taken over into our queue; a body that is not
 * the peer's advice id is refused.  And the core's SHARE
 * (gateway/standin/share.c): shares that add up to more than 100 are
 * refused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/dlq.h"
#include "iso8583/iso8583.h"
#include "tunnel/tlv.h"
#include "gateway/standin/standin.h"
#include "tests/unit/sistate.h"
#include "tests/unit/checkrun.h"

#define PEER	"peer-gw"	/* [Pair] Peer; we are test-gw */

static struct event_base *base;
static char dir[64];
static int done, ok;
static size_t taken;

static void
on_done(void *arg, int good)
{
	(void)arg;
	ok = good;
	done = 1;
}

static void
on_taken(void *arg, size_t n, int good)
{
	(void)arg;
	taken = n;
	ok = good;
	done = 1;
}

/* The loop until the store's job is done, and whether it went well. */
static int
wait_done(void)
{
	int i;

	for (i = 0; i < 10000 && !done; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (!done)
			usleep(500);
	}
	ck_assert_int_ne(done, 0);
	done = 0;
	return ok;
}

/* A core that keeps the last SHARE_ACK it is sent. */
static struct {
	int		 n;
	uint64_t	 corr, share, version;
} ack;

static int
share_send(const char *core, int type, uint64_t corr, const uint8_t *b,
    size_t len)
{
	(void)core;
	if (type != COREFR_SHARE_ACK)
		return 0;
	ack.n++;
	ack.corr = corr;
	ck_assert_int_eq(tlv_find_u64(b, len, TLV_SHARE, &ack.share), 0);
	ck_assert_int_eq(tlv_find_u64(b, len, TLV_SHARE_VERSION,
	    &ack.version), 0);
	return 0;
}

static const struct standin_ops share_ops = { share_send, NULL };

/* One of a pair, Share = 50 until the core sends a SHARE. */
static void
start(void)
{
	struct standin_conf c;
	char keyfile[96], err[256];

	snprintf(keyfile, sizeof keyfile, "%s/state.key", dir);
	fix_state_conf(&c, dir, keyfile, 1);
	c.paired = 1;
	c.share = 50;
	ck_assert_msg(standin_init(base, &c, &share_ops, err, sizeof err) == 0,
	    "%s", err);
}

static void
setup(void)
{
	char keyfile[96];

	fix_state_dir(dir, sizeof dir, "sipeer");
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	done = ok = 0;
	memset(&ack, 0, sizeof ack);
	start();
}

static void
teardown(void)
{
	fix_state_end(base, dir);
}

/* A PEER_ADVICE for id whose body claims to be gw's advice claimed (a
 * scheme advice: no decision of the peer's); gw NULL: no 0x1007.  -1:
 * refused at once; else whether it was kept well. */
static int
keep_as(uint64_t id, const char *gw, uint64_t claimed)
{
	uint8_t body[96];
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, "0120");
	if (gw != NULL)
		tlv_put_str(&w, TLV_GATEWAY, gw);
	tlv_put_u64(&w, TLV_ADVICE_ID, claimed);
	ck_assert_int_eq(w.err, 0);
	if (standin_peer_keep(PEER, id, body, w.len,
	    iso_profile_find("iso87"), on_done, NULL) == -1)
		return -1;
	return wait_done();
}

/* The peer's advice id, as the peer sends it. */
static int
keep(uint64_t id)
{
	return keep_as(id, PEER, id);
}

static int
release(uint64_t id)
{
	ck_assert_int_eq(standin_peer_release(id, on_done, NULL), 0);
	return wait_done();
}

static size_t
takeover(void)
{
	ck_assert_int_eq(standin_peer_takeover(on_taken, NULL), 0);
	ck_assert_int_eq(wait_done(), 1);
	return taken;
}

START_TEST(kept_until_released)
{
	setup();
	ck_assert_int_eq(keep(5), 1);
	ck_assert_int_eq(keep(5), 1);		/* sent again: kept once */
	ck_assert_uint_eq(standin_peer_held(), 1);
	ck_assert_int_eq(release(5), 1);
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_int_eq(release(5), 1);	/* a repeat changes nothing */
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_uint_eq(takeover(), 0);
	teardown();
}
END_TEST

/* A copy of the advice that was still on its way when the release came
 * (a retry whose ack crossed it, or a datagram overtaken): acknowledged,
 * never held again, so never taken over into our queue a second time. */
START_TEST(copy_after_release)
{
	setup();
	ck_assert_int_eq(keep(5), 1);
	ck_assert_int_eq(release(5), 1);
	ck_assert_int_eq(keep(5), 1);
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_uint_eq(takeover(), 0);
	/* the same after a takeover: what we took is ours, a copy of it
	 * that comes later is not the peer's to hold again */
	ck_assert_int_eq(keep(6), 1);
	ck_assert_uint_eq(takeover(), 1);
	ck_assert_int_eq(keep(6), 1);
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_uint_eq(takeover(), 0);
	teardown();
}
END_TEST

START_TEST(release_before_advice)
{
	setup();
	/* 1. the release overtakes the advice: acknowledged, nothing held */
	ck_assert_int_eq(release(7), 1);
	ck_assert_uint_eq(standin_peer_held(), 0);
	/* 2. the advice then comes: acknowledged (the peer stops sending
	 * it), not held; another id is held as ever */
	ck_assert_int_eq(keep(7), 1);
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_int_eq(keep(8), 1);
	ck_assert_uint_eq(standin_peer_held(), 1);
	/* 3. the mark is durable: after a restart the advice sent once more
	 * is still not held */
	ck_assert_int_eq(release(9), 1);
	standin_shutdown();
	start();
	ck_assert_uint_eq(standin_peer_held(), 1);
	ck_assert_int_eq(keep(9), 1);
	ck_assert_int_eq(keep(7), 1);
	ck_assert_uint_eq(standin_peer_held(), 1);
	/* 4. a takeover delivers only what is held (8), not 7 or 9 */
	ck_assert_uint_eq(takeover(), 1);
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_uint_eq(takeover(), 0);
	teardown();
}
END_TEST

/* A body that is not the peer's advice id (a buggy or hostile peer):
 * refused, so never held and never delivered on a takeover, where the
 * core would take it for the advice it claims and drop the real one as
 * a repeat.  The peer's own advice id is held as ever. */
START_TEST(claim_checked)
{
	int rc[4];

	setup();
	rc[0] = keep_as(5, "test-gw", 5);		/* our name */
	rc[1] = keep_as(6, "third-gw", 6);
	rc[2] = keep_as(7, NULL, 7);
	rc[3] = keep_as(8, PEER, 9);			/* another id */
	ck_assert_uint_eq(standin_peer_held(), 0);
	ck_assert_uint_eq(takeover(), 0);
	ck_assert_int_eq(rc[0], -1);	/* not acknowledged either */
	ck_assert_int_eq(rc[1], -1);
	ck_assert_int_eq(rc[2], -1);
	ck_assert_int_eq(rc[3], -1);
	ck_assert_int_eq(keep(5), 1);
	ck_assert_uint_eq(standin_peer_held(), 1);
	ck_assert_uint_eq(takeover(), 1);
	teardown();
}
END_TEST

/* The core's SHARE with version and list, until it is acknowledged. */
static void
share(uint64_t version, const char *list)
{
	uint8_t body[128];
	struct tlv_w w;
	int n = ack.n, i;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_SHARES, list);
	ck_assert_int_eq(w.err, 0);
	standin_share("core-a", version, body, w.len);
	for (i = 0; i < 10000 && ack.n == n; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (ack.n == n)
			usleep(500);
	}
	ck_assert_int_eq(ack.n, n + 1);
	ck_assert_uint_eq(ack.corr, version);
}

static void
share_is(uint32_t want, uint64_t want_version)
{
	uint32_t pct;
	uint64_t version;
	int paired;

	standin_share_info(&pct, &version, &paired);
	ck_assert_int_eq(paired, 1);
	ck_assert_uint_eq(pct, want);
	ck_assert_uint_eq(version, want_version);
}

/* Shares that add up to more than 100 would let the pair together
 * exceed the ExposureCap and every card limit, each appliance keeping to
 * its own: refused, not stored, the ack saying what is held. */
START_TEST(share_sum_checked)
{
	setup();
	share_is(50, 0);
	share(10, "test-gw=60;peer-gw=40");
	share_is(60, 10);
	ck_assert_uint_eq(ack.share, 60);
	ck_assert_uint_eq(ack.version, 10);
	share(11, "test-gw=100;peer-gw=100");
	share_is(60, 10);
	ck_assert_uint_eq(ack.share, 60);
	ck_assert_uint_eq(ack.version, 10);
	share(12, "peer-gw=41;test-gw=60");		/* 101 */
	share_is(60, 10);
	ck_assert_uint_eq(ack.version, 10);
	share(13, "peer-gw=100;test-gw=0");
	share_is(0, 13);
	/* the refused were never stored */
	standin_shutdown();
	start();
	share_is(0, 13);
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sipeer");
	TCase *tc = tcase_create("peer");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kept_until_released);
	tcase_add_test(tc, copy_after_release);
	tcase_add_test(tc, release_before_advice);
	tcase_add_test(tc, claim_checked);
	tcase_add_test(tc, share_sum_checked);
	suite_add_tcase(s, tc);
	return check_run(s);
}
