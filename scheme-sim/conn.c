/*
 * conn.c — framed TCP connection with batched writes.  The read buffer is
 * compacted, not reallocated, so steady load allocates nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "iso8583/frame.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"

#define RBUF_MIN	(256 * 1024)

struct sim_conn {
	int			 fd;
	int			 id;
	int			 dead;
	int			 in_cb;
	int			 rxts;		/* kernel receive timestamps */
	uint64_t		 rxts_used;
	struct framer		 fr;
	struct event		*rev;
	struct event		*wev;
	sim_conn_msg_fn		 on_msg;
	sim_conn_close_fn	 on_close;
	void			*arg;
	uint8_t			*rbuf;
	size_t			 rcap, rlen;
	uint8_t			*wbuf;
	size_t			 wcap, wlen, woff;
};

static void conn_read_cb(evutil_socket_t, short, void *);
static void conn_write_cb(evutil_socket_t, short, void *);

struct sim_conn *
sim_conn_new(struct event_base *base, int fd, const struct framer *fr,
    sim_conn_msg_fn on_msg, sim_conn_close_fn on_close, void *arg)
{
	struct sim_conn *c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->fd = fd;
	c->fr = *fr;
	c->on_msg = on_msg;
	c->on_close = on_close;
	c->arg = arg;
	c->rcap = RBUF_MIN;
	if (c->rcap < (size_t)fr->max + 16)
		c->rcap = (size_t)fr->max + 16;
	c->rbuf = malloc(c->rcap);
	c->wcap = 64 * 1024;
	c->wbuf = malloc(c->wcap);
	c->rev = event_new(base, fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->wev = event_new(base, fd, EV_WRITE, conn_write_cb, c);
	if (c->rbuf == NULL || c->wbuf == NULL || c->rev == NULL ||
	    c->wev == NULL || event_add(c->rev, NULL) == -1) {
		c->fd = -1;	/* the caller still owns fd on failure */
		sim_conn_free(c);
		return NULL;
	}
	return c;
}

void
sim_conn_free(struct sim_conn *c)
{
	if (c == NULL)
		return;
	if (c->rev)
		event_free(c->rev);
	if (c->wev)
		event_free(c->wev);
	if (c->fd != -1)
		close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

int sim_conn_fd(const struct sim_conn *c) { return c->fd; }
int sim_conn_id(const struct sim_conn *c) { return c->id; }
void sim_conn_set_id(struct sim_conn *c, int id) { c->id = id; }
size_t sim_conn_pending(const struct sim_conn *c) { return c->wlen - c->woff; }

static void
conn_die(struct sim_conn *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = 1;
	event_del(c->rev);
	event_del(c->wev);
	c->on_close(c, why, c->arg);
}

int
sim_conn_send(struct sim_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t hdr[16];
	int hl;
	size_t need;
	uint8_t *nb;

	if (c->dead)
		return -1;
	if ((hl = frame_header(&c->fr, len, hdr, sizeof hdr)) < 0)
		return -1;
	need = c->wlen + (size_t)hl + len;
	if (need > c->wcap) {
		/* Drop what was written already before growing. */
		if (c->woff > 0) {
			memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
			c->wlen -= c->woff;
			c->woff = 0;
			need = c->wlen + (size_t)hl + len;
		}
		if (need > c->wcap) {
			size_t ncap = c->wcap * 2;
			while (ncap < need)
				ncap *= 2;
			if (ncap > 64u * 1024 * 1024 ||
			    (nb = realloc(c->wbuf, ncap)) == NULL)
				return -1;	/* peer not reading: give up */
			c->wbuf = nb;
			c->wcap = ncap;
		}
	}
	memcpy(c->wbuf + c->wlen, hdr, (size_t)hl);
	memcpy(c->wbuf + c->wlen + hl, msg, len);
	c->wlen += (size_t)hl + len;
	return 0;
}

int
sim_conn_flush(struct sim_conn *c)
{
	ssize_t n;

	if (c->dead)
		return -1;
	while (c->woff < c->wlen) {
		n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (!event_pending(c->wev, EV_WRITE, NULL))
					event_add(c->wev, NULL);
				return 0;
			}
			if (!c->in_cb)
				conn_die(c, strerror(errno));
			return -1;
		}
		c->woff += (size_t)n;
	}
	c->woff = c->wlen = 0;
	return 0;
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sim_conn_flush(arg);
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim_conn *c = arg;
	ssize_t n;
	size_t off = 0, moff, total;
	uint64_t now;
	char err[128];
	const char *why = NULL;

	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	union {
		char	buf[CMSG_SPACE(sizeof(struct scm_timestamping))];
		struct cmsghdr	align;
	} ctl;
	const struct scm_timestamping *tss;
	uint64_t rx_real = 0, real_now;

	(void)what;
	memset(&mh, 0, sizeof mh);
	iov.iov_base = c->rbuf + c->rlen;
	iov.iov_len = c->rcap - c->rlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (c->rxts) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
	}
	n = recvmsg(fd, &mh, 0);
	if (n == 0) {
		conn_die(c, "peer closed");
		return;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_die(c, strerror(errno));
		return;
	}
	now = sim_now_ns();
	/*
	 * With kernel timestamps, "received" is when the bytes reached the
	 * socket, not when this process got the CPU: on a busy machine the
	 * simulator's own wake-up delay is then not charged to the peer.
	 * The kernel stamps in CLOCK_REALTIME; convert by the current offset.
	 */
	for (cm = c->rxts ? CMSG_FIRSTHDR(&mh) : NULL; cm != NULL;
	    cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPING) {
			tss = (const struct scm_timestamping *)CMSG_DATA(cm);
			rx_real = (uint64_t)tss->ts[0].tv_sec * 1000000000u +
			    (uint64_t)tss->ts[0].tv_nsec;
		}
	}
	if (rx_real != 0) {
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		real_now = (uint64_t)rt.tv_sec * 1000000000u +
		    (uint64_t)rt.tv_nsec;
		if (real_now > rx_real && real_now - rx_real < now)
			now -= real_now - rx_real;
		c->rxts_used++;
	}
	c->rlen += (size_t)n;
	c->in_cb = 1;
	while (!c->dead) {
		int r = frame_parse(&c->fr, c->rbuf + off, c->rlen - off,
		    &moff, &total, err, sizeof err);
		if (r == 0)
			break;
		if (r < 0) {
			why = err;
			break;
		}
		c->on_msg(c, c->rbuf + off + moff, total - moff, now, c->arg);
		off += total;
	}
	c->in_cb = 0;
	if (c->dead)
		return;
	if (why != NULL) {
		char msg[160];
		snprintf(msg, sizeof msg, "framing lost: %s", why);
		conn_die(c, msg);
		return;
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	if (sim_conn_flush(c) == -1 && !c->dead)
		conn_die(c, "write failed");
}

