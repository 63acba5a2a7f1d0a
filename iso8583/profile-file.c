/*
 * profile-file.c — a wire profile read from, and written as, JSON (with
 * jansson).  Everything the codec relies on is checked here, at load:
 * names from fixed lists, maxima that fit the length prefix and the
 * message buffer, a header the framing can carry; an unknown key is an
 * error, not ignored, so a misspelt "lenght" cannot pass unnoticed.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "iso8583/profile-file.h"

#define LOAD_FLAGS	(JSON_REJECT_DUPLICATES)
#define FIELD_FLAGS	(JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)

/* A loaded profile owns its strings; p first, so the profile is the
 * allocation. */
struct loaded {
	struct iso_profile	 p;
	char			*name;
	char			*fname[ISO_NFIELDS + 1];
};

static const char *charsets[] = { "ascii", "ebcdic500", "ebcdic037", NULL };
static const char *lenencs[] = { "chars", "bcd", "binary", NULL };
static const char *binencs[] = { "raw", "hex", NULL };
static const char *numencs[] = { "chars", "bcd", NULL };
static const char *classes[] = { "n", "a", "an", "ans", "ns", "z", "x+n",
    "b", "any", NULL };
static const char *forms[] = { "fixed", "LL", "LLL", "LLLL", NULL };
static const char *masks[] = { "none", "pan", "track", "all", "account",
    "de48", "de55", NULL };

/* A field's mask when a file says none: the built-in ISO 8583 table's. */
static uint8_t
default_mask(int n)
{
	const struct iso_profile *iso = iso_profile_find("iso87");

	return iso != NULL ? iso->f[n].mask : ISO_MASK_NONE;
}

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* The index of s in list, or -1. */
static int
lookup(const char **list, const char *s)
{
	int i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

static void
list_join(const char **list, char *out, size_t cap)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; list[i] != NULL && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "",
		    list[i]);
}

/* A string member from a fixed list: 0 and *out set, 1 when absent (out
 * untouched), -1 with err. */
static int
get_enum(json_t *obj, const char *key, const char **list, uint8_t *out,
    const char *where, char *err, size_t errsz)
{
	char names[160];
	json_t *v = json_object_get(obj, key);
	int i;

	if (v == NULL)
		return 1;
	list_join(list, names, sizeof names);
	if (!json_is_string(v) || (i = lookup(list, json_string_value(v))) < 0)
		return fail(err, errsz, "%s: \"%s\" must be one of %s", where,
		    key, names);
	*out = (uint8_t)i;
	return 0;
}

static int
get_bool(json_t *obj, const char *key, uint8_t *out, const char *where,
    char *err, size_t errsz)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return fail(err, errsz, "%s: \"%s\" must be true or false",
		    where, key);
	*out = json_is_true(v) ? 1 : 0;
	return 0;
}

/* Every key of obj is one of keys. */
static int
known_keys(json_t *obj, const char **keys, const char *where, char *err,
    size_t errsz)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (lookup(keys, k) < 0)
			return fail(err, errsz, "%s: unknown key \"%s\"", where,
			    k);
	}
	return 0;
}

/* The most units a prefix of this form and encoding can state. */
static unsigned
prefix_capacity(int form, int lenenc)
{
	if (lenenc == ISO_LEN_BIN)
		return form == ISO_LL ? 255 : 65535;
	return form == ISO_LL ? 99 : form == ISO_LLL ? 999 : 9999;
}

/* One field definition as the codec needs it to be. */
static int
field_check(const struct iso_profile *p, int n, const struct iso_fdef *d,
    const char *where, char *err, size_t errsz)
{
	unsigned units = d->max;

	if (d->cls == ISO_B && p->binenc == ISO_BIN_HEX)
		units *= 2;
	if (d->max == 0)
		return fail(err, errsz, "%s: \"max\" must be at least 1", where);
	if (d->max > ISO_BUF_MAX)
		return fail(err, errsz, "%s: \"max\" %u exceeds the %d bytes a "
		    "message holds", where, d->max, ISO_BUF_MAX);
	if (d->form != ISO_FIXED && units > prefix_capacity(d->form,
	    p->lenenc))
		return fail(err, errsz, "%s: \"max\" %u does not fit a %s "
		    "prefix in %s (at most %u%s)", where, d->max,
		    forms[d->form], lenencs[p->lenenc],
		    prefix_capacity(d->form, p->lenenc), units != d->max ?
		    " hex digits" : "");
	if (d->cls == ISO_XN && d->max < 2)
		return fail(err, errsz, "%s: x+n needs a sign and a digit", where);
	(void)n;
	return 0;
}

