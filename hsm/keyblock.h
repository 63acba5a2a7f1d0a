/*
 * keyblock.h — key blocks protected as in ANSI X9.143 / TR-31 version D:
 * AES key block protection key (here the LMK), KBEK and KBAK derived
 * with AES-CMAC, the clear key field (2-byte bit length || key || random
 * padding) encrypted with AES-CBC using the 16-byte MAC as IV, the MAC
 * an AES-CMAC over header || clear key field.
 *
 * hsmd's own blocks are payShield 'S' blocks: the same header layout with
 * version '1' (AES key-block LMK); TR-31 'D' blocks unwrap with the same
 * code, which is how the public TR-31 vectors test it.
 *
 * Header (16 characters): version(1) length(4N, whole block, no 'S')
 * usage(2) algorithm(1) mode of use(1) key version(2) exportability(1)
 * number of optional blocks(2N) LMK id / reserved(2), then optional blocks.
 */
#ifndef HSM_KEYBLOCK_H
#define HSM_KEYBLOCK_H

#include <stddef.h>
#include <stdint.h>

#define KB_HDR_LEN	16
#define KB_MAX_KEY	32
#define KB_MAX_LEN	9999	/* the 4-digit length field */

struct kb_header {
	char	version;
	char	usage[2];
	char	algorithm;	/* 'T' TDES, 'D' DES, 'A' AES */
	char	mode;		/* mode of use */
	char	kvn[2];
	char	exportability;
	char	lmkid[2];
	int	nopt;
	size_t	hdrlen;		/* 16 + optional blocks */
};

/* Results, mapped by cmdkey.c to payShield error codes. */
enum {
	KB_OK = 0,
	KB_EFORMAT = -1,	/* 83: key block format error */
	KB_EAUTH = -2,		/* A4: key block authentication failure */
	KB_EINTERNAL = -3,	/* 41 */
};

/* Parse and check the header fields (no crypto). */
int	kb_parse_header(const char *blk, size_t len, struct kb_header *);
/*
 * Wrap: hdr is the 16-character header; its length field is filled in.
 * out receives the block (no 'S'), NUL-terminated; outsz must allow it.
 */
int	kb_wrap(const uint8_t *kbpk, size_t kbpklen, const char hdr[16],
	    const uint8_t *key, size_t keylen, char *out, size_t outsz);
/* Unwrap and authenticate; key must hold KB_MAX_KEY bytes. */
int	kb_unwrap(const uint8_t *kbpk, size_t kbpklen, const char *blk,
	    size_t len, struct kb_header *, uint8_t *key, size_t *keylen);

#endif
