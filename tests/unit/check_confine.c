/* check_confine.c — the confinement really holds: in a child, seccomp
 * kills the whole process (SIGSYS) on a call outside the allow-list and
 * lets the listed ones through; Landlock refuses files outside the named
 * paths and allows those inside, read-only ones for reading only. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/confine.h"
#include "tests/unit/checkrun.h"

static const char *const *const sets[] = { confine_sys_base,
    confine_sys_files, NULL };

/* Runs fn in a child; its wait status. */
static int
in_child(void (*fn)(void))
{
	pid_t p;
	int st;

	fflush(NULL);
	if ((p = fork()) == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_gt(p, 0);
	ck_assert_int_eq(waitpid(p, &st, 0), p);
	return st;
}

static void
forbidden(void)
{
	char err[128] = "";
	char *argv[] = { "/bin/true", NULL };

	if (confine_syscalls(sets, err, sizeof err) == -1)
		_exit(10);
	if (confine_seccomp_mode() != 2)
		_exit(11);
	execve(argv[0], argv, NULL);	/* not on any list */
	_exit(12);
}

static void
allowed(void)
{
	char err[128] = "";
	int fd[2];

	if (confine_syscalls(sets, err, sizeof err) == -1)
		_exit(10);
	/* the loop's calls still work */
	if (pipe2(fd, O_CLOEXEC) == -1 || write(fd[1], "x", 1) != 1)
		_exit(13);
	close(fd[0]);
	close(fd[1]);
	_exit(0);
}

START_TEST(seccomp_kills_outside_the_list)
{
	int st = in_child(forbidden);

	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "status %#x: want killed by SIGSYS", st);
	st = in_child(allowed);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x",
	    st);
}
END_TEST

static char dir_rw[64], dir_ro[64];

static void
files(void)
{
	struct confine_path p[] = { { dir_rw, 1 }, { dir_ro, 0 } };
	char err[128] = "", path[96];
	int abi, fd;

	if (confine_files(p, 2, &abi, err, sizeof err) == -1)
		_exit(20);
	if (abi == 0)
		_exit(77);			/* no Landlock: said by the test */
	if (open("/etc/hostname", O_RDONLY) != -1 || errno != EACCES)
		_exit(21);
	snprintf(path, sizeof path, "%s/new", dir_rw);
	if ((fd = open(path, O_CREAT | O_WRONLY, 0600)) == -1)
		_exit(22);
	close(fd);
	snprintf(path, sizeof path, "%s/f", dir_ro);
	if ((fd = open(path, O_RDONLY)) == -1)
		_exit(23);
	close(fd);
	if (open(path, O_WRONLY) != -1)
		_exit(24);
	_exit(0);
}

START_TEST(landlock_only_the_named_paths)
{
	char f[96];
	int st, fd;

	snprintf(dir_rw, sizeof dir_rw, "/tmp/check-confine-rw.XXXXXX");
	snprintf(dir_ro, sizeof dir_ro, "/tmp/check-confine-ro.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir_rw));
	ck_assert_ptr_nonnull(mkdtemp(dir_ro));
	snprintf(f, sizeof f, "%s/f", dir_ro);
	ck_assert_int_ge(fd = open(f, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	st = in_child(files);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		fprintf(stderr, "check_confine: this kernel has no Landlock\n");
	else
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "status %#x", st);
	snprintf(f, sizeof f, "%s/new", dir_rw);
	unlink(f);
	snprintf(f, sizeof f, "%s/f", dir_ro);
	unlink(f);
	rmdir(dir_rw);
	rmdir(dir_ro);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("confine");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, seccomp_kills_outside_the_list);
	tcase_add_test(tc, landlock_only_the_named_paths);
	suite_add_tcase(s, tc);
	return check_run_nofork(s);
}
