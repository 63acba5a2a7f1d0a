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

static struct keyslot *
key_slot(struct replay *r, uint32_t id, uint64_t now_ms, uint64_t fresh_ms)
{
	struct keyslot *k, *old = NULL;
	size_t i;

	for (i = 0; i < REPLAY_KEYS; i++) {
		k = &r->k[i];
		if (k->used && k->id == id)
			return k;
		if (old == NULL || !k->used || (old->used &&
		    k->last_ms < old->last_ms))
			old = k;
	}
	/* More keys than slots: forgetting one that may still see a fresh
	 * replay raises the floor for every key. */
	if (old->used && live(old->last_ms, now_ms, fresh_ms))
		r->floor_ms = max64(r->floor_ms, old->last_ms);
	memset(old, 0, sizeof *old);
	old->used = 1;
	old->id = id;
	return old;
}

static struct session *
session_slot(struct keyslot *k, uint64_t id, uint64_t now_ms,
    uint64_t fresh_ms, int *fresh)
{
	struct session *s, *old = NULL;
	size_t i;

	*fresh = 0;
	for (i = 0; i < REPLAY_SESSIONS; i++) {
		s = &k->s[i];
		if (s->used && s->id == id)
			return s;
		if (old == NULL || !s->used || (old->used &&
		    s->last_ms < old->last_ms))
			old = s;
	}
	if (old->used && live(old->last_ms, now_ms, fresh_ms))
		k->floor_ms = max64(k->floor_ms, old->last_ms);
	memset(old, 0, sizeof *old);
	old->used = 1;
	old->id = id;
	*fresh = 1;
	return old;
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

enum replay_verdict
replay_accept(struct replay *r, uint32_t key_id, uint64_t session,
    uint64_t seq, uint64_t sent_ms, uint64_t now_ms, uint64_t fresh_ms)
{
	struct keyslot *k;
	struct session *s;
	int fresh;

	if (sent_ms + fresh_ms < now_ms || sent_ms > now_ms + fresh_ms)
		return REPLAY_STALE;
	if (sent_ms < r->start_ms)
		return REPLAY_BEFORE_START;
	k = key_slot(r, key_id, now_ms, fresh_ms);
	s = session_slot(k, session, now_ms, fresh_ms, &fresh);
	if (sent_ms <= max64(k->floor_ms, r->floor_ms)) {
		if (fresh)
			s->used = 0;
		return REPLAY_SEEN;
	}
	if (window_take(s, seq, fresh) == -1)
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
