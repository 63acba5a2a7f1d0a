/*
 * linkio.c — one scheme connection's life: plain reads into its own
 * buffer with frames handled in place, answers gathered per loop pass
 * into one write, and the close that forgets it.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "gateway/link.h"
#include "gateway/metrics.h"
#include "gateway/link-int.h"
#include "gateway/loopprio.h"

struct event_base *link_base;
static const struct linkio_hooks *hooks;
static uint64_t	 next_conn;
static uint8_t	 txbuf[65536 + 16];
static struct event *flush_ev;
static TAILQ_HEAD(, conn) flushq = TAILQ_HEAD_INITIALIZER(flushq);

void
linkio_init(struct event_base *b, const struct linkio_hooks *h)
{
	link_base = b;
	hooks = h;
}

void
addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	char h[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s->sin_addr, h, sizeof h);
		port = ntohs(s->sin_port);
		snprintf(out, cap, "%s:%u", h, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s->sin6_addr, h, sizeof h);
		port = ntohs(s->sin6_port);
		snprintf(out, cap, "[%s]:%u", h, port);
	} else
		snprintf(out, cap, "?");
}

/* A link is signed on while one of its connections is. */
void
link_update_signed_on(struct link *l)
{
	struct conn *c;

	l->signed_on = 0;
	TAILQ_FOREACH(c, &l->conns, entry)
		if (c->signed_on)
			l->signed_on = 1;
}

uint32_t
link_stan(struct link *l)
{
	l->stan = l->stan % 999999 + 1;
	return l->stan;
}

/* After output was queued or written: pause or resume reading.  Reads
 * stop at OutputCap (linklimit.c closes after StallTimeout). */
static void
limit_output(struct conn *c)
{
	struct link *l = c->link;
	size_t n = evbuffer_get_length(c->out);

	if (!c->rd_paused && n > l->cf.output_cap) {
		/* The kernel's buffers fill behind us, and the peer's
		 * writes block: TCP's own backpressure. */
		event_del(c->rd);
		c->rd_paused = 1;
		c->full_us = now_us();
		l->output_paused++;
		log_warnx("event=output_paused link=%s conn=%llu peer=%s "
		    "queued=%zu cap=%u", l->cf.name, (unsigned long long)c->id,
		    c->peer, n, l->cf.output_cap);
	} else if (c->rd_paused && n <= l->cf.output_cap / 2) {
		c->rd_paused = 0;
		event_add(c->rd, NULL);
		log_info("event=output_resumed link=%s conn=%llu queued=%zu",
		    l->cf.name, (unsigned long long)c->id, n);
	}
}

int
conn_send_wire(struct conn *c, const uint8_t *msg, size_t len)
{
	if (c->link->cf.mac && hooks->send_mac(c, msg, len))
		return 0;
	return conn_send_raw(c, msg, len);
}

int
conn_send_raw(struct conn *c, const uint8_t *msg, size_t len)
{
	uint8_t hdr[16];
	int h;

	if ((h = frame_header(&c->link->fr, len, hdr, sizeof hdr)) < 0) {
		log_warnx("event=send_refused link=%s conn=%llu len=%zu "
		    "reason=over_max_frame", c->link->cf.name,
		    (unsigned long long)c->id, len);
		return -1;
	}
	c->tx_frames++;
	if (evbuffer_add(c->out, hdr, (size_t)h) == -1 ||
	    evbuffer_add(c->out, msg, len) == -1)
		return -1;
	limit_output(c);
	/* While the socket is full (or connecting) its write event owns
	 * the flush; otherwise one write at the end of this loop pass. */
	if (!c->queued && !event_pending(c->wr, EV_WRITE, NULL)) {
		TAILQ_INSERT_TAIL(&flushq, c, flush_entry);
		c->queued = 1;
		event_active(flush_ev, EV_WRITE, 0);
	}
	return 0;
}

