/* check_standin_hsm.c — the stand-in's verification steps (verify.c)
 * through the real hsmd, on known-answer data from
 * payment-crypto-vectors.md: for CVC1, CVC2, the ARQC (M/Chip, scheme 1)
 * and the PIN (Visa PVV), good data approves (00), wrong data declines
 * with the step's DE39, and so do missing data (where the entry mode
 * requires the step) and malformed data.  The keys are formed by hsmctl
 * and the cards pushed in a SNAPSHOT, as the core would. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "hsm/des.h"
#include "hsm/emv.h"
#include "hsm/client/hsmclient.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/si.h"

/* The harness is shared by suites that each use only some of it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tests/unit/hsmd-harness.h"
#pragma GCC diagnostic pop
#include "tests/unit/sistate.h"

/* CVV-1 and CVV-4: CVK K0, expiry 8701, CVC1 561 (101), CVC2 636 (000). */
#define PAN_CVV	"4123456789012345"
/* PVV-2: PVK K0, PVKI 1, PIN 4524: PVV 8523. */
#define PAN_PIN	"1122334455667788"
#define ACCT_PIN "233445566778"		/* 12 digits before the check */
/* M/Chip CVN 16: IMK-AC K0, PSN 00, ATC 001C, UN ABCDEF12. */
#define PAN_EMV	"1234567890123456"

static struct event_base *base;
static char dir[64];
static int done;
static struct si_result res;

/* The link's zone PIN key (the gateway's ZPKFile); the snapshot's cards
 * carry none. */
static const char *
ops_zone_zpk(const char *link, int prev)
{
	(void)link;
	return prev ? NULL : key("zpka");
}

static const struct standin_ops ops = { fix_ack_send, ops_zone_zpk };

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
card(struct tlv_w *w, const char *pan, const char *exp, const char *kv,
    const char *pinver)
{
	uint8_t rec[1024];
	struct tlv_w r;

	tlv_w_init(&r, rec, sizeof rec);
	tlv_put_str(&r, 0x2001, pan);
	tlv_put_str(&r, 0x2002, "active");
	tlv_put_str(&r, 0x2003, exp);
	tlv_put_str(&r, 0x2004, "50000");
	tlv_put_str(&r, 0x2005, "100000");
	tlv_put_str(&r, 0x2006, "1000000");
	/* the EMV vector's card is Canadian (its 5F2A is 0124) */
	tlv_put_str(&r, 0x2007, strcmp(pan, PAN_EMV) == 0 ? "124" : "826");
	ck_assert_uint_lt(strlen(kv), CARDS_KEYS_MAX);	/* as the core's */
	tlv_put_str(&r, 0x2008, kv);
	if (pinver != NULL)
		tlv_put_str(&r, 0x2009, pinver);
	ck_assert_int_eq(r.err, 0);
	tlv_put(w, TLV_SNAP_CARD, rec, r.len);
}

static void
start(void)
{
	struct standin_conf c;
	char keyfile[96], err[256], k[1300];
	uint8_t body[4096];
	struct tlv_w w;

	fix_state_dir(dir, sizeof dir, "sihsm");
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	fix_acks = done = 0;
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	fix_state_conf(&c, dir, keyfile, 1);
	snprintf(c.hsm, sizeof c.hsm, "unix:%s", vsockpath);
	ck_assert_msg(standin_init(base, &c, &ops, err, sizeof err) == 0,
	    "%s", err);
	tlv_w_init(&w, body, sizeof body);
	tlv_put_u64(&w, TLV_SNAP_VERSION, 1);
	snprintf(k, sizeof k, "CVK=%s", key("cvk"));
	card(&w, PAN_CVV, "8701", k, NULL);
	snprintf(k, sizeof k, "PVK=%s", key("pvk"));
	card(&w, PAN_PIN, "2812", k, "PVKI=1;PVV=8523");
	snprintf(k, sizeof k, "MK-AC=%s", key("mkac"));
	card(&w, PAN_EMV, "2812", k, NULL);
	ck_assert_int_eq(w.err, 0);
	standin_snapshot("core-a", 1, body, w.len);
	run_until(&fix_acks);
}

static void
stop(void)
{
	fix_state_end(base, dir);
}

/* One request's verification data; NULL or 0: absent. */
struct req {
	const char	*pan, *de22, *de35, *de48;
	const uint8_t	*de52, *de55;
	size_t		 de55len;
};

static int stan;

