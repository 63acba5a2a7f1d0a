/*
 * dedup.c — the duplicate table: a pool of entries, an open-addressed
 * index over them, an age list, and the kept answers in a byte ring.
 *
 * Nothing is allocated per request: every request of the relay passes
 * here, and a malloc and two frees (entry and answer) with their page
 * faults were a visible part of its cost and of its tail.  Entries come
 * from chunks of CHUNK, answers are copied into a ring of SEG-byte
 * segments sized with DedupEntries; chunks and segments are made as
 * they are first needed and kept until exit, so the memory grows with
 * use up to what DedupEntries allows and a quiet gateway stays small.
 * Growth stays off the tail: a page costs 5-12 us of the hypervisor's
 * time in a guest, so a chunk is four pages, filled in one call, and a
 * segment's pages fault in one at a time as answers reach them (a
 * 1,024-entry chunk and a 64 KiB segment filled whole held the loop
 * 0.1-1.1 ms each, several times a second while the table filled).
 * Answers are kept in the order they were given and leave in that order
 * (they expire, or the oldest is forgotten when the table is full), so
 * the ring is a FIFO: the oldest answer is always at its tail.
 *
 * The index holds each entry's hash beside its number, so a miss (a new
 * request, the common case) reads one cache line of the index and no
 * entry at all.
 */
#include <sys/mman.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/iso8583.h"
#include "gateway/dedup.h"
#include "base/clock.h"

struct dd_entry {
	TAILQ_ENTRY(dd_entry)	 age;
	struct dd_entry		*free_next;
	uint32_t		 hash;
	uint32_t		 id;		/* pool index + 1 */
	struct txn		*txn;
	uint64_t		 expires;	/* 0 while in flight */
	uint64_t		 roff;		/* answer: ring position */
	uint16_t		 resplen;	/* 0: no answer kept */
	char			 de39[3];
	uint8_t			 digest[ISO_TXNDIGEST_LEN];
	char			 key[DEDUP_KEYMAX];
};

/* One slot of the index: 0 in id is an empty slot. */
struct dd_slot {
	uint32_t	hash;
	uint32_t	id;
};

#define CHUNK_SHIFT	6
#define CHUNK		(1u << CHUNK_SHIFT)	/* entries per chunk */
_Static_assert(CHUNK * sizeof(struct dd_entry) <= 4 * 4096,
    "a chunk is filled in one call: keep it to four pages");

/* Ring bytes per entry: a packed answer is 100-300 bytes for the
 * profiles here; a table full of larger answers forgets its oldest
 * before DedupEntries is reached, as a full table does. */
#define RING_PER_ENTRY	384
#define SEG		(1u << 16)	/* holds an answer of any size */

static struct dd_entry	**chunks;
static uint32_t		 nchunks;	/* made: nchunks * CHUNK entries */
static uint32_t		 maxchunks;	/* room in chunks[] */
static struct dd_entry	*freelist;
static struct dd_slot	*slots;
static uint32_t		 slotmask;
static TAILQ_HEAD(, dd_entry) ages = TAILQ_HEAD_INITIALIZER(ages);
static size_t		 count;
static uint32_t		 maxn;
static uint64_t		 keep;

/* The ring, positions counting bytes ever written (never wrapped):
 * live answers lie in [rtail, rhead), each inside one segment, at
 * rbyte(position). */
static uint8_t		**segs;
static uint32_t		 nsegs;
static uint64_t		 rcap, rhead, rtail;	/* rcap: nsegs * SEG */

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static struct dd_entry *
entry(uint32_t id)
{
	id--;
	return &chunks[id >> CHUNK_SHIFT][id & (CHUNK - 1)];
}

/* n bytes of zeroed memory; with populate, every page present now (one
 * system call, about half the cost of faulting them in one by one). */
