/*
 * schemetx.c — the sending side of `scheme-sim scheme`.  Load is open-loop
 * at --rate (the pacer decides how many requests are due at each tick) or
 * closed-loop at --inflight (refilled as answers come back); the tick
 * also expires unanswered requests, prints the progress line and drains
 * the run at its end.
 */
#include <string.h>

#include <event2/event.h>

#include "base/log.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/report.h"
#include "scheme-sim/schemerun.h"

struct sim_stats *
scheme_cur(struct scheme *s)
{
	/* Before the first phase (sign-on) counts go to a scratch block:
	 * ph[-1] would be written out of bounds. */
	return s->phase >= 0 ? &s->ph[s->phase] : &s->before;
}

void
scheme_finish(struct scheme *s)
{
	event_base_loopbreak(s->base);
}

int
scheme_send(struct scheme *s, struct sconn *sc, const struct iso_msg *m)
{
	ssize_t n;

	if (sc->c == NULL)	/* redialling */
		return -1;
	if ((n = scheme_pack(s, m, s->wire, sizeof s->wire)) < 0) {
		log_warnx("event=pack_failed mti=%s", m->mti);
		return -1;
	}
	return sim_conn_send(sc->c, s->wire, (size_t)n);
}

static struct sconn *
next_conn(struct scheme *s)
{
	int i;

	for (i = 0; i < s->nconns; i++) {
		struct sconn *sc = &s->conns[(s->rr + i) % s->nconns];
		if (!sc->dead && (sc->signed_on || !s->signon)) {
			s->rr = (s->rr + i + 1) % s->nconns;
			return sc;
		}
	}
	return NULL;
}

/* A request never answered: a timeout, and a deadline miss; the
 * appliance it was last sent to (or first, if it waits for a link) has
 * the timeout. */
void
scheme_count_expired(struct scheme *s, const struct sim_pending *p)
{
	int at;

	if (p != NULL) {
		at = p->via >= 0 ? p->via : p->conn;
		if (at >= 0 && at < s->nconns)
			s->gws[s->conns[at].gw].timeouts++;
	}
	scheme_cur(s)->timeouts++;
	s->iv->timeouts++;
	if (s->deadline_ns) {
		scheme_cur(s)->deadline_miss++;
		s->iv->deadline_miss++;
	}
}

/* Builds and sends request seq on sc; -1 ends the run. */
static int
send_one(struct scheme *s, struct sconn *sc, struct sim_pending *p,
    uint64_t seq, uint64_t now)
{
	const char *mti = s->rs.mti;

	if (s->advice_every && (seq % s->advice_every) == 0)
		mti = "0120";
	sim_req_prepare(&s->rs, &s->clk, seq, mti, sc->id, p);
	p->via = sc->id;
	p->sent_ns = now;
	if (sim_req_build(&s->rs, p, seq, &s->tx) == -1 ||
	    scheme_send(s, sc, &s->tx) == -1) {
		log_warnx("event=send_failed conn=%d", sc->id);
		sim_pending_done(&s->ring, p);
		s->stopping = 1;
		s->failed_setup = 1;
		return -1;
	}
	s->sent_total++;
	s->gws[sc->gw].sent++;
	scheme_cur(s)->sent++;
	s->iv->sent++;
	return 0;
}

/* Sends up to n requests, round robin; returns how many went out. */
static uint64_t
send_load(struct scheme *s, uint64_t n, uint64_t now)
{
	struct sim_pending *p, *old;
	struct sconn *sc;
	uint64_t i, seq;
	int touched[MAX_CONNS] = { 0 }, k;

	sim_clock_update(&s->clk, sim_wall_us());
	for (i = 0; i < n; i++) {
		if (s->count && s->sent_total >= s->count)
			break;
		if (s->ring.inflight >= s->inflight_cap)
			break;
		if ((sc = next_conn(s)) == NULL)
			break;
		while ((p = sim_pending_next(&s->ring, &seq)) == NULL) {
			/* The ring is full of requests never answered. */
			old = sim_pending_expire(&s->ring, 0, 1);
			scheme_count_expired(s, old);
		}
		if (send_one(s, sc, p, seq, now) == -1)
			break;
		touched[sc->id] = 1;
	}
	for (k = 0; k < s->nconns; k++)
		if (touched[k] && !s->conns[k].dead)
			sim_conn_flush(s->conns[k].c);
	return i;
}

void
scheme_arm_tick(struct scheme *s, uint64_t ns)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ns / 1000000000u);
	tv.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	evtimer_add(s->tick, &tv);
}

