/*
 * codec.c — unpack, pack and validate against a profile.
 *
 * Every length is checked against the bytes that are really there before
 * it is used, and every prefix is decimal digits only (no sign, no space),
 * so bad input is refused with the field and offset, never read past.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iso8583/charset.h"
#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "iso8583/msgbits.h"


static int seterr(struct iso_err *, int, size_t, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static int
seterr(struct iso_err *e, int field, size_t off, const char *fmt, ...)
{
	va_list ap;
	char why[120];

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	e->field = field;
	e->offset = off;
	if (field > 0)
		snprintf(e->msg, sizeof e->msg, "field %d: %s at offset %zu",
		    field, why, off);
	else if (field == 0)
		snprintf(e->msg, sizeof e->msg, "MTI: %s at offset %zu", why,
		    off);
	else
		snprintf(e->msg, sizeof e->msg, "message: %s at offset %zu",
		    why, off);
	return -1;
}

/* The classes (bit 1 << enum iso_class) a Latin-1 byte may stand in;
 * ans and ns take the printable Latin-1 bytes beyond ASCII too. */
static uint16_t
class_bits(int c)
{
	int digit = c >= '0' && c <= '9';
	int letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	int print = (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
	unsigned b = 1u << ISO_B | 1u << ISO_ANY;

	if (digit)
		b |= 1u << ISO_N | 1u << ISO_XN;
	if (letter || c == ' ')
		b |= 1u << ISO_A;
	if (letter || digit || c == ' ')
		b |= 1u << ISO_AN;
	if (print)
		b |= 1u << ISO_ANS;
	if (print && !letter)
		b |= 1u << ISO_NS;
	if (digit || c == '=' || c == 'D')
		b |= 1u << ISO_Z;
	return (uint16_t)b;
}

/* class_bits of every byte, filled once with the tables below. */
static uint16_t class_ok[256];

static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Returns the index of the first byte not allowed by the class, or len.
 * x+n is a 'C' or 'D' sign then digits. */
static size_t
class_scan(int cls, const uint8_t *v, size_t len)
{
	uint16_t bit = (uint16_t)(1u << cls);
	size_t i = 0;

	if (cls == ISO_XN) {
		if (len == 0 || (v[0] != 'C' && v[0] != 'D'))
			return 0;
		i = 1;
	}
	while (i < len && (class_ok[v[i]] & bit))
		i++;
	return i;
}

/*
 * The charsets' conversions, as bytes (latin1_of: wire byte -> ASCII,
 * wire_of: ASCII -> wire byte) for the MTI and length prefixes, and as
 * one lookup per byte on the values' hot path: wire byte -> ASCII byte |
 * class bits of that ASCII byte << 8 (xdec), and ASCII byte -> wire byte |
 * class bits << 8 (xenc).  ANDing the entries of a value keeps the class
 * bits every byte allowed.
 */
static uint8_t latin1_of[3][256], wire_of[3][256];
static uint32_t xdec[3][256], xenc[3][256];
static pthread_once_t xtab_once = PTHREAD_ONCE_INIT;

static void
xtab_build(void)
{
	uint8_t a;
	int cs, c;

	for (c = 0; c < 256; c++)
		class_ok[c] = class_bits(c);
	for (cs = 0; cs < 3; cs++) {
		charset_tables(cs, latin1_of[cs], wire_of[cs]);
		for (c = 0; c < 256; c++) {
			a = latin1_of[cs][c];
			xdec[cs][c] = a | (uint32_t)class_ok[a] << 8;
			xenc[cs][c] = wire_of[cs][c] |
			    (uint32_t)class_ok[c] << 8;
		}
	}
}

/* Converts len bytes through tab; returns 1 if every byte is allowed in
 * cls (x+n: the sign byte is checked by the caller's slow path). */
static int
convert(const uint32_t *tab, int cls, const uint8_t *src, uint8_t *dst,
    size_t len)
{
	uint32_t acc = ~0u;
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t x = tab[src[i]];
		dst[i] = (uint8_t)x;
		acc &= x;
	}
	return cls != ISO_XN && ((acc >> 8) & (1u << cls));
}

static const char *
class_name(int cls)
{
	static const char *names[] = { "n", "a", "an", "ans", "ns", "z",
	    "x+n", "b", "any" };

	return cls < (int)(sizeof names / sizeof names[0]) ? names[cls] : "?";
}

static int
prefix_digits(int form)
{
	return form == ISO_LL ? 2 : form == ISO_LLL ? 3 :
	    form == ISO_LLLL ? 4 : 0;
}

