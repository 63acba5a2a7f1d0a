/*
 * outseen.c — OUT_REQUEST corr_ids: a chained hash and an age list.
 */
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gateway/outseen.h"

#define NBUCKETS	4096

struct seen {
	struct seen		*hnext;
	TAILQ_ENTRY(seen)	 age;
	uint64_t		 corr;
	uint64_t		 expires;
	int			 answered;
	size_t			 len;
	uint8_t			*body;		/* the answer: may hold a PAN */
};

static struct seen *buckets[NBUCKETS];
static TAILQ_HEAD(, seen) ages = TAILQ_HEAD_INITIALIZER(ages);
static size_t count;
static void (*expired)(uint64_t);

static struct seen **
slot(uint64_t corr)
{
	struct seen **pp = &buckets[(corr ^ corr >> 29) % NBUCKETS];

	while (*pp != NULL && (*pp)->corr != corr)
		pp = &(*pp)->hnext;
	return pp;
}

static void
drop(struct seen *e)
{
	struct seen **pp = slot(e->corr);

	*pp = e->hnext;
	TAILQ_REMOVE(&ages, e, age);
	count--;
	if (e->body != NULL)
		sodium_memzero(e->body, e->len);
	free(e->body);
	free(e);
}

/* Used now: kept keep_us more, at the young end of the list. */
static void
touch(struct seen *e, uint64_t now, uint64_t keep)
{
	e->expires = now + keep;
	TAILQ_REMOVE(&ages, e, age);
	TAILQ_INSERT_TAIL(&ages, e, age);
}

enum outseen_state
outseen_check(uint64_t corr, uint64_t now, uint64_t keep,
    const uint8_t **body, size_t *len)
{
	struct seen **pp = slot(corr), *e;

	if ((e = *pp) != NULL) {
		touch(e, now, keep);
		if (!e->answered)
			return OUTSEEN_INFLIGHT;
		*body = e->body;
		*len = e->len;
		return OUTSEEN_ANSWERED;
	}
	outseen_expire(now);
	if (count >= OUTSEEN_MAX || (e = calloc(1, sizeof *e)) == NULL)
		return OUTSEEN_FULL;
	e->corr = corr;
	e->expires = now + keep;
	*pp = e;
	TAILQ_INSERT_TAIL(&ages, e, age);
	count++;
	return OUTSEEN_NEW;
}

void
outseen_answered(uint64_t corr, const uint8_t *body, size_t len,
    uint64_t now, uint64_t keep)
{
	struct seen *e = *slot(corr);

	if (e == NULL || e->answered)
		return;
	if ((e->body = malloc(len > 0 ? len : 1)) == NULL) {
		/* Unanswerable again: forget it rather than stay silent. */
		drop(e);
		return;
	}
	memcpy(e->body, body, len);
	e->len = len;
	e->answered = 1;
	touch(e, now, keep);
}

void
outseen_expire(uint64_t now)
{
	struct seen *e;

	/* In-flight entries are kept until answered: the answer (or the
	 * link's timeout, which answers 91) always comes. */
	while ((e = TAILQ_FIRST(&ages)) != NULL && e->expires <= now &&
	    e->answered) {
		if (expired != NULL)
			expired(e->corr);
		drop(e);
	}
}

void
outseen_on_expire(void (*fn)(uint64_t))
{
	expired = fn;
}

size_t
outseen_count(void)
{
	return count;
}

void
outseen_shutdown(void)
{
	struct seen *e;

	while ((e = TAILQ_FIRST(&ages)) != NULL)
		drop(e);
}
