/* check_tlv.c — message TLV writer/reader. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "tests/unit/checkrun.h"

START_TEST(test_write_read)
{
	uint8_t b[64];
	struct tlv_w w;
	struct tlv_r r;
	uint16_t t, l;
	const uint8_t *v;
	char s[16];
	uint64_t x;

	tlv_w_init(&w, b, sizeof b);
	ck_assert_int_eq(tlv_put_str(&w, TLV_MTI, "0100"), 0);
	ck_assert_int_eq(tlv_put(&w, 39, "00", 2), 0);
	ck_assert_int_eq(tlv_put_u64(&w, TLV_ADVICE_ID, 18446744073709551615ULL),
	    0);
	ck_assert_int_eq(tlv_put(&w, 0x7777, NULL, 0), 0);
	ck_assert_uint_eq(w.len, 8 + 6 + 24 + 4);
	ck_assert_uint_eq(b[0], 0);
	ck_assert_uint_eq(b[3], 4);
	ck_assert_mem_eq(b + 4, "0100", 4);
	ck_assert_uint_eq(b[9], 39);

	tlv_r_init(&r, b, w.len);
	ck_assert_int_eq(tlv_next(&r, &t, &v, &l), 1);
	ck_assert_uint_eq(t, 0);
	ck_assert_int_eq(tlv_next(&r, &t, &v, &l), 1);
	ck_assert_uint_eq(t, 39);
	ck_assert_mem_eq(v, "00", 2);
	ck_assert_int_eq(tlv_next(&r, &t, &v, &l), 1);
	ck_assert_int_eq(tlv_next(&r, &t, &v, &l), 1);
	ck_assert_uint_eq(l, 0);
	ck_assert_int_eq(tlv_next(&r, &t, &v, &l), 0);

	ck_assert_int_eq(tlv_find_str(b, w.len, 39, s, sizeof s), 0);
	ck_assert_str_eq(s, "00");
	ck_assert_int_eq(tlv_find_str(b, w.len, 38, s, sizeof s), -1);
	ck_assert_int_eq(tlv_find_str(b, w.len, 39, s, 2), -1);
	ck_assert_int_eq(tlv_find_u64(b, w.len, TLV_ADVICE_ID, &x), 0);
	ck_assert_uint_eq(x, 18446744073709551615ULL);
	ck_assert_int_eq(tlv_find_u64(b, w.len, 39, &x), 0);
	ck_assert_int_eq(tlv_find_u64(b, w.len, TLV_MTI, &x), 0);
	ck_assert_int_eq(tlv_check(b, w.len), 0);
	/* truncated: malformed */
	ck_assert_int_eq(tlv_check(b, w.len - 1), -1);
	ck_assert_int_eq(tlv_check(b, 2), -1);
	ck_assert_int_eq(tlv_find(b, w.len - 1, 0x9999, &v, &l), -1);
}
END_TEST

START_TEST(test_overflow)
{
	uint8_t b[10];
	struct tlv_w w;

	tlv_w_init(&w, b, sizeof b);
	ck_assert_int_eq(tlv_put(&w, 1, "abcd", 4), 0);
	ck_assert_int_eq(tlv_put(&w, 2, "ab", 2), -1);
	ck_assert_int_eq(w.err, 1);
	ck_assert_int_eq(tlv_put(&w, 2, "", 0), -1);	/* sticky */
	ck_assert_uint_eq(w.len, 8);
}
END_TEST

START_TEST(test_u64_bad)
{
	uint8_t b[64];
	struct tlv_w w;
	uint64_t x;

	tlv_w_init(&w, b, sizeof b);
	tlv_put_str(&w, 1, "18446744073709551616");	/* 2^64 */
	tlv_put_str(&w, 2, "12a");
	tlv_put_str(&w, 3, "");
	ck_assert_int_eq(tlv_find_u64(b, w.len, 1, &x), -1);
	ck_assert_int_eq(tlv_find_u64(b, w.len, 2, &x), -1);
	ck_assert_int_eq(tlv_find_u64(b, w.len, 3, &x), -1);
}
END_TEST

/* Written as decimal digits, no leading zeros, read back exactly. */
START_TEST(test_u64_digits)
{
	static const uint64_t v[] = { 0, 7, 10, 1765000000123456ULL,
	    18446744073709551615ULL };
	static const char *want[] = { "0", "7", "10", "1765000000123456",
	    "18446744073709551615" };
	uint8_t b[64];
	struct tlv_w w;
	char s[24];
	uint64_t x;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		tlv_w_init(&w, b, sizeof b);
		ck_assert_int_eq(tlv_put_u64(&w, 5, v[i]), 0);
		ck_assert_int_eq(tlv_find_str(b, w.len, 5, s, sizeof s), 0);
		ck_assert_str_eq(s, want[i]);
		ck_assert_int_eq(tlv_find_u64(b, w.len, 5, &x), 0);
		ck_assert_uint_eq(x, v[i]);
	}
}
END_TEST

