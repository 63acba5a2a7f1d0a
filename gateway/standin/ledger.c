/*
 * ledger.c — the stand-in's jobs on the store's threads: the look-up of a
 * card and of an earlier decision (reader), and the decision itself with
 * its counters, its advice and the keys it is found by, in one write
 * transaction (writer).  A job may run again if its batch is retried, so
 * each one starts by resetting what it writes into its sidec.
 */
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "base/clock.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"

static int
get_decision(struct store_txn *t, const uint8_t *k, uint64_t *id,
    struct dec_rec *r)
{
	const void *v;
	size_t vl;
	uint8_t ik[8];
	int rc;

	if ((rc = store_get(t, STORE_DEDUP, k, SI_DKEY_LEN, &v, &vl)) != 0)
		return rc;
	if (vl != 8)
		return STORE_CORRUPT;
	*id = be64_get(v);
	if (*id & SI_PEER_DEC)
		return si_peer_decision(t, *id, r);
	be64_put(ik, *id);
	if ((rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl)) != 0)
		return rc;
	if (vl != sizeof *r)
		return STORE_CORRUPT;
	memcpy(r, v, sizeof *r);
	return 0;
}

static void
add_sat(uint64_t *v, int64_t delta)
{
	if (delta < 0 && (uint64_t)-delta > *v)
		*v = 0;
	else
		*v += (uint64_t)delta;
}

static int
add_u64(struct store_txn *t, int db, const void *k, size_t kl, int64_t delta)
{
	uint64_t v;
	int rc;

	if ((rc = store_get_u64(t, db, k, kl, &v)) != 0)
		return rc;
	add_sat(&v, delta);
	return store_put_u64(t, db, k, kl, v);
}

/* A range's key in the exposure database: 'E' name (outstanding), or
 * 'Q' kind day name (today's approvals: kind 'c' count, 'a' amount). */
size_t
si_range_key(char kind, const char *day, const char *name, uint8_t *out)
{
	size_t n = 0, l = strlen(name);

	out[n++] = kind == 'E' ? 'E' : 'Q';
	if (kind != 'E') {
		out[n++] = (uint8_t)kind;
		memcpy(out + n, day, 8);
		n += 8;
	}
	memcpy(out + n, name, l);
	return n + l;
}

/* The range's outstanding exposure and the appliance's, by delta. */
static int
add_exposure(struct store_txn *t, const struct dec_rec *r, int64_t delta)
{
	uint8_t k[2 + 8 + RANGE_NAME_MAX];
	size_t kl = si_range_key('E', NULL, r->range, k);
	int rc;

	if ((rc = add_u64(t, STORE_EXPOSURE, k, kl, delta)) != 0)
		return rc;
	return add_u64(t, STORE_EXPOSURE, "T", 1, delta);
}

/*
 * A card's spend moved by delta together with everything that counts it:
 * the card's record (its day's amount, cash and approvals, its spend
 * since the snapshot: one key, one leaf), the range's outstanding
 * exposure and the appliance's.  An approval (count) also counts in the
 * range's approvals of the day.  A release of another day's approval
 * leaves today's figures alone: they are not its day's.  A settled
 * approval (its advice acknowledged) is no longer outstanding: its
 * release leaves the exposures alone too.
 */
