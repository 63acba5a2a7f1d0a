/*
 * views.c — gatewayctl's views and the link, core and router metrics.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "base/clock.h"
#include "gateway/config.h"
#include "gateway/dedup.h"
#include "gateway/gwconfine.h"
#include "gateway/metrics.h"
#include "gateway/outsaf.h"
#include "gateway/pair.h"
#include "gateway/router.h"
#include "gateway/session.h"
#include "gateway/views.h"

static struct {
	char		 name[CFG_NAME_MAX];
	int		 mode;		/* enum standin_mode */
	int		 durable;
	uint64_t	 start_us;
} V;

void
views_configure(const struct config *c, uint64_t start_us)
{
	snprintf(V.name, sizeof V.name, "%s", c->name);
	V.mode = c->standin_mode;
	V.durable = c->durability == DURABILITY_FULL;
	V.start_us = start_us;
}

/* One JSON object on a line of its own, and the reference dropped. */
static void
emit(struct evbuffer *b, json_t *j)
{
	char *s;

	if (j == NULL || (s = json_dumps(j, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		evbuffer_add_printf(b, "{\"error\":\"out of memory\"}\n");
		json_decref(j);
		return;
	}
	evbuffer_add_printf(b, "%s\n", s);
	free(s);
	json_decref(j);
}

static json_t *
juint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static const char *
clock_name(int synced)
{
	return synced == 1 ? "synchronised" : synced == 0 ?
	    "unsynchronised" : "unknown";
}

static const char *
force_name(enum router_force f)
{
	return f == FORCE_ON ? "on" : f == FORCE_OFF ? "off" : "auto";
}

static const char *
mode_name(int m)
{
	return m == STANDIN_AUTO ? "auto" : m == STANDIN_FORCE ? "force" :
	    "off";
}

void
view_status(struct evbuffer *b, int json)
{
	struct router_stats s;
	struct link *l;
	struct core *k, *best = core_best();
	int nl = 0, ns = 0, nk = 0, nu = 0, stale;
	uint64_t up = (wall_us() - V.start_us) / 1000000, sv, age;
	json_t *o;

	for (l = link_first(); l != NULL; l = link_next(l)) {
		nl++;
		ns += l->signed_on;
	}
	for (k = core_first(); k != NULL; k = core_next(k)) {
		nk++;
		nu += k->state == CORE_UP;
	}
	router_stats(&s);
	stale = standin_snapshot_info(&sv, &age);
	if (json) {
		o = json_pack("{s:s,s:i,s:o,s:i,s:i,s:i,s:i,s:o,s:s,s:o,"
		    "s:o,s:o,s:o,s:o,s:o,s:s,s:s}", "name", V.name, "pid",
		    (int)getpid(), "uptime_s", juint(up), "links", nl,
		    "links_signed_on", ns, "cores", nk, "cores_up", nu,
		    "active_core", best ? json_string(best->cf.name) :
		    json_null(), "standin", router_standin_state(), "inflight",
		    juint(s.inflight), "late_answers", juint(s.late),
		    "duplicates", juint(s.dups), "dedup_collisions",
		    juint(s.collisions), "dedup_entries", juint(dedup_count()),
		    "advice_queue", juint(standin_queue_depth()), "durability",
		    V.durable ? "full" : "none", "clock",
		    clock_name(clock_synchronised()));
		if (o != NULL)
			json_object_set_new(o, "confinement", json_pack(
			    "{s:b,s:i}", "seccomp", gw_confinement()->seccomp,
			    "landlock_abi", gw_confinement()->landlock_abi));
		if (o != NULL)
			json_object_set_new(o, "snapshot", json_pack(
			    "{s:o,s:o,s:b,s:s}", "version", juint(sv),
			    "age_s", age == UINT64_MAX ? json_null() :
			    juint(age), "stale", stale, "force",
			    force_name(router_force())));
		emit(b, o);
		return;
	}
	evbuffer_add_printf(b, "gateway %s pid %d up %llus\n"
	    "links: %d (%d signed on)\ncores: %d (%d up), active %s\n"
	    "standin: %s\ninflight: %llu  late answers: %llu  duplicates: "
	    "%llu  advice queue: %llu\ndurability: %s\nclock: %s\n", V.name,
	    (int)getpid(), (unsigned long long)up, nl, ns, nk, nu, best ?
	    best->cf.name : "none", router_standin_state(),
	    (unsigned long long)s.inflight, (unsigned long long)s.late,
	    (unsigned long long)s.dups,
	    (unsigned long long)standin_queue_depth(), V.durable ? "full" :
	    "none (lab mode: no stand-in store, advices in memory)",
	    clock_name(clock_synchronised()));
	if (age == UINT64_MAX)
		evbuffer_add_printf(b, "snapshot: none%s\n", standin_enabled() ?
		    " (stand-in declines 91)" : "");
	else
		evbuffer_add_printf(b, "snapshot: version %llu, %llus old%s\n",
		    (unsigned long long)sv, (unsigned long long)age, stale ?
		    " STALE (stand-in declines 91)" : "");
	evbuffer_add_printf(b, "force: %s\n", force_name(router_force()));
	/* Said where it is looked at: a kernel without Landlock leaves the
	 * files unconfined, and Confine = no leaves everything. */
	evbuffer_add_printf(b, "confinement: seccomp %s, files %s\n",
	    gw_confinement()->seccomp ? "on" : "OFF",
	    gw_confinement()->landlock_abi > 0 ? "confined (Landlock)" :
	    "NOT confined (no Landlock)");
	for (k = core_first(); k != NULL; k = core_next(k))
		evbuffer_add_printf(b, "  core %s: largest clock skew seen "
		    "%llu ms (window %u ms)\n", k->cf.name,
		    (unsigned long long)k->skew_max_ms, k->cf.fresh_us / 1000);
}

/* What the link limits did (gateway/linklimit.c). */
static json_t *
limits_json(const struct link *l)
{
	return json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "inflight",
	    l->inflight, "first_frame_timeouts",
	    juint(l->first_frame_timeouts), "frame_timeouts",
	    juint(l->frame_timeouts), "echo_closed", juint(l->echo_closed),
	    "output_paused", juint(l->output_paused), "output_stalled",
	    juint(l->output_stalled), "inflight_refused",
	    juint(l->inflight_refused));
}

/* What admission did (gateway/admit.c) and where t0 came from. */
static json_t *
admission_json(const struct link *l)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "shed_old",
	    juint(l->shed_old), "shed_busy", juint(l->shed_busy),
	    "answered_late", juint(l->answered_late), "reads_kernel_time",
	    juint(l->rx_stamped), "reads_loop_time", juint(l->rx_unstamped));
}

