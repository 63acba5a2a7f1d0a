/*
 * json.c — the CLI's message form, read and written with jansson.
 * JSON strings are Unicode and message values are bytes: byte v stands as
 * code point U+00vv (Latin-1), so a character above U+00FF is refused.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "iso8583/json.h"
#include "iso8583/mask.h"

/* One line, keys in the order written, "\u00E9" rather than raw UTF-8. */
#define DUMP_FLAGS	(JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)
/* "\u0000" is a byte like any other; a key given twice is refused. */
#define LOAD_FLAGS	(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* Each byte as the code point of its value, in UTF-8: one or two bytes. */
static json_t *
latin1_string(const void *bytes, size_t n)
{
	const uint8_t *b = bytes;
	json_t *s;
	char *u;
	size_t i, o = 0;

	if ((u = malloc(2 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (b[i] < 0x80)
			u[o++] = (char)b[i];
		else {
			u[o++] = (char)(0xc0 | b[i] >> 6);
			u[o++] = (char)(0x80 | (b[i] & 0x3f));
		}
	}
	s = json_stringn_nocheck(u, o);
	sodium_memzero(u, o);
	free(u);
	return s;
}

long
iso_json_write(const struct iso_profile *p, const struct iso_msg *m, int clear,
    char *out, size_t cap)
{
	char val[2 * ISO_BUF_MAX + 1], key[16];
	json_t *root, *fields;
	size_t vl, jl;
	long rc = -1;
	int n;

	if ((root = json_object()) == NULL)
		return -1;
	fields = json_object();
	if (json_object_set_new(root, "mti",
	    latin1_string(m->mti, strlen(m->mti))) == -1 ||
	    json_object_set_new(root, "fields", fields) == -1)
		goto done;
	for (n = iso_next(m, 0); n != 0; n = iso_next(m, n)) {
		vl = mask_field(p, m, n, clear, val, sizeof val);
		snprintf(key, sizeof key, "%d", n);
		if (json_object_set_new(fields, key,
		    latin1_string(val, vl)) == -1)
			goto done;
	}
	/* json_dumpb writes no NUL and says how much room it wanted. */
	jl = json_dumpb(root, out, cap, DUMP_FLAGS);
	if (jl > 0 && jl < cap) {
		out[jl] = '\0';
		rc = (long)jl;
	}
done:
	json_decref(root);
	sodium_memzero(val, sizeof val);
	return rc;
}

struct jr {
	const struct iso_profile *p;
	struct iso_msg	*m;
	char		*err;
	size_t		 errsz;
};

static int jerr(struct jr *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
jerr(struct jr *r, const char *fmt, ...)
{
	va_list ap;
	char why[160];

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errsz, "json: %s", why);
	return -1;
}

/* The bytes a JSON string stands for.  jansson hands over valid UTF-8,
 * where U+0080..U+00FF are the two-byte forms led by 0xC2 and 0xC3. */
static int
latin1_bytes(struct jr *r, const char *what, const json_t *s, uint8_t *out,
    size_t cap, size_t *len)
{
	const uint8_t *u = (const uint8_t *)json_string_value(s);
	size_t n = json_string_length(s), i, o = 0;
	uint8_t c;

	for (i = 0; i < n; i++) {
		c = u[i];
		if (c >= 0x80) {
			if ((c != 0xc2 && c != 0xc3) || i + 1 == n)
				return jerr(r, "%s: a character above U+00FF "
				    "(values are bytes)", what);
			c = (uint8_t)((c & 0x03) << 6 | (u[++i] & 0x3f));
		}
		if (o == cap)
			return jerr(r, "%s: longer than %zu bytes", what, cap);
		out[o++] = c;
	}
	*len = o;
	return 0;
}

static int
store_field(struct jr *r, const struct iso_fdef *d, int n, const uint8_t *val,
    size_t vl)
{
	uint8_t bin[ISO_BUF_MAX / 2];
	int rc;

	if (d->cls != ISO_B)
		rc = iso_set(r->m, n, val, vl);
	else if (hex_decode_exact((const char *)val, vl, bin, vl / 2) == -1)
		return jerr(r, "field %d: not hex", n);
	else {
		rc = iso_set(r->m, n, bin, vl / 2);
		sodium_memzero(bin, vl / 2);
	}
	return rc == -1 ? jerr(r, "message too large") : 0;
}

static int
read_field(struct jr *r, const char *key, const json_t *v)
{
	uint8_t val[ISO_BUF_MAX];
	const struct iso_fdef *d;
	char what[24];
	size_t vl;
	long num;
	int n, rc;

	/* num_parse takes 1 to 8 digits: a number no field key exceeds */
	if ((num = num_parse(key, strlen(key), 10)) < 0)
		return jerr(r, "field key is not a number");
	n = (int)num;
	if ((d = iso_fdef(r->p, n)) == NULL)
		return jerr(r, "field %d is not a data field of profile %s",
		    n, r->p->name);
	if (!json_is_string(v))
		return jerr(r, "field %d: value is not a string", n);
	snprintf(what, sizeof what, "field %d", n);
	rc = latin1_bytes(r, what, v, val, sizeof val, &vl);
	if (rc == 0)
		rc = store_field(r, d, n, val, vl);
	sodium_memzero(val, sizeof val);
	return rc;
}

static int
read_message(struct jr *r, json_t *root)
{
	const char *key;
	json_t *v, *fv;
	uint8_t mti[8];
	size_t ml;

	json_object_foreach(root, key, v)
		if (strcmp(key, "mti") != 0 && strcmp(key, "fields") != 0)
			return jerr(r, "unexpected key");
	if ((v = json_object_get(root, "mti")) == NULL)
		return jerr(r, "no mti");
	if (!json_is_string(v))
		return jerr(r, "mti is not a string");
	if (latin1_bytes(r, "mti", v, mti, sizeof mti, &ml) == -1)
		return -1;
	if (ml != 4)
		return jerr(r, "mti must be 4 digits");
	memcpy(r->m->mti, mti, 4);
	r->m->mti[4] = '\0';
	if ((v = json_object_get(root, "fields")) == NULL)
		return 0;
	if (!json_is_object(v))
		return jerr(r, "fields is not an object");
	json_object_foreach(v, key, fv)
		if (read_field(r, key, fv) == -1)
			return -1;
	return 0;
}

int
iso_json_read(const struct iso_profile *p, const char *json, size_t len,
    struct iso_msg *m, char *err, size_t errsz)
{
	struct jr r = { p, m, err, errsz };
	json_error_t je;
	json_t *root;
	char *near;
	int rc;

	iso_msg_init(m, NULL);
	if ((root = json_loadb(json, len, LOAD_FLAGS, &je)) == NULL) {
		/* The context may quote a value (a card number); a key given
		 * twice keeps it, as there it names the field. */
		if (json_error_code(&je) != json_error_duplicate_key &&
		    (near = strstr(je.text, " near ")) != NULL)
			*near = '\0';
		return jerr(&r, "%s at offset %d", je.text, je.position);
	}
	rc = json_is_object(root) ? read_message(&r, root) :
	    jerr(&r, "not an object");
	json_decref(root);
	return rc;
}
