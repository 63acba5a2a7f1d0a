/*
 * little.h — how long new work would wait in a pipeline, by Little's law
 * (work in the system = throughput x time in the system): the work in it
 * now, times the time between completions while it was busy, plus the
 * time one piece takes through an empty pipeline.  Cheap enough to ask
 * for every request; used by admission (gateway/admit.c) to answer a
 * request at once rather than late.
 *
 * A pipeline that ends its work in batches (a group commit) clears a
 * pile-up faster than it clears its ordinary load: one batch takes all
 * that waits, and a batch of sixty costs little more than one of six.
 * Below saturation the time between completions is the time between
 * arrivals, so n of them overprices a pile-up several times (a stop of
 * the host leaves one: 50-100 decisions).  So the pipeline reports its
 * batches (little_batch), and a young pile-up is priced at the time a
 * piece of the recent large ones took.  Only a young one: a batch's time
 * is one stage's, and a pile-up that lasts is overload, where the stage
 * that limits may be another (the loop, beside a busy neighbour); there
 * what completes, the gap, is the pace.
 */
#ifndef BASE_LITTLE_H
#define BASE_LITTLE_H

#include <stdint.h>

/* The last LITTLE_KEEP samples of a figure, for their median. */
#define LITTLE_KEEP	9
/* A pile-up: this many in the pipeline; a large batch: as many. */
#define LITTLE_PILE	32
/* A pile-up is young this long after it became one... */
#define LITTLE_PILE_YOUNG_US	20000
/* ...and priced by large batches that ended this long ago at most. */
#define LITTLE_BATCH_FRESH_US	1000000
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
	/* a pile-up since (0: none); large batches: time a piece, the
	 * last one's end and number */
	uint64_t	 pile_at;
	struct little_keep paces;
	double		 pace_us;
	uint64_t	 pace_at, batch_seq;
};

/* Work enters at now: returns how much was in before it (keep it for
 * little_leave). */
uint64_t little_enter(struct little *, uint64_t now);
/* Work that entered at `entered` with `ahead` before it leaves at now. */
void	little_leave(struct little *, uint64_t now, uint64_t entered,
	    uint64_t ahead);
/* A batch (number seq, from 1: reported once, whichever of its pieces
 * tells) of k pieces took took_us of work, ending at now. */
void	little_batch(struct little *, uint64_t now, uint64_t seq, uint64_t k,
	    uint64_t took_us);
/* The time new work entering now is expected to take, µs. */
uint64_t little_wait(const struct little *, uint64_t now);
/* The time one piece takes through an empty pipeline, µs. */
uint64_t little_base(const struct little *);
/* The time between completions while busy, µs. */
uint64_t little_gap(const struct little *);
/* The time a piece of the recent large batches took, µs (0: none). */
uint64_t little_pace(const struct little *);

#endif