/*
 * The answers of one loop pass leave a connection in one write: a system
 * call per answer was most of what an answer cost.  What the socket does
 * not take waits for its write event.  -1: the connection is gone.
 */
int
conn_flush(struct conn *c)
{
	int n;

	while (evbuffer_get_length(c->out) > 0) {
		if ((n = evbuffer_write(c->out, c->fd)) > 0)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		conn_close(c, n == 0 ? "eof" : strerror(errno));
		return -1;
	}
	if (evbuffer_get_length(c->out) > 0)
		event_add(c->wr, NULL);
	else
		event_del(c->wr);
	limit_output(c);
	return 0;
}

static void
flush_all(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c;

	(void)fd;
	(void)ev;
	(void)arg;
	while ((c = TAILQ_FIRST(&flushq)) != NULL) {
		TAILQ_REMOVE(&flushq, c, flush_entry);
		c->queued = 0;
		conn_flush(c);
	}
}

void
link_flush_now(void)
{
	if (flush_ev != NULL && !TAILQ_EMPTY(&flushq)) {
		event_del(flush_ev);
		flush_all(-1, 0, NULL);
	}
}

/* m packed into txbuf: its length, or -1 (logged). */
static ssize_t
pack_msg(struct conn *c, const struct iso_msg *m)
{
	struct iso_err err;
	ssize_t n;

	n = iso_pack(c->link->prof, m, txbuf, sizeof txbuf, &err);
	if (n < 0)
		log_warnx("event=pack_failed link=%s mti=%s field=%d "
		    "reason=\"%s\"", c->link->cf.name, m->mti, err.field,
		    err.msg);
	return n;
}

int
conn_send_msg(struct conn *c, const struct iso_msg *m)
{
	ssize_t n = pack_msg(c, m);

	return n < 0 ? -1 : conn_send_wire(c, txbuf, (size_t)n);
}

/*
 * m with no MAC, on any link: the answer to a frame whose MAC did not
 * verify or that did not unpack.  MACed, it would carry fields an
 * attacker chose (DE11, DE7...) under the link's key: a message to play
 * back to us as the scheme's (an 0430 settling a reversal, an 0210
 * answering an OUT_REQUEST).
 */
int
conn_send_unmaced(struct conn *c, const struct iso_msg *m)
{
	ssize_t n = pack_msg(c, m);

	return n < 0 ? -1 : conn_send_raw(c, txbuf, (size_t)n);
}

static void
answer(struct conn *c, const struct iso_msg *m, const char *rc, uint64_t t0,
    int (*send)(struct conn *, const struct iso_msg *))
{
	static struct iso_msg resp;

	if (iso_response_init(&resp, m, rc, 0) == 0 && send(c, &resp) == 0)
		metrics_request(c->link->cf.name, m->mti, rc, PATH_LOCAL,
		    t0 != 0 ? now_us() - t0 : 0);
	/* it echoed the request's card number */
	sodium_memzero(&resp, sizeof resp);
}

void
link_answer(struct conn *c, const struct iso_msg *m, const char *rc,
    uint64_t t0)
{
	answer(c, m, rc, t0, conn_send_msg);
}

void
link_refuse_unmaced(struct conn *c, const struct iso_msg *m, const char *rc)
{
	answer(c, m, rc, 0, conn_send_unmaced);
}

/*
 * When the bytes of this read reached the host, on the monotonic clock:
 * the kernel stamps each segment on arrival (SO_TIMESTAMPNS, realtime),
 * and a TCP read reports the stamp of the last segment it took, so every
 * frame of the read is at least that old.  The realtime stamp is moved to
 * the monotonic clock by the offset between the two clocks now.  Without
 * a stamp (the option refused, or none came): the loop's clock, counted.
 */
