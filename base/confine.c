/*
 * confine.c — Landlock and seccomp for a daemon that has started.
 *
 * Landlock goes through the raw system calls (Debian 12's glibc has no
 * wrappers); the rights handled are those the running kernel's ABI knows,
 * so an older kernel still confines what it can.  seccomp goes through
 * libseccomp: names resolve per architecture, and TSYNC puts the filter
 * on every thread already running (the store's writer and reader).
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "base/confine.h"

const char *const confine_sys_base[] = {
	/* the event loop and its sockets */
	"read", "write", "readv", "writev", "close", "epoll_wait",
	"epoll_pwait", "epoll_ctl", "epoll_create1", "poll", "ppoll",
	"recvfrom", "sendto", "recvmsg", "sendmsg", "recvmmsg", "sendmmsg",
	"accept", "accept4", "shutdown", "getsockopt", "setsockopt",
	"getsockname", "getpeername", "fcntl", "eventfd2", "pipe2",
	"timerfd_create", "timerfd_settime", "timerfd_gettime",
	/* memory (malloc, libsodium's guarded and locked pages) */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mlock",
	"munlock",
	/* time, threads, signals, randomness, exit */
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday",
	"futex", "set_robust_list", "rseq", "sched_yield", "getpid",
	"gettid", "tgkill", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sigaltstack", "restart_syscall", "exit",
	"exit_group", "getrandom", "getuid", "geteuid", "getgid", "getegid",
	"prlimit64", "uname",
	/* glibc's qsort asks the memory size (sysconf) for larger arrays */
	"sysinfo",
	/* clock_synchronised() reads the kernel's NTP state (mode 0) */
	"clock_adjtime", "adjtimex",
	NULL
};

const char *const confine_sys_files[] = {
	/* reload re-reads the config and key files; LMDB reads, writes,
	 * syncs and locks its files; the control socket is unlinked */
	"openat", "newfstatat", "fstat", "statx", "lseek", "pread64",
	"pwrite64", "fsync", "fdatasync", "msync", "ftruncate", "fadvise64",
	"unlink", "unlinkat", "flock",
	/* the store asks whether a look-up on the loop met the disk (its
	 * thread's major faults) */
	"getrusage",
	NULL
};

const char *const confine_sys_connect[] = {
	/* a Connect link reconnects; reload starts new listeners */
	"socket", "connect", "bind", "listen",
	NULL
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define CONFINE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_SANITIZER 1
#endif
#endif

#ifdef CONFINE_SANITIZER
/* What the sanitizers' reports and the leak checker at exit need (test
 * builds only). */
static const char *const sys_sanitizer[] = {
	"clone", "clone3", "ptrace", "prctl", "readlink", "readlinkat",
	"sched_getaffinity", "getdents64", "wait4", "getppid", "setrlimit",
	"open", "stat", "lstat", "access", "faccessat", "faccessat2",
	"mincore", "process_vm_readv", "kill",
	NULL
};
#endif

/* --- Landlock --------------------------------------------------------------- */

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION	(1U << 0)
#endif

static int
ll_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Every file system right the kernel's ABI knows. */
static uint64_t
ll_handled(int abi)
{
	uint64_t a = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;

#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		a |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		a |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	(void)abi;
	return a;
}

/* The rights one path gets: read only or read-write (never execute), as
 * a directory or a file takes them. */
static uint64_t
ll_rights(uint64_t handled, int write, int dir)
{
	uint64_t file = LANDLOCK_ACCESS_FS_READ_FILE;
	uint64_t r;

	if (write) {
		file |= LANDLOCK_ACCESS_FS_WRITE_FILE;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
		file |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	}
	r = file;
	if (dir) {
		r |= LANDLOCK_ACCESS_FS_READ_DIR;
		if (write)
			r |= LANDLOCK_ACCESS_FS_REMOVE_FILE |
			    LANDLOCK_ACCESS_FS_MAKE_REG |
			    LANDLOCK_ACCESS_FS_MAKE_SOCK;
	}
	return r & handled;
}

int
confine_files(const struct confine_path *p, size_t n, int *abi, char *err,
    size_t errsz)
{
	struct landlock_ruleset_attr ra;
	struct landlock_path_beneath_attr pb;
	struct stat st;
	size_t i;
	int rs, fd;

	if ((*abi = ll_abi()) == 0)
		return 0;
	memset(&ra, 0, sizeof ra);
	ra.handled_access_fs = ll_handled(*abi);
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof ra,
	    0)) < 0) {
		snprintf(err, errsz, "landlock_create_ruleset: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((fd = open(p[i].path, O_PATH | O_CLOEXEC)) == -1 ||
		    fstat(fd, &st) == -1) {
			snprintf(err, errsz, "landlock: %s: %s", p[i].path,
			    strerror(errno));
			goto fail;
		}
		memset(&pb, 0, sizeof pb);
		pb.parent_fd = fd;
		pb.allowed_access = ll_rights(ra.handled_access_fs,
		    p[i].write, S_ISDIR(st.st_mode));
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH,
		    &pb, 0) == -1) {
			snprintf(err, errsz, "landlock: %s: %s", p[i].path,
			    strerror(errno));
			close(fd);
			goto fail;
		}
		close(fd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		snprintf(err, errsz, "landlock_restrict_self: %s",
		    strerror(errno));
		goto fail;
	}
	close(rs);
	return 0;
