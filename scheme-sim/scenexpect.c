/*
 * scenexpect.c — a scenario's expect step: the message it waits for (the
 * answer to an earlier send, by response MTI and DE11, every one of a
 * burst; or the first with an MTI), the checks (DE39 in a set, fields
 * equal, starting with, matching, present, absent), the variables it
 * saves; or the gateway closing the connection.  A failure names the
 * field, what was expected and what came, masked as the field is.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "iso8583/mask.h"
#include "iso8583/mti.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"

static struct iso_msg scratch;	/* masks an expected value for a report */

/* An expected value as a report may show it: masked as the field is. */
static void
mask_expected(const struct scen_run *r, int field, const char *v, char *out,
    size_t cap)
{
	const struct iso_fdef *d = iso_fdef(r->prof, field);
	uint8_t raw[ISO_BUF_MAX / 2];
	size_t n = strlen(v);

	iso_msg_init(&scratch, "0100");
	if (d != NULL && d->cls == ISO_B) {
		if (n % 2 || n / 2 > sizeof raw || !hex_valid(v, n, 0) ||
		    iso_set(&scratch, field, raw, hex_decode(v, n, raw)) == -1)
			snprintf(out, cap, "(%zu characters)", n);
		else
			mask_field(r->prof, &scratch, field, 0, out, cap);
	} else if (d == NULL || iso_set(&scratch, field, v, n) == -1)
		snprintf(out, cap, "(%zu characters)", n);
	else
		mask_field(r->prof, &scratch, field, 0, out, cap);
	sodium_memzero(&scratch, sizeof scratch);
}

/* One field check of an expect against m. */
static int
check_field(struct scen_run *r, const struct scen_fval *c,
    const struct iso_msg *m)
{
	static const char *const how[] = { "equal to", "starting with",
	    "matching", "present", "absent" };
	char want[1024], got[1024], wm[128], gm[128];
	regex_t re;
	int ok, rc;

	if (c->val != NULL && c->how <= SC_REGEX &&
	    scen_subst(r, c->val, want, sizeof want) == -1)
		return -1;
	scen_field_text(r, m, c->field, 1, got, sizeof got);
	scen_field_text(r, m, c->field, 0, gm, sizeof gm);
	if (!iso_has(m, c->field))
		strcpy(gm, "(absent)");
	switch (c->how) {
	case SC_PRESENT:
		ok = iso_has(m, c->field);
		break;
	case SC_ABSENT:
		ok = !iso_has(m, c->field);
		break;
	case SC_EQUALS:
		ok = iso_has(m, c->field) && strcmp(got, want) == 0;
		break;
	case SC_PREFIX:
		ok = iso_has(m, c->field) &&
		    strncmp(got, want, strlen(want)) == 0;
		break;
	default:
		/* Reported as written (c->val): after ${var} substitution
		 * the pattern can hold a saved clear PAN. */
		if ((rc = regcomp(&re, want, REG_EXTENDED | REG_NOSUB)) != 0) {
			sodium_memzero(got, sizeof got);
			sodium_memzero(want, sizeof want);
			return scen_fail(r, c->field, c->val, NULL, "field %d: "
			    "bad regex \"%s\"", c->field, c->val);
		}
		ok = iso_has(m, c->field) &&
		    regexec(&re, got, 0, NULL, 0) == 0;
		regfree(&re);
	}
	sodium_memzero(got, sizeof got);
	if (ok)
		return 0;
	if (c->how == SC_PRESENT || c->how == SC_ABSENT)
		snprintf(wm, sizeof wm, "%s", how[c->how]);
	else if (c->how == SC_REGEX)
		snprintf(wm, sizeof wm, "/%.120s/", c->val);
	else
		mask_expected(r, c->field, want, wm, sizeof wm);
	if (c->how > SC_REGEX)
		return scen_fail(r, c->field, wm, gm, "%s DE%d: expected %s, "
		    "got %s", m->mti, c->field, wm, gm);
	return scen_fail(r, c->field, wm, gm, "%s DE%d: expected %s %s, got %s",
	    m->mti, c->field, how[c->how], wm, gm);
}

