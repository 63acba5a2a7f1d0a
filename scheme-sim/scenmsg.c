/*
 * scenmsg.c — the messages a scenario sends: a template (a portfolio card
 * with the verification data of its entry mode, as `cards request` makes
 * it, then the file's fields over it), or an earlier send duplicated,
 * repeated (xx1) or reversed (0400 with DE90 naming it); and malformed
 * frames made from a good message.  Messages are built as the iso8583
 * CLI's JSON and read by libiso8583 (json.h), so a field in a scenario
 * file is written as the CLI writes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "iso8583/json.h"
#include "iso8583/mti.h"
#include "scheme-sim/cardsreq.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"

/* Fields a reversal copies from the request it reverses. */
static const int rev_copy[] = { 2, 3, 4, 14, 18, 22, 32, 41, 42, 49 };

static uint32_t
next_stan(struct scen_run *r)
{
	r->stan = r->stan % 999999u + 1u;
	return r->stan;
}

/* The card a template names: a portfolio index (under 12 digits) or a
 * PAN, unknown to the portfolio or not. */
static int
pick_card(struct scen_run *r, const char *card, struct sim_pcard *out)
{
	const struct sim_pcard *c = NULL;
	unsigned long i;

	memset(out, 0, sizeof *out);
	if (strlen(card) < 12) {
		i = strtoul(card, NULL, 10);
		if (!r->have_pf || i >= r->pf.n)
			return scen_fail(r, 0, NULL, NULL, "card %s: %s", card,
			    r->have_pf ? "past the portfolio's last card" :
			    "an index needs --portfolio");
		*out = r->pf.v[i];
		return 0;
	}
	if (r->have_pf)
		c = sim_portfolio_find(&r->pf, card);
	if (c != NULL) {
		*out = *c;
		return 0;
	}
	snprintf(out->pan, sizeof out->pan, "%s", card);
	strcpy(out->exp, "2812");
	strcpy(out->cvv1, "123");
	strcpy(out->cvc2, "123");
	strcpy(out->cur, "826");
	return 0;
}

/* The verification data of a card request; its PIN block under the
 * send's "zpk" when it names one, else under the run's ZPK (the
 * portfolio's, or the last key change's). */
static int
card_vdata(struct scen_run *r, const struct scen_send *s, json_t *f,
    struct reqopts *ro, const struct sim_pcard *c)
{
	uint8_t keep[16];
	int rc;

	if (s->zpk == NULL)
		return req_verification(f, ro, &r->pf, c);
	memcpy(keep, r->pf.zpk, 16);
	rc = hex_decode_exact(s->zpk, 32, r->pf.zpk, 16) == -1 ? -1 :
	    req_verification(f, ro, &r->pf, c);
	memcpy(r->pf.zpk, keep, 16);
	sodium_memzero(keep, sizeof keep);
	return rc;
}

/* The fields of a card request, the verification data of its entry. */
static int
card_fields(struct scen_run *r, const struct scen_send *s, json_t *f,
    uint32_t stan)
{
	static const char *const vdn[] = { "none", "good", "bad",
	    "malformed" };
	struct reqopts ro;
	struct sim_pcard c;
	char de4[16];
	int i, j, *vd[4], rc;

	if (pick_card(r, s->card, &c) == -1)
		return -1;
	memset(&ro, 0, sizeof ro);
	ro.amount = s->amount ? strtoull(s->amount, NULL, 10) : 1000;
	ro.stan = stan;
	strcpy(ro.currency, "826");
	if (s->entry != NULL && req_entry_set(&ro, s->entry) == -1)
		return scen_fail(r, 0, NULL, NULL, "entry \"%s\": %s",
		    s->entry, REQ_ENTRY_NAMES);
	vd[0] = &ro.vd_cvc2, vd[1] = &ro.vd_track2, vd[2] = &ro.vd_arqc;
	vd[3] = &ro.vd_pin;
	for (i = 0; i < 4; i++)
		for (j = 0; s->vd[i] != NULL && j < 4; j++)
			if (strcmp(s->vd[i], vdn[j]) == 0)
				*vd[i] = j;
	snprintf(de4, sizeof de4, "%012llu", (unsigned long long)ro.amount);
	rc = sim_json_set(f, "2", c.pan) || sim_json_set(f, "3", "000000") ||
	    sim_json_set(f, "4", de4) || sim_json_set(f, "12", r->clk.de12) ||
	    sim_json_set(f, "13", r->clk.de13) ||
	    sim_json_set(f, "14", c.exp) || sim_json_set(f, "18", "5411") ||
	    sim_json_set(f, "22", ro.de22[0] ? ro.de22 : "051") ||
	    sim_json_set(f, "32", "005037") ||
	    sim_json_set(f, "41", "TERM0001") ||
	    sim_json_set(f, "42", "SIMMERCHANT0001") ||
	    sim_json_set(f, "49", "826");
	if (rc == 0 && (ro.vd_cvc2 || ro.vd_track2 || ro.vd_arqc ||
	    ro.vd_pin)) {
		if (!r->have_pf)
			rc = scen_fail(r, 0, NULL, NULL, "verification data "
			    "needs --portfolio (its keys)");
		else
			rc = card_vdata(r, s, f, &ro, &c);
	}
	sodium_memzero(&c, sizeof c);
	return rc ? -1 : 0;
}

