/*
 * schemesim.c — the scheme side.  One libevent loop drives every
 * connection.  Load is open-loop at --rate (the pacer decides how many
 * requests are due at each tick) or closed-loop at --inflight; every
 * response is matched to its request by DE11 through the in-flight ring,
 * checked, and its latency recorded.  SIGUSR1 starts a new report phase
 * (the demo uses that to report "core up / black-holed / restored").
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "base/log.h"
#include "iso8583/mask.h"
#include "scheme-sim/cards.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/pacer.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/pending.h"
#include "scheme-sim/report.h"
#include "scheme-sim/schememsg.h"
#include "scheme-sim/schemesim.h"
#include "scheme-sim/stats.h"

#define MAX_CONNS	64
#define MAX_PHASES	16
#define MAX_LOGGED	10	/* detailed lines per error class */

struct sconn {
	struct sim_conn	*c;
	int		 id;
	int		 signed_on;
	int		 dead;
};

struct scheme {
	/* options */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 listen;
	int			 nconns;
	uint64_t		 rate, inflight_cap, count, duration_ns;
	uint64_t		 timeout_ns, deadline_ns, tick_ns;
	uint64_t		 connect_timeout_ns;
	uint64_t		 advice_every;
	uint64_t		 refill_batch;
	int			 signon;
	int			 kernel_ts;
	int			 progress;
	const char		*json_path;
	FILE			*approvals;	/* --record-approvals */
	const char		*answer_rc;
	char			 signon_code[4];
	char			 core_mark;
	uint8_t			 expect[SIM_RC_N];
	const char		*phase_names[MAX_PHASES];
	int			 nphase_names;
	struct framer		 fr;
	struct sim_reqspec	 rs;
	struct sim_cards	 cards;

	/* state */
	struct event_base	*base;
	struct event		*tick, *sigint, *sigterm, *sigusr1;
	int			 lfd;
	struct event		*accept_ev;
	struct sconn		 conns[MAX_CONNS];
	int			 nlive;
	int			 rr;
	struct sim_pending_ring	 ring;
	struct sim_pacer	 pacer;
	struct sim_clock	 clk;
	uint32_t		 nm_stan;
	int			 phase;			/* "started" once >= 0 */
	struct sim_stats	*ph;			/* [MAX_PHASES] */
	struct sim_stats	*iv;			/* this second */
	uint64_t		 t0_ns, next_progress_ns;
	uint64_t		 sent_total;
	int			 stopping;		/* no more sends */
	uint64_t		 stop_ns;
	int			 failed_setup;
	uint64_t		 logged_mismatch, logged_decode, logged_unexp;
	struct iso_msg		 tx, rx, ans;
	uint8_t			 wire[ISO_BUF_MAX + 512];	/* not on the stack:
						 * it would be zero-filled per send */
};

void
sim_scheme_usage(void)
{
	fprintf(stderr,
"usage: scheme-sim scheme (--connect HOST:PORT | --listen ADDR:PORT) [options]\n"
"\n"
"Plays a scheme towards a gateway link: signs on, answers echoes and any\n"
"request the gateway sends, sends authorisation load and checks every\n"
"response (MTI = request + 10, DE2 3 4 7 11 12 13 32 37 41 42 49 echoed,\n"
"DE39 in --expect).  Prints a report; exit 0 only if there were no errors\n"
"(and no deadline misses when --deadline is given).\n"
"\n"
"link:\n"
"  --connect HOST:PORT     connect to the gateway's Listen address\n"
"  --listen ADDR:PORT      accept the gateway's connections (Connect links)\n"
"  --profile P             iso87 | iso87hex | mastercard | fps (default iso87)\n"
"  --framing F             len2 | len4ascii (default len2)\n"
"  --conns N               TCP connections (default 1, max %d)\n"
"  --connect-timeout D     keep retrying the connect this long (default 10s)\n"
"  --no-signon             do not send the 0800 sign-on first\n"
"  --signon-code C         DE70 of the sign-on (default 061 for mastercard,\n"
"                          001 otherwise)\n"
"load:\n"
"  --rate N                requests per second, open loop (k/m suffixes)\n"
"  --inflight N            cap on requests in flight (default 64 without\n"
"                          --rate; unlimited up to the ring with it)\n"
"  --duration D            how long to send (default 5s; 20ms, 1.5s, 2m)\n"
"  --count N               stop after N requests (whichever comes first)\n"
"  --cards FILE            PAN [YYMM [AMOUNT]] per line (default: built-in\n"
"                          synthetic test cards)\n"
"  --amount N              amount in minor units (default 1000); amounts\n"
"                          cycle through N + k*--amount-step, k = 0..9\n"
"  --amount-step N         (default 0)\n"
"  --mti MTI               request MTI (default 0100, 0200 for fps)\n"
"  --advice-every N        every Nth message is an 0120 advice instead\n"
"  --acquirer ID           DE32 (default 005037)\n"
"  --merchant ID           DE42 (default SIMMERCHANT0001)\n"
"  --currency CCC          DE49 (default 826)\n"
"  --tick D                pacing timer period (default 100us)\n"
"  --no-kernel-ts          time answers when this process reads them, not\n"
"                          by the kernel's receive timestamp (the default,\n"
"                          so our own wake-up delay is not charged to the\n"
"                          gateway on a busy machine)\n"
"checks and report:\n"
"  --expect LIST           DE39 values that count as correct, comma\n"
"                          separated, or 'any' (default 00,05,51,91)\n"
"  --timeout D             a request unanswered this long is an error\n"
"                          (default 2s)\n"
"  --deadline D            count answers slower than D (e.g. 40ms)\n"
"  --core-mark C           approvals whose DE38 starts with C came from the\n"
"                          core (scheme-sim core marks its own; default C)\n"
"  --answer-rc RC          DE39 for requests the gateway sends us (default 00)\n"
"  --json FILE             write the report as JSON too\n"
"  --record-approvals FILE append \"DE7 STAN RRN DE38\" per approval received\n"
"  --progress / --no-progress  a line a second on stderr (default: on for\n"
"                          runs of 3 s or more)\n"
"  --phases NAMES          names for the report phases, comma separated;\n"
"                          SIGUSR1 starts the next phase\n"
"  -v                      more logging\n"
"  -h, --help              this text\n", MAX_CONNS);
}

