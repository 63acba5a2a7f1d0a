/*
 * confine.h — a daemon confines itself once start-up is done
 * (ARCHITECTURE section 2):
 *   - Landlock: of the file system it may only reach the paths it names,
 *     read-only or read-write;
 *   - seccomp: only the system calls of its allow-list; any other kills
 *     the whole process (all threads) with SIGSYS, after one line on
 *     stderr naming the call so the list can be put right.
 * Both are inherited by threads started later and cannot be undone.
 */
#ifndef BASE_CONFINE_H
#define BASE_CONFINE_H

#include <stddef.h>

struct confine_path {
	const char	*path;		/* a directory or a file */
	int		 write;		/* 0: read only */
};

/* The syscall sets a daemon picks from (names as the kernel's). */
extern const char *const confine_sys_base[];	/* loop, memory, sockets */
extern const char *const confine_sys_files[];	/* open, stat, sync */
extern const char *const confine_sys_connect[];	/* new sockets */

/*
 * Landlock over the n paths: 0, or -1 with err.  A kernel without
 * Landlock is not an error here: *abi is set to 0 and the caller says so
 * (it is a weaker mode, never a silent one).
 */
int	confine_files(const struct confine_path *, size_t n, int *abi,
	    char *err, size_t errsz);

/* seccomp over the NULL-terminated name lists (set NULL ends them):
 * 0, or -1 with err. */
int	confine_syscalls(const char *const *const sets[], char *err,
	    size_t errsz);

/* 2 when this process runs under a seccomp filter (as /proc says). */
int	confine_seccomp_mode(void);

#endif
