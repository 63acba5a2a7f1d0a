/*
 * schemerx.c — what `scheme-sim scheme` reads: every response is matched
 * to its request by DE11 through the in-flight ring, checked, and its
 * latency recorded; 0800s and requests from the gateway are answered.
 */
#include <string.h>

#include "base/log.h"
#include "iso8583/mask.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/schemerun.h"

/* Expired already (late), answered twice, or never sent. */
static void
count_unmatched(struct scheme *s, struct sconn *sc, uint64_t stan)
{
	if (iso_has(&s->rx, 11) && s->sent_total > 0) {
		scheme_cur(s)->late++;
		s->iv->late++;
	} else {
		scheme_cur(s)->unexpected++;
		s->iv->unexpected++;
	}
	if (s->logged_unexp++ < MAX_LOGGED)
		log_warnx("event=response_unmatched conn=%d mti=%s stan=%llu",
		    sc->id, s->rx.mti, (unsigned long long)stan);
}

static void
count_latency(struct scheme *s, uint64_t lat)
{
	struct sim_stats *st = scheme_cur(s);

	hist_add(&st->lat, lat);
	hist_add(&s->iv->lat, lat);
	st->received++;
	s->iv->received++;
	if (s->deadline_ns && lat > s->deadline_ns) {
		st->deadline_miss++;
		s->iv->deadline_miss++;
	}
}

/* MTI, echoed fields and connection (the one it was last sent on: a
 * retransmission is answered where it went); the first few mismatches
 * logged. */
static void
check_echo(struct scheme *s, struct sconn *sc, struct sim_pending *p,
    uint64_t stan)
{
	char masked[32], pan[24];
	int bad;

	if (p->via == sc->id && sim_resp_check(&s->rs, p, p->seq_1 - 1,
	    &s->rx, &bad) == 0)
		return;
	if (p->via != sc->id)
		bad = -1;
	scheme_cur(s)->mismatch++;
	s->iv->mismatch++;
	if (s->logged_mismatch++ >= MAX_LOGGED)
		return;
	if (iso_get_str(&s->rx, 2, pan, sizeof pan) == 0)
		mask_pan(pan, strlen(pan), masked, sizeof masked);
	else
		strcpy(masked, "-");
	log_warnx("event=response_mismatch conn=%d mti=%s stan=%llu field=%d "
	    "pan=%s", sc->id, s->rx.mti, (unsigned long long)stan, bad, masked);
}

/* "DE7 STAN RRN DE38" of an approval, for --record-approvals. */
static void
record_approval(struct scheme *s)
{
	char a7[16] = "", a11[16] = "", a37[16] = "", a38[8] = "";

	iso_get_str(&s->rx, 7, a7, sizeof a7);
	iso_get_str(&s->rx, 11, a11, sizeof a11);
	iso_get_str(&s->rx, 37, a37, sizeof a37);
	iso_get_str(&s->rx, 38, a38, sizeof a38);
	fprintf(s->approvals, "%s %s %s %s\n", a7, a11, a37, a38);
}

/* "DE7 STAN RRN DE39 DE38" of every answer, for --record-answers. */
static void
record_answer(struct scheme *s)
{
	char a7[16] = "-", a11[16] = "-", a37[16] = "-", a39[4] = "-",
	    a38[8] = "-";

	iso_get_str(&s->rx, 7, a7, sizeof a7);
	iso_get_str(&s->rx, 11, a11, sizeof a11);
	iso_get_str(&s->rx, 37, a37, sizeof a37);
	iso_get_str(&s->rx, 39, a39, sizeof a39);
	iso_get_str(&s->rx, 38, a38, sizeof a38);
	fprintf(s->answers, "%s %s %s %s %s\n", a7, a11, a37, a39, a38);
}

/* DE39 against --expect; approvals by who gave them. */
static void
count_rc(struct scheme *s, const struct sim_pending *p)
{
	struct sim_stats *st = scheme_cur(s);
	const uint8_t *v;
	size_t len;
	int idx = -1, advice = strcmp(p->mti, "0120") == 0;

	if ((v = iso_get(&s->rx, 39, &len)) != NULL && len == 2)
		idx = sim_rc_index((const char *)v);
	if (idx < 0) {
		/* An advice response may omit DE39; anything else is wrong. */
		if (!advice) {
			st->rc_other++;
			st->rc_unexpected++;
			s->iv->rc_unexpected++;
		}
		return;
	}
	st->by_rc[idx]++;
	if (!s->expect[idx]) {
		st->rc_unexpected++;
		s->iv->rc_unexpected++;
	}
	if (idx != 0 || advice)
		return;
	if ((v = iso_get(&s->rx, 38, &len)) != NULL && len > 0 &&
	    v[0] == (uint8_t)s->core_mark)
		st->approved_core++;
	else
		st->approved_other++;
	if (s->approvals != NULL)
		record_approval(s);
}

static void
on_response(struct scheme *s, struct sconn *sc, uint64_t now)
{
	struct sim_pending *p;
	uint64_t stan = 0;

	if (sim_get_u64(&s->rx, 11, &stan) == -1 ||
	    (p = sim_pending_find(&s->ring, (uint32_t)stan)) == NULL) {
		if (!scheme_gw_double(s, (uint32_t)stan))
			count_unmatched(s, sc, stan);
		return;
	}
	/* From the first send: a retransmission's deadline ran from it. */
	count_latency(s, now > p->sent_ns ? now - p->sent_ns : 0);
	check_echo(s, sc, p, stan);
	count_rc(s, p);
	scheme_gw_answered(s, sc, p);
	if (s->answers != NULL)
		record_answer(s);
	sim_pending_done(&s->ring, p);
}

