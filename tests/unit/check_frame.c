/* check_frame.c — len2 / len4ascii framing with an optional header. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/frame.h"
#include "tests/unit/checkrun.h"

START_TEST(len2)
{
	struct framer f = { FRAME_LEN2, 0, 4096, NULL };
	uint8_t b[16] = { 0x00, 0x04, 'a', 'b', 'c', 'd', 0x00 };
	size_t off, total;
	char err[100];

	ck_assert_int_eq(frame_parse(&f, b, 1, &off, &total, err, sizeof err), 0);
	ck_assert_int_eq(frame_parse(&f, b, 5, &off, &total, err, sizeof err), 0);
	ck_assert_int_eq(frame_parse(&f, b, 7, &off, &total, err, sizeof err), 1);
	ck_assert_uint_eq(off, 2);
	ck_assert_uint_eq(total, 6);
	/* over the maximum: refused on the prefix alone */
	b[0] = 0x10;
	b[1] = 0x01;
	ck_assert_int_eq(frame_parse(&f, b, 2, &off, &total, err, sizeof err), -1);
	ck_assert_str_eq(err, "frame: length 4097 outside 0..4096");
	b[0] = b[1] = 0;
	ck_assert_int_eq(frame_parse(&f, b, 2, &off, &total, err, sizeof err), -1);
	ck_assert_int_eq(frame_header(&f, 300, b, sizeof b), 2);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[1], 44);
	ck_assert_int_eq(frame_header(&f, 4097, b, sizeof b), -1);
}
END_TEST

START_TEST(len4ascii_with_header)
{
	struct framer f = { FRAME_LEN4ASCII, 5, 9000, NULL };
	uint8_t b[32];
	size_t off, total;
	char err[100];

	ck_assert_int_eq(frame_header(&f, 12, b, sizeof b), 9);
	ck_assert_mem_eq(b, "0017\0\0\0\0\0", 9);	/* no template: zeros */
	f.hdr = (const uint8_t *)"HDR01";
	ck_assert_int_eq(frame_header(&f, 12, b, sizeof b), 9);
	ck_assert_mem_eq(b, "0017HDR01", 9);
	memset(b + 9, 'x', 12);
	ck_assert_int_eq(frame_parse(&f, b, 20, &off, &total, err, sizeof err), 0);
	ck_assert_int_eq(frame_parse(&f, b, 21, &off, &total, err, sizeof err), 1);
	ck_assert_uint_eq(off, 9);
	ck_assert_uint_eq(total, 21);
	memcpy(b, "00-7", 4);
	ck_assert_int_eq(frame_parse(&f, b, 21, &off, &total, err, sizeof err), -1);
	ck_assert_str_eq(err, "frame: length prefix byte 2 is 0x2D, not a digit");
	memcpy(b, "0004", 4);	/* shorter than the header */
	ck_assert_int_eq(frame_parse(&f, b, 21, &off, &total, err, sizeof err), -1);
	ck_assert_int_eq(frame_kind_parse("len4ascii"), FRAME_LEN4ASCII);
	ck_assert_int_eq(frame_kind_parse("len3"), -1);
	f.max = 20000;
	ck_assert_int_eq(frame_header(&f, 9995, b, sizeof b), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("framing");

	tcase_add_test(tc, len2);
	tcase_add_test(tc, len4ascii_with_header);
	suite_add_tcase(s, tc);
	return check_run(s);
}
