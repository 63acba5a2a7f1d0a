/* little.c — see little.h. */
#include <string.h>

#include "base/little.h"

/*
 * The time between completions is measured over windows of busy time,
 * not completion by completion: a group commit ends hundreds of
 * decisions at once and then nothing for a commit's length, and an
 * average over single gaps would be pulled to zero by the burst.  The
 * figure is the median of the last LITTLE_KEEP windows, and the
 * empty-pipeline time the median of its last LITTLE_KEEP samples (rare
 * under load: then the last ones seen are what counts).  A median, not
 * an average: a stop of the host (10 ms with nothing done, several a
 * second on a shared machine) is one window out of nine and moves it
 * not at all, where an average took a quarter of it, and priced the
 * pile-up the stop leaves behind at twice or three times the pace that
 * clears it.  A change that lasts (another process on the CPU) is in
 * most windows, and the median follows it within five.
 */
#define WINDOW_US	10000

static void
keep_sample(struct little_keep *k, double v)
{
	k->v[k->next] = v;
	k->next = (k->next + 1) % LITTLE_KEEP;
	if (k->n < LITTLE_KEEP)
		k->n++;
}

/* The median; of an even count the higher of the middle two. */
static double
keep_median(const struct little_keep *k)
{
	double s[LITTLE_KEEP], t;
	unsigned i, j;

	if (k->n == 0)
		return 0;
	memcpy(s, k->v, k->n * sizeof s[0]);
	for (i = 1; i < k->n; i++)
		for (j = i; j > 0 && s[j - 1] > s[j]; j--) {
			t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return s[k->n / 2];
}

uint64_t
little_enter(struct little *q, uint64_t now)
{
	/* A busy period starts: its time counts from here, not from a
	 * completion before an idle spell. */
	if (q->n == 0)
		q->last_us = now;
	if (q->n + 1 >= LITTLE_PILE && q->pile_at == 0)
		q->pile_at = now;
	return q->n++;
}

void
little_leave(struct little *q, uint64_t now, uint64_t entered,
    uint64_t ahead)
{
	if (q->n == 0)
		return;
	q->n--;
	if (q->n < LITTLE_PILE)
		q->pile_at = 0;
	q->win_us += now > q->last_us ? now - q->last_us : 0;
	q->win_done++;
	q->last_us = now;
	if (q->win_us >= WINDOW_US) {
		keep_sample(&q->gaps, (double)q->win_us /
		    (double)q->win_done);
		q->gap_us = keep_median(&q->gaps);
		q->win_us = q->win_done = 0;
	}
	if (ahead == 0) {
		keep_sample(&q->bases, now > entered ?
		    (double)(now - entered) : 0);
		q->base_us = keep_median(&q->bases);
	}
}

/*
 * A batch's own work only, not the time it waited to start: a stop of
 * the host before it is in no sample, one during it is one of nine.
 */
void
little_batch(struct little *q, uint64_t now, uint64_t seq, uint64_t k,
    uint64_t took_us)
{
	if (seq == q->batch_seq || k < LITTLE_PILE)
		return;
	q->batch_seq = seq;
	keep_sample(&q->paces, (double)took_us / (double)k);
	q->pace_us = keep_median(&q->paces);
	q->pace_at = now;
}

/*
 * The n pieces before it leave one gap apart (at low load a gap is the
 * time between arrivals, and n x gap the time in the system itself:
 * pessimistic by one base, which only matters when the budget is short
 * anyway); then its own way through.  A young pile-up leaves at the
 * pace of the recent large batches if that is faster (little.h).  Only
 * closed windows count: a stall's own time would keep growing while
 * nothing is admitted, and one piece stuck in the pipeline would shut
 * the door for good.
 */
uint64_t
little_wait(const struct little *q, uint64_t now)
{
	double pace = q->gap_us;

	if (q->pile_at != 0 && now - q->pile_at <= LITTLE_PILE_YOUNG_US &&
	    q->paces.n > 0 && now - q->pace_at <= LITTLE_BATCH_FRESH_US &&
	    q->pace_us < pace)
		pace = q->pace_us;
	return (uint64_t)(q->base_us + (double)q->n * pace);
}

uint64_t
little_base(const struct little *q)
{
	return (uint64_t)q->base_us;
}

uint64_t
little_gap(const struct little *q)
{
	return (uint64_t)q->gap_us;
}

uint64_t
little_pace(const struct little *q)
{
	return (uint64_t)q->pace_us;
}
