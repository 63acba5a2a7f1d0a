/* check_idhash.c — things found by id: added, found, removed from the
 * middle of a chain, none lost among 200,000. */
#include <check.h>
#include <stdlib.h>

#include "base/idhash.h"
#include "tests/unit/checkrun.h"

struct thing {
	int		 tag;
	struct idlink	 hl;
};

#define N	200000

START_TEST(test_add_find_del)
{
	struct idhash h;
	struct thing *v = calloc(N, sizeof *v);
	struct idlink *l;
	size_t i;

	ck_assert_int_eq(idhash_init(&h), 0);
	for (i = 0; i < N; i++) {
		v[i].tag = (int)i;
		/* ids that count up, and ids 2^32 apart: three or four
		 * to a bucket, so removals come from chains */
		v[i].hl.id = i % 2 ? i : (uint64_t)i << 32;
		idhash_add(&h, &v[i].hl);
	}
	for (i = 0; i < N; i++) {
		l = idhash_find(&h, v[i].hl.id);
		ck_assert_ptr_nonnull(l);
		ck_assert_int_eq(IDHASH_ITEM(l, struct thing, hl)->tag, (int)i);
	}
	for (i = 0; i < N; i += 3)
		idhash_del(&h, &v[i].hl);
	for (i = 0; i < N; i++)
		if (i % 3 == 0)
			ck_assert_ptr_null(idhash_find(&h, v[i].hl.id));
		else
			ck_assert_ptr_eq(idhash_find(&h, v[i].hl.id), &v[i].hl);
	ck_assert_ptr_null(idhash_find(&h, (uint64_t)N << 33 | 1));
	idhash_free(&h);
	free(v);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("idhash");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_add_find_del);
	suite_add_tcase(s, tc);
	return check_run(s);
}
