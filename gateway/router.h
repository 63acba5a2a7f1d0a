/*
 * router.h — the authorisation path (ARCHITECTURE section 3): each
 * request to the best healthy core with a deadline, to stand-in on
 * timeout, with no core or when forced; each answer back to its link,
 * with the request's echoed fields; duplicates; scheme advices.
 *
 * The router is handed to the links and cores as their handlers, and to
 * the stand-in as the way to the core: none of them calls it by name.
 */
#ifndef GATEWAY_ROUTER_H
#define GATEWAY_ROUTER_H

#include <stdint.h>

#include "gateway/core.h"
#include "gateway/link.h"
#include "gateway/standin/standin.h"

struct config;
struct event_base;

extern const struct link_handlers router_link;
extern const struct core_handlers router_core;
extern const struct standin_ops router_standin;

/* The operator's override of the configured stand-in Mode. */
enum router_force { FORCE_AUTO, FORCE_ON, FORCE_OFF };

struct router_stats {
	uint64_t	 inflight;	/* requests not yet answered */
	uint64_t	 late;		/* core answers after stand-in */
	uint64_t	 unmatched;	/* core answers that do not fit */
	uint64_t	 dups;		/* retransmissions answered again */
	uint64_t	 collisions;	/* same key, another transaction */
};

void	router_init(struct event_base *, const struct config *);
/* A batch of work is complete (a scheme read, the replies of an HSM
 * read): what it queued for the core, the schemes and the HSM leaves
 * now, in this pass of the loop, rather than from the urgent flushes,
 * which would cut the pass and cost the loop another (loopprio.h). */
void	router_flush_now(void);
void	router_shutdown(void);
/* Name and stand-in Mode from a reloaded config. */
void	router_reconfigure(const struct config *);

void	router_set_force(enum router_force);
enum router_force router_force(void);
/* Whether every request goes to stand-in now (forced by the operator or
 * by Mode = force): the one place this is decided. */
int	router_forced(void);
/* "forced", "active" (no healthy core) or "idle". */
const char *router_standin_state(void);
void	router_stats(struct router_stats *);

#endif
