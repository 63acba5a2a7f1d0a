/*
 * client.c — the pipelined, reconnecting HSM client (see hsmclient.h).
 *
 * Each connection keeps a ring of outstanding calls in send order; since
 * the HSM answers a connection in order, the head of the ring is the call
 * the next reply belongs to (checked against its header and response
 * code). A timed-out call stays in the ring with its callback cleared, so
 * the late reply still lines up and is dropped.  The commands are built
 * in cmds.c with the request builder below (client-int.h).
 *
 * Connections are plain non-blocking sockets, not bufferevents: a
 * bufferevent writes a call one loop pass after it is made (it waits for
 * its write event, then removes it again: an epoll_wait and two
 * epoll_ctl a call) and asks FIONREAD before every read.  Here the calls
 * of a pass leave together at its end (the flush event, or the caller's
 * hsm_client_flush), and a read takes what the socket holds.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include <sodium.h>

#include "hsm/client/addr.h"
#include "hsm/client/client-int.h"
#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "base/clock.h"
#include "base/log.h"

#define BODY_MAX	65535
#define HDR_MAX		16
#define READ_MAX	16384	/* replies are tens of bytes each */

enum conn_state { C_IDLE, C_CONNECTING, C_UP };

struct conn;

struct call {
	hsm_cb		*cb;		/* NULL once answered or timed out */
	void		*arg;
	enum hsm_kind	 kind;
	char		 hdr[HDR_MAX];
	uint64_t	 sent_rx;	/* conn->rx when sent */
	uint64_t	 sent_us;	/* monotonic */
	struct event	 timer;
	struct conn	*conn;
};

struct conn {
	struct hsm_client	*cl;
	int			 fd;		/* -1 while idle */
	struct event		*rd, *wr;	/* wr: connect, or socket full */
	struct evbuffer		*in, *out;
	enum conn_state		 state;
	struct call		*ring;
	unsigned		 head, count;
	unsigned		 trace;
	uint64_t		 rx;		/* frames received */
	unsigned		 backoff_ms;
	struct event		*retry;
};

struct hsm_client {
	struct event_base	*base;
	struct hsm_addr		 addr;
	struct hsm_client_opts	 o;
	struct conn		*conns;
	struct event		*flush;		/* sends a pass's calls */
	int			 unsent;	/* calls made since the last */
	struct hsm_client_stats	 st;
	uint8_t			*body;		/* request being built */
	size_t			 blen;
	int			 berr;
};

static void conn_connect(struct conn *);

void
hsm_client_opts_default(struct hsm_client_opts *o)
{
	memset(o, 0, sizeof *o);
	o->connections = 2;
	o->timeout_ms = 1000;
	o->header_len = 4;
	o->max_inflight = 512;
	o->backoff_min_ms = 50;
	o->backoff_max_ms = 5000;
	o->flush_priority = -1;
}

const char *
hsm_status_str(enum hsm_status s)
{
	switch (s) {
	case HSM_OK: return "ok";
	case HSM_FAIL: return "verification-failed";
	case HSM_ERROR: return "hsm-error";
	case HSM_TIMEOUT: return "timeout";
	case HSM_DOWN: return "down";
	case HSM_PROTO: return "protocol-error";
	}
	return "unknown";
}

static void
count_status(struct hsm_client *cl, enum hsm_status s)
{
	switch (s) {
	case HSM_OK: cl->st.ok++; break;
	case HSM_FAIL: cl->st.fail++; break;
	case HSM_ERROR: cl->st.errors++; break;
	case HSM_TIMEOUT: cl->st.timeouts++; break;
	case HSM_DOWN: cl->st.down++; break;
	case HSM_PROTO: cl->st.proto++; break;
	}
}

/* Complete a call with a status only (timeout, down, protocol). */
static void
finish(struct call *c, enum hsm_status s)
{
	struct hsm_result r;
	hsm_cb *cb = c->cb;

	if (cb == NULL)
		return;
	c->cb = NULL;
	memset(&r, 0, sizeof r);
	r.status = s;
	count_status(c->conn->cl, s);
	cb(&r, c->arg);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_connect(arg);
}

/* The socket and its events and buffers, gone (what was still queued
 * to send is wiped as it is freed). */
