/*
 * jsonout.c — JSON values and output for scheme-sim's documents.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "scheme-sim/jsonout.h"

/* Compact, ASCII, and reals with 15 significant digits: enough to show a
 * value from sim_json_fixed as its decimals, no float noise after them. */
#define DUMP_FLAGS	(JSON_COMPACT | JSON_ENSURE_ASCII | \
			 JSON_REAL_PRECISION(15))

json_t *
sim_json_fixed(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.*f", decimals, v);
	return json_real(strtod(buf, NULL));
}

json_t *
sim_json_bytes(const void *v, size_t len)
{
	const uint8_t *b = v;
	char stack[512] = "", *u = stack;
	size_t i, n = 0;
	json_t *s;

	if (2 * len > sizeof stack && (u = calloc(2, len)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (b[i] < 0x80)
			u[n++] = (char)b[i];
		else {
			u[n++] = (char)(0xC0 | b[i] >> 6);
			u[n++] = (char)(0x80 | (b[i] & 0x3F));
		}
	}
	s = json_stringn(u, n);
	if (u != stack)
		free(u);
	return s;
}

int
sim_json_set_u64(json_t *obj, const char *key, uint64_t v)
{
	return json_object_set_new(obj, key, json_integer((json_int_t)v));
}

int
sim_json_print(FILE *f, json_t *doc)
{
	int rc = -1;

	if (doc != NULL && json_dumpf(doc, f, DUMP_FLAGS) == 0 &&
	    fputc('\n', f) != EOF)
		rc = 0;
	json_decref(doc);
	return rc;
}

int
sim_json_save(const char *path, json_t *doc)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "w")) == NULL) {
		log_warn("event=json_failed path=%s", path);
		json_decref(doc);
		return -1;
	}
	rc = sim_json_print(f, doc);
	if (fclose(f) == EOF || rc == -1) {
		log_warn("event=json_failed path=%s", path);
		return -1;
	}
	return 0;
}

int
sim_json_set(json_t *fields, const char *key, const char *v)
{
	return json_object_set_new(fields, key, sim_json_bytes(v, strlen(v)));
}
