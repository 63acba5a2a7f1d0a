/*
 * stats.h — what the scheme simulator counts for one phase of a run:
 * responses by DE39, the error classes, and the latency histogram.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdint.h>

#include "scheme-sim/hist.h"

#define SIM_RC_N	(36 * 36)	/* DE39 is 2 characters of [0-9A-Z] */

struct sim_stats {
	char		name[32];
	uint64_t	t_start_ns, t_end_ns;
	uint64_t	sent;
	uint64_t	received;	/* matched responses */
	uint64_t	by_rc[SIM_RC_N];
	uint64_t	rc_other;	/* DE39 absent or outside [0-9A-Z]{2} */
	uint64_t	rc_unexpected;	/* DE39 not in the --expect set */
	uint64_t	mismatch;	/* MTI or an echoed field differs */
	uint64_t	timeouts;	/* no answer within --timeout */
	uint64_t	late;		/* answered after the timeout fired */
	uint64_t	unexpected;	/* a response to nothing we sent */
	uint64_t	decode_err;	/* did not unpack in the profile */
	uint64_t	deadline_miss;	/* after --deadline, or never */
	uint64_t	approved_core;	/* 00 with the core sim's DE38 mark */
	uint64_t	approved_other;	/* 00 otherwise (stand-in) */
	uint64_t	netmgmt;	/* 0800s answered, 0810s received */
	uint64_t	incoming;	/* requests from the gateway answered */
	struct hist	lat;		/* ns */
};

void	sim_stats_init(struct sim_stats *, const char *name, uint64_t now_ns);
void	sim_stats_merge(struct sim_stats *dst, const struct sim_stats *src);
/* -1 if rc is not two [0-9A-Z] characters. */
int	sim_rc_index(const char *rc);
void	sim_rc_name(int idx, char out[3]);
uint64_t sim_stats_errors(const struct sim_stats *);

#endif
