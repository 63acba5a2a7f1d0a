/* check_gue.c — GUE variant 0 header. */
#include <check.h>
#include <stdlib.h>

#include "tunnel/gue.h"
#include "tests/unit/checkrun.h"

START_TEST(test_roundtrip)
{
	uint8_t h[4];
	int c;
	uint8_t pt;

	gue_encode(h, 0, GUE_PROTO_FRAME);
	ck_assert_uint_eq(h[0], 0);
	ck_assert_uint_eq(h[1], 253);
	ck_assert_int_eq(gue_decode(h, 4, &c, &pt), 0);
	ck_assert_int_eq(c, 0);
	ck_assert_uint_eq(pt, 253);

	gue_encode(h, 1, GUE_CTYPE_HEARTBEAT_ACK);
	ck_assert_uint_eq(h[0], 0x20);
	ck_assert_int_eq(gue_decode(h, 4, &c, &pt), 0);
	ck_assert_int_eq(c, 1);
	ck_assert_uint_eq(pt, 2);
}
END_TEST

START_TEST(test_rejects)
{
	uint8_t h[4] = { 0, 253, 0, 0 };
	int c;
	uint8_t pt;

	ck_assert_int_eq(gue_decode(h, 3, &c, &pt), -1);	/* short */
	h[0] = 0x40;						/* ver 1 */
	ck_assert_int_eq(gue_decode(h, 4, &c, &pt), -1);
	h[0] = 0x01;						/* hlen 1 */
	ck_assert_int_eq(gue_decode(h, 4, &c, &pt), -1);
	h[0] = 0;
	h[3] = 1;						/* flags */
	ck_assert_int_eq(gue_decode(h, 4, &c, &pt), -1);
	h[3] = 0;
	h[2] = 0x80;
	ck_assert_int_eq(gue_decode(h, 4, &c, &pt), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("gue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_rejects);
	suite_add_tcase(s, tc);
	return check_run(s);
}
