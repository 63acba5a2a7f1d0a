/* check_mti.c — message kinds, response MTIs and echoed fields. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "tests/unit/checkrun.h"

static const char *
resp(const char *mti)
{
	static char out[5];

	if (iso_mti_response(mti, out) == -1)
		return "-";
	return out;
}

START_TEST(response_mti)
{
	ck_assert_str_eq(resp("0100"), "0110");
	/* A repeat is answered as the original: the repeat bit goes. */
	ck_assert_str_eq(resp("0101"), "0110");
	ck_assert_str_eq(resp("0200"), "0210");
	ck_assert_str_eq(resp("0201"), "0210");
	ck_assert_str_eq(resp("0120"), "0130");
	ck_assert_str_eq(resp("0121"), "0130");
	ck_assert_str_eq(resp("0420"), "0430");
	ck_assert_str_eq(resp("0421"), "0430");
	ck_assert_str_eq(resp("0800"), "0810");
	ck_assert_str_eq(resp("0820"), "0830");
	/* The originator stays: an issuer's repeat gets an issuer answer. */
	ck_assert_str_eq(resp("0103"), "0112");
	/* Responses and non-MTIs have no response. */
	ck_assert_str_eq(resp("0110"), "-");
	ck_assert_str_eq(resp("0130"), "-");
	ck_assert_str_eq(resp("010"), "-");
	ck_assert_str_eq(resp("01A0"), "-");
	ck_assert_str_eq(resp("01000"), "-");
}
END_TEST

START_TEST(kinds)
{
	ck_assert_int_eq(iso_mti_kind("0100"), ISO_MTI_REQUEST);
	ck_assert_int_eq(iso_mti_kind("0101"), ISO_MTI_REQUEST);
	ck_assert_int_eq(iso_mti_kind("0200"), ISO_MTI_REQUEST);
	ck_assert_int_eq(iso_mti_kind("0400"), ISO_MTI_REQUEST);
	ck_assert_int_eq(iso_mti_kind("0401"), ISO_MTI_REQUEST);
	ck_assert_int_eq(iso_mti_kind("0120"), ISO_MTI_ADVICE);
	ck_assert_int_eq(iso_mti_kind("0421"), ISO_MTI_ADVICE);
	ck_assert_int_eq(iso_mti_kind("0800"), ISO_MTI_NETMGMT);
	ck_assert_int_eq(iso_mti_kind("0810"), ISO_MTI_NETMGMT);
	ck_assert_int_eq(iso_mti_kind("0110"), ISO_MTI_RESPONSE);
	ck_assert_int_eq(iso_mti_kind("0230"), ISO_MTI_RESPONSE);
	/* Not routed: other classes, functions and origins. */
	ck_assert_int_eq(iso_mti_kind("0220"), ISO_MTI_OTHER);
	ck_assert_int_eq(iso_mti_kind("0300"), ISO_MTI_OTHER);
	ck_assert_int_eq(iso_mti_kind("0102"), ISO_MTI_OTHER);
	ck_assert_int_eq(iso_mti_kind("0104"), ISO_MTI_OTHER);
	ck_assert_int_eq(iso_mti_kind("X100"), ISO_MTI_OTHER);
}
END_TEST

START_TEST(echo)
{
	static struct iso_msg req, r;
	const int *f;
	size_t n, i;
	int has90 = 0;
	char v[16];

	f = iso_echo_fields("0100", &n);
	for (i = 0; i < n; i++)
		has90 |= f[i] == 90;
	ck_assert_int_eq(has90, 0);
	f = iso_echo_fields("0400", &n);
	ck_assert_int_eq(f[n - 1], 90);
	f = iso_echo_fields("0800", &n);
	ck_assert_int_eq(f[0], 7);

	iso_msg_init(&req, "0101");
	iso_set_str(&req, 2, "5413330089020011");
	iso_set_str(&req, 4, "000000001000");
	iso_set_str(&req, 11, "123456");
	iso_set_str(&req, 35, "5413330089020011=2512");
	iso_set_str(&req, 37, "000000000001");
	ck_assert_int_eq(iso_response_init(&r, &req, "00", 0), 0);
	ck_assert_str_eq(r.mti, "0110");
	ck_assert(iso_has(&r, 2) && iso_has(&r, 4) && iso_has(&r, 11));
	ck_assert(iso_has(&r, 37) && iso_has(&r, 39));
	ck_assert(!iso_has(&r, 35));		/* track data never echoed */
	/* A message read up to a bad DE11 echoes only what came before. */
	ck_assert_int_eq(iso_response_init(&r, &req, "30", 11), 0);
	ck_assert(iso_has(&r, 4) && !iso_has(&r, 11) && !iso_has(&r, 37));
	iso_msg_init(&r, "0110");
	iso_set_str(&r, 4, "000000009999");
	iso_echo(&r, &req);
	ck_assert_int_eq(iso_get_str(&r, 4, v, sizeof v), 0);
	ck_assert_str_eq(v, "000000001000");
	ck_assert_int_eq(iso_response_init(&r, &r, "00", 0), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mti");
	TCase *tc = tcase_create("mti");

	tcase_add_test(tc, response_mti);
	tcase_add_test(tc, kinds);
	tcase_add_test(tc, echo);
	suite_add_tcase(s, tc);
	return check_run(s);
}
