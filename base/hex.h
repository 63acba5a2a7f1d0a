/*
 * hex.h — hex and decimal digit strings: one set of rules for the codec's
 * hex profiles, the payShield protocol, the CLI and key components.
 * Hex is upper case on output, either case on input.  The hex functions
 * neither branch on nor index memory by the value of a digit, so clear
 * keys may pass through them.
 */
#ifndef BASE_HEX_H
#define BASE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* 0..15, or -1 for a byte that is not a hex digit. */
int	hex_nibble(unsigned c);
/* Decodes hexlen (even) characters into hexlen / 2 bytes.  Returns
 * hexlen, or the position of the first character that is not hex. */
size_t	hex_decode(const void *hex, size_t hexlen, uint8_t *out);
/* Decodes exactly 2 * n characters into n bytes: 0, or -1 (wrong length,
 * not hex) with out left partly written. */
int	hex_decode_exact(const char *hex, size_t hexlen, uint8_t *out,
	    size_t n);
/* Writes 2 * n upper-case characters, no NUL. */
void	hex_encode(const uint8_t *in, size_t n, void *out);
/* 1 if the n characters are all hex digits (upper case only when
 * upper), else 0. */
int	hex_valid(const char *s, size_t n, int upper);

/* 1 if the n characters are all decimal digits, else 0. */
int	dec_valid(const char *s, size_t n);
/* n (1..8) decimal (base 10) or upper-case hex (base 16) characters as a
 * number; -1 if invalid. */
long	num_parse(const char *s, size_t n, int base);

#endif
