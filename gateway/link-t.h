/*
 * link-t.h — a scheme link and its connections.  link.c owns them; the
 * router, the outbound requests and the operator views read them.
 */
#ifndef GATEWAY_LINK_T_H
#define GATEWAY_LINK_T_H

#include <sys/queue.h>
#include <stdint.h>

#include <event2/util.h>

#include "iso8583/frame.h"
#include "gateway/config.h"

struct event;
struct evbuffer;
struct evconnlistener;
struct iso_profile;
struct link;

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
	int			 signed_on;	/* session == SESS_SIGNED_ON */
	/* The session (session.c): our 0800 awaiting its 0810, by DE11. */
	int			 session;	/* enum session_state */
	uint32_t		 nm_stan;
	char			 nm_code[4];
	uint64_t		 nm_sent_us;	/* 0: none awaited */
	uint64_t		 signon_due_us;	/* next sign-on of a slot */
	uint64_t		 last_rx_us;
	uint64_t		 echo_sent_us;	/* 0: no echo outstanding */
	uint64_t		 rx_frames, tx_frames;
	/* Limits (linklimit.c): what one peer may hold of the gateway. */
	uint64_t		 opened_us;
	int			 proven;	/* a frame that unpacked */
	int			 mac_checks;	/* its MACs at the HSM now */
	uint64_t		 partial_us;	/* a frame begun, not ended */
	int			 echo_missed;	/* in a row */
	int			 rd_paused;	/* output over OutputCap */
	uint64_t		 full_us;	/* since when */
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

/* A key received under the link's ZMK, as hsmd returned it. */
struct zone_key {
	char			 blk[CFG_KEYBLOCK_MAX];	/* "": none */
	char			 kcv[7];
	uint64_t		 since_wall_us;
};

/*
 * The KCVs of the keys of one kind a link has used, oldest first, the
 * current one among them: a key change back to any of them is a replay
 * (gateway/zonekey.c).  Bounded: the oldest goes first.
 */
#define ZONEKEY_USED_MAX	64
struct zone_used {
	char			 kcv[ZONEKEY_USED_MAX][7];
	size_t			 n;
};

/* The link's zone keys (gateway/zonekey.c): current and previous of
 * each, so traffic protected under the one before a change still
 * verifies, and the KCVs used so far, so none comes back. */
struct zone_keys {
	struct zone_key		 zpk, zpk_prev, mak, mak_prev;
	struct zone_used	 zpk_used, mak_used;
	int			 busy;		/* an import at the HSM */
	uint64_t		 changes, refused;
};

struct link {
	TAILQ_ENTRY(link)	 entry;
	struct cfg_link		 cf;		/* own copy: survives reloads */
	const struct iso_profile *prof;
	struct iso_profile	*own_prof;	/* ProfileFile's, or NULL */
	struct framer		 fr;
	struct evconnlistener	*lis;
	TAILQ_HEAD(, conn)	 conns;
	int			 nconns;
	struct link_slot	*slots;
	struct event		*tick;		/* idle echo, outbound timeouts */
	uint32_t		 stan;
	int			 signed_on;
	int			 inflight;	/* requests the router holds */
	/* counters */
	uint64_t		 accepted, refused, closed, bad_frames,
				 bad_msgs, echo_sent, echo_ok;
	/* connections closed by a limit, reads paused, requests refused */
	uint64_t		 first_frame_timeouts, frame_timeouts,
				 echo_closed, output_paused, output_stalled,
				 inflight_refused;
	/* the session (session.c) */
	uint64_t		 sign_on_sent, sign_on_ok, sign_on_refused,
				 sign_off_sent, scheme_sign_ons,
				 scheme_sign_offs, saf_requests, gated;
	struct zone_keys	 zk;
	/* MACs (linkmac.c): sent, verified, refused (bad or missing), and
	 * not computed (no MAC key, HSM failed) */
	uint64_t		 mac_sent, mac_ok, mac_bad, mac_failed;
	/* messages of a class or function nobody handles, answered 12 */
	uint64_t		 unhandled;
	/* reads with and without the kernel's receive time; requests
	 * answered 91 at once by admission (gateway/admit.c) */
	uint64_t		 rx_stamped, rx_unstamped, shed_old,
				 shed_busy;
	/* answers queued to the scheme after Deadline, counted from the
	 * kernel's receive time: gatewayd's own share of any late answer */
	uint64_t		 answered_late;
	/* While a read's frames are handled: the bytes its socket still
	 * held behind them (0 when the read emptied it). */
	size_t			 rx_queued;
};

/*
 * A socket that holds this much more after a full read: the loop reads
 * slower than the peer sends.  The kernel's receive time cannot say so,
 * since what does not fit waits in the peer's send queue, unstamped (at
 * 55,000/s every answer was 0.7 s late as the scheme saw it, none by
 * gatewayd's own count).  Stand-in admission sheds what such a read
 * holds, and the loop reads on to catch up.  32 KiB: about 270 requests,
 * 6 ms at 45,000/s; at a scheme link's usual rates, seconds of input.
 */
#define LINK_QUEUED_BEHIND	(32 * 1024)

#endif