/* The session (gateway/session.c) and the messages no class takes. */
static json_t *
session_json(const struct link *l)
{
	return json_pack("{s:b,s:b,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,"
	    "s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "sign_on", l->cf.sign_on, "mac",
	    l->cf.mac, "mac_sent", juint(l->mac_sent), "mac_ok",
	    juint(l->mac_ok), "mac_bad", juint(l->mac_bad), "mac_failed",
	    juint(l->mac_failed), "zpk_kcv",
	    l->zk.zpk.kcv, "zpk_previous_kcv", l->zk.zpk_prev.kcv, "mak_kcv",
	    l->zk.mak.kcv, "key_changes", juint(l->zk.changes),
	    "key_changes_refused", juint(l->zk.refused), "sign_on_sent", juint(l->sign_on_sent),
	    "sign_on_ok", juint(l->sign_on_ok), "sign_on_refused",
	    juint(l->sign_on_refused), "sign_off_sent",
	    juint(l->sign_off_sent), "scheme_sign_ons",
	    juint(l->scheme_sign_ons), "scheme_sign_offs",
	    juint(l->scheme_sign_offs), "saf_requests",
	    juint(l->saf_requests), "gated", juint(l->gated), "unhandled",
	    juint(l->unhandled));
}

static json_t *
link_json(const struct link *l)
{
	const struct conn *c;
	json_t *conns = json_array();

	TAILQ_FOREACH(c, &l->conns, entry)
		json_array_append_new(conns, json_pack(
		    "{s:o,s:s,s:b,s:s,s:o,s:o}", "id", juint(c->id), "peer",
		    c->peer, "signed_on", c->signed_on, "session",
		    session_state_name(c->session), "rx", juint(c->rx_frames),
		    "tx", juint(c->tx_frames)));
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o,s:o,s:o,s:o}", "name", l->cf.name, "mode", l->cf.mode == LINK_LISTEN ?
	    "listen" : "connect", "address", l->cf.addr.text, "profile",
	    l->cf.profile, "signed_on", l->signed_on, "connections",
	    l->nconns, "accepted", juint(l->accepted), "refused",
	    juint(l->refused), "bad_messages", juint(l->bad_msgs),
	    "bad_frames", juint(l->bad_frames), "echo_sent",
	    juint(l->echo_sent), "echo_ok", juint(l->echo_ok), "limits",
	    limits_json(l), "admission", admission_json(l), "session",
	    session_json(l), "conns", conns);
}

