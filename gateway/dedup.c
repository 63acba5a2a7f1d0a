/*
 * dedup.c — the duplicate table: a chained hash plus an age list.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/iso8583.h"
#include "gateway/dedup.h"
#include "base/clock.h"

struct dd_entry {
	struct dd_entry		*hnext;
	TAILQ_ENTRY(dd_entry)	 age;
	uint32_t		 hash;
	struct txn		*txn;
	uint64_t		 expires;	/* 0 while in flight */
	char			 de39[3];
	uint8_t			 digest[ISO_TXNDIGEST_LEN];
	uint16_t		 resplen;
	uint8_t			*resp;
	char			 key[DEDUP_KEYMAX];
};

#define NBUCKETS	(1u << 18)	/* ~1 entry per bucket at the default 200k */

static struct dd_entry	**buckets;
static TAILQ_HEAD(, dd_entry) ages = TAILQ_HEAD_INITIALIZER(ages);
static size_t		 count;
static uint32_t		 maxn;
static uint64_t		 keep;

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

int
dedup_init(uint32_t max_entries, uint64_t keep_us)
{
	if (buckets == NULL &&
	    (buckets = calloc(NBUCKETS, sizeof *buckets)) == NULL)
		return -1;
	maxn = max_entries;
	keep = keep_us;
	return 0;
}

static void
unlink_entry(struct dd_entry *e)
{
	struct dd_entry **pp = &buckets[e->hash & (NBUCKETS - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	TAILQ_REMOVE(&ages, e, age);
	count--;
	if (e->resp != NULL)		/* the answer echoes the PAN */
		sodium_memzero(e->resp, e->resplen);
	free(e->resp);
	free(e);
}

void
dedup_shutdown(void)
{
	struct dd_entry *e;

	while ((e = TAILQ_FIRST(&ages)) != NULL)
		unlink_entry(e);
	free(buckets);
	buckets = NULL;
}

struct dd_entry *
dedup_find(const char *key, const uint8_t d[ISO_TXNDIGEST_LEN], uint32_t *hp,
    int *other)
{
	uint32_t h = *hp = hash(key);
	struct dd_entry *e;

	*other = 0;
	for (e = buckets[h & (NBUCKETS - 1)]; e != NULL; e = e->hnext) {
		if (e->hash != h || strcmp(e->key, key) != 0)
			continue;
		if (sodium_memcmp(e->digest, d, ISO_TXNDIGEST_LEN) == 0)
			return e;
		*other = 1;
	}
	return NULL;
}

struct txn *
dedup_txn(const struct dd_entry *e)
{
	return e->txn;
}

const uint8_t *
dedup_answer(const struct dd_entry *e, size_t *len, const char **de39)
{
	*len = e->resplen;
	*de39 = e->de39;
	return e->resp;
}

struct dd_entry *
dedup_add(const char *key, uint32_t h, const uint8_t d[ISO_TXNDIGEST_LEN],
    struct txn *t)
{
	struct dd_entry *e, *old;

	/* Full: forget the oldest answered entry (never one in flight). */
	while (count >= maxn && (old = TAILQ_FIRST(&ages)) != NULL &&
	    old->txn == NULL)
		unlink_entry(old);
	if (count >= maxn || strlen(key) >= DEDUP_KEYMAX)
		return NULL;
	if ((e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	strcpy(e->key, key);
	memcpy(e->digest, d, ISO_TXNDIGEST_LEN);
	e->hash = h;
	e->txn = t;
	e->hnext = buckets[h & (NBUCKETS - 1)];
	buckets[h & (NBUCKETS - 1)] = e;
	TAILQ_INSERT_TAIL(&ages, e, age);
	count++;
	return e;
}

void
dedup_answered(struct dd_entry *e, const uint8_t *resp, size_t len,
    const char *de39)
{
	e->txn = NULL;
	e->expires = now_us() + keep;
	if ((e->resp = malloc(len)) == NULL) {
		unlink_entry(e);
		return;
	}
	memcpy(e->resp, resp, len);
	e->resplen = (uint16_t)len;
	memcpy(e->de39, de39, 2);
	e->de39[2] = '\0';
	/* Ages are ordered by answer time from here on. */
	TAILQ_REMOVE(&ages, e, age);
	TAILQ_INSERT_TAIL(&ages, e, age);
}

void
dedup_drop(struct dd_entry *e)
{
	unlink_entry(e);
}

void
dedup_expire(uint64_t now)
{
	struct dd_entry *e, *next;

	/* In-flight entries sit among answered ones; they are short lived
	 * (a deadline at most), so skipping them is cheap. */
	for (e = TAILQ_FIRST(&ages); e != NULL; e = next) {
		next = TAILQ_NEXT(e, age);
		if (e->txn != NULL)
			continue;
		if (e->expires > now)
			break;
		unlink_entry(e);
	}
}

size_t
dedup_count(void)
{
	return count;
}
