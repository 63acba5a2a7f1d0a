/*
 * pair.c — the pair link (ARCHITECTURE section 13).  The endpoint is a
 * core endpoint (core.c: socket, heartbeats, health, the acceptance
 * rules) with the pair's keys; this file is what travels on it:
 *
 *   ours:   PEER_ADVICE (corr_id our advice id, body the advice) for
 *           every advice made final in our queue, until PEER_ADVICE_ACK;
 *           PEER_RELEASE (corr_id the id) once the core acked it, until
 *           PEER_RELEASE_ACK.
 *   theirs: kept durably by the stand-in, then acknowledged; released
 *           (deleted), then acknowledged; taken over into our own queue
 *           once the peer has been silent longer than PeerTakeover.
 *
 * Both queues are bounded; a full one counts what it could not hold and
 * never holds a decision up.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/idhash.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "tunnel/tlv.h"
#include "gateway/config.h"
#include "gateway/core.h"
#include "gateway/link.h"
#include "gateway/link-t.h"
#include "gateway/pair.h"
#include "gateway/safimport.h"
#include "gateway/standin/standin.h"

#define RETRY_US	1000000
#define INFLIGHT	256
#define WINDOW_RING	8192
#define WALK_BATCH	256	/* advices one standin_saf_walk reads */

struct pend {
	TAILQ_ENTRY(pend) e;
	struct idlink	 hl;		/* hl.id: the advice id */
	uint64_t	 sent_us;	/* 0: not sent yet */
	size_t		 len;		/* 0 for a release */
	uint8_t		 body[];
};
TAILQ_HEAD(pendq, pend);

struct pendlist {
	struct pendq	 q;
	/* Acks are found by id, not by walking the queue: with the peer
	 * gone the mirror holds 65,536 entries, and every advice the core
	 * acks is looked for there. */
	struct idhash	 byid;
	size_t		 n, inflight;
	uint64_t	 sent, resent, acked, dropped;
};

static struct {
	struct core	*k;
	char		 peer[CFG_NAME_MAX];
	uint64_t	 takeover_us;
	uint64_t	 start_us;
	int		 taking;		/* a takeover job queued */
	int		 gone;			/* past PeerTakeover */
	struct pendlist	 mirror, release;
	/* theirs */
	uint64_t	 kept, released, keep_failed, taken, takeovers;
	uint64_t	 remirrored;		/* sent again after a start */
	uint64_t	 walk_next;		/* the walk stopped for room
						   here; 0: not stopped */
	int		 walking;		/* a walk job queued */
	/* the double-decision window: from the peer's receipt of a
	 * request to our durable copy of its decision, µs */
	uint64_t	 win[WINDOW_RING];
	uint64_t	 nwin, win_max;
	char		 state_dir[CFG_PATH_MAX];
} P;

/* --- our queues -------------------------------------------------------------- */

static int
pend_init(struct pendlist *l)
{
	memset(l, 0, sizeof *l);
	TAILQ_INIT(&l->q);
	return idhash_init(&l->byid);
}

static void
pend_free(struct pendlist *l, struct pend *p)
{
	idhash_del(&l->byid, &p->hl);
	TAILQ_REMOVE(&l->q, p, e);
	l->n--;
	if (p->sent_us != 0)
		l->inflight--;
	sodium_memzero(p->body, p->len);	/* advices hold the PAN */
	free(p);
}

static struct pend *
pend_find(struct pendlist *l, uint64_t id)
{
	struct idlink *h = idhash_find(&l->byid, id);

	return h != NULL ? IDHASH_ITEM(h, struct pend, hl) : NULL;
}

static int
pend_add(struct pendlist *l, size_t max, uint64_t id, const uint8_t *b,
    size_t len)
{
	struct pend *p;

	if (l->n >= max || (p = calloc(1, sizeof *p + len)) == NULL) {
		if (l->dropped++ % 1000 == 0)
			log_warnx("event=pair_queue_full id=%llu queued=%zu "
			    "not_queued=%llu reason=\"the peer is not taking "
			    "them: this appliance's own queue still has them\"",
			    (unsigned long long)id, l->n,
			    (unsigned long long)l->dropped);
		return -1;
	}
	p->hl.id = id;
	p->len = len;
	if (len > 0)
		memcpy(p->body, b, len);
	idhash_add(&l->byid, &p->hl);
	TAILQ_INSERT_TAIL(&l->q, p, e);
	l->n++;
	return 0;
}

