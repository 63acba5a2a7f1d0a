/* check_sispend.c — a card's balance across snapshots (gateway/standin/
 * snapshot.c, cards.c), on a real store and event loop.  A snapshot's
 * balance is the core's, which holds the advices it has applied: an
 * approval whose advice is still in our queue is not in it, and must
 * still count against the card, or every snapshot would hand the same
 * funds out again.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/si.h"
#include "tests/unit/sistate.h"
#include "tests/unit/checkrun.h"

#define PAN	"5413330089020011"
#define PAN2	"5413330089020029"

static struct event_base *base;
static char dir[64];
static struct si_result res;
static int done, acks, nadv;
static uint64_t adv[16];

static int
send_frame(const char *core, int type, uint64_t corr, const uint8_t *b,
    size_t len)
{
	(void)core;
	(void)b;
	(void)len;
	if (type == COREFR_SNAPSHOT_ACK)
		acks++;
	else if (type == COREFR_ADVICE && nadv < 16)
		adv[nadv++] = corr;
	return 0;
}

static const struct standin_ops ops = { send_frame, NULL };

static void
on_result(void *arg, const struct si_result *r)
{
	(void)arg;
	res = *r;
	done = 1;
}

/* One card's record with this balance (minor units) into w. */
static void
card(struct tlv_w *w, const char *pan, const char *balance)
{
	uint8_t rec[256];
	struct tlv_w r;

	tlv_w_init(&r, rec, sizeof rec);
	tlv_put_str(&r, 0x2001, pan);
	tlv_put_str(&r, 0x2002, "active");
	tlv_put_str(&r, 0x2003, "2812");
	tlv_put_str(&r, 0x2004, "1000000");	/* per transaction */
	tlv_put_str(&r, 0x2005, "1000000");	/* a day */
	tlv_put_str(&r, 0x2006, balance);
	tlv_put_str(&r, 0x2007, "826");
	tlv_put(w, TLV_SNAP_CARD, rec, r.len);
}

/* Both cards with this balance, at this version. */
static void
snapshot(uint64_t version, const char *balance)
{
	uint8_t body[1024];
	struct tlv_w w;
	int n, want = acks + 1;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_u64(&w, TLV_SNAP_VERSION, version);
	card(&w, PAN, balance);
	card(&w, PAN2, balance);
	ck_assert_int_eq(w.err, 0);
	standin_snapshot("core-a", version, body, w.len);
	for (n = 0; n < 20000 && acks < want; n++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
	ck_assert_int_eq(acks, want);
}

/* mti on link for pan; a 0400 reverses the 0100 of DE11 000777. */
static const char *
decide_on(const char *link, const char *mti, const char *pan,
    const char *amount, const char *stan)
{
	static struct iso_msg m;

	iso_msg_init(&m, mti);
	iso_set_str(&m, 2, pan);
	iso_set_str(&m, 4, amount);
	iso_set_str(&m, 49, "826");
	iso_set_str(&m, 7, "1206103000");
	iso_set_str(&m, 11, stan);
	iso_set_str(&m, 32, "4321");
	iso_set_str(&m, 37, "000000000001");
	if (mti[1] == '4')
		iso_set_str(&m, 90, "0100" "000777" "1206103000"
		    "00000004321" "00000000000");
	else
		iso_set_str(&m, 22, "100");	/* nothing to verify */
	done = 0;
	ck_assert_int_eq(standin_decide(&m, link, iso_profile_find("iso87"),
	    "core-down", now_us(), now_us() + 2000000, on_result, NULL), 0);
	fix_run_until(base, &done);
	return res.de39;
}

static const char *
decide(const char *amount, const char *stan)
{
	return decide_on("mc", "0100", PAN, amount, stan);
}

/* The core has advice i: its acknowledgement applied. */
static void
ack(int i)
{
	int n;

	standin_advice_ack(adv[i]);
	for (n = 0; n < 400; n++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
}

START_TEST(unsettled_spend_kept)
{
	struct standin_conf c;
	char keyfile[96], err[256];

	acks = nadv = done = 0;	/* one process under ASan (CK_FORK=no) */
	fix_state_dir(dir, sizeof dir, "sispend");
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	fix_state_conf(&c, dir, keyfile, 1);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	/* 1. balance 1000.00: 900.00 approved, its advice not yet acked */
	snapshot(10, "100000");
	ck_assert_str_eq(decide("000000090000", "000001"), "00");
	ck_assert_int_eq(nadv, 1);
	/* 2. the core sends the same balance (it has not applied the
	 *    advice): the 900.00 still counts, another 900.00 does not fit */
	snapshot(11, "100000");
	ck_assert_str_eq(decide("000000090000", "000002"), "51");
	ck_assert_str_eq(res.why, "funds");
	ck_assert_str_eq(decide("000000010000", "000003"), "00");
	/* 3. the core has both approvals now: acknowledged, and its next
	 *    balance holds them (0.00 left): nothing more fits */
	ack(0);
	ack(1);
	ack(2);
	snapshot(12, "0");
	ck_assert_str_eq(decide("000000000100", "000004"), "51");
	/* 4. credited 50.00: 50.00 fits, then nothing */
	snapshot(13, "5000");
	ck_assert_str_eq(decide("000000005000", "000005"), "00");
	ck_assert_str_eq(decide("000000000100", "000006"), "51");
	fix_state_end(base, dir);
}
END_TEST

/*
 * A reversal releases its own link's approval: two links approve two
 * cards under one identity (DE11, DE7, DE32 alike); the reversal on the
 * second link releases the second card's 0.01, not the first card's
 * 500.00 (which would let the first card spend it again).
 */
START_TEST(reversal_of_its_link)
{
	struct standin_conf c;
	char keyfile[96], err[256];

	acks = nadv = done = 0;	/* one process under ASan (CK_FORK=no) */
	fix_state_dir(dir, sizeof dir, "sispend");
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	fix_state_conf(&c, dir, keyfile, 1);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot(10, "100000");
	ck_assert_str_eq(decide_on("mc", "0100", PAN, "000000050000",
	    "000777"), "00");
	ck_assert_str_eq(decide_on("other", "0100", PAN2, "000000000001",
	    "000777"), "00");
	ck_assert_str_eq(decide_on("other", "0400", PAN2, "000000000001",
	    "000778"), "00");
	ck_assert_str_eq(res.why, "released");
	/* the first card: 500.00 spent still, 500.00 more fits, then no */
	ck_assert_str_eq(decide_on("mc", "0100", PAN, "000000050000",
	    "000779"), "00");
	ck_assert_str_eq(decide_on("mc", "0100", PAN, "000000000100",
	    "000780"), "51");
	fix_state_end(base, dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sispend");
	TCase *tc = tcase_create("spend");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, unsettled_spend_kept);
	tcase_add_test(tc, reversal_of_its_link);
	suite_add_tcase(s, tc);
	return check_run(s);
}
