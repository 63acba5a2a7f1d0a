/* little.c — see little.h. */
#include "base/little.h"

/*
 * The time between completions is measured over windows of busy time,
 * not completion by completion: a group commit ends hundreds of
 * decisions at once and then nothing for a commit's length, and an
 * average over single gaps would be pulled to zero by the burst.  The
 * windows' figures are then averaged, and the empty-pipeline time too
 * (rare under load: then the last ones seen are what counts).
 */
#define WINDOW_US	10000
#define GAP_WEIGHT	(1.0 / 4)
#define BASE_WEIGHT	(1.0 / 8)

uint64_t
little_enter(struct little *q, uint64_t now)
{
	/* A busy period starts: its time counts from here, not from a
	 * completion before an idle spell. */
	if (q->n == 0)
		q->last_us = now;
	return q->n++;
}

void
little_leave(struct little *q, uint64_t now, uint64_t entered,
    uint64_t ahead)
{
	double sample, took;

	if (q->n == 0)
		return;
	q->n--;
	q->win_us += now > q->last_us ? now - q->last_us : 0;
	q->win_done++;
	q->last_us = now;
	if (q->win_us >= WINDOW_US) {
		sample = (double)q->win_us / (double)q->win_done;
		if (q->gap_us == 0)
			q->gap_us = sample;
		else
			q->gap_us += (sample - q->gap_us) * GAP_WEIGHT;
		q->win_us = q->win_done = 0;
	}
	if (ahead == 0) {
		took = now > entered ? (double)(now - entered) : 0;
		q->base_us += (took - q->base_us) * BASE_WEIGHT;
	}
}

/*
 * The n pieces before it leave one gap apart (at low load a gap is the
 * time between arrivals, and n x gap the time in the system itself:
 * pessimistic by one base, which only matters when the budget is short
 * anyway); then its own way through.  Only closed windows count: a
 * stall's own time would keep growing while nothing is admitted, and
 * one piece stuck in the pipeline would shut the door for good.
 */
uint64_t
little_wait(const struct little *q)
{
	return (uint64_t)(q->base_us + (double)q->n * q->gap_us);
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
