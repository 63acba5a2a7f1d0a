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
	static const struct {
		const char *pan, *exp, *svc, *cvv;
	} v[] = {
		{ "4123456789012345", "8701", "101", "561" },	/* CVV-1 */
		{ "4999988887777", "9105", "111", "649" },	/* CVV-2 */
		{ "1234567890123456", "9912", "220", "170" },	/* CVV-3 */
		{ "4123456789012345", "8701", "000", "636" },	/* CVV-4 */
	};
	char want[8];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		expect(callf("CY%s%s%s;%s%s", key("cvk"), v[i].cvv, v[i].pan,
		    v[i].exp, v[i].svc), "00");
		snprintf(want, sizeof want, "00%s", v[i].cvv);
		expect(callf("CW%s%s;%s%s", key("cvk"), v[i].pan, v[i].exp,
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

START_TEST(t_pvv)
{
	char pb[17], bad[17];
	/* PVV-1, PVV-2: PAN 1122334455667788 -> account 233445566778. */
	const char *acct = "233445566778";

	iso0("4524", acct, ZPKA, pb);
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvk"), pb, acct),
	    "00");
	expect(callf("EC%s%s%s01%s18523", key("zpka"), key("pvk"), pb, acct),
	    "00");
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvkvisa"), pb,
	    acct), "00");
	/* Wrong PVV, wrong PIN, wrong PVKI. */
	expect(callf("EC%s%s%s01%s34022", key("zpka"), key("pvk"), pb, acct),
	    "01");
	expect(callf("EC%s%s%s01%s14021", key("zpka"), key("pvk"), pb, acct),
	    "01");
	iso0("4525", acct, ZPKA, bad);
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvk"), bad, acct),
	    "01");
	/* A PIN block under another ZPK decodes to garbage: 20 (or 01). */
	iso0("4524", acct, ZPKB, bad);
	ck_assert(strcmp(callf("EC%s%s%s01%s34021", key("zpka"), key("pvk"),
	    bad, acct), "00") != 0);
	/* Key usage: IBM-only PVK, CVK as PVK, PVK as ZPK. */
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvkibm"), pb,
	    acct), "A6");
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("cvk"), pb, acct),
	    "A6");
	expect(callf("EC%s%s%s01%s34021", key("pvk"), key("pvk"), pb, acct),
	    "A6");
	/* Parity: first key 10, second key 11. */
	expect(callf("EC%s%s%s01%s34021", key("badzpk"), key("pvk"), pb,
	    acct), "10");
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("badpvk"), pb,
	    acct), "11");
	/* Bad format code, truncated, oversized. */
	expect(callf("EC%s%s%s02%s34021", key("zpka"), key("pvk"), pb, acct),
	    "23");
	expect(callf("EC%s%s%s01%s3402", key("zpka"), key("pvk"), pb, acct),
	    "15");
	expect(callf("EC%s%s%s01%s340211", key("zpka"), key("pvk"), pb, acct),
	    "15");
}
END_TEST

