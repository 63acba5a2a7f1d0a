/*
 * siauth.c — the stand-in pipeline: look-up, rules, HSM, durable
 * decision, advice; snapshot apply; the SAF sender's glue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <sodium.h>

#include "base/be.h"
#include "iso8583/de48.h"
#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "base/log.h"
#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/standin/cards.h"
#include "gateway/dedup.h"
#include "base/dlq.h"
#include "gateway/gw.h"
#include "gateway/standin/saf.h"
#include "gateway/siauth.h"
#include "gateway/standin/sirules.h"
#include "gateway/standin/statekey.h"
#include "gateway/standin/store.h"

#define MAPSIZE_DEFAULT	(1024ull * 1024 * 1024)
#define SAF_RETRY_US	1000000
#define SAF_INFLIGHT	128
#define DKEY_LEN	17		/* kind byte + 16-byte hash */
#define ADV_ROOM	512		/* decision tags + advice id */
#define GUARD_MARGIN_US	1500		/* answer this much before Deadline:
					   room for scheduling jitter */

enum { K_AUTH, K_REVERSAL, K_CREDIT, K_ADVICE };
enum { ST_LOOKUP, ST_HSM, ST_WRITE };
enum { V_CVC1, V_CVC2, V_ARQC, V_PIN, V_DONE };

/* As stored in `decisions` (no card data: the card is a keyed hash). */
struct dec_rec {
	uint8_t		 hash[STATEKEY_HASHLEN];
	uint64_t	 amount;
	uint64_t	 wall_us;
	char		 day[9];
	char		 de39[3];
	char		 de38[7];
	uint8_t		 arpc[8];
	uint8_t		 has_arpc;
	uint8_t		 reversed;
	uint8_t		 kind;
	uint8_t		 approved;
};

struct sidec {
	struct store_job job;
	int		 kind, stage, step;
	int		 responded, dup, hsm_pending, voided;
	uint64_t	 voids;		/* the approval id being voided */
	siauth_cb	*cb;
	void		*arg;
	uint64_t	 t0, deadline;
	struct dlq_ent	 guard;		/* answers 91 before Deadline */
	/* facts */
	char		 mti[5];
	char		 reason[16];
	uint64_t	 amount;
	int		 has_amount;
	char		 mcc[5];
	char		 req_exp[5];
	char		 day[9];
	char		 yymm[5];
	uint8_t		 hash[STATEKEY_HASHLEN];	/* card or account */
	int		 has_card;
	uint8_t		 dkey[DKEY_LEN];
	int		 has_dkey;
	uint8_t		 okey[DKEY_LEN];		/* for a later reversal */
	int		 has_okey;
	uint8_t		 rkey[DKEY_LEN];		/* the original's */
	int		 has_rkey;
	/* sensitive, memory only, wiped */
	char		 pan[20];
	char		 svc[4], cvv1[4], cvc2[4];
	char		 pinblock[17];
	uint8_t		 arqc[8], atc[2], un[4], psn[2];
	uint8_t		 txdata[64];
	size_t		 txlen;
	int		 has_arqc;
	uint8_t		 arpc[8];			/* from the HSM */
	int		 has_arpc;
	/* looked up */
	int		 card_rc;
	struct card_rec	 card;
	/* decided on the loop before the write (card, HSM, deadline) */
	char		 pre[3];
	const char	*why;
	/* results of the write */
	struct si_result res;
	uint64_t	 id;
	int		 approved;
	uint64_t	 released;
	/* the advice */
	size_t		 advlen, advcap, advout;
	uint8_t		*adv;
};

static struct {
	struct store		*st;
	struct statekey		*key;
	struct hsm_client	*hsm;
	struct sirules_cfg	 rules;
	struct event_base	*base;
	const struct iso_profile *fps;		/* account-based, not cards */
	uint64_t		 exposure;	/* mirror, from the last write */
	uint64_t		 approvals, approved_amount, reversals,
				 released_amount;
	uint64_t		 snapshot_version, snapshot_cards;
	uint64_t		 decided, map_full, store_errors, hsm_91,
				 deadline_91, dup_durable, late_durable,
				 snapshot_bad, voids;
	int			 up;
} SI;

/* --- small helpers ----------------------------------------------------------- */

static void
utc_day(uint64_t wall, char day[9], char yymm[5])
{
	time_t t = (time_t)(wall / 1000000u);
	struct tm g;

	gmtime_r(&t, &g);
	strftime(day, 9, "%Y%m%d", &g);
	memcpy(yymm, day + 2, 4);	/* YYMM */
	yymm[4] = '\0';
}

static void
key16(char kind, const char *s, size_t len, uint8_t out[DKEY_LEN])
{
	out[0] = (uint8_t)kind;
	crypto_generichash(out + 1, 16, (const uint8_t *)s, len, NULL, 0);
}

static const char *
strip0(const char *s)
{
	while (*s == '0' && s[1] != '\0')
		s++;
	return s;
}

/* The key a reversal finds its original by: class, DE11, DE7, DE32. */
static void
orig_key(const char *mti2, const char *de11, const char *de7,
    const char *de32, uint8_t out[DKEY_LEN])
{
	char k[64];
	int n;

	n = snprintf(k, sizeof k, "%.2s|%s|%s|%s", mti2, strip0(de11),
	    de7, strip0(de32));
	key16('O', k, (size_t)n, out);
}

static int
hexval(const uint8_t *v, size_t len, uint8_t *out, size_t n)
{
	if (len != n)
		return -1;
	memcpy(out, v, n);
	return 0;
}

/* --- request facts ------------------------------------------------------------- */

/* Track 2: PAN '=' or 'D', YYMM, service code, discretionary data; the
 * portfolio convention puts the CVC1 at the start of the discretionary
 * data (the offset is per issuer in production). */
static int
parse_track2(struct sidec *d, const char *t2)
{
	const char *sep = strpbrk(t2, "=D");
	size_t pl;

	if (sep == NULL)
		return -1;
	pl = (size_t)(sep - t2);
	if (pl < 12 || pl > 19 || !dec_valid(t2, pl) ||
	    strlen(sep + 1) < 10 || !dec_valid(sep + 1, 10))
		return -1;
	if (d->pan[0] == '\0') {
		memcpy(d->pan, t2, pl);
		d->pan[pl] = '\0';
	} else if (strncmp(d->pan, t2, pl) != 0 || d->pan[pl] != '\0')
		return -1;
	memcpy(d->req_exp, sep + 1, 4);
	d->req_exp[4] = '\0';
	memcpy(d->svc, sep + 5, 3);
	memcpy(d->cvv1, sep + 8, 3);
	return 0;
}

