/*
 * pair.h — the pair link to the peer appliance (ARCHITECTURE section 13):
 * our advices mirrored to the peer until the core has them, the peer's
 * kept for it, and delivered by us once the peer has been gone longer
 * than PeerTakeover.  Nothing here is on a request's path: a mirror that
 * cannot be sent waits (bounded), a decision never does.
 */
#ifndef GATEWAY_PAIR_H
#define GATEWAY_PAIR_H

#include <stddef.h>
#include <stdint.h>


struct config;
struct evbuffer;
struct json_t;

#define PAIR_MIRROR_MAX		65536	/* advices waiting for the peer's ack */
#define PAIR_RELEASE_MAX	1000000	/* releases waiting for theirs */

/* The [Pair] endpoint started (none configured: 0), or -1. */
int	pair_start(const struct config *);
void	pair_stop(void);
/* The stand-in's watch (standin_watch): an advice of ours now final in
 * the queue, one the core acknowledged. */
void	pair_mirror(uint64_t id, const uint8_t *body, size_t len);
void	pair_released(uint64_t id);
/* Periodic: retries, the restart's walk of our queue once the mirror
 * has room again, and the takeover of a peer gone too long. */
void	pair_tick(uint64_t now_us);

/* `gatewayctl saf import NAME`: StateDirectory/import/NAME, an export
 * (gateway/standin/safxfer.h), into our queue: 0 with msg, or -1. */
int	pair_import(const char *name, char *msg, size_t cap);

/* `gatewayctl pair`, its JSON, the metrics. */
void	pair_text(struct evbuffer *);
struct json_t *pair_json(void);
void	pair_metrics(struct evbuffer *);

#endif
