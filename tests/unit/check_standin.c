/* check_standin.c — the stand-in alone: its request facts (track 2, DE55,
 * DE52, DE90, the pre-declines), then the whole pipeline on a real store
 * and event loop without an HSM: a SNAPSHOT applied and acknowledged, an
 * approval, the same request again, an unknown card, a limit, a reversal
 * releasing the exposure, the advices sent and acknowledged; and the
 * queue in memory when there is no store. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"

#define PAN	"5413330089020011"

/* --- facts ------------------------------------------------------------------ */

START_TEST(track2)
{
	struct sidec d;

	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_track2(&d, PAN "=2812101123456789"), 0);
	ck_assert_str_eq(d.pan, PAN);
	ck_assert_str_eq(d.req_exp, "2812");
	ck_assert_str_eq(d.svc, "101");
	ck_assert_str_eq(d.cvv1, "123");
	/* The PAN of track 2 must be DE2's. */
	memset(&d, 0, sizeof d);
	strcpy(d.pan, "5413330089020029");
	ck_assert_int_eq(si_track2(&d, PAN "D2812101123456789"), -1);
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_track2(&d, PAN "=28121"), -1);
	ck_assert_int_eq(si_track2(&d, "54133300=2812101123"), -1);
	ck_assert_int_eq(si_track2(&d, PAN "2812101123456789"), -1);
}
END_TEST

static size_t
tag(uint8_t *p, const uint8_t *t, size_t tl, const uint8_t *v, size_t vl)
{
	memcpy(p, t, tl);
	p[tl] = (uint8_t)vl;
	memcpy(p + tl + 1, v, vl);
	return tl + 1 + vl;
}

/* A DE55 with the ARQC, ATC, UN, PSN and the CDOL1 data; without the
 * amount (9F02) when short is set. */
static size_t
de55(uint8_t *b, int short_)
{
	static const uint8_t z[8], arqc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t atc[2] = { 0, 7 }, un[4] = { 9, 9, 9, 9 };
	static const uint8_t psn[1] = { 0x01 };
	size_t n = 0;

	n += tag(b + n, (const uint8_t *)"\x9f\x26", 2, arqc, 8);
	n += tag(b + n, (const uint8_t *)"\x9f\x36", 2, atc, 2);
	n += tag(b + n, (const uint8_t *)"\x9f\x37", 2, un, 4);
	n += tag(b + n, (const uint8_t *)"\x5f\x34", 2, psn, 1);
	if (!short_)
		n += tag(b + n, (const uint8_t *)"\x9f\x02", 2, z, 6);
	n += tag(b + n, (const uint8_t *)"\x9f\x03", 2, z, 6);
	n += tag(b + n, (const uint8_t *)"\x9f\x1a", 2, z, 2);
	n += tag(b + n, (const uint8_t *)"\x95", 1, z, 5);
	n += tag(b + n, (const uint8_t *)"\x5f\x2a", 2, z, 2);
	n += tag(b + n, (const uint8_t *)"\x9a", 1, z, 3);
	n += tag(b + n, (const uint8_t *)"\x9c", 1, z, 1);
	n += tag(b + n, (const uint8_t *)"\x82", 1, z, 2);
	n += tag(b + n, (const uint8_t *)"\x9f\x10", 2, (const uint8_t *)
	    "\x01\x10\xA0\x00\x03\x22\x00\x00\x00\x00", 10);
	return n;
}

START_TEST(emv)
{
	struct sidec d;
	uint8_t b[128];
	size_t n;

	memset(&d, 0, sizeof d);
	n = de55(b, 0);
	ck_assert_int_eq(si_emv(&d, b, n), VD_OK);
	ck_assert_int_eq(d.has_arqc, 1);
	ck_assert_uint_eq(d.arqc[7], 8);
	ck_assert_uint_eq(d.atc[1], 7);
	ck_assert_int_eq(memcmp(d.psn, "01", 2), 0);
	ck_assert_uint_eq(d.txlen % 8, 0);	/* padded, method 2 */
	/* the CVR, bytes 3-8 of 9F10, after the CDOL1 data; then padding */
	ck_assert_uint_eq(d.txdata[6 + 6 + 2 + 5 + 2 + 3 + 1 + 4 + 2 + 2],
	    0xA0);
	ck_assert_uint_eq(d.txlen, 40);
	ck_assert_uint_eq(d.txdata[39], 0x80);
	/* Missing CDOL1 data: malformed, never "no ARQC" (which a chip
	 * read would decline as missing, and others skip). */
	memset(&d, 0, sizeof d);
	n = de55(b, 1);
	ck_assert_int_eq(si_emv(&d, b, n), VD_MALFORMED);
	ck_assert_int_eq(d.has_arqc, 0);
	/* A DE55 that is not BER-TLV, or cut short, or a PSN too long. */
	memset(&d, 0, sizeof d);
	n = de55(b, 0);
	ck_assert_int_eq(si_emv(&d, b, n - 1), VD_MALFORMED);
	ck_assert_int_eq(si_emv(&d, (const uint8_t *)"\x9f", 1), VD_MALFORMED);
	ck_assert_int_eq(si_emv(&d, b, 0), VD_MALFORMED);
}
END_TEST