static uint64_t
inflight(const struct scheme *s)
{
	return s->ring.inflight;
}

static struct sim_stats *
cur(struct scheme *s)
{
	/* Before the first phase (sign-on) counts go to a scratch block:
	 * ph[-1] would be written out of bounds. */
	static struct sim_stats before;

	return s->phase >= 0 ? &s->ph[s->phase] : &before;
}

static void
finish(struct scheme *s)
{
	event_base_loopbreak(s->base);
}

/* --- sending ------------------------------------------------------------ */

static int
send_msg(struct scheme *s, struct sconn *sc, const struct iso_msg *m)
{
	struct iso_err e;
	ssize_t n;

	if ((n = iso_pack(s->rs.prof, m, s->wire, sizeof s->wire, &e)) < 0) {
		log_warnx("event=pack_failed mti=%s %s", m->mti, e.msg);
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

static void
count_expired(struct scheme *s, struct sim_pending *p)
{
	(void)p;
	cur(s)->timeouts++;
	s->iv->timeouts++;
	if (s->deadline_ns) {
		cur(s)->deadline_miss++;
		s->iv->deadline_miss++;
	}
}

/* Sends up to n requests, round robin; returns how many went out. */
static uint64_t
send_load(struct scheme *s, uint64_t n, uint64_t now)
{
	struct sim_pending *p;
	struct sconn *sc;
	uint64_t i, seq;
	const char *mti;
	int touched[MAX_CONNS] = { 0 }, k;

	sim_clock_update(&s->clk, sim_wall_us());
	for (i = 0; i < n; i++) {
		if (s->count && s->sent_total >= s->count)
			break;
		if (inflight(s) >= s->inflight_cap)
			break;
		if ((sc = next_conn(s)) == NULL)
			break;
		while ((p = sim_pending_next(&s->ring, &seq)) == NULL) {
			/* The ring is full of requests never answered. */
			count_expired(s, sim_pending_expire(&s->ring, 0, 1));
		}
		mti = s->rs.mti;
		if (s->advice_every && (seq % s->advice_every) == 0)
			mti = "0120";
		sim_req_prepare(&s->rs, &s->clk, seq, mti, sc->id, p);
		p->sent_ns = now;
		if (sim_req_build(&s->rs, p, seq, &s->tx) == -1 ||
		    send_msg(s, sc, &s->tx) == -1) {
			log_warnx("event=send_failed conn=%d", sc->id);
			sim_pending_done(&s->ring, p);
			s->stopping = 1;
			s->failed_setup = 1;
			break;
		}
		touched[sc->id] = 1;
		s->sent_total++;
		cur(s)->sent++;
		s->iv->sent++;
	}
	for (k = 0; k < s->nconns; k++)
		if (touched[k] && !s->conns[k].dead)
			sim_conn_flush(s->conns[k].c);
	return i;
}

/* --- receiving ---------------------------------------------------------- */

static void
on_response(struct scheme *s, struct sconn *sc, uint64_t now)
{
	struct sim_stats *st = cur(s);
	struct sim_pending *p;
	uint64_t stan, seq, lat;
	char rc[3], masked[32], pan[24];
	const uint8_t *v;
	size_t len;
	int bad, idx;

	if (sim_get_u64(&s->rx, 11, &stan) == -1 ||
	    (p = sim_pending_find(&s->ring, (uint32_t)stan)) == NULL) {
		/* Expired already (late), answered twice, or never sent. */
		if (iso_has(&s->rx, 11) && s->sent_total > 0) {
			st->late++;
			s->iv->late++;
		} else {
			st->unexpected++;
			s->iv->unexpected++;
		}
		if (s->logged_unexp++ < MAX_LOGGED)
			log_warnx("event=response_unmatched conn=%d mti=%s "
			    "stan=%llu", sc->id, s->rx.mti,
			    (unsigned long long)stan);
		return;
	}
	seq = p->seq_1 - 1;
	lat = now > p->sent_ns ? now - p->sent_ns : 0;
	hist_add(&st->lat, lat);
	hist_add(&s->iv->lat, lat);
	st->received++;
	s->iv->received++;
	if (s->deadline_ns && lat > s->deadline_ns) {
		st->deadline_miss++;
		s->iv->deadline_miss++;
	}
	if (p->conn != sc->id || sim_resp_check(&s->rs, p, seq, &s->rx,
	    &bad) == -1) {
		if (p->conn != sc->id)
			bad = -1;
		st->mismatch++;
		s->iv->mismatch++;
		if (s->logged_mismatch++ < MAX_LOGGED) {
			pan[0] = '\0';
			if (iso_get_str(&s->rx, 2, pan, sizeof pan) == 0)
				mask_pan(pan, strlen(pan), masked,
				    sizeof masked);
			else
				strcpy(masked, "-");
			log_warnx("event=response_mismatch conn=%d mti=%s "
			    "stan=%llu field=%d pan=%s", sc->id, s->rx.mti,
			    (unsigned long long)stan, bad, masked);
		}
	}
	if ((v = iso_get(&s->rx, 39, &len)) != NULL && len == 2) {
		rc[0] = (char)v[0];
		rc[1] = (char)v[1];
		rc[2] = '\0';
		idx = sim_rc_index(rc);
	} else
		idx = -1;
	if (idx < 0) {
		/* An advice response may omit DE39; anything else is wrong. */
		if (strcmp(p->mti, "0120") != 0) {
			st->rc_other++;
			st->rc_unexpected++;
			s->iv->rc_unexpected++;
		}
	} else {
		st->by_rc[idx]++;
		if (!s->expect[idx]) {
			st->rc_unexpected++;
			s->iv->rc_unexpected++;
		}
		if (idx == 0 && strcmp(p->mti, "0120") != 0) {
			if ((v = iso_get(&s->rx, 38, &len)) != NULL && len > 0 &&
			    v[0] == (uint8_t)s->core_mark)
				st->approved_core++;
			else
				st->approved_other++;
			if (s->approvals != NULL) {
				char a11[16] = "", a37[16] = "", a38[8] = "";
				char a7[16] = "";
				iso_get_str(&s->rx, 7, a7, sizeof a7);
				iso_get_str(&s->rx, 11, a11, sizeof a11);
				iso_get_str(&s->rx, 37, a37, sizeof a37);
				iso_get_str(&s->rx, 38, a38, sizeof a38);
				fprintf(s->approvals, "%s %s %s %s\n", a7, a11,
				    a37, a38);
			}
		}
	}
	sim_pending_done(&s->ring, p);
}

static void
on_netmgmt(struct scheme *s, struct sconn *sc)
{
	const char *rc;
	char rcs[3] = "";

	cur(s)->netmgmt++;
	if (strcmp(s->rx.mti, "0800") == 0) {
		/* The gateway's echo test or sign-on: always agreed to. */
		if (sim_answer_build(&s->rx, "00", &s->ans) == 0)
			send_msg(s, sc, &s->ans);
		log_debug("event=netmgmt_answered conn=%d", sc->id);
		return;
	}
	/* 0810: the answer to our sign-on. */
	iso_get_str(&s->rx, 39, rcs, sizeof rcs);
	rc = rcs;
	if (strcmp(rc, "00") != 0) {
		log_warnx("event=signon_refused conn=%d de39=%s", sc->id,
		    rc[0] ? rc : "-");
		if (!sc->signed_on && s->phase < 0) {
			s->failed_setup = 1;
			finish(s);
		}
		return;
	}
	if (!sc->signed_on) {
		sc->signed_on = 1;
		log_info("event=signed_on conn=%d", sc->id);
	}
}

static void
conn_msg(struct sim_conn *c, const uint8_t *msg, size_t len, uint64_t now,
    void *arg)
{
	struct scheme *s = arg;
	struct sconn *sc = &s->conns[sim_conn_id(c)];
	struct iso_err e;
	const char *m;

	if (iso_unpack(s->rs.prof, &s->rx, msg, len, &e) == -1) {
		if (s->phase >= 0) {
			cur(s)->decode_err++;
			s->iv->decode_err++;
		}
		if (s->logged_decode++ < MAX_LOGGED)
			log_warnx("event=decode_failed conn=%d len=%zu "
			    "field=%d offset=%zu reason=\"%s\"", sc->id, len,
			    e.field, e.offset, e.msg);
		return;
	}
	m = s->rx.mti;
	if (m[0] == '0' && m[1] == '8') {
		on_netmgmt(s, sc);
		return;
	}
	/* MTI class: odd third digit = a response. */
	if (m[2] == '1' || m[2] == '3') {
		if (s->phase >= 0)
			on_response(s, sc, now);
		return;
	}
	if (m[2] == '0' || m[2] == '2') {
		/* A request the gateway sends us (core OUT_REQUEST). */
		if (s->phase >= 0)
			cur(s)->incoming++;
		if (sim_answer_build(&s->rx, s->answer_rc, &s->ans) == 0)
			send_msg(s, sc, &s->ans);
		return;
	}
	if (s->phase >= 0)
		cur(s)->unexpected++;
}

static void
conn_close(struct sim_conn *c, const char *why, void *arg)
{
	struct scheme *s = arg;
	struct sconn *sc = &s->conns[sim_conn_id(c)];

	if (sc->dead)
		return;
	sc->dead = 1;
	s->nlive--;
	if (!s->stopping || inflight(s) > 0)
		log_warnx("event=conn_lost conn=%d reason=\"%s\"", sc->id, why);
	if (s->nlive == 0) {
		s->stopping = 1;
		if (s->phase < 0)
			s->failed_setup = 1;
		finish(s);
	}
}

/* --- the clock ---------------------------------------------------------- */

static void
arm_tick(struct scheme *s, uint64_t ns)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ns / 1000000000u);
	tv.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	evtimer_add(s->tick, &tv);
}

