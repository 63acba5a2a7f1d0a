/* check_standin.c — the stand-in alone (its facts: check_sifacts.c): the
 * whole pipeline on a real store
 * and event loop without an HSM: a SNAPSHOT applied and acknowledged, an
 * approval, the same request again, an unknown card, a limit, a reversal
 * releasing the exposure, the advices sent and acknowledged; the card's
 * counters across a restart; and the queue in memory when there is no
 * store. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "base/be.h"
#include "base/clock.h"
#include "base/dlq.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"
#include "tests/unit/sistate.h"
#include "tests/unit/checkrun.h"

#define PAN	"5413330089020011"

/* --- the pipeline --------------------------------------------------------------- */

static struct event_base *base;
static char dir[64];
static int acks, nadvices, done;
static uint64_t advice_ids[64];
static char advice_de39[64][3], advice_sent[64][3], advice_rule[64][3];
static struct si_result res;

static int
send_frame(const char *core, int type, uint64_t corr, const uint8_t *b,
    size_t len)
{
	uint64_t v;

	(void)core;
	if (type == COREFR_SNAPSHOT_ACK) {
		ck_assert_int_eq(tlv_find_u64(b, len, TLV_SNAP_VERSION, &v), 0);
		ck_assert_uint_eq(v, corr);
		acks++;
	} else if (type == COREFR_ADVICE && nadvices < 64) {
		tlv_find_str(b, len, 39, advice_de39[nadvices], 3);
		tlv_find_str(b, len, TLV_STANDIN_DE39, advice_sent[nadvices], 3);
		tlv_find_str(b, len, TLV_STANDIN_RULE, advice_rule[nadvices], 3);
		advice_ids[nadvices++] = corr;
	}
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

static void
run_until(int *flag)
{
	fix_run_until(base, flag);
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
	tlv_put_str(&r, 0x2004, "50000");
	tlv_put_str(&r, 0x2005, "100000");
	tlv_put_str(&r, 0x2006, "1000000");
	tlv_put_str(&r, 0x2007, "826");
	tlv_w_init(&w, body, sizeof body);
	tlv_put_u64(&w, TLV_SNAP_VERSION, 10);
	tlv_put(&w, TLV_SNAP_CARD, rec, r.len);
	ck_assert_int_eq(w.err, 0);
	standin_snapshot("core-a", 10, body, w.len);
	run_until(&acks);
}

/* What decide() puts in DE22 and DE48 (NULL: none): credential on file
 * by default, the one entry mode with nothing to verify, since there is
 * no HSM here (check_standin_hsm.c has one). */
static const char *req_de22 = "100", *req_de48;

static const char *
decide(const char *mti, const char *pan, const char *amount, const char *stan)
{
	static struct iso_msg m;
	const struct iso_profile *p = iso_profile_find("iso87");

	iso_msg_init(&m, mti);
	iso_set_str(&m, 2, pan);
	iso_set_str(&m, 4, amount);
	iso_set_str(&m, 49, "826");
	iso_set_str(&m, 7, "1206103000");
	iso_set_str(&m, 11, stan);
	iso_set_str(&m, 32, "4321");
	iso_set_str(&m, 37, "000000000001");
	if (mti[1] != '4' && req_de22 != NULL)
		iso_set_str(&m, 22, req_de22);
	if (mti[1] != '4' && req_de48 != NULL)
		iso_set_str(&m, 48, req_de48);
	if (mti[1] == '4')		/* reverses the first request */
		iso_set_str(&m, 90, "0100" "000001" "1206103000"
		    "00000004321" "00000000000");
	done = 0;
	ck_assert_int_eq(standin_decide(&m, "mc", p, "core-down",
	    now_us(), now_us() + 2000000, on_result, NULL), 0);
	run_until(&done);
	return res.de39;
}

static uint64_t
exposure(void)
{
	json_t *j = standin_json();
	uint64_t v;

	v = (uint64_t)json_integer_value(json_object_get(j, "exposure"));
	json_decref(j);
	return v;
}

static void
conf(struct standin_conf *c, const char *keyfile, int durable)
{
	fix_state_conf(c, dir, keyfile, durable);
}

static void
setup(void)
{
	fix_state_dir(dir, sizeof dir, "standin");
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	acks = nadvices = done = 0;
}

static void
teardown(void)
{
	fix_state_end(base, dir);
}

START_TEST(pipeline)
{
	struct standin_conf c;
	char keyfile[96], err[256], de38[7];
	int i;

	setup();
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	conf(&c, keyfile, 1);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	/* 1. an approval, durable, with a stand-in approval code */
	ck_assert_str_eq(decide("0100", PAN, "000000001000", "000001"), "00");
	ck_assert_int_eq(res.de38[0], 'S');
	memcpy(de38, res.de38, sizeof de38);
	ck_assert_uint_eq(exposure(), 1000);
	/* 2. the same request again: the same answer, nothing spent */
	ck_assert_str_eq(decide("0100", PAN, "000000001000", "000001"), "00");
	ck_assert_str_eq(res.de38, de38);
	ck_assert_str_eq(res.why, "duplicate");
	ck_assert_uint_eq(exposure(), 1000);
	/* 3. an unknown card, 4. over the card's per-transaction limit */
	ck_assert_str_eq(decide("0100", "5413330089020029", "000000001000",
	    "000002"), "14");
	ck_assert_str_eq(decide("0100", PAN, "000000060000", "000003"), "61");
	/* 5. the reversal of the first releases its amount */
	ck_assert_str_eq(decide("0400", PAN, "000000001000", "000009"), "00");
	ck_assert_uint_eq(exposure(), 0);
	/* 6. every decision's advice went to the core as it was made (the
	 * duplicate made none), and the core's acks empty the queue */
	ck_assert_uint_eq(standin_queue_depth(), 4);
	ck_assert_int_eq(nadvices, 4);
	/* and each says, in tag 39 and 0x1004, what the scheme was told */
	ck_assert_str_eq(advice_de39[0], "00");
	ck_assert_str_eq(advice_de39[1], "14");
	ck_assert_str_eq(advice_de39[2], "61");
	ck_assert_str_eq(advice_de39[3], "00");
	for (i = 0; i < nadvices; i++) {
		ck_assert_str_eq(advice_sent[i], advice_de39[i]);
		ck_assert_str_eq(advice_rule[i], advice_de39[i]);
	}
	for (i = 0; i < nadvices; i++)
		standin_advice_ack(advice_ids[i]);
	for (i = 0; i < 2000 && standin_queue_depth() > 0; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
	ck_assert_uint_eq(standin_queue_depth(), 0);
	teardown();
}
END_TEST

static void
fix_ranges(struct standin_conf *c)
{
	char err[200];
	struct range *w = &c->ranges.r[0], *t = &c->ranges.r[1];

	range_init(w, "wide");
	ck_assert_int_eq(range_add_prefixes(w, "5413", err, sizeof err), 0);
	w->txn_limit = 100;
	range_init(t, "tight");
	ck_assert_int_eq(range_add_prefixes(t, "541333008", err, sizeof err),
	    0);
	t->cof = 0;
	c->ranges.n = 2;
}

static void
durable_setup(struct standin_conf *c)
{
	char keyfile[96];

	setup();
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	conf(c, keyfile, 1);
}

/* Verification fails closed, each way decided before the HSM: no entry
 * mode, one not known, a required step without data or with malformed
 * data, no HSM to ask, credential on file where the range refuses it. */
START_TEST(verify_fails_closed)
{
	static const struct {
		const char *de22, *de48, *de39, *why;
	} cases[] = {
		{ NULL, NULL, "58", "entry-mode-missing" },
		{ "061", NULL, "58", "entry-mode-unknown" },
		{ "x1", NULL, "58", "entry-mode-unknown" },
		{ "012", NULL, "82", "cvc2-missing" },
		{ "012", "R92034x7", "82", "cvc2-malformed" },
		{ "812", "R9203457", "91", "no-hsm" },
		{ "021", NULL, "82", "cvc1-missing" },
		{ "051", NULL, "88", "arqc-missing" },
		{ "071", NULL, "88", "arqc-missing" },
		{ "102", "R92034x7", "82", "cvc2-malformed" },	/* verified
								   when sent */
		{ "100", NULL, "00", NULL },
	};
	struct standin_conf c;
	char err[256], stan[7];
	size_t i;

	durable_setup(&c);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		req_de22 = cases[i].de22;
		req_de48 = cases[i].de48;
		snprintf(stan, sizeof stan, "%06zu", i + 1);
		ck_assert_msg(strcmp(decide("0100", PAN, "000000001000", stan),
		    cases[i].de39) == 0 && (cases[i].why == NULL ||
		    (res.why != NULL && strcmp(res.why, cases[i].why) == 0)),
		    "DE22 %s: %s why %s, want %s why %s", cases[i].de22,
		    res.de39, res.why ? res.why : "-", cases[i].de39,
		    cases[i].why ? cases[i].why : "-");
	}
	req_de22 = "100";
	req_de48 = NULL;
	teardown();
}
END_TEST

/* A range refusing credentials on file, and one with its own limit: the
 * card's range is the one whose prefix is longest. */
START_TEST(ranges_apply)
{
	struct standin_conf c;
	char err[256];

	durable_setup(&c);
	fix_ranges(&c);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	/* PAN is in "tight" (541333008), not "wide" (5413) */
	ck_assert_str_eq(decide("0100", PAN, "000000000500", "000001"), "57");
	ck_assert_str_eq(res.why, "cof-not-allowed");
	req_de22 = "812";
	req_de48 = NULL;
	ck_assert_str_eq(decide("0100", PAN, "000000000500", "000002"), "82");
	ck_assert_str_eq(res.why, "cvc2-missing");
	req_de22 = "100";
	teardown();
}
END_TEST

static int
old_format_run(struct store_txn *t, void *arg)
{
	(void)arg;
	return store_put_u64(t, STORE_META, "store_format", 12, 2);
}

/* The card's counters are one record (store_format 3): the day's amount
 * counts approvals, a reversal takes its amount back, and both hold
 * across a restart.  A store of the older layout is refused. */
START_TEST(card_counters)
{
	struct standin_conf c;
	struct store_job j;
	struct store *st;
	char err[256], sdir[96];

	durable_setup(&c);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	/* 1000.00 a day: two of 400.00, not a third */
	ck_assert_str_eq(decide("0100", PAN, "000000040000", "000001"), "00");
	ck_assert_str_eq(decide("0100", PAN, "000000040000", "000002"), "00");
	ck_assert_str_eq(decide("0100", PAN, "000000040000", "000003"), "51");
	ck_assert_str_eq(res.why, "card-daily-limit");
	/* the first reversed: its 400.00 is free again */
	ck_assert_str_eq(decide("0400", PAN, "000000040000", "000009"), "00");
	ck_assert_uint_eq(exposure(), 40000);
	ck_assert_str_eq(decide("0100", PAN, "000000040000", "000004"), "00");
	ck_assert_uint_eq(exposure(), 80000);
	/* after a restart the day still holds 800.00 */
	standin_shutdown();
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_str_eq(decide("0100", PAN, "000000040000", "000005"), "51");
	ck_assert_str_eq(res.why, "card-daily-limit");
	ck_assert_str_eq(decide("0100", PAN, "000000010000", "000006"), "00");
	standin_shutdown();
	/* the layout before (format 2): refused, not misread */
	snprintf(sdir, sizeof sdir, "%s/state", dir);
	ck_assert_ptr_nonnull(st = store_open(sdir, 1 << 20, 0, NULL, err,
	    sizeof err));
	memset(&j, 0, sizeof j);
	j.run = old_format_run;
	ck_assert_int_eq(store_run_now(st, &j, 1), 0);
	store_close(st);
	ck_assert_int_eq(standin_init(base, &c, &ops, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "layout 2") != NULL, "%s", err);
	teardown();
}
END_TEST

START_TEST(stale_snapshot)
{
	struct standin_conf c;
	char err[256];

	durable_setup(&c);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	/* no snapshot yet */
	ck_assert_str_eq(decide("0100", PAN, "000000001000", "000001"), "91");
	ck_assert_str_eq(res.why, "no-snapshot");
	snapshot();
	ck_assert_str_eq(decide("0100", PAN, "000000001000", "000002"), "00");
	/* older than MaxSnapshotAge */
	c.max_age_s = 0;
	standin_reconfigure(&c);
	usleep(1100000);
	ck_assert_str_eq(decide("0100", PAN, "000000001000", "000003"), "91");
	ck_assert_str_eq(res.why, "stale-snapshot");
	teardown();
}
END_TEST

START_TEST(no_store_queue_in_memory)
{
	struct standin_conf c;
	uint8_t b[256];
	struct tlv_w w;
	char err[256];

	setup();
	conf(&c, NULL, 0);			/* Durability = none */
	ck_assert_int_eq(standin_init(base, &c, &ops, err, sizeof err), 0);
	ck_assert_int_eq(standin_enabled(), 0);
	tlv_w_init(&w, b, sizeof b - 16);
	tlv_put_str(&w, TLV_MTI, "0120");
	ck_assert_int_eq(standin_queue(b, w.len, sizeof b), 0);
	ck_assert_uint_eq(standin_queue_depth(), 1);
	ck_assert_int_eq(nadvices, 1);		/* sent at once */
	ck_assert_uint_ge(advice_ids[0], SAF_MEMORY_ID);
	standin_advice_ack(advice_ids[0]);
	ck_assert_uint_eq(standin_queue_depth(), 0);
	teardown();
}
END_TEST

/* Nothing falls back to a weaker mode: what the config names must work. */
START_TEST(fails_closed)
{
	struct standin_conf c;
	char keyfile[96], err[256];

	setup();
	conf(&c, NULL, 1);
	ck_assert_int_eq(standin_init(base, &c, &ops, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "StateKeyFile"));
	fix_state_key(dir, keyfile, sizeof keyfile, 0644); /* others read */
	conf(&c, keyfile, 1);
	ck_assert_int_eq(standin_init(base, &c, &ops, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "mode 0644"));
	chmod(keyfile, 0600);
	snprintf(c.hsm, sizeof c.hsm, "unix:%s/no-hsm.sock", dir);
	ck_assert_int_eq(standin_init(base, &c, &ops, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no answer to NC"));
	teardown();
}
END_TEST

/* The core's acknowledgements until none is left to apply. */
static void
ack_all(int from, int to)
{
	uint64_t before = exposure();
	int i;

	for (i = from; i < to; i++)
		standin_advice_ack(advice_ids[i]);
	for (i = 0; i < 2000 && standin_queue_depth() > 0; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
	/* the deletion job's completion, after the queue emptied */
	for (i = 0; i < 200 && exposure() == before; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
}

static uint64_t
settled_amount(void)
{
	json_t *j = standin_json();
	uint64_t v;

	v = (uint64_t)json_integer_value(json_object_get(j,
	    "settled_amount"));
	json_decref(j);
	return v;
}

/*
 * ExposureCap counts the approvals the core has not acknowledged: once
 * it has their advices they leave the exposure (once, however often the
 * ack comes), the card's figures stay, a later reversal releases the
 * card's spend but not the exposure a second time, and the figure
 * survives a restart.
 */
START_TEST(exposure_settles)
{
	struct standin_conf c;
	char err[256];

	durable_setup(&c);
	c.exposure_cap = 70000;
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	ck_assert_str_eq(decide("0100", PAN, "000000030000", "000001"), "00");
	ck_assert_str_eq(decide("0100", PAN, "000000030000", "000002"), "00");
	ck_assert_uint_eq(exposure(), 60000);
	ck_assert_str_eq(decide("0100", PAN, "000000030000", "000003"), "91");
	ck_assert_str_eq(res.why, "exposure-cap");
	ck_assert_int_eq(nadvices, 3);
	/* 1. the core has all three: the two approvals are its now */
	ack_all(0, 3);
	ck_assert_uint_eq(exposure(), 0);
	ck_assert_uint_eq(settled_amount(), 60000);
	ck_assert_str_eq(decide("0100", PAN, "000000030000", "000004"), "00");
	ck_assert_uint_eq(exposure(), 30000);
	/* 2. an ack again changes nothing */
	ack_all(0, 1);
	ck_assert_uint_eq(exposure(), 30000);
	ck_assert_uint_eq(settled_amount(), 60000);
	/* 3. the first reversed after it settled: its 300.00 is the card's
	 * again (a fourth 300.00 today fits its 1000.00), the exposure
	 * (the fourth approval's 300.00) is not released twice */
	ck_assert_str_eq(decide("0400", PAN, "000000030000", "000009"), "00");
	ck_assert_uint_eq(exposure(), 30000);
	ck_assert_str_eq(decide("0100", PAN, "000000030000", "000005"), "00");
	ck_assert_uint_eq(exposure(), 60000);
	/* 4. the store says the same after a restart */
	standin_shutdown();
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_uint_eq(exposure(), 60000);
	standin_shutdown();
	teardown();
}
END_TEST

/* Decision id made older by days (its record's wall time). */
struct age_job {
	uint64_t	id, by_us, last;
};

static int
age_run(struct store_txn *t, void *arg)
{
	struct age_job *a = arg;
	struct dec_rec r;
	const void *v;
	size_t vl;
	uint8_t ik[8];
	int rc;

	be64_put(ik, a->id);
	if ((rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl)) != 0)
		return rc;
	ck_assert_uint_eq(vl, sizeof r);
	memcpy(&r, v, sizeof r);
	r.wall_us -= a->by_us;
	return store_put(t, STORE_DECISIONS, ik, 8, &r, sizeof r);
}

/* Every decision from id on (id 0: from the first). */
static int
age_all_run(struct store_txn *t, void *arg)
{
	struct age_job *a = arg;
	int rc;

	for (; a->id < a->last; a->id++)
		if ((rc = age_run(t, a)) != 0 && rc != STORE_NOTFOUND)
			return rc;
	return 0;
}

static void
age(uint64_t id, uint64_t last, unsigned days)
{
	struct age_job a = { id, days * 86400ull * 1000000, last };
	struct store_job j;

	memset(&j, 0, sizeof j);
	j.run = age_all_run;
	j.arg = &a;
	ck_assert_int_eq(store_run_now(SI.st, &j, 1), 0);
}

/* The stand-in's ticks until the pruning took what it should (20 s at
 * most), then 200 more: it must take no more. */
static void
prune_until(uint64_t decisions, uint64_t keys)
{
	int i, extra = 200;

	for (i = 0; i < 20000 && extra > 0; i++) {
		standin_tick(0);
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
		if (SI.pruned_decisions >= decisions &&
		    SI.pruned_keys >= keys)
			extra--;
	}
	ck_assert_uint_eq(SI.pruned_decisions, decisions);
	ck_assert_uint_eq(SI.pruned_keys, keys);
}

/*
 * KeepDecisions: a decision older than it leaves the store with its
 * duplicate keys (the same request again is decided anew, a reversal of
 * it finds nothing), unless it is an approval the core has not settled:
 * that one stays, its duplicate and reversal keys with it, until it is.
 */
START_TEST(decisions_pruned)
{
	struct standin_conf c;
	char err[256];

	durable_setup(&c);
	c.keep_s = 86400;
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	ck_assert_str_eq(decide("0100", PAN, "000000001000", "000001"), "00");
	ck_assert_str_eq(decide("0100", "5413330089020029", "000000001000",
	    "000002"), "14");
	ck_assert_str_eq(decide("0100", PAN, "000000002000", "000003"), "00");
	ck_assert_int_eq(nadvices, 3);
	ack_all(0, 2);			/* the first approval settled */
	ck_assert_uint_eq(exposure(), 2000);
	/* 1. young: nothing goes */
	prune_until(0, 0);
	/* 2. two days old: the settled approval and the decline go, with
	 * their keys (duplicate and reversal: 3); the outstanding stays */
	age(advice_ids[0], advice_ids[2] + 1, 2);
	si_prune_reset();	/* as at a start: not 10 s from the last look */
	prune_until(2, 3);
	/* 3. the outstanding approval is still found, the others not */
	ck_assert_str_eq(decide("0100", PAN, "000000002000", "000003"), "00");
	ck_assert_str_eq(res.why, "duplicate");
	ck_assert_str_eq(decide("0100", "5413330089020029", "000000001000",
	    "000002"), "14");
	ck_assert_str_ne(res.why, "duplicate");
	ck_assert_str_eq(decide("0400", PAN, "000000001000", "000009"), "00");
	ck_assert_str_eq(res.why, "unknown-original");
	ck_assert_uint_eq(exposure(), 2000);
	/* 4. the core settles it at last: the walk goes back for it (and
	 * its 2 keys), without waiting for a restart */
	ack_all(2, nadvices);
	ck_assert_uint_eq(exposure(), 0);
	prune_until(3, 5);
	ck_assert_str_eq(decide("0100", PAN, "000000002000", "000003"), "00");
	ck_assert_str_ne(res.why, "duplicate");
	teardown();
}
END_TEST

/* More than a job's slices: 2,100 old declines (and their duplicate
 * keys) leave in several jobs, resuming where each stopped. */
START_TEST(decisions_pruned_in_slices)
{
	struct standin_conf c;
	char err[256], stan[16];
	uint64_t first;
	int i;

	durable_setup(&c);
	c.keep_s = 86400;
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	snapshot();
	for (i = 0; i < 2100; i++) {
		snprintf(stan, sizeof stan, "%06d", i + 1);
		ck_assert_str_eq(decide("0100", "5413330089020029",
		    "000000001000", stan), "14");
	}
	first = advice_ids[0];
	age(first, first + 2100, 2);
	si_prune_reset();
	prune_until(2100, 2100);
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("standin");
	TCase *tp = tcase_create("pipeline");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tp, 60);
	tcase_add_test(tp, pipeline);
	tcase_add_test(tp, verify_fails_closed);
	tcase_add_test(tp, ranges_apply);
	tcase_add_test(tp, card_counters);
	tcase_add_test(tp, exposure_settles);
	tcase_add_test(tp, decisions_pruned);
	tcase_add_test(tp, decisions_pruned_in_slices);
	tcase_add_test(tp, stale_snapshot);
	tcase_add_test(tp, no_store_queue_in_memory);
	tcase_add_test(tp, fails_closed);
	suite_add_tcase(s, tp);
	return check_run(s);
}