static void
parse_emv(struct sidec *d, const uint8_t *b, size_t len)
{
	static const uint32_t cdol[] = { 0x9F02, 0x9F03, 0x9F1A, 0x95,
	    0x5F2A, 0x9A, 0x9C, 0x9F37, 0x82, 0x9F36 };
	struct emv_tlv t;
	size_t i;

	if (emv_find(b, len, 0x9F26, &t) != 1 ||
	    hexval(t.val, t.len, d->arqc, 8) == -1 ||
	    emv_find(b, len, 0x9F36, &t) != 1 ||
	    hexval(t.val, t.len, d->atc, 2) == -1 ||
	    emv_find(b, len, 0x9F37, &t) != 1 ||
	    hexval(t.val, t.len, d->un, 4) == -1)
		return;
	d->psn[0] = d->psn[1] = '0';
	if (emv_find(b, len, 0x5F34, &t) == 1 && t.len == 1) {
		d->psn[0] = (char)('0' + (t.val[0] >> 4 & 0x0f));
		d->psn[1] = (char)('0' + (t.val[0] & 0x0f));
	}
	d->txlen = 0;
	for (i = 0; i < sizeof cdol / sizeof cdol[0]; i++) {
		if (emv_find(b, len, cdol[i], &t) != 1 ||
		    d->txlen + t.len > sizeof d->txdata - 8)
			return;		/* incomplete: treated as no ARQC */
		memcpy(d->txdata + d->txlen, t.val, t.len);
		d->txlen += t.len;
	}
	/* ISO 9797-1 padding method 2 */
	d->txdata[d->txlen++] = 0x80;
	while (d->txlen % 8)
		d->txdata[d->txlen++] = 0;
	d->has_arqc = 1;
}

/*
 * The advice body: the request without sensitive authentication data,
 * with DE2 taken from track 2 when absent, plus metadata.  Built on the
 * loop; the write job appends the outcome and the advice id.
 */
static int
build_advice(struct sidec *d, const struct iso_msg *m, const char *link,
    const struct iso_profile *prof)
{
	struct tlv_w w;
	size_t len, need = 4 + 4 + 24 + 512;	/* MTI, DE2, metadata */
	int f;

	/* Sized first, written straight into the heap: no big (and, with
	 * -ftrivial-auto-var-init, zero-filled) stack buffer per request. */
	for (f = iso_next(m, 0); f != 0; f = iso_next(m, f))
		if (iso_get(m, f, &len) != NULL)
			need += 4 + len;
	need += strlen(link) + strlen(prof->name) + strlen(gw.conf->name);
	if (need > COREFR_MAX_BODY)
		need = COREFR_MAX_BODY;
	d->advcap = need + ADV_ROOM;
	if ((d->adv = malloc(d->advcap)) == NULL)
		return -1;
	tlv_w_init(&w, d->adv, d->advcap - ADV_ROOM);
	tlv_put_msg_kept(&w, prof, m);
	if (!iso_has(m, 2) && d->pan[0] != '\0')
		tlv_put_str(&w, 2, d->pan);
	tlv_put_str(&w, TLV_LINK, link);
	tlv_put_str(&w, TLV_PROFILE, prof->name);
	tlv_put_u64(&w, TLV_RECV_TIME, wall_us() - (now_us() - d->t0));
	tlv_put_str(&w, TLV_GATEWAY, gw.conf->name);
	if (d->kind != K_ADVICE)
		tlv_put_str(&w, TLV_STANDIN_REASON, d->reason);
	if (w.err) {
		sodium_memzero(d->adv, d->advcap);
		free(d->adv);
		d->adv = NULL;
		return -1;
	}
	d->advlen = w.len;
	return 0;
}

static struct sidec *
sidec_new(const struct iso_msg *m, int kind, const char *reason, uint64_t t0)
{
	struct sidec *d;
	char key[DEDUP_KEYMAX];

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->kind = kind;
	d->t0 = t0;
	memcpy(d->mti, m->mti, 5);
	snprintf(d->reason, sizeof d->reason, "%s", reason ? reason : "");
	utc_day(wall_us(), d->day, d->yymm);
	if (dedup_key(m, key, sizeof key) == 0) {
		key16('D', key, strlen(key), d->dkey);
		d->has_dkey = 1;
	}
	d->job.arg = d;
	return d;
}

/* The deadline guard, on the shared deadline queue (dlq.h). */
static void on_deadline(struct sidec *);

static void
guard_cb(struct dlq_ent *e)
{
	on_deadline((struct sidec *)((char *)e - offsetof(struct sidec,
	    guard)));
}

static void
guard_add(struct sidec *d)
{
	dlq_add(&d->guard, d->deadline - GUARD_MARGIN_US, guard_cb);
}

static void
guard_del(struct sidec *d)
{
	dlq_del(&d->guard);
}

static void
sidec_free(struct sidec *d)
{
	guard_del(d);
	if (d->adv != NULL) {
		sodium_memzero(d->adv, d->advcap);
		free(d->adv);
	}
	sodium_memzero(d, sizeof *d);
	free(d);
}

static void
respond(struct sidec *d)
{
	if (d->responded)
		return;
	d->responded = 1;
	guard_del(d);
	if (d->cb != NULL)
		d->cb(d->arg, &d->res);
}

/* --- the write job ------------------------------------------------------------- */

static int
get_decision(struct store_txn *t, const uint8_t *k, uint64_t *id,
    struct dec_rec *r)
{
	const void *v;
	size_t vl;
	uint8_t ik[8];
	int rc;

	if ((rc = store_get(t, STORE_DEDUP, k, DKEY_LEN, &v, &vl)) != 0)
		return rc;
	if (vl != 8)
		return STORE_CORRUPT;
	*id = be64_get(v);
	be64_put(ik, *id);
	if ((rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl)) != 0)
		return rc;
	if (vl != sizeof *r)
		return STORE_CORRUPT;
	memcpy(r, v, sizeof *r);
	return 0;
}

static int
add_u64(struct store_txn *t, int db, const char *k, size_t kl, int64_t delta,
    uint64_t *out)
{
	uint64_t v;
	int rc;

	if ((rc = store_get_u64(t, db, k, kl, &v)) != 0)
		return rc;
	if (delta < 0 && (uint64_t)-delta > v)
		v = 0;
	else
		v += (uint64_t)delta;
	if (out != NULL)
		*out = v;
	return store_put_u64(t, db, k, kl, v);
}

/* Releases the exposure of approval id (record r); with void, the
 * approval never reached the scheme: later duplicates get 91. */
static int
release_rec(struct store_txn *t, struct sidec *d, uint64_t id,
    struct dec_rec *rp, int isvoid)
{
	struct dec_rec r = *rp;
	uint8_t ik[8], sk[STATEKEY_HASHLEN + 9];
	size_t kl;
	int rc;

