/*
 * scenario.c — a scenario file (JSON, jansson) into the plain structures
 * of scenario.h.  Everything the runner needs is checked here, so a typo
 * in a file is an error naming its case and step before anything is sent,
 * not a surprise in the middle of a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/parse.h"
#include "scheme-sim/scenario.h"
#include "scheme-sim/scenparse.h"

#define DEFAULT_WITHIN_NS	2000000000ull

static const char *const kind_names[SK_NKINDS] = {
	"send", "expect", "wait", "connect", "disconnect", "echo",
	"malformed", "core", "core_expect", "action", "key_change", "hold",
	"answer",
};

const char *
scen_kind_name(int kind)
{
	return kind >= 0 && kind < SK_NKINDS ? kind_names[kind] : "?";
}

/* "core": "CMD" or {"target": NAME, "cmd": "CMD"}; core_expect. */
static int
parse_core(struct scen_where *w, json_t *v, struct scen_step *st)
{
	static const char *const keys[] = { "target", "cmd", "counters",
	    "within", NULL };
	json_t *c, *x;
	const char *k;

	if (st->kind == SK_CORE && json_is_string(v)) {
		st->text = json_string_value(v);
		return 0;
	}
	if (!json_is_object(v) || scen_only_keys(w, v, scen_kind_name(st->kind),
	    keys) == -1 || scen_opt_str(w, v, "target", &st->target) == -1 ||
	    scen_opt_str(w, v, "cmd", &st->text) == -1 ||
	    scen_opt_dur(w, v, "within", 10000000000ull, &st->ns) == -1)
		return scen_bad(w, "%s: want a command or {\"target\", %s}",
		    scen_kind_name(st->kind), st->kind == SK_CORE ? "\"cmd\"" :
		    "\"counters\", \"within\"");
	if (st->kind == SK_CORE)
		return st->text ? 0 : scen_bad(w, "core: no \"cmd\"");
	if ((c = json_object_get(v, "counters")) == NULL || !json_is_object(c)
	    || json_object_size(c) == 0 || json_object_size(c) > 8)
		return scen_bad(w, "core_expect: \"counters\": want 1..8 "
		    "{\"name\": N}");
	json_object_foreach(c, k, x) {
		st->ctr[st->nctr].name = k;
		if (json_is_string(x) && strncmp(json_string_value(x), ">=",
		    2) == 0 && scen_is_digits(json_string_value(x) + 2, 1, 18)) {
			st->ctr[st->nctr].at_least = 1;
			st->ctr[st->nctr++].val = strtoull(
			    json_string_value(x) + 2, NULL, 10);
			continue;
		}
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return scen_bad(w, "core_expect: counter %s: want N or "
			    "\">=N\"", k);
		st->ctr[st->nctr++].val = (uint64_t)json_integer_value(x);
	}
	return 0;
}

static int
parse_malformed(struct scen_where *w, json_t *v, struct scen_step *st)
{
	static const char *const keys[] = { "kind", "send", NULL };
	static const char *const kinds[] = { "length", "bitmap", "field" };
	const char *k = NULL;
	json_t *s;
	int i;

	if (!json_is_object(v) || scen_only_keys(w, v, "malformed", keys) == -1 ||
	    scen_opt_str(w, v, "kind", &k) == -1 || k == NULL)
		return scen_bad(w, "malformed: want {\"kind\": length|bitmap|field, "
		    "\"send\": {...}}");
	for (i = 0; i < 3 && strcmp(k, kinds[i]) != 0; i++)
		;
	if (i == 3)
		return scen_bad(w, "malformed: kind \"%s\": want length, bitmap or "
		    "field", k);
	st->bad = i;
	if ((st->send = calloc(1, sizeof *st->send)) == NULL)
		return scen_bad(w, "no memory");
	s = json_object_get(v, "send");
	if (s == NULL) {
		st->send->count = 1;
		return 0;
	}
	if (scen_parse_send(w, s, st->send) == -1)
		return -1;
	if (st->send->count != 1 || st->send->split)
		return scen_bad(w, "malformed: one message, written whole");
	return 0;
}

/* The step's own value, by its kind. */
static int
parse_kind(struct scen_where *w, json_t *v, uint64_t def_ns,
    struct scen_step *st)
{
	switch (st->kind) {
	case SK_SEND:
		if ((st->send = calloc(1, sizeof *st->send)) == NULL)
			return scen_bad(w, "no memory");
		return scen_parse_send(w, v, st->send);
	case SK_EXPECT:
		if ((st->expect = calloc(1, sizeof *st->expect)) == NULL)
			return scen_bad(w, "no memory");
		return scen_parse_expect(w, v, def_ns, st->expect);
	case SK_WAIT:
		if (!json_is_string(v) ||
		    sim_parse_duration(json_string_value(v), &st->ns) == -1)
			return scen_bad(w, "wait: want a duration (\"200ms\")");
		return 0;
	case SK_CONNECT:
		st->ns = 10000000000ull;
		if (json_is_string(v) &&
		    sim_parse_duration(json_string_value(v), &st->ns) == 0)
			return 0;
		return json_is_true(v) ? 0 :
		    scen_bad(w, "connect: want true or a duration to retry for");
	case SK_DISCONNECT:
		return json_is_true(v) ? 0 : scen_bad(w, "disconnect: want true");
	case SK_ECHO:
		if (json_is_string(v) && (strcmp(json_string_value(v),
		    "answer") == 0 || strcmp(json_string_value(v),
		    "ignore") == 0)) {
			st->on = json_string_value(v)[0] == 'a';
			return 0;
		}
		return scen_bad(w, "echo: want \"answer\" or \"ignore\"");
	case SK_MALFORMED:
		return parse_malformed(w, v, st);
	case SK_CORE:
	case SK_CORE_EXPECT:
		return parse_core(w, v, st);
	case SK_KEY_CHANGE:
		if ((st->key = calloc(1, sizeof *st->key)) == NULL)
			return scen_bad(w, "no memory");
		return scen_parse_key_change(w, v, st->key);
	case SK_HOLD:
		if (!json_is_boolean(v))
			return scen_bad(w, "hold: want true or false");
		st->on = json_is_true(v);
		return 0;
	case SK_ANSWER:
		return scen_parse_answer(w, v, def_ns, st);
	default:	/* SK_ACTION */
		if (!json_is_string(v) || json_string_length(v) == 0)
			return scen_bad(w, "action: want an action's name");
		st->text = json_string_value(v);
		return 0;
	}
}