static int
peer_up(void)
{
	return P.k != NULL && P.k->state == CORE_UP;
}

/* p onto the link (first time or again): 0, or -1 (not now). */
static int
pend_send(struct pendlist *l, struct pend *p, int type, uint64_t now)
{
	if (core_send(P.k, type, p->hl.id, 0, p->body, p->len) == -1)
		return -1;
	if (p->sent_us == 0) {
		l->inflight++;
		l->sent++;
	} else
		l->resent++;
	p->sent_us = now;
	return 0;
}

/* Sends what is due on l (new ones, and retries of the unacked): the
 * tick's work, and when the peer comes back. */
static void
pend_run(struct pendlist *l, int type, uint64_t now)
{
	struct pend *p;

	TAILQ_FOREACH(p, &l->q, e) {
		if (p->sent_us != 0 && now - p->sent_us < RETRY_US)
			continue;
		if (p->sent_us == 0 && l->inflight >= INFLIGHT)
			break;
		if (pend_send(l, p, type, now) == -1)
			break;
	}
}

/* A new entry goes at once when there is room in flight; otherwise the
 * tick sends it.  No walk of the queue on a decision's way out. */
static void
pend_push(struct pendlist *l, size_t max, int type, uint64_t id,
    const uint8_t *b, size_t len)
{
	if (pend_add(l, max, id, b, len) == 0 && peer_up() &&
	    l->inflight < INFLIGHT)
		pend_send(l, TAILQ_LAST(&l->q, pendq), type, now_us());
}

void
pair_mirror(uint64_t id, const uint8_t *body, size_t len)
{
	char gw[CFG_NAME_MAX];

	if (P.k == NULL)
		return;
	/* The peer's own advices, taken over: it has them already. */
	if (tlv_find_str(body, len, TLV_GATEWAY, gw, sizeof gw) == 0 &&
	    strcmp(gw, P.peer) == 0)
		return;
	pend_push(&P.mirror, PAIR_MIRROR_MAX, COREFR_PEER_ADVICE, id, body,
	    len);
}

void
pair_released(uint64_t id)
{
	struct pend *p;

	if (P.k == NULL)
		return;
	/* Not acked by the peer yet: it may have it all the same. */
	if ((p = pend_find(&P.mirror, id)) != NULL)
		pend_free(&P.mirror, p);
	pend_push(&P.release, PAIR_RELEASE_MAX, COREFR_PEER_RELEASE, id, NULL,
	    0);
}

static void
acked(struct pendlist *l, uint64_t id)
{
	struct pend *p;

	if ((p = pend_find(l, id)) == NULL)
		return;		/* a repeat ack */
	l->acked++;
	pend_free(l, p);
}

/* --- theirs -------------------------------------------------------------------- */

struct keeping {
	uint64_t	 id;
	uint64_t	 recv_us;	/* the request's, at the peer; 0 unknown */
};

static void
window_note(uint64_t recv_us)
{
	uint64_t w, now = wall_us();

	if (recv_us == 0 || recv_us > now)
		return;
	w = now - recv_us;
	P.win[P.nwin++ % WINDOW_RING] = w;
	if (w > P.win_max)
		P.win_max = w;
}

static void
kept(void *arg, int ok)
{
	struct keeping *kp = arg;

	if (ok) {
		P.kept++;
		window_note(kp->recv_us);
		if (P.k != NULL)
			core_send(P.k, COREFR_PEER_ADVICE_ACK, kp->id, 0, NULL,
			    0);
	} else
		P.keep_failed++;	/* not acked: the peer sends it again */
	free(kp);
}

static const struct iso_profile *
advice_profile(const uint8_t *b, size_t len)
{
	char name[64];
	struct link *l;

	if (tlv_find_str(b, len, TLV_LINK, name, sizeof name) == 0 &&
	    (l = link_find(name)) != NULL)
		return l->prof;
	if (tlv_find_str(b, len, TLV_PROFILE, name, sizeof name) == 0)
		return iso_profile_find(name);
	return NULL;
}

static void
peer_advice(uint64_t id, const uint8_t *b, size_t len)
{
	struct keeping *kp;
	uint64_t recv = 0;

	if ((kp = calloc(1, sizeof *kp)) == NULL)
		return;
	kp->id = id;
	if (tlv_find_u64(b, len, TLV_RECV_TIME, &recv) == 0)
		kp->recv_us = recv;
	/* Refused too when the body is not the peer's advice id (peer.c):
	 * not acknowledged, counted among the failed. */
	if (standin_peer_keep(P.peer, id, b, len, advice_profile(b, len), kept,
	    kp) == -1) {
		P.keep_failed++;
		free(kp);
	}
}

