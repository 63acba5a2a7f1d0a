/*
 * scenfields.c — the send and expect steps of a scenario file: a
 * message's template, fields and origin (duplicate, repeat, reversal);
 * an expect's MTI, DE39 set, field checks and saved variables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/scenparse.h"

#define HEXDIGITS	"0123456789ABCDEFabcdef"

/* "fields" of a send: number -> string. */
static int
send_fields(struct scen_where *w, json_t *obj, struct scen_send *s)
{
	json_t *f = json_object_get(obj, "fields"), *v, *u;
	const char *k;
	size_t i;
	int n;

	if (f != NULL && !json_is_object(f))
		return scen_bad(w, "send: \"fields\" must be an object");
	json_object_foreach(f, k, v) {
		if ((n = scen_field_no(w, k)) == -1)
			return -1;
		if (!json_is_string(v))
			return scen_bad(w, "send: field %d must be a string", n);
		if (s->nf == SCEN_MAX_FIELDS)
			return scen_bad(w, "send: over %d fields", SCEN_MAX_FIELDS);
		s->f[s->nf].field = n;
		s->f[s->nf++].val = json_string_value(v);
	}
	if ((u = json_object_get(obj, "unset")) != NULL &&
	    !json_is_array(u))
		return scen_bad(w, "send: \"unset\" must be a list of fields");
	json_array_foreach(u, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 2 ||
		    json_integer_value(v) > 192 || s->nunset == SCEN_MAX_FIELDS)
			return scen_bad(w, "send: \"unset\" item %zu: want a field "
			    "number", i + 1);
		s->unset[s->nunset++] = (int)json_integer_value(v);
	}
	return 0;
}

/* Which earlier send this one repeats, duplicates or reverses. */
static int
send_from(struct scen_where *w, json_t *obj, struct scen_send *s)
{
	static const char *const keys[] = { "duplicate_of", "repeat_of",
	    "reversal_of" };
	const char *v;
	int i;

	for (i = 0; i < 3; i++) {
		if (scen_opt_str(w, obj, keys[i], &v) == -1)
			return -1;
		if (v == NULL)
			continue;
		if (s->of != NULL)
			return scen_bad(w, "send: one of duplicate_of, repeat_of, "
			    "reversal_of");
		s->of = v;
		s->from = SF_DUPLICATE + i;
	}
	if (s->from != SF_NONE && s->from != SF_REVERSAL &&
	    (s->card || s->nf || s->entry))
		return scen_bad(w, "send: a duplicate or repeat takes no template");
	return 0;
}

int
scen_parse_send(struct scen_where *w, json_t *obj, struct scen_send *s)
{
	static const char *const keys[] = { "as", "mti", "card", "entry",
	    "cvc2", "track2", "arqc", "pin", "amount", "fields", "unset",
	    "duplicate_of", "repeat_of", "reversal_of", "count", "split",
	    "gap", "zpk", "mac", NULL };
	static const char *const macs[] = { "good", "bad", "none" };
	const char *mac;
	static const char *const vds[] = { "good", "bad", "malformed", "none" };
	json_t *card, *cnt, *sp;
	int i, j;

	if (!json_is_object(obj))
		return scen_bad(w, "send: want an object");
	if (scen_only_keys(w, obj, "send", keys) == -1 ||
	    scen_opt_str(w, obj, "as", &s->as) == -1 ||
	    scen_opt_str(w, obj, "mti", &s->mti) == -1 ||
	    scen_opt_str(w, obj, "entry", &s->entry) == -1 ||
	    scen_opt_str(w, obj, "amount", &s->amount) == -1 ||
	    scen_opt_str(w, obj, "cvc2", &s->vd[0]) == -1 ||
	    scen_opt_str(w, obj, "track2", &s->vd[1]) == -1 ||
	    scen_opt_str(w, obj, "arqc", &s->vd[2]) == -1 ||
	    scen_opt_str(w, obj, "pin", &s->vd[3]) == -1 ||
	    scen_opt_dur(w, obj, "gap", 0, &s->gap_ns) == -1 ||
	    scen_opt_str(w, obj, "zpk", &s->zpk) == -1 ||
	    scen_opt_str(w, obj, "mac", &mac) == -1 ||
	    send_fields(w, obj, s) == -1)
		return -1;
	if (s->zpk != NULL && (strlen(s->zpk) != 32 ||
	    strspn(s->zpk, HEXDIGITS) != 32))
		return scen_bad(w, "send: zpk: want 32 hex digits");
	for (i = 0; mac != NULL && i < 3 && strcmp(mac, macs[i]) != 0; i++)
		;
	if (i == 3)
		return scen_bad(w, "send: mac \"%s\": want good, bad or none",
		    mac);
	s->mac = mac ? i : SM_GOOD;
	if (s->mti != NULL && !scen_is_digits(s->mti, 4, 4))
		return scen_bad(w, "send: mti \"%s\" is not 4 digits", s->mti);
	if (s->amount != NULL && !scen_is_digits(s->amount, 1, 12))
		return scen_bad(w, "send: amount \"%s\": want 1-12 digits",
		    s->amount);
	for (i = 0; i < 4; i++) {
		for (j = 0; s->vd[i] && j < 4; j++)
			if (strcmp(s->vd[i], vds[j]) == 0)
				break;
		if (s->vd[i] && j == 4)
			return scen_bad(w, "send: \"%s\": want good, bad, malformed "
			    "or none", s->vd[i]);
	}
	if ((card = json_object_get(obj, "card")) != NULL) {
		if (json_is_integer(card) && json_integer_value(card) >= 0) {
			/* Kept as text: the index or a PAN, one field. */
			char buf[24];

			snprintf(buf, sizeof buf, "%lld",
			    (long long)json_integer_value(card));
			json_object_set_new(obj, "card", json_string(buf));
			card = json_object_get(obj, "card");
		}
		if (!json_is_string(card) ||
		    !scen_is_digits(json_string_value(card), 1, 19))
			return scen_bad(w, "send: \"card\": want a portfolio index "
			    "or a PAN");
		s->card = json_string_value(card);
	}
	s->count = 1;
	if ((cnt = json_object_get(obj, "count")) != NULL) {
		if (!json_is_integer(cnt) || json_integer_value(cnt) < 1 ||
		    json_integer_value(cnt) > SCEN_MAX_BURST)
			return scen_bad(w, "send: \"count\": want 1..%d",
			    SCEN_MAX_BURST);
		s->count = (uint32_t)json_integer_value(cnt);
	}
	if ((sp = json_object_get(obj, "split")) != NULL) {
		if (!json_is_integer(sp) || json_integer_value(sp) < 2 ||
		    json_integer_value(sp) > 64)
			return scen_bad(w, "send: \"split\": want 2..64 pieces");
		s->split = (uint32_t)json_integer_value(sp);
	}
	return send_from(w, obj, s);
}

