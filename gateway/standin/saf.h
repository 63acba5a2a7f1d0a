/*
 * saf.h — store and forward (ARCHITECTURE section 8): the advice queue.
 * Advices (stand-in outcomes, scheme 0120/0420) are appended in the same
 * write transaction as the decision that made them, under a durable u64
 * advice id taken from the meta database, sealed (they hold the PAN).
 * The event loop keeps a window of the queue's head in memory and sends
 * it in id order to the healthy core, a bounded number in flight, each
 * retried until its ADVICE_ACK; an ack deletes the entry (deletions are
 * grouped into one write job).  Nothing is ever dropped: an advice that
 * keeps failing stays at the head and is reported.
 *
 * What the store cannot take (Durability = none, or a full map) the same
 * queue holds in memory only (saf_push), bounded and lost on restart.
 */
#ifndef GATEWAY_SAF_H
#define GATEWAY_SAF_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/standin/statekey.h"

struct store;
struct store_txn;

#define SAF_BODY_MAX	16384		/* COREFR_MAX_BODY */
#define SAF_MEMORY_MAX	100000		/* entries held in memory only */
#define SAF_MEMORY_ID	(1ull << 63)	/* their ids start above this */

/* Sends one advice; 0 sent, -1 not now (no core, socket full). */
typedef int saf_send_fn(uint64_t id, const uint8_t *body, size_t len,
	    void *arg);

struct saf_stats {
	uint64_t	 depth;		/* in the store, not yet acknowledged */
	uint64_t	 in_memory;
	uint64_t	 oldest_age_us;	/* of the head, 0 when empty */
	uint64_t	 head_id;
	uint64_t	 head_attempts;
	uint64_t	 max_attempts;	/* over the window */
	uint64_t	 sent, resent, acked, appended, unknown_acks;
	uint64_t	 next_id;	/* last id appended to the store */
	uint64_t	 in_memory_only; /* saf_push entries ever queued */
	uint64_t	 memory_dropped; /* saf_push refused: memory queue full */
	int		 durable;	/* 0: in memory only */
	int		 paused;	/* saf_pause: nothing sent */
};

/*
 * Inside a write job: appends the advice in buf[0..len) (a message TLV)
 * under the next advice id, adding the advice id tag 0x1006 in place
 * (buf holds cap bytes); *outlen and *id are set.  0 or a store error (store.h).
 * A job that is run again passes the same len: the tag is rewritten.
 */
int	saf_append(struct store_txn *, const struct statekey *,
	    uint8_t *buf, size_t len, size_t cap, uint64_t now_wall_us,
	    size_t *outlen, uint64_t *id);
/* Inside a write job: the advice id keeps a new body (buf[0..len), its
 * id tag added in place), before saf_added makes it go to the core. */
int	saf_replace(struct store_txn *, const struct statekey *, uint64_t id,
	    uint8_t *buf, size_t len, size_t cap, uint64_t now_wall_us,
	    size_t *outlen);
/* Inside a write job: the peer's advice (it names its gateway, 0x1007,
 * and its own advice id, 0x1006, which the core deduplicates by) queued
 * under our next id, its body as it is: our id is only the frame's
 * corr_id. */
int	saf_append_peer(struct store_txn *, const struct statekey *,
	    uint8_t *buf, size_t len, uint64_t now_wall, uint64_t *id);
/* The id the next saf_append in this transaction will take; the last
 * one taken (0: none yet). */
int	saf_next_id(struct store_txn *, uint64_t *id);
int	saf_last_id(struct store_txn *, uint64_t *id);

/* Loads the head of the queue (start-up, before the loop runs).  Without
 * a store (NULL) the queue lives in memory only: see saf_push. */
int	saf_init(struct store *, const struct statekey *, saf_send_fn *,
	    void *sendarg, uint32_t retry_us, uint32_t max_inflight);
/*
 * An advice the store cannot take (there is none, or it failed): queued
 * in memory only, under the next id above SAF_MEMORY_ID, the id tag added
 * in place as saf_append does, and sent like any other until its ack; a
 * restart loses it.  0 and *id set, or -1 (SAF_MEMORY_MAX of them wait:
 * dropped and logged).
 */
int	saf_push(uint8_t *buf, size_t len, size_t cap, uint64_t *id);
void	saf_shutdown(void);
/* After the commit of a saf_append: the entry exists. */
void	saf_added(uint64_t id, const uint8_t *body, size_t len,
	    uint64_t enq_wall_us);
/*
 * After the commit of a saf_append whose advice is being amended
 * (saf_replace in a later job): the entry exists but waits, and the
 * queue behind it too, until saf_amended gives its new body (or, when
 * the amendment failed, the first one).
 */
void	saf_hold(uint64_t id, uint64_t enq_wall_us);
void	saf_amended(uint64_t id, const uint8_t *body, size_t len);
/* Whether the advice is final: announced (saf_added, or amended after
 * a hold) and not held.  One committed but not yet announced may still
 * be voided and amended before it leaves. */
int	saf_final(uint64_t id);
/*
 * The pair's mirror: added(id, body) for every stored advice once it is
 * final (saf_added, saf_amended; not the held ones, nor those in memory
 * only), acked(id) for every stored one the core acknowledged.
 */
typedef void saf_added_fn(uint64_t id, const uint8_t *body, size_t len);
void	saf_watch(saf_added_fn *added, void (*acked)(uint64_t id));
/*
 * What an acknowledgement settles besides the queue: run(t, id, &s) in
 * the transaction that deletes the acknowledged entries (the store's
 * writer thread, once per acknowledgement, repeats included), then
 * done(&s) on the loop once that committed, when anything settled.
 */
struct saf_settled {
	uint64_t	 amount;	/* released, summed */
	uint64_t	 first;		/* lowest id settled; UINT64_MAX none */
};
typedef int saf_settle_fn(struct store_txn *, uint64_t id,
	    struct saf_settled *);
void	saf_on_settle(saf_settle_fn *run,
	    void (*done)(const struct saf_settled *));
/* ADVICE_ACK from the core. */
void	saf_ack(uint64_t id);
/* Sends what is due, retries included (on a timer, when a core comes
 * up); saf_kick() only what was never sent (cheap: after appends). */
void	saf_run(uint64_t now_us);
void	saf_kick(uint64_t now_us);
/* The core went away: what was in flight is sent again when one is
 * back. */
void	saf_reset_inflight(void);
/* The operator's controls: nothing is sent while paused (acks are still
 * taken); a replay sends every entry not acknowledged again now. */
void	saf_pause(int on);
void	saf_replay(uint64_t now_us);
void	saf_get_stats(struct saf_stats *);

#endif