static void
conn_close(struct conn *cn)
{
	if (cn->rd != NULL)
		event_free(cn->rd);
	if (cn->wr != NULL)
		event_free(cn->wr);
	if (cn->in != NULL)
		evbuffer_free(cn->in);
	if (cn->out != NULL)
		evbuffer_free(cn->out);
	if (cn->fd != -1)
		close(cn->fd);
	cn->rd = cn->wr = NULL;
	cn->in = cn->out = NULL;
	cn->fd = -1;
}

/*
 * Drop the connection: fail what is outstanding, retry after a backoff.
 * The state goes to C_IDLE first so callbacks cannot pick this link.
 */
static void
conn_down(struct conn *cn, enum hsm_status s, const char *why)
{
	struct hsm_client *cl = cn->cl;
	struct timeval tv;
	unsigned i, n = cn->count, head = cn->head;
	struct call *c;

	if (cn->state == C_UP && strcmp(why, "client-free") != 0)
		log_warnx("event=hsm-link-down addr=%s reason=%s outstanding=%u",
		    cl->addr.is_unix ? cl->addr.path : "tcp", why, n);
	cn->state = C_IDLE;
	conn_close(cn);
	cn->head = cn->count = 0;
	for (i = 0; i < n; i++) {
		c = &cn->ring[(head + i) % cl->o.max_inflight];
		evtimer_del(&c->timer);
		finish(c, s);
	}
	tv.tv_sec = cn->backoff_ms / 1000;
	tv.tv_usec = (cn->backoff_ms % 1000) * 1000;
	evtimer_add(cn->retry, &tv);
	cn->backoff_ms = cn->backoff_ms * 2 > cl->o.backoff_max_ms ?
	    cl->o.backoff_max_ms : cn->backoff_ms * 2;
}

/* What is queued goes out now; the rest once the socket takes it.
 * -1: the connection went down. */
static int
conn_flush(struct conn *cn)
{
	int n;

	while (evbuffer_get_length(cn->out) > 0) {
		if ((n = evbuffer_write(cn->out, cn->fd)) > 0 ||
		    (n == -1 && errno == EINTR))
			continue;
		if (n == -1 && errno == EAGAIN) {
			event_add(cn->wr, NULL);
			return 0;
		}
		conn_down(cn, HSM_DOWN, "error");
		return -1;
	}
	event_del(cn->wr);
	return 0;
}

/* Hand each whole reply in the input to its call, in order; how many
 * callbacks ran. */
static int
conn_replies(struct conn *cn)
{
	struct hsm_client *cl = cn->cl;
	struct hsm_result r;
	struct call *c;
	uint8_t lenb[2], *frame;
	size_t len;
	hsm_cb *cb;
	int ran = 0;

	/* a callback may take the connection down (and its buffers) */
	while (cn->state == C_UP && evbuffer_copyout(cn->in, lenb, 2) == 2) {
		len = (size_t)lenb[0] << 8 | lenb[1];
		if (evbuffer_get_length(cn->in) < 2 + len)
			break;
		if (cn->count == 0) {
			conn_down(cn, HSM_PROTO, "unexpected-reply");
			break;
		}
		c = &cn->ring[cn->head];
		frame = evbuffer_pullup(cn->in, (ev_ssize_t)(2 + len));
		if (frame == NULL || hsm_reply_parse(c->kind, frame + 2, len,
		    c->hdr, cl->o.header_len, &r) == -1) {
			conn_down(cn, HSM_PROTO, "mismatched-reply");
			break;
		}
		evbuffer_drain(cn->in, 2 + len);
		cn->rx++;
		cn->head = (cn->head + 1) % cl->o.max_inflight;
		cn->count--;
		evtimer_del(&c->timer);
		if ((cb = c->cb) != NULL) {
			c->cb = NULL;
			count_status(cl, r.status);
			cb(&r, c->arg);
			ran++;
		}
	}
	return ran;
}

