/*
 * coretcp.c — `scheme-sim core --tcp`: a plain framed ISO 8583 peer that
 * answers requests itself with the core's rules.  Behind haproxy it is
 * the bare-relay floor the gateway's forwarding cost is measured against,
 * so it does the same ISO work the scheme side expects and nothing more.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "iso8583/iso8583.h"
#include "base/log.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/coreopts.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/schememsg.h"

#define MAX_TCP_CONNS	256

struct coretcp {
	struct sim_core_opts	*o;
	struct event_base	*base;
	struct sim_conn		*conns[MAX_TCP_CONNS];
	int			 dead[MAX_TCP_CONNS];
	int			 nconns;
	uint64_t		 answered, netmgmt, decode_err, other;
	struct iso_msg		 rx, tx;
	/* Not on the stack: it would be zero-filled per send. */
	uint8_t			 wire[ISO_BUF_MAX + 512];
};

static void
tcp_send(struct coretcp *t, struct sim_conn *c, const struct iso_msg *m)
{
	struct iso_err e;
	ssize_t n;

	if ((n = iso_pack(t->o->prof, m, t->wire, sizeof t->wire, &e)) < 0) {
		log_warnx("event=pack_failed mti=%s %s", m->mti, e.msg);
		return;
	}
	sim_conn_send(c, t->wire, (size_t)n);
}

static void
tcp_msg(struct sim_conn *c, const uint8_t *msg, size_t len, uint64_t now,
    void *arg)
{
	struct coretcp *t = arg;
	struct iso_err e;

	(void)now;
	if (iso_unpack(t->o->prof, &t->rx, msg, len, &e) == -1) {
		if (t->decode_err++ < 10)
			log_warnx("event=decode_failed len=%zu field=%d "
			    "offset=%zu reason=\"%s\"", len, e.field, e.offset,
			    e.msg);
		return;
	}
	switch (sim_core_answer(&t->o->rules, &t->rx, &t->tx)) {
	case 1:
		t->netmgmt++;
		break;
	case 0:
		t->answered++;
		break;
	default:
		t->other++;		/* responses: nothing to answer */
		return;
	}
	tcp_send(t, c, &t->tx);
}

static void
tcp_close(struct sim_conn *c, const char *why, void *arg)
{
	struct coretcp *t = arg;

	t->dead[sim_conn_id(c)] = 1;
	log_debug("event=conn_closed conn=%d reason=\"%s\"", sim_conn_id(c),
	    why);
}

static void
tcp_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct coretcp *t = arg;
	struct sim_conn *c;
	int fd, i;

	(void)what;
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
		/* Reuse a dead slot first: bench runs connect many times. */
		for (i = 0; i < t->nconns && !t->dead[i]; i++)
			;
		if (i == MAX_TCP_CONNS || sim_tcp_tune(fd) == -1) {
			close(fd);
			continue;
		}
		if (i < t->nconns) {
			sim_conn_free(t->conns[i]);
			t->conns[i] = NULL;
		}
		c = sim_conn_new(t->base, fd, &t->o->fr, tcp_msg, tcp_close, t);
		if (c == NULL) {
			close(fd);
			continue;
		}
		sim_conn_set_id(c, i);
		t->conns[i] = c;
		t->dead[i] = 0;
		if (i == t->nconns)
			t->nconns++;
	}
}

static void
tcp_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

int
sim_coretcp_run(struct sim_core_opts *o)
{
	struct coretcp *t;
	struct event *lev, *s1, *s2, *dur = NULL;
	char a[64];
	int lfd, i;

	if ((t = calloc(1, sizeof *t)) == NULL)
		return 2;
	t->o = o;
	t->base = event_base_new();
	sim_addr_str((struct sockaddr *)&o->addr.ss, a, sizeof a);
	if (t->base == NULL || (lfd = sim_tcp_listen(
	    (struct sockaddr *)&o->addr.ss, o->addr.len)) == -1) {
		log_warn("event=listen_failed addr=%s", a);
		free(t);
		return 2;
	}
	lev = event_new(t->base, lfd, EV_READ | EV_PERSIST, tcp_accept, t);
	event_add(lev, NULL);
	s1 = evsignal_new(t->base, SIGINT, tcp_stop, t->base);
	s2 = evsignal_new(t->base, SIGTERM, tcp_stop, t->base);
	evsignal_add(s1, NULL);
	evsignal_add(s2, NULL);
	if (o->duration_ns) {
		struct timeval tv = { (time_t)(o->duration_ns / 1000000000u),
		    (suseconds_t)(o->duration_ns % 1000000000u / 1000u) };
		dur = evtimer_new(t->base, tcp_stop, t->base);
		evtimer_add(dur, &tv);
	}
	signal(SIGPIPE, SIG_IGN);
	log_info("event=listening mode=tcp addr=%s profile=%s framing=%s", a,
	    o->prof->name, frame_kind_name(o->fr.kind));
	event_base_dispatch(t->base);
	if (!o->quiet)
		printf("scheme-sim core --tcp: answered=%llu netmgmt=%llu "
		    "decode_errors=%llu other=%llu\n",
		    (unsigned long long)t->answered,
		    (unsigned long long)t->netmgmt,
		    (unsigned long long)t->decode_err,
		    (unsigned long long)t->other);
	for (i = 0; i < t->nconns; i++)
		sim_conn_free(t->conns[i]);
	event_free(lev);
	event_free(s1);
	event_free(s2);
	if (dur)
		event_free(dur);
	close(lfd);
	event_base_free(t->base);
	free(t);
	return 0;
}
