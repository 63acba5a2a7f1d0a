/*
 * corectl.c — `scheme-sim core --control PATH`: a unix stream socket on
 * which a test (scheme-sim run's "core" steps) changes a running core's
 * behaviour.  One command a line, one answer a line, "ok ..." or
 * "err why" (doc/scheme-sim.md lists them):
 *
 *   blackhole on|off      answer nothing at all (heartbeats neither)
 *   delay none|D|DIST     AUTH_RESPONSE latency, as --delay/--delay-dist
 *   drop P                drop data frames with probability P
 *   rc RC|none            answer every request with RC
 *   advice-ack on|off     acknowledge ADVICEs (off: record, never ack)
 *   snapshot              push the portfolio again as a new version
 *   restart [D]           silent for D (1s), then back without its state
 *   mark                  counters from now on count from zero
 *   counters              "ok name=value ..." since the last mark
 *   out-request           send the --out-request messages now
 *   share [NAME=PCT,...]  move stand-in budget shares (coreshare.c);
 *                         alone: how the last move stands
 *
 * The socket is made mode 0600: only the test's user drives the core.
 * Black-holing lives here for SIGUSR1 and the --blackhole-after timer
 * (coresim.c) too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "base/log.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/delay.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/snapshot.h"
#include "tunnel/replay.h"

#define CTL_LINE_MAX	256
#define NCTR		8

static const char *const ctr_names[NCTR] = { "auth", "answered",
    "advices", "advice_new", "advice_dups", "dropped", "blackholed",
    "snapshot_acked" };

struct core_ctl {
	int		 fd;
	struct event	*ev, *restart_ev;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t	 base[NCTR];	/* at the last mark */
};

void
core_set_blackhole(struct coresim *cs, int on, const char *why)
{
	if (cs->blackholed == on)
		return;
	cs->blackholed = on;
	cs->bh_since_ns = sim_now_ns();
	log_info("event=%s reason=%s", on ? "blackhole_on" : "blackhole_off",
	    why);
}

static void
counters_now(const struct coresim *cs, uint64_t v[NCTR])
{
	uint64_t fr, acked, cards, sent;

	sim_snap_counts(cs->snap, &fr, &acked, &cards, &sent);
	v[0] = cs->rx_type[COREFR_AUTH_REQUEST];
	v[1] = cs->answered;
	v[2] = cs->advices;
	v[3] = cs->advices - cs->advice_dups;
	v[4] = cs->advice_dups;
	v[5] = cs->dropped;
	v[6] = cs->blackholed_n;
	v[7] = acked;
}

/* A new version of the portfolio, pushed until acknowledged. */
static int
repush(struct coresim *cs, char *ans, size_t cap)
{
	struct sim_snap *s;
	char err[200];

	if (cs->o->cards_path == NULL) {
		snprintf(ans, cap, "err no --cards portfolio");
		return -1;
	}
	if ((s = sim_snap_open(cs->o->cards_path, sim_wall_us() / 1000, err,
	    sizeof err)) == NULL) {
		snprintf(ans, cap, "err %s", err);
		return -1;
	}
	sim_snap_free(cs->snap);
	cs->snap = s;
	return 0;
}

/* The restart's end: back, knowing nothing of the gateway. */
static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	struct replay *seen;
	char ans[256];

	(void)fd;
	(void)what;
	if ((seen = replay_new(corefr_now_ms())) != NULL) {
		replay_free(cs->seen);
		cs->seen = seen;
	}
	core_gw_forget_all(cs);
	if (MOVE_PENDING(cs->move.state))
		cs->move.state = MOVE_ABORTED;
	if (cs->o->cards_path != NULL && repush(cs, ans, sizeof ans) == -1)
		log_warnx("event=restart_snapshot_failed reason=\"%s\"", ans);
	core_set_blackhole(cs, 0, "restart");
	log_info("event=restarted");
}

static int
restart(struct coresim *cs, const char *arg, char *ans, size_t cap)
{
	struct core_ctl *c = cs->ctl;
	struct sim_txitem *it;
	uint64_t d = 1000000000ull;
	struct timeval tv;

	if (arg != NULL && sim_parse_duration(arg, &d) == -1) {
		snprintf(ans, cap, "err bad duration %s", arg);
		return -1;
	}
	/* Down: what it was about to send is lost with it. */
	core_set_blackhole(cs, 1, "restart");
	while ((it = sim_txq_pop(&cs->txq)) != NULL)
		free(it);
	tv.tv_sec = (time_t)(d / 1000000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000000u / 1000u);
	evtimer_add(c->restart_ev, &tv);
	return 0;
}

static int
set_rc(struct coresim *cs, const char *arg, char *ans, size_t cap)
{
	struct sim_core_opts *o = cs->o;

	if (arg != NULL && strcmp(arg, "none") == 0) {
		o->force_rc[0] = '\0';
		o->rules.force_rc = NULL;
		return 0;
	}
	if (arg == NULL || strlen(arg) != 2) {
		snprintf(ans, cap, "err want rc RC or rc none");
		return -1;
	}
	memcpy(o->force_rc, arg, 3);
	o->rules.force_rc = o->force_rc;
	return 0;
}

static int
on_off(const char *arg, int *out, char *ans, size_t cap)
{
	if (arg != NULL && strcmp(arg, "on") == 0)
		*out = 1;
	else if (arg != NULL && strcmp(arg, "off") == 0)
		*out = 0;
	else {
		snprintf(ans, cap, "err want on or off");
		return -1;
	}
	return 0;
}

