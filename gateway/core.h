/*
 * core.h — core endpoints (ARCHITECTURE sections 4 and 5): one UDP socket
 * each, heartbeats and health, and the receive side of the core link
 * (authentication, replay).  Frames other than heartbeats go to the
 * handlers the core code is given: it never calls the router.
 */
#ifndef GATEWAY_CORE_H
#define GATEWAY_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/core-t.h"

struct event_base;

struct core_handlers {
	/* An authenticated frame: AUTH_RESPONSE, ADVICE_ACK, SNAPSHOT... */
	void	(*frame)(struct core *, const struct corefr_hdr *,
		    const uint8_t *body, size_t len);
	/* The endpoint is going away: forget what points at it. */
	void	(*gone)(struct core *);
};

/* start_ms: the process's start (wall clock, ms): frames sealed before
 * it are refused (ARCHITECTURE section 4, rule 4). */
int	core_init(struct event_base *, const struct core_handlers *,
	    uint64_t start_ms);
void	core_shutdown(void);

/* An endpoint for cf, on the list of cores. */
struct core *core_new(const struct cfg_core *);
int	core_start(struct core *);
/* The pair link's endpoint (ARCHITECTURE section 13): a core endpoint
 * but for its keys (pair_keys_derive, me = our [Gateway] Name) and its
 * handlers h, never on the list of cores, so never picked for a request
 * or an advice. */
struct core *core_new_pair(const struct cfg_core *, const char *me,
	    const struct core_handlers *h);
/* Off the list, its socket closed, its keys wiped. */
void	core_free(struct core *);

struct core *core_find(const char *name);
struct core *core_first(void);
struct core *core_next(const struct core *);
/* The healthy endpoint with the lowest Priority, or NULL. */
struct core *core_best(void);

/* Queued, and sent when the loop's pass is done (one sendmmsg per core),
 * or by core_flush_now from a caller that knows its batch is complete. */
int	core_send(struct core *, int type, uint64_t corr, uint32_t budget_us,
	    const uint8_t *body, size_t len);
void	core_flush_now(void);
const char *core_state_name(int);
/* A request timed out and nothing authenticated came from k since it was
 * sent: k is down now, not three heartbeats from now. */
void	core_silent(struct core *, uint64_t sent_us);

#endif