static void
conn_read(evutil_socket_t fd, short what, void *arg)
{
	struct conn *cn = arg;
	struct hsm_client *cl = cn->cl;
	struct evbuffer_iovec v;
	ssize_t n;

	(void)what;
	if (evbuffer_reserve_space(cn->in, READ_MAX, &v, 1) != 1) {
		conn_down(cn, HSM_DOWN, "no-memory");
		return;
	}
	if ((n = read(fd, v.iov_base, READ_MAX)) <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_down(cn, HSM_DOWN, n == 0 ? "eof" : "error");
		return;
	}
	v.iov_len = (size_t)n;
	evbuffer_commit_space(cn->in, &v, 1);
	if (conn_replies(cn) > 0 && cl->o.replies_done != NULL)
		cl->o.replies_done(cl->o.replies_arg);
}

static void
conn_up(struct conn *cn)
{
	int one = 1;

	cn->state = C_UP;
	cn->backoff_ms = cn->cl->o.backoff_min_ms;
	if (!cn->cl->addr.is_unix)
		setsockopt(cn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	log_debug("event=hsm-link-up");
	if (event_add(cn->rd, NULL) == -1)
		conn_down(cn, HSM_DOWN, "no-memory");
	else
		conn_flush(cn);		/* the calls made while connecting */
}

static void
conn_writable(evutil_socket_t fd, short what, void *arg)
{
	struct conn *cn = arg;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)what;
	if (cn->state == C_UP) {
		conn_flush(cn);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0)
		conn_down(cn, HSM_DOWN, "connect");
	else
		conn_up(cn);
}

