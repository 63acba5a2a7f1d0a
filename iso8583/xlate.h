/*
 * xlate.h — a value's bytes between the wire and the form they are held
 * in (Latin-1), checked against the field's class in the same pass.
 * The codec's hot loop: numeric fields go 8 bytes at a time, the rest
 * one table lookup per byte that converts and classifies at once.
 */
#ifndef ISO8583_XLATE_H
#define ISO8583_XLATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "iso8583/profile-t.h"

/* Builds the tables; once per process, any thread. */
void	xlate_init(void);

/* The high nibble of the digits 0-9 in charset cs: 0x30 in ASCII, 0xF0
 * in both EBCDIC pages (where no other byte maps to a digit), so the
 * MTI and length prefixes need no table. */
static inline uint8_t
xlate_digit_nibble(int cs)
{
	return cs == ISO_CS_ASCII ? 0x30 : 0xF0;
}

#define XLATE_NCS	3

/* Per charset, byte -> converted byte | class bits of the held byte << 8;
 * filled by xlate_init, read only after. */
extern uint32_t xlate_dectab[XLATE_NCS][256], xlate_enctab[XLATE_NCS][256];

#define XLATE_HI8	0xF0F0F0F0F0F0F0F0ull
#define XLATE_LO8	0x0F0F0F0F0F0F0F0Full
#define XLATE_SIX8	0x0606060606060606ull
#define XLATE_ONES8	0x0101010101010101ull

/* 8 digits from high nibble hin to hout; nonzero bits in the result mean
 * a byte was not a digit. */
static inline uint64_t
xlate_digits8(uint64_t hin, uint64_t hout, const uint8_t *src, uint8_t *dst)
{
	uint64_t x, bad;

	memcpy(&x, src, 8);
	bad = ((x & XLATE_HI8) ^ hin) |
	    (((x & XLATE_LO8) + XLATE_SIX8) & XLATE_HI8);
	x = (x & XLATE_LO8) | hout;
	memcpy(dst, &x, 8);
	return bad;
}

static inline uint32_t
xlate_digits4(uint32_t hin, uint32_t hout, const uint8_t *src, uint8_t *dst)
{
	uint32_t x, bad;

	memcpy(&x, src, 4);
	bad = ((x & (uint32_t)XLATE_HI8) ^ hin) |
	    (((x & (uint32_t)XLATE_LO8) + (uint32_t)XLATE_SIX8) &
	    (uint32_t)XLATE_HI8);
	x = (x & (uint32_t)XLATE_LO8) | hout;
	memcpy(dst, &x, 4);
	return bad;
}

/* Digits with high nibble in become digits with high nibble out; returns
 * 1 when every byte was a digit.  Fields of 4 bytes or more go in words,
 * the last one overlapping the one before (the same bytes written twice
 * with the same value). */
static inline int
xlate_digits(uint8_t in, uint8_t out, const uint8_t *src, uint8_t *dst,
    size_t len)
{
	uint64_t hin = XLATE_ONES8 * in, hout = XLATE_ONES8 * out, bad = 0;
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8)
			bad |= xlate_digits8(hin, hout, src + i, dst + i);
		bad |= xlate_digits8(hin, hout, src + len - 8, dst + len - 8);
	} else if (len >= 4) {
		bad |= xlate_digits4((uint32_t)hin, (uint32_t)hout, src, dst);
		bad |= xlate_digits4((uint32_t)hin, (uint32_t)hout,
		    src + len - 4, dst + len - 4);
	} else
		for (i = 0; i < len; i++) {
			bad |= ((src[i] & 0xF0u) ^ in) |
			    (((src[i] & 0x0Fu) + 6) & 0xF0u);
			dst[i] = (uint8_t)((src[i] & 0x0F) | out);
		}
	return bad == 0;
}

static inline int
xlate_table(const uint32_t *tab, int cls, const uint8_t *src, uint8_t *dst,
    size_t len)
{
	uint32_t acc = ~0u;
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t x = tab[src[i]];
		dst[i] = (uint8_t)x;
		acc &= x;
	}
	return cls != ISO_XN && ((acc >> 8) & (1u << cls));
}

/* Converts len bytes, wire to held (dec) or held to wire (enc), in charset
 * cs.  Returns 1 when every byte is allowed in class cls, 0 when one may
 * not be (x+n always: its sign byte is for xlate_scan to judge); dst is
 * written in full either way. */
static inline int
xlate_dec(int cs, int cls, const uint8_t *src, uint8_t *dst, size_t len)
{
	if (cls == ISO_N && len >= 8 &&
	    xlate_digits(xlate_digit_nibble(cs), 0x30, src, dst, len))
		return 1;
	return xlate_table(xlate_dectab[cs], cls, src, dst, len);
}

static inline int
xlate_enc(int cs, int cls, const uint8_t *src, uint8_t *dst, size_t len)
{
	if (cls == ISO_N && len >= 8 &&
	    xlate_digits(0x30, xlate_digit_nibble(cs), src, dst, len))
		return 1;
	return xlate_table(xlate_enctab[cs], cls, src, dst, len);
}

/* The index of the first held byte cls does not allow, or len. */
size_t	xlate_scan(int cls, const uint8_t *v, size_t len);

/* "n", "ans", ... */
const char *xlate_class_name(int cls);

#endif