static void
link_text(struct evbuffer *b, const struct link *l)
{
	const struct conn *c;

	evbuffer_add_printf(b, "%-20s %-7s %-22s %-10s %-8s %5d %8llu %8llu\n",
	    l->cf.name, l->cf.mode == LINK_LISTEN ? "listen" : "connect",
	    l->cf.addr.text, l->cf.profile, l->signed_on ? "yes" : "no",
	    l->nconns, (unsigned long long)l->refused,
	    (unsigned long long)l->bad_msgs);
	evbuffer_add_printf(b, "  limits: inflight=%d first_frame_timeouts=%llu "
	    "frame_timeouts=%llu echo_closed=%llu output_paused=%llu "
	    "output_stalled=%llu inflight_refused=%llu bad_frames=%llu\n",
	    l->inflight, (unsigned long long)l->first_frame_timeouts,
	    (unsigned long long)l->frame_timeouts,
	    (unsigned long long)l->echo_closed,
	    (unsigned long long)l->output_paused,
	    (unsigned long long)l->output_stalled,
	    (unsigned long long)l->inflight_refused,
	    (unsigned long long)l->bad_frames);
	evbuffer_add_printf(b, "  admission: shed_old=%llu shed_busy=%llu "
	    "answered_late=%llu reads_kernel_time=%llu reads_loop_time=%llu\n",
	    (unsigned long long)l->shed_old,
	    (unsigned long long)l->shed_busy,
	    (unsigned long long)l->answered_late,
	    (unsigned long long)l->rx_stamped,
	    (unsigned long long)l->rx_unstamped);
	evbuffer_add_printf(b, "  session: sign_on=%s sign_on_sent=%llu "
	    "sign_on_ok=%llu sign_on_refused=%llu sign_off_sent=%llu "
	    "scheme_sign_ons=%llu scheme_sign_offs=%llu saf_requests=%llu "
	    "gated=%llu unhandled=%llu\n  zone keys: zpk=%s zpk_previous=%s "
	    "mak=%s changes=%llu refused=%llu\n  mac: %s sent=%llu ok=%llu "
	    "bad=%llu failed=%llu\n", l->cf.sign_on ? "yes" : "no",
	    (unsigned long long)l->sign_on_sent,
	    (unsigned long long)l->sign_on_ok,
	    (unsigned long long)l->sign_on_refused,
	    (unsigned long long)l->sign_off_sent,
	    (unsigned long long)l->scheme_sign_ons,
	    (unsigned long long)l->scheme_sign_offs,
	    (unsigned long long)l->saf_requests,
	    (unsigned long long)l->gated, (unsigned long long)l->unhandled,
	    l->zk.zpk.kcv[0] ? l->zk.zpk.kcv : "-",
	    l->zk.zpk_prev.kcv[0] ? l->zk.zpk_prev.kcv : "-",
	    l->zk.mak.kcv[0] ? l->zk.mak.kcv : "-",
	    (unsigned long long)l->zk.changes,
	    (unsigned long long)l->zk.refused, l->cf.mac ? "yes" : "no",
	    (unsigned long long)l->mac_sent, (unsigned long long)l->mac_ok,
	    (unsigned long long)l->mac_bad,
	    (unsigned long long)l->mac_failed);
	TAILQ_FOREACH(c, &l->conns, entry)
		evbuffer_add_printf(b, "  conn %llu peer=%s signed_on=%s "
		    "session=%s rx=%llu tx=%llu\n", (unsigned long long)c->id,
		    c->peer, c->signed_on ? "yes" : "no",
		    session_state_name(c->session),
		    (unsigned long long)c->rx_frames,
		    (unsigned long long)c->tx_frames);
}

