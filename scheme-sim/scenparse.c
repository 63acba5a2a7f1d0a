/*
 * scenparse.c — the checks every part of the scenario loader shares
 * (scenparse.h): errors that name the case and step, known keys, strings,
 * durations, field numbers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/parse.h"
#include "scheme-sim/scenparse.h"

int
scen_bad(struct scen_where *w, const char *fmt, ...)
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
int
scen_only_keys(struct scen_where *w, json_t *obj, const char *what,
    const char *const *names)
{
	const char *k, *const *n;
	json_t *v;

	json_object_foreach(obj, k, v) {
		for (n = names; *n != NULL; n++)
			if (strcmp(*n, k) == 0)
				break;
		if (*n == NULL)
			return scen_bad(w, "%s: unknown key \"%s\"", what, k);
	}
	return 0;
}

/* A string member, or NULL; -1 if present and not a string. */
int
scen_opt_str(struct scen_where *w, json_t *obj, const char *key,
    const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return scen_bad(w, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

/* A duration member ("2s", "150ms"), or def. */
int
scen_opt_dur(struct scen_where *w, json_t *obj, const char *key, uint64_t def,
    uint64_t *out)
{
	const char *s;

	*out = def;
	if (scen_opt_str(w, obj, key, &s) == -1)
		return -1;
	if (s != NULL && sim_parse_duration(s, out) == -1)
		return scen_bad(w, "\"%s\": bad duration \"%s\"", key, s);
	return 0;
}

/* A data element number, 2..192 (as a JSON key). */
int
scen_field_no(struct scen_where *w, const char *k)
{
	char *end;
	long n = strtol(k, &end, 10);

	if (*k == '\0' || *end != '\0' || n < 2 || n > 192)
		return scen_bad(w, "\"%s\" is not a field number (2..192)", k);
	return (int)n;
}

int
scen_is_digits(const char *s, size_t lo, size_t hi)
{
	size_t n = strlen(s);

	return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}
