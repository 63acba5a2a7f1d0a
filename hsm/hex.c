/*
 * hex.c — hex and digit helpers shared by the codec sides of hsm/.
 * Nothing here is secret-dependent except hsm_hex_decode/encode, which use
 * table-free arithmetic so clear key components do not index memory.
 */
#include "hsm/hex.h"
#include "iso8583/hex.h"

int
hsm_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (hexlen != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = hex_nibble((unsigned char)hex[2 * i]);
		lo = hex_nibble((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void
hsm_hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		/* 'A'-10 for 10..15 without a lookup table. */
		v = in[i] >> 4;
		out[2 * i] = (char)('0' + v + ((9 - v) >> 8 & 7));
		v = in[i] & 15;
		out[2 * i + 1] = (char)('0' + v + ((9 - v) >> 8 & 7));
	}
}

int
hsm_is_hex(const char *s, size_t n, int upper)
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
hsm_is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

long
hsm_parse_num(const char *s, size_t n, int base)
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
