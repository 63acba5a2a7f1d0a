/*
 * schemesim.c — the scheme side's run.  One libevent loop drives every
 * connection: sign-on first (schemeconn.c), then the load (schemetx.c)
 * and its answers (schemerx.c) until --duration or --count, then the
 * report.  SIGUSR1 starts a new report phase (the demo uses that to
 * report "core up / black-holed / restored").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/log.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/report.h"
#include "scheme-sim/schemerun.h"
#include "scheme-sim/schemesim.h"


/* schemegw.c's way back up: the senders and the connection callbacks. */
static const struct scheme_gw_ops gw_ops = {
	scheme_send, scheme_conn_msg, scheme_conn_close
};

static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct scheme *s = arg;

	(void)what;
	if (sig == SIGUSR1) {
		if (s->phase >= 0)
			scheme_new_phase(s, sim_now_ns());
		return;
	}
	if (s->phase < 0) {
		s->failed_setup = 1;
		scheme_finish(s);
		return;
	}
	if (!s->stopping) {
		log_info("event=stopping reason=signal");
		s->stopping = 1;
		s->stop_ns = sim_now_ns();
	}
}

/* Step 1: the loop, its timer and signals, the in-flight ring. */
static int
setup(struct scheme *s)
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGUSR1 };
	struct event_config *cfg;
	size_t slots;
	int i;

	s->ph = calloc(MAX_PHASES, sizeof *s->ph);
	s->iv = calloc(1, sizeof *s->iv);
	cfg = event_config_new();
	/* Precise timers (timerfd): pacing below 1 ms must not round up. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	s->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	/* Room for every request --timeout can keep in flight. */
	slots = s->rate ? (size_t)(s->rate * (s->timeout_ns / 1000000u + 100) /
	    1000u) : (size_t)s->inflight_cap * 2;
	if (s->ph == NULL || s->iv == NULL || s->base == NULL ||
	    sim_pending_init(&s->ring, slots,
	    (uint64_t)(sim_wall_us() % 900000u)) == -1)
		return -1;
	if (s->inflight_cap > sim_pending_slots(&s->ring))
		s->inflight_cap = sim_pending_slots(&s->ring);
	if (scheme_gw_setup(s, &gw_ops) == -1)
		return -1;
	s->tick = evtimer_new(s->base, scheme_tick_cb, s);
	for (i = 0; i < 3; i++) {
		s->sigs[i] = evsignal_new(s->base, sigs[i], sig_cb, s);
		evsignal_add(s->sigs[i], NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Step 2: the load, from the first tick until the loop is broken. */
static void
run_load(struct scheme *s)
{
	struct sim_pending *p;
	uint64_t now = sim_now_ns();

	s->t0_ns = now;
	s->next_progress_ns = now + 1000000000u;
	s->phase = -1;
	scheme_new_phase(s, now);
	sim_stats_init(s->iv, "interval", now);
	sim_pacer_init(&s->pacer, s->rate, now, s->rate ?
	    (s->rate / 100 > 64 ? s->rate / 100 : 64) : s->inflight_cap);
	log_info("event=load_start rate=%llu inflight_cap=%llu conns=%d "
	    "profile=%s", (unsigned long long)s->rate,
	    (unsigned long long)s->inflight_cap, s->nconns, s->rs.prof->name);
	scheme_arm_tick(s, 0);
	event_base_dispatch(s->base);

	now = sim_now_ns();
	scheme_cur(s)->t_end_ns = now;
	/* Whatever was still in flight when the links died is lost. */
	while ((p = sim_pending_expire(&s->ring, 0, 1)) != NULL)
		scheme_count_expired(s, p);
}

/* Step 3: the phases summed, over the sending time (not the drain). */
static void
sum_phases(struct scheme *s, struct sim_stats *total)
{
	int i;

	sim_stats_init(total, "total", s->t0_ns);
	for (i = 0; i <= s->phase; i++)
		sim_stats_merge(total, &s->ph[i]);
	total->t_end_ns = s->stop_ns ? s->stop_ns : scheme_cur(s)->t_end_ns;
}

/* Step 4: the report on stdout and in --json; the exit status. */
static int
report(struct scheme *s, const struct sim_stats *total)
{
	struct sim_report_ctx ctx;
	int i;

	memset(&ctx, 0, sizeof ctx);
	ctx.profile = s->rs.prof->name;
	ctx.framing = frame_kind_name(s->fr.kind);
	ctx.conns = s->nconns;
	ctx.rate = s->rate;
	ctx.inflight = s->inflight_cap;
	ctx.deadline_ns = s->deadline_ns;
	for (i = 0; i < s->nconns; i++)
		if (s->conns[i].c != NULL &&
		    sim_conn_rx_timestamps_used(s->conns[i].c) > 0)
			ctx.kernel_ts = 1;
	printf("scheme-sim scheme: profile=%s framing=%s conns=%d rate=%s%llu "
	    "timing=%s\n", ctx.profile, ctx.framing, ctx.conns,
	    s->rate ? "" : "max inflight=",
	    (unsigned long long)(s->rate ? s->rate : s->inflight_cap),
	    ctx.kernel_ts ? "kernel-rx" : "user");
	if (s->phase > 0)
		for (i = 0; i <= s->phase; i++)
			sim_report_text(stdout, &ctx, &s->ph[i]);
	sim_report_text(stdout, &ctx, total);
	scheme_gw_report(s, stdout);
	fflush(stdout);
	if (s->json_path)
		ctx.extra = scheme_gw_json(s);
	if (s->json_path && sim_report_json(s->json_path, &ctx, total, s->ph,
	    s->phase + 1) == -1)
		return 2;
	if (s->failed_setup || sim_stats_errors(total) > 0 ||
	    (s->deadline_ns && total->deadline_miss > 0) || total->sent == 0)
		return 1;
	return 0;
}

static void
scheme_free(struct scheme *s)
{
	int i;

	/* Every slot: a lost connection's slot may hold it still. */
	for (i = 0; i < MAX_CONNS; i++)
		sim_conn_free(s->conns[i].c);
	scheme_gw_free(s);
	if (s->tick)
		event_free(s->tick);
	for (i = 0; i < 3; i++)
		if (s->sigs[i])
			event_free(s->sigs[i]);
	if (s->base)
		event_base_free(s->base);
	if (s->approvals)
		fclose(s->approvals);
	if (s->answers)
		fclose(s->answers);
	sim_pending_free(&s->ring);
	if (s->mak_ready > 0) {
		hsm_des_free(&s->mak);
		hsm_des_free(&s->mak_old);
	}
	if (s->rs.pin_zpk != NULL)
		hsm_des_free(&s->pin_zpk);
	sodium_memzero(s->zpk_cur, sizeof s->zpk_cur);
	sodium_memzero(s->mak_cur, sizeof s->mak_cur);
	sodium_memzero(s->mak_next, sizeof s->mak_next);
	sim_vcards_free(s->vcards, s->cards.n, s->arqc_key);
	sim_cards_free(&s->cards);
	free(s->ph);
	free(s->iv);
	free(s);
}

int
sim_scheme_main(int argc, char **argv)
{
	struct scheme *s;
	struct sim_stats *total = NULL;
	int rc = 2;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return 2;
	s->phase = -1;
	if (scheme_opts(s, argc, argv) == -1 || setup(s) == -1 ||
	    (total = calloc(1, sizeof *total)) == NULL)
		goto out;
	if (scheme_setup_conns(s) == -1 ||
	    (s->signon && scheme_signon_all(s) == -1)) {
		log_warnx("event=setup_failed");
		goto out;
	}
	run_load(s);
	sum_phases(s, total);
	rc = report(s, total);
out:
	free(total);
	scheme_free(s);
	return rc;
}
