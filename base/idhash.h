/*
 * idhash.h — things found by a 64-bit id: a chained hash of 2^16 buckets,
 * intrusive (each thing holds its struct idlink, the id in it).  For the
 * queues that must find an entry by id without walking them: the advice
 * queue (up to 100,000 in memory under overload) and the pair's mirror
 * (65,536 with the peer gone), where every ack and amendment looks one up,
 * and the OUT_REQUEST corr_ids seen lately (100,000 at most).
 */
#ifndef BASE_IDHASH_H
#define BASE_IDHASH_H

#include <stddef.h>
#include <stdint.h>

struct idlink {
	struct idlink	*next;		/* its bucket's chain */
	uint64_t	 id;
};

struct idhash {
	struct idlink	**b;
	unsigned char	  key[16];	/* the hash's (idhash.c) */
};

/* 0, or -1 (no memory). */
int	idhash_init(struct idhash *);
/* The buckets only: the things are their owner's. */
void	idhash_free(struct idhash *);
/* l->id set by the caller. */
void	idhash_add(struct idhash *, struct idlink *l);
/* l must be in h. */
void	idhash_del(struct idhash *, struct idlink *l);
/* The last added with this id, or NULL. */
struct idlink *idhash_find(const struct idhash *, uint64_t id);

/* The thing of type that holds link l as its member. */
#define IDHASH_ITEM(l, type, member) \
	((type *)(void *)((char *)(l) - offsetof(type, member)))

#endif
