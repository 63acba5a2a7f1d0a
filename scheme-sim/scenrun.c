/*
 * scenrun.c — runs a scenario's cases step by step on one framed TCP
 * connection to a gateway link (scenconn.c).  A run is a sequence, not a
 * load: each step waits for what it needs with a deadline, and a case's
 * "finally" steps run whatever happened before them.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"

static void
case_reset(struct scen_run *r)
{
	int i;

	for (i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
		/* A value may be a field sent in the clear (track 2,
		 * CVC2): wiped. */
		sodium_memzero(r->vars[i].val, strlen(r->vars[i].val));
		free(r->vars[i].val);
	}
	r->nvars = 0;
	for (i = 0; i < r->nsent; i++) {
		if (r->sent[i].msg != NULL)
			sodium_memzero(r->sent[i].msg, sizeof *r->sent[i].msg);
		free(r->sent[i].msg);
		free(r->sent[i].stans);
	}
	r->nsent = 0;
	r->last = -1;
	for (i = 0; i < r->nin; i++)
		free(r->in[i]);
	r->nin = 0;
	r->echo_answer = 1;
	r->hold = 0;
}

/* --- steps -------------------------------------------------------------- */

static int
step_send(struct scen_run *r, const struct scen_send *s)
{
	struct scen_sent *sent;
	uint32_t k;
	int rc;

	for (k = 0; k < s->count; k++) {
		if (scen_build(r, s, k, &r->tx) == -1)
			return -1;
		if (k == 0 && (scen_remember(r, s->as, &r->tx, s->count) == -1 ||
		    (s->as && scen_vars_of(r, s->as, &r->tx) == -1)))
			return -1;
		sent = &r->sent[r->last];
		sent->stans[sent->n++] = scen_msg_stan(&r->tx);
		r->mac_mode = s->mac;
		rc = scen_send_msg(r, &r->tx, s->split, s->gap_ns);
		r->mac_mode = SM_GOOD;
		if (rc == -1)
			return -1;
		scen_rx_poll(r, 0);	/* a burst's answers keep coming */
	}
	sodium_memzero(&r->tx, sizeof r->tx);
	return 0;
}

static int
step_malformed(struct scen_run *r, const struct scen_step *st)
{
	struct scen_send def = { .card = "5413335500000104", .count = 1 };
	const struct scen_send *s = st->send->card || st->send->nf ||
	    st->send->of || st->send->mti ? st->send : &def;
	size_t len;
	int rc;

	if (scen_build(r, s, 0, &r->tx) == -1 ||
	    scen_remember(r, st->send->as, &r->tx, 1) == -1)
		return -1;
	r->sent[r->last].stans[r->sent[r->last].n++] = scen_msg_stan(&r->tx);
	if (st->send->as && scen_vars_of(r, st->send->as, &r->tx) == -1)
		return -1;
	if (scen_malform(r, st->bad, &r->tx, r->wire, sizeof r->wire,
	    &len) == -1)
		return -1;
	sodium_memzero(&r->tx, sizeof r->tx);
	rc = scen_write(r, r->wire, len);
	sodium_memzero(r->wire, len);
	return rc;
}

static int
run_step(struct scen_run *r, const struct scen_step *st)
{
	char ans[256];

	switch (st->kind) {
	case SK_SEND:
		return step_send(r, st->send);
	case SK_EXPECT:
		return scen_step_expect(r, st->expect);
	case SK_WAIT:
		scen_rx_until(r, sim_now_ns() + st->ns);
		return 0;
	case SK_CONNECT:
		return scen_conn_open(r, st->ns);
	case SK_DISCONNECT:
		scen_conn_close(r);
		return 0;
	case SK_ECHO:
		r->echo_answer = st->on;
		return 0;
	case SK_MALFORMED:
		return step_malformed(r, st);
	case SK_CORE:
		if (scen_core_cmd(r, st->target, st->text, ans, sizeof ans) ==
		    -1)
			return -1;
		if (strncmp(ans, "ok", 2) != 0)
			return scen_fail(r, 0, "ok", ans, "core \"%s\": %s",
			    st->text, ans);
		return 0;
	case SK_CORE_EXPECT:
		return scen_core_expect(r, st);
	case SK_KEY_CHANGE:
		return scen_step_key_change(r, st->key);
	case SK_HOLD:
		r->hold = st->on;
		return 0;
	case SK_ANSWER:
		return scen_step_answer(r, st);
	default:
		return scen_action(r, st->text);
	}
}

