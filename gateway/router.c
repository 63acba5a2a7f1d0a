/*
 * router.c — the authorisation path (ARCHITECTURE section 3): requests to
 * the best healthy core with a deadline timer, stand-in on timeout or no
 * core, responses built from the core's answer plus the echoed request
 * fields, duplicates, scheme advices, and core-originated OUT_REQUESTs.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/emv.h"
#include "base/log.h"
#include "iso8583/mask.h"
#include "iso8583/mti.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/dedup.h"
#include "base/dlq.h"
#include "gateway/gw.h"
#include "gateway/metrics.h"
#include "gateway/siauth.h"
#include "gateway/standin.h"

#define PENDING_BUCKETS	(1u << 14)
#define MAX_WAITERS	4
#define ADVICE_RETRY_US	1000000
#define ADVICE_MAX	100000

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
	int		 standin;	/* siauth deciding: core answers late */
	int		 nwait;
	uint64_t	 wait_conn[MAX_WAITERS];
	struct iso_msg	 req;
};

/* Transactions are big (a whole message) and short-lived: keep a few
 * freed ones rather than give them back to malloc on every answer. */
#define TXN_SPARE_MAX	1024
static struct txn *txn_spare;
static int txn_nspare;

static struct txn *
txn_alloc(void)
{
	struct txn *t;

	if ((t = txn_spare) != NULL) {
		txn_spare = t->hnext;
		txn_nspare--;
		return t;
	}
	return malloc(sizeof *t);
}

static void
txn_release(struct txn *t)
{
	/* A spare may wait long for reuse: no card data kept meanwhile. */
	sodium_memzero(t->req.buf, t->req.used);
	if (txn_nspare >= TXN_SPARE_MAX) {
		free(t);
		return;
	}
	t->hnext = txn_spare;
	txn_spare = t;
	txn_nspare++;
}

struct advice {
	TAILQ_ENTRY(advice) entry;
	uint64_t	 id;
	uint64_t	 next_us;
	uint32_t	 tries;
	size_t		 len;
	uint8_t		 body[];
};

struct outreq {
	TAILQ_ENTRY(outreq) entry;
	uint64_t	 corr;
	char		 core[CFG_NAME_MAX];
	char		 resp_mti[5];
	char		 de11[16];
	char		 de7[16];
	uint64_t	 deadline_us;
	struct iso_msg	 req;
};

struct gw gw;

static struct txn	*pending[PENDING_BUCKETS];
static TAILQ_HEAD(, advice) advq = TAILQ_HEAD_INITIALIZER(advq);
static size_t		 nadv;
static struct event	*rtick;

static uint8_t		 body[COREFR_MAX_BODY];
static uint8_t		 wire[65536];
static struct iso_msg	 resp, cmsg;
/* The profile an answer is packed in once its link is gone (reload). */
static const struct iso_profile *iso87;

