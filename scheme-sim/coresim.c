/*
 * coresim.c — `scheme-sim core`: the cloud core on the core link
 * (ARCHITECTURE section 4): GUE + sealed frames over UDP, through the
 * tunnel/ frame library.  This file runs it: the socket and the loop,
 * the timers that black-hole and restore it, send OUT_REQUESTs and push
 * the --cards snapshot (to every gateway heard lately), move shares
 * (coreshare.c), and the signals.  What it reads is in corerx.c,
 * how it sends in coretx.c.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/delay.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/snapshot.h"

/* To each gateway of the pair: each keeps its own store. */
static void
snap_send(void *arg, int gw, uint64_t version, const uint8_t *body,
    size_t len)
{
	struct coresim *cs = arg;

	core_emit(cs, COREFR_SNAPSHOT, version, body, len,
	    (struct sockaddr *)&cs->gws[gw].addr, cs->gws[gw].len, 0);
}

/* --blackhole-after, then --blackhole-for. */
static void
blackhole_timers(struct coresim *cs, uint64_t now)
{
	const struct sim_core_opts *o = cs->o;

	if (o->blackhole_after_ns && !cs->bh_auto_done &&
	    now - cs->t0_ns >= o->blackhole_after_ns) {
		cs->bh_auto_done = 1;
		core_set_blackhole(cs, 1, "timer");
	}
	if (o->blackhole_for_ns && cs->blackholed && !cs->bh_restore_done &&
	    cs->bh_auto_done && now - cs->bh_since_ns >= o->blackhole_for_ns) {
		cs->bh_restore_done = 1;
		core_set_blackhole(cs, 0, "timer");
	}
}

/* Once the gateway is heard, then every --out-every (with
 * --out-on-command only when the control socket says). */
static void
outreq_timer(struct coresim *cs, uint64_t now)
{
	const struct sim_core_opts *o = cs->o;

	if (o->noutreq == 0 || !cs->have_gw || o->out_on_cmd)
		return;
	if (!cs->out_sent_once) {
		cs->out_sent_once = 1;
		cs->next_out_ns = now + o->out_every_ns;
		core_send_outreqs(cs);
	} else if (o->out_every_ns && now >= cs->next_out_ns) {
		cs->next_out_ns += o->out_every_ns;
		core_send_outreqs(cs);
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	uint64_t now = sim_now_ns();

	(void)fd;
	(void)what;
	blackhole_timers(cs, now);
	outreq_timer(cs, now);
	if (cs->snap != NULL && cs->have_gw && !cs->blackholed) {
		sim_snap_tick(cs->snap, now, core_gw_live(cs, now), snap_send,
		    cs);
		core_flush_tx(cs);
	}
	core_share_tick(cs, now);
	if (cs->o->duration_ns && now - cs->t0_ns >= cs->o->duration_ns)
		event_base_loopbreak(cs->base);
	sim_advrec_flush(&cs->rec);
}

static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct coresim *cs = arg;

	(void)what;
	switch (sig) {
	case SIGUSR1:
		core_set_blackhole(cs, !cs->blackholed, "SIGUSR1");
		break;
	case SIGUSR2:
		core_set_blackhole(cs, 0, "SIGUSR2");
		break;
	default:
		event_base_loopbreak(cs->base);
	}
}

/* Step 1: the advice record, OUT_REQUEST files, the --cards snapshot. */
static int
open_inputs(struct coresim *cs)
{
	char err[256];

	if (sim_advrec_open(&cs->rec, cs->o->record_path) == -1 ||
	    core_load_outreqs(cs) == -1)
		return -1;
	if (cs->o->cards_path == NULL)
		return 0;
	if ((cs->snap = sim_snap_open(cs->o->cards_path, cs->o->snap_version ?
	    cs->o->snap_version : sim_wall_us() / 1000, err, sizeof err)) ==
	    NULL) {
		log_warnx("event=cards_failed reason=\"%s\"", err);
		return -1;
	}
	return 0;
}