/* Bytes the length prefix takes on the wire. */
static size_t
prefix_len(const struct iso_profile *p, int form)
{
	int d = prefix_digits(form);

	if (d == 0)
		return 0;
	if (p->lenenc == ISO_LEN_CHARS)
		return (size_t)d;
	return d == 2 ? 1 : 2;
}

static int
is_hexb(const struct iso_profile *p, const struct iso_fdef *d)
{
	return d->cls == ISO_B && p->binenc == ISO_BIN_HEX;
}

/* Reads a length prefix; -1 if it holds anything but a length. */
static long
prefix_read(const struct iso_profile *p, int form, const uint8_t *w)
{
	const uint32_t *tab = xdec[p->charset];
	int d = prefix_digits(form), i;
	long n = 0;

	switch (p->lenenc) {
	case ISO_LEN_CHARS:
		for (i = 0; i < d; i++) {
			uint8_t c = (uint8_t)tab[w[i]];
			if (!is_digit(c))
				return -1;
			n = n * 10 + (c - '0');
		}
		return n;
	case ISO_LEN_BCD:
		for (i = 0; i < (d == 2 ? 1 : 2); i++) {
			if ((w[i] >> 4) > 9 || (w[i] & 15) > 9)
				return -1;
			n = n * 100 + (w[i] >> 4) * 10 + (w[i] & 15);
		}
		return n;
	case ISO_LEN_BIN:
		return d == 2 ? w[0] : (long)w[0] << 8 | w[1];
	}
	return -1;
}

static void
prefix_write(const struct iso_profile *p, int form, size_t n, uint8_t *w)
{
	const uint8_t *wire = wire_of[p->charset];
	int d = prefix_digits(form), i;

	switch (p->lenenc) {
	case ISO_LEN_CHARS:
		for (i = d - 1; i >= 0; i--) {
			w[i] = wire['0' + n % 10];
			n /= 10;
		}
		break;
	case ISO_LEN_BCD:
		if (d == 2)
			w[0] = (uint8_t)((n / 10 % 10) << 4 | n % 10);
		else {
			w[0] = (uint8_t)((n / 1000 % 10) << 4 | n / 100 % 10);
			w[1] = (uint8_t)((n / 10 % 10) << 4 | n % 10);
		}
		break;
	case ISO_LEN_BIN:
		if (d == 2)
			w[0] = (uint8_t)n;
		else {
			w[0] = (uint8_t)(n >> 8);
			w[1] = (uint8_t)n;
		}
		break;
	}
}

/* Length of one value, as the profile allows. */
static int
length_err(const struct iso_profile *p, int n, size_t len, size_t off,
    struct iso_err *e)
{
	const struct iso_fdef *d = &p->f[n];

	if (d->form == ISO_FIXED && len != d->max)
		return seterr(e, n, off, "length %zu, fixed length is %u", len,
		    d->max);
	if (len > d->max)
		return seterr(e, n, off, "length %zu exceeds maximum %u", len,
		    d->max);
	return seterr(e, n, off, "empty variable field not allowed");
}

static inline int
length_check(const struct iso_profile *p, int n, size_t len, size_t off,
    struct iso_err *e)
{
	const struct iso_fdef *d = &p->f[n];

	if (d->form == ISO_FIXED ? len == d->max :
	    len <= d->max && (len > 0 || p->empty_ok))
		return 0;
	return length_err(p, n, len, off, e);
}

static int
class_err(const struct iso_fdef *d, int n, const uint8_t *v, size_t bad,
    size_t off, struct iso_err *e)
{
	return seterr(e, n, off + bad, "byte 0x%02X not allowed in class %s "
	    "(position %zu)", v[bad], class_name(d->cls), bad);
}

static int
bitmap_read(const struct iso_profile *p, const uint8_t *w, size_t len,
    size_t *pos, uint8_t out[8], int field, struct iso_err *e)
{
	size_t need = p->binenc == ISO_BIN_HEX ? 16 : 8;
	size_t i;

	if (len - *pos < need)
		return seterr(e, field >= 1 ? field : -1, *pos, "truncated "
		    "bitmap: needs %zu bytes, %zu left", need, len - *pos);
	if (p->binenc == ISO_BIN_RAW)
		memcpy(out, w + *pos, 8);
	else if ((i = hex_decode(w + *pos, 16, out)) != 16)
		return seterr(e, field >= 1 ? field : -1, *pos + i,
		    "bitmap is not hex");
	*pos += need;
	return 0;
}

