/*
 * core.c — core endpoints: one UDP socket each, heartbeats, health, and
 * the receive side of the core link (authentication, replay, dispatch to
 * the router).
 *
 * Health: a beat not answered before the next one is due is a miss;
 * DownAfter misses in a row mark the endpoint down; UpAfter good beats in
 * a row bring it back (no flapping).  At start an endpoint is "unknown"
 * and the first good beat makes it up.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "gateway/core.h"
#include "gateway/loopprio.h"

#define RX_BATCH	32

/* Received datagrams, a batch per recvmmsg; one byte over the largest
 * legal datagram so an oversized one is seen as such. */
static uint8_t	rxbuf[RX_BATCH][COREFR_MAX_DGRAM + 1];
static uint8_t	ptbuf[COREFR_HDRLEN + COREFR_MAX_BODY];
static uint8_t	txbuf[COREFR_MAX_DGRAM];

/*
 * Sending: each request used to cost a sendto of its own, and on this kind
 * of machine a system call is the most expensive thing a request does.
 * Datagrams are queued per core and sent with one sendmmsg when the
 * current pass of the event loop is done (flush_ev is activated, and runs
 * after the callbacks already queued in this pass).
 */
static struct event *flush_ev;
static TAILQ_HEAD(, core) flushq = TAILQ_HEAD_INITIALIZER(flushq);

static struct event_base *base;
static const struct core_handlers *hand;
static TAILQ_HEAD(, core) cores = TAILQ_HEAD_INITIALIZER(cores);
/* What every endpoint has received: sessions are per key, and a key may
 * be shared by endpoints (rule 5). */
static struct replay *seen;

int
core_init(struct event_base *b, const struct core_handlers *handlers,
    uint64_t start_ms)
{
	base = b;
	hand = handlers;
	if ((seen = replay_new(start_ms)) == NULL)
		return -1;
	return 0;
}

void
core_shutdown(void)
{
	replay_free(seen);
	seen = NULL;
}

const char *
core_state_name(int s)
{
	return s == CORE_UP ? "up" : s == CORE_DOWN ? "down" : "unknown";
}

struct core *
core_find(const char *name)
{
	struct core *k;

	TAILQ_FOREACH(k, &cores, entry)
		if (strcmp(k->cf.name, name) == 0)
			return k;
	return NULL;
}

struct core *
core_first(void)
{
	return TAILQ_FIRST(&cores);
}

struct core *
core_next(const struct core *k)
{
	return TAILQ_NEXT(k, entry);
}

struct core *
core_best(void)
{
	struct core *k, *best = NULL;

	TAILQ_FOREACH(k, &cores, entry)
		if (k->state == CORE_UP &&
		    (best == NULL || k->cf.priority < best->cf.priority))
			best = k;
	return best;
}

static void
set_state(struct core *k, int st)
{
	if (k->state == st)
		return;
	log_info("event=core_state core=%s from=%s to=%s rtt_us=%llu",
	    k->cf.name, core_state_name(k->state), core_state_name(st),
	    (unsigned long long)k->rtt_us);
	if (st == CORE_DOWN)
		k->downs++;
	k->state = st;
	k->since_us = now_us();
}

static void
core_flush(struct core *k)
{
	struct mmsghdr mm[CORE_TXQ_MSGS];
	struct iovec iov[CORE_TXQ_MSGS];
	size_t off = 0;
	int i, done = 0, n;

	if (k->ntx == 0)
		return;
	memset(mm, 0, sizeof mm[0] * (size_t)k->ntx);
	for (i = 0; i < k->ntx; i++) {
		iov[i].iov_base = k->txq + off;
		iov[i].iov_len = k->txlen[i];
		off += k->txlen[i];
		/* connected: no address */
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < k->ntx) {
		n = sendmmsg(k->fd, mm + done, (unsigned)(k->ntx - done), 0);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			/* The first one failed (no route, buffer full):
			 * skip it, the beats will notice a dead path. */
			n = 1;
		} else
			k->tx += (uint64_t)n;
		done += n;
	}
	k->ntx = 0;
	k->txq_used = 0;
}