static void *
mapped(size_t n, int populate)
{
	void *p;

	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static uint8_t *
rbyte(uint64_t pos)
{
	return segs[(pos / SEG) % nsegs] + pos % SEG;
}

/* Room in chunks[] for want entries; the chunks come as they are needed. */
static int
grow_pool(uint32_t want)
{
	struct dd_entry **nc;
	uint32_t n = (want + CHUNK - 1) / CHUNK;

	if (n <= maxchunks)
		return 0;
	if ((nc = realloc(chunks, n * sizeof *nc)) == NULL)
		return -1;
	chunks = nc;
	maxchunks = n;
	return 0;
}

/* One more chunk of free entries, or -1 (the pool is at its size, or
 * no memory: the request is then not de-duplicated, as when full). */
static int
new_chunk(void)
{
	struct dd_entry *c;
	uint32_t i;

	if (nchunks == maxchunks ||
	    (c = mapped(CHUNK * sizeof *c, 1)) == NULL)
		return -1;
	chunks[nchunks] = c;
	for (i = CHUNK; i-- > 0; ) {
		c[i].id = nchunks * CHUNK + i + 1;
		c[i].free_next = freelist;
		freelist = &c[i];
	}
	nchunks++;
	return 0;
}

static void
slot_put(struct dd_entry *e)
{
	uint32_t i = e->hash & slotmask;

	while (slots[i].id != 0)
		i = (i + 1) & slotmask;
	slots[i].hash = e->hash;
	slots[i].id = e->id;
}

/* Linear probing: a removed slot is filled by shifting back the ones
 * after it that would no longer be found. */
static void
slot_del(const struct dd_entry *e)
{
	uint32_t i = e->hash & slotmask, j, home;

	while (slots[i].id != e->id)
		i = (i + 1) & slotmask;
	for (j = (i + 1) & slotmask; slots[j].id != 0;
	    j = (j + 1) & slotmask) {
		home = slots[j].hash & slotmask;
		/* j stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		slots[i] = slots[j];
		i = j;
	}
	slots[i].id = 0;
}

/* An index of at least twice the pool's entries, filled from the ages.
 * Not touched ahead: its pages are few and fault in once each. */
static int
grow_index(void)
{
	uint32_t n = 1024;
	struct dd_entry *e;
	struct dd_slot *ns;

	while (n < 2 * maxchunks * CHUNK)
		n <<= 1;
	if (slots != NULL && n <= slotmask + 1)
		return 0;
	/* The new one first: on failure the old index still serves. */
	if ((ns = calloc(n, sizeof *ns)) == NULL)
		return -1;
	free(slots);
	slots = ns;
	slotmask = n - 1;
	TAILQ_FOREACH(e, &ages, age)
		slot_put(e);
	return 0;
}

/* The segment that position pos falls in, made if it is new. */
static int
seg_ready(uint64_t pos)
{
	uint8_t **sp = &segs[(pos / SEG) % nsegs];

	if (*sp == NULL && (*sp = mapped(SEG, 0)) == NULL)
		return -1;
	return 0;
}

static void
free_segs(uint8_t **v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (v[i] != NULL) {
			sodium_memzero(v[i], SEG);
			munmap(v[i], SEG);
		}
	free(v);
}

/* A larger ring: the kept answers move over, oldest first. */
static int
grow_ring(uint64_t want)
{
	uint8_t **ns, **os = segs;
	uint32_t n = (uint32_t)((want + SEG - 1) / SEG), on = nsegs;
	uint64_t pos = 0, orcap = rcap;
	struct dd_entry *e;

	if (n <= nsegs)
		return 0;
	if ((ns = calloc(n, sizeof *ns)) == NULL)
		return -1;
	segs = ns;
	nsegs = n;
	rcap = (uint64_t)n * SEG;
	TAILQ_FOREACH(e, &ages, age) {
		if (e->resplen == 0)
			continue;
		if (pos % SEG + e->resplen > SEG)
			pos += SEG - pos % SEG;
		if (seg_ready(pos) == -1) {
			/* Nothing lost: back to the old ring. */
			free_segs(ns, n);
			segs = os;
			nsegs = on;
			rcap = orcap;
			return -1;
		}
		pos += e->resplen;
	}
	/* Room for all: now move them. */
	pos = 0;
	TAILQ_FOREACH(e, &ages, age) {
		if (e->resplen == 0)
			continue;
		if (pos % SEG + e->resplen > SEG)
			pos += SEG - pos % SEG;
		memcpy(rbyte(pos), os[(e->roff / SEG) % on] + e->roff % SEG,
		    e->resplen);
		e->roff = pos;
		pos += e->resplen;
	}
	free_segs(os, on);
	rhead = pos;
	rtail = 0;
	return 0;
}

int
dedup_init(uint32_t max_entries, uint64_t keep_us)
{
	uint64_t rb = (uint64_t)max_entries * RING_PER_ENTRY;

	if (grow_pool(max_entries) == -1 || grow_index() == -1 ||
	    grow_ring(rb < SEG ? SEG : rb) == -1)
		return -1;
	maxn = max_entries;
	keep = keep_us;
	return 0;
}

/* The oldest kept answer leaves the ring (answers leave in the order
 * they came, so it is at the tail), its bytes wiped: it echoes the PAN. */
static void
ring_release(struct dd_entry *e)
{
	sodium_memzero(rbyte(e->roff), e->resplen);
	rtail = e->roff + e->resplen;
	if (rtail == rhead)
		rtail = rhead = 0;
	e->resplen = 0;
}

static void
unlink_entry(struct dd_entry *e)
{
	slot_del(e);
	TAILQ_REMOVE(&ages, e, age);
	count--;
	if (e->resplen != 0)
		ring_release(e);
	e->txn = NULL;
	e->free_next = freelist;
	freelist = e;
}

void
dedup_shutdown(void)
{
	struct dd_entry *e;
	uint32_t i;

	while ((e = TAILQ_FIRST(&ages)) != NULL)
		unlink_entry(e);
	for (i = 0; i < nchunks; i++)
		munmap(chunks[i], CHUNK * sizeof *chunks[i]);
	free(chunks);
	chunks = NULL;
	nchunks = maxchunks = 0;
	freelist = NULL;
	free(slots);
	slots = NULL;
	slotmask = 0;
	free_segs(segs, nsegs);
	segs = NULL;
	nsegs = 0;
	rcap = rhead = rtail = 0;
}

struct dd_entry *
dedup_find(const char *key, const uint8_t d[ISO_TXNDIGEST_LEN], uint32_t *hp,
    int *other)
{
	uint32_t h = *hp = hash(key), i;
	struct dd_entry *e;

	*other = 0;
	for (i = h & slotmask; slots[i].id != 0; i = (i + 1) & slotmask) {
		if (slots[i].hash != h)
			continue;
		e = entry(slots[i].id);
		if (strcmp(e->key, key) != 0)
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
	return rbyte(e->roff);
}

/* Full: forget the oldest answered entry (never one in flight). */
static int
forget_oldest(void)
{
	struct dd_entry *old = TAILQ_FIRST(&ages);

	if (old == NULL || old->txn != NULL)
		return -1;
	unlink_entry(old);
	return 0;
}

struct dd_entry *
dedup_add(const char *key, uint32_t h, const uint8_t d[ISO_TXNDIGEST_LEN],
    struct txn *t)
{
	struct dd_entry *e;

	while (count >= maxn && forget_oldest() == 0)
		;
	if (count >= maxn || strlen(key) >= DEDUP_KEYMAX ||
	    (freelist == NULL && new_chunk() == -1))
		return NULL;
	e = freelist;
	freelist = e->free_next;
	strcpy(e->key, key);
	memcpy(e->digest, d, ISO_TXNDIGEST_LEN);
	e->hash = h;
	e->txn = t;
	e->expires = 0;
	e->resplen = 0;
	slot_put(e);
	TAILQ_INSERT_TAIL(&ages, e, age);
	count++;
	return e;
}

/* Room for len bytes at the ring's head, forgetting the oldest answers
 * for it if need be: its position, or -1 (in-flight entries fill the
 * table's head). */
static int
ring_alloc(size_t len, uint64_t *pos)
{
	uint64_t at;
	struct dd_entry *e, *next;

	for (;;) {
		at = rhead;
		/* An answer is never split: skip the rest of the
		 * segment if it does not fit there. */
		if (at % SEG + len > SEG)
			at += SEG - at % SEG;
		if (at + len - rtail <= rcap)
			break;
		/* The oldest kept answer, in flight entries skipped. */
		for (e = TAILQ_FIRST(&ages); e != NULL; e = next) {
			next = TAILQ_NEXT(e, age);
			if (e->resplen != 0)
				break;
		}
		if (e == NULL)
			return -1;
		unlink_entry(e);
	}
	if (seg_ready(at) == -1)
		return -1;
	if (rtail == rhead)	/* empty: the skipped end holds nothing */
		rtail = at;
	rhead = at + len;
	*pos = at;
	return 0;
}

void
dedup_answered(struct dd_entry *e, const uint8_t *resp, size_t len,
    const char *de39)
{
	uint64_t pos;

	if (len == 0 || len > UINT16_MAX || ring_alloc(len, &pos) == -1) {
		unlink_entry(e);
		return;
	}
	e->txn = NULL;
	e->expires = now_us() + keep;
	memcpy(rbyte(pos), resp, len);
	e->roff = pos;
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