static void
released(void *arg, int ok)
{
	uint64_t id = (uint64_t)(uintptr_t)arg;

	if (!ok)
		return;
	P.released++;
	if (P.k != NULL)
		core_send(P.k, COREFR_PEER_RELEASE_ACK, id, 0, NULL, 0);
}

static void
pair_frame(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
    size_t len)
{
	(void)k;
	switch (h->type) {
	case COREFR_PEER_ADVICE:
		peer_advice(h->corr_id, b, len);
		break;
	case COREFR_PEER_ADVICE_ACK:
		acked(&P.mirror, h->corr_id);
		break;
	case COREFR_PEER_RELEASE:
		if (standin_peer_release(h->corr_id, released,
		    (void *)(uintptr_t)h->corr_id) == -1)
			P.keep_failed++;
		break;
	case COREFR_PEER_RELEASE_ACK:
		acked(&P.release, h->corr_id);
		break;
	default:
		log_debug("event=pair_frame_ignored type=%s",
		    corefr_type_name(h->type));
		break;
	}
}

/* Nothing points at the endpoint but P.k, which pair_stop clears. */
static void
pair_gone(struct core *k)
{
	(void)k;
}

static const struct core_handlers pair_handlers = { pair_frame, pair_gone };

/* --- takeover ------------------------------------------------------------------ */

static void
taken(void *arg, size_t n, int ok)
{
	(void)arg;
	P.taking = 0;
	if (!ok)
		return;
	P.taken += n;
	if (n > 0)
		log_info("event=peer_takeover peer=%s advices=%zu total=%llu "
		    "held=%llu", P.peer, n, (unsigned long long)P.taken,
		    (unsigned long long)standin_peer_held());
}

/* Silent since: the last authenticated frame, or our start. */
static uint64_t
silent_us(uint64_t now)
{
	uint64_t since = P.k->last_rx_us > P.start_us ? P.k->last_rx_us :
	    P.start_us;

	return now > since ? now - since : 0;
}

static void
takeover(uint64_t now)
{
	int gone = silent_us(now) > P.takeover_us;

	if (gone != P.gone) {
		P.gone = gone;
		if (gone) {
			P.takeovers++;
			log_warnx("event=peer_gone peer=%s silent_ms=%llu "
			    "held=%llu reason=\"past PeerTakeover: its "
			    "advices go to the core from here\"", P.peer,
			    (unsigned long long)silent_us(now) / 1000,
			    (unsigned long long)standin_peer_held());
		} else
			log_info("event=peer_back peer=%s", P.peer);
	}
	if (gone && !P.taking && standin_peer_held() > 0 &&
	    standin_peer_takeover(taken, NULL) == 0)
		P.taking = 1;
}

/* --- after a restart: what the queue holds goes to the peer again ---------------- */

static void
walk_each(void *arg, uint64_t id, const uint8_t *b, size_t len)
{
	(void)arg;
	P.remirrored++;
	/* Mirrored as it was made while the walk waited for room: one
	 * copy to send is enough. */
	if (pend_find(&P.mirror, id) == NULL)
		pair_mirror(id, b, len);
}

static void walk_end(void *, uint64_t, int);

/* The walk goes on from id: 0, or -1 (not now: the tick tries again). */
static int
walk_from(uint64_t id)
{
	if (standin_saf_walk(id, walk_each, walk_end, NULL) == -1) {
		P.walk_next = id;
		return -1;
	}
	P.walking = 1;
	P.walk_next = 0;
	return 0;
}

static void
walk_end(void *arg, uint64_t next, int more)
{
	(void)arg;
	P.walking = 0;
	if (P.k == NULL)
		return;			/* stopped meanwhile */
	if (!more) {
		log_info("event=pair_remirrored advices=%llu complete=yes",
		    (unsigned long long)P.remirrored);
		return;
	}
	/* A batch more would fill the mirror, and what then comes, walked
	 * or made now, is dropped, not mirrored.  The walk waits where it
	 * is for the acks to make room (pair_tick); the peer keeps each id
	 * once however often it is sent. */
	if (P.mirror.n + WALK_BATCH >= PAIR_MIRROR_MAX) {
		P.walk_next = next;
		log_info("event=pair_remirror_paused advices=%llu next=%llu "
		    "queued=%zu reason=\"the mirror is full: the rest goes "
		    "once the peer's acks make room\"",
		    (unsigned long long)P.remirrored,
		    (unsigned long long)next, P.mirror.n);
		return;
	}
	walk_from(next);
}