START_TEST(t_ibm)
{
	char pb[17];
	/* Validation block 1122334455667788 = "11223344556N" + the last five
	 * account digits 67788. */
	const char *acct = "123456767788";

	iso0("4524", acct, ZPKA, pb);				/* IBM-1 */
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "00");
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvkibm"), pb, acct), "00");
	iso0("1234", acct, ZPKA, pb);				/* IBM-2 */
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "7710FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "00");
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "7711FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "01");
	iso0("3413", acct, ZPKA, pb);				/* IBM-3 */
	expect(callf("EA%s%s12%s0104%s012345678901234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "00");
	/* Wrong PIN, Visa-only PVK, bad decimalisation table. */
	iso0("3414", acct, ZPKA, pb);
	expect(callf("EA%s%s12%s0104%s012345678901234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "01");
	expect(callf("EA%s%s12%s0104%s012345678901234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvkvisa"), pb, acct), "A6");
	expect(callf("EA%s%s12%s0104%s0123456789A1234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "25");
	expect(callf("EA%s%s12%s0104%s0123456789012345112233445566"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "15");
}
END_TEST

START_TEST(t_translate)
{
	static const struct {
		const char *pin, *acct, *clear;
	} v[] = {
		{ "1234", "401234567890", "041274EDCBA9876F" },	/* ISO0-1 */
		{ "1234", "433221100996", "041277CDDEEFF669" },	/* ISO0-2 */
		{ "1234", "111111111111", "041225EEEEEEEEEE" },	/* ISO0-3 */
	};
	char src[17], out[17], want[40];
	const char *r;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		iso0(v[i].pin, v[i].acct, ZPKA, src);
		r = callf("CC%s%s12%s0101%s", key("zpka"), key("zpkb"), src,
		    v[i].acct);
		ck_assert_int_eq(memcmp(r, "0004", 4), 0);
		ck_assert_str_eq(r + 20, "01");
		memcpy(want, r + 4, 16);
		want[16] = '\0';
		dec_pinblock(ZPKB, want, out);
		ck_assert_str_eq(out, v[i].clear);
	}
	/* ISO1-1: format 1 (payShield 05) in, format 0 out: PIN 12345. */
	clearhex("1512345EDCBA9876", ZPKA, src);
	r = callf("CC%s%s12%s0501%s", key("zpka"), key("zpkb"), src,
	    "401234567890");
	ck_assert_int_eq(memcmp(r, "0005", 4), 0);
	memcpy(want, r + 4, 16);
	want[16] = '\0';
	dec_pinblock(ZPKB, want, out);
	{
		uint8_t b[8];
		char exp[17];

		hsm_pinblock_encode(0, "12345", 5, "401234567890", b);
		hex_encode(b, 8, exp);
		exp[16] = '\0';
		ck_assert_str_eq(out, exp);
	}
	/* ISO3-1: format 3 (47) in, format 0 out = ISO0-2's block. */
	clearhex("341277EEEFCCB43C", ZPKA, src);
	r = callf("CC%s%s12%s4701%s", key("zpka"), key("zpkb"), src,
	    "433221100996");
	ck_assert_int_eq(memcmp(r, "0004", 4), 0);
	memcpy(want, r + 4, 16);
	want[16] = '\0';
	dec_pinblock(ZPKB, want, out);
	ck_assert_str_eq(out, "041277CDDEEFF669");
	/* CA: TPK -> ZPK. */
	iso0("1234", "401234567890", TPKC, src);
	r = callf("CA%s%s12%s0101%s", key("tpk"), key("zpkb"), src,
	    "401234567890");
	ck_assert_int_eq(memcmp(r, "0004", 4), 0);
	memcpy(want, r + 4, 16);
	want[16] = '\0';
	dec_pinblock(ZPKB, want, out);
	ck_assert_str_eq(out, "041274EDCBA9876F");
	/* Negative: garbage block, unknown format, PIN longer than max,
	 * CVK as ZPK, parity of destination. */
	clearhex("0412FFFFFFFFFFFF", ZPKA, src);
	expect(callf("CC%s%s12%s0101%s", key("zpka"), key("zpkb"), src,
	    "401234567890"), "20");
	iso0("1234", "401234567890", ZPKA, src);
	expect(callf("CC%s%s12%s0102%s", key("zpka"), key("zpkb"), src,
	    "401234567890"), "23");
	iso0("123456", "401234567890", ZPKA, src);
	expect(callf("CC%s%s04%s0101%s", key("zpka"), key("zpkb"), src,
	    "401234567890"), "24");
	expect(callf("CC%s%s12%s0101%s", key("cvk"), key("zpkb"), src,
	    "401234567890"), "A6");
	expect(callf("CC%s%s12%s0101%s", key("zpka"), key("badzpk"), src,
	    "401234567890"), "11");
}
END_TEST

/* KQ request bytes: mode, scheme, MK-AC, then binary fields. */
static size_t
kq(uint8_t *buf, char mode, char scheme, const char *mk, const char *panpsn,
    const char *atc, const char *un, const uint8_t *data, size_t dlen,
    const char *arqc, const char *arc)
{
	size_t n = 0;
	char h[3];

	memcpy(buf, "KQ", 2);
	n = 2;
	buf[n++] = (uint8_t)mode;
	buf[n++] = (uint8_t)scheme;
	memcpy(buf + n, mk, strlen(mk));
	n += strlen(mk);
	hex_decode_exact(panpsn, 16, buf + n, 8);
	n += 8;
	hex_decode_exact(atc, 4, buf + n, 2);
	n += 2;
	hex_decode_exact(un, 8, buf + n, 4);
	n += 4;
	if (mode != '2') {
		snprintf(h, sizeof h, "%02zX", dlen);
		memcpy(buf + n, h, 2);
		n += 2;
		memcpy(buf + n, data, dlen);
		n += dlen;
		buf[n++] = ';';
	}
	hex_decode_exact(arqc, 16, buf + n, 8);
	n += 8;
	if (arc != NULL) {
		hex_decode_exact(arc, 4, buf + n, 2);
		n += 2;
	}
	return n;
}

static void
kq_expect(const uint8_t *req, size_t n, const char *err, const char *arpc)
{
	const char *r;
	size_t rl;
	char hex[17];

	r = call_b(req, n, &rl);
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
	uint8_t req[600], data[64];
	size_t n, dl;

	/* MC-1..MC-4: M/Chip CVN 16, scheme 1, host-padded data (39+1). */
	dl = 40;
	hex_decode_exact("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA0000322000080", 80, data, 40);
	n = kq(req, '1', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", "0010");
	kq_expect(req, n, "00", "73F6BBF389A6586C");
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "00", NULL);
	/* Tampered ARQC, ATC, UN, data: 01. */
	n = kq(req, '1', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C71", "0010");
	kq_expect(req, n, "01", NULL);
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001D",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "01", NULL);
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF13", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "01", NULL);
	data[3] ^= 1;
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "01", NULL);
	data[3] ^= 1;
	/* Unpadded (39 bytes): the host must pad. Zero length: 81. */
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, 39, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "80", NULL);
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, 0, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "81", NULL);
	/* Wrong key usage, mode, scheme; truncated. */
	n = kq(req, '0', '1', key("cvk"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "A6", NULL);
	n = kq(req, '5', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "04", NULL);
	n = kq(req, '0', '7', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "05", NULL);
	n = kq(req, '1', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", "0010");
	kq_expect(req, n - 1, "15", NULL);

	/* EMV-1 + EMV-4: scheme 0, mode 2 (ARPC only) with the ICC MK of
	 * PAN 9901234567890123 PSN 45 (Y = 0123456789012345). */
	n = kq(req, '2', '0', key("mkac"), "0123456789012345", "0000",
	    "00000000", NULL, 0, "4B46013359B7A58B", "0000");
	kq_expect(req, n, "00", "F8C9CECAABD55AD1");

	/* V18-1 through hsmd's scheme 2 (EMV CSK, R = ATC || 0): Visa CVN 18
	 * data (40 bytes) padded by method 2 to 48. */
	memset(data, 0, sizeof data);
	hex_decode_exact("000000004000000000000000012480000480000124191105"
	    "0152BF45851800001C06011203A0B800", 80, data, 40);
	data[40] = 0x80;
	n = kq(req, '0', '2', key("mkac"), "3456789012345600", "001C",
	    "00000000", data, 48, "7A788EA6B8A3E733", NULL);
	kq_expect(req, n, "00", NULL);
}
END_TEST

START_TEST(t_kq_binary_delimiters)
{
	/* Transaction data and ARQC full of ';', '%' and 0x19: parsed by
	 * length, so it verifies. ARQC computed here with scheme 1. */
	static const uint8_t zero[8];
	struct hsm_des imk, icc, sk;
	uint8_t k[16], y[8], mk[16], s[16], r[8], data[32], mac[8], req[600];
	char arqc[17];
	size_t i, n;

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
	n = kq(req, '0', '1', key("mkac"), "3B19253B19253B19", "3B19",
	    "25193B25", data, sizeof data, arqc, NULL);
	kq_expect(req, n, "00", NULL);
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
