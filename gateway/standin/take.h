/*
 * take.h — advices moved between the store and our queue in batches,
 * off the loop: opened (unsealed) in a store job, put into the queue in
 * the same transaction, handed to the queue's memory once durable.  The
 * peer's advices taken over (peer.c), an export file imported, and our
 * own queue walked for the mirror (take.c).
 */
#ifndef GATEWAY_STANDIN_TAKE_H
#define GATEWAY_STANDIN_TAKE_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/standin/store.h"

#define TAKE_BATCH	256

struct taken {
	uint64_t	 id;		/* ours, in the queue */
	uint64_t	 wall_us;
	size_t		 len;
	uint8_t		*body;
};

/* One batch; peer_id, cb and held serve the takeover. */
struct take_job {
	struct store_job job;
	void		(*cb)(void *, size_t, int);
	void		*arg;
	size_t		 n;
	uint64_t	 held;
	uint64_t	 peer_id[TAKE_BATCH];
	struct taken	 v[TAKE_BATCH];
};

int	take_open(struct take_job *, const char *ctx, const void *k, size_t kl,
	    const void *v, size_t vl);
void	take_clear(struct take_job *);
void	taken_added(struct take_job *, size_t n);

#endif
