/*
 * check_hsmd_vectors.c — every public crypto vector that fits a command,
 * sent to the real hsmd as raw payShield frames, with its negative cases:
 * CVV, PVV, IBM 3624, PIN translation, KQ (EMV) and M6/M8 (MAC).
 * The set-up (LMK, keys formed by hsmctl, hsmd on a unix socket) is in
 * hsmd-harness.h.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "base/hex.h"
#include "hsm/des.h"
#include "hsm/emv.h"
#include "hsm/pin.h"
#include "tests/unit/hsmd-harness.h"
#include "tests/unit/hsm-vectors.h"

static void
clearhex(const char *hex, const char *keyhex, char out[17])
{
	uint8_t b[8];

	ck_assert_int_eq(hex_decode_exact(hex, 16, b, 8), 0);
	enc_pinblock(keyhex, b, out);
}

/* --- vectors through the socket ------------------------------------------- */

START_TEST(t_cvv)
{
	const struct cvv_vector *v = cvv_vectors;
	char want[8];
	size_t i;

	for (i = 0; i < CVV_VECTORS; i++) {
		expect(callf("CY%s%s%s;%s%s", key("cvk"), v[i].cvv, v[i].pan,
		    v[i].exp, v[i].svc), "00");
		snprintf(want, sizeof want, "00%s", v[i].cvv);
		expect(callf("CW%s%s;%s%s", key("cvkc"), v[i].pan, v[i].exp,
		    v[i].svc), want);
	}
	/* Negative: wrong CVV, wrong expiry, wrong key usage, parity, MAC. */
	expect(callf("CY%s562%s;%s%s", key("cvk"), v[0].pan, v[0].exp,
	    v[0].svc), "01");
	expect(callf("CY%s561%s;8702%s", key("cvk"), v[0].pan, v[0].svc),
	    "01");
	expect(callf("CY%s561%s;8701101", key("pvk"), v[0].pan), "A6");
	expect(callf("CY%s561%s;8701101", key("tak"), v[0].pan), "A6");
	expect(callf("CY%s561%s;8701101", key("badcvk"), v[0].pan), "10");
	/* Trailer echoed; LMK id 00 accepted, others refused. */
	{
		const char *r = callf("CY%s561%s;8701101%%00\x19TRL",
		    key("cvk"), v[0].pan);
		ck_assert_str_eq(r, "00\x19TRL");
	}
	expect(callf("CY%s561%s;8701101%%01", key("cvk"), v[0].pan), "13");
}
END_TEST

/* EC: PIN block pb under zpk, verified with pvk; zpk and pvk name keys. */
static const char *
ec(const char *zpk, const char *pvk, const char *pb, const char *fmt,
    const char *acct, const char *pvkipvv)
{
	return callf("EC%s%s%s%s%s%s", key(zpk), key(pvk), pb, fmt, acct,
	    pvkipvv);
}

START_TEST(t_pvv)
{
	char pb[17], bad[17];
	/* PVV-1, PVV-2: PAN 1122334455667788 -> account 233445566778. */
	const char *acct = "233445566778";

	iso0("4524", acct, ZPKA, pb);
	expect(ec("zpka", "pvk", pb, "01", acct, "34021"), "00");
	expect(ec("zpka", "pvk", pb, "01", acct, "18523"), "00");
	expect(ec("zpka", "pvkvisa", pb, "01", acct, "34021"), "00");
	/* Wrong PVV, wrong PIN, wrong PVKI. */
	expect(ec("zpka", "pvk", pb, "01", acct, "34022"), "01");
	expect(ec("zpka", "pvk", pb, "01", acct, "14021"), "01");
	iso0("4525", acct, ZPKA, bad);
	expect(ec("zpka", "pvk", bad, "01", acct, "34021"), "01");
	/* A PIN block under another ZPK decodes to garbage: 20 (or 01). */
	iso0("4524", acct, ZPKB, bad);
	ck_assert(strcmp(ec("zpka", "pvk", bad, "01", acct, "34021"),
	    "00") != 0);
	/* Key usage: IBM-only PVK, CVK as PVK, PVK as ZPK. */
	expect(ec("zpka", "pvkibm", pb, "01", acct, "34021"), "A6");
	expect(ec("zpka", "cvk", pb, "01", acct, "34021"), "A6");
	expect(ec("pvk", "pvk", pb, "01", acct, "34021"), "A6");
	/* Parity: first key 10, second key 11. */
	expect(ec("badzpk", "pvk", pb, "01", acct, "34021"), "10");
	expect(ec("zpka", "badpvk", pb, "01", acct, "34021"), "11");
	/* Bad format code, truncated, oversized. */
	expect(ec("zpka", "pvk", pb, "02", acct, "34021"), "23");
	expect(ec("zpka", "pvk", pb, "01", acct, "3402"), "15");
	expect(ec("zpka", "pvk", pb, "01", acct, "340211"), "15");
}
END_TEST

