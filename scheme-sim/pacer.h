/*
 * pacer.h — open-loop send schedule at a fixed rate.  The schedule is
 * computed from the start time, not from the last send, so a stall is
 * caught up (bounded by a burst cap) instead of silently lowering the
 * offered load: latency figures then include the queueing a real scheme
 * would have caused (no coordinated omission).
 */
#ifndef SIM_PACER_H
#define SIM_PACER_H

#include <stdint.h>

struct sim_pacer {
	uint64_t	rate;		/* per second; 0 = unpaced */
	uint64_t	t0_ns;
	uint64_t	issued;
	uint64_t	burst;		/* most sends granted at once */
};

void	 sim_pacer_init(struct sim_pacer *, uint64_t rate, uint64_t now_ns,
	    uint64_t burst);
/* Sends due now (not yet taken). */
uint64_t sim_pacer_due(const struct sim_pacer *, uint64_t now_ns);
void	 sim_pacer_take(struct sim_pacer *, uint64_t n);
/* Nanoseconds until the next send is due (0 if one is due now). */
uint64_t sim_pacer_wait(const struct sim_pacer *, uint64_t now_ns);

#endif
