/*
 * tlv.c — message TLV writer and reader.
 */
#include <string.h>

#include "tunnel/tlv.h"

void
tlv_w_init(struct tlv_w *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
}

int
tlv_put(struct tlv_w *w, uint16_t tag, const void *val, size_t len)
{
	if (w->err || len > 0xffff || w->cap - w->len < 4 + len) {
		w->err = 1;
		return -1;
	}
	w->buf[w->len] = tag >> 8;
	w->buf[w->len + 1] = tag & 0xff;
	w->buf[w->len + 2] = (uint8_t)(len >> 8);
	w->buf[w->len + 3] = (uint8_t)len;
	if (len > 0)
		memcpy(w->buf + w->len + 4, val, len);
	w->len += 4 + len;
	return 0;
}

int
tlv_put_str(struct tlv_w *w, uint16_t tag, const char *s)
{
	return tlv_put(w, tag, s, strlen(s));
}

int
tlv_put_u64(struct tlv_w *w, uint16_t tag, uint64_t v)
{
	char b[20];		/* 2^64 - 1 has 20 digits */
	size_t i = sizeof b;

	/* By hand: every request to the core carries one, and snprintf
	 * was a visible part of the relay's own CPU. */
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return tlv_put(w, tag, b + i, sizeof b - i);
}

void
tlv_r_init(struct tlv_r *r, const uint8_t *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->off = 0;
}

int
tlv_next(struct tlv_r *r, uint16_t *tag, const uint8_t **val, uint16_t *len)
{
	uint16_t l;

	if (r->off == r->len)
		return 0;
	if (r->len - r->off < 4)
		return -1;
	l = (uint16_t)(r->buf[r->off + 2] << 8 | r->buf[r->off + 3]);
	if (r->len - r->off - 4 < l)
		return -1;
	*tag = (uint16_t)(r->buf[r->off] << 8 | r->buf[r->off + 1]);
	*len = l;
	*val = r->buf + r->off + 4;
	r->off += 4 + (size_t)l;
	return 1;
}

int
tlv_check(const uint8_t *buf, size_t len)
{
	struct tlv_r r;
	uint16_t t, l;
	const uint8_t *v;
	int rv;

	tlv_r_init(&r, buf, len);
	while ((rv = tlv_next(&r, &t, &v, &l)) == 1)
		;
	return rv;
}

int
tlv_find(const uint8_t *buf, size_t len, uint16_t tag, const uint8_t **val,
    uint16_t *vlen)
{
	struct tlv_r r;
	uint16_t t, l;
	const uint8_t *v;
	int rv;

	tlv_r_init(&r, buf, len);
	while ((rv = tlv_next(&r, &t, &v, &l)) == 1) {
		if (t == tag) {
			*val = v;
			*vlen = l;
			return 1;
		}
	}
	return rv;
}

int
tlv_find_str(const uint8_t *buf, size_t len, uint16_t tag, char *dst,
    size_t dstsz)
{
	const uint8_t *v;
	uint16_t l;

	if (tlv_find(buf, len, tag, &v, &l) != 1 || l >= dstsz ||
	    memchr(v, '\0', l) != NULL)
		return -1;
	memcpy(dst, v, l);
	dst[l] = '\0';
	return 0;
}

int
tlv_find_u64(const uint8_t *buf, size_t len, uint16_t tag, uint64_t *out)
{
	const uint8_t *v;
	uint16_t l, i;
	uint64_t x = 0;

	if (tlv_find(buf, len, tag, &v, &l) != 1 || l == 0 || l > 20)
		return -1;
	for (i = 0; i < l; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}
