/*
 * dlq.c — a sorted deadline queue on one CLOCK_MONOTONIC timerfd.
 */
#include <sys/timerfd.h>

#include <event2/event.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "base/log.h"

TAILQ_HEAD(dlq_head, dlq_ent);
static struct dlq_head dq = TAILQ_HEAD_INITIALIZER(dq);
static struct event *dq_ev;
static int dq_fd = -1;
static uint64_t dq_armed;		/* absolute µs the timerfd fires, 0: off */

static void
dlq_arm(void)
{
	struct dlq_ent *h = TAILQ_FIRST(&dq);
	struct itimerspec its;

	if (h == NULL || (dq_armed != 0 && dq_armed <= h->at))
		return;			/* fires early enough already */
	memset(&its, 0, sizeof its);
	/* 0 would disarm: an overdue deadline fires at the next tick. */
	its.it_value.tv_sec = (time_t)(h->at / 1000000);
	its.it_value.tv_nsec = (long)(h->at % 1000000) * 1000 + 1;
	if (timerfd_settime(dq_fd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		fatal("timerfd_settime");
	dq_armed = h->at;
}

static void
dlq_fire(evutil_socket_t fd, short ev, void *arg)
{
	struct dlq_ent *e;
	uint64_t n, now;

	(void)ev;
	(void)arg;
	/* Drains the expiry count; EAGAIN after a re-arm is fine. */
	if (read(fd, &n, sizeof n) == -1)
		n = 0;
	dq_armed = 0;
	now = now_us();
	while ((e = TAILQ_FIRST(&dq)) != NULL && e->at <= now) {
		TAILQ_REMOVE(&dq, e, q);
		e->queued = 0;
		e->cb(e);
	}
	dlq_arm();
}

int
dlq_init(struct event_base *base)
{
	if ((dq_fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		return -1;
	if ((dq_ev = event_new(base, dq_fd, EV_READ | EV_PERSIST, dlq_fire,
	    NULL)) == NULL || event_add(dq_ev, NULL) == -1) {
		close(dq_fd);
		dq_fd = -1;
		return -1;
	}
	return 0;
}

void
dlq_add(struct dlq_ent *e, uint64_t at, dlq_cb *cb)
{
	struct dlq_ent *p;

	dlq_del(e);
	e->at = at;
	e->cb = cb;
	e->queued = 1;
	for (p = TAILQ_LAST(&dq, dlq_head); p != NULL && p->at > at;
	    p = TAILQ_PREV(p, dlq_head, q))
		;
	if (p == NULL)
		TAILQ_INSERT_HEAD(&dq, e, q);
	else
		TAILQ_INSERT_AFTER(&dq, p, e, q);
	if (TAILQ_FIRST(&dq) == e)
		dlq_arm();
}

void
dlq_del(struct dlq_ent *e)
{
	if (!e->queued)
		return;
	TAILQ_REMOVE(&dq, e, q);
	e->queued = 0;
}

void
dlq_shutdown(void)
{
	struct dlq_ent *e;

	while ((e = TAILQ_FIRST(&dq)) != NULL)
		dlq_del(e);
	if (dq_ev != NULL)
		event_free(dq_ev);
	dq_ev = NULL;
	if (dq_fd != -1)
		close(dq_fd);
	dq_fd = -1;
	dq_armed = 0;
}
