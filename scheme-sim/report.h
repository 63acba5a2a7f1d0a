/*
 * report.h — a run's results as text (for people) and JSON (for scripts:
 * the bench and the demo read it).  Latencies are printed in µs.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "scheme-sim/stats.h"

struct json_t;

struct sim_report_ctx {
	const char	*profile;
	const char	*framing;
	int		 conns;
	uint64_t	 rate;		/* 0: as fast as --inflight allows */
	uint64_t	 inflight;
	uint64_t	 deadline_ns;
	int		 kernel_ts;	/* answers timed by kernel rx stamps */
	struct json_t	*extra;		/* keys the JSON adds; NULL: none */
};

void	sim_report_text(FILE *, const struct sim_report_ctx *,
	    const struct sim_stats *);
/* One JSON document: the context, "total", "phases" (every phase run,
 * one or more), and the keys of ctx->extra (its reference taken).
 * 0 / -1. */
int	sim_report_json(const char *path, const struct sim_report_ctx *,
	    const struct sim_stats *total, const struct sim_stats *phases,
	    int nphases);
/* The once-a-second line: counts and latency over the last interval. */
void	sim_report_progress(FILE *, double t_s, const struct sim_stats *iv,
	    const struct sim_stats *total, uint64_t inflight);

#endif