static void
flush_all(evutil_socket_t fd, short ev, void *arg)
{
	struct core *k;

	(void)fd;
	(void)ev;
	(void)arg;
	while ((k = TAILQ_FIRST(&flushq)) != NULL) {
		TAILQ_REMOVE(&flushq, k, flush_entry);
		k->queued = 0;
		core_flush(k);
	}
}

void
core_flush_now(void)
{
	if (flush_ev != NULL && !TAILQ_EMPTY(&flushq)) {
		event_del(flush_ev);
		flush_all(-1, 0, NULL);
	}
}

int
core_send(struct core *k, int type, uint64_t corr, uint32_t budget_us,
    const uint8_t *body, size_t len)
{
	ssize_t n;

	if (k->ntx == CORE_TXQ_MSGS ||
	    CORE_TXQ_BYTES - k->txq_used < COREFR_MAX_DGRAM)
		core_flush(k);
	n = corefr_send(&k->keys, type, corr, budget_us, body, len,
	    k->txq + k->txq_used, CORE_TXQ_BYTES - k->txq_used);
	if (n < 0) {
		log_warnx("event=core_send_failed core=%s type=%s "
		    "reason=too_large", k->cf.name, corefr_type_name(type));
		return -1;
	}
	k->txlen[k->ntx++] = (uint32_t)n;
	k->txq_used += (size_t)n;
	if (!k->queued) {
		TAILQ_INSERT_TAIL(&flushq, k, flush_entry);
		k->queued = 1;
		event_active(flush_ev, EV_WRITE, 0);
	}
	return 0;
}

static void
heartbeat(evutil_socket_t fd, short ev, void *arg)
{
	struct core *k = arg;

	(void)fd;
	(void)ev;
	if (k->hb_corr != 0) {
		k->good = 0;
		if (++k->misses >= k->cf.misses && k->state != CORE_DOWN)
			set_state(k, CORE_DOWN);
	}
	randombytes_buf(&k->hb_corr, sizeof k->hb_corr);
	if (k->hb_corr == 0)
		k->hb_corr = 1;
	k->hb_sent_us = now_us();
	k->hb_sent++;
	core_send(k, COREFR_HEARTBEAT, k->hb_corr, 0, NULL, 0);
}

static void
heartbeat_ack(struct core *k, const struct corefr_hdr *h)
{
	if (k->hb_corr == 0 || h->corr_id != k->hb_corr)
		return;		/* a stale or unknown ack proves nothing */
	k->hb_corr = 0;
	k->hb_ok++;
	k->rtt_us = now_us() - k->hb_sent_us;
	k->misses = 0;
	k->good++;
	if (k->state == CORE_UNKNOWN ||
	    (k->state == CORE_DOWN && k->good >= k->cf.recover))
		set_state(k, CORE_UP);
}

/* The datagram came from the endpoint's address (the socket is
 * connected, so anything else is the kernel's mistake or ours). */
static int
from_peer(const struct core *k, const struct sockaddr_storage *from)
{
	const struct sockaddr_storage *a = &k->cf.addr.ss;

	if (from->ss_family != a->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)from, *y =
		    (const void *)a;
		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)from, *y =
		    (const void *)a;
		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

/* How far the core's clock is from ours, as its frames say. */
static void
note_skew(struct core *k, uint64_t sent_ms)
{
	uint64_t now = corefr_now_ms();
	uint64_t skew = now > sent_ms ? now - sent_ms : sent_ms - now;

	if (skew <= k->skew_max_ms)
		return;
	k->skew_max_ms = skew;
	if (skew > k->cf.fresh_us / 2000)
		log_warnx("event=core_clock_skew core=%s skew_ms=%llu "
		    "fresh_window_ms=%u reason=\"over half the window: "
		    "check NTP on both ends\"", k->cf.name,
		    (unsigned long long)skew, k->cf.fresh_us / 1000);
}