fail:
	close(rs);
	return -1;
}

/* --- seccomp -------------------------------------------------------------------- */

/* CONFINE_SECCOMP_DEBUG=1: a forbidden call raises SIGSYS here first, to
 * name it on stderr, and then kills the process all the same. */
static void
on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char b[96];
	int n;

	(void)ctx;
	n = snprintf(b, sizeof b, "seccomp: forbidden system call %d: "
	    "killed\n", si->si_syscall);
	if (n > 0)
		(void)!write(2, b, (size_t)n);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
add_set(scmp_filter_ctx ctx, const char *const *set, char *err, size_t errsz)
{
	int nr;

	for (; *set != NULL; set++) {
		if ((nr = seccomp_syscall_resolve_name(*set)) == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0) {
			snprintf(err, errsz, "seccomp: %s", *set);
			return -1;
		}
	}
	return 0;
}

/* ioctl with this request only. */
static int
allow_ioctl(scmp_filter_ctx ctx, unsigned long req)
{
	struct scmp_arg_cmp c;

	memset(&c, 0, sizeof c);
	c.arg = 1;
	c.op = SCMP_CMP_EQ;
	c.datum_a = req;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    &c);
}

int
confine_syscalls(const char *const *const sets[], char *err, size_t errsz)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	uint32_t deny = SCMP_ACT_KILL_PROCESS;
	size_t i;
	int rc;

	if (getenv("CONFINE_SECCOMP_DEBUG") != NULL) {
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSYS, &sa, NULL);
		deny = SCMP_ACT_TRAP;
	}
	if ((ctx = seccomp_init(deny)) == NULL) {
		snprintf(err, errsz, "seccomp_init failed");
		return -1;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; rc == 0 && sets[i] != NULL; i++)
		rc = add_set(ctx, sets[i], err, errsz);
#ifdef CONFINE_SANITIZER
	if (rc == 0)
		rc = add_set(ctx, sys_sanitizer, err, errsz);
#endif
	/* ioctl only to ask how much a socket holds, or to make it
	 * non-blocking (libevent) */
	if (rc == 0)
		rc = allow_ioctl(ctx, FIONREAD);
	if (rc == 0)
		rc = allow_ioctl(ctx, FIONBIO);
	if (rc == 0 && (rc = seccomp_load(ctx)) != 0)
		snprintf(err, errsz, "seccomp_load: %s", strerror(-rc));
	else if (rc != 0 && err[0] == '\0')
		snprintf(err, errsz, "seccomp: %s", strerror(-rc));
	seccomp_release(ctx);
	return rc == 0 ? 0 : -1;
}

int
confine_seccomp_mode(void)
{
	char line[128];
	FILE *f;
	int mode = 0;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}
