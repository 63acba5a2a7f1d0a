/* Bitmap bits numbered as ISO 8583 does: field n is bit (n-1) from the
 * most significant bit of byte 0. */
#ifndef ISO8583_MSGBITS_H
#define ISO8583_MSGBITS_H

#include <stdint.h>

static inline int
bit_get(const uint8_t *bm, int n)
{
	return (bm[(n - 1) >> 3] >> (7 - ((n - 1) & 7))) & 1;
}

static inline void
bit_set(uint8_t *bm, int n)
{
	bm[(n - 1) >> 3] |= (uint8_t)(0x80 >> ((n - 1) & 7));
}

static inline void
bit_clr(uint8_t *bm, int n)
{
	bm[(n - 1) >> 3] &= (uint8_t)~(0x80 >> ((n - 1) & 7));
}

#endif
