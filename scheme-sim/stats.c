/*
 * stats.c — phase counters.  Kept separate from the report printers so
 * a run can keep one per phase and a total, and merge them.
 */
#include <stdio.h>
#include <string.h>

#include "scheme-sim/stats.h"

void
sim_stats_init(struct sim_stats *s, const char *name, uint64_t now_ns)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->t_start_ns = s->t_end_ns = now_ns;
	hist_reset(&s->lat);
}

static int
rc_char(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

int
sim_rc_index(const char *rc)
{
	int a, b;

	if ((a = rc_char(rc[0])) < 0 || (b = rc_char(rc[1])) < 0)
		return -1;
	return a * 36 + b;
}

void
sim_rc_name(int idx, char out[3])
{
	static const char d[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	out[0] = d[idx / 36];
	out[1] = d[idx % 36];
	out[2] = '\0';
}

void
sim_stats_merge(struct sim_stats *dst, const struct sim_stats *src)
{
	int i;

	if (src->t_start_ns < dst->t_start_ns)
		dst->t_start_ns = src->t_start_ns;
	if (src->t_end_ns > dst->t_end_ns)
		dst->t_end_ns = src->t_end_ns;
	dst->sent += src->sent;
	dst->received += src->received;
	for (i = 0; i < SIM_RC_N; i++)
		dst->by_rc[i] += src->by_rc[i];
	dst->rc_other += src->rc_other;
	dst->rc_unexpected += src->rc_unexpected;
	dst->mismatch += src->mismatch;
	dst->timeouts += src->timeouts;
	dst->late += src->late;
	dst->unexpected += src->unexpected;
	dst->decode_err += src->decode_err;
	dst->deadline_miss += src->deadline_miss;
	dst->approved_core += src->approved_core;
	dst->approved_other += src->approved_other;
	dst->netmgmt += src->netmgmt;
	dst->incoming += src->incoming;
	hist_merge(&dst->lat, &src->lat);
}

uint64_t
sim_stats_errors(const struct sim_stats *s)
{
	return s->rc_unexpected + s->mismatch + s->timeouts + s->unexpected +
	    s->decode_err;
}
