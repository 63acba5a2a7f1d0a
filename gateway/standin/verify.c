/*
 * verify.c — card verification through the HSM, one step after the other
 * (ARCHITECTURE section 6, rule 3).  It fails closed:
 *   1. the entry mode (DE22) says which step is required: chip an ARQC
 *      (DE55), magnetic stripe CVC1 (track 2), card not present CVC2
 *      (DE48 SE92); credential on file nothing, where the range permits
 *      it (57); a missing or unknown entry mode declines (58);
 *   2. then every step in order, CVC1, CVC2, ARQC (its ARPC kept for the
 *      answer), PIN (DE52): a required step without data, a step whose
 *      data is malformed, a card without the key or PIN data a step needs,
 *      and a step the HSM refuses all decline with that step's DE39 (82,
 *      88, 55).  Data the entry mode does not require is verified when
 *      present; a PIN block always is.
 * An HSM that cannot be asked, or fails, declines 91.  The outcome goes to
 * the function the pipeline hands over (si_verified).
 */
#include <string.h>

#include "base/log.h"
#include "hsm/client/hsmclient.h"
#include "gateway/standin/si.h"

/* Each step's DE39 and the names its declines go by. */
static const struct {
	const char	*de39, *bad, *missing, *malformed, *nokey;
} steps[V_DONE] = {
	[V_CVC1] = { "82", "cvc1", "cvc1-missing", "cvc1-malformed",
	    "cvc1-no-card-key" },
	[V_CVC2] = { "82", "cvc2", "cvc2-missing", "cvc2-malformed",
	    "cvc2-no-card-key" },
	[V_ARQC] = { "88", "arqc", "arqc-missing", "arqc-malformed",
	    "arqc-no-card-key" },
	[V_PIN] = { "55", "pin", "pin-missing", "pin-malformed",
	    "pin-no-card-data" },
};

/* The step the entry mode requires, V_DONE for none. */
static int
required(int entry)
{
	switch (entry) {
	case E_CHIP:
		return V_ARQC;
	case E_STRIPE:
		return V_CVC1;
	case E_CNP:
		return V_CVC2;
	}
	return V_DONE;
}

/* PIN block errors (payShield 20: PIN block not valid, 24: PIN too
 * long or short) are the cardholder's data, not the HSM's state. */
static int
pin_data_error(const struct hsm_result *r)
{
	return strcmp(r->error, "20") == 0 || strcmp(r->error, "24") == 0;
}

/* The link's zone PIN key (current, or the previous one), or NULL. */
static const char *
zone_zpk(const struct sidec *d, int prev)
{
	if (SI.ops == NULL || SI.ops->zone_zpk == NULL)
		return NULL;
	return SI.ops->zone_zpk(d->link, prev);
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
	if (step == V_PIN && !d->pin_prev && zone_zpk(d, 1) != NULL &&
	    (r->status == HSM_FAIL || (r->status == HSM_ERROR &&
	    pin_data_error(r)))) {
		/* A PIN block sent under the key before a key change still
		 * in flight (under the wrong key it reads as a bad block or
		 * a wrong PIN): once more under that one. */
		d->pin_prev = 1;
		d->step = V_PIN;
		si_verify(d, d->verified);
		return;
	}
	if (r->status == HSM_FAIL) {
		d->verified(d, steps[step].de39, steps[step].bad);
		return;
	}
	if (step == V_PIN && r->status == HSM_ERROR && pin_data_error(r)) {
		d->verified(d, steps[step].de39, steps[step].malformed);
		return;
	}
	SI.hsm_91++;
	log_warnx("event=standin_hsm_unavailable status=%s error=%s rc=91",
	    hsm_status_str(r->status), r->error);
	d->verified(d, "91", "hsm");
}

#define NO_CARD_DATA	(-2)

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
			return NO_CARD_DATA;
		return hsm_verify_pin_pvv(SI.hsm, zpk, pvk, d->pinblock, "01",
		    acct, v2[0], v1, on_hsm, d);
	}
	if (cards_kv(pv, "OFFSET", v1, sizeof v1) == 0 &&
	    cards_kv(pv, "DECTAB", v2, sizeof v2) == 0 &&
	    cards_kv(pv, "VALDATA", v3, sizeof v3) == 0)
		return hsm_verify_pin_ibm(SI.hsm, zpk, pvk, d->pinblock, "01",
		    4, acct, v2, v3, v1, on_hsm, d);
	return NO_CARD_DATA;
}

