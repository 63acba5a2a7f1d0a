/*
 * hex.c — hex and decimal digit strings.
 */
#include "base/hex.h"

/* All ones when lo <= v <= hi, else 0; v, lo, hi small ints. */
static int
in_range(int v, int lo, int hi)
{
	return ~(((v - lo) | (hi - v)) >> 8);
}

int
hex_nibble(unsigned c)
{
	int x = (int)(c & 0xff), d, l, dm, lm;

	if (c > 0xff)
		return -1;
	d = x - '0';
	l = (x | 0x20) - 'a';		/* a..f and A..F alike */
	dm = in_range(d, 0, 9);
	lm = in_range(l, 0, 5);
	return (dm & d) | (lm & (l + 10)) | ~(dm | lm);
}

size_t
hex_decode(const void *hex, size_t hexlen, uint8_t *out)
{
	const uint8_t *h = hex;
	size_t i;
	int hi, lo;

	for (i = 0; i + 1 < hexlen; i += 2) {
		if ((hi = hex_nibble(h[i])) < 0)
			return i;
		if ((lo = hex_nibble(h[i + 1])) < 0)
			return i + 1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return hexlen;
}

int
hex_decode_exact(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
	if (hexlen != 2 * n || hex_decode(hex, hexlen, out) != hexlen)
		return -1;
	return 0;
}

void
hex_encode(const uint8_t *in, size_t n, void *out)
{
	uint8_t *o = out;
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		/* '0'+v, plus 7 more for 10..15 ('A'): no table, no branch */
		v = in[i] >> 4;
		o[2 * i] = (uint8_t)('0' + v + ((9 - v) >> 8 & 7));
		v = in[i] & 15;
		o[2 * i + 1] = (uint8_t)('0' + v + ((9 - v) >> 8 & 7));
	}
}

int
hex_valid(const char *s, size_t n, int upper)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (upper && c >= 'a' && c <= 'f')
			return 0;
		if (hex_nibble(c) < 0)
			return 0;
	}
	return 1;
}

int
dec_valid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

long
num_parse(const char *s, size_t n, int base)
{
	long v = 0;
	size_t i;
	int d;

	if (n == 0 || n > 8)
		return -1;
	for (i = 0; i < n; i++) {
		d = hex_nibble((unsigned char)s[i]);
		if (d < 0 || d >= base || (base == 16 && s[i] >= 'a'))
			return -1;
		v = v * base + d;
	}
	return v;
}