START_TEST(pinblock_and_amount)
{
	static struct iso_msg m;
	struct sidec d;
	uint64_t a;

	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)
	    "\x04\x12\x34\xff\xed\xcb\xa9\x87", 8), VD_OK);
	ck_assert_str_eq(d.pinblock, "041234FFEDCBA987");
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)"041234FFEDCBA987",
	    16), VD_OK);
	ck_assert_str_eq(d.pinblock, "041234FFEDCBA987");
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)"0412", 4),
	    VD_MALFORMED);
	ck_assert_str_eq(d.pinblock, "");
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)"041234FFEDCBA98G",
	    16), VD_MALFORMED);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 4, "000000012345");
	ck_assert_int_eq(si_amount(&m, 4, &a), 0);
	ck_assert_uint_eq(a, 12345);
	iso_set_str(&m, 6, "12a");
	ck_assert_int_eq(si_amount(&m, 6, &a), -1);
	ck_assert_int_eq(si_amount(&m, 5, &a), -1);
}
END_TEST

START_TEST(reversal_finds_original)
{
	static struct iso_msg m;
	struct sidec d;
	uint8_t want[SI_DKEY_LEN + 15];

	/* The original 0100: DE11 123456, DE7 1206103000, DE32 4321. */
	/* DE90: MTI, DE11, DE7, DE32 (11 digits), 11 digits unused. */
	static const char de90[] = "0100" "123456" "1206103000"
	    "00000004321" "00000000000";

	si_orig_key("10", "123456", "1206103000", "4321", want);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0400");
	iso_set_str(&m, 90, de90);
	si_reversal_key(&d, &m);
	ck_assert_int_eq(d.has_rkey, 1);
	ck_assert_mem_eq(d.rkey, want, SI_DKEY_LEN);
	/* The approval's own key, made from its DE11, DE7 and DE32. */
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 11, "123456");
	iso_set_str(&m, 7, "1206103000");
	iso_set_str(&m, 32, "004321");
	SI.key = statekey_new(want);
	si_auth_facts(&d, &m);
	statekey_free(SI.key);
	SI.key = NULL;
	ck_assert_int_eq(d.has_okey, 1);
	ck_assert_mem_eq(d.okey, want, SI_DKEY_LEN);
}
END_TEST

START_TEST(auth_facts)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	struct sidec d;

	SI.key = statekey_new(raw);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 35, PAN "=2812101123456789");
	iso_set_str(&m, 48, "R9203457");
	d.has_amount = 1;
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pan, PAN);
	ck_assert_str_eq(d.cvc2, "457");
	ck_assert_int_eq(d.vd[V_CVC1], VD_OK);
	ck_assert_int_eq(d.vd[V_CVC2], VD_OK);
	ck_assert_int_eq(d.vd[V_ARQC], VD_NONE);
	ck_assert_int_eq(d.vd[V_PIN], VD_NONE);
	ck_assert_int_eq(d.entry, E_MISSING);
	ck_assert_str_eq(d.pre, "");
	/* A bad track 2 is the CVC1 step's malformed data, decided there;
	 * a bad SE92 the CVC2 step's. */
	memset(&d, 0, sizeof d);
	d.has_amount = 1;
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 35, "garbage");
	iso_set_str(&m, 48, "R92034x7");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.vd[V_CVC1], VD_MALFORMED);
	ck_assert_int_eq(d.vd[V_CVC2], VD_MALFORMED);
	ck_assert_str_eq(d.pre, "");
	/* a track 2 of another card than DE2's */
	memset(&d, 0, sizeof d);
	d.has_amount = 1;
	iso_set_str(&m, 35, "5413330089020029=2812101123456789");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.vd[V_CVC1], VD_MALFORMED);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 35, "garbage");
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pre, "14");		/* no PAN at all */
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pre, "14");
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 2, PAN);
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pre, "13");		/* no amount */
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

/* DE22 positions 1-2 into what must be verified. */
START_TEST(entry_modes)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	static const struct {
		const char	*de22;
		int		 entry;
	} cases[] = {
		{ "051", E_CHIP }, { "071", E_CHIP }, { "021", E_STRIPE },
		{ "901", E_STRIPE }, { "911", E_STRIPE }, { "011", E_CNP },
		{ "812", E_CNP }, { "100", E_COF }, { "102", E_COF },
		{ "000", E_UNKNOWN }, { "061", E_UNKNOWN }, { "x51", E_UNKNOWN },
		{ "5", E_UNKNOWN }, { NULL, E_MISSING },
	};
	struct sidec d;
	size_t i;

	SI.key = statekey_new(raw);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&d, 0, sizeof d);
		iso_msg_init(&m, "0100");
		iso_set_str(&m, 2, PAN);
		if (cases[i].de22 != NULL)
			iso_set_str(&m, 22, cases[i].de22);
		si_auth_facts(&d, &m);
		ck_assert_msg(d.entry == cases[i].entry, "DE22 %s: %d, want "
		    "%d", cases[i].de22, d.entry, cases[i].entry);
	}
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