static void
on_netmgmt(struct scheme *s, struct sconn *sc)
{
	char rc[3] = "", code[4] = "";
	int echo;

	scheme_cur(s)->netmgmt++;
	if (strcmp(s->rx.mti, "0800") == 0) {
		/* The gateway's echo test, sign-on, sign-off or SAF request:
		 * agreed to, except echoes with --echo-silent. */
		iso_get_str(&s->rx, 70, code, sizeof code);
		echo = strcmp(code, "270") == 0 || strcmp(code, "301") == 0 ||
		    strcmp(code, "831") == 0;
		if (echo && s->echo_silent) {
			log_info("event=netmgmt_ignored conn=%d code=%s",
			    sc->id, code);
			return;
		}
		if (sim_answer_build(&s->rx, "00", &s->ans) == 0)
			scheme_send(s, sc, &s->ans);
		/* The gateway asks for a new key: it gets one. */
		if (strcmp(code, "162") == 0 && scheme_key_change(s, 'P') == 0)
			scheme_send(s, sc, &s->tx);
		if (echo)
			log_debug("event=netmgmt_answered conn=%d code=%s",
			    sc->id, code);
		else
			log_info("event=netmgmt_answered conn=%d code=%s",
			    sc->id, code[0] ? code : "-");
		return;
	}
	/* 0810: the answer to our key change, or to our sign-on. */
	iso_get_str(&s->rx, 39, rc, sizeof rc);
	iso_get_str(&s->rx, 70, code, sizeof code);
	if (strcmp(code, "161") == 0) {
		log_info("event=key_change_answered conn=%d rc=%s", sc->id,
		    rc[0] ? rc : "-");
		if (strcmp(rc, "00") == 0)
			scheme_key_taken(s);
		return;
	}
	if (strcmp(rc, "00") != 0) {
		log_warnx("event=signon_refused conn=%d de39=%s", sc->id,
		    rc[0] ? rc : "-");
		if (!sc->signed_on && s->phase < 0) {
			s->failed_setup = 1;
			scheme_finish(s);
		}
		return;
	}
	if (!sc->signed_on) {
		sc->signed_on = 1;
		log_info("event=signed_on conn=%d", sc->id);
	}
}

static void
on_message(struct scheme *s, struct sconn *sc, const uint8_t *msg,
    size_t len, uint64_t now)
{
	struct iso_err e;
	const char *m;

	if (iso_unpack(s->rs.prof, &s->rx, msg, len, &e) == -1) {
		if (s->phase >= 0) {
			scheme_cur(s)->decode_err++;
			s->iv->decode_err++;
		}
		if (s->logged_decode++ < MAX_LOGGED)
			log_warnx("event=decode_failed conn=%d len=%zu "
			    "field=%d offset=%zu reason=\"%s\"", sc->id, len,
			    e.field, e.offset, e.msg);
		return;
	}
	m = s->rx.mti;
	if (scheme_mac_check(s, msg, len, &s->rx) == -1) {
		s->mac_bad++;
		if (s->phase >= 0) {
			scheme_cur(s)->mismatch++;
			s->iv->mismatch++;
		}
		log_warnx("event=mac_mismatch conn=%d mti=%s", sc->id, m);
		return;
	}
	if (m[0] == '0' && m[1] == '8') {
		on_netmgmt(s, sc);
		return;
	}
	/* MTI class: odd third digit = a response. */
	if (m[2] == '1' || m[2] == '3') {
		if (s->phase >= 0)
			on_response(s, sc, now);
		return;
	}
	if (m[2] == '0' || m[2] == '2') {
		/* A request the gateway sends us (core OUT_REQUEST), its
		 * repeat or its reversal. */
		if (s->phase >= 0)
			scheme_cur(s)->incoming++;
		if (s->held_out < s->hold_out) {
			s->held_out++;
			log_info("event=incoming_held conn=%d mti=%s", sc->id,
			    m);
			return;
		}
		log_info("event=incoming_answered conn=%d mti=%s", sc->id, m);
		if (sim_answer_build(&s->rx, s->answer_rc, &s->ans) == 0)
			scheme_send(s, sc, &s->ans);
		return;
	}
	if (s->phase >= 0)
		scheme_cur(s)->unexpected++;
}

void
scheme_conn_msg(struct sim_conn *c, const uint8_t *msg, size_t len,
    uint64_t now, void *arg)
{
	struct scheme *s = arg;

	on_message(s, &s->conns[sim_conn_id(c)], msg, len, now);
	/* Refill in batches (an eighth of the window, at least 8) so a
	 * closed loop costs one write per batch, not one per answer; cheap
	 * because the read callback has just flushed. */
	if (s->rate == 0 && !s->stopping && s->phase >= 0 &&
	    s->ring.inflight + s->refill_batch <= s->inflight_cap)
		scheme_refill(s);
}

void
scheme_conn_close(struct sim_conn *c, const char *why, void *arg)
{
	struct scheme *s = arg;
	struct sconn *sc = &s->conns[sim_conn_id(c)];

	if (sc->dead)
		return;
	sc->dead = 1;
	s->nlive--;
	if (!s->stopping || s->ring.inflight > 0)
		log_warnx("event=conn_lost conn=%d reason=\"%s\"%s%s", sc->id,
		    why, s->ngws > 1 ? " gw=" : "",
		    s->ngws > 1 ? s->gws[sc->gw].name : "");
	else
		log_info("event=conn_closed conn=%d reason=\"%s\"", sc->id,
		    why);
	/* Two appliances: the other takes the load; this one is redialled.
	 * The run goes on with none up (requests wait, then time out). */
	if (s->ngws > 1) {
		scheme_gw_lost(s, sc);
		return;
	}
	if (s->nlive == 0) {
		s->stopping = 1;
		if (s->phase < 0)
			s->failed_setup = 1;
		scheme_finish(s);
	}
}
