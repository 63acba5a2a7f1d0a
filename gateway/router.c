/*
 * router.c — the authorisation path (ARCHITECTURE section 3): requests to
 * the best healthy core with a deadline timer, stand-in on timeout or no
 * core, responses built from the core's answer plus the echoed request
 * fields, duplicates, and the core's frames dispatched.  Forwarded
 * classes (0302 file update, ...) are the core's alone: 91 without it.
 * Scheme advices are advice.c's.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "base/log.h"
#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "iso8583/txnkey.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/admit.h"
#include "gateway/advice.h"
#include "gateway/config.h"
#include "gateway/dedup.h"
#include "gateway/metrics.h"
#include "gateway/outreq.h"
#include "gateway/pair.h"
#include "gateway/router.h"
#include "gateway/zonekey.h"

#define PENDING_BUCKETS	(1u << 14)
#define MAX_WAITERS	4
#define TICK_US		20000

struct txn {
	struct txn	*hnext;
	uint64_t	 corr;
	struct link	*link;
	uint64_t	 conn_id;
	uint64_t	 t0;
	uint64_t	 sent_us;
	struct core	*core;		/* the endpoint asked, NULL if none */
	struct dlq_ent	 dl;		/* the core's time is up */
	struct dd_entry	*dd;
	int		 standin;	/* stand-in deciding: core answers late */
	int		 forward;	/* the core's only: no stand-in */
	int		 nwait;
	uint64_t	 wait_conn[MAX_WAITERS];
	struct iso_msg	 req;
};

/* Transactions are big (a whole message) and short-lived: keep a few
 * freed ones rather than give them back to malloc on every answer. */
#define TXN_SPARE_MAX	1024

static struct {
	char			 name[CFG_NAME_MAX];
	int			 mode;		/* enum standin_mode */
	int			 lab;		/* Durability = none */
	enum router_force	 force;
	uint64_t		 next_corr;
	struct router_stats	 s;
	struct event		*tick;
	/* The profile an answer is packed in once its link is gone. */
	const struct iso_profile *iso87;
	struct txn		*spare;
	int			 nspare;
	/* Keys the in-memory duplicate digests: random per process, so
	 * SipHash (iso_txn_digest_sip) and not the store's BLAKE2b. */
	uint8_t			 digest_key[crypto_shorthash_siphashx24_KEYBYTES];
} R;

static struct txn	*pending[PENDING_BUCKETS];
static uint8_t		 body[COREFR_MAX_BODY];
static uint8_t		 wire[65536];
static struct iso_msg	 resp, cmsg;

static struct txn *
txn_alloc(void)
{
	struct txn *t;

	if ((t = R.spare) != NULL) {
		R.spare = t->hnext;
		R.nspare--;
		return t;
	}
	return malloc(sizeof *t);
}

static void
txn_release(struct txn *t)
{
	/* A spare may wait long for reuse: no card data kept meanwhile. */
	sodium_memzero(t->req.buf, t->req.used);
	if (R.nspare >= TXN_SPARE_MAX) {
		free(t);
		return;
	}
	t->hnext = R.spare;
	R.spare = t;
	R.nspare++;
}

static void
txn_unlink(struct txn *t)
{
	struct txn **pp = &pending[t->corr & (PENDING_BUCKETS - 1)];

	while (*pp != NULL && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp == t)
		*pp = t->hnext;
	R.s.inflight--;
	if (t->link != NULL)
		t->link->inflight--;
}

static struct txn *
txn_find(uint64_t corr)
{
	struct txn *t;

	for (t = pending[corr & (PENDING_BUCKETS - 1)]; t; t = t->hnext)
		if (t->corr == corr)
			return t;
	return NULL;
}

static const struct iso_profile *
txn_profile(const struct txn *t)
{
	return t->link != NULL ? t->link->prof : R.iso87;
}

static const char *
txn_link_name(const struct txn *t)
{
	return t->link != NULL ? t->link->cf.name : "-";
}