static int
parse_step(struct scen_where *w, json_t *obj, uint64_t def_ns,
    struct scen_step *st)
{
	const char *k;
	json_t *v, *val = NULL;
	int i;

	if (!json_is_object(obj))
		return scen_bad(w, "want an object");
	st->kind = -1;
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "name") == 0) {
			if (!json_is_string(v))
				return scen_bad(w, "\"name\" must be a string");
			st->label = json_string_value(v);
			continue;
		}
		for (i = 0; i < SK_NKINDS && strcmp(k, kind_names[i]) != 0;
		    i++)
			;
		if (i == SK_NKINDS)
			return scen_bad(w, "unknown step \"%s\"", k);
		if (st->kind != -1)
			return scen_bad(w, "two kinds in one step (%s, %s)",
			    kind_names[st->kind], k);
		st->kind = i;
		val = v;
	}
	if (st->kind == -1)
		return scen_bad(w, "no step kind (send, expect, wait, ...)");
	return parse_kind(w, val, def_ns, st);
}

/* A list of steps ("steps", "finally") into *out. */
static int
parse_steps(struct scen_where *w, json_t *steps, int first, uint64_t def_ns,
    struct scen_step **out, int *n)
{
	json_t *s;
	size_t i;

	if ((*out = calloc(json_array_size(steps), sizeof **out)) == NULL)
		return scen_bad(w, "no memory");
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
parse_case(struct scen_where *w, json_t *obj, uint64_t def_ns,
    struct scen_case *c)
{
	static const char *const keys[] = { "name", "description", "steps",
	    "finally", NULL };
	json_t *steps, *fin;

	if (!json_is_object(obj))
		return scen_bad(w, "want an object");
	if (scen_opt_str(w, obj, "name", &c->name) == -1 || c->name == NULL ||
	    *c->name == '\0')
		return scen_bad(w, "no \"name\"");
	w->cname = c->name;
	if (scen_only_keys(w, obj, "case", keys) == -1 ||
	    scen_opt_str(w, obj, "description", &c->about) == -1)
		return -1;
	steps = json_object_get(obj, "steps");
	if (!json_is_array(steps) || json_array_size(steps) == 0 ||
	    json_array_size(steps) > SCEN_MAX_STEPS)
		return scen_bad(w, "\"steps\": want a list of 1..%d steps",
		    SCEN_MAX_STEPS);
	if (parse_steps(w, steps, 0, def_ns, &c->steps, &c->nsteps) == -1)
		return -1;
	if ((fin = json_object_get(obj, "finally")) == NULL)
		return 0;
	if (!json_is_array(fin) || json_array_size(fin) > SCEN_MAX_STEPS)
		return scen_bad(w, "\"finally\": want a list of up to %d steps",
		    SCEN_MAX_STEPS);
	return parse_steps(w, fin, c->nsteps, def_ns, &c->fin, &c->nfin);
}

static int
parse_doc(struct scen_file *sf, struct scen_where *w)
{
	static const char *const keys[] = { "scenario", "description",
	    "within", "cases", NULL };
	json_t *cases, *c;
	const char *about;
	size_t i, j;

	if (!json_is_object(sf->doc))
		return scen_bad(w, "want a JSON object with \"cases\"");
	if (scen_only_keys(w, sf->doc, "file", keys) == -1 ||
	    scen_opt_str(w, sf->doc, "scenario", &sf->title) == -1 ||
	    scen_opt_str(w, sf->doc, "description", &about) == -1 ||
	    scen_opt_dur(w, sf->doc, "within", DEFAULT_WITHIN_NS,
	    &sf->within_ns) == -1)
		return -1;
	cases = json_object_get(sf->doc, "cases");
	if (!json_is_array(cases) || json_array_size(cases) == 0 ||
	    json_array_size(cases) > SCEN_MAX_CASES)
		return scen_bad(w, "\"cases\": want a list of 1..%d cases",
		    SCEN_MAX_CASES);
	if ((sf->cases = calloc(json_array_size(cases), sizeof *sf->cases)) ==
	    NULL)
		return scen_bad(w, "no memory");
	json_array_foreach(cases, i, c) {
		w->ci = (int)i;
		w->cname = NULL;
		sf->ncases = (int)i + 1;
		if (parse_case(w, c, sf->within_ns, &sf->cases[i]) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(sf->cases[j].name, sf->cases[i].name) == 0)
				return scen_bad(w, "a second case of this name");
	}
	return 0;
}

int
scen_parse(struct scen_file *sf, const char *text, size_t len, char *err,
    size_t errsz)
{
	struct scen_where w = { err, errsz, -1, -1, NULL };
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
		free(v[j].key);
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
