/* check_cpuslice.c — the kernel's shortest slice: set on this thread,
 * read back, and had by a thread started after (the store's threads in
 * gatewayd).  A kernel before 6.12 keeps its own: then a reason. */
#include <sys/syscall.h>
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cpuslice.h"
#include "tests/unit/checkrun.h"

/* The slice this thread runs with, ns (sched_attr's sched_runtime: the
 * sixth field, after 4+4+8+4+4 bytes). */
static uint64_t
slice_ns(void)
{
	uint8_t a[56];
	uint64_t v;

	memset(a, 0, sizeof a);
	if (syscall(SYS_sched_getattr, 0, a, sizeof a, 0) == -1)
		return UINT64_MAX;
	memcpy(&v, a + 24, sizeof v);
	return v;
}

static void *
child(void *arg)
{
	*(uint64_t *)arg = slice_ns();
	return NULL;
}

START_TEST(test_set_and_inherited)
{
	char why[128] = "";
	uint64_t got = 0;
	pthread_t t;
	int rc;

	rc = cpuslice_set(CPUSLICE_MIN_US, why, sizeof why);
	ck_assert_int_ge(rc, 0);
	ck_assert_str_ne(why, "");
	if (rc == 0)
		return;		/* this kernel keeps its own, and said why */
	ck_assert_uint_eq(slice_ns(), CPUSLICE_MIN_US * 1000ull);
	ck_assert_int_eq(pthread_create(&t, NULL, child, &got), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(got, CPUSLICE_MIN_US * 1000ull);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cpuslice");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_set_and_inherited);
	suite_add_tcase(s, tc);
	return check_run(s);
}
