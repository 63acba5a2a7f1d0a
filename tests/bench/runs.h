/*
 * runs.h — the spread of a bench line: each line is measured several
 * times, interleaved with the other lines of the same program (and its
 * floor, where it has one), so one noisy moment of a shared VM moves one
 * run, not the figure.  A line prints
 *
 *	median=N min=N max=N runs=N
 *
 * Header-only: a bench is one .c file linked against the libraries.
 */
#ifndef BENCH_RUNS_H
#define BENCH_RUNS_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS_MAX	64

struct runs {
	double	v[RUNS_MAX];
	int	n;
};

static inline double
runs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline void
runs_add(struct runs *r, double x)
{
	if (r->n < RUNS_MAX)
		r->v[r->n++] = x;
}

static int
runs_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of an even count is the mean of the middle two. */
static inline double
runs_median(const struct runs *r)
{
	double s[RUNS_MAX];
	int i;

	if (r->n == 0)
		return 0;
	for (i = 0; i < r->n; i++)
		s[i] = r->v[i];
	qsort(s, (size_t)r->n, sizeof s[0], runs_cmp);
	return r->n % 2 ? s[r->n / 2] : (s[r->n / 2 - 1] + s[r->n / 2]) / 2;
}

static inline double
runs_min(const struct runs *r)
{
	double m = r->n ? r->v[0] : 0;
	int i;

	for (i = 1; i < r->n; i++)
		if (r->v[i] < m)
			m = r->v[i];
	return m;
}

static inline double
runs_max(const struct runs *r)
{
	double m = r->n ? r->v[0] : 0;
	int i;

	for (i = 1; i < r->n; i++)
		if (r->v[i] > m)
			m = r->v[i];
	return m;
}

/* " median=N min=N max=N runs=N", to end a line. */
static inline void
runs_print(FILE *f, const struct runs *r)
{
	fprintf(f, " median=%.0f min=%.0f max=%.0f runs=%d", runs_median(r),
	    runs_min(r), runs_max(r), r->n);
}

#endif