/* EA: PIN block pb under ZPK A, max 12, format 01, check length 04. */
static const char *
ea(const char *pvk, const char *pb, const char *acct, const char *dectab,
    const char *val, const char *off)
{
	return callf("EA%s%s12%s0104%s%s%s%s", key("zpka"), key(pvk), pb, acct,
	    dectab, val, off);
}

/*
 * hsmd serves only decimalisation tables whose entries 0-9 are the digits
 * 0-9 in order (t_ibm_dectab), so the public IBM-1 and IBM-2 vectors
 * (table 1234567890123456) are checked at the library level
 * (check_hsm_crypto) and here in their identity-table form: the table
 * 0123456789012345 gives natural PIN 3413 (IBM-3), so PIN 1234 has
 * offset 8821 where IBM-2's table gave 7710.
 */
START_TEST(t_ibm)
{
	const char *dt2 = "0123456789012345";
	const char *val = "11223344556N";
	char pb[17];
	/* Validation block 1122334455667788 = "11223344556N" + the last five
	 * account digits 67788. */
	const char *acct = "123456767788";

	iso0("3413", acct, ZPKA, pb);				/* IBM-3 */
	expect(ea("pvk", pb, acct, dt2, val, "0000FFFFFFFF"), "00");
	expect(ea("pvkibm", pb, acct, dt2, val, "0000FFFFFFFF"), "00");
	iso0("1234", acct, ZPKA, pb);			/* IBM-2, derived */
	expect(ea("pvk", pb, acct, dt2, val, "8821FFFFFFFF"), "00");
	expect(ea("pvk", pb, acct, dt2, val, "8822FFFFFFFF"), "01");
	/* Wrong PIN, Visa-only PVK, bad decimalisation table. */
	iso0("3414", acct, ZPKA, pb);
	expect(ea("pvk", pb, acct, dt2, val, "0000FFFFFFFF"), "01");
	expect(ea("pvkvisa", pb, acct, dt2, val, "0000FFFFFFFF"), "A6");
	expect(ea("pvk", pb, acct, "0123456789A12345", val, "0000FFFFFFFF"),
	    "25");
	expect(ea("pvk", pb, acct, dt2, "112233445566", "0000FFFFFFFF"),
	    "15");
}
END_TEST

/*
 * EA's table comes from the caller. One whose 0-9 are not 0-9 makes the
 * natural PIN what the caller chooses (all zeros: 0000), and the offset
 * then a guess at the PIN: 00 or 01 for each of 10^4 guesses recovers
 * the PIN of any PIN block. Such tables are refused with 25
 * (decimalisation table error); A-F may map to any digit.
 */
START_TEST(t_ibm_dectab)
{
	const char *val = "11223344556N", *acct = "123456767788";
	char pb[17];

	iso0("4524", acct, ZPKA, pb);
	/* The oracle: with all zeros the offset that verifies is the PIN. */
	expect(ea("pvk", pb, acct, "0000000000000000", val, "4524FFFFFFFF"),
	    "25");
	expect(ea("pvk", pb, acct, "0000000000000000", val, "4525FFFFFFFF"),
	    "25");
	/* A permutation of 0-9 (IBM-1's own table), one digit changed. */
	expect(ea("pvk", pb, acct, "1234567890123456", val, "0000FFFFFFFF"),
	    "25");
	expect(ea("pvk", pb, acct, "0123456788012345", val, "0000FFFFFFFF"),
	    "25");
	/* 0-9 in order, A-F to any digit: served. IBM-3's natural PIN 3413
	 * comes from the nibbles 3 E B 3, so with A-F all 9 it is 3993 and
	 * PIN 3413 has offset 0520; all 0, 3003 and 0410. */
	iso0("3413", acct, ZPKA, pb);
	expect(ea("pvk", pb, acct, "0123456789999999", val, "0520FFFFFFFF"),
	    "00");
	expect(ea("pvk", pb, acct, "0123456789000000", val, "0410FFFFFFFF"),
	    "00");
	expect(ea("pvk", pb, acct, "0123456789000000", val, "0000FFFFFFFF"),
	    "01");
}
END_TEST