static void
card_request(struct iso_msg *m)
{
	iso_msg_init(m, "0120");
	ck_assert_int_eq(iso_set_str(m, 2, "5413330089010434"), 0);
	ck_assert_int_eq(iso_set_str(m, 4, "000000001000"), 0);
	ck_assert_int_eq(iso_set_str(m, 35, "5413330089010434=25122010123409172"), 0);
	ck_assert_int_eq(iso_set_str(m, 45, "B5413330089010434^TEST/CARD^2512201"), 0);
	ck_assert_int_eq(iso_set_str(m, 48, "R92031234203210"), 0);
	ck_assert_int_eq(iso_set(m, 52, "\x01\x02\x03\x04\x05\x06\x07\x08", 8), 0);
	ck_assert_int_eq(iso_set(m, 55, "\x9f\x26\x02\xab\xcd", 5), 0);
}

START_TEST(test_msg_round_trip)
{
	static struct iso_msg m, back;
	uint8_t buf[2048];
	struct tlv_w w;

	card_request(&m);
	tlv_w_init(&w, buf, sizeof buf);
	ck_assert_int_eq(tlv_put_msg(&w, &m), 0);
	ck_assert_int_eq(tlv_get_msg(buf, w.len, &back), 0);
	ck_assert_str_eq(back.mti, "0120");
	ck_assert(iso_has(&back, 35) && iso_has(&back, 52) && iso_has(&back, 55));
}
END_TEST

/* What is kept (advices, SAF) has no track data, PIN block, chip data,
 * CVC 2, UCAF or second PAN; FPS keeps DE35 (the account) and DE48 whole,
 * as its profile marks them. */
START_TEST(test_msg_kept)
{
	static struct iso_msg m, back;
	const struct iso_profile *card = iso_profile_find("mastercard");
	const struct iso_profile *fps = iso_profile_find("fps");
	uint8_t buf[2048];
	struct tlv_w w;
	char de48[64];

	ck_assert_ptr_nonnull(card);
	ck_assert_ptr_nonnull(fps);
	card_request(&m);
	tlv_w_init(&w, buf, sizeof buf);
	ck_assert_int_eq(tlv_put_msg_kept(&w, card, &m), 0);
	ck_assert_int_eq(tlv_get_msg(buf, w.len, &back), 0);
	ck_assert(iso_has(&back, 2) && iso_has(&back, 4));
	ck_assert(!iso_has(&back, 35) && !iso_has(&back, 45));
	ck_assert(!iso_has(&back, 52) && !iso_has(&back, 55));
	ck_assert_int_eq(iso_get_str(&back, 48, de48, sizeof de48), 0);
	ck_assert_str_eq(de48, "R4203210");

	tlv_w_init(&w, buf, sizeof buf);
	ck_assert_int_eq(tlv_put_msg_kept(&w, fps, &m), 0);
	ck_assert_int_eq(tlv_get_msg(buf, w.len, &back), 0);
	ck_assert(iso_has(&back, 35));
	ck_assert(!iso_has(&back, 45) && !iso_has(&back, 52) &&
	    !iso_has(&back, 55));
	ck_assert_int_eq(iso_get_str(&back, 48, de48, sizeof de48), 0);
	ck_assert_str_eq(de48, "R92031234203210");

	/* UCAF (SE43) and a second PAN (SE33) are not kept either. */
	ck_assert_int_eq(iso_set_str(&m, 48,
	    "R4303abc3316541333008901043492031234203210"), 0);
	tlv_w_init(&w, buf, sizeof buf);
	ck_assert_int_eq(tlv_put_msg_kept(&w, card, &m), 0);
	ck_assert_int_eq(tlv_get_msg(buf, w.len, &back), 0);
	ck_assert_int_eq(iso_get_str(&back, 48, de48, sizeof de48), 0);
	ck_assert_str_eq(de48, "R4203210");

	/* A DE48 that does not parse is left out, not kept whole. */
	ck_assert_int_eq(iso_set_str(&m, 48, "R92"), 0);
	tlv_w_init(&w, buf, sizeof buf);
	ck_assert_int_eq(tlv_put_msg_kept(&w, card, &m), 0);
	ck_assert_int_eq(tlv_get_msg(buf, w.len, &back), 0);
	ck_assert(!iso_has(&back, 48));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tlv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_write_read);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_u64_bad);
	tcase_add_test(tc, test_u64_digits);
	tcase_add_test(tc, test_msg_round_trip);
	tcase_add_test(tc, test_msg_kept);
	suite_add_tcase(s, tc);
	return check_run(s);
}