static void
send_to(struct link *l, uint64_t conn_id, const uint8_t *w, size_t n)
{
	struct conn *c;

	if (l == NULL || (c = link_conn(l, conn_id)) == NULL) {
		log_warnx("event=response_undeliverable link=%s conn=%llu",
		    l ? l->cf.name : "-", (unsigned long long)conn_id);
		return;
	}
	conn_send_wire(c, w, n);
}

static void do_standin(struct txn *, const char *);

/*
 * Sends the answer to the requester and any duplicates waiting, stores it
 * for later duplicates, counts it, frees the transaction.  An answer the
 * link's profile cannot carry: the core's goes to stand-in instead.
 */
static void
txn_finish(struct txn *t, struct iso_msg *r, enum metrics_path path)
{
	struct iso_err err;
	ssize_t n;
	char de39[3] = "??";
	uint64_t took = now_us() - t->t0;
	int i;

	iso_get_str(r, 39, de39, sizeof de39);
	if ((n = iso_pack(txn_profile(t), r, wire, sizeof wire, &err)) < 0) {
		log_warnx("event=response_unpackable corr=%llu path=%s "
		    "field=%d reason=\"%s\"", (unsigned long long)t->corr,
		    path == PATH_CORE ? "core" : "standin", err.field,
		    err.msg);
		/* The core asked for a field the scheme cannot carry: the
		 * scheme still gets an answer, from stand-in. */
		if (path == PATH_CORE) {
			do_standin(t, "core-error");
			return;
		}
		if (t->dd != NULL)
			dedup_drop(t->dd);
	} else {
		if (t->link != NULL && took > t->link->cf.deadline_us)
			t->link->answered_late++;
		send_to(t->link, t->conn_id, wire, (size_t)n);
		for (i = 0; i < t->nwait; i++)
			send_to(t->link, t->wait_conn[i], wire, (size_t)n);
		if (t->dd != NULL)
			dedup_answered(t->dd, wire, (size_t)n, de39);
	}
	metrics_request(txn_link_name(t), t->req.mti, de39, path, took);
	if (path == PATH_STANDIN)
		log_debug("event=standin corr=%llu link=%s mti=%s rc=%s",
		    (unsigned long long)t->corr, txn_link_name(t), t->req.mti,
		    de39);
	txn_unlink(t);
	dlq_del(&t->dl);
	txn_release(t);
}

/* The stand-in authoriser has decided, durably. */
static void
standin_done(void *arg, const struct si_result *r)
{
	struct txn *t = arg;
	uint8_t tag91[10];

	iso_response_init(&resp, &t->req, r->de39, 0);
	if (r->de38[0] != '\0')
		iso_set_str(&resp, 38, r->de38);
	if (r->has_arpc) {
		memcpy(tag91, r->arpc, 8);
		memcpy(tag91 + 8, r->arc, 2);
		iso_de55_set(&resp, 0x91, tag91, sizeof tag91);
	}
	txn_finish(t, &resp, PATH_STANDIN);
}

/* 91 now, as stand-in's answer (stand-in off, or admission shed it): the
 * core still hears what the scheme was answered, from the advice queue
 * in memory. */
static void
answer_91(struct txn *t, const char *reason, const char *why)
{
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body - 16);
	tlv_put_msg_kept(&w, txn_profile(t), &t->req);
	if (t->link != NULL)
		tlv_put_str(&w, TLV_LINK, t->link->cf.name);
	tlv_put_str(&w, 39, "91");
	tlv_put_str(&w, TLV_STANDIN_DE39, "91");
	tlv_put_str(&w, TLV_STANDIN_RULE, "91");
	tlv_put_str(&w, TLV_STANDIN_REASON, reason);
	tlv_put_str(&w, TLV_STANDIN_WHY, why);
	tlv_put_str(&w, TLV_GATEWAY, R.name);
	if (!w.err)
		standin_queue(body, w.len, sizeof body);
	sodium_memzero(body, sizeof body);
	iso_response_init(&resp, &t->req, "91", 0);
	txn_finish(t, &resp, PATH_STANDIN);
}


