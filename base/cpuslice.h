/*
 * cpuslice.h — the CPU slice the kernel gives this thread and the threads
 * it starts after (EEVDF, Linux 6.12 and later: sched_setattr's
 * sched_runtime for SCHED_OTHER).  A task that asks for a short slice is
 * run sooner when it wakes: its virtual deadline comes first, so a
 * request that wakes the loop does not wait out another process's slice
 * of a few milliseconds on the same CPU.  It runs no longer in all: its
 * share of the CPU is still its weight's.
 */
#ifndef BASE_CPUSLICE_H
#define BASE_CPUSLICE_H

#include <stddef.h>
#include <stdint.h>

/* The kernel's bounds for a slice asked for. */
#define CPUSLICE_MIN_US		100
#define CPUSLICE_MAX_US		100000

/* 1: the slice is slice_us; 0: this kernel keeps its own (before 6.12,
 * or the request was refused: why says which); -1: could not ask. */
int	cpuslice_set(uint64_t slice_us, char *why, size_t whylen);

#endif