/* The request through standin_decide; the DE39 and why checked. */
static void
expect_de39(const struct req *q, const char *de39, const char *why)
{
	static struct iso_msg m;
	char s[7];

	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, q->pan);
	iso_set_str(&m, 4, "000000009999");
	iso_set_str(&m, 49, "826");
	iso_set_str(&m, 7, "1206103000");
	snprintf(s, sizeof s, "%06d", ++stan);
	iso_set_str(&m, 11, s);
	iso_set_str(&m, 32, "4321");
	iso_set_str(&m, 37, "000000000001");
	if (q->de22 != NULL)
		iso_set_str(&m, 22, q->de22);
	if (q->de35 != NULL)
		iso_set_str(&m, 35, q->de35);
	if (q->de48 != NULL)
		iso_set_str(&m, 48, q->de48);
	if (q->de52 != NULL)
		ck_assert_int_eq(iso_set(&m, 52, q->de52, 8), 0);
	if (q->de55 != NULL) {
		ck_assert_int_eq(iso_set(&m, 55, q->de55, q->de55len), 0);
		/* the vector's 5F2A: the cryptogram is this request's */
		iso_set_str(&m, 49, "124");
	}
	done = 0;
	ck_assert_int_eq(standin_decide(&m, "mc", iso_profile_find("iso87"),
	    "core-down", now_us(), now_us() + 5000000, on_result, NULL), 0);
	run_until(&done);
	ck_assert_msg(strcmp(res.de39, de39) == 0 && (why == NULL ||
	    (res.why != NULL && strcmp(res.why, why) == 0)),
	    "%s DE22 %s: %s why %s, want %s why %s", q->pan, q->de22,
	    res.de39, res.why ? res.why : "-", de39, why ? why : "-");
}

START_TEST(cvc1)
{
	struct req q = { PAN_CVV, "021", PAN_CVV "=8701101561000", NULL, NULL,
	    NULL, 0 };

	start();
	expect_de39(&q, "00", NULL);
	q.de35 = PAN_CVV "=8701101562000";		/* wrong */
	expect_de39(&q, "82", "cvc1");
	q.de35 = NULL;					/* missing */
	expect_de39(&q, "82", "cvc1-missing");
	q.de35 = PAN_CVV "=87011015";			/* malformed */
	expect_de39(&q, "82", "cvc1-malformed");
	q.de35 = "4123456789012346=8701101561000";	/* another card's */
	expect_de39(&q, "82", "cvc1-malformed");
	/* a magnetic stripe read with a chip-fallback code, 90x */
	q.de22 = "901";
	q.de35 = PAN_CVV "=8701101561000";
	expect_de39(&q, "00", NULL);
	stop();
}
END_TEST

START_TEST(cvc2)
{
	struct req q = { PAN_CVV, "812", NULL, "R9203636", NULL, NULL, 0 };

	start();
	expect_de39(&q, "00", NULL);
	q.de48 = "R9203637";
	expect_de39(&q, "82", "cvc2");
	q.de48 = NULL;
	expect_de39(&q, "82", "cvc2-missing");
	q.de48 = "R92036x6";
	expect_de39(&q, "82", "cvc2-malformed");
	q.de48 = "R920263";
	expect_de39(&q, "82", "cvc2-malformed");
	/* the CVC1 value (561) is not the CVC2 (service code 000) */
	q.de48 = "R9203561";
	expect_de39(&q, "82", "cvc2");
	stop();
}
END_TEST

/* DE52 for pin: ISO format 0 under the ZPK, as an acquirer sends it. */
static void
pinblock(const char *pin, uint8_t out[8])
{
	char hex[17];

	iso0(pin, ACCT_PIN, ZPKA, hex);
	ck_assert_int_eq(hex_decode_exact(hex, 16, out, 8), 0);
}

START_TEST(pin)
{
	uint8_t good[8], bad[8], junk[8];
	static const uint8_t clear_junk[8] = { 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff };
	char hex[17];
	struct req q = { PAN_PIN, "100", NULL, NULL, good, NULL, 0 };

	pinblock("4524", good);
	pinblock("1234", bad);
	enc_pinblock(ZPKA, clear_junk, hex);	/* not a format-0 block */
	ck_assert_int_eq(hex_decode_exact(hex, 16, junk, 8), 0);
	start();
	expect_de39(&q, "00", NULL);
	q.de52 = bad;
	expect_de39(&q, "55", "pin");
	q.de52 = junk;
	expect_de39(&q, "55", "pin-malformed");
	/* no entry mode requires a PIN: without DE52 nothing to verify */
	q.de52 = NULL;
	expect_de39(&q, "00", NULL);
	stop();
}
END_TEST

/* The M/Chip CVN 16 transaction data of payment-crypto-vectors.md as
 * DE55, with its ARQC: ICC MK-AC MC-1, SK-AC MC-2 and the ARQC MC-3 are
 * checked on the way, so the gateway is verifying the vector's own
 * cryptogram over the 39 bytes (CDOL1 data and the CVR from 9F10). */