/* A reversal's fields: the original's, and DE90 naming it as the
 * gateway reads it: MTI, DE11, DE7, DE32 to 11 digits, 11 zeros. */
static int
reversal_fields(struct scen_run *r, const struct iso_msg *orig, json_t *f)
{
	char v[64], key[8], de7[11], de11[7], de32[12];
	size_t i;

	for (i = 0; i < sizeof rev_copy / sizeof rev_copy[0]; i++)
		if (iso_has(orig, rev_copy[i])) {
			scen_field_text(r, orig, rev_copy[i], 1, v, sizeof v);
			snprintf(key, sizeof key, "%d", rev_copy[i]);
			if (sim_json_set(f, key, v) == -1)
				return -1;
		}
	if (iso_get_str(orig, 7, de7, sizeof de7) == -1 ||
	    iso_get_str(orig, 11, de11, sizeof de11) == -1)
		return scen_fail(r, 0, NULL, NULL, "the original has no DE7 "
		    "or DE11 to name in DE90");
	if (iso_get_str(orig, 32, de32, sizeof de32) == -1)
		strcpy(de32, "0");
	snprintf(v, sizeof v, "%s%s%s%011llu%011d", orig->mti, de11, de7,
	    strtoull(de32, NULL, 10), 0);
	return sim_json_set(f, "90", v);
}

/* The file's fields over the template, ${var} replaced; then unset. */
static int
overrides(struct scen_run *r, const struct scen_send *s, json_t *f)
{
	char key[8], val[1024];
	int i;

	for (i = 0; i < s->nf; i++) {
		if (scen_subst(r, s->f[i].val, val, sizeof val) == -1)
			return -1;
		snprintf(key, sizeof key, "%d", s->f[i].field);
		if (sim_json_set(f, key, val) == -1)
			return scen_fail(r, s->f[i].field, NULL, NULL,
			    "field %d: cannot set", s->f[i].field);
	}
	for (i = 0; i < s->nunset; i++) {
		snprintf(key, sizeof key, "%d", s->unset[i]);
		json_object_del(f, key);
	}
	return 0;
}

static const struct scen_sent *
find_sent(struct scen_run *r, const char *name)
{
	int i;

	for (i = r->nsent - 1; i >= 0; i--)
		if (strcmp(r->sent[i].name, name) == 0)
			return &r->sent[i];
	return NULL;
}

/* A duplicate (the same bytes) or a repeat (origin digit's repeat bit). */
static int
copy_of(struct scen_run *r, const struct scen_send *s, struct iso_msg *m)
{
	const struct scen_sent *o = find_sent(r, s->of);

	if (o == NULL)
		return scen_fail(r, 0, NULL, NULL, "no earlier send \"%s\"",
		    s->of);
	iso_msg_copy(m, o->msg);
	if (s->from == SF_REPEAT)
		m->mti[3] = (char)(m->mti[3] | 1);
	return 0;
}

int
scen_build(struct scen_run *r, const struct scen_send *s, uint32_t k,
    struct iso_msg *m)
{
	const struct scen_sent *o = NULL;
	const char *mti = s->mti ? s->mti : s->from == SF_REVERSAL ? "0400" :
	    "0100";
	char v[32], *js, err[200];
	json_t *doc, *f;
	uint32_t stan;
	int rc = -1;

