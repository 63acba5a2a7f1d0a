/*
 * emv.h — BER-TLV as carried in DE55 (EMV tags: multi-byte tags, long-form
 * lengths).  Read in place; written by rebuilding only DE55's value, so the
 * rest of the message is never re-packed.  Unknown tags are kept as they
 * came.
 */
#ifndef ISO8583_EMV_H
#define ISO8583_EMV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iso_msg;

struct emv_tlv {
	uint32_t	 tag;		/* tag bytes, big-endian: 0x9F26 */
	const uint8_t	*val;
	size_t		 len;
	size_t		 off;		/* offset of the tag's first byte */
	size_t		 end;		/* offset just past the value */
};

/* Iterates: returns 1 with *t filled, 0 at the end, -1 on malformed data
 * (then *pos is the offset of the bad element). */
int	emv_next(const uint8_t *buf, size_t len, size_t *pos, struct emv_tlv *t);
/* 1 found, 0 not found, -1 malformed. */
int	emv_find(const uint8_t *buf, size_t len, uint32_t tag, struct emv_tlv *t);
/* Encodes one element; returns bytes written or -1 if it does not fit. */
ssize_t	emv_put(uint8_t *out, size_t cap, uint32_t tag, const void *val,
	    size_t len);
/* Whole-buffer check: 0 if every element is well formed. */
int	emv_check(const uint8_t *buf, size_t len, size_t *bad_off);

/* DE55 of a message: replace (or append) one tag, or remove it; every
 * other element is kept byte for byte. */
int	iso_de55_set(struct iso_msg *, uint32_t tag, const void *val, size_t len);
int	iso_de55_del(struct iso_msg *, uint32_t tag);

#endif
