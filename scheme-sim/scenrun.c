/*
 * scenrun.c — runs a scenario's cases step by step on one framed TCP
 * connection to a gateway link.  A run is a sequence, not a load: each
 * step waits for what it needs with poll(2) and a deadline, and while it
 * waits, whatever the gateway sends is read, answered when the scheme
 * must answer it (echoes, unless a case says "echo": "ignore"; requests
 * the gateway relays from the core) and kept for the expects.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "iso8583/mask.h"
#include "iso8583/mti.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"

#define WRITE_WAIT_NS	5000000000ull
#define SIGNON_WAIT_NS	5000000000ull

int
scen_fail(struct scen_run *r, int field, const char *expected,
    const char *got, const char *fmt, ...)
{
	struct scen_result *res = r->res;
	va_list ap;

	if (res->msg[0] != '\0')	/* the first failure says it */
		return -1;
	res->passed = 0;
	res->field = field;
	snprintf(res->expected, sizeof res->expected, "%s",
	    expected ? expected : "");
	snprintf(res->got, sizeof res->got, "%s", got ? got : "");
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof res->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
scen_field_text(const struct scen_run *r, const struct iso_msg *m, int field,
    int clear, char *out, size_t cap)
{
	mask_field(r->prof, m, field, clear, out, cap);
}


/* --- variables ---------------------------------------------------------- */

int
scen_var_set(struct scen_run *r, const char *name, const char *val)
{
	char *v;
	int i;

	if ((v = strdup(val)) == NULL)
		return scen_fail(r, 0, NULL, NULL, "no memory");
	for (i = 0; i < r->nvars; i++)
		if (strcmp(r->vars[i].name, name) == 0) {
			free(r->vars[i].val);
			r->vars[i].val = v;
			return 0;
		}
	if (r->nvars == SCEN_MAX_VARS ||
	    (r->vars[r->nvars].name = strdup(name)) == NULL) {
		free(v);
		return scen_fail(r, 0, NULL, NULL, "over %d variables",
		    SCEN_MAX_VARS);
	}
	r->vars[r->nvars++].val = v;
	return 0;
}

int
scen_subst(struct scen_run *r, const char *s, char *out, size_t cap)
{
	const char *e;
	size_t n = 0, l;
	int i;

	while (*s != '\0') {
		if (s[0] != '$' || s[1] != '{') {
			if (n + 1 >= cap)
				return scen_fail(r, 0, NULL, NULL, "value too "
				    "long");
			out[n++] = *s++;
			continue;
		}
		if ((e = strchr(s + 2, '}')) == NULL)
			return scen_fail(r, 0, NULL, NULL, "\"${\" without "
			    "\"}\" in \"%s\"", s);
		l = (size_t)(e - s - 2);
		for (i = 0; i < r->nvars; i++)
			if (strlen(r->vars[i].name) == l &&
			    memcmp(r->vars[i].name, s + 2, l) == 0)
				break;
		if (i == r->nvars)
			return scen_fail(r, 0, NULL, NULL, "no variable "
			    "\"%.*s\"", (int)l, s + 2);
		l = strlen(r->vars[i].val);
		if (n + l >= cap)
			return scen_fail(r, 0, NULL, NULL, "value too long");
		memcpy(out + n, r->vars[i].val, l);
		n += l;
		s = e + 1;
	}
	out[n] = '\0';
	return 0;
}

static void
case_reset(struct scen_run *r)
{
	int i;

	for (i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
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
}

/* --- the connection ----------------------------------------------------- */

static void
conn_close(struct scen_run *r)
{
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	r->rlen = 0;
}

static int
write_all(struct scen_run *r, const uint8_t *b, size_t len)
{
	uint64_t end = sim_now_ns() + WRITE_WAIT_NS;
	struct pollfd p;
	ssize_t n;

	while (len > 0) {
		if (r->fd == -1)
			return scen_fail(r, 0, NULL, NULL, "not connected");
		n = send(r->fd, b, len, MSG_NOSIGNAL);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_close(r);
			r->closed = 1;
			return scen_fail(r, 0, NULL, NULL, "write: %s",
			    strerror(errno));
		}
		if (sim_now_ns() >= end)
			return scen_fail(r, 0, NULL, NULL, "write: the gateway "
			    "reads nothing");
		p.fd = r->fd;
		p.events = POLLOUT;
		poll(&p, 1, 50);
	}
	return 0;
}

/* A message framed and written, in one piece. */
static int
send_msg(struct scen_run *r, const struct iso_msg *m, uint32_t pieces,
    uint64_t gap_ns);