static void
new_phase(struct scheme *s, uint64_t now)
{
	char name[32];

	cur(s)->t_end_ns = now;
	if (s->phase + 1 >= MAX_PHASES) {
		log_warnx("event=phase_limit max=%d", MAX_PHASES);
		return;
	}
	s->phase++;
	if (s->phase < s->nphase_names)
		snprintf(name, sizeof name, "%s", s->phase_names[s->phase]);
	else
		snprintf(name, sizeof name, "phase%d", s->phase + 1);
	sim_stats_init(cur(s), name, now);
	log_info("event=phase phase=%s", name);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct scheme *s = arg;
	uint64_t now = sim_now_ns(), due, n, wait;
	struct sim_pending *p;

	(void)fd;
	(void)what;
	/* Requests unanswered past --timeout. */
	while (now > s->timeout_ns &&
	    (p = sim_pending_expire(&s->ring, now - s->timeout_ns, 0)) != NULL)
		count_expired(s, p);

	if (!s->stopping && ((s->duration_ns && now - s->t0_ns >= s->duration_ns)
	    || (s->count && s->sent_total >= s->count))) {
		s->stopping = 1;
		s->stop_ns = now;
	}
	if (s->progress && now >= s->next_progress_ns) {
		struct sim_stats tot;
		int i;

		s->iv->t_end_ns = now;
		sim_stats_init(&tot, "total", s->t0_ns);
		for (i = 0; i <= s->phase; i++)
			sim_stats_merge(&tot, &s->ph[i]);
		sim_report_progress(stderr, (double)(now - s->t0_ns) / 1e9,
		    s->iv, &tot, inflight(s));
		sim_stats_init(s->iv, "interval", now);
		s->next_progress_ns += 1000000000u;
	}
	if (s->stopping) {
		/* Drain: wait for the answers still due, up to --timeout. */
		if (inflight(s) == 0 || now - s->stop_ns > s->timeout_ns) {
			while ((p = sim_pending_expire(&s->ring, 0, 1)) != NULL)
				count_expired(s, p);
			finish(s);
			return;
		}
		arm_tick(s, 1000000);
		return;
	}
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
	arm_tick(s, wait);
}

