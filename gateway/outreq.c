/*
 * outreq.c — requests the core sends to a scheme (OUT_REQUEST) and the
 * scheme's answers back to the core (OUT_RESPONSE).
 *
 * With a store, a request goes to the scheme only once its corr_id is
 * recorded durably (gateway/standin/outrec.h), so that a core retrying
 * it after a gatewayd restart gets the answer already given, never a
 * second send.  What was in flight at the restart is answered 91 and
 * handed to the outbound saf (repeats, then a reversal), as a request
 * the scheme did not answer in time is.
 */
#include <sys/queue.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/core.h"
#include "gateway/link.h"
#include "gateway/metrics.h"
#include "gateway/outreq.h"
#include "gateway/outsaf.h"
#include "gateway/outseen.h"
#include "gateway/standin/outrec.h"

_Static_assert(OUTREC_NAME_MAX == CFG_NAME_MAX, "outrec names");

struct outreq {
	TAILQ_ENTRY(outreq) entry;
	struct link	*link;
	uint64_t	 corr;
	char		 core[CFG_NAME_MAX];
	char		 resp_mti[5];
	char		 de11[16];
	char		 de7[16];
	uint64_t	 deadline_us;
	int		 sent;		/* 0: its record is being written */
	uint64_t	 conn_id;	/* where it went: its answer comes
					   from there or not at all */
	struct iso_msg	 req;
};

static TAILQ_HEAD(, outreq) outq = TAILQ_HEAD_INITIALIZER(outq);
static char gwname[CFG_NAME_MAX];
static uint8_t body[COREFR_MAX_BODY];
static struct iso_msg cmsg, resp;
/* The records could not be read at start: OUT_REQUESTs are refused
 * until then (monotonic µs), the longest FreshWindow. */
static uint64_t refuse_until;

static void begun(uint64_t corr, int rc);

void
outreq_configure(const char *name)
{
	snprintf(gwname, sizeof gwname, "%s", name);
}

/* How long a corr_id is remembered: the asking core's FreshWindow. */
static uint64_t
keep_us(const struct core *k)
{
	return k != NULL ? k->cf.fresh_us : COREFR_FRESH_MS * 1000ull;
}

/* The durable record of corr (outrec.h): in flight (the request's
 * TLV), or answered (the OUT_RESPONSE body).  0, or -1 when the
 * in-flight one was not queued (done is not called). */
static int
record(uint64_t corr, const char *core, const char *link, int answered,
    const uint8_t *b, size_t len, uint64_t keep)
{
	struct outrec r;

	memset(&r, 0, sizeof r);
	r.corr = corr;
	r.until_ms = (wall_us() + keep) / 1000;
	r.answered = answered;
	snprintf(r.link, sizeof r.link, "%s", link != NULL ? link : "");
	snprintf(r.core, sizeof r.core, "%s", core);
	r.body = b;
	r.len = len;
	if (answered) {
		outrec_answered(&r);
		return 0;
	}
	return outrec_begin(&r, begun);
}

/* The OUT_RESPONSE, remembered for a repeat of the request, and sent. */
static void
out_reply(const char *corename, uint64_t corr, const struct iso_msg *m,
    const char *linkname)
{
	struct core *k = core_find(corename);
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_msg(&w, m);
	if (linkname != NULL)
		tlv_put_str(&w, TLV_LINK, linkname);
	tlv_put_str(&w, TLV_GATEWAY, gwname);
	if (!w.err) {
		outseen_answered(corr, body, w.len, now_us(), keep_us(k));
		record(corr, corename, linkname, 1, body, w.len, keep_us(k));
		if (k != NULL)
			core_send(k, COREFR_OUT_RESPONSE, corr, 0, body, w.len);
	}
	sodium_memzero(body, w.len);
}

/* A corr_id seen within FreshWindow: never sent to the scheme again.
 * 1 when this request was such a repeat (answered or ignored here). */