static int
add_spend(struct store_txn *t, const struct dec_rec *r, int64_t delta,
    int64_t count)
{
	uint8_t k[2 + 8 + RANGE_NAME_MAX];
	struct card_count c;
	size_t kl;
	int rc;

	if ((rc = cards_count_get(t, r->hash, &c)) != 0)
		return rc;
	/* A new day starts the day's figures again; a decision of the day
	 * before that commits after one of today's (it waited on the HSM
	 * across midnight) must not wipe today's. */
	if (memcmp(r->day, c.day, 8) > 0 && count > 0) {
		memset(&c, 0, offsetof(struct card_count, snap_spend));
		memcpy(c.day, r->day, 8);
	}
	if (memcmp(c.day, r->day, 8) == 0) {
		add_sat(&c.day_amount, delta);
		add_sat(&c.day_count, count);
		if (r->cash)
			add_sat(&c.day_cash, delta);
	}
	add_sat(&c.snap_spend, delta);
	if ((rc = cards_count_put(t, r->hash, &c)) != 0)
		return rc;
	if (!r->settled && (rc = add_exposure(t, r, delta)) != 0)
		return rc;
	if (count) {
		kl = si_range_key('c', r->day, r->range, k);
		if ((rc = add_u64(t, STORE_EXPOSURE, k, kl, count)) != 0)
			return rc;
		kl = si_range_key('a', r->day, r->range, k);
		if ((rc = add_u64(t, STORE_EXPOSURE, k, kl, delta)) != 0)
			return rc;
	}
	return 0;
}

/* What a reversal releases of approval r: all of it, or with DE95 the
 * difference between the original and the replacement amount (in the
 * card's currency, in proportion when the two currencies differ), less
 * what earlier reversals released.  Idempotent: the same reversal again
 * releases nothing. */
static uint64_t
to_release(const struct sidec *d, const struct dec_rec *r)
{
	uint64_t target = r->amount;

	if (d->has_repl) {
		if (d->repl_amount >= r->txn_amount || r->txn_amount == 0)
			target = 0;
		else
			target = (uint64_t)((unsigned __int128)r->amount *
			    (r->txn_amount - d->repl_amount) / r->txn_amount);
	}
	if (target > r->amount)
		target = r->amount;
	return target > r->released ? target - r->released : 0;
}

/* Releases (part of) approval id, record rp, as the reversal d says. */
static int
release_rec(struct store_txn *t, struct sidec *d, uint64_t id,
    const struct dec_rec *rp)
{
	struct dec_rec r = *rp;
	uint64_t amt;
	uint8_t ik[8];
	int rc;

	if (!r.approved) {
		d->why = "original-declined";
		return 0;
	}
	if (d->has_repl == -1) {
		d->why = "de95-unreadable";
		return 0;
	}
	if ((amt = to_release(d, &r)) == 0) {
		d->why = "nothing-left";
		return 0;
	}
	r.released += amt;
	d->why = r.released == r.amount ? "released" : "partial";
	be64_put(ik, id);
	if ((rc = store_put(t, STORE_DECISIONS, ik, 8, &r, sizeof r)) != 0 ||
	    (rc = add_spend(t, &r, -(int64_t)amt, 0)) != 0 ||
	    (rc = add_u64(t, STORE_META, "reversals", 9, 1)) != 0 ||
	    (rc = add_u64(t, STORE_META, "released_amount", 15,
	    (int64_t)amt)) != 0)
		return rc;
	d->released = amt;
	d->exp_released = r.settled ? 0 : amt;
	return 0;
}

/* Releases the exposure of the approval the reversal key names. */
static int
release(struct store_txn *t, struct sidec *d)
{
	struct dec_rec r;
	uint64_t id;
	int rc;

	d->why = "unknown-original";
	if (!d->has_rkey)
		return 0;
	if ((rc = get_decision(t, d->rkey, &id, &r)) == STORE_NOTFOUND)
		return 0;		/* unknown original: acknowledged */
	if (rc != 0)
		return rc;
	return release_rec(t, d, id, &r);
}

/* An earlier decision under d's duplicate key (the digest is part of
 * it): 1 and its record, 0 when there is none, or an error. */
