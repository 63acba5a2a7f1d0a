/* check_de48.c — Mastercard DE48: TCC + TTLL sub-elements. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/de48.h"
#include "iso8583/iso8583.h"
#include "tests/unit/checkrun.h"

static struct iso_msg m;

START_TEST(read_sample)
{
	static const char d[] = "R230200610500001";
	struct de48_se se;
	size_t pos = 1;

	ck_assert_int_eq(de48_next((const uint8_t *)d, 16, &pos, &se), 1);
	ck_assert_int_eq(se.tag, 23);
	ck_assert_uint_eq(se.len, 2);
	ck_assert_mem_eq(se.val, "00", 2);
	ck_assert_int_eq(de48_next((const uint8_t *)d, 16, &pos, &se), 1);
	ck_assert_int_eq(se.tag, 61);
	ck_assert_mem_eq(se.val, "00001", 5);
	ck_assert_int_eq(de48_next((const uint8_t *)d, 16, &pos, &se), 0);
	ck_assert_int_eq(de48_find((const uint8_t *)d, 16, 61, &se), 1);
	ck_assert_int_eq(de48_find((const uint8_t *)d, 16, 92, &se), 0);
	ck_assert_int_eq(de48_find((const uint8_t *)"R2309ab", 7, 92, &se), -1);
	ck_assert_int_eq(de48_find((const uint8_t *)"R2", 2, 92, &se), -1);
	ck_assert_int_eq(de48_find((const uint8_t *)"RX102", 5, 92, &se), -1);
}
END_TEST

START_TEST(edit)
{
	const uint8_t *v;
	size_t len;

	iso_msg_init(&m, "0100");
	iso_set_str(&m, 48, "R230200610500001");
	ck_assert_int_eq(iso_de48_set(&m, 92, "123", 3), 0);
	v = iso_get(&m, 48, &len);
	ck_assert_uint_eq(len, 23);
	ck_assert_mem_eq(v, "R230200610500001920312" "3", 23);
	ck_assert_int_eq(iso_de48_set(&m, 23, "01", 2), 0);
	v = iso_get(&m, 48, &len);
	ck_assert_mem_eq(v, "R230201610500001920312" "3", 23);
	ck_assert_int_eq(iso_de48_del(&m, 61), 0);
	v = iso_get(&m, 48, &len);
	ck_assert_mem_eq(v, "R2302019203123", 14);
	ck_assert_int_eq(iso_de48_set(&m, 100, "x", 1), -1);
	iso_unset(&m, 48);
	ck_assert_int_eq(iso_de48_set(&m, 92, "123", 3), -1);
}
END_TEST

/* At the edge of DE48's 999 bytes (and the editor's 1000-byte buffer):
 * exactly full is taken, one byte more refused, nothing written past
 * the end (ASan watches the ASan build of this). */
START_TEST(edit_at_the_edge)
{
	char v[100];
	const uint8_t *p;
	size_t len;
	int i;

	memset(v, '7', sizeof v);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 48, "R");
	for (i = 10; i < 19; i++)				/* 1 + 9 * 103 */
		ck_assert_int_eq(iso_de48_set(&m, i, v, 99), 0);
	ck_assert_int_eq(iso_de48_set(&m, 20, v, 67), 0);	/* 999 */
	p = iso_get(&m, 48, &len);
	ck_assert_uint_eq(len, 999);
	ck_assert_int_eq(p[998], '7');
	ck_assert_int_eq(iso_de48_set(&m, 20, v, 68), -1);	/* 1000 */
	ck_assert_int_eq(iso_de48_set(&m, 20, v, 69), -1);	/* 1001 */
	ck_assert_int_eq(iso_de48_set(&m, 21, v, 99), -1);
	p = iso_get(&m, 48, &len);
	ck_assert_uint_eq(len, 999);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("de48");
	TCase *tc = tcase_create("subelements");

	tcase_add_test(tc, read_sample);
	tcase_add_test(tc, edit);
	tcase_add_test(tc, edit_at_the_edge);
	suite_add_tcase(s, tc);
	return check_run(s);
}
