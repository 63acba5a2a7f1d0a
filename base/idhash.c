/* idhash.c — see idhash.h. */
#include <stdlib.h>

#include "base/idhash.h"

#define IDHASH_BITS	16

static struct idlink **
bucket(const struct idhash *h, uint64_t id)
{
	/* Fibonacci hashing: ids that count up spread over all buckets. */
	return &h->b[(id * 0x9E3779B97F4A7C15ull) >> (64 - IDHASH_BITS)];
}

int
idhash_init(struct idhash *h)
{
	h->b = calloc((size_t)1 << IDHASH_BITS, sizeof *h->b);
	return h->b != NULL ? 0 : -1;
}

void
idhash_free(struct idhash *h)
{
	free(h->b);
	h->b = NULL;
}

void
idhash_add(struct idhash *h, struct idlink *l)
{
	struct idlink **b = bucket(h, l->id);

	l->next = *b;
	*b = l;
}

void
idhash_del(struct idhash *h, struct idlink *l)
{
	struct idlink **pp = bucket(h, l->id);

	while (*pp != l)
		pp = &(*pp)->next;
	*pp = l->next;
}

struct idlink *
idhash_find(const struct idhash *h, uint64_t id)
{
	struct idlink *l = *bucket(h, id);

	while (l != NULL && l->id != id)
		l = l->next;
	return l;
}