/* Asks the HSM for one step: 0 asked, NO_CARD_DATA (the card has no key
 * or PIN data for it), or -1 (the client cannot ask). */
static int
hsm_call(struct sidec *d, int step)
{
	char k1[200], k2[200], acct[13];
	const char *keys = d->card.keys, *zpk;
	size_t pl = strlen(d->pan);
	uint8_t y[8], arc[2] = { '0', '0' };

	switch (step) {
	case V_CVC1:
	case V_CVC2:
		if (cards_kv(keys, "CVK", k1, sizeof k1) == -1)
			return NO_CARD_DATA;
		return hsm_verify_cvv(SI.hsm, k1, d->pan, d->card.expiry,
		    step == V_CVC1 ? d->svc : "000",
		    step == V_CVC1 ? d->cvv1 : d->cvc2, on_hsm, d);
	case V_ARQC:
		if (cards_kv(keys, "MK-AC", k1, sizeof k1) == -1 ||
		    hsm_emv_option_a_y(d->pan, pl, (const char *)d->psn, y)
		    == -1)
			return NO_CARD_DATA;
		return hsm_verify_arqc(SI.hsm, k1, 1, y, d->atc, d->un,
		    d->txdata, d->txlen, d->arqc, arc, on_hsm, d);
	case V_PIN:
		/* The account number: the 12 digits before the check digit.
		 * The PIN block is under the link's ZPK (ZPKFile, then key
		 * changes: gateway/zonekey.c), never a key of the card's:
		 * a zone key belongs to the link the block came over. */
		zpk = zone_zpk(d, d->pin_prev);
		if (pl < 13 || zpk == NULL ||
		    cards_kv(keys, "PVK", k2, sizeof k2) == -1)
			return NO_CARD_DATA;
		memcpy(acct, d->pan + pl - 13, 12);
		acct[12] = '\0';
		return verify_pin(d, zpk, k2, acct);
	}
	return -1;
}

/* Step 1: the entry mode.  NULL, or the DE39 of a decline. */
static const char *
entry_check(struct sidec *d, const char **why)
{
	switch (d->entry) {
	case E_MISSING:
		*why = "entry-mode-missing";
		return "58";
	case E_UNKNOWN:
		*why = "entry-mode-unknown";
		return "58";
	case E_COF:
		if (!d->rng.cof) {
			*why = "cof-not-allowed";
			return "57";
		}
	}
	return NULL;
}

/*
 * The steps from d->step on, in order (the numbered rules above): the
 * first with data goes to the HSM and on_hsm comes back here; when none
 * is left, done(d, NULL, NULL).
 */
void
si_verify(struct sidec *d, si_verified_fn *done)
{
	const char *de39, *why;
	int step, rc;

	d->verified = done;
	d->stage = ST_HSM;
	if (d->step == 0 && (de39 = entry_check(d, &why)) != NULL) {	/* 1 */
		done(d, de39, why);
		return;
	}
	while (d->step < V_DONE) {					/* 2 */
		step = d->step++;
		if (d->vd[step] == VD_NONE) {
			if (step != required(d->entry))
				continue;
			done(d, steps[step].de39, steps[step].missing);
			return;
		}
		if (d->vd[step] == VD_MALFORMED) {
			done(d, steps[step].de39, steps[step].malformed);
			return;
		}
		if (SI.hsm == NULL) {
			SI.hsm_91++;
			done(d, "91", "no-hsm");
			return;
		}
		if ((rc = hsm_call(d, step)) == NO_CARD_DATA) {
			done(d, steps[step].de39, steps[step].nokey);
			return;
		}
		if (rc != 0) {
			SI.hsm_91++;
			done(d, "91", "hsm");
			return;
		}
		d->hsm_pending = 1;
		return;
	}
	done(d, NULL, NULL);
}
