/*
 * schemegw.c — a scheme with a leased line to each of a bank's two
 * appliances (two colos), run as a real scheme runs it: load spread over
 * the appliances whose line is up; when a line is lost, every request
 * sent on it and not yet answered goes again at once to the other
 * appliance as a retransmission — the same message, since the gateways'
 * duplicate detection keys on its content — and the lost line is
 * redialled with back-off until the appliance is back.  Counted per
 * appliance for the report, with the failovers and the double answers
 * (both appliances answering one request).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/schemerun.h"

#define BACKOFF_MIN	100000000ull	/* 100 ms, doubled per failure */
#define BACKOFF_MAX	2000000000ull	/* 2 s */
#define DIAL_TIMEOUT_S	2
#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789_.-"

/* --connect [NAME=]HOST:PORT: the next appliance. */
int
scheme_gw_opt(void *o, const char *arg, char *why, size_t whysz)
{
	struct scheme *s = o;
	struct sgw *g;
	const char *eq = strchr(arg, '='), *addr = arg;
	size_t n = 0;

	if (s->ngws >= MAX_GWS) {
		snprintf(why, whysz, "at most %d appliances", MAX_GWS);
		return -1;
	}
	g = &s->gws[s->ngws];
	if (eq != NULL) {
		n = (size_t)(eq - arg);
		if (n == 0 || n > 31 || strspn(arg, NAME_CHARS) < n) {
			snprintf(why, whysz, "NAME: 1 to 31 of [A-Za-z0-9_.-]");
			return -1;
		}
		addr = eq + 1;
	}
	if (sim_parse_addr(addr, &g->addr.ss, &g->addr.len) == -1)
		return -1;
	if (eq != NULL) {
		memcpy(g->name, arg, n);
		g->name[n] = '\0';
	} else
		snprintf(g->name, sizeof g->name, "%s", addr);
	if (s->ngws > 0 && strcmp(g->name, s->gws[0].name) == 0) {
		snprintf(why, whysz, "the same name as the first appliance");
		return -1;
	}
	g->addr.arg = addr;
	g->addr.how = SCHEME_CONNECT;
	s->ngws++;
	return 0;
}

static void
failover_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	scheme_failover(arg);
}

int
scheme_gw_setup(struct scheme *s, const struct scheme_gw_ops *ops)
{
	s->gwops = ops;
	if (s->ngws < 2)
		return 0;
	s->failover_ev = event_new(s->base, -1, 0, failover_cb, s);
	s->done = calloc(DOUBLE_SLOTS, sizeof *s->done);
	return s->failover_ev != NULL && s->done != NULL ? 0 : -1;
}

void
scheme_gw_free(struct scheme *s)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++) {
		if (s->conns[i].retry != NULL)
			event_free(s->conns[i].retry);
		if (s->conns[i].dial != NULL) {
			close(event_get_fd(s->conns[i].dial));
			event_free(s->conns[i].dial);
		}
	}
	if (s->failover_ev != NULL)
		event_free(s->failover_ev);
	free(s->done);
}

static int
is_up(const struct scheme *s, const struct sconn *sc)
{
	return sc->c != NULL && !sc->dead && (sc->signed_on || !s->signon);
}

/* An up connection to an appliance other than gw if there is one, else
 * any up connection; round robin, so a burst of retransmissions is
 * spread too.  NULL: none is up. */
static struct sconn *
other_conn(struct scheme *s, int gw)
{
	struct sconn *sc, *any = NULL;
	int i, at;

	for (i = 0; i < s->nconns; i++) {
		at = (s->rr + i) % s->nconns;
		sc = &s->conns[at];
		if (!is_up(s, sc))
			continue;
		if (sc->gw != gw) {
			s->rr = (at + 1) % s->nconns;
			return sc;
		}
		if (any == NULL)
			any = sc;
	}
	return any;
}

/* The very message first sent, built again from its slot (which keeps
 * its DE7, amount and card; DE41 still names the first connection):
 * byte for byte the same content, only a MAC is computed anew. */
static int
resend(struct scheme *s, struct sconn *sc, struct sim_pending *p,
    uint64_t seq)
{
	if (sim_req_build(&s->rs, p, seq, &s->tx) == -1 ||
	    s->gwops->send(s, sc, &s->tx) == -1)
		return -1;
	p->via = sc->id;
	p->resent++;
	s->failovers++;
	s->gws[sc->gw].sent++;
	return 0;
}

/*
 * Every request in flight whose connection is down goes on one that is
 * up, the other appliance's first; with none up it waits (via -1) for
 * the tick to try again, bounded by --timeout from its first send.  Run
 * from its own event, never inside a connection's callback.
 */
