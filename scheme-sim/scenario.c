/*
 * scenario.c — a scenario file (JSON, jansson) into the plain structures
 * of scenario.h.  Everything the runner needs is checked here, so a typo
 * in a file is an error naming its case and step before anything is sent,
 * not a surprise in the middle of a run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/parse.h"
#include "scheme-sim/scenario.h"

#define DEFAULT_WITHIN_NS	2000000000ull

static const char *const kind_names[SK_NKINDS] = {
	"send", "expect", "wait", "connect", "disconnect", "echo",
	"malformed", "core", "core_expect", "action",
};

/* Where an error is: set before each step is read. */
struct where {
	char	*err;
	size_t	 errsz;
	int	 ci, si;	/* -1: not in one */
	const char *cname;
};

const char *
scen_kind_name(int kind)
{
	return kind >= 0 && kind < SK_NKINDS ? kind_names[kind] : "?";
}

static int	bad(struct where *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
bad(struct where *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (w->ci < 0)
		snprintf(w->err, w->errsz, "%s", msg);
	else if (w->si < 0)
		snprintf(w->err, w->errsz, "case %d \"%s\": %s", w->ci + 1,
		    w->cname ? w->cname : "", msg);
	else
		snprintf(w->err, w->errsz, "case %d \"%s\" step %d: %s",
		    w->ci + 1, w->cname ? w->cname : "", w->si + 1, msg);
	return -1;
}

/* Each key of obj must be one of the names (NULL-terminated). */
static int
only_keys(struct where *w, json_t *obj, const char *what,
    const char *const *names)
{
	const char *k, *const *n;
	json_t *v;

	json_object_foreach(obj, k, v) {
		for (n = names; *n != NULL; n++)
			if (strcmp(*n, k) == 0)
				break;
		if (*n == NULL)
			return bad(w, "%s: unknown key \"%s\"", what, k);
	}
	return 0;
}

/* A string member, or NULL; -1 if present and not a string. */
static int
opt_str(struct where *w, json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return bad(w, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

/* A duration member ("2s", "150ms"), or def. */
static int
opt_dur(struct where *w, json_t *obj, const char *key, uint64_t def,
    uint64_t *out)
{
	const char *s;

	*out = def;
	if (opt_str(w, obj, key, &s) == -1)
		return -1;
	if (s != NULL && sim_parse_duration(s, out) == -1)
		return bad(w, "\"%s\": bad duration \"%s\"", key, s);
	return 0;
}

/* A data element number, 2..192 (as a JSON key). */
static int
field_no(struct where *w, const char *k)
{
	char *end;
	long n = strtol(k, &end, 10);

	if (*k == '\0' || *end != '\0' || n < 2 || n > 192)
		return bad(w, "\"%s\" is not a field number (2..192)", k);
	return (int)n;
}

static int
is_digits(const char *s, size_t lo, size_t hi)
{
	size_t n = strlen(s);

	return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

/* "fields" of a send: number -> string. */
static int
send_fields(struct where *w, json_t *obj, struct scen_send *s)
{
	json_t *f = json_object_get(obj, "fields"), *v, *u;
	const char *k;
	size_t i;
	int n;

	if (f != NULL && !json_is_object(f))
		return bad(w, "send: \"fields\" must be an object");
	json_object_foreach(f, k, v) {
		if ((n = field_no(w, k)) == -1)
			return -1;
		if (!json_is_string(v))
			return bad(w, "send: field %d must be a string", n);
		if (s->nf == SCEN_MAX_FIELDS)
			return bad(w, "send: over %d fields", SCEN_MAX_FIELDS);
		s->f[s->nf].field = n;
		s->f[s->nf++].val = json_string_value(v);
	}
	if ((u = json_object_get(obj, "unset")) != NULL &&
	    !json_is_array(u))
		return bad(w, "send: \"unset\" must be a list of fields");
	json_array_foreach(u, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 2 ||
		    json_integer_value(v) > 192 || s->nunset == SCEN_MAX_FIELDS)
			return bad(w, "send: \"unset\" item %zu: want a field "
			    "number", i + 1);
		s->unset[s->nunset++] = (int)json_integer_value(v);
	}
	return 0;
}

/* Which earlier send this one repeats, duplicates or reverses. */
static int
send_from(struct where *w, json_t *obj, struct scen_send *s)
{
	static const char *const keys[] = { "duplicate_of", "repeat_of",
	    "reversal_of" };
	const char *v;
	int i;

	for (i = 0; i < 3; i++) {
		if (opt_str(w, obj, keys[i], &v) == -1)
			return -1;
		if (v == NULL)
			continue;
		if (s->of != NULL)
			return bad(w, "send: one of duplicate_of, repeat_of, "
			    "reversal_of");
		s->of = v;
		s->from = SF_DUPLICATE + i;
	}
	if (s->from != SF_NONE && s->from != SF_REVERSAL &&
	    (s->card || s->nf || s->entry))
		return bad(w, "send: a duplicate or repeat takes no template");
	return 0;
}

static int
parse_send(struct where *w, json_t *obj, struct scen_send *s)
{
	static const char *const keys[] = { "as", "mti", "card", "entry",
	    "cvc2", "track2", "arqc", "pin", "amount", "fields", "unset",
	    "duplicate_of", "repeat_of", "reversal_of", "count", "split",
	    "gap", NULL };
	static const char *const vds[] = { "good", "bad", "malformed", "none" };
	json_t *card, *cnt, *sp;
	int i, j;

	if (!json_is_object(obj))
		return bad(w, "send: want an object");
	if (only_keys(w, obj, "send", keys) == -1 ||
	    opt_str(w, obj, "as", &s->as) == -1 ||
	    opt_str(w, obj, "mti", &s->mti) == -1 ||
	    opt_str(w, obj, "entry", &s->entry) == -1 ||
	    opt_str(w, obj, "amount", &s->amount) == -1 ||
	    opt_str(w, obj, "cvc2", &s->vd[0]) == -1 ||
	    opt_str(w, obj, "track2", &s->vd[1]) == -1 ||
	    opt_str(w, obj, "arqc", &s->vd[2]) == -1 ||
	    opt_str(w, obj, "pin", &s->vd[3]) == -1 ||
	    opt_dur(w, obj, "gap", 0, &s->gap_ns) == -1 ||
	    send_fields(w, obj, s) == -1)
		return -1;
	if (s->mti != NULL && !is_digits(s->mti, 4, 4))
		return bad(w, "send: mti \"%s\" is not 4 digits", s->mti);
	if (s->amount != NULL && !is_digits(s->amount, 1, 12))
		return bad(w, "send: amount \"%s\": want 1-12 digits",
		    s->amount);
	for (i = 0; i < 4; i++) {
		for (j = 0; s->vd[i] && j < 4; j++)
			if (strcmp(s->vd[i], vds[j]) == 0)
				break;
		if (s->vd[i] && j == 4)
			return bad(w, "send: \"%s\": want good, bad, malformed "
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
		    !is_digits(json_string_value(card), 1, 19))
			return bad(w, "send: \"card\": want a portfolio index "
			    "or a PAN");
		s->card = json_string_value(card);
	}
	s->count = 1;
	if ((cnt = json_object_get(obj, "count")) != NULL) {
		if (!json_is_integer(cnt) || json_integer_value(cnt) < 1 ||
		    json_integer_value(cnt) > SCEN_MAX_BURST)
			return bad(w, "send: \"count\": want 1..%d",
			    SCEN_MAX_BURST);
		s->count = (uint32_t)json_integer_value(cnt);
	}
	if ((sp = json_object_get(obj, "split")) != NULL) {
		if (!json_is_integer(sp) || json_integer_value(sp) < 2 ||
		    json_integer_value(sp) > 64)
			return bad(w, "send: \"split\": want 2..64 pieces");
		s->split = (uint32_t)json_integer_value(sp);
	}
	return send_from(w, obj, s);
}

/* One field check: "text" (equals), "present", "absent", or an object
 * {"equals"|"prefix"|"regex": "..."}. */
static int
parse_check(struct where *w, int field, json_t *v, struct scen_fval *c)
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
		return bad(w, "expect: field %d: want a string, \"present\", "
		    "\"absent\" or one of equals, prefix, regex", field);
	json_object_foreach(v, k, x) {
		for (i = 0; i < 3; i++)
			if (strcmp(k, hows[i]) == 0)
				break;
		if (i == 3 || !json_is_string(x))
			return bad(w, "expect: field %d: want equals, prefix "
			    "or regex with a string", field);
		c->how = SC_EQUALS + i;
		c->val = json_string_value(x);
	}
	return 0;
}

static int
expect_rc(struct where *w, json_t *obj, struct scen_expect *e)
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
				return bad(w, "expect: \"de39\": want up to %d "
				    "strings", SCEN_MAX_RC);
			e->rc[e->nrc++] = json_string_value(v);
		}
	else
		return bad(w, "expect: \"de39\": want a string or a list");
	for (i = 0; i < (size_t)e->nrc; i++)
		if (strlen(e->rc[i]) != 2)
			return bad(w, "expect: de39 \"%s\": want 2 characters",
			    e->rc[i]);
	return 0;
}