/* What the gateway sent: answered if the scheme must, else kept. */
static void
on_msg(struct scen_run *r, const uint8_t *b, size_t len)
{
	struct scen_in *in;
	struct iso_err ie;
	int kind;

	if ((in = malloc(sizeof *in)) == NULL)
		return;
	if (iso_unpack(r->prof, &in->m, b, len, &ie) == -1) {
		log_warnx("event=undecodable field=%d offset=%zu reason=\"%s\"",
		    ie.field, ie.offset, ie.msg);
		free(in);
		return;
	}
	in->at_ns = sim_now_ns();
	kind = iso_mti_kind(in->m.mti);
	if (((kind == ISO_MTI_NETMGMT && in->m.mti[2] == '0' &&
	    r->echo_answer) || kind == ISO_MTI_REQUEST ||
	    kind == ISO_MTI_ADVICE) &&
	    sim_answer_build(&in->m, "00", &r->ans) == 0) {
		send_msg(r, &r->ans, 1, 0);
		free(in);
		return;
	}
	if (r->nin == SCEN_INBOX) {
		log_warnx("event=inbox_full mti=%s", in->m.mti);
		free(in);
		return;
	}
	r->in[r->nin++] = in;
}

/* Reads for up to wait_ns (0: what is there now).  -1: not connected,
 * or the gateway closed the connection meanwhile. */
int
scen_rx_poll(struct scen_run *r, uint64_t wait_ns)
{
	struct pollfd p;
	size_t off, total;
	ssize_t n;
	char err[128];
	int rc;

	if (r->fd == -1)
		return -1;
	p.fd = r->fd;
	p.events = POLLIN;
	if (poll(&p, 1, (int)((wait_ns + 999999) / 1000000)) <= 0)
		return 0;
	n = recv(r->fd, r->rbuf + r->rlen, sizeof r->rbuf - r->rlen, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(r);
		r->closed = 1;
		return -1;
	}
	if (n < 0)
		return 0;
	r->rlen += (size_t)n;
	while ((rc = frame_parse(&r->fr, r->rbuf, r->rlen, &off, &total, err,
	    sizeof err)) == 1) {
		on_msg(r, r->rbuf + off, total - off);
		memmove(r->rbuf, r->rbuf + total, r->rlen - total);
		r->rlen -= total;
	}
	if (rc == -1) {
		log_warnx("event=framing_lost reason=\"%s\"", err);
		conn_close(r);
		r->closed = 1;
		return -1;
	}
	return 0;
}

/* Reads until t (what the gateway sends meanwhile is answered). */
static void
rx_until(struct scen_run *r, uint64_t t)
{
	uint64_t now;

	while ((now = sim_now_ns()) < t)
		if (scen_rx_poll(r, t - now) == -1 && r->fd == -1) {
			/* Nothing to read: just let the time pass. */
			poll(NULL, 0, (int)((t - now + 999999) / 1000000));
			return;
		}
}

static int
send_msg(struct scen_run *r, const struct iso_msg *m, uint32_t pieces,
    uint64_t gap_ns)
{
	struct iso_err ie;
	size_t pl = frame_prefix_len(&r->fr) + r->fr.hdrlen, len, at, step;
	ssize_t n;
	int h;

	n = iso_pack(r->prof, m, r->wire + pl, sizeof r->wire - pl, &ie);
	if (n < 0)
		return scen_fail(r, ie.field, NULL, NULL, "does not pack: %s",
		    ie.msg);
	if ((h = frame_header(&r->fr, (size_t)n, r->wire, pl)) < 0)
		return scen_fail(r, 0, NULL, NULL, "does not frame");
	len = (size_t)h + (size_t)n;
	if (pieces <= 1)
		return write_all(r, r->wire, len);
	/* Slow writes: the frame in pieces, a gap between them. */
	step = (len + pieces - 1) / pieces;
	for (at = 0; at < len; at += step) {
		if (at > 0)
			rx_until(r, sim_now_ns() + gap_ns);
		if (write_all(r, r->wire + at, len - at < step ? len - at :
		    step) == -1)
			return -1;
	}
	return 0;
}

/* --- connect and sign on ------------------------------------------------ */