static int
field_read(struct loaded *l, int n, json_t *o, char *err, size_t errsz)
{
	static const char *keys[] = { "name", "class", "length", "max", "mask",
	    NULL };
	struct iso_fdef *d = &l->p.f[n];
	json_t *name = json_object_get(o, "name"), *max;
	char where[32];
	json_int_t mx;

	snprintf(where, sizeof where, "field %d", n);
	if (!json_is_object(o))
		return fail(err, errsz, "%s: must be an object", where);
	if (known_keys(o, keys, where, err, errsz) == -1)
		return -1;
	if (!json_is_string(name) || json_string_length(name) == 0)
		return fail(err, errsz, "%s: \"name\" must be a non-empty string",
		    where);
	free(l->fname[n]);
	if ((l->fname[n] = strdup(json_string_value(name))) == NULL)
		return fail(err, errsz, "out of memory");
	d->name = l->fname[n];
	/* No "mask": the base's, else as the built-in ISO 8583 table masks
	 * that field, so a file that redefines DE2, DE35 or DE52 without
	 * one still masks it; "none" must be written to show a field. */
	if (d->mask == ISO_MASK_NONE)
		d->mask = default_mask(n);
	if (json_object_get(o, "class") == NULL ||
	    json_object_get(o, "length") == NULL)
		return fail(err, errsz, "%s: \"class\" and \"length\" are "
		    "required", where);
	if (get_enum(o, "class", classes, &d->cls, where, err, errsz) == -1 ||
	    get_enum(o, "length", forms, &d->form, where, err, errsz) == -1 ||
	    get_enum(o, "mask", masks, &d->mask, where, err, errsz) == -1)
		return -1;
	max = json_object_get(o, "max");
	if (!json_is_integer(max) || (mx = json_integer_value(max)) < 0 ||
	    mx > 65535)
		return fail(err, errsz, "%s: \"max\" must be a whole number of "
		    "characters (bytes for b)", where);
	d->max = (uint16_t)mx;
	return 0;
}

/* "2".."192" but not "65" (the tertiary bitmap) -> the number, else -1. */
static int
field_number(const char *k)
{
	char *end;
	long n;

	if (k[0] < '1' || k[0] > '9')
		return -1;
	n = strtol(k, &end, 10);
	if (*end != '\0' || n < 2 || n > ISO_NFIELDS || n == 65)
		return -1;
	return (int)n;
}

static int
header_read(struct iso_profile *p, json_t *root, const char *where,
    char *err, size_t errsz)
{
	json_t *h = json_object_get(root, "header");
	const char *s;
	size_t n;

	if (h == NULL)
		return 0;
	if (!json_is_string(h))
		return fail(err, errsz, "%s: \"header\" must be hex", where);
	s = json_string_value(h);
	n = strlen(s);
	if (n % 2 || n / 2 > ISO_HDR_MAX ||
	    hex_decode(s, n, p->header) != n)
		return fail(err, errsz, "%s: \"header\" must be hex, at most "
		    "%d bytes", where, ISO_HDR_MAX);
	p->hdrlen = (uint8_t)(n / 2);
	return 0;
}

