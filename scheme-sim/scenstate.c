/*
 * scenstate.c — what every part of a run writes to: the case's failure
 * (the first one says it), a field as text for a check or a report, and
 * the case's ${variables}.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/mask.h"
#include "scheme-sim/scenrun.h"


int
scen_fail(struct scen_run *r, int field, const char *expected,
    const char *got, const char *fmt, ...)
{
	struct scen_result *res = r->res;
	va_list ap;

	if (res->msg[0] != '\0')	/* the first failure says it */
		return -1;
	res->passed = 0;
	res->field = field;
	snprintf(res->expected, sizeof res->expected, "%s",
	    expected ? expected : "");
	snprintf(res->got, sizeof res->got, "%s", got ? got : "");
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof res->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
scen_field_text(const struct scen_run *r, const struct iso_msg *m, int field,
    int clear, char *out, size_t cap)
{
	mask_field(r->prof, m, field, clear, out, cap);
}

int
scen_var_set(struct scen_run *r, const char *name, const char *val)
{
	char *v;
	int i;

	if ((v = strdup(val)) == NULL)
		return scen_fail(r, 0, NULL, NULL, "no memory");
	for (i = 0; i < r->nvars; i++)
		if (strcmp(r->vars[i].name, name) == 0) {
			sodium_memzero(r->vars[i].val,
			    strlen(r->vars[i].val));
			free(r->vars[i].val);
			r->vars[i].val = v;
			return 0;
		}
	if (r->nvars == SCEN_MAX_VARS ||
	    (r->vars[r->nvars].name = strdup(name)) == NULL) {
		free(v);
		return scen_fail(r, 0, NULL, NULL, "over %d variables",
		    SCEN_MAX_VARS);
	}
	r->vars[r->nvars++].val = v;
	return 0;
}

int
scen_subst(struct scen_run *r, const char *s, char *out, size_t cap)
{
	const char *e, *s0 = s;
	size_t n = 0, l;
	int i;

	while (*s != '\0') {
		if (s[0] != '$' || s[1] != '{') {
			if (n + 1 >= cap)
				return scen_fail(r, 0, NULL, NULL, "value too "
				    "long");
			out[n++] = *s++;
			continue;
		}
		if ((e = strchr(s + 2, '}')) == NULL)
			/* Where, not what: the value may be a card's data. */
			return scen_fail(r, 0, NULL, NULL, "\"${\" without "
			    "\"}\" at offset %zu of a value", (size_t)(s - s0));
		l = (size_t)(e - s - 2);
		for (i = 0; i < r->nvars; i++)
			if (strlen(r->vars[i].name) == l &&
			    memcmp(r->vars[i].name, s + 2, l) == 0)
				break;
		if (i == r->nvars)
			return scen_fail(r, 0, NULL, NULL, "no variable "
			    "\"%.*s\"", (int)l, s + 2);
		l = strlen(r->vars[i].val);
		if (n + l >= cap)
			return scen_fail(r, 0, NULL, NULL, "value too long");
		memcpy(out + n, r->vars[i].val, l);
		n += l;
		s = e + 1;
	}
	out[n] = '\0';
	return 0;
}


uint32_t
scen_msg_stan(const struct iso_msg *m)
{
	uint64_t v;

	return sim_get_u64(m, 11, &v) == 0 ? (uint32_t)v : 0;
}

int
scen_remember(struct scen_run *r, const char *as, const struct iso_msg *m,
    uint32_t n)
{
	struct scen_sent *s;

	if (r->nsent == SCEN_MAX_SENT)
		return scen_fail(r, 0, NULL, NULL, "over %d sends in a case",
		    SCEN_MAX_SENT);
	s = &r->sent[r->nsent];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", as ? as : "");
	if ((s->msg = malloc(sizeof *s->msg)) == NULL ||
	    (s->stans = calloc(n, sizeof *s->stans)) == NULL) {
		free(s->msg);
		return scen_fail(r, 0, NULL, NULL, "no memory");
	}
	iso_msg_copy(s->msg, m);
	r->last = r->nsent++;
	return 0;
}