static void
run_steps(struct scen_run *r, const struct scen_step *v, int n, int first)
{
	struct scen_result *res = r->res;
	int i, failed = res->msg[0] != '\0';

	for (i = 0; i < n; i++) {
		/* Answer what came meanwhile, before acting. */
		scen_rx_poll(r, 0);
		if (run_step(r, &v[i]) == -1) {
			if (!failed) {
				res->passed = 0;
				res->step = first + i + 1;
				res->kind = scen_kind_name(v[i].kind);
				res->label = v[i].label;
				failed = 1;
			}
			/* The steps after a failure are skipped, but a
			 * "finally" list runs to its end. */
			if (first == 0)
				return;
		}
	}
}

void
scen_run_case(struct scen_run *r, const struct scen_file *sf,
    const struct scen_case *c, struct scen_result *res)
{
	uint64_t t0 = sim_now_ns();

	memset(res, 0, sizeof *res);
	res->file = sf->path;
	res->name = c->name;
	res->passed = 1;
	r->res = res;
	case_reset(r);
	scen_cores_mark(r);
	/* Once a case could not connect, the next ones try for a second
	 * only: a gateway that is down fails a run quickly, not after
	 * --connect-timeout per case. */
	if (r->fd == -1 && c->steps[0].kind != SK_CONNECT &&
	    scen_conn_open(r, r->unreachable ? 1000000000ull :
	    r->o->connect_ns) == -1) {
		r->unreachable = 1;
		res->kind = "connect";
		goto out;
	}
	if (r->fd != -1)
		r->unreachable = 0;
	run_steps(r, c->steps, c->nsteps, 0);
out:
	/* "finally" runs whatever happened; its failure is the case's only
	 * when nothing failed before. */
	run_steps(r, c->fin, c->nfin, c->nsteps);
	if (res->msg[0] != '\0')
		res->passed = 0;
	res->ns = sim_now_ns() - t0;
	case_reset(r);
}

int
scen_run_init(struct scen_run *r, const struct scen_opts *o, char *err,
    size_t errsz)
{
	int fk;

	memset(r, 0, sizeof *r);
	r->o = o;
	r->fd = -1;
	r->lfd = -1;
	r->last = -1;
	r->echo_answer = 1;
	/* STANs from the clock: runs against one gateway do not repeat
	 * each other's requests (its dedup remembers them). */
	r->stan = (uint32_t)(sim_wall_us() / 1000u % 999999u);
	r->rrn = (uint32_t)(sim_wall_us() / 1000u % 1000000000u);
	if ((r->prof = iso_profile_find(o->profile)) == NULL) {
		snprintf(err, errsz, "profile %s: want one of %s", o->profile,
		    iso_profile_names());
		return -1;
	}
	if ((fk = frame_kind_parse(o->framing)) < 0) {
		snprintf(err, errsz, "framing %s: want len2 or len4ascii",
		    o->framing);
		return -1;
	}
	r->fr.kind = (uint8_t)fk;
	r->fr.max = ISO_BUF_MAX;
	if (o->portfolio != NULL) {
		if (sim_portfolio_load(&r->pf, o->portfolio, err, errsz) == -1)
			return -1;
		r->have_pf = 1;
	}
	if (scen_link_init(r, err, errsz) == -1)
		return -1;
	if (o->addr.how == SCEN_LISTEN && (r->lfd = sim_tcp_listen(
	    (const struct sockaddr *)&o->addr.ss, o->addr.len)) == -1) {
		snprintf(err, errsz, "cannot listen on %s", o->addr.arg);
		return -1;
	}
	return 0;
}

void
scen_run_free(struct scen_run *r)
{
	struct scen_result res;

	r->res = &res;
	case_reset(r);
	scen_conn_close(r);
	if (r->lfd != -1)
		close(r->lfd);
	if (r->have_pf)
		sim_portfolio_free(&r->pf);
	scen_link_free(r);
	sodium_memzero(&r->tx, sizeof r->tx);
}