/* Closed loop: refill as answers come back. */
static void
refill(struct scheme *s)
{
	uint64_t room;

	if (s->rate != 0 || s->stopping || s->phase < 0)
		return;
	room = s->inflight_cap - inflight(s);
	if (room > 0)
		send_load(s, room, sim_now_ns());
}

static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct scheme *s = arg;

	(void)what;
	if (sig == SIGUSR1) {
		if (s->phase >= 0)
			new_phase(s, sim_now_ns());
		return;
	}
	if (s->phase < 0) {
		s->failed_setup = 1;
		finish(s);
		return;
	}
	if (!s->stopping) {
		log_info("event=stopping reason=signal");
		s->stopping = 1;
		s->stop_ns = sim_now_ns();
	}
}

/* A refill after each batch of reads: cheap because the read callback
 * has just flushed. */
static void
conn_msg_refill(struct sim_conn *c, const uint8_t *msg, size_t len,
    uint64_t now, void *arg)
{
	struct scheme *s = arg;

	conn_msg(c, msg, len, now, arg);
	/* Refill in batches (an eighth of the window, at least 8) so a
	 * closed loop costs one write per batch, not one per answer. */
	if (s->rate == 0 && !s->stopping && s->phase >= 0 &&
	    inflight(s) + s->refill_batch <= s->inflight_cap)
		refill(s);
}

/* --- setup -------------------------------------------------------------- */