void
view_links(struct evbuffer *b, int json)
{
	struct link *l;
	json_t *a;

	if (json) {
		a = json_array();
		for (l = link_first(); l != NULL; l = link_next(l))
			json_array_append_new(a, link_json(l));
		emit(b, json_pack("{s:o}", "links", a));
		return;
	}
	evbuffer_add_printf(b, "%-20s %-7s %-22s %-10s %-8s %5s %8s %8s\n",
	    "LINK", "MODE", "ADDRESS", "PROFILE", "SIGNED", "CONNS", "REFUSED",
	    "BADMSG");
	for (l = link_first(); l != NULL; l = link_next(l))
		link_text(b, l);
}

static uint64_t
rejected_total(const struct core *k)
{
	uint64_t n = 0;
	int j;

	for (j = 1; j < COREFR_R_MAX; j++)
		n += k->rejected[j];
	return n;
}

static json_t *
core_json(const struct core *k, int active)
{
	json_t *rej = json_object();
	int j;

	for (j = 1; j < COREFR_R_MAX; j++)
		json_object_set_new(rej, corefr_reject_name(j),
		    juint(k->rejected[j]));
	return json_pack("{s:s,s:s,s:i,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:i,"
	    "s:o,s:o,s:o}", "name", k->cf.name, "address", k->cf.addr.text,
	    "priority", k->cf.priority, "state", core_state_name(k->state),
	    "active", active, "rtt_us", juint(k->rtt_us), "heartbeats_sent",
	    juint(k->hb_sent), "heartbeats_ok", juint(k->hb_ok), "downs",
	    juint(k->downs), "tx", juint(k->tx), "rx", juint(k->rx), "keys",
	    k->cf.keys.n, "rejected", rej, "skew_max_ms",
	    juint(k->skew_max_ms), "fresh_window_ms",
	    juint(k->cf.fresh_us / 1000));
}

void
view_cores(struct evbuffer *b, int json)
{
	struct core *k, *best = core_best();
	json_t *a;

	if (json) {
		a = json_array();
		for (k = core_first(); k != NULL; k = core_next(k))
			json_array_append_new(a, core_json(k, k == best));
		emit(b, json_pack("{s:o}", "cores", a));
		return;
	}
	evbuffer_add_printf(b, "%-16s %-22s %4s %-8s %-6s %9s %9s %8s\n",
	    "CORE", "ADDRESS", "PRIO", "STATE", "ACTIVE", "RTT_US", "HB_OK",
	    "REJECTED");
	for (k = core_first(); k != NULL; k = core_next(k))
		evbuffer_add_printf(b, "%-16s %-22s %4d %-8s %-6s %9llu %9llu "
		    "%8llu\n", k->cf.name, k->cf.addr.text, k->cf.priority,
		    core_state_name(k->state), k == best ? "yes" : "no",
		    (unsigned long long)k->rtt_us,
		    (unsigned long long)k->hb_ok,
		    (unsigned long long)rejected_total(k));
}

void
view_standin(struct evbuffer *b, int json)
{
	const char *state = router_standin_state();
	const char *force = force_name(router_force());

	if (json && standin_enabled())
		emit(b, json_pack("{s:s,s:s,s:s,s:o}", "standin", state,
		    "force", force, "mode", mode_name(V.mode), "authoriser",
		    standin_json()));
	else if (json)
		emit(b, json_pack("{s:s,s:s,s:s,s:s}", "standin", state,
		    "force", force, "mode", mode_name(V.mode), "decision",
		    "91"));
	else if (standin_enabled()) {
		evbuffer_add_printf(b, "standin: %s (force %s)\n", state,
		    force);
		standin_text(b);
	} else
		evbuffer_add_printf(b, "standin: %s (force %s)\n"
		    "decisions: DE39 91 only (no stand-in store)\n", state,
		    force);
}

void
view_pair(struct evbuffer *b, int json)
{
	if (json)
		emit(b, pair_json());
	else
		pair_text(b);
}

void
view_saf(struct evbuffer *b, int json)
{
	json_t *j;

	if (json) {
		/* both directions: the scheme's advices to the core, and
		 * the core's unanswered requests to the scheme */
		if ((j = standin_saf_json()) != NULL)
			json_object_set_new(j, "outbound", outsaf_json());
		emit(b, j);
		return;
	}
	standin_saf_text(b);
	outsaf_text(b);
}

/* --- metrics ------------------------------------------------------------------------ */

