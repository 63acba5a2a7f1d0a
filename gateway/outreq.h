/*
 * outreq.h — core-originated requests (OUT_REQUEST, for example an
 * outbound Faster Payment): sent on the link the core names, matched to
 * the scheme's answer by MTI, DE11 and DE7, answered to the core with
 * OUT_RESPONSE, or with a gateway 91 when the link is down, unknown or
 * silent past the request's budget.  A request the core repeats with the
 * same corr_id is sent to the scheme once (outseen.h).
 */
#ifndef GATEWAY_OUTREQ_H
#define GATEWAY_OUTREQ_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct conn;
struct core;
struct corefr_hdr;
struct iso_msg;
struct link;

/* At start, once the store and the outbound saf are open: the
 * OUT_REQUESTs recorded before it (outrec.h).  0, or -1 when they could
 * not be read (logged): OUT_REQUESTs are refused for FreshWindow. */
int	outreq_restore(const struct config *);
/* The gateway name OUT_RESPONSEs carry. */
void	outreq_configure(const char *gateway_name);
void	outreq_request(struct core *, const struct corefr_hdr *,
	    const uint8_t *body, size_t len);
/* A scheme response on c: 1 when it answered an outbound request sent
 * on c (or a step of the outbound saf, outsaf_answer). */
int	outreq_answer(struct conn *, const struct iso_msg *);
/* Requests on this link whose time is up get a 91. */
void	outreq_tick(struct link *);
/* The link is going away: its requests get a 91 now. */
void	outreq_link_gone(struct link *);

#endif