static int
field_read(const struct iso_profile *p, struct iso_msg *m, int n,
    const uint8_t *w, size_t len, size_t *pos, struct iso_err *e)
{
	const struct iso_fdef *d = &p->f[n];
	size_t start = *pos, pl = prefix_len(p, d->form), units, vlen, i;
	uint8_t *dst;
	int hex = is_hexb(p, d);
	size_t maxunits = hex ? 2u * d->max : d->max;

	if (d->name == NULL)
		return seterr(e, n, start, "not defined in profile %s",
		    p->name);
	if (len - start < pl)
		return seterr(e, n, start, "truncated length prefix");
	if (pl) {
		long l = prefix_read(p, d->form, w + start);
		if (l < 0)
			return seterr(e, n, start, "length prefix is not a "
			    "decimal length");
		units = (size_t)l;
		if (units > maxunits)
			return seterr(e, n, start, "length %zu exceeds maximum "
			    "%zu", units, maxunits);
		if (units == 0 && !p->empty_ok)
			return seterr(e, n, start, "empty variable field not "
			    "allowed");
	} else
		units = maxunits;
	if (hex && units % 2)
		return seterr(e, n, start, "odd hex length %zu", units);
	if (len - start - pl < units)
		return seterr(e, n, start, "truncated: needs %zu bytes, "
		    "%zu left", units, len - start - pl);
	vlen = hex ? units / 2 : units;
	if (vlen > (size_t)ISO_BUF_MAX - m->used)
		return seterr(e, n, start, "message values exceed %d bytes",
		    ISO_BUF_MAX);
	w += start + pl;
	dst = m->buf + m->used;
	if (hex) {
		if ((i = hex_decode(w, units, dst)) != units)
			return seterr(e, n, start + pl + i, "not hex");
	} else if (d->cls == ISO_B || d->cls == ISO_ANY) {
		if (d->cls == ISO_ANY && p->charset != ISO_CS_ASCII)
			convert(xdec[p->charset], d->cls, w, dst, vlen);
		else
			memcpy(dst, w, vlen);
	} else if (!convert(xdec[p->charset], d->cls, w, dst, vlen) &&
	    (i = class_scan(d->cls, dst, vlen)) != vlen)
		return class_err(d, n, w, i, start + pl, e);
	m->f[n].off = m->used;
	m->f[n].len = (uint16_t)vlen;
	m->used += (uint16_t)vlen;
	*pos = start + pl + units;
	return 0;
}

int
iso_unpack(const struct iso_profile *p, struct iso_msg *m, const uint8_t *w,
    size_t len, struct iso_err *e)
{
	const uint8_t *latin1 = latin1_of[p->charset];
	size_t pos = 0;
	int i, n, last;

	pthread_once(&xtab_once, xtab_build);
	iso_msg_init(m, NULL);
	if (len < 4)
		return seterr(e, 0, 0, "truncated: %zu bytes", len);
	for (i = 0; i < 4; i++) {
		uint8_t c = latin1[w[i]];
		if (!is_digit(c))
			return seterr(e, 0, (size_t)i, "not 4 digits");
		m->mti[i] = (char)c;
	}
	pos = 4;
	if (bitmap_read(p, w, len, &pos, m->present, -1, e) == -1)
		return -1;
	last = 64;
	if (bit_get(m->present, 1)) {
		if (bitmap_read(p, w, len, &pos, m->present + 8, 1, e) == -1)
			return -1;
		last = 128;
	}
	for (n = 2; n <= last; n++) {
		if ((n & 7) == 1 && m->present[(n - 1) >> 3] == 0) {
			n += 7;
			continue;
		}
		if (!bit_get(m->present, n))
			continue;
		if (n == 65) {
			if (bitmap_read(p, w, len, &pos, m->present + 16, 65,
			    e) == -1)
				return -1;
			last = ISO_NFIELDS;
			continue;
		}
		if (field_read(p, m, n, w, len, &pos, e) == -1)
			return -1;
	}
	bit_clr(m->present, 1);
	bit_clr(m->present, 65);
	if (pos != len)
		return seterr(e, -1, pos, "%zu trailing bytes after the last "
		    "field", len - pos);
	return 0;
}