/* One field check: "text" (equals), "present", "absent", or an object
 * {"equals"|"prefix"|"regex": "..."}. */
static int
parse_check(struct scen_where *w, int field, json_t *v, struct scen_fval *c)
{
	static const char *const hows[] = { "equals", "prefix", "regex" };
	const char *k;
	json_t *x;
	int i;

	c->field = field;
	if (json_is_string(v)) {
		c->val = json_string_value(v);
		c->how = SC_EQUALS;
		if (strcmp(c->val, "present") == 0)
			c->how = SC_PRESENT;
		else if (strcmp(c->val, "absent") == 0)
			c->how = SC_ABSENT;
		return 0;
	}
	if (!json_is_object(v) || json_object_size(v) != 1)
		return scen_bad(w, "expect: field %d: want a string, \"present\", "
		    "\"absent\" or one of equals, prefix, regex", field);
	json_object_foreach(v, k, x) {
		for (i = 0; i < 3; i++)
			if (strcmp(k, hows[i]) == 0)
				break;
		if (i == 3 || !json_is_string(x))
			return scen_bad(w, "expect: field %d: want equals, prefix "
			    "or regex with a string", field);
		c->how = SC_EQUALS + i;
		c->val = json_string_value(x);
	}
	return 0;
}

static int
expect_rc(struct scen_where *w, json_t *obj, struct scen_expect *e)
{
	json_t *rc = json_object_get(obj, "de39"), *v;
	size_t i;

	if (rc == NULL)
		return 0;
	if (json_is_string(rc))
		e->rc[e->nrc++] = json_string_value(rc);
	else if (json_is_array(rc))
		json_array_foreach(rc, i, v) {
			if (!json_is_string(v) || e->nrc == SCEN_MAX_RC)
				return scen_bad(w, "expect: \"de39\": want up to %d "
				    "strings", SCEN_MAX_RC);
			e->rc[e->nrc++] = json_string_value(v);
		}
	else
		return scen_bad(w, "expect: \"de39\": want a string or a list");
	for (i = 0; i < (size_t)e->nrc; i++)
		if (strlen(e->rc[i]) != 2)
			return scen_bad(w, "expect: de39 \"%s\": want 2 characters",
			    e->rc[i]);
	return 0;
}

