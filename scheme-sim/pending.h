/*
 * pending.h — requests in flight, in send order.  Sequence numbers are
 * consecutive, so the table is a ring indexed by seq: adding, finding by
 * STAN and expiring the oldest are all O(1), with no allocation.
 * DE11 (STAN) is seq mod 999999 + 1; the ring is much smaller than
 * 999999, so a STAN names at most one request in flight.
 */
#ifndef SIM_PENDING_H
#define SIM_PENDING_H

#include <stddef.h>
#include <stdint.h>

struct sim_pending {
	uint64_t	seq_1;		/* seq + 1; 0 when the slot is free */
	uint64_t	sent_ns;
	uint64_t	amount;
	uint32_t	card;
	int32_t		conn;		/* first sent on (DE41 names it) */
	int32_t		via;		/* last sent on; -1: waits for one */
	uint32_t	resent;		/* retransmissions (failover) */
	char		de7[11];
	char		de12[7];
	char		de13[5];
	char		mti[5];		/* the request's MTI */
};

struct sim_pending_ring {
	struct sim_pending	*v;
	size_t			 mask;
	uint64_t		 head;	/* next seq to send */
	uint64_t		 tail;	/* oldest seq possibly in flight */
	uint64_t		 inflight;
};

/* Ring of at least min_slots (rounded up to a power of two, at most 2^19);
 * seq starts at first_seq. */
int	sim_pending_init(struct sim_pending_ring *, size_t min_slots,
	    uint64_t first_seq);
void	sim_pending_free(struct sim_pending_ring *);
uint32_t sim_stan(uint64_t seq);
/* The slot for the next seq, or NULL while it still holds a request in
 * flight (expire first).  *seq is set; the caller fills the slot. */
struct sim_pending *sim_pending_next(struct sim_pending_ring *, uint64_t *seq);
/* The request in flight with this STAN, or NULL. */
struct sim_pending *sim_pending_find(struct sim_pending_ring *, uint32_t stan);
void	sim_pending_done(struct sim_pending_ring *, struct sim_pending *);
/* Removes and returns the oldest request in flight if it was sent at or
 * before cutoff_ns, or if force is set; NULL otherwise. */
struct sim_pending *sim_pending_expire(struct sim_pending_ring *,
	    uint64_t cutoff_ns, int force);
size_t	sim_pending_slots(const struct sim_pending_ring *);
/* The request seq if it is still in flight, or NULL (a walk from tail to
 * head over this finds every request in flight). */
struct sim_pending *sim_pending_at(struct sim_pending_ring *, uint64_t seq);

#endif