static int
check_msg(struct scen_run *r, const struct scen_expect *e,
    const struct iso_msg *m, const char *of)
{
	char rc[16], want[64], name[48];
	int i;

	if (e->nrc) {
		if (iso_get_str(m, 39, rc, sizeof rc) == -1)
			strcpy(rc, "(absent)");
		for (i = 0; i < e->nrc && strcmp(rc, e->rc[i]) != 0; i++)
			;
		if (i == e->nrc) {
			want[0] = '\0';
			for (i = 0; i < e->nrc; i++)
				snprintf(want + strlen(want), sizeof want -
				    strlen(want), "%s%s", i ? "|" : "",
				    e->rc[i]);
			return scen_fail(r, 39, want, rc, "%s DE39: expected "
			    "%s, got %s", m->mti, want, rc);
		}
	}
	for (i = 0; i < e->nf; i++)
		if (check_field(r, &e->f[i], m) == -1)
			return -1;
	if (of != NULL && *of != '\0') {
		snprintf(name, sizeof name, "%s.resp", of);
		if (scen_vars_of(r, name, m) == -1)
			return -1;
	}
	for (i = 0; i < e->nsave; i++) {
		scen_field_text(r, m, e->save_field[i], 1, want, sizeof want);
		if (!iso_has(m, e->save_field[i]))
			return scen_fail(r, e->save_field[i], "present",
			    "(absent)", "save %s: %s has no DE%d",
			    e->save_var[i], m->mti, e->save_field[i]);
		if (scen_var_set(r, e->save_var[i], want) == -1)
			return -1;
	}
	return 0;
}

/* The inbox message an expect takes, or -1. */
static int
find_in(struct scen_run *r, const struct scen_expect *e,
    const struct scen_sent *s, const char *mti, uint8_t *done)
{
	uint32_t st, k;
	int i;

	for (i = 0; i < r->nin; i++) {
		if (strcmp(r->in[i]->m.mti, mti) != 0)
			continue;
		if (e->any)
			return i;
		st = scen_msg_stan(&r->in[i]->m);
		for (k = 0; k < s->n; k++)
			if (!done[k] && s->stans[k] == st) {
				done[k] = 1;
				return i;
			}
	}
	return -1;
}

static int
expect_closed(struct scen_run *r, uint64_t end)
{
	while (r->fd != -1 && sim_now_ns() < end)
		scen_rx_poll(r, end - sim_now_ns());
	if (r->fd == -1)
		return 0;
	return scen_fail(r, 0, "closed", "open", "the gateway did not close "
	    "the connection");
}

int
scen_step_expect(struct scen_run *r, const struct scen_expect *e)
{
	uint64_t end = sim_now_ns() + e->within_ns;
	const struct scen_sent *s = NULL;
	uint8_t *done = NULL;
	uint32_t need = 1, got = 0;
	char mti[5];
	int i, rc = -1;

	if (e->closed)
		return expect_closed(r, end);
	if (!e->any) {
		for (i = r->nsent - 1; e->of != NULL && i >= 0; i--)
			if (strcmp(r->sent[i].name, e->of) == 0)
				break;
		if ((i = e->of ? i : r->last) < 0)
			return scen_fail(r, 0, NULL, NULL, "expect: no send "
			    "\"%s\" before it", e->of ? e->of : "at all");
		s = &r->sent[i];
		need = s->n;
		if (e->mti != NULL)
			memcpy(mti, e->mti, 5);
		else if (iso_mti_response(s->msg->mti, mti) == -1)
			return scen_fail(r, 0, NULL, NULL, "expect: %s has no "
			    "response MTI", s->msg->mti);
		if ((done = calloc(need, 1)) == NULL)
			return scen_fail(r, 0, NULL, NULL, "no memory");
	} else
		memcpy(mti, e->mti, 5);
	while (got < need) {
		if ((i = find_in(r, e, s, mti, done)) >= 0) {
			if (r->in[i]->mac_bad) {
				scen_fail(r, 64, "a good MAC", "wrong or none",
				    "%s: its MAC is wrong or missing", mti);
				goto out;
			}
			if (check_msg(r, e, &r->in[i]->m, s ? s->name :
			    NULL) == -1)
				goto out;
			free(r->in[i]);
			memmove(&r->in[i], &r->in[i + 1],
			    (size_t)(r->nin - i - 1) * sizeof r->in[0]);
			r->nin--;
			got++;
			continue;
		}
		if (sim_now_ns() >= end) {
			scen_fail(r, 0, mti, "nothing", "timeout: %s %s%s "
			    "within %llu ms (%u of %u)", need > 1 ? "all" :
			    "no", mti, s ? " answering it" : "",
			    (unsigned long long)(e->within_ns / 1000000),
			    got, need);
			goto out;
		}
		if (scen_rx_poll(r, end - sim_now_ns()) == -1 && r->fd == -1) {
			scen_fail(r, 0, mti, "closed", "the connection is "
			    "closed, no %s came", mti);
			goto out;
		}
	}
	rc = 0;
out:
	free(done);
	return rc;
}
