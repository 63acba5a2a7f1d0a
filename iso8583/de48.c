/*
 * de48.c — Mastercard DE48: TCC, then sub-elements "TTLLvalue" with a
 * two-digit tag and a two-digit length.
 */
#include <stdio.h>
#include <string.h>

#include "iso8583/de48.h"
#include "iso8583/iso8583.h"

static int
two_digits(const uint8_t *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

int
de48_next(const uint8_t *b, size_t len, size_t *pos, struct de48_se *se)
{
	size_t p = *pos;
	int tag, l;

	if (p >= len)
		return 0;
	if (len - p < 4 || (tag = two_digits(b + p)) < 0 ||
	    (l = two_digits(b + p + 2)) < 0 || len - p - 4 < (size_t)l)
		return -1;
	se->tag = tag;
	se->off = p;
	se->val = b + p + 4;
	se->len = (size_t)l;
	*pos = p + 4 + (size_t)l;
	return 1;
}

int
de48_find(const uint8_t *b, size_t len, int tag, struct de48_se *se)
{
	size_t pos = 1;
	int r;

	if (len < 1)
		return 0;
	while ((r = de48_next(b, len, &pos, se)) == 1)
		if (se->tag == tag)
			return 1;
	return r;
}

int
de48_secret(int tag)
{
	return tag == 92 || tag == 43 || tag == 33;
}

ssize_t
de48_public(const uint8_t *b, size_t len, uint8_t *out, size_t cap)
{
	struct de48_se se;
	size_t pos = 1, o;
	int r;

	if (len == 0)
		return 0;
	if (cap < 1)
		return -1;
	out[0] = b[0];
	o = 1;
	while ((r = de48_next(b, len, &pos, &se)) == 1) {
		if (de48_secret(se.tag))
			continue;
		if (cap - o < 4 + se.len)
			return -1;
		memcpy(out + o, b + se.off, 4 + se.len);
		o += 4 + se.len;
	}
	return r == -1 ? -1 : (ssize_t)o;
}

static int
de48_edit(struct iso_msg *m, int tag, const void *val, size_t vlen)
{
	uint8_t out[1000];
	const uint8_t *b;
	struct de48_se se;
	size_t len, pos = 1, o = 1;
	int r, done = 0;

	if (tag < 0 || tag > 99 || vlen > 99)
		return -1;
	if ((b = iso_get(m, 48, &len)) == NULL || len < 1)
		return -1;	/* no TCC to keep */
	out[0] = b[0];
	while ((r = de48_next(b, len, &pos, &se)) == 1) {
		size_t el = 4 + se.len;
		if (se.tag == tag) {
			if (val == NULL || done) {
				done = 1;
				continue;
			}
			el = 4 + vlen;
			if (sizeof out - o < el)
				return -1;
			snprintf((char *)out + o, 5, "%02d%02zu", tag, vlen);
			memcpy(out + o + 4, val, vlen);
			o += el;
			done = 1;
			continue;
		}
		if (sizeof out - o < el)
			return -1;
		memcpy(out + o, b + se.off, el);
		o += el;
	}
	if (r == -1)
		return -1;
	if (val != NULL && !done) {
		if (sizeof out - o < 4 + vlen + 1)
			return -1;
		snprintf((char *)out + o, 5, "%02d%02zu", tag, vlen);
		memcpy(out + o + 4, val, vlen);
		o += 4 + vlen;
	}
	return iso_set(m, 48, out, o);
}

int
iso_de48_set(struct iso_msg *m, int tag, const void *val, size_t len)
{
	return de48_edit(m, tag, val, len);
}

int
iso_de48_del(struct iso_msg *m, int tag)
{
	return de48_edit(m, tag, NULL, 0);
}