/* Step 2: the UDP socket. */
static int
open_socket(struct coresim *cs, const char *a)
{
	const struct sim_core_opts *o = cs->o;
	int bufsz = 4 * 1024 * 1024;

	cs->fd = socket(o->addr.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (cs->fd == -1 || bind(cs->fd, (const struct sockaddr *)&o->addr.ss,
	    o->addr.len) == -1) {
		log_warn("event=bind_failed addr=%s", a);
		return -1;
	}
	/* Bursts of 50k/s must not overflow the default 208 KiB buffers. */
	setsockopt(cs->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	setsockopt(cs->fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	return 0;
}

/* Step 3: the loop and its events. */
static int
setup_events(struct coresim *cs)
{
	static const int sigs[4] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2 };
	struct timeval tv100 = { 0, 100000 };
	struct event_config *cfg;
	int i;

	/* Precise timers only to inject latency: in that mode libevent
	 * re-arms a timerfd on every loop pass, a quarter of the system
	 * calls of an undelayed core. */
	cfg = event_config_new();
	if (cs->o->delay.kind != SIM_D_NONE)
		event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	cs->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (cs->base == NULL)
		return -1;
	cs->rev = event_new(cs->base, cs->fd, EV_READ | EV_PERSIST,
	    core_read_cb, cs);
	cs->txev = evtimer_new(cs->base, core_txq_cb, cs);
	cs->tick = event_new(cs->base, -1, EV_PERSIST, tick_cb, cs);
	event_add(cs->rev, NULL);
	event_add(cs->tick, &tv100);
	for (i = 0; i < 4; i++) {
		cs->sigs[i] = evsignal_new(cs->base, sigs[i], sig_cb, cs);
		evsignal_add(cs->sigs[i], NULL);
	}
	if (cs->o->control_path != NULL &&
	    core_ctl_open(cs, cs->o->control_path) == -1)
		return -1;
	return 0;
}

static void
coresim_free(struct coresim *cs)
{
	int i;

	core_ctl_close(cs);
	for (i = 0; i < 4; i++)
		if (cs->sigs[i])
			event_free(cs->sigs[i]);
	if (cs->rev)
		event_free(cs->rev);
	if (cs->txev)
		event_free(cs->txev);
	if (cs->tick)
		event_free(cs->tick);
	if (cs->base)
		event_base_free(cs->base);
	if (cs->fd != -1)
		close(cs->fd);
	sim_txq_free(&cs->txq);
	sim_advrec_close(&cs->rec);
	sim_snap_free(cs->snap);
	free(cs->outmsg);
	core_keys_clear(&cs->keys);
	replay_free(cs->seen);
	free(cs);
}

int
sim_coreudp_run(struct sim_core_opts *o)
{
	struct coresim *cs;
	char a[64];
	int rc = 2;

	if ((cs = calloc(1, sizeof *cs)) == NULL)
		return 2;
	cs->o = o;
	cs->fd = -1;
	/* A restarted core's share versions stay above its old ones. */
	cs->share_ver = sim_wall_us() / 1000;
	/* Its OUT_REQUEST corr_ids too: a gateway takes one it saw within
	 * FreshWindow, even before its own restart, for a retry. */
	cs->out_corr = sim_wall_us() / 1000 * 1000;
	sim_txq_init(&cs->txq);
	if (core_keys_derive(&cs->keys, &o->keys, ROLE_CORE) == -1 ||
	    (cs->seen = replay_new(corefr_now_ms())) == NULL) {
		coresim_free(cs);
		return 2;
	}
	sim_rng_seed(&cs->rng, o->seed ? o->seed :
	    sim_wall_us() ^ (uint64_t)getpid());
	sim_addr_str((const struct sockaddr *)&o->addr.ss, a, sizeof a);
	if (open_inputs(cs) == 0 && open_socket(cs, a) == 0 &&
	    setup_events(cs) == 0) {
		cs->t0_ns = sim_now_ns();
		log_info("event=listening mode=core addr=%s keys=%d "
		    "key_id=%08x", a, o->keys.n,
		    o->keys.n ? o->keys.k[0].id : 0);
		event_base_dispatch(cs->base);
		if (!o->quiet)
			core_report_text(cs, stdout);
		rc = 0;
		if (o->json_path && core_report_json(cs, o->json_path) == -1)
			rc = 2;
	}
	coresim_free(cs);
	return rc;
}