static void
do_standin(struct txn *t, const char *reason)
{
	if (t->standin)
		return;
	t->standin = 1;
	dlq_del(&t->dl);
	if (t->forward) {
		/* A file update or administrative request: only the core
		 * can act on it. */
		answer_91(t, reason, "forward-only");
		return;
	}
	if (standin_decide(&t->req, txn_link_name(t), txn_profile(t), reason,
	    t->t0, t->t0 + (t->link ? t->link->cf.deadline_us : 40000),
	    standin_done, t) == 0)
		return;
	/* Stand-in is off or has no store: issuer unavailable, now. */
	answer_91(t, reason, "standin-off");
}

static void
txn_timeout(struct dlq_ent *e)
{
	struct txn *t = (struct txn *)((char *)e - offsetof(struct txn, dl));

	/* Failover without waiting for three missed beats: the requests
	 * behind this one would each burn their whole budget meanwhile. */
	if (t->core != NULL)
		core_silent(t->core, t->sent_us);
	do_standin(t, "timeout");
}

/* A retransmission: it waits for the first copy's answer, or gets the
 * answer sent before.  1 when m was one. */
static int
duplicate(struct conn *c, const struct iso_msg *m, struct dd_entry *dd,
    uint64_t t0)
{
	const uint8_t *a;
	const char *de39;
	struct txn *t;
	size_t n;

	R.s.dups++;
	if ((t = dedup_txn(dd)) != NULL) {
		if (t->nwait < MAX_WAITERS)
			t->wait_conn[t->nwait++] = c->id;
		return 1;
	}
	a = dedup_answer(dd, &n, &de39);
	conn_send_wire(c, a, n);
	metrics_request(c->link->cf.name, m->mti, de39, PATH_DUP,
	    now_us() - t0);
	return 1;
}

static struct txn *
txn_new(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	struct txn *t;

	if ((t = txn_alloc()) == NULL) {
		log_warn("event=request_dropped reason=memory");
		return NULL;
	}
	memset(t, 0, offsetof(struct txn, req));
	iso_msg_copy(&t->req, m);
	t->corr = ++R.next_corr;
	t->link = c->link;
	t->conn_id = c->id;
	t->t0 = t0;
	t->hnext = pending[t->corr & (PENDING_BUCKETS - 1)];
	pending[t->corr & (PENDING_BUCKETS - 1)] = t;
	R.s.inflight++;
	t->link->inflight++;
	return t;
}

/* Sends t to core k as an AUTH_REQUEST with its budget: 0 or -1. */
static int
ask_core(struct txn *t, struct core *k, int64_t budget, uint64_t now)
{
	struct link *l = t->link;
	struct tlv_w w;
	int rc;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_msg(&w, &t->req);
	tlv_put_str(&w, TLV_LINK, l->cf.name);
	tlv_put_str(&w, TLV_PROFILE, l->cf.profile);
	tlv_put_u64(&w, TLV_RECV_TIME, wall_us() - (now - t->t0));
	tlv_put_str(&w, TLV_GATEWAY, R.name);
	rc = w.err ? -1 : core_send(k, COREFR_AUTH_REQUEST, t->corr,
	    (uint32_t)budget, body, w.len);
	sodium_memzero(body, w.len);
	if (rc == -1)
		return -1;
	t->core = k;
	t->sent_us = now;
	dlq_add(&t->dl, now + (uint64_t)budget, txn_timeout);
	return 0;
}

/*
 * The duplicate table's view of m: 1 when it is a retransmission (waiting
 * for, or given, the first one's answer); else 0, with *keyed when an
 * entry is to be made for it under key and digest.
 */
static int
dedup_seen(struct conn *c, struct iso_msg *m, uint64_t t0, char *key,
    size_t cap, uint32_t *khash, uint8_t digest[ISO_TXNDIGEST_LEN],
    int *keyed)
{
	struct link *l = c->link;
	struct dd_entry *dd;
	int other;

	*keyed = iso_txn_key(l->prof, l->cf.name, m, key, cap) == 0;
	if (!*keyed)
		return 0;
	iso_txn_digest_sip(m, R.digest_key, digest);
	if ((dd = dedup_find(key, digest, khash, &other)) != NULL)
		return duplicate(c, m, dd, t0);
	if (other) {
		/* The same identity, another card or amount: its own
		 * answer, and its own entry for its own repeats. */
		R.s.collisions++;
		log_warnx("event=dedup_collision link=%s mti=%s reason="
		    "\"same DE7/DE11/DE32/DE37, other DE2/DE3/DE4/DE49: "
		    "decided on its own\"", l->cf.name, m->mti);
	}
	return 0;
}

