/*
 * json.c — just enough JSON for the CLI's one flat message object.  No
 * JSON library is among the project's dependencies and the shape is fixed,
 * so a small strict reader is simpler than adding one.
 */
#include <stdio.h>
#include <string.h>

#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "iso8583/json.h"
#include "iso8583/mask.h"

struct jw {
	char	*p;
	size_t	 cap, len;
	int	 full;
};

static void
jput(struct jw *w, const char *s, size_t n)
{
	if (w->full || w->cap - w->len < n + 1) {
		w->full = 1;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

static void
jstr(struct jw *w, const char *s, size_t n)
{
	char esc[8];
	size_t i;

	jput(w, "\"", 1);
	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jput(w, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04X", c);
			jput(w, esc, 6);
		} else
			jput(w, (const char *)&c, 1);
	}
	jput(w, "\"", 1);
}

long
iso_json_write(const struct iso_profile *p, const struct iso_msg *m, int clear,
    char *out, size_t cap)
{
	struct jw w = { out, cap, 0, 0 };
	char val[2 * ISO_BUF_MAX + 1];
	char key[16];
	size_t vl;
	int n, first = 1;

	jput(&w, "{\"mti\":", 7);
	jstr(&w, m->mti, strlen(m->mti));
	jput(&w, ",\"fields\":{", 11);
	for (n = iso_next(m, 0); n != 0; n = iso_next(m, n)) {
		vl = mask_field(p, m, n, clear, val, sizeof val);
		snprintf(key, sizeof key, "%d", n);
		if (!first)
			jput(&w, ",", 1);
		first = 0;
		jstr(&w, key, strlen(key));
		jput(&w, ":", 1);
		jstr(&w, val, vl);
	}
	jput(&w, "}}", 2);
	return w.full ? -1 : (long)w.len;
}

struct jr {
	const char	*s;
	size_t		 len, pos;
	char		*err;
	size_t		 errsz;
};

static int
jerr(struct jr *r, const char *why)
{
	snprintf(r->err, r->errsz, "json: %s at offset %zu", why, r->pos);
	return -1;
}

static void
jws(struct jr *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t'
	    || r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		r->pos++;
}

static int
jexpect(struct jr *r, char c)
{
	jws(r);
	if (r->pos >= r->len || r->s[r->pos] != c) {
		char why[32];
		snprintf(why, sizeof why, "expected '%c'", c);
		return jerr(r, why);
	}
	r->pos++;
	return 0;
}

static int
hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Reads a string into out (bytes; \u escapes must be <= 0xFF). */
static int
jstring(struct jr *r, uint8_t *out, size_t cap, size_t *olen)
{
	size_t o = 0;

	if (jexpect(r, '"') == -1)
		return -1;
	while (r->pos < r->len && r->s[r->pos] != '"') {
		int c = (uint8_t)r->s[r->pos++];
		if (c == '\\') {
			if (r->pos >= r->len)
				return jerr(r, "truncated escape");
			switch (r->s[r->pos++]) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (r->len - r->pos < 4 ||
				    (c = hex4(r->s + r->pos)) < 0)
					return jerr(r, "bad \\u escape");
				if (c > 0xff)
					return jerr(r, "\\u escape above "
					    "\\u00FF (values are bytes)");
				r->pos += 4;
				break;
			default:
				return jerr(r, "bad escape");
			}
		} else if (c < 0x20)
			return jerr(r, "control character in string");
		if (o == cap)
			return jerr(r, "string too long");
		out[o++] = (uint8_t)c;
	}
	if (r->pos >= r->len)
		return jerr(r, "unterminated string");
	r->pos++;
	*olen = o;
	return 0;
}

static int
jfield(struct jr *r, const struct iso_profile *p, struct iso_msg *m)
{
	uint8_t key[16], val[ISO_BUF_MAX], bin[ISO_BUF_MAX / 2];
	const struct iso_fdef *d;
	size_t kl, vl, i;
	int n = 0;

	if (jstring(r, key, sizeof key, &kl) == -1)
		return -1;
	for (i = 0; i < kl; i++) {
		if (key[i] < '0' || key[i] > '9' || n > 1000)
			return jerr(r, "field key is not a number");
		n = n * 10 + (key[i] - '0');
	}
	if (kl == 0 || (d = iso_fdef(p, n)) == NULL) {
		char why[64];
		snprintf(why, sizeof why, "field %d is not a data field of "
		    "profile %s", n, p->name);
		return jerr(r, why);
	}
	if (jexpect(r, ':') == -1 || jstring(r, val, sizeof val, &vl) == -1)
		return -1;
	if (iso_has(m, n)) {
		char why[48];
		snprintf(why, sizeof why, "field %d given twice", n);
		return jerr(r, why);
	}
	if (d->cls == ISO_B) {
		if (vl / 2 > sizeof bin || vl % 2 ||
		    hex_decode(val, vl, bin) != vl) {
			char why[48];
			snprintf(why, sizeof why, "field %d: not hex", n);
			return jerr(r, why);
		}
		return iso_set(m, n, bin, vl / 2) == -1 ?
		    jerr(r, "message too large") : 0;
	}
	return iso_set(m, n, val, vl) == -1 ? jerr(r, "message too large") : 0;
}

int
iso_json_read(const struct iso_profile *p, const char *json, size_t len,
    struct iso_msg *m, char *err, size_t errsz)
{
	struct jr r = { json, len, 0, err, errsz };
	uint8_t key[16], mti[8];
	size_t kl, ml;
	int seen_mti = 0, seen_fields = 0;

	iso_msg_init(m, NULL);
	if (jexpect(&r, '{') == -1)
		return -1;
	jws(&r);
	while (r.pos < r.len && r.s[r.pos] != '}') {
		if ((seen_mti || seen_fields) && jexpect(&r, ',') == -1)
			return -1;
		if (jstring(&r, key, sizeof key, &kl) == -1 ||
		    jexpect(&r, ':') == -1)
			return -1;
		if (kl == 3 && memcmp(key, "mti", 3) == 0 && !seen_mti) {
			if (jstring(&r, mti, sizeof mti, &ml) == -1)
				return -1;
			if (ml != 4)
				return jerr(&r, "mti must be 4 digits");
			memcpy(m->mti, mti, 4);
			m->mti[4] = '\0';
			seen_mti = 1;
		} else if (kl == 6 && memcmp(key, "fields", 6) == 0 &&
		    !seen_fields) {
			if (jexpect(&r, '{') == -1)
				return -1;
			jws(&r);
			if (r.pos < r.len && r.s[r.pos] == '}')
				r.pos++;
			else {
				for (;;) {
					if (jfield(&r, p, m) == -1)
						return -1;
					jws(&r);
					if (r.pos < r.len && r.s[r.pos] == ',') {
						r.pos++;
						continue;
					}
					if (jexpect(&r, '}') == -1)
						return -1;
					break;
				}
			}
			seen_fields = 1;
		} else
			return jerr(&r, "unexpected or repeated key");
		jws(&r);
	}
	if (jexpect(&r, '}') == -1)
		return -1;
	jws(&r);
	if (r.pos != r.len)
		return jerr(&r, "trailing data");
	if (!seen_mti)
		return jerr(&r, "no mti");
	return 0;
}
