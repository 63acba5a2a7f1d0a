/*
 * checkrun.h — the end of every suite's main(): run the suite, Check
 * prints its summary, and the result is main's exit status.  _nofork for
 * the suites whose tests share the process's state (a table, a timer).
 */
#ifndef TESTS_CHECKRUN_H
#define TESTS_CHECKRUN_H

#include <check.h>
#include <stdlib.h>

static inline int
check_run_with(Suite *s, enum fork_status fork)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (fork != CK_FORK_GETENV)
		srunner_set_fork_status(sr, fork);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static inline int
check_run(Suite *s)
{
	return check_run_with(s, CK_FORK_GETENV);
}

static inline int
check_run_nofork(Suite *s)
{
	return check_run_with(s, CK_NOFORK);
}

#endif
