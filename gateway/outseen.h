/*
 * outseen.h — the corr_ids of OUT_REQUESTs seen lately (ARCHITECTURE
 * section 4, idempotent effects): a request the core sends again (a new
 * frame with the same corr_id, from any endpoint) is not sent to the
 * scheme a second time; it gets the answer already given, or nothing
 * while the first one is in flight.  Entries are kept FreshWindow after
 * their last use: a replay older than that is refused as stale anyway.
 */
#ifndef GATEWAY_OUTSEEN_H
#define GATEWAY_OUTSEEN_H

#include <stddef.h>
#include <stdint.h>

#define OUTSEEN_MAX	100000

enum outseen_state {
	OUTSEEN_NEW,		/* not seen: now recorded, in flight */
	OUTSEEN_INFLIGHT,	/* seen, not answered yet */
	OUTSEEN_ANSWERED,	/* seen and answered: *body is the answer */
	OUTSEEN_FULL		/* too many to remember: refuse it */
};

enum outseen_state outseen_check(uint64_t corr, uint64_t now_us,
	    uint64_t keep_us, const uint8_t **body, size_t *len);
/* corr was answered with this OUT_RESPONSE body. */
void	outseen_answered(uint64_t corr, const uint8_t *body, size_t len,
	    uint64_t now_us, uint64_t keep_us);
void	outseen_expire(uint64_t now_us);
/* fn(corr) for each entry outseen_expire lets go (its durable record,
 * gateway/standin/outrec.h, goes too). */
void	outseen_on_expire(void (*fn)(uint64_t corr));
size_t	outseen_count(void);
void	outseen_shutdown(void);

#endif