static int
signon(struct scen_run *r)
{
	uint64_t end = sim_now_ns() + SIGNON_WAIT_NS;
	char rc[3];
	int i;

	sim_clock_update(&r->clk, sim_wall_us());
	r->stan = r->stan % 999999u + 1u;
	if (sim_netmgmt_build(NULL, &r->clk, r->stan, r->o->signon_code,
	    &r->tx) == -1 || send_msg(r, &r->tx, 1, 0) == -1)
		return scen_fail(r, 0, NULL, NULL, "sign-on not sent");
	while (sim_now_ns() < end) {
		for (i = 0; i < r->nin; i++)
			if (strcmp(r->in[i]->m.mti, "0810") == 0)
				break;
		if (i < r->nin) {
			if (iso_get_str(&r->in[i]->m, 39, rc, sizeof rc) == -1)
				strcpy(rc, "");
			free(r->in[i]);
			memmove(&r->in[i], &r->in[i + 1],
			    (size_t)(r->nin - i - 1) * sizeof r->in[0]);
			r->nin--;
			if (strcmp(rc, "00") == 0)
				return 0;
			return scen_fail(r, 39, "00", rc, "sign-on refused");
		}
		if (scen_rx_poll(r, end - sim_now_ns()) == -1)
			return scen_fail(r, 0, NULL, NULL, "sign-on: the "
			    "gateway closed the connection");
	}
	return scen_fail(r, 0, NULL, NULL, "sign-on: no 0810");
}

static int
conn_open(struct scen_run *r, uint64_t within_ns)
{
	int fd;

	conn_close(r);
	r->closed = 0;
	fd = sim_tcp_connect((const struct sockaddr *)&r->o->addr.ss,
	    r->o->addr.len, within_ns);
	if (fd == -1)
		return scen_fail(r, 0, NULL, NULL, "cannot connect to %s",
		    r->o->addr.arg);
	r->fd = fd;
	return r->o->signon ? signon(r) : 0;
}

/* --- steps -------------------------------------------------------------- */

static int
remember(struct scen_run *r, const char *as, const struct iso_msg *m,
    uint32_t n)
{
	struct scen_sent *s;

	if (r->nsent == SCEN_MAX_SENT)
		return scen_fail(r, 0, NULL, NULL, "over %d sends in a case",
		    SCEN_MAX_SENT);
	s = &r->sent[r->nsent];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", as ? as : "");
	if ((s->msg = malloc(sizeof *s->msg)) == NULL ||
	    (s->stans = calloc(n, sizeof *s->stans)) == NULL) {
		free(s->msg);
		return scen_fail(r, 0, NULL, NULL, "no memory");
	}
	iso_msg_copy(s->msg, m);
	r->last = r->nsent++;
	return 0;
}

uint32_t
scen_msg_stan(const struct iso_msg *m)
{
	uint64_t v;

	return sim_get_u64(m, 11, &v) == 0 ? (uint32_t)v : 0;
}

static int
step_send(struct scen_run *r, const struct scen_send *s)
{
	struct scen_sent *sent;
	uint32_t k;

	for (k = 0; k < s->count; k++) {
		if (scen_build(r, s, k, &r->tx) == -1)
			return -1;
		if (k == 0 && (remember(r, s->as, &r->tx, s->count) == -1 ||
		    (s->as && scen_vars_of(r, s->as, &r->tx) == -1)))
			return -1;
		sent = &r->sent[r->last];
		sent->stans[sent->n++] = scen_msg_stan(&r->tx);
		if (send_msg(r, &r->tx, s->split, s->gap_ns) == -1)
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
	    st->send->of ? st->send : &def;
	size_t len;

	if (scen_build(r, s, 0, &r->tx) == -1 ||
	    remember(r, st->send->as, &r->tx, 1) == -1)
		return -1;
	r->sent[r->last].stans[r->sent[r->last].n++] = scen_msg_stan(&r->tx);
	if (st->send->as && scen_vars_of(r, st->send->as, &r->tx) == -1)
		return -1;
	if (scen_malform(r, st->bad, &r->tx, r->wire, sizeof r->wire,
	    &len) == -1)
		return -1;
	sodium_memzero(&r->tx, sizeof r->tx);
	return write_all(r, r->wire, len);
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
		rx_until(r, sim_now_ns() + st->ns);
		return 0;
	case SK_CONNECT:
		return conn_open(r, st->ns);
	case SK_DISCONNECT:
		conn_close(r);
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
	if (r->fd == -1 && c->steps[0].kind != SK_CONNECT &&
	    conn_open(r, r->o->connect_ns) == -1) {
		res->kind = "connect";
		goto out;
	}
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
	return 0;
}

void
scen_run_free(struct scen_run *r)
{
	struct scen_result res;

	r->res = &res;
	case_reset(r);
	conn_close(r);
	if (r->have_pf)
		sim_portfolio_free(&r->pf);
	sodium_memzero(&r->tx, sizeof r->tx);
}