static int
earlier(struct store_txn *t, struct sidec *d, uint64_t *id, struct dec_rec *r)
{
	int rc;

	if (!d->has_dkey)
		return 0;
	if ((rc = get_decision(t, d->dkey, id, r)) == STORE_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	/* A 128-bit key collision is not the same request either. */
	return sodium_memcmp(r->digest, d->digest, sizeof d->digest) == 0;
}

/* The same request again (after a restart, too): the same answer.  1
 * when it is one, 0 when not, or an error. */
static int
duplicate(struct store_txn *t, struct sidec *d)
{
	struct dec_rec r;
	uint64_t id;
	int rc;

	if ((rc = earlier(t, d, &id, &r)) != 1)
		return rc;
	memcpy(d->res.de39, r.de39, 3);
	memcpy(d->res.de38, r.de38, 7);
	d->res.has_arpc = r.has_arpc;
	memcpy(d->res.arpc, r.arpc, 8);
	d->res.arc[0] = r.de39[0];
	d->res.arc[1] = r.de39[1];
	d->res.why = id & SI_PEER_DEC ? "duplicate-of-peer" : "duplicate";
	d->dup = 1;
	d->id = id;
	return 1;
}

/* The counters rules 6 and 7 read. */
static int
read_counts(struct store_txn *t, struct sidec *d, struct si_counts *n)
{
	uint8_t k[2 + 8 + RANGE_NAME_MAX];
	struct card_count c;
	size_t kl;
	int rc;

	memset(n, 0, sizeof *n);
	if ((rc = cards_count_get(t, d->hash, &c)) != 0)
		return rc;
	if (memcmp(c.day, d->day, 8) == 0) {
		n->day_amount = c.day_amount;
		n->day_count = c.day_count;
		n->day_cash = c.day_cash;
	}
	n->snap_spend = c.snap_spend;
	kl = si_range_key('E', NULL, d->rng.name, k);
	if ((rc = store_get_u64(t, STORE_EXPOSURE, k, kl,
	    &n->range_exposure)))
		return rc;
	return store_get_u64(t, STORE_EXPOSURE, "T", 1, &n->exposure);
}

/* Rules 4 to 7 against the durable counters (rules 0-3 ran on the loop
 * and left a decline in d->pre, or none). */
static int
auth_outcome(struct store_txn *t, struct sidec *d, const char **de39)
{
	struct si_money m = {
		.amount = d->amount, .cur = d->cur[0] ? d->cur : NULL,
		.bill_amount = d->bill_amount,
		.bill_cur = d->bill_cur[0] ? d->bill_cur : NULL,
		.cash = d->cash, .mcc = d->mcc[0] ? d->mcc : NULL,
		.country = d->country[0] ? d->country : NULL,
		.country_a = d->country_a[0] ? d->country_a : NULL,
	};
	struct si_counts n;
	int rc;

	if (d->pre[0] != '\0') {
		*de39 = d->pre;
		return 0;
	}
	d->rule = R_BLOCKS;
	if ((*de39 = sirules_blocks(&SI.rules, &d->rng, &d->card, &m,
	    &d->card_amount, &d->why)) != NULL)
		return 0;
	d->rule = R_LIMITS;
	if ((*de39 = sirules_limits(&SI.rules, &d->rng, &d->card, &m,
	    d->card_amount, &d->why)) != NULL)
		return 0;
	if ((rc = read_counts(t, d, &n)) != 0)
		return rc;
	d->rule = R_SPEND;
	if ((*de39 = sirules_spend(&SI.rules, &d->rng, &d->card, d->cash,
	    d->card_amount, &n, &d->why)) != NULL) {
		if ((*de39)[0] == '9')
			d->rule = R_EXPOSURE;
		return 0;
	}
	d->rule = R_APPROVED;
	d->why = "approved";
	*de39 = "00";
	return 0;
}

/* An FPS inbound credit: the account must be known and open. */
static int
credit_outcome(struct store_txn *t, struct sidec *d, const char **de39)
{
	int rc, open;

	if (d->pre[0] != '\0') {
		*de39 = d->pre;
		return 0;
	}
	rc = cards_account(t, d->hash, &open);
	if (rc == STORE_NOTFOUND) {
		*de39 = "14";
		d->why = "unknown-account";
	} else if (rc != 0)
		return rc;
	else if (!open) {
		*de39 = "62";
		d->why = "account-not-open";
	} else
		*de39 = "00";
	return 0;
}

static int
outcome(struct store_txn *t, struct sidec *d, const char **de39)
{
	int rc;

	switch (d->kind) {
	case K_AUTH:
		return auth_outcome(t, d, de39);
	case K_CREDIT:
		return credit_outcome(t, d, de39);
	}
	/* K_REVERSAL, K_ADVICE: a 04x0 releases what it reverses */
	if (d->mti[1] == '4' && (rc = release(t, d)) != 0)
		return rc;
	*de39 = "00";
	return 0;
}

/* The decision's result: DE39, and for an approval its code and ARPC. */
static void
result(struct sidec *d, const char *de39, uint64_t id)
{
	memcpy(d->res.de39, de39, 3);
	d->approved = d->kind == K_AUTH && strcmp(de39, "00") == 0;
	if (!d->approved)
		return;
	sirules_auth_code(id, d->res.de38);
	/* The ARPC was computed with ARC "00": only an approval carries it
	 * (a decline goes without, which the card takes as a decline). */
	if (d->has_arpc) {
		memcpy(d->res.arpc, d->arpc, 8);
		d->res.has_arpc = 1;
		d->res.arc[0] = '0';
		d->res.arc[1] = '0';
	}
}

/* The outcome tags of an advice: the DE39 the scheme is sent, in tag 39
 * and 0x1004, the rules' own in 0x1008, why in 0x1009; an approval's
 * code. */
static void
put_outcome(struct tlv_w *w, const struct sidec *d, const char *sent,
    const char *rule, const char *why, const char *de38)
{
	tlv_put_str(w, 39, sent);
	tlv_put_str(w, TLV_STANDIN_DE39, sent);
	tlv_put_str(w, TLV_STANDIN_RULE, rule);
	tlv_put_str(w, TLV_STANDIN_WHY, why != NULL ? why : "-");
	if (d->kind == K_AUTH) {
		tlv_put_u64(w, TLV_STANDIN_STEP, (uint64_t)d->rule);
		tlv_put_str(w, TLV_STANDIN_RANGE, d->rng.name);
	}
	if (de38 != NULL)
		tlv_put_str(w, 38, de38);
}

/* The advice: the outcome tags after the request, into the SAF. */
static int
advise(struct store_txn *t, struct sidec *d, const char *de39)
{
	struct tlv_w w;

	tlv_w_init(&w, d->adv, d->advcap);
	w.len = d->advlen;
	if (d->kind != K_ADVICE)
		put_outcome(&w, d, de39, de39, d->why, d->approved ?
		    d->res.de38 : NULL);
	if (d->mti[1] == '4') {
		tlv_put_u64(&w, TLV_STANDIN_RELEASED, d->released);
		if (d->kind == K_ADVICE)
			tlv_put_str(&w, TLV_STANDIN_WHY, d->why);
	}
	if (w.err)
		return STORE_TOOBIG;
	return saf_append(t, SI.key, d->adv, w.len, d->advcap, wall_us(),
	    &d->advout, &d->id);
}

/* The decision's record. */
static void
fill_rec(const struct sidec *d, struct dec_rec *rp)
{
	struct dec_rec r;

	memset(&r, 0, sizeof r);
	memcpy(r.hash, d->hash, sizeof r.hash);
	r.amount = d->card_amount;
	r.txn_amount = d->amount;
	r.cash = (uint8_t)d->cash;
	memcpy(r.range, d->rng.name, sizeof r.range);
	r.wall_us = wall_us();
	memcpy(r.day, d->day, 9);
	memcpy(r.de39, d->res.de39, 3);
	memcpy(r.de38, d->res.de38, 7);
	r.has_arpc = (uint8_t)(d->approved && d->res.has_arpc);
	memcpy(r.arpc, d->res.arpc, 8);
	r.kind = (uint8_t)d->kind;
	r.approved = (uint8_t)d->approved;
	memcpy(r.digest, d->digest, sizeof r.digest);
	*rp = r;
}

/* The decision and the keys it is found by. */
static int
record(struct store_txn *t, struct sidec *d, const struct dec_rec *r)
{
	uint8_t ik[8];
	const void *v;
	size_t vlen;
	int rc;

	be64_put(ik, d->id);
	if ((rc = store_append(t, STORE_DECISIONS, ik, 8, r, sizeof *r)) != 0)
		return rc;
	if (d->has_dkey && (rc = store_put(t, STORE_DEDUP, d->dkey,
	    SI_DKEY_LEN, ik, 8)) != 0)
		return rc;
	if (!d->approved || !d->has_okey)
		return 0;
	/* Of two approvals under one identity a reversal finds the first:
	 * a second never takes the key over. */
	if ((rc = store_get(t, STORE_DEDUP, d->okey, SI_DKEY_LEN, &v,
	    &vlen)) != STORE_NOTFOUND)
		return rc;
	return store_put(t, STORE_DEDUP, d->okey, SI_DKEY_LEN, ik, 8);
}

/*
 * The write job, in numbered steps:
 *   1. a duplicate gets the earlier answer, and nothing else happens;
 *   2. the outcome, from the rules and the durable counters;
 *   3. the result, its approval code taken from the advice id;
 *   4. the advice, with the outcome, into the SAF;
 *   5. an approval's spend and the appliance's exposure;
 *   6. the decision record and the keys it is found by.
 */
int
si_decide_run(struct store_txn *t, void *arg)
{
	struct sidec *d = arg;
	const char *de39 = NULL;
	struct dec_rec r;
	uint64_t id;
	int rc;

	memset(&d->res, 0, sizeof d->res);
	d->card_amount = d->amount;
	d->dup = d->approved = 0;
	d->released = d->exp_released = d->advout = 0;
	d->id = 0;
	if ((rc = duplicate(t, d)) != 0)			/* 1 */
		return rc == 1 ? 0 : rc;
	if ((rc = outcome(t, d, &de39)) != 0)			/* 2 */
		return rc;
	/* The guard answered 91 while the job waited its turn: that 91 is
	 * what is decided, in this transaction (a void after the commit
	 * would be a second one, and a crash between the two would leave
	 * an approval the scheme was told was 91).  Reversals and advices
	 * are acknowledged whatever the guard says. */
	if ((d->kind == K_AUTH || d->kind == K_CREDIT) &&
	    __atomic_load_n(&d->voided, __ATOMIC_ACQUIRE)) {
		de39 = "91";
		d->why = "deadline";
	}
	if ((rc = saf_next_id(t, &id)) != 0)			/* 3 */
		return rc;
	result(d, de39, id);
	if ((rc = advise(t, d, de39)) != 0)			/* 4 */
		return rc;
	if (d->id != id)
		return STORE_CORRUPT;
	fill_rec(d, &r);
	if (d->approved && ((rc = add_spend(t, &r,		/* 5 */
	    (int64_t)d->card_amount, 1)) != 0 ||
	    (rc = add_u64(t, STORE_META, "approvals", 9, 1)) != 0 ||
	    (rc = add_u64(t, STORE_META, "approved_amount", 15,
	    (int64_t)d->card_amount)) != 0))
		return rc;
	if ((rc = record(t, d, &r)) != 0)			/* 6 */
		return rc;
	d->res.why = d->why;
	return 0;
}

/*
 * A decision whose durable commit outlasted the request's deadline: the
 * scheme was answered 91.  The decision and its advice (not yet sent)
 * are amended to say so: the advice's tag 39 and 0x1004 become 91 (the
 * rules' DE39 stays in 0x1008), later duplicates get 91, and an approval
 * is no approval: its spend and exposure are taken back.  One advice per
 * request, and it is what the scheme was told.
 */
static int
amend_advice(struct store_txn *t, struct sidec *d)
{
	const uint8_t *v;
	uint16_t tag, len;
	struct tlv_r rd;
	struct tlv_w w;
	size_t out;
	int rc;

	tlv_w_init(&w, d->amended, d->advcap);
	tlv_r_init(&rd, d->adv, d->advout);
	while (tlv_next(&rd, &tag, &v, &len) == 1)
		if (tag != 38 && tag != 39 && tag != TLV_STANDIN_DE39 &&
		    tag != TLV_STANDIN_RULE && tag != TLV_STANDIN_WHY &&
		    tag != TLV_ADVICE_ID)
			tlv_put(&w, tag, v, len);
	put_outcome(&w, d, "91", d->res.de39, "deadline", NULL);
	if (w.err)
		return STORE_TOOBIG;
	if ((rc = saf_replace(t, SI.key, d->id, d->amended, w.len, d->advcap,
	    wall_us(), &out)) != 0)
		return rc;
	d->amendlen = out;
	return 0;
}

int
si_amend_run(struct store_txn *t, void *arg)
{
	struct sidec *d = arg;
	struct dec_rec r;
	const void *v;
	size_t vl;
	uint8_t ik[8];
	int rc;

	d->released = d->exp_released = 0;
	be64_put(ik, d->id);
	if ((rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl)) != 0)
		return rc;
	if (vl != sizeof r)
		return STORE_CORRUPT;
	memcpy(&r, v, sizeof r);
	if (r.approved && ((rc = add_spend(t, &r,
	    -(int64_t)(r.amount - r.released), -1)) != 0 ||
	    (rc = add_u64(t, STORE_META, "approvals", 9, -1)) != 0 ||
	    (rc = add_u64(t, STORE_META, "approved_amount", 15,
	    -(int64_t)r.amount)) != 0))
		return rc;
	if (r.approved) {
		d->released = r.amount - r.released;
		d->exp_released = r.settled ? 0 : d->released;
	}
	memcpy(r.de39, "91", 3);
	memset(r.de38, 0, sizeof r.de38);
	r.has_arpc = 0;
	r.approved = 0;
	if ((rc = store_put(t, STORE_DECISIONS, ik, 8, &r, sizeof r)) != 0)
		return rc;
	return amend_advice(t, d);
}

