/*
 * outseen.c — OUT_REQUEST corr_ids: found by id (base/idhash.h: the core
 * chooses them, so the hash is keyed) and kept in an age list.
 */
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/idhash.h"
#include "gateway/outseen.h"

struct seen {
	struct idlink		 hl;		/* hl.id: the corr_id */
	TAILQ_ENTRY(seen)	 age;
	uint64_t		 expires;
	uint64_t		 keep;		/* the last use's keep time */
	int			 answered;
	size_t			 len;
	uint8_t			*body;		/* the answer: may hold a PAN */
};

static struct idhash byid;
static TAILQ_HEAD(, seen) ages = TAILQ_HEAD_INITIALIZER(ages);
static size_t count;
static void (*expired)(uint64_t);

static struct seen *
find(uint64_t corr)
{
	struct idlink *l;

	if (byid.b == NULL || (l = idhash_find(&byid, corr)) == NULL)
		return NULL;
	return IDHASH_ITEM(l, struct seen, hl);
}

static void
drop(struct seen *e)
{
	idhash_del(&byid, &e->hl);
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
	e->keep = keep;
	TAILQ_REMOVE(&ages, e, age);
	TAILQ_INSERT_TAIL(&ages, e, age);
}

enum outseen_state
outseen_check(uint64_t corr, uint64_t now, uint64_t keep,
    const uint8_t **body, size_t *len)
{
	struct seen *e;

	if ((e = find(corr)) != NULL) {
		touch(e, now, keep);
		if (!e->answered)
			return OUTSEEN_INFLIGHT;
		*body = e->body;
		*len = e->len;
		return OUTSEEN_ANSWERED;
	}
	outseen_expire(now);
	if (byid.b == NULL && idhash_init(&byid) == -1)
		return OUTSEEN_FULL;
	if (count >= OUTSEEN_MAX || (e = calloc(1, sizeof *e)) == NULL)
		return OUTSEEN_FULL;
	e->hl.id = corr;
	e->expires = now + keep;
	e->keep = keep;
	idhash_add(&byid, &e->hl);
	TAILQ_INSERT_TAIL(&ages, e, age);
	count++;
	return OUTSEEN_NEW;
}

void
outseen_answered(uint64_t corr, const uint8_t *body, size_t len,
    uint64_t now, uint64_t keep)
{
	struct seen *e = find(corr);

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

	/* In-flight entries are kept until answered (the answer, or the
	 * link's timeout, which answers 91), and one whose record could not
	 * be read at start for good: a retry of it is never sent on.  They
	 * go to the young end again, so none holds up the expiry of those
	 * behind it. */
	while ((e = TAILQ_FIRST(&ages)) != NULL && e->expires <= now) {
		if (!e->answered) {
			touch(e, now, e->keep > 0 ? e->keep : 1);
			continue;
		}
		if (expired != NULL)
			expired(e->hl.id);
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
	idhash_free(&byid);
}
