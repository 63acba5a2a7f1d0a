/*
 * replay.c — fresh frames, seen frames: sessions per direction key.
 */
#include <stdlib.h>
#include <string.h>

#include "tunnel/replay.h"

struct session {
	uint64_t	 id;
	uint64_t	 top;		/* highest seq accepted */
	uint64_t	 last_ms;	/* newest sent_ms accepted */
	int		 used;
	uint64_t	 bits[REPLAY_WINDOW / 64];
};

struct keyslot {
	uint32_t	 id;
	int		 used;
	uint64_t	 floor_ms;	/* at or below: refused */
	uint64_t	 last_ms;	/* newest sent_ms on this key */
	struct session	 s[REPLAY_SESSIONS];
};

struct replay {
	uint64_t	 start_ms;
	uint64_t	 keep_ms;	/* the longest FreshWindow: replay_keep */
	uint64_t	 floor_ms;	/* of keys evicted early */
	struct keyslot	 k[REPLAY_KEYS];
};

struct replay *
replay_new(uint64_t start_ms)
{
	struct replay *r;

	if ((r = calloc(1, sizeof *r)) != NULL)
		r->start_ms = start_ms;
	return r;
}

void
replay_free(struct replay *r)
{
	free(r);
}

void
replay_keep(struct replay *r, uint64_t fresh_ms)
{
	if (fresh_ms > r->keep_ms)
		r->keep_ms = fresh_ms;
}

static uint64_t
max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Still able to receive a fresh copy of its last frame at now_ms? */
static int
live(uint64_t last_ms, uint64_t now_ms, uint64_t fresh_ms)
{
	return last_ms + fresh_ms >= now_ms;
}

/* The slot of key id, or NULL with *victim the one to give it (free, or
 * the longest quiet). */
static struct keyslot *
key_find(struct replay *r, uint32_t id, struct keyslot **victim)
{
	struct keyslot *k;
	size_t i;

	*victim = NULL;
	for (i = 0; i < REPLAY_KEYS; i++) {
		k = &r->k[i];
		if (k->used && k->id == id)
			return k;
		if (*victim == NULL || !k->used || ((*victim)->used &&
		    k->last_ms < (*victim)->last_ms))
			*victim = k;
	}
	return NULL;
}

/* The same for session id within key k. */
static struct session *
session_find(struct keyslot *k, uint64_t id, struct session **victim)
{
	struct session *s;
	size_t i;

	*victim = NULL;
	for (i = 0; i < REPLAY_SESSIONS; i++) {
		s = &k->s[i];
		if (s->used && s->id == id)
			return s;
		if (*victim == NULL || !s->used || ((*victim)->used &&
		    s->last_ms < (*victim)->last_ms))
			*victim = s;
	}
	return NULL;
}

/* What forgetting a slot last used at last_ms costs: while it could still
 * see a fresh replay, a floor at last_ms. */
static uint64_t
floor_after(int used, uint64_t last_ms, uint64_t now_ms, uint64_t fresh_ms)
{
	return used && live(last_ms, now_ms, fresh_ms) ? last_ms : 0;
}

static int
bit(const struct session *s, uint64_t seq)
{
	uint64_t b = seq % REPLAY_WINDOW;

	return (int)(s->bits[b / 64] >> (b % 64) & 1);
}

static void
bit_set(struct session *s, uint64_t seq, int on)
{
	uint64_t b = seq % REPLAY_WINDOW, m = (uint64_t)1 << (b % 64);

	if (on)
		s->bits[b / 64] |= m;
	else
		s->bits[b / 64] &= ~m;
}

/* Records seq in the window: 0, or -1 for a repeat or one too old. */
static int
window_take(struct session *s, uint64_t seq, int fresh)
{
	uint64_t q;

	if (fresh) {
		s->top = seq;
		bit_set(s, seq, 1);
		return 0;
	}
	if (seq > s->top) {
		if (seq - s->top >= REPLAY_WINDOW)
			memset(s->bits, 0, sizeof s->bits);
		else
			for (q = s->top + 1; q < seq; q++)
				bit_set(s, q, 0);
		s->top = seq;
		bit_set(s, seq, 1);
		return 0;
	}
	if (s->top - seq >= REPLAY_WINDOW || bit(s, seq))
		return -1;
	bit_set(s, seq, 1);
	return 0;
}

/*
 * Rules 4 and 5, in steps; a refused frame changes nothing:
 *   1. fresh, and not from before our start;
 *   2. the key's slot and the session's, found or to be taken (what
 *      taking them would do to the floors is worked out first);
 *   3. at or below a floor: refused;
 *   4. the slots taken, the floors raised;
 *   5. the sequence number, in the session's window.
 */
enum replay_verdict
replay_accept(struct replay *r, uint32_t key_id, uint64_t session,
    uint64_t seq, uint64_t sent_ms, uint64_t now_ms, uint64_t fresh_ms)
{
	struct keyslot *k, *kv;
	struct session *s = NULL, *sv = NULL;
	uint64_t gfloor = r->floor_ms, kfloor = 0;
	uint64_t keep = max64(fresh_ms, r->keep_ms);
	int fresh = 0;

	if (sent_ms + fresh_ms < now_ms || sent_ms > now_ms + fresh_ms)	/* 1 */
		return REPLAY_STALE;
	if (sent_ms < r->start_ms)
		return REPLAY_BEFORE_START;
	if ((k = key_find(r, key_id, &kv)) == NULL)			/* 2 */
		gfloor = max64(gfloor, floor_after(kv->used, kv->last_ms,
		    now_ms, keep));
	else {
		kfloor = k->floor_ms;
		if ((s = session_find(k, session, &sv)) == NULL)
			kfloor = max64(kfloor, floor_after(sv->used,
			    sv->last_ms, now_ms, keep));
	}
	if (sent_ms <= max64(gfloor, kfloor))				/* 3 */
		return REPLAY_SEEN;
	r->floor_ms = gfloor;						/* 4 */
	if (k == NULL) {
		memset(kv, 0, sizeof *kv);
		kv->used = 1;
		kv->id = key_id;
		k = kv;
		sv = &k->s[0];
	}
	k->floor_ms = kfloor;
	if (s == NULL) {
		memset(sv, 0, sizeof *sv);
		sv->used = 1;
		sv->id = session;
		s = sv;
		fresh = 1;
	}
	if (window_take(s, seq, fresh) == -1)				/* 5 */
		return REPLAY_SEEN;
	s->last_ms = max64(s->last_ms, sent_ms);
	k->last_ms = max64(k->last_ms, sent_ms);
	return REPLAY_OK;
}

uint64_t
replay_floor(const struct replay *r, uint32_t key_id)
{
	size_t i;

	for (i = 0; i < REPLAY_KEYS; i++)
		if (r->k[i].used && r->k[i].id == key_id)
			return max64(r->k[i].floor_ms, r->floor_ms);
	return r->floor_ms;
}
