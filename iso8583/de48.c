/*
 * de48.c — Mastercard DE48: TCC, then sub-elements "TTLLvalue" with a
 * two-digit tag and a two-digit length.
 */
#include <stdio.h>
#include <string.h>

#include "iso8583/de48.h"
#include "iso8583/elems.h"
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
de48_elem(const uint8_t *b, size_t len, size_t *pos, uint32_t *tag)
{
	struct de48_se se;
	int r;

	if ((r = de48_next(b, len, pos, &se)) == 1)
		*tag = (uint32_t)se.tag;
	return r;
}

/* "TTLL" then the value; tag and length are 0..99 (checked by callers). */
static ssize_t
de48_put(uint8_t *out, size_t cap, uint32_t tag, const void *val, size_t len)
{
	if (cap < 4 + len)
		return -1;
	out[0] = (uint8_t)('0' + tag / 10);
	out[1] = (uint8_t)('0' + tag % 10);
	out[2] = (uint8_t)('0' + len / 10);
	out[3] = (uint8_t)('0' + len % 10);
	memcpy(out + 4, val, len);
	return (ssize_t)(4 + len);
}

/* The TCC comes first, and stays; with the elements at most 999 bytes,
 * as DE48 (LLL) holds. */
static const struct elem_format de48_format = {
	.head = 1, .cap = 999, .next = de48_elem, .put = de48_put
};

int
iso_de48_set(struct iso_msg *m, int tag, const void *val, size_t len)
{
	if (tag < 0 || tag > 99 || len > 99)
		return -1;
	return elems_edit(m, 48, &de48_format, (uint32_t)tag, val, len);
}

int
iso_de48_del(struct iso_msg *m, int tag)
{
	if (tag < 0 || tag > 99)
		return -1;
	return elems_edit(m, 48, &de48_format, (uint32_t)tag, NULL, 0);
}
