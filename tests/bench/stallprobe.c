/*
 * stallprobe — how long this machine stops running anything.  Sleeps 1 ms
 * at a time until SIGTERM or SIGINT (or for ARG seconds), and counts each
 * wake-up more than 3 ms late as a stall: time in which no process here
 * ran, whatever its priority.  Prints one line:
 *   stalls=N stall_ms=TOTAL max_us=MAX per_s=N.N
 * On this project's VMs the host stops both vCPUs for ~9 ms in each
 * 100 ms period once the guest keeps both busy and does I/O (the host's
 * CPU quota counts its own disk-emulation threads): a latency figure
 * taken in such a run carries those stalls, and this says how many.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define STEP_NS		1000000ull
#define LATE_NS		3000000ull

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct timespec step = { 0, (long)STEP_NS };
	uint64_t t0 = now_ns(), end = UINT64_MAX, a, b, n = 0, total = 0,
	    max = 0;

	if (argc > 1)
		end = t0 + (uint64_t)(atof(argv[1]) * 1e9);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop && (a = now_ns()) < end) {
		nanosleep(&step, NULL);
		b = now_ns();
		if (b - a > LATE_NS + STEP_NS && !stop) {
			n++;
			total += b - a - STEP_NS;
			if (b - a - STEP_NS > max)
				max = b - a - STEP_NS;
		}
	}
	b = now_ns();
	printf("stalls=%llu stall_ms=%llu max_us=%llu per_s=%.1f\n",
	    (unsigned long long)n, (unsigned long long)(total / 1000000),
	    (unsigned long long)(max / 1000),
	    (double)n * 1e9 / (double)(b - t0 > 0 ? b - t0 : 1));
	return 0;
}
