/* clock.c — see clock.h. */
#include <sys/timex.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

static uint64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

uint64_t
wall_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

int
clock_synchronised(void)
{
	struct timex tx;
	int st;

	memset(&tx, 0, sizeof tx);		/* modes 0: read only */
	if ((st = adjtimex(&tx)) == -1)
		return -1;
	return st != TIME_ERROR && !(tx.status & STA_UNSYNC);
}