static int
expect_fields(struct where *w, json_t *obj, struct scen_expect *e)
{
	json_t *f = json_object_get(obj, "fields"), *s, *v;
	const char *k;
	int n;

	if (f != NULL && !json_is_object(f))
		return bad(w, "expect: \"fields\" must be an object");
	json_object_foreach(f, k, v) {
		if ((n = field_no(w, k)) == -1)
			return -1;
		if (e->nf == SCEN_MAX_FIELDS)
			return bad(w, "expect: over %d fields",
			    SCEN_MAX_FIELDS);
		if (parse_check(w, n, v, &e->f[e->nf++]) == -1)
			return -1;
	}
	if ((s = json_object_get(obj, "save")) != NULL && !json_is_object(s))
		return bad(w, "expect: \"save\" must be {\"var\": \"field\"}");
	json_object_foreach(s, k, v) {
		if (!json_is_string(v) || e->nsave == SCEN_MAX_FIELDS ||
		    (n = field_no(w, json_string_value(v))) == -1)
			return bad(w, "expect: save \"%s\": want a field "
			    "number as a string", k);
		e->save_var[e->nsave] = k;
		e->save_field[e->nsave++] = n;
	}
	return 0;
}

static int
parse_expect(struct where *w, json_t *obj, uint64_t def_ns,
    struct scen_expect *e)
{
	static const char *const keys[] = { "of", "mti", "any", "closed",
	    "de39", "fields", "save", "within", NULL };

