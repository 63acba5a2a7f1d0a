/*
 * loopprio.h — the event loop's two priorities.
 *
 * In a pass of the loop libevent runs only the most urgent of the
 * priorities that have events ready (and cuts a pass of the other short
 * when an urgent one becomes ready).  The core link's answers, and the
 * flushes that send requests to the core and answers to the scheme, are
 * urgent; everything else (new scheme requests, timers, control) is not.
 * So an answer waiting in the core socket is never queued behind a read
 * of new requests, whose sealing and routing is most of a pass's work:
 * answers are drained before new requests are admitted.  New requests
 * cannot starve: the urgent work is bounded by what was admitted.
 * The requests a scheme read queued leave at the end of that read
 * (link_handlers.read_done), not from the urgent flush: activating it
 * cuts the pass and costs the loop another one, with an epoll_wait.
 */
#ifndef GATEWAY_LOOPPRIO_H
#define GATEWAY_LOOPPRIO_H

#include <event2/event.h>

#define LOOP_PRIORITIES	2	/* events default to 1 (LOOP_PRIORITIES / 2) */
#define LOOP_URGENT	0

static inline void
loop_urgent(struct event *ev)
{
	event_priority_set(ev, LOOP_URGENT);
}

#endif
