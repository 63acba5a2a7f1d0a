/*
 * coretx.c — what `scheme-sim core` sends.  The immediate answers to a
 * batch of datagrams leave with one sendmmsg, so the simulator stays
 * cheap next to the gateway it is measuring; delayed answers (--delay)
 * wait in the txq until due.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "scheme-sim/coresim.h"
#include "scheme-sim/parse.h"

void
core_flush_tx(struct coresim *cs)
{
	int i, n, off = 0;

	while (off < cs->ntx) {
		n = sendmmsg(cs->fd, cs->txm + off, (unsigned)(cs->ntx - off),
		    0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			/* Full socket buffer or gone peer: the gateway's
			 * deadline covers a lost answer, like a real WAN. */
			cs->send_err += (uint64_t)(cs->ntx - off);
			break;
		}
		off += n;
	}
	for (i = 0; i < cs->ntx; i++)
		cs->txm[i].msg_hdr.msg_iovlen = 1;
	cs->ntx = 0;
}

static void
arm_txq(struct coresim *cs)
{
	struct sim_txitem *it = sim_txq_peek(&cs->txq);
	uint64_t now, d;
	struct timeval tv;

	if (it == NULL)
		return;
	now = sim_now_ns();
	d = it->due_ns > now ? it->due_ns - now : 0;
	tv.tv_sec = (time_t)(d / 1000000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000000u / 1000u);
	evtimer_add(cs->txev, &tv);
}

static void
emit_later(struct coresim *cs, int type, uint64_t corr, const uint8_t *body,
    size_t blen, const struct sockaddr *to, socklen_t tolen, uint64_t delay_ns)
{
	ssize_t n;

	n = corefr_send(&cs->keys, type, corr, 0, body, blen, cs->big,
	    sizeof cs->big);
	if (n < 0 || sim_txq_push(&cs->txq, sim_now_ns() + delay_ns, cs->big,
	    (size_t)n, to, tolen) == -1) {
		cs->send_err++;
		return;
	}
	cs->delayed++;
	arm_txq(cs);
}

void
core_emit(struct coresim *cs, int type, uint64_t corr, const uint8_t *body,
    size_t blen, const struct sockaddr *to, socklen_t tolen, uint64_t delay_ns)
{
	ssize_t n;
	int i;

	if (delay_ns > 0) {
		emit_later(cs, type, corr, body, blen, to, tolen, delay_ns);
		return;
	}
	if (cs->ntx == BATCH)
		core_flush_tx(cs);
	i = cs->ntx;
	n = corefr_send(&cs->keys, type, corr, 0, body, blen, cs->txb[i], TXBUF);
	if (n < 0) {
		/* Bigger than a batch slot: send it on its own. */
		n = corefr_send(&cs->keys, type, corr, 0, body, blen, cs->big,
		    sizeof cs->big);
		if (n < 0 ||
		    sendto(cs->fd, cs->big, (size_t)n, 0, to, tolen) < 0)
			cs->send_err++;
		return;
	}
	memcpy(&cs->txa[i], to, tolen);
	cs->txv[i].iov_base = cs->txb[i];
	cs->txv[i].iov_len = (size_t)n;
	memset(&cs->txm[i], 0, sizeof cs->txm[i]);
	cs->txm[i].msg_hdr.msg_name = &cs->txa[i];
	cs->txm[i].msg_hdr.msg_namelen = tolen;
	cs->txm[i].msg_hdr.msg_iov = &cs->txv[i];
	cs->txm[i].msg_hdr.msg_iovlen = 1;
	cs->ntx++;
}

void
core_txq_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	struct sim_txitem *it;
	uint64_t now = sim_now_ns();

	(void)fd;
	(void)what;
	while ((it = sim_txq_peek(&cs->txq)) != NULL && it->due_ns <= now) {
		it = sim_txq_pop(&cs->txq);
		/* Black-holed meanwhile: a dead core answers nothing. */
		if (!cs->blackholed && sendto(cs->fd, it->buf, it->len, 0,
		    (struct sockaddr *)&it->to, it->tolen) < 0)
			cs->send_err++;
		free(it);
	}
	arm_txq(cs);
}