	if (!json_is_object(obj))
		return bad(w, "expect: want an object");
	if (only_keys(w, obj, "expect", keys) == -1 ||
	    opt_str(w, obj, "of", &e->of) == -1 ||
	    opt_str(w, obj, "mti", &e->mti) == -1 ||
	    opt_dur(w, obj, "within", def_ns, &e->within_ns) == -1 ||
	    expect_rc(w, obj, e) == -1 || expect_fields(w, obj, e) == -1)
		return -1;
	e->any = json_is_true(json_object_get(obj, "any"));
	e->closed = json_is_true(json_object_get(obj, "closed"));
	if (e->mti != NULL && !is_digits(e->mti, 4, 4))
		return bad(w, "expect: mti \"%s\" is not 4 digits", e->mti);
	if (e->any && e->mti == NULL)
		return bad(w, "expect: \"any\" needs an mti");
	if (e->closed && (e->nrc || e->nf || e->any || e->mti))
		return bad(w, "expect: \"closed\" checks no message");
	return 0;
}

/* "core": "CMD" or {"target": NAME, "cmd": "CMD"}; core_expect. */
static int
parse_core(struct where *w, json_t *v, struct scen_step *st)
{
	static const char *const keys[] = { "target", "cmd", "counters",
	    "within", NULL };
	json_t *c, *x;
	const char *k;

	if (st->kind == SK_CORE && json_is_string(v)) {
		st->text = json_string_value(v);
		return 0;
	}
	if (!json_is_object(v) || only_keys(w, v, scen_kind_name(st->kind),
	    keys) == -1 || opt_str(w, v, "target", &st->target) == -1 ||
	    opt_str(w, v, "cmd", &st->text) == -1 ||
	    opt_dur(w, v, "within", 10000000000ull, &st->ns) == -1)
		return bad(w, "%s: want a command or {\"target\", %s}",
		    scen_kind_name(st->kind), st->kind == SK_CORE ? "\"cmd\"" :
		    "\"counters\", \"within\"");
	if (st->kind == SK_CORE)
		return st->text ? 0 : bad(w, "core: no \"cmd\"");
	if ((c = json_object_get(v, "counters")) == NULL || !json_is_object(c)
	    || json_object_size(c) == 0 || json_object_size(c) > 8)
		return bad(w, "core_expect: \"counters\": want 1..8 "
		    "{\"name\": N}");
	json_object_foreach(c, k, x) {
		st->ctr[st->nctr].name = k;
		if (json_is_string(x) && strncmp(json_string_value(x), ">=",
		    2) == 0 && is_digits(json_string_value(x) + 2, 1, 18)) {
			st->ctr[st->nctr].at_least = 1;
			st->ctr[st->nctr++].val = strtoull(
			    json_string_value(x) + 2, NULL, 10);
			continue;
		}
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return bad(w, "core_expect: counter %s: want N or "
			    "\">=N\"", k);
		st->ctr[st->nctr++].val = (uint64_t)json_integer_value(x);
	}
	return 0;
}

