/*
 * verify.c — card verification through the HSM, one step after the other
 * (ARCHITECTURE section 6, rule 3): CVC1 from track 2, CVC2 from DE48
 * SE92, the ARQC from DE55 (its ARPC kept for the answer), the PIN block
 * from DE52.  A step whose data the request does not carry is passed
 * over; a step that fails declines (82, 88, 55); an HSM that cannot be
 * asked, or answers with an error, declines 91.  The outcome goes to the
 * function the pipeline hands over (si_verified).
 */
#include <string.h>

#include "base/log.h"
#include "hsm/client/hsmclient.h"
#include "gateway/standin/si.h"

/* Whether the request carries the data of a step. */
static int
has_data(const struct sidec *d, int step)
{
	switch (step) {
	case V_CVC1:
		return d->cvv1[0] != '\0';
	case V_CVC2:
		return d->cvc2[0] != '\0';
	case V_ARQC:
		return d->has_arqc;
	case V_PIN:
		return d->pinblock[0] != '\0';
	}
	return 0;
}

static void
on_hsm(const struct hsm_result *r, void *arg)
{
	struct sidec *d = arg;
	int step = d->step - 1;

	d->hsm_pending = 0;
	if (d->pre[0] != '\0') {	/* the deadline answered 91 */
		d->verified(d, NULL, NULL);
		return;
	}
	if (r->status == HSM_OK) {
		if (step == V_ARQC && r->u.arqc.has_arpc) {
			memcpy(d->arpc, r->u.arqc.arpc, 8);
			d->has_arpc = 1;
		}
		si_verify(d, d->verified);
		return;
	}
	if (r->status == HSM_FAIL) {
		d->verified(d, step == V_PIN ? "55" : step == V_ARQC ? "88" :
		    "82", step == V_PIN ? "pin" : step == V_ARQC ? "arqc" :
		    step == V_CVC1 ? "cvc1" : "cvc2");
		return;
	}
	SI.hsm_91++;
	log_warnx("event=standin_hsm_unavailable status=%s error=%s rc=91",
	    hsm_status_str(r->status), r->error);
	d->verified(d, "91", "hsm");
}

/* The PIN against the card's PVV or IBM offset. */
static int
verify_pin(struct sidec *d, const char *zpk, const char *pvk,
    const char *acct)
{
	const char *pv = d->card.pinver;
	char v1[40], v2[40], v3[40];

	if (cards_kv(pv, "PVV", v1, sizeof v1) == 0) {
		if (cards_kv(pv, "PVKI", v2, sizeof v2) == -1 ||
		    strlen(v2) != 1)
			return -1;
		return hsm_verify_pin_pvv(SI.hsm, zpk, pvk, d->pinblock, "01",
		    acct, v2[0], v1, on_hsm, d);
	}
	if (cards_kv(pv, "OFFSET", v1, sizeof v1) == 0 &&
	    cards_kv(pv, "DECTAB", v2, sizeof v2) == 0 &&
	    cards_kv(pv, "VALDATA", v3, sizeof v3) == 0)
		return hsm_verify_pin_ibm(SI.hsm, zpk, pvk, d->pinblock, "01",
		    4, acct, v2, v3, v1, on_hsm, d);
	return -1;
}

/* Asks the HSM for one step: 0 asked, else cannot (no key, bad data). */
static int
hsm_call(struct sidec *d, int step)
{
	char k1[200], k2[200], acct[13];
	const char *keys = d->card.keys;
	size_t pl = strlen(d->pan);
	uint8_t y[8], arc[2] = { '0', '0' };

	switch (step) {
	case V_CVC1:
	case V_CVC2:
		if (cards_kv(keys, "CVK", k1, sizeof k1) == -1)
			return -1;
		return hsm_verify_cvv(SI.hsm, k1, d->pan, d->card.expiry,
		    step == V_CVC1 ? d->svc : "000",
		    step == V_CVC1 ? d->cvv1 : d->cvc2, on_hsm, d);
	case V_ARQC:
		if (cards_kv(keys, "MK-AC", k1, sizeof k1) == -1 ||
		    hsm_emv_option_a_y(d->pan, pl, (const char *)d->psn, y)
		    == -1)
			return -1;
		return hsm_verify_arqc(SI.hsm, k1, 1, y, d->atc, d->un,
		    d->txdata, d->txlen, d->arqc, arc, on_hsm, d);
	case V_PIN:
		/* The account number: the 12 digits before the check digit. */
		if (pl < 13 || cards_kv(keys, "ZPK", k1, sizeof k1) == -1 ||
		    cards_kv(keys, "PVK", k2, sizeof k2) == -1)
			return -1;
		memcpy(acct, d->pan + pl - 13, 12);
		acct[12] = '\0';
		return verify_pin(d, k1, k2, acct);
	}
	return -1;
}

/*
 * The steps from d->step on, in order: those without data are passed
 * over, the first with data goes to the HSM (on_hsm comes back here);
 * when none is left, done(d, NULL, NULL).
 */
void
si_verify(struct sidec *d, si_verified_fn *done)
{
	int step;

	d->verified = done;
	d->stage = ST_HSM;
	while (d->step < V_DONE) {
		step = d->step++;
		if (!has_data(d, step))
			continue;
		if (SI.hsm == NULL) {
			SI.hsm_91++;
			done(d, "91", "no-hsm");
			return;
		}
		if (hsm_call(d, step) != 0) {
			SI.hsm_91++;
			done(d, "91", "hsm");
			return;
		}
		d->hsm_pending = 1;
		return;
	}
	done(d, NULL, NULL);
}