static uint64_t
rx_time(struct conn *c, struct msghdr *mh, uint64_t now)
{
	struct cmsghdr *cm;
	struct timespec ts;
	uint64_t stamp, real;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(cm), sizeof ts);
		stamp = (uint64_t)ts.tv_sec * 1000000u +
		    (uint64_t)ts.tv_nsec / 1000u;
		real = wall_us();
		/* A stamp "from the future" (the wall clock stepped back
		 * between the two reads) or older than the monotonic
		 * clock itself is no age: now, counted as unstamped. */
		if (real <= stamp || real - stamp >= now)
			break;
		c->link->rx_stamped++;
		return now - (real - stamp);
	}
	c->link->rx_unstamped++;
	return now;
}

/* What the socket still holds after a read that filled the buffer (one
 * system call, only then: a read that did not fill it emptied it). */
static size_t
queued_after(evutil_socket_t fd, size_t got, size_t want)
{
	int q;

	if (got < want || ioctl(fd, FIONREAD, &q) == -1 || q < 0)
		return 0;
	return (size_t)q;
}

/* The whole frames in the read buffer, handled in place: 0, or -1 when
 * that closed c. */
static int
conn_frames(struct conn *c, uint64_t t0, uint64_t now)
{
	size_t off, total, used = 0;
	size_t pl = frame_prefix_len(&c->link->fr);
	char err[128];
	int rv;

	while (c->rxlen - used >= pl) {
		rv = frame_parse(&c->link->fr, c->rx + used, c->rxlen - used,
		    &off, &total, err, sizeof err);
		if (rv == -1) {
			c->link->bad_frames++;
			log_warnx("event=framing_lost link=%s conn=%llu "
			    "reason=\"%s\"", c->link->cf.name,
			    (unsigned long long)c->id, err);
			conn_close(c, "framing");
			return -1;
		}
		if (rv == 0)
			break;
		c->rx_frames++;
		hooks->frame(c, c->rx + used + off, total - off, t0);
		used += total;
	}
	if (used > 0) {
		memmove(c->rx, c->rx + used, c->rxlen - used);
		sodium_memzero(c->rx + c->rxlen - used, used);
		c->rxlen -= used;
	}
	/* FrameTimeout counts from the first byte of a frame not ended. */
	if (c->rxlen == 0)
		c->partial_us = 0;
	else if (c->partial_us == 0 || used > 0)
		c->partial_us = now;
	return 0;
}

/*
 * One recvmsg() into the connection's own buffer, its frames handled in
 * place: a bufferevent asks the kernel how much is readable (FIONREAD)
 * before every read, allocates a chain per read and has no way to hand
 * over the control message that carries the kernel's receive time.
 * 1: read, and the socket holds LINK_QUEUED_BEHIND more; 0: read, or
 * nothing to read; -1: c closed.
 */
static int
conn_read_once(struct conn *c, evutil_socket_t fd)
{
	struct link *l = c->link;
	union {
		char		 buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr	 align;
	} ctl;
	struct msghdr mh;
	struct iovec iov;
	uint64_t t0, now;
	size_t want;
	ssize_t n;
	int behind;

	want = c->rxcap - c->rxlen;
	if (want > READ_MAX)
		want = READ_MAX;
	iov.iov_base = c->rx + c->rxlen;
	iov.iov_len = want;
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof ctl.buf;
	n = recvmsg(fd, &mh, 0);
	if (n <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		conn_close(c, n == 0 ? "eof" : strerror(errno));
		return -1;
	}
	now = now_us();
	t0 = rx_time(c, &mh, now);
	c->rxlen += (size_t)n;
	c->last_rx_us = now;
	l->rx_queued = queued_after(fd, (size_t)n, want);
	behind = l->rx_queued >= LINK_QUEUED_BEHIND;
	if (conn_frames(c, t0, now) == -1)
		behind = -1;
	l->rx_queued = 0;
	return behind;
}

/* Behind, the loop reads on (its frames are shed at once) while the
 * socket still holds that much, unless reading was paused meanwhile. */
