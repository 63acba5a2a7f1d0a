/*
 * replay.h — what a core-link receiver has seen (ARCHITECTURE section 4,
 * acceptance rules 4 and 5), for frames that already authenticated:
 *
 *   4. sent_ms is fresh: at most FreshWindow from the receiver's clock
 *      either way, and not earlier than the receiver's process start;
 *   5. (session, seq) has not been seen: a window of REPLAY_WINDOW
 *      sequence numbers per session; sessions kept per direction key,
 *      shared by every endpoint that holds the key, for at least
 *      FreshWindow after their last frame.  A session evicted sooner
 *      raises a floor: from then on every frame with sent_ms at or below
 *      its last sent_ms is refused.
 *
 * Nothing is written to disk: a frame recorded before a restart is either
 * older than the start or, with FreshWindow, stale.
 */
#ifndef TUNNEL_REPLAY_H
#define TUNNEL_REPLAY_H

#include <stdint.h>

#define REPLAY_WINDOW	2048		/* sequence numbers per session */
#define REPLAY_SESSIONS	32		/* sessions per key */
#define REPLAY_KEYS	16		/* direction keys */

enum replay_verdict {
	REPLAY_OK,
	REPLAY_STALE,			/* outside FreshWindow */
	REPLAY_BEFORE_START,		/* sealed before this process began */
	REPLAY_SEEN			/* a repeat, or at or below a floor */
};

struct replay;

/* start_ms: this process's start, wall clock in ms.  NULL: no memory. */
struct replay *replay_new(uint64_t start_ms);
void	replay_free(struct replay *);

/* Rules 4 and 5; an accepted frame is recorded. */
enum replay_verdict replay_accept(struct replay *, uint32_t key_id,
	    uint64_t session, uint64_t seq, uint64_t sent_ms, uint64_t now_ms,
	    uint64_t fresh_ms);

/* The longest FreshWindow any receiver of this table uses (the largest
 * given so far): what eviction forgets stays refused that long, whatever
 * the window of the receiver that evicts. */
void	replay_keep(struct replay *, uint64_t fresh_ms);

/* The floor in force for a key (tests, views). */
uint64_t replay_floor(const struct replay *, uint32_t key_id);

#endif
