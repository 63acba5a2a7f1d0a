/*
 * little.h — how long new work would wait in a pipeline, by Little's law
 * (work in the system = throughput x time in the system): the work in it
 * now, times the time between completions while it was busy, plus the
 * time one piece takes through an empty pipeline.  Cheap enough to ask
 * for every request; used by admission (gateway/admit.c) to answer a
 * request at once rather than late.
 */
#ifndef BASE_LITTLE_H
#define BASE_LITTLE_H

#include <stdint.h>

/* The last LITTLE_KEEP samples of a figure, for their median. */
#define LITTLE_KEEP	9
struct little_keep {
	double		 v[LITTLE_KEEP];
	unsigned	 n, next;
};

struct little {
	uint64_t	 n;		/* in the pipeline now */
	uint64_t	 last_us;	/* last completion, or busy since */
	double		 gap_us;	/* between completions, while busy */
	double		 base_us;	/* through an empty pipeline */
	/* the window being measured: busy time, completions in it */
	uint64_t	 win_us, win_done;
	struct little_keep gaps, bases;	/* their last samples */
};

/* Work enters at now: returns how much was in before it (keep it for
 * little_leave). */
uint64_t little_enter(struct little *, uint64_t now);
/* Work that entered at `entered` with `ahead` before it leaves at now. */
void	little_leave(struct little *, uint64_t now, uint64_t entered,
	    uint64_t ahead);
/* The time new work entering now is expected to take, µs. */
uint64_t little_wait(const struct little *);
/* The time one piece takes through an empty pipeline, µs. */
uint64_t little_base(const struct little *);
/* The time between completions while busy, µs. */
uint64_t little_gap(const struct little *);

#endif
