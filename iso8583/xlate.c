/*
 * xlate.c — converting and checking a value's bytes in one pass.
 *
 * One table per charset and direction maps a byte to its converted byte
 * plus, above it, the class bits (1 << enum iso_class) the held (Latin-1)
 * byte may stand in; ANDing the entries of a value keeps the classes every
 * byte allowed.  Digits, the most common class, skip the table: in ASCII
 * and in both EBCDIC pages they are one high nibble (3 or F) over 0..9,
 * so eight of them are checked and converted with a few word operations
 * (no carry crosses a byte: a nibble plus 6 is at most 0x15).
 */
#include <pthread.h>
#include <string.h>

#include "iso8583/charset.h"
#include "iso8583/profile-t.h"
#include "iso8583/xlate.h"

#define NCS	XLATE_NCS

uint32_t xlate_dectab[NCS][256], xlate_enctab[NCS][256];
static uint16_t class_ok[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The classes a Latin-1 byte may stand in; ans and ns take the printable
 * Latin-1 bytes beyond ASCII too. */
static uint16_t
class_bits(int c)
{
	int digit = c >= '0' && c <= '9';
	int letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	int print = (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
	unsigned b = 1u << ISO_B | 1u << ISO_ANY;

	if (digit)
		b |= 1u << ISO_N | 1u << ISO_XN;
	if (letter || c == ' ')
		b |= 1u << ISO_A;
	if (letter || digit || c == ' ')
		b |= 1u << ISO_AN;
	if (print)
		b |= 1u << ISO_ANS;
	if (print && !letter)
		b |= 1u << ISO_NS;
	if (digit || c == '=' || c == 'D')
		b |= 1u << ISO_Z;
	return (uint16_t)b;
}

static void
build(void)
{
	uint8_t latin1_of[256], wire_of[256], a;
	int cs, c;

	for (c = 0; c < 256; c++)
		class_ok[c] = class_bits(c);
	for (cs = 0; cs < NCS; cs++) {
		charset_tables(cs, latin1_of, wire_of);
		for (c = 0; c < 256; c++) {
			a = latin1_of[c];
			xlate_dectab[cs][c] = a | (uint32_t)class_ok[a] << 8;
			xlate_enctab[cs][c] = wire_of[c] |
			    (uint32_t)class_ok[c] << 8;
		}
	}
}

void
xlate_init(void)
{
	pthread_once(&once, build);
}

size_t
xlate_scan(int cls, const uint8_t *v, size_t len)
{
	uint16_t bit = (uint16_t)(1u << cls);
	size_t i = 0;

	if (cls == ISO_XN) {
		if (len == 0 || (v[0] != 'C' && v[0] != 'D'))
			return 0;
		i = 1;
	}
	while (i < len && (class_ok[v[i]] & bit))
		i++;
	return i;
}

const char *
xlate_class_name(int cls)
{
	static const char *names[] = { "n", "a", "an", "ans", "ns", "z",
	    "x+n", "b", "any" };

	return cls >= 0 && cls < (int)(sizeof names / sizeof names[0]) ?
	    names[cls] : "?";
}
