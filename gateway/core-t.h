/*
 * core-t.h — a core endpoint.  core.c owns it; the router and the
 * operator views read it.
 */
#ifndef GATEWAY_CORE_T_H
#define GATEWAY_CORE_T_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stdint.h>

#include "tunnel/corefr.h"
#include "gateway/config.h"

struct event;

enum core_state { CORE_UNKNOWN, CORE_UP, CORE_DOWN };

#define CORE_TXQ_BYTES	(256 * 1024)
#define CORE_TXQ_MSGS	64

struct core_handlers;

struct core {
	TAILQ_ENTRY(core)	 entry;
	const struct core_handlers *hand;	/* who takes its frames */
	struct cfg_core		 cf;
	int			 fd;
	struct event		*rd;
	struct event		*hb;
	struct core_keys	 keys;		/* direction keys of cf.keys */
	int			 state;
	int			 misses, good;
	uint64_t		 hb_corr;	/* outstanding beat, 0: none */
	uint64_t		 hb_sent_us;
	uint64_t		 rtt_us;
	uint64_t		 since_us;	/* of the last state change */
	uint64_t		 last_rx_us;	/* last authenticated datagram */
	uint64_t		 skew_max_ms;	/* largest |our clock - sent_ms| */
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

#endif