static void
counters(struct coresim *cs, char *ans, size_t cap)
{
	uint64_t v[NCTR];
	size_t n;
	int i;

	counters_now(cs, v);
	n = (size_t)snprintf(ans, cap, "ok");
	for (i = 0; i < NCTR && n < cap; i++)
		n += (size_t)snprintf(ans + n, cap - n, " %s=%llu",
		    ctr_names[i], (unsigned long long)(v[i] -
		    cs->ctl->base[i]));
}

/* One command line into its answer. */
static void
command(struct coresim *cs, char *line, char *ans, size_t cap)
{
	char *cmd, *arg, *sp = NULL;
	struct sim_delay d;
	int on, rc = 0;

	snprintf(ans, cap, "ok");
	cmd = strtok_r(line, " \t\r", &sp);
	arg = strtok_r(NULL, " \t\r", &sp);
	if (cmd == NULL) {
		snprintf(ans, cap, "err empty");
		return;
	}
	if (strcmp(cmd, "blackhole") == 0) {
		if ((rc = on_off(arg, &on, ans, cap)) == 0)
			core_set_blackhole(cs, on, "control");
	} else if (strcmp(cmd, "delay") == 0) {
		/* Parsed aside: a bad one leaves the delay as it was. */
		d = cs->o->delay;
		if (arg != NULL && strcmp(arg, "none") == 0)
			cs->o->delay.kind = SIM_D_NONE;
		else if (arg != NULL && sim_delay_parse(&d, arg) == 0)
			cs->o->delay = d;
		else {
			snprintf(ans, cap, "err want none, D or a "
			    "distribution");
			rc = -1;
		}
	} else if (strcmp(cmd, "drop") == 0) {
		if (arg == NULL || sim_parse_prob(arg, &cs->o->drop) == -1) {
			snprintf(ans, cap, "err want 0..1");
			rc = -1;
		}
	} else if (strcmp(cmd, "rc") == 0)
		rc = set_rc(cs, arg, ans, cap);
	else if (strcmp(cmd, "advice-ack") == 0) {
		if ((rc = on_off(arg, &on, ans, cap)) == 0)
			cs->advice_ack_off = !on;
	} else if (strcmp(cmd, "snapshot") == 0)
		rc = repush(cs, ans, cap);
	else if (strcmp(cmd, "restart") == 0)
		rc = restart(cs, arg, ans, cap);
	else if (strcmp(cmd, "mark") == 0)
		counters_now(cs, cs->ctl->base);
	else if (strcmp(cmd, "counters") == 0)
		counters(cs, ans, cap);
	else if (strcmp(cmd, "out-request") == 0) {
		if (cs->o->noutreq == 0 || !cs->have_gw) {
			snprintf(ans, cap, "err %s", cs->o->noutreq == 0 ?
			    "no --out-request" : "the gateway is not heard");
			rc = -1;
		} else
			core_send_outreqs(cs);
	} else if (strcmp(cmd, "share") == 0) {
		if (arg == NULL)
			core_share_status(cs, ans, cap);
		else
			rc = core_share_start(cs, arg, ans, cap);
	} else {
		snprintf(ans, cap, "err unknown command %s", cmd);
		rc = -1;
	}
	log_info("event=control cmd=%s%s%s result=%s", cmd, arg ? " arg=" : "",
	    arg ? arg : "", rc == 0 ? "ok" : "err");
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line, ans[CTL_LINE_MAX * 2];
	size_t n;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		if (n >= CTL_LINE_MAX)
			snprintf(ans, sizeof ans, "err line too long");
		else
			command(arg, line, ans, sizeof ans);
		free(line);
		bufferevent_write(bev, ans, strlen(ans));
		bufferevent_write(bev, "\n", 1);
	}
	/* A line that never ends is not a command. */
	if (evbuffer_get_length(in) > CTL_LINE_MAX)
		bufferevent_free(bev);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	struct bufferevent *bev;
	int c;

	(void)what;
	if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if ((bev = bufferevent_socket_new(cs->base, c,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(c);
		return;
	}
	bufferevent_setcb(bev, client_read, NULL, client_event, cs);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

int
core_ctl_open(struct coresim *cs, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct core_ctl *c;
	mode_t old;

	if (strlen(path) >= sizeof sun.sun_path) {
		log_warnx("event=control_failed reason=\"path too long\"");
		return -1;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		return -1;
	cs->ctl = c;
	snprintf(c->path, sizeof c->path, "%s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	old = umask(077);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || bind(c->fd, (struct sockaddr *)&sun,
	    sizeof sun) == -1 || listen(c->fd, 8) == -1) {
		umask(old);
		log_warn("event=control_failed path=%s", path);
		return -1;
	}
	umask(old);
	c->ev = event_new(cs->base, c->fd, EV_READ | EV_PERSIST, accept_cb,
	    cs);
	c->restart_ev = evtimer_new(cs->base, restart_cb, cs);
	if (c->ev == NULL || c->restart_ev == NULL || event_add(c->ev, NULL))
		return -1;
	log_info("event=control path=%s", path);
	return 0;
}

void
core_ctl_close(struct coresim *cs)
{
	struct core_ctl *c = cs->ctl;

	if (c == NULL)
		return;
	if (c->ev)
		event_free(c->ev);
	if (c->restart_ev)
		event_free(c->restart_ev);
	if (c->fd != -1) {
		close(c->fd);
		unlink(c->path);
	}
	free(c);
	cs->ctl = NULL;
}