static void
txn_unlink(struct txn *t)
{
	struct txn **pp = &pending[t->corr & (PENDING_BUCKETS - 1)];

	while (*pp != NULL && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp == t)
		*pp = t->hnext;
	gw.inflight--;
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

/* Best effort, not durable yet: tells the core what stand-in decided. */
static void
standin_advice(struct txn *t, const char *de39, const char *reason)
{
	struct tlv_w w;
	struct core *k;
	uint64_t id;

	if ((k = core_best()) == NULL)
		return;
	id = gw.start_us + ++gw.advice_seq;
	tlv_w_init(&w, body, sizeof body);
	tlv_put_msg_kept(&w, t->link ? t->link->prof : iso87, &t->req);
	if (t->link != NULL)
		tlv_put_str(&w, TLV_LINK, t->link->cf.name);
	tlv_put_str(&w, TLV_STANDIN_DE39, de39);
	tlv_put_str(&w, TLV_STANDIN_REASON, reason);
	tlv_put_u64(&w, TLV_ADVICE_ID, id);
	tlv_put_str(&w, TLV_GATEWAY, gw.conf->name);
	if (!w.err)
		core_send(k, COREFR_ADVICE, id, 0, body, w.len);
	sodium_memzero(body, w.len);
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
	const struct iso_profile *prof = t->link ? t->link->prof : iso87;
	struct iso_err err;
	ssize_t n;
	char de39[3] = "??";
	int i;

	iso_get_str(r, 39, de39, sizeof de39);
	if ((n = iso_pack(prof, r, wire, sizeof wire, &err)) < 0) {
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
		send_to(t->link, t->conn_id, wire, (size_t)n);
		for (i = 0; i < t->nwait; i++)
			send_to(t->link, t->wait_conn[i], wire, (size_t)n);
		if (t->dd != NULL)
			dedup_answered(t->dd, wire, (size_t)n, de39);
	}
	metrics_request(t->link ? t->link->cf.name : "-", t->req.mti, de39,
	    path, now_us() - t->t0);
	if (path == PATH_STANDIN)
		log_debug("event=standin corr=%llu link=%s mti=%s rc=%s",
		    (unsigned long long)t->corr,
		    t->link ? t->link->cf.name : "-", t->req.mti, de39);
	txn_unlink(t);
	dlq_del(&t->dl);
	txn_release(t);
}

/* The stand-in authoriser (siauth.c) has decided, durably. */
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

static void
do_standin(struct txn *t, const char *reason)
{
	if (t->standin)
		return;
	if (siauth_enabled()) {
		t->standin = 1;
		dlq_del(&t->dl);
		if (siauth_decide(&t->req, t->link ? t->link->cf.name : "-",
		    t->link ? t->link->prof : iso87, reason, t->t0,
		    t->t0 + (t->link ? t->link->cf.deadline_us : 40000),
		    standin_done, t) == 0)
			return;
	}
	/* From here the transaction is stand-in's, answered now. */
	t->standin = 1;
	iso_response_init(&resp, &t->req, NULL, 0);
	standin_decide(&t->req, &resp, reason);
	standin_advice(t, "91", reason);
	txn_finish(t, &resp, PATH_STANDIN);
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

void
router_request(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	struct link *l = c->link;
	char key[DEDUP_KEYMAX];
	uint32_t khash = 0;
	struct dd_entry *dd = NULL;
	int keyed;
	struct txn *t;
	struct core *k;
	struct tlv_w w;
	int64_t budget;
	uint64_t now;
	const char *reason = NULL;
	int rc;

	keyed = dedup_key(m, key, sizeof key) == 0;
	if (keyed && (dd = dedup_find(key, &khash)) != NULL) {
		gw.dups++;
		if ((t = dedup_txn(dd)) != NULL) {
			if (t->nwait < MAX_WAITERS)
				t->wait_conn[t->nwait++] = c->id;
			return;
		} else {
			size_t n;
			const char *de39;
			const uint8_t *a = dedup_answer(dd, &n, &de39);
			conn_send_wire(c, a, n);
			metrics_request(l->cf.name, m->mti, de39, PATH_DUP,
			    now_us() - t0);
			return;
		}
	}
	if ((t = txn_alloc()) == NULL) {
		log_warn("event=request_dropped reason=memory");
		return;
	}
	memset(t, 0, offsetof(struct txn, req));
	iso_msg_copy(&t->req, m);
	t->corr = ++gw.next_corr;
	t->link = l;
	t->conn_id = c->id;
	t->t0 = t0;
	t->hnext = pending[t->corr & (PENDING_BUCKETS - 1)];
	pending[t->corr & (PENDING_BUCKETS - 1)] = t;
	gw.inflight++;
	if (keyed)
		t->dd = dedup_add(key, khash, t);

	/* Where it goes. */
	now = now_us();
	budget = (int64_t)l->cf.deadline_us - l->cf.reserve_us -
	    (int64_t)(now - t0);
	if (gw.force == FORCE_ON || (gw.force == FORCE_AUTO &&
	    gw.conf->standin_mode == STANDIN_FORCE))
		reason = "forced";
	else if ((k = core_best()) == NULL)
		reason = "core-down";
	else if (budget <= 0)
		reason = "timeout";
	if (reason != NULL) {
		do_standin(t, reason);
		return;
	}
	tlv_w_init(&w, body, sizeof body);
	tlv_put_msg(&w, m);
	tlv_put_str(&w, TLV_LINK, l->cf.name);
	tlv_put_str(&w, TLV_PROFILE, l->cf.profile);
	tlv_put_u64(&w, TLV_RECV_TIME, wall_us() - (now - t0));
	tlv_put_str(&w, TLV_GATEWAY, gw.conf->name);
	rc = w.err ? -1 : core_send(k, COREFR_AUTH_REQUEST, t->corr,
	    (uint32_t)budget, body, w.len);
	sodium_memzero(body, w.len);
	if (rc == -1) {
		do_standin(t, "core-down");
		return;
	}
	t->core = k;
	t->sent_us = now;
	dlq_add(&t->dl, now + (uint64_t)budget, txn_timeout);
}

static void
auth_response(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
    size_t len)
{
	struct txn *t;
	char mti[5], de39[3];

	if ((t = txn_find(h->corr_id)) == NULL || t->standin) {
		/* Stand-in answered already (or never ours): late. */
		gw.late++;
		log_debug("event=late_core_answer core=%s corr=%llu",
		    k->cf.name, (unsigned long long)h->corr_id);
		return;
	}
	iso_mti_response(t->req.mti, mti);
	if (tlv_get_msg(b, len, &cmsg) == -1 ||
	    strcmp(cmsg.mti, mti) != 0 ||
	    iso_get_str(&cmsg, 39, de39, sizeof de39) == -1) {
		gw.unmatched++;
		log_warnx("event=core_answer_bad core=%s corr=%llu "
		    "reason=\"mti, DE39 or TLV\"", k->cf.name,
		    (unsigned long long)h->corr_id);
		do_standin(t, "core-error");
		return;
	}
	iso_echo(&cmsg, &t->req);
	txn_finish(t, &cmsg, PATH_CORE);
}

struct advack {
	struct link	*link;
	uint64_t	 conn_id;
	uint64_t	 t0;
	struct iso_msg	 m;
};

static void
advack_free(struct advack *aa)
{
	sodium_memzero(aa->m.buf, aa->m.used);	/* a whole scheme message */
	free(aa);
}

/* A scheme advice is durable in the SAF: acknowledge it now. */
static void
advice_durable(void *arg, const struct si_result *r)
{
	struct advack *aa = arg;
	struct link *l;
	struct conn *c;

	if (strcmp(r->de39, "00") != 0) {
		/* Not stored: no ack, the scheme repeats it. */
		log_warnx("event=advice_not_stored mti=%s", aa->m.mti);
		advack_free(aa);
		return;
	}
	TAILQ_FOREACH(l, &gw.links, entry)
		if (l == aa->link)
			break;
	if (l != NULL && (c = link_conn(l, aa->conn_id)) != NULL) {
		iso_response_init(&resp, &aa->m, "00", 0);
		if (conn_send_msg(c, &resp) == 0)
			metrics_request(l->cf.name, aa->m.mti, "00", PATH_LOCAL,
			    now_us() - aa->t0);
	}
	advack_free(aa);
}

void
router_advice(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	struct advice *a;
	struct tlv_w w;
	uint64_t id;

	if (siauth_enabled()) {
		struct advack *aa;

		if ((aa = malloc(sizeof *aa)) == NULL)
			return;
		aa->link = c->link;
		aa->conn_id = c->id;
		aa->t0 = t0;
		iso_msg_copy(&aa->m, m);
		if (siauth_advice(m, c->link->cf.name, c->link->prof,
		    t0, advice_durable, aa) == 0)
			return;
		advack_free(aa);
	}

	/* Advices cannot be declined: acknowledge first. */
	iso_response_init(&resp, m, "00", 0);
	if (conn_send_msg(c, &resp) == 0)
		metrics_request(c->link->cf.name, m->mti, "00", PATH_LOCAL,
		    now_us() - t0);

	id = gw.start_us + ++gw.advice_seq;
	tlv_w_init(&w, body, sizeof body);
	tlv_put_msg_kept(&w, c->link->prof, m);
	tlv_put_str(&w, TLV_LINK, c->link->cf.name);
	tlv_put_str(&w, TLV_PROFILE, c->link->cf.profile);
	tlv_put_u64(&w, TLV_RECV_TIME, wall_us() - (now_us() - t0));
	tlv_put_u64(&w, TLV_ADVICE_ID, id);
	tlv_put_str(&w, TLV_GATEWAY, gw.conf->name);
	/* Without a stand-in store there is no SAF: advices wait here, in
	 * memory, this many at most. */
	a = NULL;
	if (!w.err && nadv >= ADVICE_MAX)
		log_warnx("event=advice_queue_full dropped_id=%llu",
		    (unsigned long long)id);
	else if (!w.err && (a = malloc(sizeof *a + w.len)) != NULL)
		memcpy(a->body, body, w.len);
	sodium_memzero(body, w.len);
	if (a == NULL)
		return;
	a->id = id;
	a->tries = 0;
	a->len = w.len;
	a->next_us = 0;
	TAILQ_INSERT_TAIL(&advq, a, entry);
	nadv++;
	/* First send at once when a core is up. */
	struct core *k = core_best();
	if (k != NULL && core_send(k, COREFR_ADVICE, a->id, 0, a->body,
	    a->len) == 0) {
		a->tries++;
		a->next_us = now_us() + ADVICE_RETRY_US;
	}
}

static void
advice_ack(uint64_t id)
{
	struct advice *a;

	TAILQ_FOREACH(a, &advq, entry)
		if (a->id == id) {
			TAILQ_REMOVE(&advq, a, entry);
			nadv--;
			sodium_memzero(a->body, a->len);
			free(a);
			return;
		}
}

/* --- OUT_REQUEST ------------------------------------------------------------ */

static void
out_reply(const char *corename, uint64_t corr, const struct iso_msg *m,
    const char *linkname)
{
	struct core *k;
	struct tlv_w w;

	if ((k = core_find(corename)) == NULL)
		return;
	tlv_w_init(&w, body, sizeof body);
	tlv_put_msg(&w, m);
	if (linkname != NULL)
		tlv_put_str(&w, TLV_LINK, linkname);
	tlv_put_str(&w, TLV_GATEWAY, gw.conf->name);
	if (!w.err)
		core_send(k, COREFR_OUT_RESPONSE, corr, 0, body, w.len);
}

static void
out_fail(const char *corename, uint64_t corr, const struct iso_msg *req,
    const char *linkname, const char *why)
{
	iso_response_init(&resp, req, "91", 0);
	log_warnx("event=out_request_failed core=%s corr=%llu link=%s "
	    "reason=%s", corename, (unsigned long long)corr,
	    linkname ? linkname : "-", why);
	out_reply(corename, corr, &resp, linkname);
	metrics_request(linkname ? linkname : "-", req->mti, "91", PATH_OUT, 0);
}

static void
out_request(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
    size_t len)
{
	char lname[CFG_NAME_MAX];
	struct link *l;
	struct conn *c;
	struct outreq *o;

	if (tlv_get_msg(b, len, &cmsg) == -1) {
		log_warnx("event=out_request_bad core=%s corr=%llu",
		    k->cf.name, (unsigned long long)h->corr_id);
		return;
	}
	if (tlv_find_str(b, len, TLV_LINK, lname, sizeof lname) == -1 ||
	    (l = link_find(lname)) == NULL) {
		out_fail(k->cf.name, h->corr_id, &cmsg, NULL, "unknown_link");
		return;
	}
	if ((c = link_pick_conn(l)) == NULL) {
		out_fail(k->cf.name, h->corr_id, &cmsg, l->cf.name,
		    "link_down");
		return;
	}
	if ((o = malloc(sizeof *o)) == NULL)
		return;
	memset(o, 0, offsetof(struct outreq, req));
	if (iso_mti_response(cmsg.mti, o->resp_mti) == -1) {
		out_fail(k->cf.name, h->corr_id, &cmsg, l->cf.name,
		    "not_a_request");
		free(o);
		return;
	}
	o->corr = h->corr_id;
	snprintf(o->core, sizeof o->core, "%s", k->cf.name);
	iso_get_str(&cmsg, 11, o->de11, sizeof o->de11);
	iso_get_str(&cmsg, 7, o->de7, sizeof o->de7);
	o->deadline_us = now_us() + (h->budget_us ? h->budget_us :
	    l->cf.out_timeout_us);
	iso_msg_copy(&o->req, &cmsg);
	if (conn_send_msg(c, &cmsg) == -1) {
		out_fail(k->cf.name, h->corr_id, &cmsg, l->cf.name,
		    "unpackable");
		free(o);
		return;
	}
	TAILQ_INSERT_TAIL(&l->outq, o, entry);
}

int
router_out_answer(struct link *l, const struct iso_msg *m)
{
	struct outreq *o;
	char de11[16] = "", de7[16] = "", de39[3] = "??";

	iso_get_str(m, 11, de11, sizeof de11);
	iso_get_str(m, 7, de7, sizeof de7);
	TAILQ_FOREACH(o, &l->outq, entry) {
		if (strcmp(o->resp_mti, m->mti) != 0 ||
		    strcmp(o->de11, de11) != 0)
			continue;
		if (o->de7[0] && de7[0] && strcmp(o->de7, de7) != 0)
			continue;
		TAILQ_REMOVE(&l->outq, o, entry);
		out_reply(o->core, o->corr, m, l->cf.name);
		iso_get_str(m, 39, de39, sizeof de39);
		metrics_request(l->cf.name, o->req.mti, de39, PATH_OUT, 0);
		free(o);
		return 1;
	}
	return 0;
}

void
router_tick(struct link *l)
{
	struct outreq *o, *next;
	uint64_t now = now_us();

	for (o = TAILQ_FIRST(&l->outq); o != NULL; o = next) {
		next = TAILQ_NEXT(o, entry);
		if (o->deadline_us > now)
			continue;
		TAILQ_REMOVE(&l->outq, o, entry);
		out_fail(o->core, o->corr, &o->req, l->cf.name, "no_answer");
		free(o);
	}
}

void
router_link_gone(struct link *l)
{
	struct outreq *o;
	struct txn *t;
	size_t i;

	while ((o = TAILQ_FIRST(&l->outq)) != NULL) {
		TAILQ_REMOVE(&l->outq, o, entry);
		out_fail(o->core, o->corr, &o->req, l->cf.name, "link_removed");
		free(o);
	}
	for (i = 0; i < PENDING_BUCKETS; i++)
		for (t = pending[i]; t != NULL; t = t->hnext)
			if (t->link == l)
				t->link = NULL;
}

void
router_core_gone(struct core *k)
{
	struct txn *t;
	size_t i;

	for (i = 0; i < PENDING_BUCKETS; i++)
		for (t = pending[i]; t != NULL; t = t->hnext)
			if (t->core == k)
				t->core = NULL;
}

void
router_core_frame(struct core *k, const struct corefr_hdr *h,
    const uint8_t *b, size_t len)
{
	switch (h->type) {
	case COREFR_AUTH_RESPONSE:
		auth_response(k, h, b, len);
		break;
	case COREFR_ADVICE_ACK:
		advice_ack(h->corr_id);
		siauth_core_frame(k, h, b, len);
		break;
	case COREFR_SNAPSHOT:
		siauth_core_frame(k, h, b, len);
		break;
	case COREFR_OUT_REQUEST:
		out_request(k, h, b, len);
		break;
	default:
		/* SNAPSHOT comes with the stand-in issue. */
		log_debug("event=core_frame_ignored core=%s type=%s",
		    k->cf.name, corefr_type_name(h->type));
		metrics_count("core_frames_ignored");
		break;
	}
}

static void
router_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct advice *a;
	struct core *k;
	uint64_t now = now_us();

	(void)fd;
	(void)ev;
	(void)arg;
	dedup_expire(now);
	siauth_tick();
	if ((k = core_best()) == NULL)
		return;
	TAILQ_FOREACH(a, &advq, entry) {
		if (a->next_us > now)
			continue;
		if (core_send(k, COREFR_ADVICE, a->id, 0, a->body, a->len)
		    == -1)
			break;
		a->tries++;
		a->next_us = now + ADVICE_RETRY_US;
	}
}

size_t	router_advice_depth(void);
size_t
router_advice_depth(void)
{
	return nadv;
}

void
router_init(void)
{
	struct timeval tv = { 0, 20000 };

	gw.next_corr = ((uint64_t)(wall_us() & 0xffffffff)) << 20;
	if ((iso87 = iso_profile_find("iso87")) == NULL)
		fatalx("no iso87 profile");
	rtick = event_new(gw.base, -1, EV_PERSIST, router_timer, NULL);
	if (rtick == NULL)
		fatalx("router timer");
	evtimer_add(rtick, &tv);
}
