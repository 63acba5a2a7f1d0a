/* cpuslice.c — see cpuslice.h. */
#include <sys/syscall.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cpuslice.h"

/*
 * The kernel's struct sched_attr (uapi linux/sched/types.h), size
 * version 1, spelled here: glibc before 2.41 has no sched_setattr, and
 * from 2.41 its <sched.h> declares the struct the uapi header does too.
 */
struct slice_attr {
	uint32_t	size;
	uint32_t	policy;
	uint64_t	flags;
	int32_t		nice;
	uint32_t	priority;
	uint64_t	runtime;	/* for SCHED_OTHER: the slice, ns */
	uint64_t	deadline;
	uint64_t	period;
	uint32_t	util_min;
	uint32_t	util_max;
};

_Static_assert(sizeof(struct slice_attr) == 56, "sched_attr, size 1");

int
cpuslice_set(uint64_t slice_us, char *why, size_t whylen)
{
	struct slice_attr a;
	int e;

	/* 1. What this thread has now: its nice stays as the unit set it. */
	memset(&a, 0, sizeof a);
	if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) == -1) {
		snprintf(why, whylen, "sched_getattr: %s", strerror(errno));
		return -1;
	}
	if (a.policy != SCHED_OTHER) {
		snprintf(why, whylen, "not SCHED_OTHER");
		return 0;
	}
	/* 2. The same, with the slice asked for. */
	a.size = sizeof a;
	a.flags = 0;
	a.runtime = slice_us * 1000;
	if (syscall(SYS_sched_setattr, 0, &a, 0) == -1) {
		e = errno;
		snprintf(why, whylen, "sched_setattr: %s", strerror(e));
		return e == EPERM ? 0 : -1;
	}
	/* 3. Read back: a kernel before 6.12 takes the call and ignores
	 * the slice (it reports 0). */
	memset(&a, 0, sizeof a);
	if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) == -1) {
		snprintf(why, whylen, "sched_getattr: %s", strerror(errno));
		return -1;
	}
	if (a.runtime != slice_us * 1000) {
		snprintf(why, whylen, "kernel keeps its own slice (%llu us): "
		    "custom slices need Linux 6.12",
		    (unsigned long long)(a.runtime / 1000));
		return 0;
	}
	snprintf(why, whylen, "slice set");
	return 1;
}