void
scheme_new_phase(struct scheme *s, uint64_t now)
{
	const char *name;
	char dflt[32];

	scheme_cur(s)->t_end_ns = now;
	if (s->phase + 1 >= MAX_PHASES) {
		log_warnx("event=phase_limit max=%d", MAX_PHASES);
		return;
	}
	s->phase++;
	snprintf(dflt, sizeof dflt, "phase%d", s->phase + 1);
	name = s->phase < s->nphase_names ? s->phase_names[s->phase] : dflt;
	sim_stats_init(scheme_cur(s), name, now);
	log_info("event=phase phase=%s", name);
}

static void
progress(struct scheme *s, uint64_t now)
{
	struct sim_stats tot;
	int i;

	s->iv->t_end_ns = now;
	sim_stats_init(&tot, "total", s->t0_ns);
	for (i = 0; i <= s->phase; i++)
		sim_stats_merge(&tot, &s->ph[i]);
	sim_report_progress(stderr, (double)(now - s->t0_ns) / 1e9, s->iv, &tot,
	    s->ring.inflight);
	sim_stats_init(s->iv, "interval", now);
	s->next_progress_ns += 1000000000u;
}

void
scheme_signoff_all(struct scheme *s)
{
	const char *code = strncmp(s->profile, "mastercard", 10) == 0 ?
	    "062" : "002";
	int i;

	sim_clock_update(&s->clk, sim_wall_us());
	for (i = 0; i < s->nconns; i++) {
		if (s->conns[i].dead)
			continue;
		if (sim_netmgmt_build(&s->rs, &s->clk, sim_stan(s->nm_stan++), code,
		    &s->tx) == -1 || scheme_send(s, &s->conns[i], &s->tx) ==
		    -1 || sim_conn_flush(s->conns[i].c) == -1)
			continue;
		log_info("event=sign_off_sent conn=%d code=%s", i, code);
	}
}

/* Stopping: waits for the answers still due, up to --timeout. */
static void
drain(struct scheme *s, uint64_t now)
{
	struct sim_pending *p;

	if ((s->ring.inflight == 0 && now - s->stop_ns >= s->hold_ns) ||
	    now - s->stop_ns > s->timeout_ns + s->hold_ns) {
		while ((p = sim_pending_expire(&s->ring, 0, 1)) != NULL)
			scheme_count_expired(s, p);
		if (s->signoff)
			scheme_signoff_all(s);
		scheme_finish(s);
		return;
	}
	scheme_arm_tick(s, 1000000);
}

/* What the schedule has due now, and when the next is. */
static void
pace(struct scheme *s, uint64_t now)
{
	uint64_t due, n, wait;

	due = sim_pacer_due(&s->pacer, now);
	if (due > 0) {
		n = send_load(s, due, now);
		/* With --rate, sends refused by the in-flight cap are lost
		 * for good (open loop): the schedule moves on. */
		sim_pacer_take(&s->pacer, s->rate ? due : n);
	}
	wait = sim_pacer_wait(&s->pacer, sim_now_ns());
	if (s->rate == 0 || wait < s->tick_ns)
		wait = s->tick_ns;
	if (wait > 50000000)
		wait = 50000000;
	scheme_arm_tick(s, wait);
}

void
scheme_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct scheme *s = arg;
	struct sim_pending *p;
	uint64_t now = sim_now_ns();

	(void)fd;
	(void)what;
	/* Requests unanswered past --timeout. */
	while (now > s->timeout_ns && (p = sim_pending_expire(&s->ring,
	    now - s->timeout_ns, 0)) != NULL)
		scheme_count_expired(s, p);
	/* Requests whose link went down while no other was up. */
	if (s->orphans)
		scheme_failover(s);
	if (!s->stopping &&
	    ((s->duration_ns && now - s->t0_ns >= s->duration_ns) ||
	    (s->count && s->sent_total >= s->count))) {
		s->stopping = 1;
		s->stop_ns = now;
	}
	if (s->key_change_ns && s->key_changes == 0 && !s->stopping &&
	    now - s->t0_ns >= s->key_change_ns)
		if (scheme_key_change(s, 'P') == 0)
			scheme_send(s, &s->conns[0], &s->tx);
	if (s->mak_change_ns && s->mak_changes == 0 && !s->stopping &&
	    now - s->t0_ns >= s->mak_change_ns &&
	    scheme_key_change(s, 'M') == 0)
		scheme_send(s, &s->conns[0], &s->tx);
	if (s->progress && now >= s->next_progress_ns)
		progress(s, now);
	if (s->stopping)
		drain(s, now);
	else
		pace(s, now);
}

/* Closed loop: refill as answers come back. */
void
scheme_refill(struct scheme *s)
{
	uint64_t room;

	if (s->rate != 0 || s->stopping || s->phase < 0)
		return;
	room = s->inflight_cap - s->ring.inflight;
	if (room > 0)
		send_load(s, room, sim_now_ns());
}