static int
repeated(struct core *k, uint64_t corr)
{
	char lname[CFG_NAME_MAX];
	const uint8_t *b;
	size_t len;

	switch (outseen_check(corr, now_us(), keep_us(k), &b, &len)) {
	case OUTSEEN_NEW:
		return 0;
	case OUTSEEN_ANSWERED:
		log_info("event=out_request_repeat core=%s corr=%llu "
		    "action=answer_again", k->cf.name,
		    (unsigned long long)corr);
		/* Seen again: remembered FreshWindow from now, across a
		 * restart too (the core may retry it for as long). */
		if (tlv_find_str(b, len, TLV_LINK, lname, sizeof lname) == -1)
			lname[0] = '\0';
		record(corr, k->cf.name, lname, 1, b, len, keep_us(k));
		core_send(k, COREFR_OUT_RESPONSE, corr, 0, b, len);
		return 1;
	case OUTSEEN_INFLIGHT:
		log_info("event=out_request_repeat core=%s corr=%llu "
		    "action=in_flight", k->cf.name, (unsigned long long)corr);
		return 1;
	case OUTSEEN_FULL:
		break;
	}
	/* Cannot remember it: refusing is safe, sending twice is not. */
	log_warnx("event=out_request_refused core=%s corr=%llu "
	    "reason=\"%d corr_ids remembered\"", k->cf.name,
	    (unsigned long long)corr, OUTSEEN_MAX);
	return 1;
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
out_free(struct outreq *o)
{
	TAILQ_REMOVE(&outq, o, entry);
	sodium_memzero(o->req.buf, o->req.used);
	free(o);
}

/* o to the scheme on c: it waits for the answer, or fails now. */
static void
send_out(struct outreq *o, struct conn *c)
{
	if (conn_send_msg(c, &o->req) == -1) {
		out_fail(o->core, o->corr, &o->req, o->link->cf.name,
		    "unpackable");
		out_free(o);
		return;
	}
	o->sent = 1;
	o->conn_id = c->id;
}

/* o's corr_id into the store first; begun() sends it. */
static void
begin_record(struct core *k, struct outreq *o)
{
	static uint8_t tlv[COREFR_MAX_BODY];
	struct tlv_w w;
	int rc = -1;

	tlv_w_init(&w, tlv, sizeof tlv);
	tlv_put_msg(&w, &o->req);
	if (!w.err)
		rc = record(o->corr, o->core, o->link->cf.name, 0, tlv, w.len,
		    keep_us(k));
	sodium_memzero(tlv, w.len);
	if (rc == -1) {
		/* Not remembered across a restart: not sent. */
		out_fail(o->core, o->corr, &o->req, o->link->cf.name, "store");
		out_free(o);
	}
}

static struct outreq *
waiting(uint64_t corr)
{
	struct outreq *o;

	TAILQ_FOREACH(o, &outq, entry)
		if (o->corr == corr && !o->sent)
			return o;
	return NULL;
}

/* The record of corr is durable (rc 0) or could not be written. */
static void
begun(uint64_t corr, int rc)
{
	struct outreq *o;
	struct conn *c;

	if ((o = waiting(corr)) == NULL)
		return;		/* failed meanwhile (its link went) */
	if (rc != 0) {
		out_fail(o->core, corr, &o->req, o->link->cf.name, "store");
		out_free(o);
	} else if ((c = link_pick_conn(o->link)) == NULL) {
		out_fail(o->core, corr, &o->req, o->link->cf.name,
		    "link_down");
		out_free(o);
	} else
		send_out(o, c);
}

void
outreq_request(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
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
	if (repeated(k, h->corr_id))
		return;
	if (now_us() < refuse_until) {
		out_fail(k->cf.name, h->corr_id, &cmsg, NULL,
		    "records_unreadable");
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
	o->link = l;
	o->corr = h->corr_id;
	snprintf(o->core, sizeof o->core, "%s", k->cf.name);
	iso_get_str(&cmsg, 11, o->de11, sizeof o->de11);
	iso_get_str(&cmsg, 7, o->de7, sizeof o->de7);
	o->deadline_us = now_us() + (h->budget_us ? h->budget_us :
	    l->cf.out_timeout_us);
	iso_msg_copy(&o->req, &cmsg);
	TAILQ_INSERT_TAIL(&outq, o, entry);
	if (outrec_enabled())
		begin_record(k, o);
	else
		send_out(o, c);
}

int
outreq_answer(struct conn *c, const struct iso_msg *m)
{
	struct link *l = c->link;
	struct outreq *o;
	char de39[3] = "??";

	TAILQ_FOREACH(o, &outq, entry) {
		if (!o->sent || o->conn_id != c->id ||
		    strcmp(o->resp_mti, m->mti) != 0 ||
		    !out_same_txn(o->de11, o->de7, m))
			continue;
		out_reply(o->core, o->corr, m, l->cf.name);
		iso_get_str(m, 39, de39, sizeof de39);
		metrics_request(l->cf.name, o->req.mti, de39, PATH_OUT, 0);
		out_free(o);
		return 1;
	}
	return outsaf_answer(c, m);
}

/* Fails the requests on l, every one or those past their time. */
static void
fail_on(struct link *l, int all, const char *why)
{
	struct outreq *o, *next;
	uint64_t now = now_us();

	for (o = TAILQ_FIRST(&outq); o != NULL; o = next) {
		next = TAILQ_NEXT(o, entry);
		if (o->link != l || (!all && o->deadline_us > now))
			continue;
		/* Sent and not answered: the scheme may have acted on it.
		 * Repeated, then reversed, from the durable queue; for a
		 * link removed, once it is configured again (the entry
		 * waits under its name, shown by gatewayctl saf).  Queued
		 * before the 91's record, so it is durable no later. */
		if (o->sent)
			outsaf_add(l->cf.name, o->core, o->corr, &o->req,
			    o->conn_id);
		out_fail(o->core, o->corr, &o->req, l->cf.name, why);
		out_free(o);
	}
}

void
outreq_tick(struct link *l)
{
	fail_on(l, 0, "no_answer");
	outsaf_tick(l);
	outseen_expire(now_us());
}

void
outreq_link_gone(struct link *l)
{
	fail_on(l, 1, "link_removed");
}

/* One record from before this start: remembered for the rest of its
 * time; one in flight then is answered 91 and goes to the outbound saf
 * (the scheme may have acted on it, or never seen it). */
static void
restore_one(const struct outrec *r, void *arg)
{
	uint64_t now = now_us(), wall = wall_us() / 1000;
	uint64_t keep = r->until_ms > wall ? (r->until_ms - wall) * 1000 : 1;
	const uint8_t *b;
	size_t len;

	(void)arg;
	if (outseen_check(r->corr, now, keep, &b, &len) != OUTSEEN_NEW)
		return;
	if (r->answered) {
		outseen_answered(r->corr, r->body, r->len, now, keep);
		return;
	}
	if (tlv_get_msg(r->body, r->len, &cmsg) == -1) {
		/* Left in flight: a retry is never sent on. */
		log_warnx("event=out_record_unreadable corr=%llu core=%s "
		    "link=%s", (unsigned long long)r->corr, r->core, r->link);
		return;
	}
	log_warnx("event=out_request_restored corr=%llu core=%s link=%s "
	    "reason=\"in flight at the last stop: answered 91, repeated "
	    "then reversed\"", (unsigned long long)r->corr, r->core,
	    r->link);
	outsaf_add(r->link, r->core, r->corr, &cmsg, 0);
	out_fail(r->core, r->corr, &cmsg, r->link, "restart");
	sodium_memzero(&cmsg, sizeof cmsg);
}

int
outreq_restore(const struct config *c)
{
	const struct cfg_core *k;
	uint64_t fresh = COREFR_FRESH_MS * 1000ull;
	long n;

	outseen_on_expire(outrec_forget);
	if ((n = outrec_load(wall_us() / 1000, restore_one, NULL)) >= 0) {
		if (n > 0)
			log_info("event=out_records_restored count=%ld", n);
		return 0;
	}
	TAILQ_FOREACH(k, &c->cores, entry)
		if (k->fresh_us > fresh)
			fresh = k->fresh_us;
	refuse_until = now_us() + fresh;
	log_warnx("event=out_requests_refused for_ms=%llu reason=\"the "
	    "records of earlier OUT_REQUESTs could not be read: none is sent "
	    "to a scheme until any retry of them would be stale\"",
	    (unsigned long long)(fresh / 1000));
	return -1;
}
