/* check_mask.c — nothing secret reaches a log line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/mask.h"
#include "tests/unit/checkrun.h"

static struct iso_msg m;

START_TEST(pan_track_pin)
{
	const struct iso_profile *p = iso_profile_find("iso87");
	char out[512];
	uint8_t pin[8] = { 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0 };

	mask_pan("5413330089010434", 16, out, sizeof out);
	ck_assert_str_eq(out, "541333******0434");
	mask_pan("12345", 5, out, sizeof out);
	ck_assert_str_eq(out, "*****");
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, "5413330089010434");
	iso_set_str(&m, 35, "5413330089010434=25122011234567890");
	iso_set_str(&m, 45, "B5413330089010434^DOE/JOHN^2512201");
	iso_set(&m, 52, pin, 8);
	iso_set_str(&m, 4, "000000001000");
	mask_line(p, &m, out, sizeof out);
	ck_assert_str_eq(out, "mti=0100 2=541333******0434 4=000000001000 "
	    "35=541333******0434****************** "
	    "45=********************************** 52=****************");
	ck_assert_ptr_null(strstr(out, "5413330089010434"));
	ck_assert_ptr_null(strstr(out, "2512201"));
	/* --unmasked shows everything */
	mask_field(p, &m, 52, 1, out, sizeof out);
	ck_assert_str_eq(out, "123456789ABCDEF0");
}
END_TEST

START_TEST(de48_de55_and_fps)
{
	const struct iso_profile *mc = iso_profile_find("mastercard"),
	    *fps = iso_profile_find("fps");
	static const uint8_t icc[] = { 0x9F, 0x26, 0x02, 0xEE, 0xF1,
	    0x9F, 0x36, 0x02, 0x02, 0x03, 0x57, 0x02, 0x54, 0x13 };
	char out[512];

	iso_msg_init(&m, "0100");
	iso_set_str(&m, 48, "R2302009203123");
	iso_set(&m, 55, icc, sizeof icc);
	mask_field(mc, &m, 48, 0, out, sizeof out);
	ck_assert_str_eq(out, "R2302009203***");
	/* SE 33 carries a whole account number: hidden */
	iso_set_str(&m, 48, "R33220254133300890104342512""9203123");
	mask_field(mc, &m, 48, 0, out, sizeof out);
	ck_assert_str_eq(out, "R3322**********************9203***");
	mask_field(mc, &m, 55, 0, out, sizeof out);
	ck_assert_str_eq(out, "9F2602****9F360202035702****");
	/* malformed DE55 is hidden from the bad element on */
	iso_set(&m, 55, icc, 7);
	mask_field(mc, &m, 55, 0, out, sizeof out);
	ck_assert_str_eq(out, "9F2602********");
	/* a constructed template (70) is walked: the track 2 equivalent (57)
	 * and the cryptogram inside it are hidden, the ATC shown */
	{
		static const uint8_t tpl[] = { 0x70, 0x0D, 0x57, 0x02, 0x54,
		    0x13, 0x9F, 0x36, 0x02, 0x00, 0x2A, 0x9F, 0x26, 0x01,
		    0xAA };

		iso_set(&m, 55, tpl, sizeof tpl);
		mask_field(mc, &m, 55, 0, out, sizeof out);
		ck_assert_str_eq(out, "700D5702****9F3602002A9F2601**");
	}
	/* FPS: DE35 is an account number, not track 2 */
	iso_msg_init(&m, "0200");
	iso_set_str(&m, 35, "GB29NWBK60161331926819");
	mask_field(fps, &m, 35, 0, out, sizeof out);
	ck_assert_str_eq(out, "******************6819");
	/* a tiny output buffer is never overrun */
	mask_field(fps, &m, 35, 1, out, 5);
	ck_assert_str_eq(out, "GB29");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mask");
	TCase *tc = tcase_create("mask");

	tcase_add_test(tc, pan_track_pin);
	tcase_add_test(tc, de48_de55_and_fps);
	suite_add_tcase(s, tc);
	return check_run(s);
}