static void
core_frame(struct core *k, const uint8_t *dgram, size_t n,
    const struct sockaddr_storage *from)
{
	struct corefr_hdr hd;
	const uint8_t *body;
	enum corefr_reject why;
	ssize_t m;

	if (!from_peer(k, from))
		why = COREFR_R_SOURCE;
	else if (n > COREFR_MAX_DGRAM)
		why = COREFR_R_GUE;
	else if (corefr_recv(&k->keys, seen, k->cf.fresh_us / 1000, dgram, n,
	    &hd, ptbuf, sizeof ptbuf, &body, &why) == 0)
		why = COREFR_R_NONE;
	if (why != COREFR_R_NONE) {
		/* Never answered: an attacker learns nothing. */
		k->rejected[why]++;
		log_debug("event=core_frame_rejected core=%s reason=%s "
		    "len=%zu", k->cf.name, corefr_reject_name(why), n);
		return;
	}
	k->rx++;
	k->last_rx_us = now_us();
	note_skew(k, hd.sent_ms);
	switch (hd.type) {
	case COREFR_HEARTBEAT_ACK:
		heartbeat_ack(k, &hd);
		break;
	case COREFR_HEARTBEAT:
		/* The core probing us: answer on this (connected) socket. */
		m = corefr_send(&k->keys, COREFR_HEARTBEAT_ACK, hd.corr_id, 0,
		    NULL, 0, txbuf, sizeof txbuf);
		if (m > 0)
			send(k->fd, txbuf, (size_t)m, 0);
		break;
	default:
		k->hand->frame(k, &hd, body, hd.body_len);
		break;
	}
}

static void
core_read(evutil_socket_t fd, short ev, void *arg)
{
	static struct mmsghdr mm[RX_BATCH];
	static struct iovec iov[RX_BATCH];
	static struct sockaddr_storage from[RX_BATCH];
	struct core *k = arg;
	int i, n, rounds;

	(void)ev;
	/* Drain in batches, but give the rest of the loop a turn. */
	for (rounds = 0; rounds < 4; rounds++) {
		for (i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = rxbuf[i];
			iov[i].iov_len = sizeof rxbuf[i];
			memset(&mm[i].msg_hdr, 0, sizeof mm[i].msg_hdr);
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof from[i];
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, mm, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
				mm[i].msg_len = COREFR_MAX_DGRAM + 1;
			core_frame(k, rxbuf[i], mm[i].msg_len, &from[i]);
		}
		if (n < RX_BATCH)
			return;
	}
}

void
core_silent(struct core *k, uint64_t sent_us)
{
	int waiting = 0;

	if (k->state != CORE_UP || k->last_rx_us >= sent_us)
		return;
	/* Datagrams in the socket, not read yet because this pass of the
	 * loop met the deadline queue first (both are plain descriptors to
	 * epoll, in no set order), are no sign of silence. */
	if (ioctl(k->fd, FIONREAD, &waiting) == 0 && waiting > 0)
		return;
	log_warnx("event=core_silent core=%s silent_us=%llu", k->cf.name,
	    (unsigned long long)(now_us() - k->last_rx_us));
	k->good = 0;
	set_state(k, CORE_DOWN);
}

static struct core *
core_alloc(const struct cfg_core *cf)
{
	struct core *k;

	/* Guarded, locked pages: the core link keys live here and in the
	 * config's section, never in plain heap. */
	if ((k = sodium_malloc(sizeof *k)) == NULL)
		return NULL;
	memset(k, 0, sizeof *k);
	k->cf = *cf;
	k->fd = -1;
	k->state = CORE_UNKNOWN;
	k->since_us = now_us();
	/* The table is shared: what it forgets must stay refused for the
	 * longest window any endpoint accepts frames in. */
	if (seen != NULL)
		replay_keep(seen, cf->fresh_us / 1000);
	return k;
}

