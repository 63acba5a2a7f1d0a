/*
 * pacer.c — fixed-rate schedule: send number k is due at t0 + k/rate.
 */
#include "scheme-sim/pacer.h"

void
sim_pacer_init(struct sim_pacer *p, uint64_t rate, uint64_t now_ns,
    uint64_t burst)
{
	p->rate = rate;
	p->t0_ns = now_ns;
	p->issued = 0;
	p->burst = burst ? burst : 1;
}

uint64_t
sim_pacer_due(const struct sim_pacer *p, uint64_t now_ns)
{
	unsigned __int128 want;
	uint64_t n;

	if (p->rate == 0)
		return p->burst;
	if (now_ns < p->t0_ns)
		return 0;
	/* +1: send number 0 is due at t0 itself. */
	want = (unsigned __int128)(now_ns - p->t0_ns) * p->rate / 1000000000u +
	    1;
	if (want <= p->issued)
		return 0;
	n = (uint64_t)(want - p->issued);
	return n > p->burst ? p->burst : n;
}

void
sim_pacer_take(struct sim_pacer *p, uint64_t n)
{
	p->issued += n;
}

uint64_t
sim_pacer_wait(const struct sim_pacer *p, uint64_t now_ns)
{
	unsigned __int128 due;

	if (p->rate == 0)
		return 0;
	/* Send number `issued` is due at t0 + issued * 1e9 / rate. */
	due = (unsigned __int128)p->issued * 1000000000u / p->rate + p->t0_ns;
	return due <= now_ns ? 0 : (uint64_t)(due - now_ns);
}
