/*
 * clock.h — the two clocks, in microseconds: monotonic for deadlines and
 * durations, wall for what goes on the record (advices, logs).
 */
#ifndef BASE_CLOCK_H
#define BASE_CLOCK_H

#include <stdint.h>

uint64_t now_us(void);		/* CLOCK_MONOTONIC */
uint64_t wall_us(void);		/* µs since the epoch */
/* Whether the kernel says the wall clock is synchronised (NTP, PTP):
 * 1, 0, or -1 when it cannot tell. */
int	clock_synchronised(void);

#endif
