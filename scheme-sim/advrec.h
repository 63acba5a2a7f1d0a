/*
 * advrec.h — the simulated core's record of what the gateway told it:
 * one JSON line per ADVICE received (and per OUT_RESPONSE), with the PAN
 * masked, and the set of advice ids seen so repeats are flagged
 * ("dup":true) — the tests check that no approval is missing from the
 * core's view and none is counted twice.
 */
#ifndef SIM_ADVREC_H
#define SIM_ADVREC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sim_advrec {
	FILE		*f;
	uint64_t	*ids;		/* open addressing; 0 = empty */
	size_t		 cap, n;
	int		 has_zero;
	uint64_t	 unique, dups;
};

int	sim_advrec_open(struct sim_advrec *, const char *path);	/* NULL: none */
void	sim_advrec_close(struct sim_advrec *);
/* Notes an advice id; 1 if it was new, 0 if a repeat, -1 on no memory. */
int	sim_advrec_seen(struct sim_advrec *, uint64_t id);
/* One line for a frame body (message TLV): kind "advice"/"out_response". */
void	sim_advrec_write(struct sim_advrec *, const char *kind,
	    uint64_t corr_id, int dup, const uint8_t *body, size_t len,
	    uint64_t extra_us);
void	sim_advrec_flush(struct sim_advrec *);

#endif
