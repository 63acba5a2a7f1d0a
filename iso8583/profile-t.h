/*
 * profile-t.h — a wire profile is data: how the MTI, bitmaps, length
 * prefixes and each field travel.  Adding a scheme is adding a table
 * (see profile.c).
 */
#ifndef ISO8583_PROFILE_T_H
#define ISO8583_PROFILE_T_H

#include <stdint.h>

#define ISO_HDR_MAX	64

/* Content class of a field, enforced on pack and unpack. */
enum iso_class {
	ISO_N,		/* digits */
	ISO_A,		/* letters, space */
	ISO_AN,		/* letters, digits, space */
	ISO_ANS,	/* printable ASCII */
	ISO_NS,		/* digits and printable specials (no letters) */
	ISO_Z,		/* track 2/3 code set: digits, '=' or 'D' separator */
	ISO_XN,		/* 'C' or 'D' then digits */
	ISO_B,		/* binary */
	ISO_ANY,	/* any byte: fields real traffic fills with anything (DE48) */
};

enum iso_form { ISO_FIXED, ISO_LL, ISO_LLL, ISO_LLLL };

/* How characters (MTI, text, character length prefixes) travel. */
enum iso_charset { ISO_CS_ASCII, ISO_CS_EBCDIC500, ISO_CS_EBCDIC037 };

/* How length prefixes travel. */
enum iso_lenenc {
	ISO_LEN_CHARS,	/* decimal digits in the profile's charset */
	ISO_LEN_BCD,	/* packed BCD, 1 byte for LL, 2 for LLL/LLLL */
	ISO_LEN_BIN,	/* big-endian binary, 1 byte for LL, 2 for LLL/LLLL */
};

/* How the MTI and n-class values travel: characters in the profile's
 * charset, or packed BCD (two digits a byte, an odd count right-justified
 * behind a zero nibble; a length prefix counts digits). */
enum iso_numenc { ISO_NUM_CHARS, ISO_NUM_BCD };

/* How bitmaps and b-class fields travel. */
enum iso_binenc { ISO_BIN_RAW, ISO_BIN_HEX };

/* What the masking printer does with a value. */
enum iso_mask {
	ISO_MASK_NONE,
	ISO_MASK_PAN,		/* first 6, last 4 */
	ISO_MASK_TRACK,		/* PAN part masked, the rest hidden */
	ISO_MASK_ALL,		/* hidden entirely (PIN block, track 1, MAC keys) */
	ISO_MASK_ACCOUNT,	/* last 4 only (FPS account numbers) */
	ISO_MASK_DE48,		/* CVC-bearing sub-elements hidden */
	ISO_MASK_DE55,		/* cryptogram, track-equivalent and PAN tags hidden */
};

struct iso_fdef {
	const char	*name;
	uint8_t		 cls;	/* enum iso_class */
	uint8_t		 form;	/* enum iso_form */
	uint8_t		 mask;	/* enum iso_mask */
	uint16_t	 max;	/* characters, or bytes of value for ISO_B */
};

struct iso_profile {
	const char	*name;
	uint8_t		 charset;	/* enum iso_charset */
	uint8_t		 lenenc;	/* enum iso_lenenc */
	uint8_t		 binenc;	/* enum iso_binenc */
	uint8_t		 numenc;	/* enum iso_numenc */
	uint8_t		 empty_ok;	/* zero-length variable fields allowed */
	uint8_t		 id_de63;	/* DE63 is part of a transaction's id */
	uint8_t		 framing;	/* enum frame_kind of the scheme's links */
	uint8_t		 hdrlen;	/* fixed header after the length prefix */
	uint8_t		 header[ISO_HDR_MAX];	/* its template */
	struct iso_fdef	 f[192 + 1];
	/* 0 for a compiled-in profile; a loaded one's own number, so a
	 * message checked under a freed profile is not taken for checked
	 * under a new one that got its address */
	uint32_t	 serial;
};

#endif
