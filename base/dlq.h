/*
 * dlq.h — deadlines on one timerfd: the clock that answers the scheme.
 *
 * libevent's precise-timer mode re-arms its timerfd on every loop pass
 * (one extra system call per pass, a fifth of gatewayd's); its coarse
 * clock ticks in 4 ms steps, a tenth of a deadline.  Deadlines arrive in
 * nearly increasing order, so they are kept sorted by inserting from the
 * tail, removing one never touches the timer, and the timer is re-armed
 * only when it fires or a new head is earlier than the armed time.
 */
#ifndef BASE_DLQ_H
#define BASE_DLQ_H

#include <stdint.h>
#include <sys/queue.h>

struct event_base;
struct dlq_ent;

typedef void dlq_cb(struct dlq_ent *);

struct dlq_ent {
	TAILQ_ENTRY(dlq_ent) q;
	uint64_t	 at;		/* monotonic µs (now_us) */
	dlq_cb		*cb;
	int		 queued;
};

int	dlq_init(struct event_base *);
/* Call cb(e) once now_us() >= at; re-adding a queued entry moves it. */
void	dlq_add(struct dlq_ent *e, uint64_t at, dlq_cb *cb);
/* Forget e; harmless when e is not queued. */
void	dlq_del(struct dlq_ent *e);
/* Forgets every entry and closes the timer (before the loop is freed). */
void	dlq_shutdown(void);

#endif
