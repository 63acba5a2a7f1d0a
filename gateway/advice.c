/*
 * advice.c — advices from a scheme (0120/0121, 0220/0221, 0420/0421,
 * 0520/0521, 0620/0621): stored durably in the SAF (a reversal advice
 * releasing the stand-in exposure it reverses), acknowledged once
 * durable, and sent on to the core as ADVICE frames by the SAF.  A
 * repeat (xx21) is found by the stand-in store's duplicate key and
 * stored once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/advice.h"
#include "gateway/config.h"
#include "gateway/link.h"
#include "gateway/metrics.h"
#include "gateway/standin/standin.h"

static struct {
	char	 name[CFG_NAME_MAX];
	int	 lab;		/* Durability = none */
} A;

static uint8_t		 body[COREFR_MAX_BODY];

void
advice_configure(const char *name, int lab)
{
	snprintf(A.name, sizeof A.name, "%s", name);
	A.lab = lab;
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

static void
acknowledge(struct link *l, uint64_t conn_id, const struct iso_msg *m,
    uint64_t t0)
{
	struct conn *c;

	if ((c = link_conn(l, conn_id)) == NULL)
		return;
	link_answer(c, m, "00", t0);
}

/* A scheme advice is durable in the SAF: acknowledge it now. */
static void
advice_durable(void *arg, const struct si_result *r)
{
	struct advack *aa = arg;
	struct link *l;

	if (strcmp(r->de39, "00") != 0) {
		/* Not stored: no ack, the scheme repeats it. */
		log_warnx("event=advice_not_stored mti=%s", aa->m.mti);
		advack_free(aa);
		return;
	}
	for (l = link_first(); l != NULL && l != aa->link; l = link_next(l))
		;
	if (l != NULL)
		acknowledge(l, aa->conn_id, &aa->m, aa->t0);
	advack_free(aa);
}

/*
 * A scheme advice: durable first, then acknowledged (the scheme repeats
 * what is not); only in the lab mode (Durability = none) is it
 * acknowledged first and held in memory.
 */
void
advice_scheme(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	struct advack *aa;
	struct tlv_w w;

	if (standin_enabled()) {
		if ((aa = malloc(sizeof *aa)) == NULL)
			return;
		aa->link = c->link;
		aa->conn_id = c->id;
		aa->t0 = t0;
		iso_msg_copy(&aa->m, m);
		if (standin_advice(m, c->link->cf.name, c->link->prof, t0,
		    advice_durable, aa) == 0)
			return;
		advack_free(aa);
		log_warnx("event=advice_not_stored mti=%s reason=\"no memory "
		    "to store it: not acknowledged\"", m->mti);
		return;
	}
	if (!A.lab) {
		/* No store (yet): not acknowledged, so the scheme repeats
		 * it later; said, never silently. */
		log_warnx("event=advice_not_stored mti=%s reason=\"no store: "
		    "not acknowledged\"", m->mti);
		return;
	}
	acknowledge(c->link, c->id, m, t0);
	tlv_w_init(&w, body, sizeof body - 16);
	tlv_put_msg_kept(&w, c->link->prof, m);
	tlv_put_str(&w, TLV_LINK, c->link->cf.name);
	tlv_put_str(&w, TLV_PROFILE, c->link->cf.profile);
	tlv_put_u64(&w, TLV_RECV_TIME, wall_us() - (now_us() - t0));
	tlv_put_str(&w, TLV_GATEWAY, A.name);
	if (!w.err)
		standin_queue(body, w.len, sizeof body);
	sodium_memzero(body, sizeof body);
}
