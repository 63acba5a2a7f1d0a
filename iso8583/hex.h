/*
 * hex.h — upper-case hex as ISO 8583 hex profiles, the CLI and the HSM
 * protocol write it; both cases accepted on input.
 */
#ifndef ISO8583_HEX_H
#define ISO8583_HEX_H

#include <stddef.h>
#include <stdint.h>

/* 0..15, or -1 for a byte that is not a hex digit.  No table lookup, so
 * it is also fit for clear key components. */
int	hex_nibble(uint8_t c);
/* Decodes hexlen (even) characters into hexlen / 2 bytes.  Returns
 * hexlen, or the position of the first character that is not hex. */
size_t	hex_decode(const uint8_t *hex, size_t hexlen, uint8_t *out);
/* Writes 2 * n upper-case characters, no NUL. */
void	hex_encode(const uint8_t *in, size_t n, uint8_t *out);

#endif