	if (!r.approved || r.reversed)
		return 0;
	r.reversed = 1;
	if (isvoid) {
		memcpy(r.de39, "91", 3);
		memset(r.de38, 0, sizeof r.de38);
		r.has_arpc = 0;
	}
	be64_put(ik, id);
	if ((rc = store_put(t, STORE_DECISIONS, ik, 8, &r, sizeof r)) != 0)
		return rc;
	kl = cards_spend_key(r.hash, 'D', r.day, sk);
	if ((rc = add_u64(t, STORE_EXPOSURE, (char *)sk, kl,
	    -(int64_t)r.amount, NULL)) != 0)
		return rc;
	kl = cards_spend_key(r.hash, 'S', NULL, sk);
	if ((rc = add_u64(t, STORE_EXPOSURE, (char *)sk, kl,
	    -(int64_t)r.amount, NULL)) != 0)
		return rc;
	if ((rc = add_u64(t, STORE_EXPOSURE, "T", 1, -(int64_t)r.amount,
	    NULL)) != 0)
		return rc;
	if ((rc = add_u64(t, STORE_META, "reversals", 9, 1, NULL)) != 0 ||
	    (rc = add_u64(t, STORE_META, "released_amount", 15,
	    (int64_t)r.amount, NULL)) != 0)
		return rc;
	d->released = r.amount;
	return 0;
}

/* Releases the exposure of the approval the reversal key names. */
static int
release(struct store_txn *t, struct sidec *d)
{
	struct dec_rec r;
	uint64_t id;
	int rc;

	if (!d->has_rkey)
		return 0;
	if ((rc = get_decision(t, d->rkey, &id, &r)) == STORE_NOTFOUND)
		return 0;		/* unknown original: acknowledged */
	if (rc != 0)
		return rc;
	return release_rec(t, d, id, &r, 0);
}

static int
decide_run(struct store_txn *t, void *arg)
{
	struct sidec *d = arg;
	struct dec_rec r;
	uint8_t sk[STATEKEY_HASHLEN + 9], ik[8];
	uint64_t id, day = 0, snap = 0, total = 0;
	const char *de39 = NULL;
	struct tlv_w w;
	size_t kl;
	int rc, open;

	memset(&d->res, 0, sizeof d->res);
	d->dup = 0;
	d->approved = 0;
	d->released = 0;
	d->advout = 0;
	d->id = 0;
	/* The same request again (after a restart, too): the same answer. */
	if (d->has_dkey) {
		rc = get_decision(t, d->dkey, &id, &r);
		if (rc == 0) {
			memcpy(d->res.de39, r.de39, 3);
			memcpy(d->res.de38, r.de38, 7);
			d->res.has_arpc = r.has_arpc;
			memcpy(d->res.arpc, r.arpc, 8);
			d->res.arc[0] = r.de39[0];
			d->res.arc[1] = r.de39[1];
			d->res.why = "duplicate";
			d->dup = 1;
			d->id = id;
			return 0;
		}
		if (rc != STORE_NOTFOUND)
			return rc;
	}
	switch (d->kind) {
	case K_AUTH:
		if (d->pre[0] != '\0') {
			de39 = d->pre;
			break;
		}
		if ((de39 = sirules_limits(&SI.rules, &d->card, d->amount,
		    d->mcc[0] ? d->mcc : NULL)) != NULL) {
			d->why = de39[1] == '7' ? "mcc" : "txn-limit";
			break;
		}
		kl = cards_spend_key(d->hash, 'D', d->day, sk);
		if ((rc = store_get_u64(t, STORE_EXPOSURE, sk, kl, &day)) != 0)
			return rc;
		kl = cards_spend_key(d->hash, 'S', NULL, sk);
		if ((rc = store_get_u64(t, STORE_EXPOSURE, sk, kl, &snap)) != 0 ||
		    (rc = store_get_u64(t, STORE_EXPOSURE, "T", 1, &total)) != 0)
			return rc;
		if ((de39 = sirules_spend(&SI.rules, &d->card, d->amount, day,
		    snap, total)) != NULL) {
			d->why = de39[0] == '9' ? "exposure-cap" : "funds";
			break;
		}
		de39 = "00";
		break;
	case K_CREDIT:
		if (d->pre[0] != '\0') {
			de39 = d->pre;
			break;
		}
		rc = cards_account(t, d->hash, &open);
		if (rc == STORE_NOTFOUND) {
			de39 = "14";
			d->why = "unknown-account";
		} else if (rc != 0)
			return rc;
		else if (!open) {
			de39 = "62";
			d->why = "account-not-open";
		} else
			de39 = "00";
		break;
	case K_REVERSAL:
	case K_ADVICE:
		if ((rc = release(t, d)) != 0)
			return rc;
		de39 = "00";
		break;
	}
	if ((rc = saf_next_id(t, &id)) != 0)
		return rc;
	memcpy(d->res.de39, de39, 3);
	d->approved = d->kind == K_AUTH && strcmp(de39, "00") == 0;
	if (d->approved) {
		sirules_auth_code(id, d->res.de38);
		/* The ARPC was computed with ARC "00": only an approval
		 * carries it (a decline goes without, which the card takes
		 * as a decline too). */
		if (d->has_arpc) {
			memcpy(d->res.arpc, d->arpc, 8);
			d->res.has_arpc = 1;
			d->res.arc[0] = '0';
			d->res.arc[1] = '0';
		}
	}
	/* Outcome tags, then the advice (id tag added by saf_append). */
	tlv_w_init(&w, d->adv, d->advcap);
	w.len = d->advlen;
	if (d->kind != K_ADVICE) {
		tlv_put_str(&w, TLV_STANDIN_DE39, de39);
		if (d->approved)
			tlv_put_str(&w, 38, d->res.de38);
	}
	if (w.err)
		return STORE_TOOBIG;
	if ((rc = saf_append(t, SI.key, d->adv, w.len, d->advcap, wall_us(),
	    &d->advout, &d->id)) != 0)
		return rc;
	if (d->id != id)
		return STORE_CORRUPT;
	if (d->approved) {
		kl = cards_spend_key(d->hash, 'D', d->day, sk);
		if ((rc = add_u64(t, STORE_EXPOSURE, (char *)sk, kl,
		    (int64_t)d->amount, NULL)) != 0)
			return rc;
		kl = cards_spend_key(d->hash, 'S', NULL, sk);
		if ((rc = add_u64(t, STORE_EXPOSURE, (char *)sk, kl,
		    (int64_t)d->amount, NULL)) != 0)
			return rc;
		if ((rc = add_u64(t, STORE_EXPOSURE, "T", 1,
		    (int64_t)d->amount, NULL)) != 0)
			return rc;
		if ((rc = add_u64(t, STORE_META, "approvals", 9, 1, NULL))
		    != 0 || (rc = add_u64(t, STORE_META, "approved_amount",
		    15, (int64_t)d->amount, NULL)) != 0)
			return rc;
	}
	/* The decision, and the keys it is found by. */
	memset(&r, 0, sizeof r);
	memcpy(r.hash, d->hash, sizeof r.hash);
	r.amount = d->amount;
	r.wall_us = wall_us();
	memcpy(r.day, d->day, 9);
	memcpy(r.de39, d->res.de39, 3);
	memcpy(r.de38, d->res.de38, 7);
	r.has_arpc = (uint8_t)(d->approved && d->res.has_arpc);
	memcpy(r.arpc, d->res.arpc, 8);
	r.kind = (uint8_t)d->kind;
	r.approved = (uint8_t)d->approved;
	be64_put(ik, d->id);
	if ((rc = store_put(t, STORE_DECISIONS, ik, 8, &r, sizeof r)) != 0)
		return rc;
	if (d->has_dkey && (rc = store_put(t, STORE_DEDUP, d->dkey, DKEY_LEN,
	    ik, 8)) != 0)
		return rc;
	if (d->approved && d->has_okey && (rc = store_put(t, STORE_DEDUP,
	    d->okey, DKEY_LEN, ik, 8)) != 0)
		return rc;
	d->res.why = d->why;
	return 0;
}

