/*
 * charset.h — how the profiles' character sets map to ISO-8859-1, the
 * form values are held in.
 */
#ifndef ISO8583_CHARSET_H
#define ISO8583_CHARSET_H

#include <stdint.h>

/* The conversions of a charset (enum iso_charset): to[w] is the Latin-1
 * byte of wire byte w, from[a] the wire byte of Latin-1 byte a.  ASCII
 * is the identity. */
void	charset_tables(int charset, uint8_t to[256], uint8_t from[256]);

#endif
