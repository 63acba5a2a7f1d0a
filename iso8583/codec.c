/*
 * codec.c — unpack, pack and validate against a profile.
 *
 * Every length is checked against the bytes that are really there before
 * it is used, and every prefix is decimal digits only (no sign, no space),
 * so bad input is refused with the field and offset, never read past.
 */
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "iso8583/msgbits.h"
#include "iso8583/xlate.h"


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

static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int
prefix_digits(int form)
{
	return form == ISO_LL ? 2 : form == ISO_LLL ? 3 :
	    form == ISO_LLLL ? 4 : 0;
}

/* Reads a length prefix of d digits; -1 if it holds anything but a
 * length. */
static long
prefix_read(const struct iso_profile *p, int d, const uint8_t *w)
{
	uint8_t hi = xlate_digit_nibble(p->charset);
	long n = 0;
	int i;

	switch (p->lenenc) {
	case ISO_LEN_CHARS:
		for (i = 0; i < d; i++) {
			if ((w[i] & 0xF0) != hi || (w[i] & 0x0F) > 9)
				return -1;
			n = n * 10 + (w[i] & 0x0F);
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
prefix_write(const struct iso_profile *p, int d, size_t n, uint8_t *w)
{
	uint8_t hi = xlate_digit_nibble(p->charset);
	int i;

	switch (p->lenenc) {
	case ISO_LEN_CHARS:
		/* Unrolled: the loop's divisions were a tenth of pack. */
		i = 0;
		if (d == 4)
			w[i++] = (uint8_t)(hi | n / 1000 % 10);
		if (d >= 3)
			w[i++] = (uint8_t)(hi | n / 100 % 10);
		w[i] = (uint8_t)(hi | n / 10 % 10);
		w[i + 1] = (uint8_t)(hi | n % 10);
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
	    "(position %zu)", v[bad], xlate_class_name(d->cls), bad);
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

/* Bytes and digits of a field's length prefix (0 for fixed fields). */
static inline size_t
prefix_len(const struct iso_profile *p, int form, int *digits)
{
	*digits = prefix_digits(form);
	if (*digits == 0 || p->lenenc == ISO_LEN_CHARS)
		return (size_t)*digits;
	return *digits == 2 ? 1 : 2;
}

/* nd digits from packed BCD (an odd count behind a zero nibble) into
 * ASCII; the index of the first bad nibble's digit (-1 for the pad), or
 * nd when all are good. */
static long
bcd_read(const uint8_t *w, size_t nd, uint8_t *dst)
{
	size_t i, k = nd % 2;	/* nibble index of the first digit */
	unsigned v;

	if (k && (w[0] >> 4) != 0)
		return -1;
	for (i = 0; i < nd; i++, k++) {
		v = k % 2 ? w[k / 2] & 15 : w[k / 2] >> 4;
		if (v > 9)
			return (long)i;
		dst[i] = (uint8_t)('0' + v);
	}
	return (long)nd;
}

static void
bcd_write(const uint8_t *v, size_t nd, uint8_t *w)
{
	size_t i, k = nd % 2;

	if (k)
		w[0] = 0;
	for (i = 0; i < nd; i++, k++) {
		if (k % 2)
			w[k / 2] |= (uint8_t)(v[i] & 15);
		else
			w[k / 2] = (uint8_t)((v[i] & 15) << 4);
	}
}

static int
field_read(const struct iso_profile *p, struct iso_msg *m, int n,
    const uint8_t *w, size_t len, size_t *pos, struct iso_err *e)
{
	const struct iso_fdef *d = &p->f[n];
	int hex = d->cls == ISO_B && p->binenc == ISO_BIN_HEX, digits;
	int bcd = d->cls == ISO_N && p->numenc == ISO_NUM_BCD;
	size_t start = *pos, pl = prefix_len(p, d->form, &digits);
	size_t maxunits = hex ? 2u * d->max : d->max, units, wlen, vlen, i;
	uint8_t *dst;

	if (d->name == NULL)
		return seterr(e, n, start, "not defined in profile %s",
		    p->name);
	if (len - start < pl)
		return seterr(e, n, start, "truncated length prefix");
	if (pl) {
		long l = prefix_read(p, digits, w + start);
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
	wlen = bcd ? (units + 1) / 2 : units;
	if (len - start - pl < wlen)
		return seterr(e, n, start, "truncated: needs %zu bytes, "
		    "%zu left", wlen, len - start - pl);
	vlen = hex ? units / 2 : units;
	if (vlen > (size_t)ISO_BUF_MAX - m->used)
		return seterr(e, n, start, "message values exceed %d bytes",
		    ISO_BUF_MAX);
	w += start + pl;
	dst = m->buf + m->used;
	if (hex) {
		if ((i = hex_decode(w, units, dst)) != units)
			return seterr(e, n, start + pl + i, "not hex");
	} else if (bcd) {
		long b = bcd_read(w, units, dst);
		if (b != (long)units)
			return seterr(e, n, start + pl + (b < 0 ? 0 :
			    (size_t)(b + (long)units % 2) / 2), "not BCD "
			    "(digit %ld)", b);
	} else if (d->cls == ISO_B || (d->cls == ISO_ANY &&
	    p->charset == ISO_CS_ASCII))
		memcpy(dst, w, vlen);
	else if (!xlate_dec(p->charset, d->cls, w, dst, vlen) &&
	    d->cls != ISO_ANY && (i = xlate_scan(d->cls, dst, vlen)) != vlen)
		return class_err(d, n, w, i, start + pl, e);
	m->f[n].off = m->used;
	m->f[n].len = (uint16_t)vlen;
	m->used += (uint16_t)vlen;
	*pos = start + pl + wlen;
	return 0;
}

#define TOPBIT	(1ull << 63)

/* Eight bitmap bytes as a word whose top bit is the first field's. */
static inline uint64_t
bitmap_word(const uint8_t *b)
{
	uint64_t x;

	memcpy(&x, b, 8);
	return be64toh(x);
}

static inline size_t
mti_len(const struct iso_profile *p)
{
	return p->numenc == ISO_NUM_BCD ? 2 : 4;
}

/* The MTI's 4 digits in the profile's charset or BCD; -1, or the index of
 * the first that is not one. */
static int
mti_read(const struct iso_profile *p, const uint8_t *w, char mti[5])
{
	uint8_t hi = xlate_digit_nibble(p->charset);
	long b;
	int i;

	if (p->numenc == ISO_NUM_BCD) {
		b = bcd_read(w, 4, (uint8_t *)mti);
		return b == 4 ? -1 : (int)b;
	}
	for (i = 0; i < 4; i++) {
		if ((w[i] & 0xF0) != hi || (w[i] & 0x0F) > 9)
			return i;
		mti[i] = (char)('0' + (w[i] & 0x0F));
	}
	return -1;
}

int
iso_unpack(const struct iso_profile *p, struct iso_msg *m, const uint8_t *w,
    size_t len, struct iso_err *e)
{
	size_t pos = mti_len(p);
	uint64_t bits;
	int bad, nwords = 1, wi, n;

	xlate_init();
	iso_msg_init(m, NULL);
	if (len < pos)
		return seterr(e, 0, 0, "truncated: %zu bytes", len);
	if ((bad = mti_read(p, w, m->mti)) >= 0)
		return seterr(e, 0, (size_t)bad * pos / 4, "not 4 digits");
	if (bitmap_read(p, w, len, &pos, m->present, -1, e) == -1)
		return -1;
	if (bit_get(m->present, 1)) {
		if (bitmap_read(p, w, len, &pos, m->present + 8, 1, e) == -1)
			return -1;
		nwords = 2;
	}
	/* A word of the bitmap at a time, its fields by leading zeros; the
	 * tertiary bitmap (DE65) comes first in the second word, so it is
	 * in place before the third is taken. */
	for (wi = 0; wi < nwords; wi++) {
		bits = bitmap_word(m->present + 8 * wi);
		if (wi == 0)
			bits &= ~TOPBIT;
		while (bits != 0) {
			n = __builtin_clzll(bits);
			bits &= ~(TOPBIT >> n);
			n += 64 * wi + 1;
			if (n == 65) {
				if (bitmap_read(p, w, len, &pos,
				    m->present + 16, 65, e) == -1)
					return -1;
				nwords = 3;
			} else if (field_read(p, m, n, w, len, &pos, e) == -1)
				return -1;
		}
	}
	/* DE1 and DE65 stand for the bitmaps after them.  One that is empty
	 * stays marked, so that pack writes it again: what unpacks packs
	 * back to the same bytes. */
	if (nwords >= 2 && bitmap_word(m->present + 8) != 0)
		bit_clr(m->present, 1);
	if (nwords == 3 && bitmap_word(m->present + 16) != 0)
		bit_clr(m->present, 65);
	if (pos != len)
		return seterr(e, -1, pos, "%zu trailing bytes after the last "
		    "field", len - pos);
	/* Every field present passed its checks against p. */
	memcpy(m->checked, m->present, sizeof m->checked);
	m->checked_by = p;
	m->checked_serial = p->serial;
	return 0;
}

/* Field n passed iso_unpack's checks under this very profile (a loaded
 * profile's serial tells it from a new one at a freed one's address). */
static int
checked_under(const struct iso_msg *m, const struct iso_profile *p, int n)
{
	return m->checked_by == p && m->checked_serial == p->serial &&
	    bit_get(m->checked, n);
}

static int
field_write(const struct iso_profile *p, const struct iso_msg *m, int n,
    uint8_t *out, size_t cap, size_t *pos, struct iso_err *e)
{
	const struct iso_fdef *d = &p->f[n];
	const uint8_t *v = m->buf + m->f[n].off;
	int hex = d->cls == ISO_B && p->binenc == ISO_BIN_HEX, digits;
	int bcd = d->cls == ISO_N && p->numenc == ISO_NUM_BCD;
	size_t vlen = m->f[n].len, pl = prefix_len(p, d->form, &digits);
	size_t units, wlen, i;
	uint8_t *w;

	if (d->name == NULL)
		return seterr(e, n, *pos, "not defined in profile %s", p->name);
	if (length_check(p, n, vlen, *pos, e) == -1)
		return -1;
	units = hex ? 2 * vlen : vlen;
	wlen = bcd ? (units + 1) / 2 : units;
	if (cap - *pos < pl + wlen)
		return seterr(e, n, *pos, "output buffer full (%zu bytes)",
		    cap);
	w = out + *pos;
	if (pl)
		prefix_write(p, digits, units, w);
	w += pl;
	if (hex)
		hex_encode(v, vlen, w);
	else if (bcd) {
		if (!checked_under(m, p, n) &&
		    (i = xlate_scan(ISO_N, v, vlen)) != vlen)
			return class_err(d, n, v, i, *pos + pl, e);
		bcd_write(v, vlen, w);
	} else if (p->charset == ISO_CS_ASCII && (d->cls == ISO_B ||
	    d->cls == ISO_ANY || checked_under(m, p, n)))
		memcpy(w, v, vlen);
	else if (d->cls == ISO_B)
		memcpy(w, v, vlen);
	else if (!xlate_enc(p->charset, d->cls, v, w, vlen) &&
	    d->cls != ISO_ANY && (i = xlate_scan(d->cls, v, vlen)) != vlen)
		return class_err(d, n, v, i, *pos + pl, e);
	*pos += pl + wlen;
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
mti_write(const struct iso_profile *p, const char mti[5], uint8_t *w)
{
	uint8_t hi = xlate_digit_nibble(p->charset);
	int i;

	for (i = 0; i < 4; i++) {
		if (!is_digit((uint8_t)mti[i]))
			return i;
		if (p->numenc != ISO_NUM_BCD)
			w[i] = (uint8_t)(hi | (mti[i] & 0x0F));
	}
	if (p->numenc == ISO_NUM_BCD)
		bcd_write((const uint8_t *)mti, 4, w);
	return -1;
}

ssize_t
iso_pack(const struct iso_profile *p, const struct iso_msg *m, uint8_t *out,
    size_t cap, struct iso_err *e)
{
	uint8_t bm[24];
	size_t pos, bml = p->binenc == ISO_BIN_HEX ? 16 : 8;
	uint64_t bits;
	int bad, nwords = 1, wi, n;

	xlate_init();
	/* Bits 1 and 65 are set by iso_unpack only, for a bitmap it read
	 * empty; otherwise a bitmap is sent when a field behind it is. */
	memcpy(bm, m->present, sizeof bm);
	if (bitmap_word(bm + 16) != 0)
		bit_set(bm, 65);
	if (bitmap_word(bm + 8) != 0)
		bit_set(bm, 1);
	if (bit_get(bm, 1))
		nwords = bit_get(bm, 65) ? 3 : 2;
	if (cap < mti_len(p) + bml * (size_t)(nwords > 1 ? 2 : 1))
		return seterr(e, -1, 0, "output buffer full (%zu bytes)", cap);
	if ((bad = mti_write(p, m->mti, out)) >= 0)
		return seterr(e, 0, (size_t)bad, "not 4 digits");
	bitmap_write(p, bm, out + mti_len(p));
	pos = mti_len(p) + bml;
	if (nwords > 1) {
		bitmap_write(p, bm + 8, out + pos);
		pos += bml;
	}
	for (wi = 0; wi < nwords; wi++) {
		bits = bitmap_word(bm + 8 * wi);
		if (wi == 0)
			bits &= ~TOPBIT;
		while (bits != 0) {
			n = __builtin_clzll(bits);
			bits &= ~(TOPBIT >> n);
			n += 64 * wi + 1;
			if (n != 65) {
				if (field_write(p, m, n, out, cap, &pos,
				    e) == -1)
					return -1;
				continue;
			}
			if (cap - pos < bml)
				return seterr(e, 65, pos, "output buffer full "
				    "(%zu bytes)", cap);
			bitmap_write(p, bm + 16, out + pos);
			pos += bml;
		}
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

	xlate_init();
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
		if ((bad = xlate_scan(p->f[n].cls, v, len)) != len)
			return class_err(&p->f[n], n, v, bad, 0, e);
	}
	return 0;
}
