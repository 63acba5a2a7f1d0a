/*
 * linklimit.c — the limits one scheme peer is held to, so that no peer,
 * hostile or broken, holds a connection slot, memory or the router from
 * the others (doc/architecture.md section 9, "Link limits"):
 *
 *   FirstFrameTimeout  an accepted socket that has not delivered a frame
 *                      that unpacks is closed: idle sockets never keep
 *                      the scheme's own connection out of MaxConnections;
 *   FrameTimeout       a frame begun and not ended (slowloris) is closed;
 *   EchoMisses         that many unanswered echoes in a row: closed (a
 *                      Connect slot then reconnects, with its backoff);
 *   OutputCap          answers queued beyond it stop reads from that peer
 *                      until half of them have drained (linkio.c, where
 *                      output is queued); StallTimeout over it and the
 *                      connection is closed;
 *   MaxInFlight        requests of one link the router holds at once;
 *                      beyond, a request is answered 91 at once, so the
 *                      scheme still has its answer within its deadline.
 */
#include <stdint.h>

#include "base/clock.h"
#include <sodium.h>

#include "base/log.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "gateway/link.h"
#include "gateway/link-int.h"
#include "gateway/metrics.h"

static struct iso_msg busy;

/* An echo of ours is unanswered past EchoInterval: -1 when that made
 * EchoMisses in a row and closed c. */
static int
echo_missed(struct conn *c)
{
	struct link *l = c->link;

	c->echo_sent_us = 0;
	c->echo_missed++;
	log_warnx("event=echo_unanswered link=%s conn=%llu peer=%s missed=%d "
	    "of=%d", l->cf.name, (unsigned long long)c->id, c->peer,
	    c->echo_missed, l->cf.echo_misses);
	if (c->echo_missed < l->cf.echo_misses)
		return 0;
	l->echo_closed++;
	conn_limit_close(c, "echo_unanswered");
	return -1;
}

int
limit_check(struct conn *c, uint64_t now)
{
	struct link *l = c->link;
	const struct cfg_link *cf = &l->cf;

	/* Accepted sockets only: on a Connect link we chose the peer, and
	 * it may well wait for us to speak first. */
	if (c->slot < 0 && !c->proven && now - c->opened_us >
	    cf->first_frame_us) {
		l->first_frame_timeouts++;
		conn_limit_close(c, "first_frame_timeout");
		return -1;
	}
	/* While reads are paused the rest of a frame waits for us. */
	if (c->rd_paused) {
		if (now - c->full_us <= cf->stall_us)
			return 0;
		l->output_stalled++;
		conn_limit_close(c, "output_stalled");
		return -1;
	}
	if (c->partial_us != 0 && now - c->partial_us > cf->frame_us) {
		l->frame_timeouts++;
		conn_limit_close(c, "frame_timeout");
		return -1;
	}
	if (cf->echo_us > 0 && c->echo_sent_us != 0 &&
	    now - c->echo_sent_us > cf->echo_us)
		return echo_missed(c);
	return 0;
}

int
link_admit(struct conn *c, const struct iso_msg *m, uint64_t t0)
{
	struct link *l = c->link;

	if (l->inflight < l->cf.max_inflight)
		return 0;
	/* Not reading it instead would leave the scheme to time out on
	 * every request queued behind: a 91 now keeps its deadline. */
	l->inflight_refused++;
	log_warnx("event=inflight_cap link=%s conn=%llu mti=%s inflight=%d "
	    "rc=91", l->cf.name, (unsigned long long)c->id, m->mti,
	    l->inflight);
	if (iso_response_init(&busy, m, "91", 0) == 0 &&
	    conn_send_msg(c, &busy) == 0)
		metrics_request(l->cf.name, m->mti, "91", PATH_LOCAL,
		    now_us() - t0);
	/* it echoed the request's card number: not kept past the send */
	sodium_memzero(&busy, sizeof busy);
	return -1;
}