void
scheme_failover(struct scheme *s)
{
	struct sim_pending *p;
	struct sconn *sc;
	uint64_t seq, n = 0, waiting = 0;
	int touched[MAX_CONNS] = { 0 }, k, from;

	s->orphans = 0;
	for (seq = s->ring.tail; seq < s->ring.head; seq++) {
		if ((p = sim_pending_at(&s->ring, seq)) == NULL)
			continue;
		if (p->via >= 0 && !s->conns[p->via].dead)
			continue;
		from = p->via >= 0 ? s->conns[p->via].gw : -1;
		if ((sc = other_conn(s, from)) == NULL ||
		    resend(s, sc, p, seq) == -1) {
			p->via = -1;
			waiting++;
			continue;
		}
		touched[sc->id] = 1;
		n++;
	}
	for (k = 0; k < s->nconns; k++)
		if (touched[k] && !s->conns[k].dead)
			sim_conn_flush(s->conns[k].c);
	s->orphans = waiting > 0;
	if (n > 0 || waiting > 0)
		log_info("event=failover resent=%llu waiting=%llu",
		    (unsigned long long)n, (unsigned long long)waiting);
}

static void retry_cb(evutil_socket_t, short, void *);

static void
schedule_retry(struct scheme *s, struct sconn *sc)
{
	struct timeval tv;

	sc->backoff_ns = sc->backoff_ns == 0 ? BACKOFF_MIN : sc->backoff_ns * 2;
	if (sc->backoff_ns > BACKOFF_MAX)
		sc->backoff_ns = BACKOFF_MAX;
	if (sc->retry == NULL &&
	    (sc->retry = evtimer_new(s->base, retry_cb, sc)) == NULL) {
		log_warnx("event=redial_impossible conn=%d", sc->id);
		return;
	}
	tv.tv_sec = (time_t)(sc->backoff_ns / 1000000000u);
	tv.tv_usec = (suseconds_t)(sc->backoff_ns % 1000000000u / 1000u);
	evtimer_add(sc->retry, &tv);
}

void
scheme_gw_lost(struct scheme *s, struct sconn *sc)
{
	s->gws[sc->gw].losses++;
	event_active(s->failover_ev, EV_TIMEOUT, 0);
	if (!s->stopping)
		schedule_retry(s, sc);
}

static void
sign_on(struct scheme *s, struct sconn *sc)
{
	sim_clock_update(&s->clk, sim_wall_us());
	if (sim_netmgmt_build(&s->rs, &s->clk, sim_stan(s->nm_stan++), s->signon_code,
	    &s->tx) == -1 || s->gwops->send(s, sc, &s->tx) == -1 ||
	    sim_conn_flush(sc->c) == -1)
		log_warnx("event=signon_failed conn=%d", sc->id);
}

static void
dialled_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sconn *sc = arg;
	struct scheme *s = sc->s;

	event_free(sc->dial);
	sc->dial = NULL;
	if (s->stopping || (what & EV_TIMEOUT) ||
	    sim_tcp_connect_done(fd) == -1 ||
	    (sc->c = sim_conn_new(s->base, fd, &s->fr, s->gwops->msg,
	    s->gwops->close, s)) == NULL) {
		close(fd);
		if (!s->stopping)
			schedule_retry(s, sc);
		return;
	}
	sim_conn_set_id(sc->c, sc->id);
	if (s->kernel_ts && sim_conn_rx_timestamps(sc->c) == -1)
		log_warn("event=no_kernel_timestamps conn=%d", sc->id);
	sc->dead = 0;
	sc->signed_on = 0;
	sc->backoff_ns = 0;
	s->nlive++;
	log_info("event=reconnected gw=%s conn=%d", s->gws[sc->gw].name,
	    sc->id);
	if (s->signon)
		sign_on(s, sc);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sconn *sc = arg;
	struct scheme *s = sc->s;
	const struct sgw *g = &s->gws[sc->gw];
	struct timeval tv = { DIAL_TIMEOUT_S, 0 };

	(void)what;
	if (sc->c != NULL) {
		/* Out of its own callbacks now, so it can go. */
		sim_conn_free(sc->c);
		sc->c = NULL;
	}
	if (s->stopping)
		return;
	fd = sim_tcp_connect_start((const struct sockaddr *)&g->addr.ss,
	    g->addr.len);
	if (fd == -1 || (sc->dial = event_new(s->base, fd, EV_WRITE,
	    dialled_cb, sc)) == NULL) {
		if (fd != -1)
			close(fd);
		schedule_retry(s, sc);
		return;
	}
	event_add(sc->dial, &tv);
}

/* A request answered: counted for the appliance that answered; if it was
 * retransmitted, remembered, so that a second answer is known as one. */