	(void)k;
	if (s->from == SF_DUPLICATE || s->from == SF_REPEAT)
		return copy_of(r, s, m);
	if (s->from == SF_REVERSAL && (o = find_sent(r, s->of)) == NULL)
		return scen_fail(r, 0, NULL, NULL, "no earlier send \"%s\"",
		    s->of);
	sim_clock_update(&r->clk, sim_wall_us());
	stan = next_stan(r);
	if ((f = json_object()) == NULL)
		return scen_fail(r, 0, NULL, NULL, "no memory");
	snprintf(v, sizeof v, "%06u", stan);
	if (sim_json_set(f, "7", r->clk.de7) || sim_json_set(f, "11", v))
		goto out;
	if (s->card != NULL || o != NULL) {
		r->rrn++;
		snprintf(v, sizeof v, "SCN%09u", r->rrn % 1000000000u);
		if (sim_json_set(f, "37", v))
			goto out;
	}
	if ((s->card != NULL && card_fields(r, s, f, stan) == -1) ||
	    (o != NULL && reversal_fields(r, o->msg, f) == -1) ||
	    overrides(r, s, f) == -1)
		goto out;
	if ((doc = json_pack("{s:s, s:O}", "mti", mti, "fields", f)) == NULL)
		goto out;
	js = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (js == NULL)
		goto out;
	if (iso_json_read(r->prof, js, strlen(js), m, err, sizeof err) == 0)
		rc = 0;
	else
		scen_fail(r, 0, NULL, NULL, "the message does not build: %s",
		    err);
	sodium_memzero(js, strlen(js));
	free(js);
out:
	if (rc == -1 && r->res->msg[0] == '\0')
		scen_fail(r, 0, NULL, NULL, "the message does not build");
	json_decref(f);
	return rc;
}

int
scen_vars_of(struct scen_run *r, const char *prefix, const struct iso_msg *m)
{
	char name[64], val[1024];
	int f;

	snprintf(name, sizeof name, "%s.mti", prefix);
	if (scen_var_set(r, name, m->mti) == -1)
		return -1;
	for (f = iso_next(m, 0); f != 0; f = iso_next(m, f)) {
		snprintf(name, sizeof name, "%s.%d", prefix, f);
		scen_field_text(r, m, f, 1, val, sizeof val);
		if (scen_var_set(r, name, val) == -1)
			return -1;
	}
	return 0;
}

/* The primary bitmap announces a field the message does not have, after
 * its last one: the fields before are readable (DE11 among them, for
 * the answer), the announced one runs past the end. */
static int
spoil_bitmap(struct scen_run *r, const struct iso_msg *m, uint8_t *msg,
    size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	int f, last = 0, nib, at;

	for (f = iso_next(m, 0); f != 0 && f <= 64; f = iso_next(m, f))
		last = f;
	if (last >= 64 || len < 4 + 16)
		return scen_fail(r, 0, NULL, NULL, "malformed bitmap: the "
		    "message has field 64 already");
	f = 64;
	if (r->prof->binenc == ISO_BIN_RAW) {
		msg[4 + (f - 1) / 8] |= (uint8_t)(0x80u >> ((f - 1) % 8));
		return 0;
	}
	/* Hex bitmap: character (f-1)/4 holds the bit. */
	at = 4 + (f - 1) / 4;
	nib = hex_nibble(msg[at]);
	if (nib < 0)
		return scen_fail(r, 0, NULL, NULL, "malformed bitmap: not hex");
	msg[at] = (uint8_t)hex[(nib | (8 >> ((f - 1) % 4))) & 15];
	return 0;
}

int
scen_malform(struct scen_run *r, int bad, const struct iso_msg *m,
    uint8_t *out, size_t cap, size_t *len)
{
	struct iso_err ie;
	ssize_t n;
	size_t pl = frame_prefix_len(&r->fr);
	int h;

	n = iso_pack(r->prof, m, out + pl + r->fr.hdrlen,
	    cap - pl - r->fr.hdrlen, &ie);
	if (n < 0)
		return scen_fail(r, ie.field, NULL, NULL, "does not pack: %s",
		    ie.msg);
	if (bad == SB_FIELD && n > 8)
		n -= n / 8 < 4 ? n / 8 : 4;	/* the last field cut short */
	if (bad == SB_BITMAP && spoil_bitmap(r, m, out + pl + r->fr.hdrlen,
	    (size_t)n) == -1)
		return -1;
	if ((h = frame_header(&r->fr, (size_t)n, out, cap)) < 0)
		return scen_fail(r, 0, NULL, NULL, "does not frame");
	*len = (size_t)h + (size_t)n;
	if (bad == SB_LENGTH) {
		/* A prefix announcing more than any message may be: the
		 * gateway cannot find the next frame and must drop the
		 * connection. */
		if (r->fr.kind == FRAME_LEN2)
			out[0] = 0xff, out[1] = 0xff;
		else
			memcpy(out, "9999", 4);
	}
	return 0;
}
