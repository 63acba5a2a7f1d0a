/*
 * gw.h — what gatewayd's modules share: the running state of links and
 * core endpoints, and the clock.  One event loop, one thread: nothing
 * here is locked.
 */
#ifndef GATEWAY_GW_H
#define GATEWAY_GW_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "base/clock.h"
#include "gateway/config.h"

struct link;
struct outreq;

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct link		*link;
	uint64_t		 id;		/* unique in this process */
	evutil_socket_t		 fd;
	struct event		*rd, *wr;	/* wr: only while output waits */
	uint8_t			*rx;		/* read buffer, frames in place */
	size_t			 rxlen, rxcap;
	char			 peer[64];
	int			 slot;		/* Connect slot, -1 accepted */
	int			 signed_on;
	uint64_t		 last_rx_us;
	uint64_t		 echo_sent_us;	/* 0: no echo outstanding */
	uint64_t		 rx_frames, tx_frames;
	struct evbuffer		*out;		/* not yet taken by the socket */
	TAILQ_ENTRY(conn)	 flush_entry;
	int			 queued;	/* on the flush list */
};

struct link_slot {
	struct link		*link;
	int			 idx;
	struct conn		*conn;
	struct event		*retry;
	uint32_t		 backoff_ms;
	int			 connecting;
};

struct link {
	TAILQ_ENTRY(link)	 entry;
	struct cfg_link		 cf;		/* own copy: survives reloads */
	const struct iso_profile *prof;
	struct framer		 fr;
	struct evconnlistener	*lis;
	TAILQ_HEAD(, conn)	 conns;
	int			 nconns;
	struct link_slot	*slots;
	struct event		*tick;		/* idle echo, outbound timeouts */
	uint32_t		 stan;
	int			 signed_on;
	TAILQ_HEAD(, outreq)	 outq;		/* OUT_REQUESTs awaiting answer */
	/* counters */
	uint64_t		 accepted, refused, closed, bad_frames,
				 bad_msgs, echo_sent, echo_ok;
};

enum core_state { CORE_UNKNOWN, CORE_UP, CORE_DOWN };

#define CORE_TXQ_BYTES	(256 * 1024)
#define CORE_TXQ_MSGS	64

struct core {
	TAILQ_ENTRY(core)	 entry;
	struct cfg_core		 cf;
	int			 fd;
	struct event		*rd;
	struct event		*hb;
	struct corefr_end	 end;
	int			 state;
	int			 misses, good;
	uint64_t		 hb_corr;	/* outstanding beat, 0: none */
	uint64_t		 hb_sent_us;
	uint64_t		 rtt_us;
	uint64_t		 since_us;	/* of the last state change */
	uint64_t		 last_rx_us;	/* last authenticated datagram */
	struct sockaddr_storage	 peer;		/* last authenticated source */
	socklen_t		 peerlen;
	uint64_t		 tx, rx, hb_sent, hb_ok, downs;
	uint64_t		 rejected[COREFR_R_MAX];
	/* Datagrams sealed but not yet sent: one sendmmsg per loop pass. */
	uint8_t			*txq;
	size_t			 txq_used;
	int			 ntx;
	uint32_t		 txlen[CORE_TXQ_MSGS];
	TAILQ_ENTRY(core)	 flush_entry;
	int			 queued;	/* on the flush list */
};

enum standin_force { FORCE_AUTO, FORCE_ON, FORCE_OFF };

struct gw {
	struct event_base	*base;
	struct config		*conf;
	const char		*conffile;
	TAILQ_HEAD(, link)	 links;
	TAILQ_HEAD(, core)	 cores;
	int			 force;		/* enum standin_force */
	uint64_t		 start_us;	/* wall clock */
	uint64_t		 next_corr;
	uint64_t		 next_conn;
	uint64_t		 advice_seq;
	uint64_t		 late, unmatched, inflight, dups;
};

extern struct gw gw;


/* link.c */
struct link *link_new(const struct cfg_link *);
int	link_start(struct link *);
void	link_free(struct link *);
struct link *link_find(const char *name);
struct conn *link_conn(struct link *, uint64_t id);
/* Any open connection, preferring signed-on ones (outbound requests). */
struct conn *link_pick_conn(struct link *);
/* Packs m with the link's profile and sends it framed: 0 or -1. */
int	conn_send_msg(struct conn *, const struct iso_msg *);
int	conn_send_wire(struct conn *, const uint8_t *, size_t);
uint32_t link_next_stan(struct link *);

/* core.c */
struct core *core_new(const struct cfg_core *);
int	core_start(struct core *);
void	core_free(struct core *);
struct core *core_find(const char *name);
struct core *core_best(void);
int	core_send(struct core *, int type, uint64_t corr, uint32_t budget_us,
	    const uint8_t *body, size_t len);
const char *core_state_name(int);
/* A request timed out and nothing authenticated came from k since it was
 * sent: k is down now, not three heartbeats from now. */
void	core_silent(struct core *, uint64_t sent_us);

/* router.c */
void	router_init(void);
void	router_request(struct conn *, struct iso_msg *, uint64_t t0);
void	router_advice(struct conn *, struct iso_msg *, uint64_t t0);
void	router_core_frame(struct core *, const struct corefr_hdr *,
	    const uint8_t *body, size_t len);
/* The scheme answered something: 1 when it matched an OUT_REQUEST. */
int	router_out_answer(struct link *, const struct iso_msg *);
void	router_link_gone(struct link *);
void	router_core_gone(struct core *);
void	router_tick(struct link *);

#endif
