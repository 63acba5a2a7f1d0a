/*
 * delay.h — injected answer latency: fixed, or drawn from a distribution
 *   uniform:MIN:MAX   normal:MEAN:SD   exp:MEAN   (durations: 1ms, 250us)
 * and a fast random generator the core simulator also uses for --drop.
 */
#ifndef SIM_DELAY_H
#define SIM_DELAY_H

#include <stdint.h>

enum sim_dist {
	SIM_D_NONE, SIM_D_FIXED, SIM_D_UNIFORM, SIM_D_NORMAL, SIM_D_EXP
};

struct sim_delay {
	int		kind;
	uint64_t	a, b;		/* ns: fixed/min/mean, max/sd */
};

/* "5ms" (fixed) or "uniform:1ms:10ms" ...  0 / -1. */
int	 sim_delay_parse(struct sim_delay *, const char *);
uint64_t sim_delay_draw(const struct sim_delay *, uint64_t *rng);

void	 sim_rng_seed(uint64_t *rng, uint64_t seed);
uint64_t sim_rng_next(uint64_t *rng);
double	 sim_rng_unit(uint64_t *rng);		/* [0, 1) */
/* Natural log without libm (we do not link it). */
double	 sim_ln(double);

#endif