static int
expect_fields(struct scen_where *w, json_t *obj, struct scen_expect *e)
{
	json_t *f = json_object_get(obj, "fields"), *s, *v;
	const char *k;
	int n;

	if (f != NULL && !json_is_object(f))
		return scen_bad(w, "expect: \"fields\" must be an object");
	json_object_foreach(f, k, v) {
		if ((n = scen_field_no(w, k)) == -1)
			return -1;
		if (e->nf == SCEN_MAX_FIELDS)
			return scen_bad(w, "expect: over %d fields",
			    SCEN_MAX_FIELDS);
		if (parse_check(w, n, v, &e->f[e->nf++]) == -1)
			return -1;
	}
	if ((s = json_object_get(obj, "save")) != NULL && !json_is_object(s))
		return scen_bad(w, "expect: \"save\" must be {\"var\": \"field\"}");
	json_object_foreach(s, k, v) {
		if (!json_is_string(v) || e->nsave == SCEN_MAX_FIELDS ||
		    (n = scen_field_no(w, json_string_value(v))) == -1)
			return scen_bad(w, "expect: save \"%s\": want a field "
			    "number as a string", k);
		e->save_var[e->nsave] = k;
		e->save_field[e->nsave++] = n;
	}
	return 0;
}

int
scen_parse_expect(struct scen_where *w, json_t *obj, uint64_t def_ns,
    struct scen_expect *e)
{
	static const char *const keys[] = { "of", "mti", "any", "closed",
	    "de39", "fields", "save", "within", NULL };

	if (!json_is_object(obj))
		return scen_bad(w, "expect: want an object");
	if (scen_only_keys(w, obj, "expect", keys) == -1 ||
	    scen_opt_str(w, obj, "of", &e->of) == -1 ||
	    scen_opt_str(w, obj, "mti", &e->mti) == -1 ||
	    scen_opt_dur(w, obj, "within", def_ns, &e->within_ns) == -1 ||
	    expect_rc(w, obj, e) == -1 || expect_fields(w, obj, e) == -1)
		return -1;
	e->any = json_is_true(json_object_get(obj, "any"));
	e->closed = json_is_true(json_object_get(obj, "closed"));
	if (e->mti != NULL && !scen_is_digits(e->mti, 4, 4))
		return scen_bad(w, "expect: mti \"%s\" is not 4 digits", e->mti);
	if (e->any && e->mti == NULL)
		return scen_bad(w, "expect: \"any\" needs an mti");
	if (e->closed && (e->nrc || e->nf || e->any || e->mti))
		return scen_bad(w, "expect: \"closed\" checks no message");
	return 0;
}


int
scen_parse_key_change(struct scen_where *w, json_t *obj,
    struct scen_keychg *k)
{
	static const char *const keys[] = { "kind", "key", "kcv", "as",
	    NULL };
	const char *kind;

	if (!json_is_object(obj) || scen_only_keys(w, obj, "key_change",
	    keys) == -1 || scen_opt_str(w, obj, "kind", &kind) == -1 ||
	    scen_opt_str(w, obj, "key", &k->key) == -1 ||
	    scen_opt_str(w, obj, "kcv", &k->kcv) == -1 ||
	    scen_opt_str(w, obj, "as", &k->as) == -1)
		return scen_bad(w, "key_change: want {\"kind\": P|M, "
		    "\"key\": 32H, \"kcv\": 6H, \"as\": NAME}");
	if (kind == NULL || (strcmp(kind, "P") != 0 && strcmp(kind, "M") !=
	    0))
		return scen_bad(w, "key_change: kind: want P (ZPK) or M (MAC "
		    "key)");
	k->kind = kind[0];
	if (k->key == NULL || strlen(k->key) != 32 ||
	    strspn(k->key, HEXDIGITS) != 32)
		return scen_bad(w, "key_change: key: want 32 hex digits");
	if (k->kcv != NULL && (strlen(k->kcv) != 6 ||
	    strspn(k->kcv, HEXDIGITS) != 6))
		return scen_bad(w, "key_change: kcv: want 6 hex digits");
	return 0;
}

int
scen_parse_answer(struct scen_where *w, json_t *obj, uint64_t def_ns,
    struct scen_step *st)
{
	static const char *const keys[] = { "mti", "de39", "within", NULL };

	if (!json_is_object(obj) || scen_only_keys(w, obj, "answer",
	    keys) == -1 || scen_opt_str(w, obj, "mti", &st->mti) == -1 ||
	    scen_opt_str(w, obj, "de39", &st->rc) == -1 ||
	    scen_opt_dur(w, obj, "within", def_ns, &st->ns) == -1)
		return scen_bad(w, "answer: want {\"mti\": MTI, \"de39\": "
		    "RC, \"within\": D}");
	if (st->mti == NULL || !scen_is_digits(st->mti, 4, 4))
		return scen_bad(w, "answer: mti: want the 4 digits of a "
		    "message the gateway sends");
	if (st->rc == NULL)
		st->rc = "00";
	if (strlen(st->rc) != 2)
		return scen_bad(w, "answer: de39 \"%s\": want 2 characters",
		    st->rc);
	return 0;
}
