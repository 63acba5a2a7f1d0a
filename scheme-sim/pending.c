/*
 * pending.c — ring of requests in flight, keyed by sequence number.
 */
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/pending.h"

#define STAN_MOD	999999u
#define RING_MAX	(1u << 19)

int
sim_pending_init(struct sim_pending_ring *r, size_t min_slots,
    uint64_t first_seq)
{
	size_t n = 1024;

	while (n < min_slots && n < RING_MAX)
		n <<= 1;
	memset(r, 0, sizeof *r);
	if ((r->v = calloc(n, sizeof *r->v)) == NULL)
		return -1;
	r->mask = n - 1;
	r->head = r->tail = first_seq;
	return 0;
}

void
sim_pending_free(struct sim_pending_ring *r)
{
	free(r->v);
	r->v = NULL;
}

size_t
sim_pending_slots(const struct sim_pending_ring *r)
{
	return r->mask + 1;
}

uint32_t
sim_stan(uint64_t seq)
{
	return (uint32_t)(seq % STAN_MOD) + 1;
}

/* Moves tail past slots already answered. */
static void
advance_tail(struct sim_pending_ring *r)
{
	while (r->tail < r->head && r->v[r->tail & r->mask].seq_1 == 0)
		r->tail++;
}

struct sim_pending *
sim_pending_next(struct sim_pending_ring *r, uint64_t *seq)
{
	struct sim_pending *p = &r->v[r->head & r->mask];

	if (p->seq_1 != 0)
		return NULL;
	memset(p, 0, sizeof *p);
	*seq = r->head;
	p->seq_1 = r->head + 1;
	r->head++;
	r->inflight++;
	return p;
}

struct sim_pending *
sim_pending_find(struct sim_pending_ring *r, uint32_t stan)
{
	uint64_t last, d, seq;
	uint32_t last_stan;
	struct sim_pending *p;

	if (r->head == r->tail || stan < 1 || stan > STAN_MOD)
		return NULL;
	last = r->head - 1;
	last_stan = sim_stan(last);
	/* How far back from the newest request this STAN lies. */
	d = (last_stan + STAN_MOD - stan) % STAN_MOD;
	if (d > last - r->tail)
		return NULL;
	seq = last - d;
	p = &r->v[seq & r->mask];
	return p->seq_1 == seq + 1 ? p : NULL;
}

void
sim_pending_done(struct sim_pending_ring *r, struct sim_pending *p)
{
	if (p->seq_1 == 0)
		return;
	p->seq_1 = 0;
	r->inflight--;
	advance_tail(r);
}

struct sim_pending *
sim_pending_expire(struct sim_pending_ring *r, uint64_t cutoff_ns, int force)
{
	struct sim_pending *p;

	advance_tail(r);
	if (r->tail == r->head)
		return NULL;
	p = &r->v[r->tail & r->mask];
	if (!force && p->sent_ns > cutoff_ns)
		return NULL;
	/* The caller reads the slot before the next add reuses it. */
	p->seq_1 = 0;
	r->inflight--;
	r->tail++;
	return p;
}

struct sim_pending *
sim_pending_at(struct sim_pending_ring *r, uint64_t seq)
{
	struct sim_pending *p;

	if (seq < r->tail || seq >= r->head)
		return NULL;
	p = &r->v[seq & r->mask];
	return p->seq_1 == seq + 1 ? p : NULL;
}