static int
add_conn(struct scheme *s, int fd)
{
	struct sconn *sc = &s->conns[s->nlive];

	sc->id = s->nlive;
	sc->c = sim_conn_new(s->base, fd, &s->fr, conn_msg_refill, conn_close, s);
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
		if (sim_tcp_tune(fd) == -1 || add_conn(s, fd) == -1) {
			log_warn("event=accept_failed");
			continue;
		}
		log_info("event=accepted peer=%s conn=%d",
		    sim_addr_str((struct sockaddr *)&ss, a, sizeof a),
		    s->nlive - 1);
	}
	if (s->nlive == s->nconns)
		event_base_loopbreak(s->base);
}

static int
parse_expect(struct scheme *s, const char *list)
{
	char buf[256], *tok, *save;
	int idx;

	memset(s->expect, 0, sizeof s->expect);
	if (strcmp(list, "any") == 0) {
		memset(s->expect, 1, sizeof s->expect);
		return 0;
	}
	if (strlen(list) >= sizeof buf)
		return -1;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strlen(tok) != 2 || (idx = sim_rc_index(tok)) < 0)
			return -1;
		s->expect[idx] = 1;
	}
	return 0;
}

static int
parse_phases(struct scheme *s, char *list)
{
	char *tok, *save, *p;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (s->nphase_names >= MAX_PHASES || strlen(tok) > 30)
			return -1;
		for (p = tok; *p; p++)	/* it goes into JSON unescaped */
			if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
			    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				return -1;
		s->phase_names[s->nphase_names++] = tok;
	}
	return 0;
}

enum {
	O_CONNECT = 256, O_LISTEN, O_PROFILE, O_FRAMING, O_CONNS, O_CTIMEOUT,
	O_NOSIGNON, O_SIGNONCODE, O_RATE, O_INFLIGHT, O_DURATION, O_COUNT,
	O_CARDS, O_AMOUNT, O_AMOUNTSTEP, O_MTI, O_ADVICE, O_ACQ, O_MERCH,
	O_CUR, O_TICK, O_EXPECT, O_TIMEOUT, O_DEADLINE, O_COREMARK,
	O_ANSWERRC, O_JSON, O_PROGRESS, O_NOPROGRESS, O_PHASES, O_NOKTS,
	O_RECAPPR
};

static const struct option scheme_opts[] = {
	{ "connect", required_argument, NULL, O_CONNECT },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "profile", required_argument, NULL, O_PROFILE },
	{ "framing", required_argument, NULL, O_FRAMING },
	{ "conns", required_argument, NULL, O_CONNS },
	{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
	{ "no-signon", no_argument, NULL, O_NOSIGNON },
	{ "signon-code", required_argument, NULL, O_SIGNONCODE },
	{ "rate", required_argument, NULL, O_RATE },
	{ "inflight", required_argument, NULL, O_INFLIGHT },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "count", required_argument, NULL, O_COUNT },
	{ "cards", required_argument, NULL, O_CARDS },
	{ "amount", required_argument, NULL, O_AMOUNT },
	{ "amount-step", required_argument, NULL, O_AMOUNTSTEP },
	{ "mti", required_argument, NULL, O_MTI },
	{ "advice-every", required_argument, NULL, O_ADVICE },
	{ "acquirer", required_argument, NULL, O_ACQ },
	{ "merchant", required_argument, NULL, O_MERCH },
	{ "currency", required_argument, NULL, O_CUR },
	{ "tick", required_argument, NULL, O_TICK },
	{ "expect", required_argument, NULL, O_EXPECT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "deadline", required_argument, NULL, O_DEADLINE },
	{ "core-mark", required_argument, NULL, O_COREMARK },
	{ "answer-rc", required_argument, NULL, O_ANSWERRC },
	{ "json", required_argument, NULL, O_JSON },
	{ "record-approvals", required_argument, NULL, O_RECAPPR },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NOPROGRESS },
	{ "phases", required_argument, NULL, O_PHASES },
	{ "no-kernel-ts", no_argument, NULL, O_NOKTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "scheme-sim scheme: --%s %s: %s\n", opt, val, why);
	return -1;
}