static size_t
emv_de55(uint8_t *b, int flip, int drop_amount)
{
	static const uint8_t imk[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB,
	    0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10 };
	static const uint8_t r[8] = { 0x00, 0x1C, 0, 0, 0xAB, 0xCD, 0xEF,
	    0x12 };
	static const uint8_t zero[8];
	static const uint8_t tx[] = { 0, 0, 0, 0, 0x99, 0x99, 0, 0, 0, 0, 0,
	    0, 0x01, 0x24, 0x80, 0, 0, 0, 0, 0x01, 0x24, 0x20, 0x99, 0x06,
	    0x00, 0xAB, 0xCD, 0xEF, 0x12, 0x18, 0x00, 0x00, 0x1C, 0xA0, 0x00,
	    0x03, 0x22, 0x00, 0x00 };
	static const uint8_t iad[10] = { 0x01, 0x10, 0xA0, 0x00, 0x03, 0x22,
	    0x00, 0x00, 0x00, 0x00 };
	struct hsm_des mk, ik, sk;
	uint8_t y[8], icc[16], s[16], pad[40], mac[8];
	char hx[33];
	size_t n = 0;

	ck_assert_uint_eq(sizeof tx, 39);
	ck_assert_int_eq(hsm_emv_option_a_y(PAN_EMV, 16, "00", y), 0);
	ck_assert_int_eq(hsm_des_init(&mk, imk, 16), 0);
	ck_assert_int_eq(hsm_emv_icc_mk(&mk, y, icc), 0);
	hex_encode(icc, 16, hx);
	hx[32] = '\0';
	ck_assert_str_eq(hx, "154F349D8585CB7F6B0798E9839B10C1");	/* MC-1 */
	ck_assert_int_eq(hsm_des_init(&ik, icc, 16), 0);
	ck_assert_int_eq(hsm_emv_session_key(&ik, r, s), 0);
	hex_encode(s, 16, hx);
	hx[32] = '\0';
	ck_assert_str_eq(hx, "5D8F37BCD9E5DA68048CDFA2EA255D9E");	/* MC-2 */
	ck_assert_int_eq(hsm_des_init(&sk, s, 16), 0);
	memcpy(pad, tx, 39);
	pad[39] = 0x80;
	ck_assert_int_eq(hsm_des_mac(&sk, HSM_MAC_ALG3, HSM_PAD_NONE, zero,
	    pad, 40, 1, mac), 0);
	hex_encode(mac, 8, hx);
	hx[16] = '\0';
	ck_assert_str_eq(hx, "24CCF3DEE3158C70");			/* MC-3 */
	hsm_des_free(&mk);
	hsm_des_free(&ik);
	hsm_des_free(&sk);
	mac[7] ^= (uint8_t)flip;
#define T(t, v, l) do { memcpy(b + n, t, sizeof t - 1); n += sizeof t - 1; \
	b[n++] = (uint8_t)(l); memcpy(b + n, v, l); n += (l); } while (0)
	T("\x9f\x26", mac, 8);
	T("\x9f\x36", tx + 31, 2);
	T("\x9f\x37", tx + 25, 4);
	T("\x5f\x34", "\x00", 1);
	if (!drop_amount)
		T("\x9f\x02", tx, 6);
	T("\x9f\x03", tx + 6, 6);
	T("\x9f\x1a", tx + 12, 2);
	T("\x95", tx + 14, 5);
	T("\x5f\x2a", tx + 19, 2);
	T("\x9a", tx + 21, 3);
	T("\x9c", tx + 24, 1);
	T("\x82", tx + 29, 2);
	T("\x9f\x10", iad, sizeof iad);
#undef T
	return n;
}

START_TEST(arqc)
{
	uint8_t good[128], bad[128], cut[128];
	struct req q = { PAN_EMV, "051", NULL, NULL, NULL, good, 0 };
	size_t ng = emv_de55(good, 0, 0), nb = emv_de55(bad, 1, 0),
	    nc = emv_de55(cut, 0, 1);

	start();
	q.de55len = ng;
	expect_de39(&q, "00", NULL);
	ck_assert_int_eq(res.has_arpc, 1);		/* for the answer */
	q.de55 = bad;
	q.de55len = nb;
	expect_de39(&q, "88", "arqc");
	ck_assert_int_eq(res.has_arpc, 0);
	q.de55 = NULL;
	expect_de39(&q, "88", "arqc-missing");
	q.de55 = cut;					/* no 9F02 */
	q.de55len = nc;
	expect_de39(&q, "88", "arqc-malformed");
	q.de55 = good;					/* cut short */
	q.de55len = ng - 1;
	expect_de39(&q, "88", "arqc-malformed");
	/* a stripe read without track 2 declines on CVC1, before DE55 */
	q.de22 = "021";
	q.de55 = bad;
	q.de55len = nb;
	expect_de39(&q, "82", "cvc1-missing");
	stop();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("standin_hsm");
	TCase *tc = tcase_create("verify");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cvc1);
	tcase_add_test(tc, cvc2);
	tcase_add_test(tc, pin);
	tcase_add_test(tc, arqc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return hsmd_suite_main("check_standin_hsm", suite);
}