struct core *
core_new(const struct cfg_core *cf)
{
	struct core *k;

	if ((k = core_alloc(cf)) == NULL)
		return NULL;
	k->hand = hand;
	if (core_keys_derive(&k->keys, &k->cf.keys, ROLE_GATEWAY) == -1) {
		sodium_free(k);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&cores, k, entry);
	return k;
}

struct core *
core_new_pair(const struct cfg_core *cf, const char *me,
    const struct core_handlers *h)
{
	struct core *k;

	if ((k = core_alloc(cf)) == NULL)
		return NULL;
	k->hand = h;
	if (pair_keys_derive(&k->keys, &k->cf.keys, me, cf->peer) == -1) {
		sodium_free(k);
		return NULL;
	}
	return k;
}

int
core_start(struct core *k)
{
	struct timeval tv;
	int fd, bufsz = 4 << 20;

	fd = socket(k->cf.addr.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("event=core_socket core=%s", k->cf.name);
		return -1;
	}
	if (k->cf.has_bind && bind(fd, (struct sockaddr *)&k->cf.bind.ss,
	    k->cf.bind.len) == -1) {
		log_warn("event=core_bind core=%s addr=%s", k->cf.name,
		    k->cf.bind.text);
		close(fd);
		return -1;
	}
	/* Connected: datagrams from any other source never reach the frame
	 * parser, and what we send can go nowhere else. */
	if (connect(fd, (struct sockaddr *)&k->cf.addr.ss, k->cf.addr.len) ==
	    -1) {
		log_warn("event=core_connect core=%s addr=%s", k->cf.name,
		    k->cf.addr.text);
		close(fd);
		return -1;
	}
	/* A burst of answers must not overflow the default 208 KiB: a dropped
	 * answer costs a whole deadline.  The kernel caps it at rmem_max. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	k->fd = fd;
	if (flush_ev == NULL &&
	    (flush_ev = event_new(base, -1, 0, flush_all, NULL)) == NULL)
		return -1;
	loop_urgent(flush_ev);
	if (k->txq == NULL && (k->txq = malloc(CORE_TXQ_BYTES)) == NULL)
		return -1;
	k->rd = event_new(base, fd, EV_READ | EV_PERSIST, core_read, k);
	k->hb = event_new(base, -1, EV_PERSIST, heartbeat, k);
	if (k->rd == NULL || k->hb == NULL)
		return -1;
	/* Answers before new requests (loopprio.h); the pair link's
	 * traffic is after the fact and waits its turn like the rest. */
	if (!k->cf.pair)
		loop_urgent(k->rd);
	event_add(k->rd, NULL);
	tv.tv_sec = k->cf.hb_us / 1000000;
	tv.tv_usec = k->cf.hb_us % 1000000;
	event_add(k->hb, &tv);
	heartbeat(-1, 0, k);
	log_info("event=core_started core=%s addr=%s priority=%d keys=%d",
	    k->cf.name, k->cf.addr.text, k->cf.priority, k->cf.keys.n);
	return 0;
}

void
core_free(struct core *k)
{
	k->hand->gone(k);
	if (!k->cf.pair)
		TAILQ_REMOVE(&cores, k, entry);
	if (k->queued) {
		TAILQ_REMOVE(&flushq, k, flush_entry);
		k->queued = 0;
	}
	if (k->fd != -1)
		core_flush(k);
	free(k->txq);
	if (k->rd != NULL)
		event_free(k->rd);
	if (k->hb != NULL)
		event_free(k->hb);
	if (k->fd != -1)
		close(k->fd);
	seal_keyring_clear(&k->cf.keys);
	core_keys_clear(&k->keys);
	sodium_free(k);		/* wipes */
}