int
sim_tcp_tune(int fd)
{
	int one = 1, fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int
sim_tcp_connect(const struct sockaddr *sa, socklen_t sl, uint64_t timeout_ns)
{
	uint64_t until = sim_now_ns() + timeout_ns;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int fd;

	for (;;) {
		fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return -1;
		if (connect(fd, sa, sl) == 0) {
			if (sim_tcp_tune(fd) == -1) {
				close(fd);
				return -1;
			}
			return fd;
		}
		close(fd);
		if (errno != ECONNREFUSED && errno != EINTR &&
		    errno != ETIMEDOUT && errno != ENETUNREACH)
			return -1;
		if (sim_now_ns() >= until)
			return -1;
		nanosleep(&pause, NULL);
	}
}

int
sim_tcp_connect_start(const struct sockaddr *sa, socklen_t sl)
{
	int fd, e;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (connect(fd, sa, sl) == 0 || errno == EINPROGRESS)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
sim_tcp_connect_done(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return sim_tcp_tune(fd);
}

int
sim_tcp_listen(const struct sockaddr *sa, socklen_t sl)
{
	int fd, one = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, sa, sl) == -1 || listen(fd, 128) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
sim_conn_rx_timestamps(struct sim_conn *c)
{
	int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;

	if (setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPING, &flags,
	    sizeof flags) == -1)
		return -1;
	c->rxts = 1;
	return 0;
}

uint64_t
sim_conn_rx_timestamps_used(const struct sim_conn *c)
{
	return c->rxts_used;
}