/* CA or CC: pb from key src to key dst; fmts is source + destination. */
static const char *
translate(const char *cmd, const char *src, const char *dst,
    const char *maxlen, const char *pb, const char *fmts, const char *acct)
{
	return callf("%s%s%s%s%s%s%s", cmd, key(src), key(dst), maxlen, pb,
	    fmts, acct);
}

/* The clear block of the PIN block a CA/CC reply r holds under ZPK B. */
static void
reply_clear_block(const char *r, char out[17])
{
	char blk[17];

	memcpy(blk, r + 4, 16);
	blk[16] = '\0';
	dec_pinblock(ZPKB, blk, out);
}

START_TEST(t_translate)
{
	static const struct {
		const char *pin, *acct, *clear;
	} v[] = {
		{ "1234", "401234567890", "041274EDCBA9876F" },	/* ISO0-1 */
		{ "1234", "433221100996", "041277CDDEEFF669" },	/* ISO0-2 */
		{ "1234", "111111111111", "041225EEEEEEEEEE" },	/* ISO0-3 */
	};
	const char *acct = "401234567890";
	char src[17], out[17];
	const char *r;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		iso0(v[i].pin, v[i].acct, ZPKA, src);
		r = translate("CC", "zpka", "zpkb", "12", src, "0101",
		    v[i].acct);
		ck_assert_int_eq(memcmp(r, "0004", 4), 0);
		ck_assert_str_eq(r + 20, "01");
		reply_clear_block(r, out);
		ck_assert_str_eq(out, v[i].clear);
	}
	/* ISO1-1: format 1 (payShield 05) in, format 0 out: PIN 12345. */
	clearhex("1512345EDCBA9876", ZPKA, src);
	r = translate("CC", "zpka", "zpkb", "12", src, "0501", acct);
	ck_assert_int_eq(memcmp(r, "0005", 4), 0);
	reply_clear_block(r, out);
	{
		uint8_t b[8];
		char exp[17];

		hsm_pinblock_encode(0, "12345", 5, acct, b);
		hex_encode(b, 8, exp);
		exp[16] = '\0';
		ck_assert_str_eq(out, exp);
	}
	/* ISO3-1: format 3 (47) in, format 0 out = ISO0-2's block. */
	clearhex("341277EEEFCCB43C", ZPKA, src);
	r = translate("CC", "zpka", "zpkb", "12", src, "4701",
	    "433221100996");
	ck_assert_int_eq(memcmp(r, "0004", 4), 0);
	reply_clear_block(r, out);
	ck_assert_str_eq(out, "041277CDDEEFF669");
	/* CA: TPK -> ZPK. */
	iso0("1234", acct, TPKC, src);
	r = translate("CA", "tpk", "zpkb", "12", src, "0101", acct);
	ck_assert_int_eq(memcmp(r, "0004", 4), 0);
	reply_clear_block(r, out);
	ck_assert_str_eq(out, "041274EDCBA9876F");
	/* Negative: garbage block, unknown format, PIN longer than max,
	 * CVK as ZPK, parity of destination. */
	clearhex("0412FFFFFFFFFFFF", ZPKA, src);
	expect(translate("CC", "zpka", "zpkb", "12", src, "0101", acct), "20");
	iso0("1234", acct, ZPKA, src);
	expect(translate("CC", "zpka", "zpkb", "12", src, "0102", acct), "23");
	iso0("123456", acct, ZPKA, src);
	expect(translate("CC", "zpka", "zpkb", "04", src, "0101", acct), "24");
	expect(translate("CC", "cvk", "zpkb", "12", src, "0101", acct), "A6");
	expect(translate("CC", "zpka", "badzpk", "12", src, "0101", acct),
	    "11");
}
END_TEST

/* A KQ request: mode, scheme, MK-AC, then binary fields. */
struct kq_req {
	char		 mode, scheme;
	const char	*mk, *panpsn, *atc, *un;
	const uint8_t	*data;
	size_t		 dlen;
	const char	*arqc, *arc;	/* arc NULL: none */
};

