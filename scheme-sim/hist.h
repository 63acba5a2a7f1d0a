/*
 * hist.h — latency histogram: log-linear buckets (HdrHistogram style,
 * 64 sub-buckets per power of two, so every recorded value is known to
 * within 1/64 = 1.6%), fixed size, no allocation, mergeable.  Values are
 * nanoseconds (any unsigned 64-bit quantity works).
 */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS	6			/* 64 sub-buckets per octave */
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_OCTAVES	58			/* covers all of uint64_t */
#define HIST_NBUCKETS	(HIST_SUB * 2 + HIST_SUB * (HIST_OCTAVES - 1))

struct hist {
	uint64_t	count;
	uint64_t	min;
	uint64_t	max;
	double		sum;
	uint64_t	b[HIST_NBUCKETS];
};

void	 hist_reset(struct hist *);
void	 hist_add(struct hist *, uint64_t v);
/* dst += src */
void	 hist_merge(struct hist *dst, const struct hist *src);
/* Nearest-rank percentile (p in [0, 100]): the smallest recorded value v
 * such that at least p% of the values are <= v, reported as the highest
 * value its bucket can hold (never above the exact max).  0 when empty. */
uint64_t hist_pct(const struct hist *, double p);
double	 hist_mean(const struct hist *);

/* Bucket arithmetic, exposed for the unit test. */
size_t	 hist_index(uint64_t v);
uint64_t hist_bucket_low(size_t idx);
uint64_t hist_bucket_high(size_t idx);

#endif