static int
parse_malformed(struct where *w, json_t *v, struct scen_step *st)
{
	static const char *const keys[] = { "kind", "send", NULL };
	static const char *const kinds[] = { "length", "bitmap", "field" };
	const char *k = NULL;
	json_t *s;
	int i;

	if (!json_is_object(v) || only_keys(w, v, "malformed", keys) == -1 ||
	    opt_str(w, v, "kind", &k) == -1 || k == NULL)
		return bad(w, "malformed: want {\"kind\": length|bitmap|field, "
		    "\"send\": {...}}");
	for (i = 0; i < 3 && strcmp(k, kinds[i]) != 0; i++)
		;
	if (i == 3)
		return bad(w, "malformed: kind \"%s\": want length, bitmap or "
		    "field", k);
	st->bad = i;
	if ((st->send = calloc(1, sizeof *st->send)) == NULL)
		return bad(w, "no memory");
	s = json_object_get(v, "send");
	if (s == NULL) {
		st->send->count = 1;
		return 0;
	}
	if (parse_send(w, s, st->send) == -1)
		return -1;
	if (st->send->count != 1 || st->send->split)
		return bad(w, "malformed: one message, written whole");
	return 0;
}

/* The step's own value, by its kind. */
static int
parse_kind(struct where *w, json_t *v, uint64_t def_ns, struct scen_step *st)
{
	switch (st->kind) {
	case SK_SEND:
		if ((st->send = calloc(1, sizeof *st->send)) == NULL)
			return bad(w, "no memory");
		return parse_send(w, v, st->send);
	case SK_EXPECT:
		if ((st->expect = calloc(1, sizeof *st->expect)) == NULL)
			return bad(w, "no memory");
		return parse_expect(w, v, def_ns, st->expect);
	case SK_WAIT:
		if (!json_is_string(v) ||
		    sim_parse_duration(json_string_value(v), &st->ns) == -1)
			return bad(w, "wait: want a duration (\"200ms\")");
		return 0;
	case SK_CONNECT:
		st->ns = 10000000000ull;
		if (json_is_string(v) &&
		    sim_parse_duration(json_string_value(v), &st->ns) == 0)
			return 0;
		return json_is_true(v) ? 0 :
		    bad(w, "connect: want true or a duration to retry for");
	case SK_DISCONNECT:
		return json_is_true(v) ? 0 : bad(w, "disconnect: want true");
	case SK_ECHO:
		if (json_is_string(v) && (strcmp(json_string_value(v),
		    "answer") == 0 || strcmp(json_string_value(v),
		    "ignore") == 0)) {
			st->on = json_string_value(v)[0] == 'a';
			return 0;
		}
		return bad(w, "echo: want \"answer\" or \"ignore\"");
	case SK_MALFORMED:
		return parse_malformed(w, v, st);
	case SK_CORE:
	case SK_CORE_EXPECT:
		return parse_core(w, v, st);
	default:	/* SK_ACTION */
		if (!json_is_string(v) || json_string_length(v) == 0)
			return bad(w, "action: want an action's name");
		st->text = json_string_value(v);
		return 0;
	}
}