static size_t
kq(uint8_t *buf, const struct kq_req *q)
{
	size_t n = 0;
	char h[3];

	memcpy(buf, "KQ", 2);
	n = 2;
	buf[n++] = (uint8_t)q->mode;
	buf[n++] = (uint8_t)q->scheme;
	memcpy(buf + n, q->mk, strlen(q->mk));
	n += strlen(q->mk);
	hex_decode_exact(q->panpsn, 16, buf + n, 8);
	n += 8;
	hex_decode_exact(q->atc, 4, buf + n, 2);
	n += 2;
	hex_decode_exact(q->un, 8, buf + n, 4);
	n += 4;
	if (q->mode != '2') {
		snprintf(h, sizeof h, "%02zX", q->dlen);
		memcpy(buf + n, h, 2);
		n += 2;
		memcpy(buf + n, q->data, q->dlen);
		n += q->dlen;
		buf[n++] = ';';
	}
	hex_decode_exact(q->arqc, 16, buf + n, 8);
	n += 8;
	if (q->arc != NULL) {
		hex_decode_exact(q->arc, 4, buf + n, 2);
		n += 2;
	}
	return n;
}

/* Send q less its last cut bytes; expect err and, unless NULL, arpc. */
static void
kq_expect(const struct kq_req *q, size_t cut, const char *err,
    const char *arpc)
{
	uint8_t req[600];
	const char *r;
	size_t rl;
	char hex[17];

	r = call_b(req, kq(req, q) - cut, &rl);
	ck_assert_msg(memcmp(r, err, 2) == 0, "KQ err %.2s want %s", r, err);
	if (arpc != NULL) {
		ck_assert_uint_eq(rl, 10);
		hex_encode((const uint8_t *)r + 2, 8, hex);
		hex[16] = '\0';
		ck_assert_str_eq(hex, arpc);
	} else
		ck_assert_uint_eq(rl, 2);
}

START_TEST(t_kq)
{
	uint8_t data[64];
	/* MC-1..MC-4: M/Chip CVN 16, scheme 1, host-padded data (39+1). */
	const struct kq_req mc = { '1', '1', key("mkac"), "3456789012345600",
	    "001C", "ABCDEF12", data, 40, "24CCF3DEE3158C70", "0010" };
	struct kq_req q, mc0 = mc;

	mc0.mode = '0';
	mc0.arc = NULL;
	hex_decode_exact("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA0000322000080", 80, data, 40);
	kq_expect(&mc, 0, "00", "73F6BBF389A6586C");
	kq_expect(&mc0, 0, "00", NULL);
	/* Tampered ARQC, ATC, UN, data: 01. */
	q = mc;
	q.arqc = "24CCF3DEE3158C71";
	kq_expect(&q, 0, "01", NULL);
	q = mc0;
	q.atc = "001D";
	kq_expect(&q, 0, "01", NULL);
	q = mc0;
	q.un = "ABCDEF13";
	kq_expect(&q, 0, "01", NULL);
	data[3] ^= 1;
	kq_expect(&mc0, 0, "01", NULL);
	data[3] ^= 1;
	/* Unpadded (39 bytes): the host must pad. Zero length: 81. */
	q = mc0;
	q.dlen = 39;
	kq_expect(&q, 0, "80", NULL);
	q.dlen = 0;
	kq_expect(&q, 0, "81", NULL);
	/* Wrong key usage, mode, scheme; truncated. */
	q = mc0;
	q.mk = key("cvk");
	kq_expect(&q, 0, "A6", NULL);
	q = mc0;
	q.mode = '5';
	kq_expect(&q, 0, "04", NULL);
	q = mc0;
	q.scheme = '7';
	kq_expect(&q, 0, "05", NULL);
	kq_expect(&mc, 1, "15", NULL);

	/* EMV-1 + EMV-4: scheme 0, mode 2 (ARPC only) with the ICC MK of
	 * PAN 9901234567890123 PSN 45 (Y = 0123456789012345). */
	q = (struct kq_req){ '2', '0', key("mkac"), "0123456789012345",
	    "0000", "00000000", NULL, 0, "4B46013359B7A58B", "0000" };
	kq_expect(&q, 0, "00", "F8C9CECAABD55AD1");

	/* V18-1 through hsmd's scheme 2 (EMV CSK, R = ATC || 0): Visa CVN 18
	 * data (40 bytes) padded by method 2 to 48. */
	memset(data, 0, sizeof data);
	hex_decode_exact("000000004000000000000000012480000480000124191105"
	    "0152BF45851800001C06011203A0B800", 80, data, 40);
	data[40] = 0x80;
	q = mc0;
	q.scheme = '2';
	q.un = "00000000";
	q.dlen = 48;
	q.arqc = "7A788EA6B8A3E733";
	kq_expect(&q, 0, "00", NULL);
}
END_TEST

