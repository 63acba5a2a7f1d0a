/*
 * hist.c — log-linear latency histogram.  Values below 2*HIST_SUB are
 * exact; above, each power of two is split into HIST_SUB equal buckets.
 * Recording is a shift and an increment, so the load generator can record
 * every response without measurable cost.
 */
#include <string.h>

#include "scheme-sim/hist.h"

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof *h);
	h->min = UINT64_MAX;
}

size_t
hist_index(uint64_t v)
{
	int msb, shift;

	if (v < 2 * HIST_SUB)
		return (size_t)v;
	msb = 63 - __builtin_clzll(v);		/* >= HIST_SUB_BITS + 1 */
	shift = msb - HIST_SUB_BITS;		/* v >> shift in [64, 127] */
	return (size_t)shift * HIST_SUB + (size_t)(v >> shift);
}

uint64_t
hist_bucket_low(size_t idx)
{
	size_t shift;

	if (idx < 2 * HIST_SUB)
		return idx;
	shift = idx / HIST_SUB - 1;
	return (uint64_t)(idx - shift * HIST_SUB) << shift;
}

uint64_t
hist_bucket_high(size_t idx)
{
	/* One below where the next bucket starts.  After the top bucket
	 * that start is 2^64, which wraps to 0: its high is UINT64_MAX. */
	return hist_bucket_low(idx + 1) - 1;
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	size_t i;

	if (src->count == 0)
		return;
	for (i = 0; i < HIST_NBUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
hist_pct(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	double r;
	size_t i;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	/* Nearest rank: ceil(p/100 * n), at least 1.  The tolerance keeps
	 * 99.9% of 1000 at rank 999 despite binary floating point. */
	r = p * (double)h->count / 100.0;
	rank = (uint64_t)r;
	if (r - (double)rank > 1e-9 * r)
		rank++;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_NBUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			v = hist_bucket_high(i);
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

double
hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}