/*
 * A request, in steps:
 *   1. a retransmission of one in flight or answered is not decided again;
 *      one beyond the link's MaxInFlight is answered 91 by link_admit;
 *   2. where it goes: stand-in when forced, with no healthy core, or with
 *      no time left; else the best core, with the time that is left;
 *   3. to stand-in only with time for a decision (admit.c): else 91 now.
 * A forwarded class (0302 file update, 05xx, 06xx requests) goes to the
 * core whatever stand-in's force says, and is answered 91 when no core
 * answers: stand-in has nothing to decide it by.
 */
static void
route(struct conn *c, struct iso_msg *m, uint64_t t0, int forward)
{
	struct link *l = c->link;
	char key[DEDUP_KEYMAX];
	uint8_t digest[ISO_TXNDIGEST_LEN];
	uint32_t khash = 0;
	struct txn *t;
	struct core *k = NULL;
	const char *reason = NULL, *shed = NULL;
	int64_t budget;
	uint64_t now;
	int keyed;

	if (dedup_seen(c, m, t0, key, sizeof key, &khash, digest,	/* 1 */
	    &keyed) || link_admit(c, m, t0) == -1)
		return;
	now = now_us();							/* 2 */
	budget = (int64_t)l->cf.deadline_us - l->cf.reserve_us -
	    (int64_t)(now - t0);
	if (router_forced() && !forward)
		reason = "forced";
	else if ((k = core_best()) == NULL)
		reason = "core-down";
	else if (budget <= 0)
		reason = "timeout";
	if (reason != NULL && !forward)					/* 3 */
		shed = admit_standin(l, m, t0, now);
	if ((t = txn_new(c, m, t0)) == NULL)
		return;
	t->forward = forward;
	if (keyed)
		t->dd = dedup_add(key, khash, digest, t);
	if (shed != NULL)
		answer_91(t, reason, shed);
	else if (reason != NULL)
		do_standin(t, reason);
	else if (ask_core(t, k, budget, now) == -1)
		do_standin(t, "core-down");
}

static void
on_request(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	route(c, m, t0, 0);
}

static void
on_forward(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	route(c, m, t0, 1);
}

static void
auth_response(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
    size_t len)
{
	struct txn *t;
	char mti[5], de39[3];

	if ((t = txn_find(h->corr_id)) == NULL || t->standin) {
		/* Stand-in answered already (or never ours): late. */
		R.s.late++;
		log_debug("event=late_core_answer core=%s corr=%llu",
		    k->cf.name, (unsigned long long)h->corr_id);
		return;
	}
	if (iso_mti_response(t->req.mti, mti) == -1 ||
	    tlv_get_msg(b, len, &cmsg) == -1 || strcmp(cmsg.mti, mti) != 0 ||
	    iso_get_str(&cmsg, 39, de39, sizeof de39) == -1) {
		R.s.unmatched++;
		log_warnx("event=core_answer_bad core=%s corr=%llu "
		    "reason=\"mti, DE39 or TLV\"", k->cf.name,
		    (unsigned long long)h->corr_id);
		do_standin(t, "core-error");
		return;
	}
	iso_echo(&cmsg, &t->req);
	txn_finish(t, &cmsg, PATH_CORE);
}

/* --- links and cores going away, core frames ----------------------------------- */

static void
link_gone(struct link *l)
{
	struct txn *t;
	size_t i;

	outreq_link_gone(l);
	for (i = 0; i < PENDING_BUCKETS; i++)
		for (t = pending[i]; t != NULL; t = t->hnext)
			if (t->link == l)
				t->link = NULL;
}

