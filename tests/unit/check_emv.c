/* check_emv.c — DE55 BER-TLV: multi-byte tags, long lengths, in-place
 * edits that keep unknown tags byte for byte, malformed input. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "tests/unit/checkrun.h"

static struct iso_msg m, m2;

START_TEST(iterate_sample_de55)
{
	static const uint8_t d[] = {
		0x5F, 0x2A, 0x02, 0x06, 0x43,		/* 2-byte tag */
		0x9F, 0x26, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
		0xDF, 0x81, 0x01, 0x01, 0xAA,		/* 3-byte tag */
		0x9F, 0x10, 0x81, 0x02, 0x01, 0x10,	/* long form length */
	};
	struct emv_tlv t;
	size_t pos = 0;

	ck_assert_int_eq(emv_next(d, sizeof d, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0x5F2A);
	ck_assert_uint_eq(t.len, 2);
	ck_assert_int_eq(emv_next(d, sizeof d, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0x9F26);
	ck_assert_int_eq(emv_next(d, sizeof d, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0xDF8101);
	ck_assert_int_eq(emv_next(d, sizeof d, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0x9F10);
	ck_assert_uint_eq(t.len, 2);
	ck_assert_int_eq(emv_next(d, sizeof d, &pos, &t), 0);
	ck_assert_int_eq(emv_find(d, sizeof d, 0x9F26, &t), 1);
	ck_assert_uint_eq(t.val[7], 8);
	ck_assert_int_eq(emv_find(d, sizeof d, 0x9F37, &t), 0);
	ck_assert_int_eq(emv_check(d, sizeof d, NULL), 0);
}
END_TEST

START_TEST(malformed)
{
	static const uint8_t *cases[] = {
		(const uint8_t *)"\x9F",		/* tag cut */
		(const uint8_t *)"\x9F\x26",		/* no length */
		(const uint8_t *)"\x9F\x26\x08\x01",	/* value cut */
		(const uint8_t *)"\x9F\x26\x84\0\0\0\1\1",	/* 4 length bytes */
		(const uint8_t *)"\x9F\x26\x80",	/* indefinite */
		(const uint8_t *)"\x1F\x81\x81\x81\x81\x01\x00", /* tag > 4 bytes */
	};
	static const size_t lens[] = { 1, 2, 4, 8, 3, 7 };
	size_t i, bad;

	for (i = 0; i < 6; i++)
		ck_assert_msg(emv_check(cases[i], lens[i], &bad) == -1, "case %zu", i);
}
END_TEST

START_TEST(put_lengths)
{
	uint8_t out[400], v[300];
	struct emv_tlv t;
	size_t pos = 0;

	memset(v, 0x55, sizeof v);
	ck_assert_int_eq(emv_put(out, sizeof out, 0x9F26, v, 8), 11);
	ck_assert_int_eq(emv_put(out, sizeof out, 0x71, v, 200), 203);
	ck_assert_uint_eq(out[1], 0x81);
	ck_assert_int_eq(emv_put(out, sizeof out, 0x71, v, 300), 304);
	ck_assert_uint_eq(out[1], 0x82);
	ck_assert_int_eq(emv_next(out, 304, &pos, &t), 1);
	ck_assert_uint_eq(t.len, 300);
	ck_assert_int_eq(emv_put(out, 10, 0x9F26, v, 8), -1);
}
END_TEST

START_TEST(edit_keeps_others)
{
	const struct iso_profile *p = iso_profile_find("mastercard");
	static const uint8_t d[] = { 0x5F, 0x2A, 0x02, 0x06, 0x43,
	    0xDF, 0x81, 0x01, 0x01, 0xAA, 0x9F, 0x36, 0x02, 0x00, 0x01 };
	static const uint8_t arpc[] = { 0x91, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 0x30, 0x30 };
	uint8_t wire[512];
	struct iso_err e;
	struct emv_tlv t;
	const uint8_t *v;
	size_t len;
	ssize_t w;

	iso_msg_init(&m, "0110");
	iso_set_str(&m, 39, "00");
	iso_set(&m, 55, d, sizeof d);
	/* replace 9F36, append 91, unknown DF8101 untouched */
	ck_assert_int_eq(iso_de55_set(&m, 0x9F36, "\x00\x02", 2), 0);
	ck_assert_int_eq(iso_de55_set(&m, 0x91, arpc + 2, 10), 0);
	v = iso_get(&m, 55, &len);
	ck_assert_uint_eq(len, sizeof d + sizeof arpc);
	ck_assert_mem_eq(v, d, 13);
	ck_assert_uint_eq(v[14], 0x02);
	ck_assert_mem_eq(v + sizeof d, arpc, sizeof arpc);
	ck_assert_int_eq(iso_de55_del(&m, 0x5F2A), 0);
	v = iso_get(&m, 55, &len);
	ck_assert_int_eq(emv_find(v, len, 0x5F2A, &t), 0);
	ck_assert_int_eq(emv_find(v, len, 0xDF8101, &t), 1);
	ck_assert_uint_eq(t.val[0], 0xAA);
	/* the edited message packs and unpacks */
	w = iso_pack(p, &m, wire, sizeof wire, &e);
	ck_assert_int_gt(w, 0);
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), 0);
	v = iso_get(&m2, 55, &len);
	ck_assert_int_eq(emv_find(v, len, 0x91, &t), 1);
	/* a message without DE55 gets one */
	iso_msg_init(&m, "0110");
	ck_assert_int_eq(iso_de55_set(&m, 0x91, arpc + 2, 10), 0);
	ck_assert(iso_has(&m, 55));
	/* malformed DE55 is not edited */
	iso_set(&m, 55, "\x9F\x26\x08\x01", 4);
	ck_assert_int_eq(iso_de55_set(&m, 0x91, arpc + 2, 10), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("emv");
	TCase *tc = tcase_create("tlv");

	tcase_add_test(tc, iterate_sample_de55);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, put_lengths);
	tcase_add_test(tc, edit_keeps_others);
	suite_add_tcase(s, tc);
	return check_run(s);
}