void
scheme_gw_answered(struct scheme *s, struct sconn *sc,
    const struct sim_pending *p)
{
	struct sgw *g = &s->gws[sc->gw];
	struct sdone *d;
	char rc[3] = "";
	uint32_t stan;
	int idx;

	g->answered++;
	iso_get_str(&s->rx, 39, rc, sizeof rc);
	if (strlen(rc) == 2 && (idx = sim_rc_index(rc)) >= 0)
		g->by_rc[idx]++;
	else
		g->rc_other++;
	if (p->resent == 0 || s->done == NULL)
		return;
	stan = sim_stan(p->seq_1 - 1);
	d = &s->done[stan % DOUBLE_SLOTS];
	d->stan = stan;
	d->rrn[0] = '\0';
	iso_get_str(&s->rx, 37, d->rrn, sizeof d->rrn);
	memcpy(d->rc, rc, sizeof d->rc);
}

/* An answer to no request in flight: 1 if it is a second answer to a
 * retransmitted one (counted, its DE39 compared with the first's). */
int
scheme_gw_double(struct scheme *s, uint32_t stan)
{
	struct sdone *d;
	char rrn[13] = "", rc[3] = "";

	if (s->done == NULL || stan == 0)
		return 0;
	d = &s->done[stan % DOUBLE_SLOTS];
	iso_get_str(&s->rx, 37, rrn, sizeof rrn);
	if (d->stan != stan || strcmp(rrn, d->rrn) != 0)
		return 0;
	iso_get_str(&s->rx, 39, rc, sizeof rc);
	s->double_answers++;
	if (strcmp(rc, d->rc) != 0)
		s->double_mismatch++;
	if (s->double_answers <= MAX_LOGGED)
		log_warnx("event=double_answer stan=%06u rrn=%s de39=%s "
		    "first_de39=%s", (unsigned)stan, rrn, rc[0] ? rc : "-",
		    d->rc[0] ? d->rc : "-");
	return 1;
}

static void
print_rcs(FILE *f, const struct sgw *g)
{
	char rc[3];
	int i;

	fprintf(f, "  DE39:");
	for (i = 0; i < SIM_RC_N; i++)
		if (g->by_rc[i]) {
			sim_rc_name(i, rc);
			fprintf(f, " %s=%llu", rc,
			    (unsigned long long)g->by_rc[i]);
		}
	if (g->rc_other)
		fprintf(f, " other=%llu", (unsigned long long)g->rc_other);
	fputc('\n', f);
}

void
scheme_gw_report(struct scheme *s, FILE *f)
{
	const struct sgw *g;
	int i;

	if (s->ngws < 2)
		return;
	for (i = 0; i < s->ngws; i++) {
		g = &s->gws[i];
		fprintf(f, "appliance %s", g->name);
		if (strcmp(g->name, g->addr.arg) != 0)
			fprintf(f, " (%s)", g->addr.arg);
		fprintf(f, ": sent %llu, answered %llu, timeouts %llu, "
		    "conn_losses %llu\n", (unsigned long long)g->sent,
		    (unsigned long long)g->answered,
		    (unsigned long long)g->timeouts,
		    (unsigned long long)g->losses);
		print_rcs(f, g);
	}
	fprintf(f, "failovers=%llu double_answers=%llu "
	    "double_answer_mismatch=%llu\n", (unsigned long long)s->failovers,
	    (unsigned long long)s->double_answers,
	    (unsigned long long)s->double_mismatch);
}

static json_t *
gw_json(const struct sgw *g)
{
	json_t *rcs = json_object();
	char rc[3];
	int i;

	for (i = 0; rcs != NULL && i < SIM_RC_N; i++)
		if (g->by_rc[i]) {
			sim_rc_name(i, rc);
			if (sim_json_set_u64(rcs, rc, g->by_rc[i]) == -1) {
				json_decref(rcs);
				rcs = NULL;
			}
		}
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:I, s:I, s:I}",
	    "name", g->name,
	    "addr", g->addr.arg,
	    "sent", (json_int_t)g->sent,
	    "answered", (json_int_t)g->answered,
	    "by_rc", rcs,
	    "rc_other", (json_int_t)g->rc_other,
	    "timeouts", (json_int_t)g->timeouts,
	    "conn_losses", (json_int_t)g->losses);
}

/* What the JSON report adds with two appliances; NULL otherwise. */
void *
scheme_gw_json(struct scheme *s)
{
	json_t *list;
	int i;

	if (s->ngws < 2 || (list = json_array()) == NULL)
		return NULL;
	for (i = 0; i < s->ngws; i++)
		if (json_array_append_new(list, gw_json(&s->gws[i])) == -1) {
			json_decref(list);
			return NULL;
		}
	return json_pack("{s:o, s:I, s:I, s:I}",
	    "appliances", list,
	    "failovers", (json_int_t)s->failovers,
	    "double_answers", (json_int_t)s->double_answers,
	    "double_answer_mismatch", (json_int_t)s->double_mismatch);
}
