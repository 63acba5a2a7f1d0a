/*
 * hex.h — upper-case hex <-> bytes, the way payShield fields carry binary.
 */
#ifndef HSM_HEX_H
#define HSM_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decode exactly 2*n hex characters (either case) into n bytes; 0 or -1. */
int	hsm_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n);
/* Encode n bytes as 2*n upper-case hex characters (no NUL written). */
void	hsm_hex_encode(const uint8_t *in, size_t n, char *out);
/* 1 if the n characters are all hex digits (upper case only when upper). */
int	hsm_is_hex(const char *s, size_t n, int upper);
/* 1 if the n characters are all decimal digits. */
int	hsm_is_digits(const char *s, size_t n);
/* Parse n decimal (base 10) or hex (base 16) characters; -1 if invalid. */
long	hsm_parse_num(const char *s, size_t n, int base);

#endif