START_TEST(t_kq_binary_delimiters)
{
	/* Transaction data and ARQC full of ';', '%' and 0x19: parsed by
	 * length, so it verifies. ARQC computed here with scheme 1. */
	static const uint8_t zero[8];
	struct hsm_des imk, icc, sk;
	uint8_t k[16], y[8], mk[16], s[16], r[8], data[32], mac[8];
	struct kq_req q;
	char arqc[17];
	size_t i;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)";%\x19"[i % 3];
	hex_decode_exact(K0, 32, k, 16);
	hsm_des_init(&imk, k, 16);
	hex_decode_exact("3B19253B19253B19", 16, y, 8);
	hsm_emv_icc_mk(&imk, y, mk);
	hsm_des_init(&icc, mk, 16);
	hex_decode_exact("3B19000025193B25", 16, r, 8);
	memset(r + 2, 0, 2);
	hsm_emv_session_key(&icc, r, s);
	hsm_des_init(&sk, s, 16);
	hsm_des_mac(&sk, 3, 0, zero, data, sizeof data, 1, mac);
	hex_encode(mac, 8, arqc);
	arqc[16] = '\0';
	q = (struct kq_req){ '0', '1', key("mkac"), "3B19253B19253B19",
	    "3B19", "25193B25", data, sizeof data, arqc, NULL };
	kq_expect(&q, 0, "00", NULL);
	hsm_des_free(&imk);
	hsm_des_free(&icc);
	hsm_des_free(&sk);
}
END_TEST

START_TEST(t_mac)
{
	const char *r;

	/* MAC-1 (4- and 8-byte), MAC-2, text input. */
	expect(callf("M60203%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "00A1C72E74");
	expect(callf("M60213%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "00A1C72E74EA3FA9B6");
	expect(callf("M60203%s%s0016Now is the time for it", "1FFF",
	    key("zak")), "002E2B1428");
	/* MAC-3: single DES, algorithm 1. */
	expect(callf("M60211%s%s0018Now is the time for all ", "1FFF",
	    key("tak1s")), "0070A30640CC76DD8B");
	/* MAC-4, MAC-6: hex input. */
	expect(callf("M60111%s%s00101234567890ABCDEF", "2FFF", key("tak1")),
	    "00925B1737EF681AD3");
	expect(callf("M60113%s%s00101234567890ABCDEF", "2FFF", key("tak")),
	    "00912476C111DB4238");
	/* Multi-part: first 16 bytes (mode 1), then the last (mode 3). */
	r = callf("M61203%s%s0010Now is the time ", "0FFF", key("tak"));
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	ck_assert_uint_eq(strlen(r), 18);
	expect(callf("M63213%s%s%.16s0008for all ", "1FFF", key("tak"), r + 2),
	    "00A1C72E74EA3FA9B6");
	/* M8 verify, good and bad; wrong usage for the algorithm. */
	expect(callf("M80203%s%s0018Now is the time for all A1C72E74", "1FFF",
	    key("tak")), "00");
	expect(callf("M80203%s%s0018Now is the time for all A1C72E75", "1FFF",
	    key("tak")), "01");
	expect(callf("M80213%s%s0018Now is the time for all "
	    "A1C72E74EA3FA9B6", "1FFF", key("tak")), "00");
	expect(callf("M60201%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "A6");
	expect(callf("M60203%s%s0018Now is the time for all ", "1FFF",
	    key("cvk")), "A6");
	/* Field errors: mode, input format, algorithm, padding, length. */
	expect(callf("M69203%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "02");
	expect(callf("M60903%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "03");
	expect(callf("M60205%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "04");
	expect(callf("M60203%s%s0018Now is the time for all ", "7FFF",
	    key("tak")), "09");
	expect(callf("M60203%s%s0016Now is the time for all ", "0FFF",
	    key("tak")), "15");		/* more data than announced */
	expect(callf("M60203%s%s0010Now is the time", "0FFF",
	    key("tak")), "06");		/* padding 0: not whole blocks */
	expect(callf("M60203%s%s0030Now is the time for all ", "1FFF",
	    key("tak")), "06");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hsmd-vectors");
	TCase *v = tcase_create("vectors");

	tcase_set_timeout(v, 60);
	tcase_add_test(v, t_cvv);
	tcase_add_test(v, t_pvv);
	tcase_add_test(v, t_ibm);
	tcase_add_test(v, t_ibm_dectab);
	tcase_add_test(v, t_translate);
	tcase_add_test(v, t_kq);
	tcase_add_test(v, t_kq_binary_delimiters);
	tcase_add_test(v, t_mac);
	suite_add_tcase(s, v);
	return s;
}

int
main(void)
{
	return hsmd_suite_main("check_hsmd_vectors", suite);
}