/* A walk stopped for room goes on once half the mirror is free, not at
 * the first ack: each pause and resume is a line in the log. */
static void
walk_resume(void)
{
	uint64_t from = P.walk_next;

	if (from == 0 || P.walking || P.mirror.n > PAIR_MIRROR_MAX / 2)
		return;
	if (walk_from(from) == 0)
		log_info("event=pair_remirror_resumed next=%llu queued=%zu",
		    (unsigned long long)from, P.mirror.n);
}

void
pair_tick(uint64_t now)
{
	if (P.k == NULL)
		return;
	if (peer_up()) {
		pend_run(&P.mirror, COREFR_PEER_ADVICE, now);
		pend_run(&P.release, COREFR_PEER_RELEASE, now);
	}
	walk_resume();
	takeover(now);
}

/* --- life -------------------------------------------------------------------------- */

int
pair_start(const struct config *c)
{
	if (c->pair == NULL)
		return 0;
	if (pend_init(&P.mirror) == -1 || pend_init(&P.release) == -1) {
		log_warnx("event=pair_start_failed reason=\"out of memory\"");
		return -1;
	}
	snprintf(P.peer, sizeof P.peer, "%s", c->pair->peer);
	snprintf(P.state_dir, sizeof P.state_dir, "%s", c->state_dir);
	P.takeover_us = c->pair->takeover_us;
	P.start_us = now_us();
	if ((P.k = core_new_pair(c->pair, c->name, &pair_handlers)) == NULL ||
	    core_start(P.k) == -1) {
		log_warnx("event=pair_start_failed peer=%s addr=%s", P.peer,
		    c->pair->addr.text);
		return -1;
	}
	standin_watch(pair_mirror, pair_released);
	/* Unacked mirrors died with the last process: send the queue
	 * again (an advice only ours, the peer's own are not sent back). */
	if (standin_saf_walk(1, walk_each, walk_end, NULL) == -1)
		log_info("event=pair_remirror_skipped reason=\"no store\"");
	else
		P.walking = 1;
	log_info("event=pair_started peer=%s addr=%s bind=%s share=%u "
	    "takeover_ms=%llu", P.peer, c->pair->addr.text,
	    c->pair->bind.text, c->pair->share,
	    (unsigned long long)P.takeover_us / 1000);
	return 0;
}

void
pair_stop(void)
{
	struct pend *p;

	if (P.k == NULL)
		return;
	standin_watch(NULL, NULL);
	while ((p = TAILQ_FIRST(&P.mirror.q)) != NULL)
		pend_free(&P.mirror, p);
	while ((p = TAILQ_FIRST(&P.release.q)) != NULL)
		pend_free(&P.release, p);
	idhash_free(&P.mirror.byid);
	idhash_free(&P.release.byid);
	core_free(P.k);
	P.k = NULL;
	P.walk_next = 0;
}

/* --- an export file, by hand (gateway/safimport.c) --------------------------------- */

int
pair_import(const char *name, char *msg, size_t cap)
{
	if (P.k == NULL) {
		snprintf(msg, cap, "no [Pair]: an export is sealed under the "
		    "pair's KeyFile");
		return -1;
	}
	return saf_import_file(P.state_dir, &P.k->cf.keys, name, msg, cap);
}