static void submit_void(struct sidec *);

static void
decide_done(void *arg, int rc)
{
	struct sidec *d = arg;

	if (rc != 0) {
		if (rc == STORE_FULL) {
			SI.map_full++;
			log_warnx("event=standin_store_full mti=%s rc=91 "
			    "reason=\"LMDB map full: declining; raise the map "
			    "size\"", d->mti);
		} else {
			SI.store_errors++;
			log_warnx("event=standin_store_error mti=%s rc=91 "
			    "error=\"%s\"", d->mti, store_strerror(rc));
		}
		memset(&d->res, 0, sizeof d->res);
		memcpy(d->res.de39, d->kind == K_ADVICE ? "96" : "91", 3);
		d->res.why = "store";
		respond(d);
		sidec_free(d);
		return;
	}
	SI.decided++;
	if (d->dup)
		SI.dup_durable++;
	else {
		saf_added(d->id, d->adv, d->advout, wall_us());
		if (d->approved) {
			SI.approvals++;
			SI.approved_amount += d->amount;
			SI.exposure += d->amount;
		}
		if (d->released) {
			SI.reversals++;
			SI.released_amount += d->released;
			SI.exposure -= d->released < SI.exposure ?
			    d->released : SI.exposure;
		}
	}
	if (!d->approved && !d->dup)
		d->res.has_arpc = 0;
	if (d->responded)
		SI.late_durable++;
	else if (now_us() > d->deadline)
		SI.late_durable++;
	if (strcmp(d->res.de39, "00") != 0)
		log_debug("event=standin_decline mti=%s rc=%s why=%s id=%llu",
		    d->mti, d->res.de39, d->res.why ? d->res.why : "-",
		    (unsigned long long)d->id);
	respond(d);
	if (d->voided && d->approved && !d->dup)
		submit_void(d);
	else
		sidec_free(d);
	if (core_best() != NULL)
		saf_kick(now_us());
}

/*
 * An approval whose durable commit outlasted the request's deadline: the
 * scheme was answered 91, so the approval is voided — its exposure
 * released, later duplicates answered 91, and a reversal advice (0420,
 * reason late-void) queued behind the approval's advice so the core nets
 * it out.
 */
static int
void_run(struct store_txn *t, void *arg)
{
	struct sidec *d = arg;
	struct dec_rec r;
	const void *v;
	size_t vl;
	uint8_t ik[8];
	uint64_t id;
	int rc;

	d->released = 0;
	d->advout = 0;
	be64_put(ik, d->voids);
	if ((rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl)) != 0)
		return rc == STORE_NOTFOUND ? 0 : rc;
	if (vl != sizeof r)
		return STORE_CORRUPT;
	memcpy(&r, v, sizeof r);
	if ((rc = release_rec(t, d, d->voids, &r, 1)) != 0)
		return rc;
	if (d->released == 0)
		return 0;
	if ((rc = saf_append(t, SI.key, d->adv, d->advlen, d->advcap,
	    wall_us(), &d->advout, &id)) != 0)
		return rc;
	d->id = id;
	return 0;
}

static void
void_done(void *arg, int rc)
{
	struct sidec *d = arg;

	if (rc != 0)
		log_warnx("event=standin_void_failed id=%llu error=\"%s\"",
		    (unsigned long long)d->voids, store_strerror(rc));
	else if (d->released) {
		SI.voids++;
		SI.reversals++;
		SI.released_amount += d->released;
		SI.exposure -= d->released < SI.exposure ? d->released :
		    SI.exposure;
		saf_added(d->id, d->adv, d->advout, wall_us());
		log_info("event=standin_late_void id=%llu amount=%llu "
		    "reason=\"durable commit outlasted the deadline; answered "
		    "91\"", (unsigned long long)d->voids,
		    (unsigned long long)d->released);
	}
	sidec_free(d);
}

/* The reversal advice of a voided approval, from its advice. */
static void
submit_void(struct sidec *d)
{
	struct tlv_r rd;
	struct tlv_w w;
	const uint8_t *v;
	uint16_t tag, len;
	char de7[16] = "", de11[16] = "", de32[16] = "", de90[48];
	uint8_t *nb;

	tlv_r_init(&rd, d->adv, d->advout);
	while (tlv_next(&rd, &tag, &v, &len) == 1) {
		char *dst = tag == 7 ? de7 : tag == 11 ? de11 : tag == 32 ?
		    de32 : NULL;
		if (dst != NULL && len < 16) {
			memcpy(dst, v, len);
			dst[len] = '\0';
		}
	}
	if ((nb = malloc(d->advcap + 128)) == NULL) {
		log_warnx("event=standin_void_failed reason=memory");
		sidec_free(d);
		return;
	}
	tlv_w_init(&w, nb, d->advcap + 128);
	tlv_put_str(&w, TLV_MTI, "0420");
	tlv_r_init(&rd, d->adv, d->advout);
	while (tlv_next(&rd, &tag, &v, &len) == 1)
		if (tag != TLV_MTI && tag != 38 && tag != 39 && tag != 90 &&
		    tag != TLV_STANDIN_DE39 && tag != TLV_STANDIN_REASON &&
		    tag != TLV_ADVICE_ID)
			tlv_put(&w, tag, v, len);
	snprintf(de90, sizeof de90, "%.4s%06lu%010lu%011lu%011d", d->mti,
	    strtoul(de11, NULL, 10), strtoul(de7, NULL, 10),
	    strtoul(de32, NULL, 10), 0);
	tlv_put_str(&w, 90, de90);
	tlv_put_str(&w, TLV_STANDIN_DE39, "00");
	tlv_put_str(&w, TLV_STANDIN_REASON, "late-void");
	sodium_memzero(d->adv, d->advcap);
	free(d->adv);
	d->adv = nb;
	d->advlen = w.len;
	d->advcap = d->advcap + 128;
	if (w.err) {
		log_warnx("event=standin_void_failed reason=advice_too_large");
		sidec_free(d);
		return;
	}
	d->voids = d->id;
	d->job.run = void_run;
	d->job.done = void_done;
	d->job.arg = d;
	store_write(SI.st, &d->job);
}

static void
submit_write(struct sidec *d)
{
	d->stage = ST_WRITE;
	d->job.run = decide_run;
	d->job.done = decide_done;
	d->job.arg = d;
	store_write(SI.st, &d->job);
}