static int
copy_digits(char *dst, size_t cap, const char *src, size_t min)
{
	size_t n = strlen(src), i;

	if (n < min || n >= cap)
		return -1;
	for (i = 0; i < n; i++)
		if (src[i] < '0' || src[i] > '9')
			return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int
parse_args(struct scheme *s, int argc, char **argv)
{
	const char *profile = "iso87", *framing = "len2", *cards = NULL;
	const char *mti = NULL, *expect = "00,05,51,91";
	int ch, have_addr = 0, progress = -1, have_inflight = 0, fk;
	uint64_t v;
	char errbuf[256];

	s->nconns = 1;
	s->duration_ns = 5000000000ull;
	s->timeout_ns = 2000000000ull;
	s->tick_ns = 100000;
	s->connect_timeout_ns = 10000000000ull;
	s->signon = 1;
	s->kernel_ts = 1;
	s->core_mark = 'C';
	s->answer_rc = "00";
	s->rs.amount = 1000;
	strcpy(s->rs.de32, "005037");
	strcpy(s->rs.de42, "SIMMERCHANT0001");
	strcpy(s->rs.de49, "826");

	optind = 1;
	while ((ch = getopt_long(argc, argv, "hv", scheme_opts, NULL)) != -1) {
		switch (ch) {
		case O_CONNECT:
		case O_LISTEN:
			if (sim_parse_addr(optarg, &s->addr, &s->addrlen) == -1)
				return bad(ch == O_LISTEN ? "listen" : "connect",
				    optarg, "want a numeric HOST:PORT");
			s->listen = ch == O_LISTEN;
			have_addr = 1;
			break;
		case O_PROFILE:
			profile = optarg;
			break;
		case O_FRAMING:
			framing = optarg;
			break;
		case O_CONNS:
			if (sim_parse_count(optarg, &v) == -1 || v < 1 ||
			    v > MAX_CONNS)
				return bad("conns", optarg, "want 1..64");
			s->nconns = (int)v;
			break;
		case O_CTIMEOUT:
			if (sim_parse_duration(optarg, &s->connect_timeout_ns))
				return bad("connect-timeout", optarg, "bad duration");
			break;
		case O_NOSIGNON:
			s->signon = 0;
			break;
		case O_SIGNONCODE:
			if (copy_digits(s->signon_code, sizeof s->signon_code,
			    optarg, 3) == -1)
				return bad("signon-code", optarg, "want 3 digits");
			break;
		case O_RATE:
			if (sim_parse_count(optarg, &s->rate) == -1)
				return bad("rate", optarg, "want a number (k/m)");
			break;
		case O_INFLIGHT:
			if (sim_parse_count(optarg, &s->inflight_cap) == -1 ||
			    s->inflight_cap == 0)
				return bad("inflight", optarg, "want a number > 0");
			have_inflight = 1;
			break;
		case O_DURATION:
			if (sim_parse_duration(optarg, &s->duration_ns) == -1)
				return bad("duration", optarg, "bad duration");
			break;
		case O_COUNT:
			if (sim_parse_count(optarg, &s->count) == -1)
				return bad("count", optarg, "want a number");
			break;
		case O_CARDS:
			cards = optarg;
			break;
		case O_AMOUNT:
			if (sim_parse_count(optarg, &s->rs.amount) == -1 ||
			    s->rs.amount > 999999999999ull)
				return bad("amount", optarg, "want minor units");
			break;
		case O_AMOUNTSTEP:
			if (sim_parse_count(optarg, &s->rs.amount_step) == -1)
				return bad("amount-step", optarg, "want a number");
			break;
		case O_MTI:
			mti = optarg;
			break;
		case O_ADVICE:
			if (sim_parse_count(optarg, &s->advice_every) == -1)
				return bad("advice-every", optarg, "want a number");
			break;
		case O_ACQ:
			if (copy_digits(s->rs.de32, sizeof s->rs.de32, optarg, 1))
				return bad("acquirer", optarg, "want 1..11 digits");
			break;
		case O_MERCH:
			if (strlen(optarg) >= sizeof s->rs.de42 || !*optarg)
				return bad("merchant", optarg, "want 1..15 chars");
			strcpy(s->rs.de42, optarg);
			break;
		case O_CUR:
			if (copy_digits(s->rs.de49, sizeof s->rs.de49, optarg, 3))
				return bad("currency", optarg, "want 3 digits");
			break;
		case O_TICK:
			if (sim_parse_duration(optarg, &s->tick_ns) == -1 ||
			    s->tick_ns < 10000)
				return bad("tick", optarg, "want >= 10us");
			break;
		case O_EXPECT:
			expect = optarg;
			break;
		case O_TIMEOUT:
			if (sim_parse_duration(optarg, &s->timeout_ns) == -1 ||
			    s->timeout_ns == 0)
				return bad("timeout", optarg, "bad duration");
			break;
		case O_DEADLINE:
			if (sim_parse_duration(optarg, &s->deadline_ns) == -1)
				return bad("deadline", optarg, "bad duration");
			break;
		case O_COREMARK:
			if (strlen(optarg) != 1)
				return bad("core-mark", optarg, "want one character");
			s->core_mark = optarg[0];
			break;
		case O_ANSWERRC:
			if (strlen(optarg) != 2 || sim_rc_index(optarg) < 0)
				return bad("answer-rc", optarg, "want 2 characters");
			s->answer_rc = optarg;
			break;
		case O_RECAPPR:
			/* line-buffered: survives the gateway's crash tests */
			if ((s->approvals = fopen(optarg, "a")) == NULL) {
				fprintf(stderr, "scheme-sim scheme: %s: %s\n",
				    optarg, strerror(errno));
				return 2;
			}
			setvbuf(s->approvals, NULL, _IOLBF, 0);
			break;
		case O_JSON:
			s->json_path = optarg;
			break;
		case O_PROGRESS:
			progress = 1;
			break;
		case O_NOPROGRESS:
			progress = 0;
			break;
		case O_PHASES:
			if (parse_phases(s, optarg) == -1)
				return bad("phases", optarg,
				    "want up to 16 names of [A-Za-z0-9_-]");
			break;
		case O_NOKTS:
			s->kernel_ts = 0;
			break;
		case 'v':
			log_setverbose(1);
			break;
		case 'h':
			sim_scheme_usage();
			exit(0);
		default:
			sim_scheme_usage();
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "scheme-sim scheme: unexpected argument %s\n",
		    argv[optind]);
		return -1;
	}
	if (!have_addr) {
		fprintf(stderr, "scheme-sim scheme: --connect or --listen is "
		    "required\n");
		return -1;
	}
	if ((s->rs.prof = iso_profile_find(profile)) == NULL)
		return bad("profile", profile, iso_profile_names());
	if ((fk = frame_kind_parse(framing)) < 0)
		return bad("framing", framing, "want len2 or len4ascii");
	s->fr.kind = (uint8_t)fk;
	s->fr.hdrlen = 0;
	s->fr.max = ISO_BUF_MAX;
	if (parse_expect(s, expect) == -1)
		return bad("expect", expect, "want RC,RC,... or any");
	if (s->signon_code[0] == '\0')
		strcpy(s->signon_code,
		    strncmp(profile, "mastercard", 10) == 0 ? "061" : "001");
	if (mti == NULL)
		mti = strcmp(profile, "fps") == 0 ? "0200" : "0100";
	if (strlen(mti) != 4 || strspn(mti, "0123456789") != 4 ||
	    mti[2] % 2 != 0)
		return bad("mti", mti, "want a 4-digit request MTI");
	strcpy(s->rs.mti, mti);
	if (!have_inflight)
		s->inflight_cap = s->rate ? 1u << 19 : 64;
	s->refill_batch = s->inflight_cap / 8 > 8 ? s->inflight_cap / 8 : 8;
	if (s->refill_batch > s->inflight_cap)
		s->refill_batch = s->inflight_cap;
	if (s->count == 0 && s->duration_ns == 0)
		return bad("duration", "0", "give --duration or --count");
	s->progress = progress >= 0 ? progress : s->duration_ns >= 3000000000ull;
	/* Amount plus step must stay within n12. */
	if (s->rs.amount + 9 * s->rs.amount_step > 999999999999ull)
		return bad("amount-step", "", "amounts exceed 12 digits");

	s->rs.emv = strncmp(profile, "mastercard", 10) == 0;
	strcpy(s->rs.de3, "000000");
	strcpy(s->rs.de22, s->rs.emv ? "051" : "012");
	if (cards != NULL) {
		if (sim_cards_load(&s->cards, cards, errbuf, sizeof errbuf)) {
			fprintf(stderr, "scheme-sim scheme: --cards %s\n", errbuf);
			return -1;
		}
	} else if (sim_cards_builtin(&s->cards) == -1)
		return -1;
	s->rs.cards = &s->cards;
	snprintf(s->rs.rrn_prefix, sizeof s->rs.rrn_prefix, "%04u",
	    (unsigned)((sim_wall_us() / 1000000u + (uint64_t)getpid()) % 10000));
	return 0;
}

static int
setup_conns(struct scheme *s)
{
	char a[64];
	int i, fd;

	sim_addr_str((struct sockaddr *)&s->addr, a, sizeof a);
	if (s->listen) {
		s->lfd = sim_tcp_listen((struct sockaddr *)&s->addr, s->addrlen);
		if (s->lfd == -1) {
			log_warn("event=listen_failed addr=%s", a);
			return -1;
		}
		log_info("event=listening addr=%s conns=%d", a, s->nconns);
		s->accept_ev = event_new(s->base, s->lfd, EV_READ | EV_PERSIST,
		    accept_cb, s);
		event_add(s->accept_ev, NULL);
		event_base_dispatch(s->base);
		event_free(s->accept_ev);
		close(s->lfd);
		return s->nlive == s->nconns ? 0 : -1;
	}
	for (i = 0; i < s->nconns; i++) {
		fd = sim_tcp_connect((struct sockaddr *)&s->addr, s->addrlen,
		    s->connect_timeout_ns);
		if (fd == -1) {
			log_warn("event=connect_failed addr=%s", a);
			return -1;
		}
		if (add_conn(s, fd) == -1)
			return -1;
	}
	log_info("event=connected addr=%s conns=%d", a, s->nconns);
	return 0;
}

static void
signon_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct scheme *s = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(s->base);
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
		event_base_loopbreak(s->base);
}