/* --- views ------------------------------------------------------------------------ */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The window's p50 and p99 over the last WINDOW_RING copies, µs. */
static void
window_pcts(uint64_t *p50, uint64_t *p99)
{
	static uint64_t v[WINDOW_RING];
	size_t n = P.nwin < WINDOW_RING ? (size_t)P.nwin : WINDOW_RING;

	*p50 = *p99 = 0;
	if (n == 0)
		return;
	memcpy(v, P.win, n * sizeof v[0]);
	qsort(v, n, sizeof v[0], cmp_u64);
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

void
pair_text(struct evbuffer *b)
{
	uint32_t share;
	uint64_t version, p50, p99;
	int paired;

	standin_share_info(&share, &version, &paired);
	if (P.k == NULL) {
		evbuffer_add_printf(b, "pair: none ([Pair] not configured); "
		    "share %u%%\n", share);
		return;
	}
	window_pcts(&p50, &p99);
	evbuffer_add_printf(b,
	    "peer %s at %s: %s, rtt %lluus, silent %llums%s\n"
	    "share: %u%% (version %llu%s)\n"
	    "mirror (ours to the peer): queued %zu, in flight %zu, sent %llu, "
	    "resent %llu, acked %llu, not queued %llu\n"
	    "release (ours): queued %zu, acked %llu\n"
	    "held for the peer: %llu (kept %llu, released %llu, taken over "
	    "%llu, failed %llu)\n"
	    "double-decision window (peer's receipt to our durable copy): "
	    "p50 %lluus p99 %lluus max %lluus over %llu\n",
	    P.peer, P.k->cf.addr.text, core_state_name(P.k->state),
	    (unsigned long long)P.k->rtt_us,
	    (unsigned long long)silent_us(now_us()) / 1000,
	    P.gone ? " (past PeerTakeover: taking over)" : "", share,
	    (unsigned long long)version, version == 0 ? ", configured" : "",
	    P.mirror.n, P.mirror.inflight,
	    (unsigned long long)P.mirror.sent,
	    (unsigned long long)P.mirror.resent,
	    (unsigned long long)P.mirror.acked,
	    (unsigned long long)P.mirror.dropped, P.release.n,
	    (unsigned long long)P.release.acked,
	    (unsigned long long)standin_peer_held(),
	    (unsigned long long)P.kept, (unsigned long long)P.released,
	    (unsigned long long)P.taken, (unsigned long long)P.keep_failed,
	    (unsigned long long)p50, (unsigned long long)p99,
	    (unsigned long long)P.win_max, (unsigned long long)P.nwin);
}

json_t *
pair_json(void)
{
	uint32_t share;
	uint64_t version, p50, p99;
	int paired;

	standin_share_info(&share, &version, &paired);
	if (P.k == NULL)
		return json_pack("{s:b, s:i}", "paired", 0, "share", (int)share);
	window_pcts(&p50, &p99);
	return json_pack("{s:b, s:s, s:s, s:s, s:I, s:b, s:i, s:I,"
	    " s:{s:I, s:I, s:I, s:I, s:I, s:I},"
	    " s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I},"
	    " s:{s:I, s:I, s:I, s:I}}",
	    "paired", 1, "peer", P.peer, "address", P.k->cf.addr.text,
	    "state", core_state_name(P.k->state),
	    "silent_ms", (json_int_t)(silent_us(now_us()) / 1000),
	    "gone", P.gone, "share", (int)share,
	    "share_version", (json_int_t)version,
	    "mirror", "queued", (json_int_t)P.mirror.n,
	    "inflight", (json_int_t)P.mirror.inflight,
	    "sent", (json_int_t)P.mirror.sent,
	    "resent", (json_int_t)P.mirror.resent,
	    "acked", (json_int_t)P.mirror.acked,
	    "not_queued", (json_int_t)P.mirror.dropped,
	    "release", "queued", (json_int_t)P.release.n,
	    "acked", (json_int_t)P.release.acked,
	    "held", "held", (json_int_t)standin_peer_held(),
	    "kept", (json_int_t)P.kept, "released", (json_int_t)P.released,
	    "taken_over", (json_int_t)P.taken,
	    "failed", (json_int_t)P.keep_failed,
	    "takeovers", (json_int_t)P.takeovers,
	    "window_us", "p50", (json_int_t)p50, "p99", (json_int_t)p99,
	    "max", (json_int_t)P.win_max, "n", (json_int_t)P.nwin);
}

void
pair_metrics(struct evbuffer *b)
{
	uint32_t share;
	uint64_t version;
	int paired;

	standin_share_info(&share, &version, &paired);
	evbuffer_add_printf(b, "gatewayd_pair_share_percent %u\n"
	    "gatewayd_pair_share_version %llu\n", share,
	    (unsigned long long)version);
	if (P.k == NULL)
		return;
	evbuffer_add_printf(b,
	    "gatewayd_pair_up %d\n"
	    "gatewayd_pair_mirror_queued %zu\n"
	    "gatewayd_pair_mirror_acked_total %llu\n"
	    "gatewayd_pair_mirror_not_queued_total %llu\n"
	    "gatewayd_pair_held %llu\n"
	    "gatewayd_pair_taken_over_total %llu\n"
	    "gatewayd_pair_window_max_us %llu\n",
	    peer_up(), P.mirror.n, (unsigned long long)P.mirror.acked,
	    (unsigned long long)P.mirror.dropped,
	    (unsigned long long)standin_peer_held(),
	    (unsigned long long)P.taken, (unsigned long long)P.win_max);
}
