/*
 * coreshare.c — moving stand-in budget shares between the gateways of a
 * pair (`--share` and the control socket's `share`).  A SHARE (type 11,
 * corr_id its version) tells the gateways "NAME=PCT;NAME=PCT" in tag
 * 0x2010; each answers SHARE_ACK with its name (0x1007), the share in
 * force (0x2011) and the version it holds (0x2012).
 *
 * Two gateways that each think they may spend more than the other left
 * them would together spend more than the budget, so a move never lets
 * the sum of what they hold rise above what it was:
 *
 *   PROBE  when a named gateway's share is not known yet: version 0,
 *          which no gateway applies (it holds 0 or more) and every one
 *          answers with what it holds;
 *   LOWER  version v: every named gateway at min(new, old), where old is
 *          the share its last SHARE_ACK said;
 *   RAISE  once every named gateway's SHARE_ACK shows a version >= v,
 *          version v+1 with the new values.
 *
 * Each step is resent every 200 ms, to every gateway address known,
 * until acked.  Versions start at the wall clock in ms, so a restarted
 * core's versions stay above its old ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/parse.h"
#include "tunnel/tlv.h"

#define RESEND_NS	200000000ull

static const char *const state_names[] = { "none", "lower", "raise",
    "done", "aborted", "probe" };

const char *
core_move_state_name(int state)
{
	if (state < 0 || (size_t)state >= sizeof state_names /
	    sizeof state_names[0])
		return "?";
	return state_names[state];
}

int
core_share_parse(const char *arg, struct core_move *m, char *why,
    size_t whysz)
{
	char buf[CORE_MAX_GW * (CORE_NAMELEN + 5)], *tok, *sp = NULL, *eq;
	char *end;
	unsigned long v;
	int i;

	memset(m, 0, sizeof m[0]);
	if (arg == NULL || strlen(arg) >= sizeof buf) {
		snprintf(why, whysz, "want NAME=PCT,NAME=PCT");
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", arg);
	for (tok = strtok_r(buf, ",", &sp); tok != NULL;
	    tok = strtok_r(NULL, ",", &sp)) {
		if ((eq = strchr(tok, '=')) == NULL) {
			snprintf(why, whysz, "want NAME=PCT, not %.64s", tok);
			return -1;
		}
		*eq = '\0';
		v = strtoul(eq + 1, &end, 10);
		if (!core_name_ok(tok) || eq[1] < '0' || eq[1] > '9' ||
		    *end != '\0' || v > 100) {
			snprintf(why, whysz, "want NAME=PCT (a name of "
			    "[A-Za-z0-9._-], PCT 0..100), not %.64s=%.8s",
			    tok, eq + 1);
			return -1;
		}
		for (i = 0; i < m->n; i++)
			if (strcmp(m->name[i], tok) == 0) {
				snprintf(why, whysz, "%s named twice", tok);
				return -1;
			}
		if (m->n == CORE_MAX_GW) {
			snprintf(why, whysz, "at most %d gateways",
			    CORE_MAX_GW);
			return -1;
		}
		snprintf(m->name[m->n], sizeof m->name[m->n], "%s", tok);
		m->want[m->n++] = (unsigned)v;
	}
	if (m->n == 0) {
		snprintf(why, whysz, "want NAME=PCT,NAME=PCT");
		return -1;
	}
	return 0;
}

static const struct core_share *
share_of(const struct coresim *cs, const char *name)
{
	int i;

	for (i = 0; i < cs->nshares; i++)
		if (strcmp(cs->shares[i].name, name) == 0)
			return &cs->shares[i];
	return NULL;
}

/* The step's SHARE to every gateway address known. */
static void
send_step(struct coresim *cs, uint64_t now)
{
	struct core_move *m = &cs->move;
	char v[CORE_MAX_GW * (CORE_NAMELEN + 5)];
	uint8_t body[sizeof v + 8];
	struct tlv_w w;
	size_t n = 0;
	int i;

	for (i = 0; i < m->n; i++)
		n += (size_t)snprintf(v + n, sizeof v - n, "%s%s=%u",
		    i ? ";" : "", m->name[i], m->state == MOVE_RAISE ?
		    m->want[i] : m->low[i]);
	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_SHARES, v);
	if (w.err)
		return;
	for (i = 0; i < cs->ngw; i++) {
		core_emit(cs, COREFR_SHARE, m->version, body, w.len,
		    (struct sockaddr *)&cs->gws[i].addr, cs->gws[i].len, 0);
		cs->share_sent++;
	}
	if (m->sent_ns == 0)
		log_info("event=share_sent step=%s version=%llu shares=%s",
		    core_move_state_name(m->state), (unsigned long long)m->version, v);
	m->sent_ns = now;
	core_flush_tx(cs);
}

/* The lowering step: every named gateway at min(new, what it holds). */
static void
to_lower(struct coresim *cs)
{
	struct core_move *m = &cs->move;
	const struct core_share *s;
	int i;

	for (i = 0; i < m->n; i++) {
		s = share_of(cs, m->name[i]);
		m->low[i] = s != NULL && s->pct < m->want[i] ? s->pct :
		    m->want[i];
	}
	m->state = MOVE_LOWER;
	m->version = ++cs->share_ver;
	m->sent_ns = 0;
}

/* Every named gateway holds the step's version or a newer one (in the
 * probe: has said what it holds): on. */
