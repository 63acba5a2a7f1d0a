/*
 * link.h — scheme links (ARCHITECTURE section 3 items 1-3): TCP listeners
 * (AllowFrom) and connectors (with backoff), length framing, network
 * management answered on the link itself, and every other message handed
 * to the handlers the link code is given: it never calls the router.
 */
#ifndef GATEWAY_LINK_H
#define GATEWAY_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/link-t.h"

struct event_base;
struct iso_msg;

struct link_handlers {
	/* A request or its repeat (0100, 0200, 0400, ...): answer it. */
	void	(*request)(struct conn *, struct iso_msg *, uint64_t t0);
	/* A request only the core answers (0302 file update, 0600, ...):
	 * its answer relayed, else 91; never stand-in. */
	void	(*forward)(struct conn *, struct iso_msg *, uint64_t t0);
	/* A scheme advice (0120, 0220, 0420, 0620, ...): store it, then
	 * acknowledge. */
	void	(*advice)(struct conn *, struct iso_msg *, uint64_t t0);
	/* A response from the scheme on c: 1 when it answered something
	 * sent on c. */
	int	(*response)(struct conn *, const struct iso_msg *);
	/* Every 100 ms, per link. */
	void	(*tick)(struct link *);
	/* The link is going away: forget what points at it. */
	void	(*gone)(struct link *);
	/* The frames of one read are handled: what they queued can leave
	 * now, in one go, rather than in another pass of the loop. */
	void	(*read_done)(struct link *);
};

void	link_init(struct event_base *, const struct link_handlers *);

/* A link for cf, on the list of links; NULL on an unknown profile. */
struct link *link_new(const struct cfg_link *);
int	link_start(struct link *);
/* Off the list, its connections closed. */
void	link_free(struct link *);

/* A planned stop: every signed-on connection of a SignOn link is sent
 * its sign-off; the number sent.  link_signoffs_pending: how many of
 * them are not answered yet (the caller waits a little for those). */
int	link_sign_off_all(void);
int	link_signoffs_pending(void);

/* The answers queued to connections so far leave now, not from the
 * urgent flush event: for a caller ending a batch outside a read. */
void	link_flush_now(void);

struct link *link_find(const char *name);
struct link *link_first(void);
struct link *link_next(const struct link *);
struct conn *link_conn(struct link *, uint64_t id);
/* Where an outbound request goes: a signed-on connection; or, where the
 * link does not want sign-on, one we dialled or one that has spoken the
 * protocol; never one that has only connected (AllowFrom lets in an
 * address, not a scheme).  NULL: none. */
struct conn *link_pick_conn(struct link *);

/* Before a new request goes to the router: 0, or -1 when its link holds
 * MaxInFlight requests already and m was answered 91 (not remembered for
 * duplicates: a repeat later is decided on its own). */
int	link_admit(struct conn *, const struct iso_msg *, uint64_t t0);

/* Packs m with the link's profile and sends it framed: 0 or -1. */
int	conn_send_msg(struct conn *, const struct iso_msg *);
/* m answered at once on c with rc, here and not by a core or the
 * stand-in (12 for what nobody handles, the profile's code on a
 * connection not signed on, 00 for an advice kept, a key change's
 * outcome), counted on the local path with its latency from t0 (0:
 * none); the answer is wiped once sent. */
void	link_answer(struct conn *, const struct iso_msg *m, const char *rc,
	    uint64_t t0);
/* The same with no MAC on any link, for input not verified (a bad MAC,
 * a frame that does not unpack): never MAC what an attacker chose. */
void	link_refuse_unmaced(struct conn *, const struct iso_msg *m,
	    const char *rc);
int	conn_send_unmaced(struct conn *, const struct iso_msg *);
int	conn_send_wire(struct conn *, const uint8_t *, size_t);

#endif