/* One line per core (or link) of a metric, labelled by its name. */
#define FAMILY(b, type, first, next, label, metric, fmt, val) do {	\
	char e_[CFG_NAME_MAX * 2];					\
	type *x_;							\
	for (x_ = first(); x_ != NULL; x_ = next(x_)) {			\
		metrics_escape(e_, sizeof e_, x_->cf.name);		\
		evbuffer_add_printf(b, "gatewayd_" metric "{" label	\
		    "=\"%s\"} " fmt "\n", e_, val(x_));			\
	}								\
} while (0)
#define PER_CORE(b, metric, fmt, val)					\
	FAMILY(b, struct core, core_first, core_next, "core", metric, fmt, val)
#define PER_LINK(b, metric, fmt, val)					\
	FAMILY(b, struct link, link_first, link_next, "link", metric, fmt, val)

#define K_UP(k)		((k)->state == CORE_UP)
#define K_RTT(k)	((double)(k)->rtt_us / 1e6)
#define K_DOWNS(k)	((unsigned long long)(k)->downs)
#define K_SKEW(k)	((double)(k)->skew_max_ms / 1e3)
#define L_SIGNED(l)	((l)->signed_on)
#define L_CONNS(l)	((l)->nconns)
#define L_INFLIGHT(l)	((l)->inflight)

static void
core_metrics(struct evbuffer *b)
{
	char e[CFG_NAME_MAX * 2];
	struct core *k;
	int j;

	evbuffer_add_printf(b, "# TYPE gatewayd_core_up gauge\n");
	PER_CORE(b, "core_up", "%d", K_UP);
	evbuffer_add_printf(b, "# TYPE gatewayd_core_heartbeat_rtt_seconds "
	    "gauge\n");
	PER_CORE(b, "core_heartbeat_rtt_seconds", "%.6f", K_RTT);
	evbuffer_add_printf(b, "# TYPE gatewayd_core_down_total counter\n");
	PER_CORE(b, "core_down_total", "%llu", K_DOWNS);
	evbuffer_add_printf(b, "# TYPE gatewayd_core_clock_skew_max_seconds "
	    "gauge\n");
	PER_CORE(b, "core_clock_skew_max_seconds", "%.3f", K_SKEW);
	evbuffer_add_printf(b, "# HELP gatewayd_core_frames_rejected_total "
	    "Core-link datagrams dropped, by reason.\n"
	    "# TYPE gatewayd_core_frames_rejected_total counter\n");
	for (k = core_first(); k != NULL; k = core_next(k)) {
		metrics_escape(e, sizeof e, k->cf.name);
		for (j = 1; j < COREFR_R_MAX; j++)
			evbuffer_add_printf(b,
			    "gatewayd_core_frames_rejected_total{core=\"%s\","
			    "reason=\"%s\"} %llu\n", e, corefr_reject_name(j),
			    (unsigned long long)k->rejected[j]);
	}
}

/* A link's counters, one metric family each (HELP where the name alone
 * does not say it). */
static const struct link_counter {
	const char	*name, *help;
	size_t		 off;
} link_counters[] = {
#define LC(name, help, field) { name, help, offsetof(struct link, field) }
	LC("connections_refused_total", NULL, refused),
	LC("bad_messages_total", NULL, bad_msgs),
	LC("bad_frames_total", NULL, bad_frames),
	LC("first_frame_timeouts_total", "Accepted sockets closed without a "
	    "valid frame in FirstFrameTimeout.", first_frame_timeouts),
	LC("frame_timeouts_total", NULL, frame_timeouts),
	LC("echo_closed_total", NULL, echo_closed),
	LC("output_paused_total", NULL, output_paused),
	LC("output_stalled_total", NULL, output_stalled),
	LC("inflight_refused_total", NULL, inflight_refused),
	LC("shed_old_total", "Requests answered 91 at once: too old to be "
	    "decided within Deadline.", shed_old),
	LC("shed_busy_total", "Requests answered 91 at once: stand-in's "
	    "queue would outlast Deadline.", shed_busy),
	LC("answered_late_total", "Answers queued after Deadline, counted "
	    "from the kernel's receive time.", answered_late),
	LC("reads_loop_time_total", "Reads with no kernel receive time (t0 "
	    "from the loop's clock).", rx_unstamped),
	LC("sign_on_sent_total", NULL, sign_on_sent),
	LC("sign_on_ok_total", NULL, sign_on_ok),
	LC("sign_on_refused_total", NULL, sign_on_refused),
	LC("sign_off_sent_total", NULL, sign_off_sent),
	LC("saf_requests_total", NULL, saf_requests),
	LC("gated_total", "Requests refused on a connection not signed on.",
	    gated),
	LC("unhandled_total", "Messages of a class or function no route "
	    "takes (answered 12; by MTI in gatewayd_requests_total).",
	    unhandled),
	LC("key_changes_total", NULL, zk.changes),
	LC("key_changes_refused_total", NULL, zk.refused),
	LC("mac_sent_total", NULL, mac_sent),
	LC("mac_ok_total", NULL, mac_ok),
	LC("mac_bad_total", "Messages refused for a bad or missing MAC.",
	    mac_bad),
	LC("mac_failed_total", "MACs not computed or checked: no MAC key, or "
	    "the HSM failed.", mac_failed),
#undef LC
};