static int
parse_step(struct where *w, json_t *obj, uint64_t def_ns, struct scen_step *st)
{
	const char *k;
	json_t *v, *val = NULL;
	int i;

	if (!json_is_object(obj))
		return bad(w, "want an object");
	st->kind = -1;
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "name") == 0) {
			if (!json_is_string(v))
				return bad(w, "\"name\" must be a string");
			st->label = json_string_value(v);
			continue;
		}
		for (i = 0; i < SK_NKINDS && strcmp(k, kind_names[i]) != 0;
		    i++)
			;
		if (i == SK_NKINDS)
			return bad(w, "unknown step \"%s\"", k);
		if (st->kind != -1)
			return bad(w, "two kinds in one step (%s, %s)",
			    kind_names[st->kind], k);
		st->kind = i;
		val = v;
	}
	if (st->kind == -1)
		return bad(w, "no step kind (send, expect, wait, ...)");
	return parse_kind(w, val, def_ns, st);
}

/* A list of steps ("steps", "finally") into *out. */
static int
parse_steps(struct where *w, json_t *steps, int first, uint64_t def_ns,
    struct scen_step **out, int *n)
{
	json_t *s;
	size_t i;

	if ((*out = calloc(json_array_size(steps), sizeof **out)) == NULL)
		return bad(w, "no memory");
	json_array_foreach(steps, i, s) {
		w->si = first + (int)i;
		*n = (int)i + 1;
		if (parse_step(w, s, def_ns, &(*out)[i]) == -1)
			return -1;
	}
	w->si = -1;
	return 0;
}

static int
parse_case(struct where *w, json_t *obj, uint64_t def_ns, struct scen_case *c)
{
	static const char *const keys[] = { "name", "description", "steps",
	    "finally", NULL };
	json_t *steps, *fin;

	if (!json_is_object(obj))
		return bad(w, "want an object");
	if (opt_str(w, obj, "name", &c->name) == -1 || c->name == NULL ||
	    *c->name == '\0')
		return bad(w, "no \"name\"");
	w->cname = c->name;
	if (only_keys(w, obj, "case", keys) == -1 ||
	    opt_str(w, obj, "description", &c->about) == -1)
		return -1;
	steps = json_object_get(obj, "steps");
	if (!json_is_array(steps) || json_array_size(steps) == 0 ||
	    json_array_size(steps) > SCEN_MAX_STEPS)
		return bad(w, "\"steps\": want a list of 1..%d steps",
		    SCEN_MAX_STEPS);
	if (parse_steps(w, steps, 0, def_ns, &c->steps, &c->nsteps) == -1)
		return -1;
	if ((fin = json_object_get(obj, "finally")) == NULL)
		return 0;
	if (!json_is_array(fin) || json_array_size(fin) > SCEN_MAX_STEPS)
		return bad(w, "\"finally\": want a list of up to %d steps",
		    SCEN_MAX_STEPS);
	return parse_steps(w, fin, c->nsteps, def_ns, &c->fin, &c->nfin);
}

