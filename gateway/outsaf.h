/*
 * outsaf.h — outbound store and forward (outsaf.c): a core request the
 * scheme did not answer in time is repeated, then reversed until the
 * scheme acknowledges, from a durable queue; the core hears each outcome.
 */
#ifndef GATEWAY_OUTSAF_H
#define GATEWAY_OUTSAF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct config;
struct conn;
struct evbuffer;
struct iso_msg;
struct link;

/* The sealing key and the entries left by the last run: 0, or -1 with
 * err (the state key cannot be read). */
int	outsaf_init(const struct config *, char *err, size_t errsz);
void	outsaf_shutdown(void);
/* req (sent on link for core's corr, on connection conn_id: 0 unknown)
 * got no answer in time. */
void	outsaf_add(const char *link, const char *core, uint64_t corr,
	    const struct iso_msg *req, uint64_t conn_id);
/* Every link tick: the steps that are due. */
void	outsaf_tick(struct link *);
/* Whether m answers the request whose DE11 and DE7 are these: the same
 * DE11, and the same DE7 where the request had one (outreq.c and
 * outsaf.c). */
int	out_same_txn(const char *de11, const char *de7, const struct iso_msg *);
/* A scheme response on c: 1 when it answered a repeat or a reversal sent
 * on c. */
int	outsaf_answer(struct conn *, const struct iso_msg *);
/* The operator: stop and start the sends; send every entry now. */
void	outsaf_pause(int on);
void	outsaf_replay(void);
json_t	*outsaf_json(void);
void	outsaf_text(struct evbuffer *);
uint64_t outsaf_depth(void);

#endif