static int
top_read(struct loaded *l, json_t *root, char *err, size_t errsz)
{
	static const char *keys[] = { "profile", "base", "charset",
	    "length_prefix", "binary", "numeric", "empty_variable_fields",
	    "de63_identifies", "framing", "header", "fields", NULL };
	struct iso_profile *p = &l->p;
	const struct iso_profile *base;
	json_t *name = json_object_get(root, "profile");
	json_t *bname = json_object_get(root, "base");
	const char *w = "profile";
	int fr;

	if (!json_is_object(root))
		return fail(err, errsz, "the file must hold one JSON object");
	if (known_keys(root, keys, w, err, errsz) == -1)
		return -1;
	if (!json_is_string(name) || json_string_length(name) == 0 ||
	    json_string_length(name) > 63)
		return fail(err, errsz, "\"profile\" (its name, 1 to 63 "
		    "characters) is required");
	if (bname != NULL) {
		if (!json_is_string(bname) || (base = iso_profile_find(
		    json_string_value(bname))) == NULL)
			return fail(err, errsz, "\"base\" must name a compiled-in "
			    "profile (%s)", iso_profile_names());
		*p = *base;	/* its strings are static */
	}
	if ((l->name = strdup(json_string_value(name))) == NULL)
		return fail(err, errsz, "out of memory");
	p->name = l->name;
	if (get_enum(root, "charset", charsets, &p->charset, w, err, errsz) ==
	    -1 || get_enum(root, "length_prefix", lenencs, &p->lenenc, w, err,
	    errsz) == -1 || get_enum(root, "binary", binencs, &p->binenc, w,
	    err, errsz) == -1 || get_enum(root, "numeric", numencs,
	    &p->numenc, w, err, errsz) == -1 ||
	    get_bool(root, "empty_variable_fields", &p->empty_ok, w, err,
	    errsz) == -1 ||
	    get_bool(root, "de63_identifies", &p->id_de63, w, err, errsz) == -1)
		return -1;
	if (json_is_string(json_object_get(root, "framing"))) {
		if ((fr = frame_kind_parse(json_string_value(
		    json_object_get(root, "framing")))) < 0)
			return fail(err, errsz, "profile: \"framing\" must be "
			    "len2 or len4ascii");
		p->framing = (uint8_t)fr;
	} else if (json_object_get(root, "framing") != NULL)
		return fail(err, errsz, "profile: \"framing\" must be len2 or "
		    "len4ascii");
	return header_read(p, root, w, err, errsz);
}

/* Never 0 (the compiled-in profiles'); a loaded profile's number. */
static uint32_t
next_serial(void)
{
	static uint32_t serial;

	if (++serial == 0)
		serial = 1;
	return serial;
}

