/*
 * hsmd-proc.h — the real hsmd as a child process, for the hsmd suites
 * (tests/unit/hsmd-harness.h) and tests/bench/bench_hsmd.c: started on a
 * unix socket and waited for, connected to, stopped with its directory
 * removed. Static functions: include it once per program.
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
 * Start bindir/hsmd with the LMK file lmk listening on unix:sock, its
 * stderr into log unless NULL, and wait up to 3 s for it to accept.
 * *pid is set as soon as it is forked, so hsmd_stop ends it either way.
 */
static int
hsmd_start(pid_t *pid, const char *bindir, const char *lmk, const char *sock,
    const char *log)
{
	char path[512], listen[300];
	int i, fd;

	snprintf(path, sizeof path, "%s/hsmd", bindir);
	snprintf(listen, sizeof listen, "unix:%s", sock);
	if ((*pid = fork()) == 0) {
		if (log != NULL &&
		    (fd = open(log, O_WRONLY | O_CREAT, 0600)) != -1)
			dup2(fd, 2);
		execl(path, "hsmd", "--lmk", lmk, "-l", listen, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if ((fd = unix_connect(sock)) != -1) {
			close(fd);
			return 0;
		}
		usleep(10000);
	}
	return -1;
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
