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
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "iso8583/log.h"
#include "gateway/gw.h"

static uint8_t	dgram[COREFR_MAX_DGRAM + 1];
static uint8_t	ptbuf[COREFR_HDRLEN + COREFR_MAX_BODY];
static uint8_t	txbuf[COREFR_MAX_DGRAM];

const char *
core_state_name(int s)
{
	return s == CORE_UP ? "up" : s == CORE_DOWN ? "down" : "unknown";
}

struct core *
core_find(const char *name)
{
	struct core *k;

	TAILQ_FOREACH(k, &gw.cores, entry)
		if (strcmp(k->cf.name, name) == 0)
			return k;
	return NULL;
}

struct core *
core_best(void)
{
	struct core *k, *best = NULL;

	TAILQ_FOREACH(k, &gw.cores, entry)
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

int
core_send(struct core *k, int type, uint64_t corr, uint32_t budget_us,
    const uint8_t *body, size_t len)
{
	const struct sockaddr *to = (const struct sockaddr *)&k->cf.addr.ss;
	socklen_t tolen = k->cf.addr.len;
	ssize_t n;

	n = corefr_send(&k->end, type, corr, budget_us, body, len, txbuf,
	    sizeof txbuf);
	if (n < 0) {
		log_warnx("event=core_send_failed core=%s type=%s "
		    "reason=too_large", k->cf.name, corefr_type_name(type));
		return -1;
	}
	if (sendto(k->fd, txbuf, (size_t)n, 0, to, tolen) != n) {
		/* ECONNREFUSED and friends: the beats will notice. */
		return -1;
	}
	k->tx++;
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

static void
core_read(evutil_socket_t fd, short ev, void *arg)
{
	struct core *k = arg;
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	ssize_t n;
	int i;

	(void)ev;
	/* Drain a batch, but give the rest of the loop a turn. */
	for (i = 0; i < 64; i++) {
		fromlen = sizeof from;
		n = recvfrom(fd, dgram, sizeof dgram, MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if ((size_t)n > COREFR_MAX_DGRAM) {
			k->rejected[COREFR_R_FORMAT]++;
			continue;
		}
		if (corefr_recv(&k->end, dgram, (size_t)n, &h, ptbuf,
		    sizeof ptbuf, &body, &why) == -1) {
			/* Never answered: an attacker learns nothing. */
			k->rejected[why]++;
			log_debug("event=core_frame_rejected core=%s reason=%s "
			    "len=%zd", k->cf.name, corefr_reject_name(why), n);
			continue;
		}
		k->rx++;
		k->last_rx_us = now_us();
		memcpy(&k->peer, &from, fromlen);
		k->peerlen = fromlen;
		switch (h.type) {
		case COREFR_HEARTBEAT_ACK:
			heartbeat_ack(k, &h);
			break;
		case COREFR_HEARTBEAT:
			/* The core probing us: answer from this socket. */
			{
				ssize_t m = corefr_send(&k->end,
				    COREFR_HEARTBEAT_ACK, h.corr_id, 0, NULL, 0,
				    txbuf, sizeof txbuf);
				if (m > 0)
					sendto(fd, txbuf, (size_t)m, 0,
					    (struct sockaddr *)&from, fromlen);
			}
			break;
		default:
			router_core_frame(k, &h, body, h.body_len);
			break;
		}
	}
}

void
core_silent(struct core *k, uint64_t sent_us)
{
	if (k->state != CORE_UP || k->last_rx_us >= sent_us)
		return;
	log_warnx("event=core_silent core=%s silent_us=%llu", k->cf.name,
	    (unsigned long long)(now_us() - k->last_rx_us));
	k->good = 0;
	set_state(k, CORE_DOWN);
}

struct core *
core_new(const struct cfg_core *cf)
{
	struct core *k;

	if ((k = calloc(1, sizeof *k)) == NULL)
		return NULL;
	k->cf = *cf;
	k->fd = -1;
	corefr_end_init(&k->end, &k->cf.keys);
	k->state = CORE_UNKNOWN;
	k->since_us = now_us();
	return k;
}

int
core_start(struct core *k)
{
	struct timeval tv;
	int fd;

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
	k->fd = fd;
	k->rd = event_new(gw.base, fd, EV_READ | EV_PERSIST, core_read, k);
	k->hb = event_new(gw.base, -1, EV_PERSIST, heartbeat, k);
	if (k->rd == NULL || k->hb == NULL)
		return -1;
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
	router_core_gone(k);
	if (k->rd != NULL)
		event_free(k->rd);
	if (k->hb != NULL)
		event_free(k->hb);
	if (k->fd != -1)
		close(k->fd);
	seal_keyring_clear(&k->cf.keys);
	sodium_memzero(&k->end, sizeof k->end);
	free(k);
}