static struct iso_profile *
load(const char *src, json_t *root, char *err, size_t errsz)
{
	struct loaded *l;
	char why[200], where[32];
	const char *k;
	json_t *fields, *v;
	int n;

	if ((l = calloc(1, sizeof *l)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", src);
		return NULL;
	}
	if (top_read(l, root, why, sizeof why) == -1)
		goto bad;
	l->p.serial = next_serial();
	fields = json_object_get(root, "fields");
	if (fields != NULL && !json_is_object(fields)) {
		fail(why, sizeof why, "\"fields\" must be an object");
		goto bad;
	}
	json_object_foreach(fields, k, v) {
		if ((n = field_number(k)) < 0) {
			fail(why, sizeof why, "fields: \"%s\" is not a data "
			    "element (2 to %d, not 65)", k, ISO_NFIELDS);
			goto bad;
		}
		if (field_read(l, n, v, why, sizeof why) == -1)
			goto bad;
	}
	/* Checked as a whole: a base's fields against this file's
	 * encodings too. */
	for (n = 2; n <= ISO_NFIELDS; n++) {
		if (l->p.f[n].name == NULL)
			continue;
		snprintf(where, sizeof where, "field %d", n);
		if (field_check(&l->p, n, &l->p.f[n], where, why,
		    sizeof why) == -1)
			goto bad;
	}
	return &l->p;
bad:
	snprintf(err, errsz, "%s: %s", src, why);
	iso_profile_free(&l->p);
	return NULL;
}

/* The profile from a parsed document (root NULL: the parse failed, je
 * says where), the document freed. */
static struct iso_profile *
from_root(const char *name, json_t *root, const json_error_t *je,
    char *err, size_t errsz)
{
	struct iso_profile *p;

	if (root == NULL) {
		snprintf(err, errsz, "%s:%d:%d: %s", name, je->line,
		    je->column, je->text);
		return NULL;
	}
	p = load(name, root, err, errsz);
	json_decref(root);
	return p;
}

struct iso_profile *
iso_profile_load_text(const char *name, const char *text, size_t len,
    char *err, size_t errsz)
{
	json_error_t je;

	return from_root(name, json_loadb(text, len, LOAD_FLAGS, &je), &je,
	    err, errsz);
}

struct iso_profile *
iso_profile_load_file(const char *path, char *err, size_t errsz)
{
	json_error_t je;

	return from_root(path, json_load_file(path, LOAD_FLAGS, &je), &je,
	    err, errsz);
}

void
iso_profile_free(struct iso_profile *p)
{
	struct loaded *l = (struct loaded *)p;
	int n;

	if (p == NULL)
		return;
	for (n = 0; n <= ISO_NFIELDS; n++)
		free(l->fname[n]);
	free(l->name);
	free(l);
}

static int
field_write(FILE *out, const struct iso_fdef *d, int n, int last)
{
	json_t *o;
	char *s;
	int rc;

	o = json_pack("{s:s, s:s, s:s, s:i}", "name", d->name,
	    "class", classes[d->cls], "length", forms[d->form], "max",
	    (json_int_t)d->max);
	if (o == NULL)
		return -1;
	/* Written whenever it is not what reading would take without it
	 * (field_read's default), "none" included. */
	if (d->mask != default_mask(n))
		json_object_set_new(o, "mask", json_string(masks[d->mask]));
	s = json_dumps(o, FIELD_FLAGS);
	json_decref(o);
	if (s == NULL)
		return -1;
	rc = fprintf(out, "  \"%d\": %s%s\n", n, s, last ? "" : ",");
	free(s);
	return rc < 0 ? -1 : 0;
}

int
iso_profile_export(const struct iso_profile *p, FILE *out)
{
	char hdr[2 * ISO_HDR_MAX + 1], *name;
	json_t *js;
	int n, last = 0;

	if ((js = json_string(p->name)) == NULL)
		return -1;
	name = json_dumps(js, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	json_decref(js);
	if (name == NULL)
		return -1;
	hex_encode(p->header, p->hdrlen, hdr);
	fprintf(out, "{\n \"profile\": %s,\n \"charset\": \"%s\",\n"
	    " \"length_prefix\": \"%s\",\n \"binary\": \"%s\",\n"
	    " \"numeric\": \"%s\",\n"
	    " \"empty_variable_fields\": %s,\n \"de63_identifies\": %s,\n"
	    " \"framing\": \"%s\",\n \"header\": \"%.*s\",\n \"fields\": {\n",
	    name, charsets[p->charset], lenencs[p->lenenc], binencs[p->binenc],
	    numencs[p->numenc],
	    p->empty_ok ? "true" : "false", p->id_de63 ? "true" : "false",
	    frame_kind_name(p->framing), 2 * p->hdrlen, hdr);
	free(name);
	for (n = 2; n <= ISO_NFIELDS; n++)
		if (p->f[n].name != NULL)
			last = n;
	for (n = 2; n <= ISO_NFIELDS; n++)
		if (p->f[n].name != NULL &&
		    field_write(out, &p->f[n], n, n == last) == -1)
			return -1;
	fprintf(out, " }\n}\n");
	return ferror(out) ? -1 : 0;
}

int
iso_profile_equal(const struct iso_profile *a, const struct iso_profile *b)
{
	const struct iso_fdef *x, *y;
	int n;

	if (strcmp(a->name, b->name) != 0 || a->charset != b->charset ||
	    a->lenenc != b->lenenc || a->binenc != b->binenc ||
	    a->numenc != b->numenc ||
	    a->empty_ok != b->empty_ok || a->id_de63 != b->id_de63 ||
	    a->framing != b->framing || a->hdrlen != b->hdrlen ||
	    memcmp(a->header, b->header, a->hdrlen) != 0)
		return 0;
	for (n = 0; n <= ISO_NFIELDS; n++) {
		x = &a->f[n];
		y = &b->f[n];
		if ((x->name == NULL) != (y->name == NULL))
			return 0;
		if (x->name == NULL)
			continue;
		if (strcmp(x->name, y->name) != 0 || x->cls != y->cls ||
		    x->form != y->form || x->mask != y->mask ||
		    x->max != y->max)
			return 0;
	}
	return 1;
}