/*
 * The core has the advice of decision id: an approval it carries is the
 * core's to account for from now on (the next snapshot's balances hold
 * it), so what reversals left of it leaves the range's and the
 * appliance's outstanding exposure, once (settled).  The card's figures
 * stay: its day's limits, and its spend until a snapshot says its
 * balance.  Ids with no decision (a scheme advice, a peer's advice
 * delivered by us) settle nothing.
 */
int
si_settle_run(struct store_txn *t, uint64_t id, struct saf_settled *s)
{
	struct dec_rec r;
	const void *v;
	size_t vl;
	uint8_t ik[8];
	uint64_t left;
	int rc;

	be64_put(ik, id);
	if ((rc = store_get(t, STORE_DECISIONS, ik, 8, &v, &vl)) ==
	    STORE_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (vl != sizeof r)
		return STORE_CORRUPT;
	memcpy(&r, v, sizeof r);
	if (!r.approved || r.settled)
		return 0;
	left = r.amount - r.released;
	r.settled = 1;
	if ((rc = store_put(t, STORE_DECISIONS, ik, 8, &r, sizeof r)) != 0 ||
	    (left > 0 && (rc = add_exposure(t, &r, -(int64_t)left)) != 0))
		return rc;
	s->amount += left;
	if (id < s->first)
		s->first = id;
	return 0;
}

/* The read job: an earlier decision for the same request, then the card. */
int
si_lookup_run(struct store_txn *t, void *arg)
{
	struct sidec *d = arg;
	struct dec_rec r;
	uint64_t id;
	int rc;

	d->dup = 0;
	if ((rc = earlier(t, d, &id, &r)) == 1) {
		d->dup = 1;
		return 0;		/* the write job answers it again */
	}
	if (rc != 0)
		return rc;
	if (d->kind != K_AUTH)
		return 0;
	d->card_rc = cards_get(t, SI.key, d->hash, &d->card);
	if (d->card_rc != 0 && d->card_rc != STORE_NOTFOUND)
		return d->card_rc;
	return 0;
}
