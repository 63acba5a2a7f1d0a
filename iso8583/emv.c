/*
 * emv.c — BER-TLV (EMV Book 3 annex B): a tag is one byte, or more when
 * its low five bits are all set (continuation bytes while bit 8 is set);
 * a length is one byte below 0x80, else 0x81/0x82/0x83 followed by that
 * many length bytes.  Constructed tags are not descended into: DE55 is
 * read and rewritten one top-level element at a time.
 */
#include <string.h>

#include "iso8583/elems.h"
#include "iso8583/emv.h"
#include "iso8583/iso8583.h"

int
emv_next(const uint8_t *b, size_t len, size_t *pos, struct emv_tlv *t)
{
	size_t p = *pos, vlen, nl, i;
	uint32_t tag;

	if (p >= len)
		return 0;
	t->off = p;
	tag = b[p++];
	if ((tag & 0x1f) == 0x1f) {
		/* At most 3 continuation bytes: tags fit 4 bytes. */
		for (i = 0; ; i++) {
			if (p >= len || i == 3)
				return -1;
			tag = tag << 8 | b[p];
			if (!(b[p++] & 0x80))
				break;
		}
	}
	if (p >= len)
		return -1;
	if (b[p] < 0x80)
		vlen = b[p++];
	else {
		nl = b[p++] & 0x7f;
		if (nl == 0 || nl > 3 || len - p < nl)
			return -1;
		for (vlen = 0, i = 0; i < nl; i++)
			vlen = vlen << 8 | b[p++];
	}
	if (len - p < vlen)
		return -1;
	t->tag = tag;
	t->val = b + p;
	t->len = vlen;
	t->end = p + vlen;
	*pos = t->end;
	return 1;
}

int
emv_find(const uint8_t *b, size_t len, uint32_t tag, struct emv_tlv *t)
{
	size_t pos = 0;
	int r;

	while ((r = emv_next(b, len, &pos, t)) == 1)
		if (t->tag == tag)
			return 1;
	return r;
}

int
emv_check(const uint8_t *b, size_t len, size_t *bad_off)
{
	struct emv_tlv t;
	size_t pos = 0;
	int r;

	while ((r = emv_next(b, len, &pos, &t)) == 1)
		;
	if (r == -1 && bad_off)
		*bad_off = pos;
	return r;
}

ssize_t
emv_put(uint8_t *out, size_t cap, uint32_t tag, const void *val, size_t len)
{
	uint8_t hdr[8];
	size_t h = 0;
	int shift;

	for (shift = 24; shift > 0 && (tag >> shift) == 0; shift -= 8)
		;
	for (; shift >= 0; shift -= 8)
		hdr[h++] = (uint8_t)(tag >> shift);
	if (len < 0x80)
		hdr[h++] = (uint8_t)len;
	else if (len <= 0xff) {
		hdr[h++] = 0x81;
		hdr[h++] = (uint8_t)len;
	} else if (len <= 0xffff) {
		hdr[h++] = 0x82;
		hdr[h++] = (uint8_t)(len >> 8);
		hdr[h++] = (uint8_t)len;
	} else
		return -1;
	if (cap < h + len)
		return -1;
	memcpy(out, hdr, h);
	memcpy(out + h, val, len);
	return (ssize_t)(h + len);
}

static int
emv_elem(const uint8_t *b, size_t len, size_t *pos, uint32_t *tag)
{
	struct emv_tlv t;
	int r;

	if ((r = emv_next(b, len, pos, &t)) == 1)
		*tag = t.tag;
	return r;
}

static const struct elem_format de55_format = {
	.head = 0, .cap = 1024, .next = emv_elem, .put = emv_put
};

int
iso_de55_set(struct iso_msg *m, uint32_t tag, const void *val, size_t len)
{
	return elems_edit(m, 55, &de55_format, tag, val, len);
}

int
iso_de55_del(struct iso_msg *m, uint32_t tag)
{
	return elems_edit(m, 55, &de55_format, tag, NULL, 0);
}
