/*
 * mask.c — the masking printer.  Every rule is keyed by the profile's
 * mask kind for the field, never by field number alone.
 */
#include <stdio.h>
#include <string.h>

#include "base/hex.h"
#include "iso8583/de48.h"
#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "iso8583/mask.h"

/* A small bounded writer: never overruns, always leaves room for NUL. */
struct out {
	char	*p;
	size_t	 cap, len;
};

static void
put(struct out *o, const void *s, size_t n)
{
	if (o->len + 1 >= o->cap)
		return;
	if (n > o->cap - 1 - o->len)
		n = o->cap - 1 - o->len;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
put_rep(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, &c, 1);
}

static void
put_hex(struct out *o, const uint8_t *v, size_t n)
{
	char h[64];
	size_t k;

	for (; n > 0; v += k, n -= k) {
		k = n < sizeof h / 2 ? n : sizeof h / 2;
		hex_encode(v, k, h);
		put(o, h, 2 * k);
	}
}

static void
put_pan(struct out *o, const uint8_t *pan, size_t len)
{
	if (len <= 10) {
		put_rep(o, '*', len);
		return;
	}
	put(o, pan, 6);
	put_rep(o, '*', len - 10);
	put(o, pan + len - 4, 4);
}

void
mask_pan(const char *pan, size_t len, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };

	if (cap)
		out[0] = '\0';
	put_pan(&o, (const uint8_t *)pan, len);
}

/* The last four only: account numbers that are not card numbers. */
static void
put_account(struct out *o, const uint8_t *v, size_t len)
{
	size_t keep = len > 4 ? 4 : 0;

	put_rep(o, '*', len - keep);
	put(o, v + len - keep, keep);
}

static void
put_track(struct out *o, const uint8_t *v, size_t len)
{
	size_t i = 0;

	while (i < len && v[i] >= '0' && v[i] <= '9')
		i++;
	put_pan(o, v, i);
	put_rep(o, '*', len - i);
}

static void
put_de48(struct out *o, const uint8_t *v, size_t len)
{
	struct de48_se se;
	size_t pos = 1, last = 1;
	int r;

	if (len == 0)
		return;
	put(o, v, 1);
	while ((r = de48_next(v, len, &pos, &se)) == 1) {
		put(o, v + se.off, 4);
		if (de48_secret(se.tag))
			put_rep(o, '*', se.len);
		else
			put(o, se.val, se.len);
		last = pos;
	}
	if (r == -1)
		put_rep(o, '*', len - last);
}

/* EMV tags whose values are track data, PAN, cardholder name or
 * cryptographic material. */
static int
emv_secret(uint32_t tag)
{
	switch (tag) {
	case 0x56: case 0x57: case 0x5A: case 0x5F20: case 0x9F10:
	case 0x9F26: case 0x9F4B: case 0x9F6B: case 0x9F1F: case 0x9F20:
		return 1;
	}
	return 0;
}

/* Constructed tags (b6 of the first tag byte: 70, 77, BF0C, scripts)
 * hold TLVs of their own, which may be secret: walked, not printed. */
static int
emv_constructed(uint32_t tag)
{
	while (tag > 0xFF)
		tag >>= 8;
	return (tag & 0x20) != 0;
}

static void
put_de55_at(struct out *o, const uint8_t *v, size_t len, int depth)
{
	struct emv_tlv t;
	size_t pos = 0;
	int r;

	while ((r = emv_next(v, len, &pos, &t)) == 1) {
		size_t hl = (size_t)(t.val - v) - t.off;
		put_hex(o, v + t.off, hl);
		if (emv_secret(t.tag) || (emv_constructed(t.tag) && depth >= 4))
			put_rep(o, '*', 2 * t.len);
		else if (emv_constructed(t.tag))
			put_de55_at(o, t.val, t.len, depth + 1);
		else
			put_hex(o, t.val, t.len);
	}
	if (r == -1)
		put_rep(o, '*', 2 * (len - pos));
}

static void
put_de55(struct out *o, const uint8_t *v, size_t len)
{
	put_de55_at(o, v, len, 0);
}

size_t
mask_field(const struct iso_profile *p, const struct iso_msg *m, int field,
    int clear, char *out, size_t cap)
{
	const struct iso_fdef *d = iso_fdef(p, field);
	struct out o = { out, cap, 0 };
	const uint8_t *v;
	size_t len;

	if (cap)
		out[0] = '\0';
	if (d == NULL || (v = iso_get(m, field, &len)) == NULL)
		return 0;
	if (clear || d->mask == ISO_MASK_NONE) {
		if (d->cls == ISO_B)
			put_hex(&o, v, len);
		else
			put(&o, v, len);
		return o.len;
	}
	switch (d->mask) {
	case ISO_MASK_PAN:
		put_pan(&o, v, len);
		break;
	case ISO_MASK_TRACK:
		put_track(&o, v, len);
		break;
	case ISO_MASK_ACCOUNT:
		put_account(&o, v, len);
		break;
	case ISO_MASK_DE48:
		put_de48(&o, v, len);
		break;
	case ISO_MASK_DE55:
		put_de55(&o, v, len);
		break;
	default:
		put_rep(&o, '*', d->cls == ISO_B ? 2 * len : len);
		break;
	}
	return o.len;
}

size_t
mask_line(const struct iso_profile *p, const struct iso_msg *m, char *out,
    size_t cap)
{
	struct out o = { out, cap, 0 };
	char val[2048], num[16];
	size_t vl, i;
	int n, quote;

	if (cap)
		out[0] = '\0';
	put(&o, "mti=", 4);
	put(&o, m->mti, strlen(m->mti));
	for (n = iso_next(m, 0); n != 0; n = iso_next(m, n)) {
		vl = mask_field(p, m, n, 0, val, sizeof val);
		for (quote = 0, i = 0; i < vl; i++)
			if (val[i] == ' ' || val[i] == '"' || val[i] == '=')
				quote = 1;
		snprintf(num, sizeof num, " %d=", n);
		put(&o, num, strlen(num));
		if (quote)
			put(&o, "\"", 1);
		for (i = 0; i < vl; i++) {
			uint8_t c = (uint8_t)val[i];
			if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
				char esc[5];
				snprintf(esc, sizeof esc, "\\x%02X", c);
				put(&o, esc, 4);
			} else
				put(&o, &val[i], 1);
		}
		if (quote)
			put(&o, "\"", 1);
	}
	return o.len;
}