static void
progress(struct coresim *cs)
{
	struct core_move *m = &cs->move;
	const struct core_share *s;
	int i;

	if (m->state == MOVE_PROBE) {
		for (i = 0; i < m->n; i++)
			if (share_of(cs, m->name[i]) == NULL)
				return;
		to_lower(cs);
		if (cs->have_gw && !cs->blackholed)
			send_step(cs, sim_now_ns());
		return;
	}
	if (m->state != MOVE_LOWER && m->state != MOVE_RAISE)
		return;
	for (i = 0; i < m->n; i++)
		if ((s = share_of(cs, m->name[i])) == NULL ||
		    s->version < m->version)
			return;
	if (m->state == MOVE_RAISE) {
		m->state = MOVE_DONE;
		log_info("event=share_moved version=%llu",
		    (unsigned long long)m->version);
		return;
	}
	m->state = MOVE_RAISE;
	m->version = ++cs->share_ver;
	m->sent_ns = 0;
	if (cs->have_gw && !cs->blackholed)
		send_step(cs, sim_now_ns());
}

int
core_share_start(struct coresim *cs, const char *arg, char *ans, size_t cap)
{
	struct core_move m;
	char why[200];
	int i;

	if (MOVE_PENDING(cs->move.state)) {
		snprintf(ans, cap, "err a move is pending (version %llu)",
		    (unsigned long long)cs->move.version);
		return -1;
	}
	if (core_share_parse(arg, &m, why, sizeof why) == -1) {
		snprintf(ans, cap, "err %s", why);
		return -1;
	}
	cs->move = m;
	/* A share not heard yet cannot be lowered from: ask first. */
	for (i = 0; i < m.n; i++)
		if (share_of(cs, m.name[i]) == NULL)
			break;
	if (i < m.n) {
		cs->move.state = MOVE_PROBE;
		cs->move.version = 0;
		memcpy(cs->move.low, cs->move.want, sizeof cs->move.low);
	} else
		to_lower(cs);
	if (cs->have_gw && !cs->blackholed)
		send_step(cs, sim_now_ns());
	core_share_status(cs, ans, cap);
	return 0;
}

void
core_share_status(const struct coresim *cs, char *ans, size_t cap)
{
	const struct core_move *m = &cs->move;
	const struct core_share *s;
	size_t n;
	int i, k = 0;

	n = (size_t)snprintf(ans, cap, "ok %s", MOVE_PENDING(m->state) ?
	    "pending" : core_move_state_name(m->state));
	if (m->state == MOVE_NONE)
		return;
	n += (size_t)snprintf(ans + n, n < cap ? cap - n : 0,
	    " step=%s version=%llu", core_move_state_name(m->state),
	    (unsigned long long)m->version);
	for (i = 0; i < m->n && n < cap; i++) {
		s = share_of(cs, m->name[i]);
		if (m->state == MOVE_DONE) {
			n += (size_t)snprintf(ans + n, cap - n, "%s%s=%u",
			    i ? "," : " shares=", m->name[i], m->want[i]);
			continue;
		}
		if (s != NULL && s->version >= m->version)
			continue;
		n += (size_t)snprintf(ans + n, cap - n, "%s%s", k++ ?
		    "," : " missing=", m->name[i]);
	}
}

void
core_share_tick(struct coresim *cs, uint64_t now)
{
	struct core_move *m = &cs->move;
	char ans[512];

	if (cs->o->share != NULL && !cs->share_opt_done && cs->have_gw) {
		cs->share_opt_done = 1;
		if (core_share_start(cs, cs->o->share, ans, sizeof ans) == -1)
			log_warnx("event=share_failed reason=\"%s\"", ans);
	}
	if (MOVE_PENDING(m->state) && cs->have_gw && !cs->blackholed && now - m->sent_ns >= RESEND_NS)
		send_step(cs, now);
}

void
core_on_share_ack(struct coresim *cs, int gw, const struct corefr_hdr *h,
    const uint8_t *body)
{
	struct core_share *s;
	char name[CORE_NAMELEN];
	uint64_t pct, ver;
	int i;

	if (tlv_find_str(body, h->body_len, TLV_GATEWAY, name,
	    sizeof name) == -1 || !core_name_ok(name) ||
	    tlv_find_u64(body, h->body_len, TLV_SHARE, &pct) == -1 ||
	    pct > 100 || tlv_find_u64(body, h->body_len, TLV_SHARE_VERSION,
	    &ver) == -1) {
		cs->bad_body++;
		return;
	}
	core_gw_name(cs, gw, name, 1);
	for (i = 0; i < cs->nshares; i++)
		if (strcmp(cs->shares[i].name, name) == 0)
			break;
	if (i == cs->nshares) {
		if (i == CORE_MAX_GW) {
			cs->unexpected++;
			return;
		}
		cs->nshares++;
		memset(&cs->shares[i], 0, sizeof cs->shares[i]);
		snprintf(cs->shares[i].name, sizeof cs->shares[i].name, "%s",
		    name);
	}
	s = &cs->shares[i];
	s->acks++;
	/* A late ack of an older step (they are resent) says what the
	 * gateway held then, not now: the next move lowers from now. */
	if (ver < s->version) {
		cs->share_acks++;
		return;
	}
	s->pct = (unsigned)pct;
	s->version = ver;
	cs->share_acks++;
	log_info("event=share_ack gateway=%s corr_id=%llu share=%u "
	    "version=%llu", name, (unsigned long long)h->corr_id, s->pct,
	    (unsigned long long)ver);
	progress(cs);
}