static int
signon_all(struct scheme *s)
{
	struct event *to, *chk;
	struct timeval tv5 = { 5, 0 }, tv1ms = { 0, 1000 };
	int i;

	sim_clock_update(&s->clk, sim_wall_us());
	for (i = 0; i < s->nconns; i++) {
		if (sim_netmgmt_build(&s->rs, &s->clk, ++s->nm_stan,
		    s->signon_code, &s->tx) == -1 ||
		    send_msg(s, &s->conns[i], &s->tx) == -1 ||
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

int
sim_scheme_main(int argc, char **argv)
{
	struct scheme *s;
	struct event_config *cfg;
	struct sim_report_ctx ctx;
	struct sim_stats *total;
	uint64_t now;
	int i, rc = 0;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return 2;
	s->lfd = -1;
	s->phase = -1;
	if (parse_args(s, argc, argv) == -1) {
		sim_cards_free(&s->cards);
		free(s);
		return 2;
	}
	s->ph = calloc(MAX_PHASES, sizeof *s->ph);
	s->iv = calloc(1, sizeof *s->iv);
	total = calloc(1, sizeof *total);
	cfg = event_config_new();
	/* Precise timers (timerfd): pacing below 1 ms must not round up. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	s->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (s->ph == NULL || s->iv == NULL || total == NULL || s->base == NULL ||
	    sim_pending_init(&s->ring, s->rate ? (size_t)(s->rate *
	    (s->timeout_ns / 1000000u + 100) / 1000u) : (size_t)s->inflight_cap * 2,
	    (uint64_t)(sim_wall_us() % 900000u)) == -1) {
		rc = 2;
		goto out;
	}
	if (s->inflight_cap > sim_pending_slots(&s->ring))
		s->inflight_cap = sim_pending_slots(&s->ring);
	s->tick = evtimer_new(s->base, tick_cb, s);
	s->sigint = evsignal_new(s->base, SIGINT, sig_cb, s);
	s->sigterm = evsignal_new(s->base, SIGTERM, sig_cb, s);
	s->sigusr1 = evsignal_new(s->base, SIGUSR1, sig_cb, s);
	evsignal_add(s->sigint, NULL);
	evsignal_add(s->sigterm, NULL);
	evsignal_add(s->sigusr1, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (setup_conns(s) == -1 || (s->signon && signon_all(s) == -1)) {
		log_warnx("event=setup_failed");
		rc = 2;
		goto out;
	}

	now = sim_now_ns();
	s->t0_ns = now;
	s->next_progress_ns = now + 1000000000u;
	s->phase = -1;
	new_phase(s, now);
	sim_stats_init(s->iv, "interval", now);
	sim_pacer_init(&s->pacer, s->rate, now,
	    s->rate ? (s->rate / 100 > 64 ? s->rate / 100 : 64) : s->inflight_cap);
	log_info("event=load_start rate=%llu inflight_cap=%llu conns=%d "
	    "profile=%s", (unsigned long long)s->rate,
	    (unsigned long long)s->inflight_cap, s->nconns, s->rs.prof->name);
	arm_tick(s, 0);
	event_base_dispatch(s->base);

	now = sim_now_ns();
	cur(s)->t_end_ns = now;
	/* Whatever was still in flight when the links died is lost. */
	{
		struct sim_pending *p;
		while ((p = sim_pending_expire(&s->ring, 0, 1)) != NULL)
			count_expired(s, p);
	}
	sim_stats_init(total, "total", s->t0_ns);
	for (i = 0; i <= s->phase; i++)
		sim_stats_merge(total, &s->ph[i]);
	total->t_end_ns = now;
	/* The rate is over the sending time, not the drain. */
	if (s->stop_ns)
		total->t_end_ns = s->stop_ns;

	memset(&ctx, 0, sizeof ctx);
	ctx.profile = s->rs.prof->name;
	ctx.framing = frame_kind_name(s->fr.kind);
	ctx.conns = s->nconns;
	ctx.rate = s->rate;
	ctx.inflight = s->inflight_cap;
	ctx.deadline_ns = s->deadline_ns;
	for (i = 0; i < s->nlive; i++)
		if (sim_conn_rx_timestamps_used(s->conns[i].c) > 0)
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
	fflush(stdout);
	if (s->json_path && sim_report_json(s->json_path, &ctx, total, s->ph,
	    s->phase + 1) == -1)
		rc = 2;
	if (rc == 0 && (s->failed_setup || sim_stats_errors(total) > 0 ||
	    (s->deadline_ns && total->deadline_miss > 0) || total->sent == 0))
		rc = 1;
out:
	for (i = 0; i < s->nlive; i++)
		sim_conn_free(s->conns[i].c);
	if (s->tick)
		event_free(s->tick);
	if (s->sigint)
		event_free(s->sigint);
	if (s->sigterm)
		event_free(s->sigterm);
	if (s->sigusr1)
		event_free(s->sigusr1);
	if (s->base)
		event_base_free(s->base);
	sim_pending_free(&s->ring);
	sim_cards_free(&s->cards);
	free(s->ph);
	free(s->iv);
	free(total);
	free(s);
	return rc;
}
