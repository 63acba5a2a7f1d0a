#ifndef ISO8583_CHARSET_H
#define ISO8583_CHARSET_H

#include <stdint.h>

extern const uint8_t ebcdic500_to_latin1[256], latin1_to_ebcdic500[256];
extern const uint8_t ebcdic037_to_latin1[256], latin1_to_ebcdic037[256];

#endif