/* A decline decided on the loop (card, HSM, deadline): recorded too. */
static void
decline(struct sidec *d, const char *de39, const char *why)
{
	memcpy(d->pre, de39, 3);
	d->why = why;
	d->has_arpc = 0;
	submit_write(d);
}

/* --- the deadline guard -------------------------------------------------------- */

static void
on_deadline(struct sidec *d)
{
	if (d->responded)
		return;
	SI.deadline_91++;
	if (d->stage == ST_WRITE) {
		/* The commit is late: answer 91 now; an approval it makes
		 * is voided when it lands (void_run). */
		memset(&d->res, 0, sizeof d->res);
		memcpy(d->res.de39, "91", 3);
		d->res.why = "deadline";
		respond(d);
		d->cb = NULL;
		d->voided = 1;
		return;
	}
	memset(&d->res, 0, sizeof d->res);
	memcpy(d->res.de39, "91", 3);
	d->res.why = "deadline";
	memcpy(d->pre, "91", 3);
	d->why = "deadline";
	respond(d);
	d->cb = NULL;
	/* the pipeline goes on and records the 91 */
}

/* --- HSM ----------------------------------------------------------------------- */

static void hsm_next(struct sidec *);

static void
on_hsm(const struct hsm_result *r, void *arg)
{
	struct sidec *d = arg;
	int step = d->step - 1;

	d->hsm_pending = 0;
	if (d->pre[0] != '\0') {	/* the deadline answered 91 */
		submit_write(d);
		return;
	}
	if (r->status == HSM_OK) {
		if (step == V_ARQC && r->u.arqc.has_arpc) {
			memcpy(d->arpc, r->u.arqc.arpc, 8);
			d->has_arpc = 1;
		}
		hsm_next(d);
		return;
	}
	if (r->status == HSM_FAIL) {
		decline(d, step == V_PIN ? "55" : step == V_ARQC ? "88" : "82",
		    step == V_PIN ? "pin" : step == V_ARQC ? "arqc" :
		    step == V_CVC1 ? "cvc1" : "cvc2");
		return;
	}
	SI.hsm_91++;
	log_warnx("event=standin_hsm_unavailable status=%s error=%s rc=91",
	    hsm_status_str(r->status), r->error);
	decline(d, "91", "hsm");
}

/* 0 call queued, 1 nothing to verify at this step, -1 cannot (91). */
static int
hsm_call(struct sidec *d, int step)
{
	char k1[200], k2[200], v1[40], v2[40], v3[40];
	const char *keys = d->card.keys;
	char acct[13];
	size_t pl = strlen(d->pan);
	uint8_t y[8], arc[2] = { '0', '0' };

	if (pl >= 13) {
		memcpy(acct, d->pan + pl - 13, 12);
		acct[12] = '\0';
	} else
		acct[0] = '\0';
	switch (step) {
	case V_CVC1:
		if (d->cvv1[0] == '\0')
			return 1;
		if (cards_kv(keys, "CVK", k1, sizeof k1) == -1)
			return -1;
		return hsm_verify_cvv(SI.hsm, k1, d->pan, d->card.expiry,
		    d->svc, d->cvv1, on_hsm, d) == 0 ? 0 : -1;
	case V_CVC2:
		if (d->cvc2[0] == '\0')
			return 1;
		if (cards_kv(keys, "CVK", k1, sizeof k1) == -1)
			return -1;
		return hsm_verify_cvv(SI.hsm, k1, d->pan, d->card.expiry,
		    "000", d->cvc2, on_hsm, d) == 0 ? 0 : -1;
	case V_ARQC:
		if (!d->has_arqc)
			return 1;
		if (cards_kv(keys, "MK-AC", k1, sizeof k1) == -1 ||
		    hsm_emv_option_a_y(d->pan, pl, (const char *)d->psn, y)
		    == -1)
			return -1;
		return hsm_verify_arqc(SI.hsm, k1, 1, y, d->atc, d->un,
		    d->txdata, d->txlen, d->arqc, arc, on_hsm, d) == 0 ? 0 :
		    -1;
	case V_PIN:
		if (d->pinblock[0] == '\0')
			return 1;
		if (cards_kv(keys, "ZPK", k1, sizeof k1) == -1 ||
		    cards_kv(keys, "PVK", k2, sizeof k2) == -1 || !acct[0])
			return -1;
		if (cards_kv(d->card.pinver, "PVV", v1, sizeof v1) == 0) {
			if (cards_kv(d->card.pinver, "PVKI", v2, sizeof v2)
			    == -1 || strlen(v2) != 1)
				return -1;
			return hsm_verify_pin_pvv(SI.hsm, k1, k2, d->pinblock,
			    "01", acct, v2[0], v1, on_hsm, d) == 0 ? 0 : -1;
		}
		if (cards_kv(d->card.pinver, "OFFSET", v1, sizeof v1) == 0 &&
		    cards_kv(d->card.pinver, "DECTAB", v2, sizeof v2) == 0 &&
		    cards_kv(d->card.pinver, "VALDATA", v3, sizeof v3) == 0)
			return hsm_verify_pin_ibm(SI.hsm, k1, k2, d->pinblock,
			    "01", 4, acct, v2, v3, v1, on_hsm, d) == 0 ? 0 :
			    -1;
		return -1;
	}
	return 1;
}

static void
hsm_next(struct sidec *d)
{
	int rc;

	d->stage = ST_HSM;
	while (d->step < V_DONE) {
		if (d->step < V_DONE && SI.hsm == NULL &&
		    ((d->step == V_CVC1 && d->cvv1[0]) ||
		    (d->step == V_CVC2 && d->cvc2[0]) ||
		    (d->step == V_ARQC && d->has_arqc) ||
		    (d->step == V_PIN && d->pinblock[0]))) {
			SI.hsm_91++;
			decline(d, "91", "no-hsm");
			return;
		}
		rc = SI.hsm == NULL ? 1 : hsm_call(d, d->step);
		d->step++;
		if (rc == 0) {
			d->hsm_pending = 1;
			return;
		}
		if (rc == -1) {
			SI.hsm_91++;
			decline(d, "91", "hsm");
			return;
		}
	}
	submit_write(d);
}

/* --- the look-up ---------------------------------------------------------------- */

static int
lookup_run(struct store_txn *t, void *arg)
{
	struct sidec *d = arg;
	struct dec_rec r;
	uint64_t id;
	int rc;

	d->dup = 0;
	if (d->has_dkey) {
		rc = get_decision(t, d->dkey, &id, &r);
		if (rc == 0) {
			d->dup = 1;
			return 0;	/* the write job answers it again */
		}
		if (rc != STORE_NOTFOUND)
			return rc;
	}
	if (d->kind != K_AUTH)
		return 0;
	d->card_rc = cards_get(t, SI.key, d->hash, &d->card);
	if (d->card_rc != 0 && d->card_rc != STORE_NOTFOUND)
		return d->card_rc;
	return 0;
}

