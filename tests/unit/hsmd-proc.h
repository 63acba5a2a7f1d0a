/*
 * hsmd-proc.h — the real hsmd as a child process, for the hsmd suites
 * (tests/unit/hsmd-harness.h) and tests/bench/bench_hsmd.c: started on a
 * unix socket and waited for, connected to, stopped with its directory
 * removed. Test LMKs are unsealed, so hsmd is started with
 * --insecure-test-lmk. Static functions: include it once per program.
 */
#ifndef TESTS_HSMD_PROC_H
#define TESTS_HSMD_PROC_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A stream connection to a unix socket; the fd, or -1. */
static int
unix_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Start bindir/hsmd with the arguments args (NULL-terminated, after the
 * program name), its stderr into log unless NULL, and wait up to 3 s for
 * it to accept on the unix socket wait. *pid is set as soon as it is
 * forked, so hsmd_stop ends it either way.
 */
static int
hsmd_startv(pid_t *pid, const char *bindir, const char *wait,
    const char *log, char *const args[])
{
	char path[512], *argv[32];
	int i, fd;

	snprintf(path, sizeof path, "%s/hsmd", bindir);
	argv[0] = (char *)"hsmd";
	for (i = 0; args[i] != NULL && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if ((*pid = fork()) == 0) {
		if (log != NULL &&
		    (fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) != -1)
			dup2(fd, 2);
		execv(path, argv);
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if ((fd = unix_connect(wait)) != -1) {
			close(fd);
			return 0;
		}
		usleep(10000);
	}
	return -1;
}

/*
 * hsmd with the (unsealed, test) LMK file lmk listening on unix:sock
 * with the default allow-list, the verification set.
 */
static int __attribute__((unused))
hsmd_start(pid_t *pid, const char *bindir, const char *lmk, const char *sock,
    const char *log)
{
	char listen[300];
	char *args[] = { (char *)"--insecure-test-lmk", (char *)"--lmk",
	    (char *)lmk, (char *)"-l", listen, NULL };

	snprintf(listen, sizeof listen, "unix:%s", sock);
	return hsmd_startv(pid, bindir, sock, log, args);
}

/* Stop hsmd (if started) and remove dir; prog names the complaint. */
static void
hsmd_stop(pid_t *pid, const char *dir, const char *prog)
{
	char cmd[300];

	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
		*pid = 0;
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s: cannot remove %s\n", prog, dir);
}

#endif
