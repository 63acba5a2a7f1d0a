#include "iso8583/hex.h"

int
hex_nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t
hex_decode(const uint8_t *hex, size_t hexlen, uint8_t *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i + 1 < hexlen; i += 2) {
		if ((hi = hex_nibble(hex[i])) < 0)
			return i;
		if ((lo = hex_nibble(hex[i + 1])) < 0)
			return i + 1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return hexlen;
}

void
hex_encode(const uint8_t *in, size_t n, uint8_t *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)digits[in[i] >> 4];
		out[2 * i + 1] = (uint8_t)digits[in[i] & 15];
	}
}