static void
link_metrics(struct evbuffer *b)
{
	const struct link_counter *c;
	char e[CFG_NAME_MAX * 2];
	const struct link *l;
	size_t i;

	evbuffer_add_printf(b, "# TYPE gatewayd_link_signed_on gauge\n");
	PER_LINK(b, "link_signed_on", "%d", L_SIGNED);
	evbuffer_add_printf(b, "# TYPE gatewayd_link_connections gauge\n");
	PER_LINK(b, "link_connections", "%d", L_CONNS);
	evbuffer_add_printf(b, "# TYPE gatewayd_link_inflight gauge\n");
	PER_LINK(b, "link_inflight", "%d", L_INFLIGHT);
	for (i = 0; i < sizeof link_counters / sizeof link_counters[0]; i++) {
		c = &link_counters[i];
		if (c->help != NULL)
			evbuffer_add_printf(b, "# HELP gatewayd_link_%s %s\n",
			    c->name, c->help);
		evbuffer_add_printf(b, "# TYPE gatewayd_link_%s counter\n",
		    c->name);
		for (l = link_first(); l != NULL; l = link_next(l)) {
			metrics_escape(e, sizeof e, l->cf.name);
			evbuffer_add_printf(b, "gatewayd_link_%s{link=\"%s\"} "
			    "%llu\n", c->name, e, (unsigned long long)
			    *(const uint64_t *)(const void *)
			    ((const char *)l + c->off));
		}
	}
}

void
views_metrics(struct evbuffer *b)
{
	struct router_stats s;

	core_metrics(b);
	router_stats(&s);
	evbuffer_add_printf(b, "# TYPE gatewayd_core_late_answers_total "
	    "counter\ngatewayd_core_late_answers_total %llu\n"
	    "# TYPE gatewayd_core_bad_answers_total counter\n"
	    "gatewayd_core_bad_answers_total %llu\n"
	    "# TYPE gatewayd_duplicates_total counter\n"
	    "gatewayd_duplicates_total %llu\n"
	    "# TYPE gatewayd_inflight gauge\ngatewayd_inflight %llu\n"
	    "# TYPE gatewayd_dedup_entries gauge\ngatewayd_dedup_entries %zu\n"
	    "# TYPE gatewayd_advice_queue gauge\ngatewayd_advice_queue %llu\n"
	    "# TYPE gatewayd_standin_forced gauge\n"
	    "gatewayd_standin_forced %d\n"
	    "# TYPE gatewayd_dedup_collisions_total counter\n"
	    "gatewayd_dedup_collisions_total %llu\n"
	    "# TYPE gatewayd_durable gauge\ngatewayd_durable %d\n"
	    "# TYPE gatewayd_clock_synchronised gauge\n"
	    "gatewayd_clock_synchronised %d\n"
	    "# TYPE gatewayd_confined_seccomp gauge\n"
	    "gatewayd_confined_seccomp %d\n"
	    "# TYPE gatewayd_confined_landlock_abi gauge\n"
	    "gatewayd_confined_landlock_abi %d\n", (unsigned long long)s.late,
	    (unsigned long long)s.unmatched, (unsigned long long)s.dups,
	    (unsigned long long)s.inflight, dedup_count(),
	    (unsigned long long)standin_queue_depth(),
	    router_force() == FORCE_ON, (unsigned long long)s.collisions,
	    V.durable, clock_synchronised() == 1, gw_confinement()->seccomp,
	    gw_confinement()->landlock_abi);
	link_metrics(b);
}