static int
parse_doc(struct scen_file *sf, struct where *w)
{
	static const char *const keys[] = { "scenario", "description",
	    "within", "cases", NULL };
	json_t *cases, *c;
	const char *about;
	size_t i, j;

	if (!json_is_object(sf->doc))
		return bad(w, "want a JSON object with \"cases\"");
	if (only_keys(w, sf->doc, "file", keys) == -1 ||
	    opt_str(w, sf->doc, "scenario", &sf->title) == -1 ||
	    opt_str(w, sf->doc, "description", &about) == -1 ||
	    opt_dur(w, sf->doc, "within", DEFAULT_WITHIN_NS,
	    &sf->within_ns) == -1)
		return -1;
	cases = json_object_get(sf->doc, "cases");
	if (!json_is_array(cases) || json_array_size(cases) == 0 ||
	    json_array_size(cases) > SCEN_MAX_CASES)
		return bad(w, "\"cases\": want a list of 1..%d cases",
		    SCEN_MAX_CASES);
	if ((sf->cases = calloc(json_array_size(cases), sizeof *sf->cases)) ==
	    NULL)
		return bad(w, "no memory");
	json_array_foreach(cases, i, c) {
		w->ci = (int)i;
		w->cname = NULL;
		sf->ncases = (int)i + 1;
		if (parse_case(w, c, sf->within_ns, &sf->cases[i]) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(sf->cases[j].name, sf->cases[i].name) == 0)
				return bad(w, "a second case of this name");
	}
	return 0;
}

int
scen_parse(struct scen_file *sf, const char *text, size_t len, char *err,
    size_t errsz)
{
	struct where w = { err, errsz, -1, -1, NULL };
	json_error_t je;

	memset(sf, 0, sizeof *sf);
	sf->path = "-";
	/* Duplicate keys would silently lose a check: refused. */
	sf->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (sf->doc == NULL) {
		snprintf(err, errsz, "line %d column %d: %s", je.line,
		    je.column, je.text);
		return -1;
	}
	if (parse_doc(sf, &w) == -1) {
		scen_file_free(sf);
		return -1;
	}
	return 0;
}

int
scen_load(struct scen_file *sf, const char *path, char *err, size_t errsz)
{
	char msg[256];
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	int rc;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: cannot open", path);
		return -1;
	}
	do {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 16384;
			if (cap > (16u << 20) || (nb = realloc(buf, cap)) ==
			    NULL) {
				free(buf);
				fclose(f);
				snprintf(err, errsz, "%s: too big", path);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	rc = scen_parse(sf, buf, len, msg, sizeof msg);
	free(buf);
	if (rc == -1)
		snprintf(err, errsz, "%s: %s", path, msg);
	else
		sf->path = path;
	return rc;
}

static void
free_steps(struct scen_step *v, int n)
{
	int j;

	for (j = 0; v != NULL && j < n; j++) {
		free(v[j].send);
		free(v[j].expect);
	}
	free(v);
}

void
scen_file_free(struct scen_file *sf)
{
	int i;

	for (i = 0; i < sf->ncases; i++) {
		free_steps(sf->cases[i].steps, sf->cases[i].nsteps);
		free_steps(sf->cases[i].fin, sf->cases[i].nfin);
	}
	free(sf->cases);
	json_decref(sf->doc);
	memset(sf, 0, sizeof *sf);
}