static void
core_gone(struct core *k)
{
	struct txn *t;
	size_t i;

	for (i = 0; i < PENDING_BUCKETS; i++)
		for (t = pending[i]; t != NULL; t = t->hnext)
			if (t->core == k)
				t->core = NULL;
}

static void
core_frame(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
    size_t len)
{
	switch (h->type) {
	case COREFR_AUTH_RESPONSE:
		auth_response(k, h, b, len);
		break;
	case COREFR_ADVICE_ACK:
		standin_advice_ack(h->corr_id);
		break;
	case COREFR_SNAPSHOT:
		standin_snapshot(k->cf.name, h->corr_id, b, len);
		break;
	case COREFR_OUT_REQUEST:
		outreq_request(k, h, b, len);
		break;
	case COREFR_SHARE:
		standin_share(k->cf.name, h->corr_id, b, len);
		break;
	default:
		log_debug("event=core_frame_ignored core=%s type=%s",
		    k->cf.name, corefr_type_name(h->type));
		metrics_count("core_frames_ignored");
		break;
	}
}

/* The stand-in's way to the core: a named endpoint, or the best one. */
static int
send_core(const char *name, int type, uint64_t corr, const uint8_t *b,
    size_t len)
{
	struct core *k;

	if ((k = name != NULL ? core_find(name) : core_best()) == NULL)
		return -1;
	return core_send(k, type, corr, 0, b, len);
}

/* Left to the flush events, which are urgent, a batch's sends cost the
 * loop another pass and an epoll_wait each time (0.75 a request at
 * 10,000/s for the core's; 3.8 a request on a MACed link, whose every
 * message also makes an HSM call). */
void
router_flush_now(void)
{
	core_flush_now();
	zonekey_flush();
	link_flush_now();
}

static void
on_read_done(struct link *l)
{
	(void)l;
	router_flush_now();
}

const struct link_handlers router_link = {
	on_request, on_forward, advice_scheme, outreq_answer, outreq_tick,
	link_gone, on_read_done
};
const struct core_handlers router_core = { core_frame, core_gone };
const struct standin_ops router_standin = { send_core, zonekey_zpk };

/* --- state -------------------------------------------------------------------------- */

int
router_forced(void)
{
	return R.force == FORCE_ON || (R.force == FORCE_AUTO &&
	    R.mode == STANDIN_FORCE);
}

const char *
router_standin_state(void)
{
	if (router_forced())
		return "forced";
	if (core_best() == NULL)
		return "active";	/* no healthy core */
	return "idle";
}

void
router_set_force(enum router_force f)
{
	R.force = f;
}

enum router_force
router_force(void)
{
	return R.force;
}

void
router_stats(struct router_stats *s)
{
	*s = R.s;
}

static void
router_timer(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	dedup_expire(now_us());
	standin_tick(core_best() != NULL);
	pair_tick(now_us());
}

void
router_reconfigure(const struct config *c)
{
	snprintf(R.name, sizeof R.name, "%s", c->name);
	R.mode = c->standin_mode;
	R.lab = c->durability == DURABILITY_NONE;
	advice_configure(c->name, R.lab);
	outreq_configure(c->name);
}

void
router_init(struct event_base *base, const struct config *c)
{
	struct timeval tv = { 0, TICK_US };

	router_reconfigure(c);
	randombytes_buf(R.digest_key, sizeof R.digest_key);
	R.next_corr = ((uint64_t)(wall_us() & 0xffffffff)) << 20;
	if ((R.iso87 = iso_profile_find("iso87")) == NULL)
		fatalx("no iso87 profile");
	R.tick = event_new(base, -1, EV_PERSIST, router_timer, NULL);
	if (R.tick == NULL)
		fatalx("router timer");
	evtimer_add(R.tick, &tv);
}

void
router_shutdown(void)
{
	struct txn *t;

	if (R.tick != NULL)
		event_free(R.tick);
	R.tick = NULL;
	while ((t = R.spare) != NULL) {
		R.spare = t->hnext;
		free(t);
	}
	R.nspare = 0;
	sodium_memzero(R.digest_key, sizeof R.digest_key);
}