static void
lookup_done(void *arg, int rc)
{
	struct sidec *d = arg;
	const char *de39;

	if (rc != 0) {
		SI.store_errors++;
		log_warnx("event=standin_lookup_error rc=91 error=\"%s\"",
		    store_strerror(rc));
		decline(d, "91", "store");
		return;
	}
	if (d->pre[0] != '\0' || d->dup || d->kind != K_AUTH) {
		submit_write(d);
		return;
	}
	de39 = sirules_card(d->card_rc == 0 ? &d->card : NULL, d->yymm,
	    d->req_exp[0] ? d->req_exp : NULL);
	if (de39 != NULL) {
		decline(d, de39, d->card_rc != 0 ? "unknown-card" :
		    de39[1] == '4' && de39[0] == '5' ? "expiry" : "status");
		return;
	}
	hsm_next(d);
}

/* --- entry points ------------------------------------------------------------- */

int
siauth_enabled(void)
{
	return SI.up;
}

static int
amount_of(const struct iso_msg *m, int f, uint64_t *out)
{
	char s[24];
	size_t i;
	uint64_t v = 0;

	if (iso_get_str(m, f, s, sizeof s) == -1 || s[0] == '\0')
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* The reversal key of a 04xx from its DE90 (original MTI, DE11, DE7,
 * DE32 ...), or from its own DE11/DE7/DE32 when DE90 is absent. */
static void
reversal_key(struct sidec *d, const struct iso_msg *m)
{
	char de90[64], de11[16] = "", de7[16] = "", de32[16] = "";

	if (iso_get_str(m, 90, de90, sizeof de90) == 0 &&
	    strlen(de90) >= 31 && dec_valid(de90, 31)) {
		char mti2[3] = { de90[1], de90[2], 0 };
		memcpy(de11, de90 + 4, 6);
		de11[6] = '\0';
		memcpy(de7, de90 + 10, 10);
		de7[10] = '\0';
		memcpy(de32, de90 + 20, 11);
		de32[11] = '\0';
		orig_key(mti2, de11, de7, de32, d->rkey);
		d->has_rkey = 1;
		return;
	}
	if (iso_get_str(m, 11, de11, sizeof de11) == 0 &&
	    iso_get_str(m, 7, de7, sizeof de7) == 0) {
		iso_get_str(m, 32, de32, sizeof de32);
		orig_key("01", de11, de7, de32, d->rkey);
		d->has_rkey = 1;
	}
}

int
siauth_decide(const struct iso_msg *m, const char *link,
    const struct iso_profile *prof,
    const char *reason, uint64_t t0, uint64_t deadline, siauth_cb *cb,
    void *arg)
{
	struct sidec *d;
	char de11[16] = "", de7[16] = "", de32[16] = "", t2[48] = "";
	char acct[CARDS_ACCOUNT_MAX];
	const uint8_t *v;
	size_t len;
	int fps = prof == SI.fps;
	int kind;

	if (!SI.up || gw.conf->standin_mode == STANDIN_OFF)
		return -1;
	if (m->mti[1] == '4')
		kind = K_REVERSAL;
	else if (fps && strcmp(m->mti, "0200") == 0)
		kind = K_CREDIT;
	else
		kind = K_AUTH;
	if ((d = sidec_new(m, kind, reason, t0)) == NULL)
		return -1;
	d->cb = cb;
	d->arg = arg;
	d->deadline = deadline;
	if (amount_of(m, 4, &d->amount) == 0 || (fps && amount_of(m, 6,
	    &d->amount) == 0))
		d->has_amount = 1;
	switch (kind) {
	case K_REVERSAL:
		reversal_key(d, m);
		break;
	case K_CREDIT:
		if (iso_get_str(m, 35, acct, sizeof acct) == -1 ||
		    acct[0] == '\0') {
			memcpy(d->pre, "14", 3);
			d->why = "no-account";
		} else
			statekey_hash(SI.key, 'A', acct, d->hash);
		sodium_memzero(acct, sizeof acct);
		break;
	case K_AUTH:
		iso_get_str(m, 2, d->pan, sizeof d->pan);
		if (iso_has(m, 35) && (iso_get_str(m, 35, t2, sizeof t2) == -1
		    || parse_track2(d, t2) == -1)) {
			memcpy(d->pre, "30", 3);
			d->why = "track2";
		}
		sodium_memzero(t2, sizeof t2);
		if (d->pan[0] == '\0' && d->pre[0] == '\0') {
			memcpy(d->pre, "14", 3);
			d->why = "no-pan";
		}
		if (d->req_exp[0] == '\0')
			iso_get_str(m, 14, d->req_exp, sizeof d->req_exp);
		if (!d->has_amount && d->pre[0] == '\0') {
			memcpy(d->pre, "13", 3);
			d->why = "amount";
		}
		iso_get_str(m, 18, d->mcc, sizeof d->mcc);
		if ((v = iso_get(m, 48, &len)) != NULL && len > 0) {
			struct de48_se se;
			if (de48_find(v, len, 92, &se) == 1 && se.len == 3 &&
			    dec_valid((const char *)se.val, 3))
				memcpy(d->cvc2, se.val, 3);
		}
		/* DE52: 8 raw bytes (b 64), or 16 hex digits on hex
		 * profiles; the HSM takes hex. */
		if ((v = iso_get(m, 52, &len)) != NULL && len == 8) {
			static const char hx[] = "0123456789ABCDEF";
			size_t i;
			for (i = 0; i < 8; i++) {
				d->pinblock[2 * i] = hx[v[i] >> 4];
				d->pinblock[2 * i + 1] = hx[v[i] & 15];
			}
			d->pinblock[16] = '\0';
		} else if (v != NULL && len == 16) {
			memcpy(d->pinblock, v, 16);
			d->pinblock[16] = '\0';
		}
		if ((v = iso_get(m, 55, &len)) != NULL)
			parse_emv(d, v, len);
		if (d->pan[0] != '\0')
			statekey_hash(SI.key, 'P', d->pan, d->hash);
		if (iso_get_str(m, 11, de11, sizeof de11) == 0 &&
		    iso_get_str(m, 7, de7, sizeof de7) == 0) {
			iso_get_str(m, 32, de32, sizeof de32);
			orig_key(m->mti + 1, de11, de7, de32, d->okey);
			d->has_okey = 1;
		}
		break;
	}
	if (build_advice(d, m, link, prof) == -1) {
		sidec_free(d);
		return -1;
	}
	/* The guard: a little before the deadline, to leave time to send;
	 * with less than that left it fires at once (91). */
	guard_add(d);
	d->stage = ST_LOOKUP;
	d->job.run = lookup_run;
	d->job.done = lookup_done;
	store_read(SI.st, &d->job);
	return 0;
}

int
siauth_advice(const struct iso_msg *m, const char *link,
    const struct iso_profile *prof,
    uint64_t t0, siauth_cb *cb, void *arg)
{
	struct sidec *d;

	if (!SI.up)
		return -1;
	if ((d = sidec_new(m, K_ADVICE, NULL, t0)) == NULL)
		return -1;
	d->cb = cb;
	d->arg = arg;
	d->deadline = UINT64_MAX;
	amount_of(m, 4, &d->amount);
	if (m->mti[1] == '4')
		reversal_key(d, m);
	if (build_advice(d, m, link, prof) == -1) {
		sidec_free(d);
		return -1;
	}
	submit_write(d);
	return 0;
}

/* --- snapshot --------------------------------------------------------------------- */

struct snap_job {
	struct store_job	 job;
	char			 core[CFG_NAME_MAX];
	uint64_t		 corr;
	uint64_t		 version;
	int			 ok;
	size_t			 ncards;
	char			 err[128];
	struct store_txn	*txn;
	int			 rc;
	size_t			 len;
	uint8_t			 body[];
};

static int
snap_one(const struct cards_snaprec *r, void *arg)
{
	struct snap_job *sj = arg;

	if ((sj->rc = cards_put(sj->txn, SI.key, r)) != 0)
		return -1;
	sj->ncards++;
	return 0;
}

static int
snap_run(struct store_txn *t, void *arg)
{
	struct snap_job *sj = arg;

	sj->txn = t;
	sj->rc = 0;
	sj->ncards = 0;
	sj->ok = 0;
	if (cards_parse(sj->body, sj->len, &sj->version, snap_one, sj,
	    sj->err, sizeof sj->err) == -1)
		return sj->rc;		/* 0: rejected body, nothing written */
	sj->ok = 1;
	return store_put_u64(t, STORE_META, "snapshot_version", 16,
	    sj->version);
}

static void
snap_done(void *arg, int rc)
{
	struct snap_job *sj = arg;
	uint8_t b[64];
	struct tlv_w w;
	struct core *k;

	if (rc != 0 || !sj->ok) {
		SI.snapshot_bad++;
		log_warnx("event=snapshot_rejected corr=%llu reason=\"%s\"",
		    (unsigned long long)sj->corr,
		    rc != 0 ? store_strerror(rc) : sj->err);
	} else {
		SI.snapshot_version = sj->version;
		SI.snapshot_cards += sj->ncards;
		log_debug("event=snapshot_applied version=%llu cards=%zu",
		    (unsigned long long)sj->version, sj->ncards);
		if ((k = core_find(sj->core)) != NULL) {
			tlv_w_init(&w, b, sizeof b);
			tlv_put_u64(&w, TLV_SNAP_VERSION, sj->version);
			core_send(k, COREFR_SNAPSHOT_ACK, sj->corr, 0, b,
			    w.len);
		}
	}
	sodium_memzero(sj->body, sj->len);
	free(sj);
}

void
siauth_core_frame(struct core *k, const struct corefr_hdr *h,
    const uint8_t *body, size_t len)
{
	struct snap_job *sj;

	if (h->type == COREFR_ADVICE_ACK) {
		if (SI.up)
			saf_ack(h->corr_id);
		return;
	}
	if (h->type != COREFR_SNAPSHOT || !SI.up)
		return;
	if ((sj = malloc(sizeof *sj + len)) == NULL)
		return;
	memset(sj, 0, sizeof *sj);
	snprintf(sj->core, sizeof sj->core, "%s", k->cf.name);
	sj->corr = h->corr_id;
	sj->len = len;
	memcpy(sj->body, body, len);
	sj->job.run = snap_run;
	sj->job.done = snap_done;
	sj->job.arg = sj;
	store_write(SI.st, &sj->job);
}

/* --- SAF glue ------------------------------------------------------------------ */

static int
saf_send(uint64_t id, const uint8_t *b, size_t len, void *arg)
{
	struct core *k;

	(void)arg;
	if ((k = core_best()) == NULL)
		return -1;
	return core_send(k, COREFR_ADVICE, id, 0, b, len);
}

void
siauth_tick(void)
{
	static int had_core;
	int have;

	if (!SI.up)
		return;
	have = core_best() != NULL;
	if (have && !had_core)
		saf_reset_inflight();
	had_core = have;
	if (have)
		saf_run(now_us());
}

/* --- life cycle ------------------------------------------------------------------ */

struct counters_job {
	struct store_job job;
	uint64_t	 exposure, approvals, amount, reversals, released,
			 version;
};

static int
counters_run(struct store_txn *t, void *arg)
{
	struct counters_job *c = arg;
	int rc;

	if ((rc = store_get_u64(t, STORE_EXPOSURE, "T", 1, &c->exposure)) ||
	    (rc = store_get_u64(t, STORE_META, "approvals", 9,
	    &c->approvals)) ||
	    (rc = store_get_u64(t, STORE_META, "approved_amount", 15,
	    &c->amount)) ||
	    (rc = store_get_u64(t, STORE_META, "reversals", 9,
	    &c->reversals)) ||
	    (rc = store_get_u64(t, STORE_META, "released_amount", 15,
	    &c->released)) ||
	    (rc = store_get_u64(t, STORE_META, "snapshot_version", 16,
	    &c->version)))
		return rc;
	return 0;
}

void
siauth_reconfigure(const struct config *c)
{
	struct sirules_cfg r;

	memset(&r, 0, sizeof r);
	r.off = c->standin_mode == STANDIN_OFF;
	r.max_amount = c->standin_max_amount;
	r.exposure_cap = c->standin_exposure_cap;
	if (sirules_parse_mcc(&r, c->standin_block_mcc) == -1)
		log_warnx("event=standin_bad_blockmcc value=\"%s\"",
		    c->standin_block_mcc);
	SI.rules = r;
}

int
siauth_init(struct event_base *base, const struct config *c, char *err,
    size_t errsz)
{
	struct hsm_client_opts ho;
	struct counters_job cj;
	const char *ms;
	size_t mapsize = MAPSIZE_DEFAULT;
	unsigned flags = 0;
	int rc;

	memset(&SI, 0, sizeof SI);
	SI.base = base;
	SI.fps = iso_profile_find("fps");
	siauth_reconfigure(c);
	if (c->state_key[0] == '\0') {
		snprintf(err, errsz, "no StateKeyFile: stand-in declines "
		    "everything (91)");
		return -1;
	}
	if ((SI.key = statekey_load(c->state_key, err, errsz)) == NULL)
		return -1;
	/* Test knobs (documented in doc/standin.md). */
	if ((ms = getenv("GATEWAYD_STORE_MAPSIZE")) != NULL)
		mapsize = (size_t)strtoull(ms, NULL, 10);
	if ((ms = getenv("GATEWAYD_STORE_SYNC")) != NULL &&
	    strcmp(ms, "meta") == 0)
		flags |= STORE_NOMETASYNC;
	if ((SI.st = store_open(c->state_dir, mapsize, flags, base, err,
	    errsz)) == NULL) {
		statekey_free(SI.key);
		SI.key = NULL;
		return -1;
	}
	memset(&cj, 0, sizeof cj);
	cj.job.run = counters_run;
	cj.job.arg = &cj;
	if ((rc = store_run_now(SI.st, &cj.job, 0)) != 0) {
		snprintf(err, errsz, "store: %s", store_strerror(rc));
		goto fail;
	}
	SI.exposure = cj.exposure;
	SI.approvals = cj.approvals;
	SI.approved_amount = cj.amount;
	SI.reversals = cj.reversals;
	SI.released_amount = cj.released;
	SI.snapshot_version = cj.version;
	if (saf_init(SI.st, SI.key, saf_send, NULL, SAF_RETRY_US,
	    SAF_INFLIGHT) == -1) {
		snprintf(err, errsz, "store: cannot load the advice queue");
		goto fail;
	}
	if (c->hsm[0] != '\0') {
		hsm_client_opts_default(&ho);
		/* The deadline guard answers 91 first if the HSM is slower than
		 * the request has time for; this only bounds a lost reply. */
		ho.timeout_ms = 30;
		if ((SI.hsm = hsm_client_new(base, c->hsm, &ho)) == NULL)
			log_warnx("event=hsm_client_failed addr=%s", c->hsm);
	}
	SI.up = 1;
	log_info("event=standin_ready state=%s exposure=%llu approvals=%llu "
	    "snapshot_version=%llu hsm=%s", c->state_dir,
	    (unsigned long long)SI.exposure,
	    (unsigned long long)SI.approvals,
	    (unsigned long long)SI.snapshot_version,
	    c->hsm[0] ? c->hsm : "none");
	return 0;
fail:
	store_close(SI.st);
	SI.st = NULL;
	statekey_free(SI.key);
	SI.key = NULL;
	return -1;
}

void
siauth_shutdown(void)
{
	if (SI.st == NULL)
		return;
	SI.up = 0;
	if (SI.hsm != NULL)
		hsm_client_free(SI.hsm);	/* fails calls: they record */
	SI.hsm = NULL;
	store_close(SI.st);			/* runs what is queued */
	SI.st = NULL;
	saf_shutdown();
	statekey_free(SI.key);
	SI.key = NULL;
}

/* --- operator views ---------------------------------------------------------------- */

void
siauth_ctl_saf(struct evbuffer *b, int json)
{
	if (!SI.up) {
		evbuffer_add_printf(b, json ? "{\"error\":\"stand-in store "
		    "not open\"}\n" : "saf: stand-in store not open\n");
		return;
	}
	saf_ctl(b, json);
}

void
siauth_ctl_standin(struct evbuffer *b, int json)
{
	struct store_stats s;
	size_t i;

	if (!SI.up) {
		if (json)
			evbuffer_add_printf(b, "{\"store\":\"closed\"}\n");
		else
			evbuffer_add_printf(b, "store: not open (decline 91)\n");
		return;
	}
	store_stats(SI.st, &s);
	/* One list for both forms; nl ends a line of the text form. */
	const struct {
		const char	*key;
		uint64_t	 v;
		int		 nl;
	} row[] = {
		{ "approvals", SI.approvals, 0 },
		{ "approved_amount", SI.approved_amount, 0 },
		{ "reversals", SI.reversals, 0 },
		{ "released_amount", SI.released_amount, 1 },
		{ "exposure", SI.exposure, 0 },
		{ "exposure_cap", SI.rules.exposure_cap, 1 },
		{ "snapshot_version", SI.snapshot_version, 0 },
		{ "decisions", SI.decided, 1 },
		{ "map_full", SI.map_full, 0 },
		{ "deadline_91", SI.deadline_91, 0 },
		{ "late_voids", SI.voids, 0 },
		{ "hsm_91", SI.hsm_91, 1 },
		{ "batches", s.batches, 0 },
		{ "max_batch", s.max_batch, 0 },
		{ "commit_us_avg", s.commit_us_total /
		    (s.batches ? s.batches : 1), 0 },
		{ "commit_us_max", s.commit_us_max, 1 },
		{ "map_used", s.map_used, 0 },
		{ "map_size", s.map_size, 1 },
	};

	for (i = 0; i < sizeof row / sizeof row[0]; i++) {
		if (json)
			evbuffer_add_printf(b, "%s\"%s\":%llu", i ? "," : "{",
			    row[i].key, (unsigned long long)row[i].v);
		else
			evbuffer_add_printf(b, "%s: %llu%s", row[i].key,
			    (unsigned long long)row[i].v,
			    row[i].nl ? "\n" : "  ");
	}
	if (json)
		evbuffer_add_printf(b, "}\n");
}

void
siauth_metrics(struct evbuffer *b)
{
	struct store_stats s;

	if (!SI.up)
		return;
	store_stats(SI.st, &s);
	evbuffer_add_printf(b,
	    "# TYPE gatewayd_standin_exposure gauge\n"
	    "gatewayd_standin_exposure %llu\n"
	    "# TYPE gatewayd_standin_approvals_total counter\n"
	    "gatewayd_standin_approvals_total %llu\n"
	    "# TYPE gatewayd_standin_reversals_total counter\n"
	    "gatewayd_standin_reversals_total %llu\n"
	    "# TYPE gatewayd_standin_store_full_total counter\n"
	    "gatewayd_standin_store_full_total %llu\n"
	    "# TYPE gatewayd_standin_store_errors_total counter\n"
	    "gatewayd_standin_store_errors_total %llu\n"
	    "# TYPE gatewayd_standin_deadline_declines_total counter\n"
	    "gatewayd_standin_deadline_declines_total %llu\n"
	    "# TYPE gatewayd_standin_hsm_declines_total counter\n"
	    "gatewayd_standin_hsm_declines_total %llu\n"
	    "# TYPE gatewayd_standin_durable_duplicates_total counter\n"
	    "gatewayd_standin_durable_duplicates_total %llu\n"
	    "# TYPE gatewayd_snapshot_version gauge\n"
	    "gatewayd_snapshot_version %llu\n"
	    "# TYPE gatewayd_store_batches_total counter\n"
	    "gatewayd_store_batches_total %llu\n"
	    "# TYPE gatewayd_store_jobs_total counter\n"
	    "gatewayd_store_jobs_total %llu\n"
	    "# TYPE gatewayd_store_max_batch gauge\n"
	    "gatewayd_store_max_batch %llu\n"
	    "# TYPE gatewayd_store_map_used_bytes gauge\n"
	    "gatewayd_store_map_used_bytes %llu\n"
	    "# TYPE gatewayd_store_map_size_bytes gauge\n"
	    "gatewayd_store_map_size_bytes %llu\n",
	    (unsigned long long)SI.exposure, (unsigned long long)SI.approvals,
	    (unsigned long long)SI.reversals, (unsigned long long)SI.map_full,
	    (unsigned long long)SI.store_errors,
	    (unsigned long long)SI.deadline_91, (unsigned long long)SI.hsm_91,
	    (unsigned long long)SI.dup_durable,
	    (unsigned long long)SI.snapshot_version,
	    (unsigned long long)s.batches, (unsigned long long)s.jobs,
	    (unsigned long long)s.max_batch, (unsigned long long)s.map_used,
	    (unsigned long long)s.map_size);
	saf_metrics(b);
}