static void
conn_connect(struct conn *cn)
{
	struct hsm_client *cl = cn->cl;
	struct event_base *base = cl->base;

	cn->state = C_CONNECTING;
	cl->st.reconnects++;
	if ((cn->fd = socket(cl->addr.ss.ss_family, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		conn_down(cn, HSM_DOWN, "socket");
		return;
	}
	if ((cn->in = evbuffer_new()) == NULL ||
	    (cn->out = evbuffer_new()) == NULL ||
	    (cn->rd = event_new(base, cn->fd, EV_READ | EV_PERSIST,
	    conn_read, cn)) == NULL ||
	    (cn->wr = event_new(base, cn->fd, EV_WRITE, conn_writable,
	    cn)) == NULL) {
		conn_down(cn, HSM_DOWN, "no-memory");
		return;
	}
	if (connect(cn->fd, (const struct sockaddr *)&cl->addr.ss,
	    cl->addr.len) == 0)
		conn_up(cn);
	else if (errno == EINPROGRESS || errno == EINTR)
		event_add(cn->wr, NULL);
	else
		conn_down(cn, HSM_DOWN, "connect");
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	struct conn *cn = c->conn;
	int stalled = cn->rx == c->sent_rx, unread = 0;
	uint64_t el = now_us() - c->sent_us, to = cn->cl->o.timeout_ms * 1000u;
	struct timeval tv;

	(void)fd;
	(void)what;
	/* On a coarse event base (gatewayd's: 4 ms steps) the timer can
	 * fire before the call has had its whole time: wait out the rest. */
	if (el < to) {
		tv.tv_sec = (time_t)((to - el) / 1000000);
		tv.tv_usec = (suseconds_t)((to - el) % 1000000);
		evtimer_add(&c->timer, &tv);
		return;
	}
	/* Replies already in the socket, not read yet because this pass of
	 * the loop ran long (a busy machine), are no sign of a dead link. */
	if (stalled && cn->in != NULL &&
	    (evbuffer_get_length(cn->in) > 0 ||
	    (ioctl(cn->fd, FIONREAD, &unread) == 0 &&
	    unread > 0)))
		stalled = 0;
	finish(c, HSM_TIMEOUT);
	/* Nothing at all came back during a whole timeout: link is dead. */
	if (stalled && cn->state != C_IDLE)
		conn_down(cn, HSM_DOWN, "stalled");
}

void
hsm_client_flush(struct hsm_client *cl)
{
	struct conn *cn;
	unsigned i;

	/* called at the end of every scheme read: cheap when idle */
	if (!cl->unsent)
		return;
	cl->unsent = 0;
	event_del(cl->flush);		/* off the loop's ready list */
	for (i = 0; i < cl->o.connections; i++) {
		cn = &cl->conns[i];
		if (cn->state == C_UP && evbuffer_get_length(cn->out) > 0 &&
		    !event_pending(cn->wr, EV_WRITE, NULL))
			conn_flush(cn);
	}
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hsm_client_flush(arg);
}

struct hsm_client *
hsm_client_new(struct event_base *base, const char *addr,
    const struct hsm_client_opts *o)
{
	struct hsm_client *cl;
	struct conn *cn;
	unsigned i, j;

	if ((cl = calloc(1, sizeof *cl)) == NULL)
		return NULL;
	cl->base = base;
	hsm_client_opts_default(&cl->o);
	if (o != NULL)
		cl->o = *o;
	if (cl->o.connections == 0 || cl->o.connections > 64 ||
	    cl->o.header_len > HDR_MAX - 1 || cl->o.max_inflight == 0 ||
	    cl->o.timeout_ms == 0 || hsm_addr_parse(addr, &cl->addr) == -1 ||
	    (cl->body = malloc(BODY_MAX)) == NULL ||
	    (cl->conns = calloc(cl->o.connections, sizeof *cl->conns)) ==
	    NULL) {
		free(cl->body);
		free(cl);
		return NULL;
	}
	if (cl->o.backoff_min_ms == 0)
		cl->o.backoff_min_ms = 1;
	for (i = 0; i < cl->o.connections; i++)
		cl->conns[i].fd = -1;
	if ((cl->flush = event_new(base, -1, 0, flush_cb, cl)) == NULL ||
	    (cl->o.flush_priority >= 0 && event_priority_set(cl->flush,
	    cl->o.flush_priority) == -1)) {
		hsm_client_free(cl);
		return NULL;
	}
	for (i = 0; i < cl->o.connections; i++) {
		cn = &cl->conns[i];
		cn->cl = cl;
		cn->backoff_ms = cl->o.backoff_min_ms;
		cn->ring = calloc(cl->o.max_inflight, sizeof *cn->ring);
		cn->retry = evtimer_new(base, retry_cb, cn);
		if (cn->ring == NULL || cn->retry == NULL) {
			hsm_client_free(cl);
			return NULL;
		}
		for (j = 0; j < cl->o.max_inflight; j++) {
			cn->ring[j].conn = cn;
			evtimer_assign(&cn->ring[j].timer, base, timeout_cb,
			    &cn->ring[j]);
		}
	}
	for (i = 0; i < cl->o.connections; i++)
		conn_connect(&cl->conns[i]);
	return cl;
}

void
hsm_client_free(struct hsm_client *cl)
{
	struct conn *cn;
	unsigned i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->o.connections; i++) {
		cn = &cl->conns[i];
		if (cn->ring != NULL && cn->retry != NULL)
			conn_down(cn, HSM_DOWN, "client-free");
		if (cn->retry != NULL)
			event_free(cn->retry);
		free(cn->ring);
	}
	if (cl->flush != NULL)
		event_free(cl->flush);
	free(cl->conns);
	free(cl->body);
	free(cl);
}

enum hsm_health
hsm_client_health(const struct hsm_client *cl)
{
	unsigned i, up = 0;

	for (i = 0; i < cl->o.connections; i++)
		if (cl->conns[i].state == C_UP)
			up++;
	return up == 0 ? HSM_HEALTH_DOWN : up == cl->o.connections ?
	    HSM_HEALTH_UP : HSM_HEALTH_DEGRADED;
}

void
hsm_client_stats(const struct hsm_client *cl, struct hsm_client_stats *st)
{
	unsigned i;

	*st = cl->st;
	st->inflight = 0;
	for (i = 0; i < cl->o.connections; i++)
		st->inflight += cl->conns[i].count;
}

/* --- request building ----------------------------------------------------- */

void
b_start(struct hsm_client *cl, const char *code)
{
	cl->blen = 0;
	cl->berr = 0;
	memcpy(cl->body, code, 2);
	cl->blen = 2;
}

void
b_add(struct hsm_client *cl, const void *p, size_t n)
{
	if (cl->berr || BODY_MAX - cl->blen < n) {
		cl->berr = 1;
		return;
	}
	memcpy(cl->body + cl->blen, p, n);
	cl->blen += n;
}

void
b_str(struct hsm_client *cl, const char *s)
{
	b_add(cl, s, strlen(s));
}

/* A field of exactly n characters of the given class. */
void
b_field(struct hsm_client *cl, const char *s, size_t n, int digits)
{
	if (s == NULL || strlen(s) != n || (digits ? !dec_valid(s, n) :
	    !hex_valid(s, n, 0))) {
		cl->berr = 1;
		return;
	}
	b_add(cl, s, n);
}

void
b_fail(struct hsm_client *cl)
{
	cl->berr = 1;
}

/* Key blocks: "S" and letters/digits only, so no delimiter can sneak in. */
void
b_key(struct hsm_client *cl, const char *k)
{
	size_t i, n = k == NULL ? 0 : strlen(k);

	if (n < 17 || n > 1024 || k[0] != 'S') {
		cl->berr = 1;
		return;
	}
	for (i = 1; i < n; i++)
		if (!((k[i] >= '0' && k[i] <= '9') ||
		    (k[i] >= 'A' && k[i] <= 'Z'))) {
			cl->berr = 1;
			return;
		}
	b_add(cl, k, n);
}

static struct conn *
pick(struct hsm_client *cl)
{
	struct conn *best = NULL, *cn;
	unsigned i;

	for (i = 0; i < cl->o.connections; i++) {
		cn = &cl->conns[i];
		if (cn->state == C_IDLE || cn->count >= cl->o.max_inflight)
			continue;
		if (best == NULL || (cn->state == C_UP &&
		    best->state != C_UP) || (cn->state == best->state &&
		    cn->count < best->count))
			best = cn;
	}
	return best;
}

static void
wipe_free(const void *data, size_t len, void *arg)
{
	(void)arg;
	sodium_memzero((void *)(uintptr_t)data, len);
	free((void *)(uintptr_t)data);
}

int
b_submit(struct hsm_client *cl, enum hsm_kind kind, hsm_cb *cb, void *arg)
{
	uint8_t *copy;
	struct conn *cn;
	struct call *c;
	struct timeval tv;
	uint8_t pre[2 + HDR_MAX];
	unsigned t, i, hl = cl->o.header_len;
	size_t total;
	int rc;

	if (cl->o.lmk_id != NULL)
		b_str(cl, cl->o.lmk_id);
	total = hl + cl->blen;
	if (cl->berr || cb == NULL || total > BODY_MAX ||
	    (cn = pick(cl)) == NULL) {
		sodium_memzero(cl->body, cl->blen);
		return -1;
	}
	c = &cn->ring[(cn->head + cn->count) % cl->o.max_inflight];
	/* Header: a wrapping decimal trace number, as payShield hosts do. */
	t = cn->trace++;
	for (i = hl; i > 0; i--) {
		c->hdr[i - 1] = (char)('0' + t % 10);
		t /= 10;
	}
	pre[0] = (uint8_t)(total >> 8);
	pre[1] = (uint8_t)total;
	memcpy(pre + 2, c->hdr, hl);
	/* The request holds the PAN, CVC or PIN block data: it goes out as
	 * a copy libevent hands back to be wiped once sent, not as bytes
	 * copied into its buffers and freed as they are. */
	rc = -1;
	if ((copy = malloc(cl->blen)) != NULL) {
		memcpy(copy, cl->body, cl->blen);
		if (evbuffer_add(cn->out, pre, 2 + hl) == 0)
			rc = evbuffer_add_reference(cn->out, copy, cl->blen,
			    wipe_free, NULL);
		if (rc == -1)
			wipe_free(copy, cl->blen, NULL);
	}
	sodium_memzero(cl->body, cl->blen);
	if (rc == -1)
		return -1;
	c->cb = cb;
	c->arg = arg;
	c->kind = kind;
	c->sent_rx = cn->rx;
	c->sent_us = now_us();
	tv.tv_sec = cl->o.timeout_ms / 1000;
	tv.tv_usec = (cl->o.timeout_ms % 1000) * 1000;
	evtimer_add(&c->timer, &tv);
	cn->count++;
	cl->st.calls++;
	/* sent at the end of this pass with the rest of its calls (a
	 * connecting one sends them once it is up) */
	if (cn->state == C_UP && !cl->unsent) {
		cl->unsent = 1;
		event_active(cl->flush, EV_WRITE, 0);
	}
	return 0;
}