static int
field_write(const struct iso_profile *p, const struct iso_msg *m, int n,
    uint8_t *out, size_t cap, size_t *pos, struct iso_err *e)
{
	const struct iso_fdef *d = &p->f[n];
	const uint8_t *v = m->buf + m->f[n].off;
	size_t vlen = m->f[n].len, pl = prefix_len(p, d->form), units, i;
	int hex = is_hexb(p, d);
	uint8_t *w;

	if (d->name == NULL)
		return seterr(e, n, *pos, "not defined in profile %s", p->name);
	if (length_check(p, n, vlen, *pos, e) == -1)
		return -1;
	units = hex ? 2 * vlen : vlen;
	if (cap - *pos < pl + units)
		return seterr(e, n, *pos, "output buffer full (%zu bytes)",
		    cap);
	w = out + *pos;
	if (pl)
		prefix_write(p, d->form, units, w);
	w += pl;
	if (hex)
		hex_encode(v, vlen, w);
	else if (d->cls == ISO_B || (d->cls == ISO_ANY &&
	    p->charset == ISO_CS_ASCII))
		memcpy(w, v, vlen);
	else if (!convert(xenc[p->charset], d->cls, v, w, vlen) &&
	    d->cls != ISO_ANY && (i = class_scan(d->cls, v, vlen)) != vlen)
		return class_err(d, n, v, i, *pos + pl, e);
	*pos += pl + units;
	return 0;
}

static void
bitmap_write(const struct iso_profile *p, const uint8_t bm[8], uint8_t *w)
{
	if (p->binenc == ISO_BIN_RAW)
		memcpy(w, bm, 8);
	else
		hex_encode(bm, 8, w);
}

static int
any_set(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 1;
	return 0;
}

ssize_t
iso_pack(const struct iso_profile *p, const struct iso_msg *m, uint8_t *out,
    size_t cap, struct iso_err *e)
{
	const uint8_t *wire = wire_of[p->charset];
	uint8_t bm[24];
	size_t pos, bml = p->binenc == ISO_BIN_HEX ? 16 : 8;
	int i, n, last;

	pthread_once(&xtab_once, xtab_build);
	memcpy(bm, m->present, sizeof bm);
	bit_clr(bm, 1);
	bit_clr(bm, 65);
	last = 64;
	if (any_set(bm + 16, 8)) {
		bit_set(bm, 65);
		last = ISO_NFIELDS;
	}
	if (any_set(bm + 8, 8)) {
		bit_set(bm, 1);
		if (last < 128)
			last = 128;
	}
	for (i = 0; i < 4; i++)
		if (!is_digit((uint8_t)m->mti[i]))
			return seterr(e, 0, (size_t)i, "not 4 digits");
	if (cap < 4 + bml * (bit_get(bm, 1) ? 2 : 1))
		return seterr(e, -1, 0, "output buffer full (%zu bytes)", cap);
	for (i = 0; i < 4; i++)
		out[i] = wire[(uint8_t)m->mti[i]];
	bitmap_write(p, bm, out + 4);
	pos = 4 + bml;
	if (bit_get(bm, 1)) {
		bitmap_write(p, bm + 8, out + pos);
		pos += bml;
	}
	for (n = 2; n <= last; n++) {
		if ((n & 7) == 1 && bm[(n - 1) >> 3] == 0) {
			n += 7;
			continue;
		}
		if (!bit_get(bm, n))
			continue;
		if (n == 65) {
			if (cap - pos < bml)
				return seterr(e, 65, pos, "output buffer full "
				    "(%zu bytes)", cap);
			bitmap_write(p, bm + 16, out + pos);
			pos += bml;
			continue;
		}
		if (field_write(p, m, n, out, cap, &pos, e) == -1)
			return -1;
	}
	return (ssize_t)pos;
}

int
iso_validate(const struct iso_profile *p, const struct iso_msg *m,
    struct iso_err *e)
{
	const uint8_t *v;
	size_t len, bad;
	int i, n;

	pthread_once(&xtab_once, xtab_build);
	for (i = 0; i < 4; i++)
		if (!is_digit((uint8_t)m->mti[i]))
			return seterr(e, 0, (size_t)i, "not 4 digits");
	for (n = iso_next(m, 0); n != 0; n = iso_next(m, n)) {
		if (p->f[n].name == NULL)
			return seterr(e, n, 0, "not defined in profile %s",
			    p->name);
		v = m->buf + m->f[n].off;
		len = m->f[n].len;
		if (length_check(p, n, len, 0, e) == -1)
			return -1;
		if ((bad = class_scan(p->f[n].cls, v, len)) != len)
			return class_err(&p->f[n], n, v, bad, 0, e);
	}
	return 0;
}