/* Cash, currencies, the billing amount, the country (DE19, DE43). */
START_TEST(money_facts)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	struct sidec d;

	SI.key = statekey_new(raw);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 3, "010000");
	iso_set_str(&m, 49, "978");
	iso_set_str(&m, 51, "826");
	iso_set_str(&m, 6, "000000000870");
	iso_set_str(&m, 19, "372");
	iso_set_str(&m, 43, "CORNER SHOP               DUBLIN     IRL");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.cash, 1);
	ck_assert_str_eq(d.cur, "978");
	ck_assert_str_eq(d.bill_cur, "826");
	ck_assert_uint_eq(d.bill_amount, 870);
	ck_assert_str_eq(d.country, "372");
	ck_assert_str_eq(d.country_a, "IRL");
	/* a purchase; a DE6 that is no amount is no billing amount; a DE43
	 * without a capital alpha-3 says no country */
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 3, "000000");
	iso_set_str(&m, 6, "00000000087x");
	iso_set_str(&m, 43, "CORNER SHOP               DUBLIN     irl");
	iso_set_str(&m, 19, "37");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.cash, 0);
	ck_assert_str_eq(d.bill_cur, "");
	ck_assert_str_eq(d.country, "");
	ck_assert_str_eq(d.country_a, "");
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

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

static const struct standin_ops ops = { send_frame };

static void
on_result(void *arg, const struct si_result *r)
{
	(void)arg;
	res = *r;
	done = 1;
}

/* The loop until flag is set: the store's threads answer through it. */
static void
run_until(int *flag)
{
	int i;

	for (i = 0; i < 10000 && !*flag; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (!*flag)
			usleep(500);
	}
	ck_assert_int_ne(*flag, 0);
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
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "test-gw");
	snprintf(c->state_dir, sizeof c->state_dir, "%s/state", dir);
	if (keyfile != NULL)
		snprintf(c->state_key, sizeof c->state_key, "%s", keyfile);
	c->mode = STANDIN_AUTO;
	c->durable = durable;
	c->max_age_s = 3600;
}

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check-standin.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	acks = nadvices = done = 0;
}

static void
teardown(void)
{
	char cmd[128];

	standin_shutdown();
	dlq_shutdown();
	event_base_free(base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(pipeline)
{
	struct standin_conf c;
	char keyfile[96], err[256], de38[7];
	FILE *f;
	int i;

	setup();
	snprintf(keyfile, sizeof keyfile, "%s/state.key", dir);
	ck_assert_ptr_nonnull(f = fopen(keyfile, "w"));
	fprintf(f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	fclose(f);
	chmod(keyfile, 0600);
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
	FILE *f;

	setup();
	snprintf(keyfile, sizeof keyfile, "%s/state.key", dir);
	ck_assert_ptr_nonnull(f = fopen(keyfile, "w"));
	fprintf(f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	fclose(f);
	chmod(keyfile, 0600);
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
	FILE *f;

	setup();
	conf(&c, NULL, 1);
	ck_assert_int_eq(standin_init(base, &c, &ops, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "StateKeyFile"));
	snprintf(keyfile, sizeof keyfile, "%s/state.key", dir);
	ck_assert_ptr_nonnull(f = fopen(keyfile, "w"));
	fprintf(f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	fclose(f);
	chmod(keyfile, 0644);			/* others may read it */
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

int
main(void)
{
	Suite *s = suite_create("standin");
	TCase *tf = tcase_create("facts"), *tp = tcase_create("pipeline");
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_add_test(tf, track2);
	tcase_add_test(tf, emv);
	tcase_add_test(tf, pinblock_and_amount);
	tcase_add_test(tf, reversal_finds_original);
	tcase_add_test(tf, auth_facts);
	tcase_add_test(tf, entry_modes);
	tcase_add_test(tf, money_facts);
	tcase_set_timeout(tp, 60);
	tcase_add_test(tp, pipeline);
	tcase_add_test(tp, verify_fails_closed);
	tcase_add_test(tp, ranges_apply);
	tcase_add_test(tp, stale_snapshot);
	tcase_add_test(tp, no_store_queue_in_memory);
	tcase_add_test(tp, fails_closed);
	suite_add_tcase(s, tf);
	suite_add_tcase(s, tp);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
