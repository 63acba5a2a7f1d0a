/*
 * schemeconn.c — the links of `scheme-sim scheme`: connect to the gateway
 * (to each of two appliances, --conns connections each, interleaved so
 * that round robin alternates between them), or accept its connections;
 * then sign every connection on before any load is sent.
 */
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/schemerun.h"

static int
add_conn(struct scheme *s, int fd, int gw)
{
	struct sconn *sc = &s->conns[s->nlive];

	sc->id = s->nlive;
	sc->s = s;
	sc->gw = gw;
	sc->c = sim_conn_new(s->base, fd, &s->fr, scheme_conn_msg,
	    scheme_conn_close, s);
	if (sc->c == NULL) {
		close(fd);
		return -1;
	}
	sim_conn_set_id(sc->c, sc->id);
	if (s->kernel_ts && sim_conn_rx_timestamps(sc->c) == -1)
		log_warn("event=no_kernel_timestamps conn=%d", sc->id);
	s->nlive++;
	return 0;
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct scheme *s = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char a[64];
	int fd;

	(void)what;
	while (s->nlive < s->nconns) {
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd == -1)
			return;
		if (sim_tcp_tune(fd) == -1 || add_conn(s, fd, 0) == -1) {
			log_warn("event=accept_failed");
			continue;
		}
		log_info("event=accepted peer=%s conn=%d",
		    sim_addr_str((struct sockaddr *)&ss, a, sizeof a),
		    s->nlive - 1);
	}
	if (s->nlive == s->nconns)
		scheme_finish(s);
}

/* --listen: waits until the gateway has made every connection. */
static int
accept_all(struct scheme *s, const char *a)
{
	struct event *ev;
	int lfd;

	if ((lfd = sim_tcp_listen((struct sockaddr *)&s->addr.ss,
	    s->addr.len)) == -1) {
		log_warn("event=listen_failed addr=%s", a);
		return -1;
	}
	log_info("event=listening addr=%s conns=%d", a, s->nconns);
	ev = event_new(s->base, lfd, EV_READ | EV_PERSIST, accept_cb, s);
	event_add(ev, NULL);
	event_base_dispatch(s->base);
	event_free(ev);
	close(lfd);
	return s->nlive == s->nconns ? 0 : -1;
}

int
scheme_setup_conns(struct scheme *s)
{
	const struct sgw *g;
	char a[64];
	int i, fd;

	sim_addr_str((struct sockaddr *)&s->addr.ss, a, sizeof a);
	if (s->addr.how == SCHEME_LISTEN)
		return accept_all(s, a);
	for (i = 0; i < s->nconns; i++) {
		g = &s->gws[i % s->ngws];
		sim_addr_str((const struct sockaddr *)&g->addr.ss, a, sizeof a);
		fd = sim_tcp_connect((const struct sockaddr *)&g->addr.ss,
		    g->addr.len, s->connect_timeout_ns);
		if (fd == -1) {
			log_warn("event=connect_failed addr=%s", a);
			return -1;
		}
		if (add_conn(s, fd, i % s->ngws) == -1)
			return -1;
	}
	for (i = 0; i < s->ngws; i++) {
		g = &s->gws[i];
		sim_addr_str((const struct sockaddr *)&g->addr.ss, a, sizeof a);
		if (s->ngws == 1)
			log_info("event=connected addr=%s conns=%d", a,
			    s->nconns);
		else
			log_info("event=connected gw=%s addr=%s conns=%d",
			    g->name, a, s->nconns / s->ngws);
	}
	return 0;
}

static void
signon_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	scheme_finish(arg);
}

static void
signon_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct scheme *s = arg;
	int i, all = 1;

	(void)fd;
	(void)what;
	for (i = 0; i < s->nconns; i++)
		if (!s->conns[i].signed_on)
			all = 0;
	if (all)
		scheme_finish(s);
}

int
scheme_signon_all(struct scheme *s)
{
	struct event *to, *chk;
	struct timeval tv5 = { 5, 0 }, tv1ms = { 0, 1000 };
	int i;

	sim_clock_update(&s->clk, sim_wall_us());
	for (i = 0; i < s->nconns; i++) {
		if (sim_netmgmt_build(&s->rs, &s->clk, sim_stan(s->nm_stan++),
		    s->signon_code, &s->tx) == -1 ||
		    scheme_send(s, &s->conns[i], &s->tx) == -1 ||
		    sim_conn_flush(s->conns[i].c) == -1)
			return -1;
	}
	to = evtimer_new(s->base, signon_timeout_cb, s);
	chk = event_new(s->base, -1, EV_PERSIST, signon_check_cb, s);
	evtimer_add(to, &tv5);
	evtimer_add(chk, &tv1ms);
	event_base_dispatch(s->base);
	event_free(to);
	event_free(chk);
	for (i = 0; i < s->nconns; i++)
		if (!s->conns[i].signed_on) {
			if (!s->failed_setup)
				log_warnx("event=signon_timeout conn=%d", i);
			return -1;
		}
	return 0;
}