static void
conn_read(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;
	struct link *l = c->link;
	int i;

	(void)ev;
	for (i = 0; i < READS_BEHIND; i++)
		if (conn_read_once(c, fd) != 1 || c->rd_paused)
			break;
	hooks->read_done(l);
}

void
conn_connected(struct conn *c)
{
	struct link_slot *s = &c->link->slots[c->slot];
	int one = 1;

	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s->connecting = 0;
	s->backoff_ms = BACKOFF_MIN_MS;
	log_info("event=link_connected link=%s conn=%llu peer=%s",
	    c->link->cf.name, (unsigned long long)c->id, c->peer);
	event_add(c->rd, NULL);
	hooks->connected(c);
}

static void
conn_writable(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;
	socklen_t sl = sizeof(int);
	int e = 0;

	(void)ev;
	if (c->slot >= 0 && c->link->slots[c->slot].connecting) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1)
			e = errno;
		if (e != 0) {
			conn_close(c, strerror(e));
			return;
		}
		conn_connected(c);
	}
	conn_flush(c);
}

struct conn *
conn_new(struct link *l, evutil_socket_t fd, const struct sockaddr *sa)
{
	struct conn *c;
	int one = 1;

	if (flush_ev == NULL) {
		if ((flush_ev = event_new(link_base, -1, 0, flush_all, NULL)) ==
		    NULL)
			return NULL;
		loop_urgent(flush_ev);	/* answers leave before new reads */
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->link = l;
	c->fd = fd;
	c->id = ++next_conn;
	c->slot = -1;
	c->last_rx_us = c->opened_us = now_us();
	addr_text(sa, c->peer, sizeof c->peer);
	/* Receive times from the kernel, so a request's budget counts from
	 * its arrival at the host, not from when the loop got to it. */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) ==
	    -1)
		log_warn("event=rx_timestamps_off link=%s peer=%s", l->cf.name,
		    c->peer);
	/* A partial frame (less than the largest) plus one whole read. */
	c->rxcap = frame_prefix_len(&l->fr) + l->fr.hdrlen + l->fr.max +
	    READ_MAX;
	if ((c->rx = malloc(c->rxcap)) == NULL ||
	    (c->out = evbuffer_new()) == NULL ||
	    (c->rd = event_new(link_base, fd, EV_READ | EV_PERSIST, conn_read,
	    c)) == NULL ||
	    (c->wr = event_new(link_base, fd, EV_WRITE, conn_writable, c)) ==
	    NULL) {
		if (c->rd != NULL)
			event_free(c->rd);
		if (c->out != NULL)
			evbuffer_free(c->out);
		free(c->rx);
		free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&l->conns, c, entry);
	l->nconns++;
	return c;
}

static void
conn_end(struct conn *c)
{
	struct link *l = c->link;

	TAILQ_REMOVE(&l->conns, c, entry);
	l->nconns--;
	l->closed++;
	if (c->queued) {
		TAILQ_REMOVE(&flushq, c, flush_entry);
		c->queued = 0;
	}
	event_free(c->rd);
	event_free(c->wr);
	close(c->fd);
	evbuffer_free(c->out);
	sodium_memzero(c->rx, c->rxlen);
	free(c->rx);
	if (c->slot >= 0) {
		l->slots[c->slot].conn = NULL;
		hooks->slot_closed(&l->slots[c->slot]);
	}
	free(c);
	link_update_signed_on(l);
}

void
conn_close(struct conn *c, const char *why)
{
	log_info("event=link_closed link=%s conn=%llu peer=%s reason=\"%s\"",
	    c->link->cf.name, (unsigned long long)c->id, c->peer, why);
	conn_end(c);
}

/* A peer held to a limit is worth a warning, one line per close. */
void
conn_limit_close(struct conn *c, const char *why)
{
	log_warnx("event=link_closed link=%s conn=%llu peer=%s reason=%s "
	    "limit=1", c->link->cf.name, (unsigned long long)c->id, c->peer,
	    why);
	conn_end(c);
}
