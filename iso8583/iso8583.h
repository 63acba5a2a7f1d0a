/*
 * iso8583.h — libiso8583: unpack, pack and validate ISO 8583 messages
 * against a profile (a table of field definitions).
 *
 * A message lives in a caller-provided struct iso_msg: no allocation on
 * the hot path.  Values are held normalised: text and numbers as ASCII
 * whatever the wire encoding (EBCDIC is converted), binary fields as raw
 * bytes (hex on the wire is decoded).  This is also the form the core
 * link's message TLV carries.
 */
#ifndef ISO8583_H
#define ISO8583_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iso8583/profile-t.h"

#define ISO_NFIELDS	192
#define ISO_BUF_MAX	8192	/* normalised value bytes per message */

struct iso_field {
	uint16_t	off;	/* into iso_msg.buf */
	uint16_t	len;
};

struct iso_msg {
	char		mti[5];			/* NUL-terminated ASCII */
	uint8_t		present[(ISO_NFIELDS + 1 + 7) / 8];
	/* Fields iso_unpack found valid in checked_by, numbered as present;
	 * iso_set clears a field's mark, so iso_pack checks again only what
	 * was set since.  Values are changed through iso_set only. */
	uint8_t		checked[(ISO_NFIELDS + 1 + 7) / 8];
	const struct iso_profile *checked_by;
	uint32_t	checked_serial;	/* checked_by's serial */
	struct iso_field f[ISO_NFIELDS + 1];
	uint16_t	used;
	uint8_t		buf[ISO_BUF_MAX];
};

/* Where and why a message was refused: "field 35: length 41 exceeds
 * maximum 37 at offset 118".  field 0 is the MTI, -1 the message. */
struct iso_err {
	int		field;
	size_t		offset;
	char		msg[160];
};

/* Profiles: "iso87", "iso87hex", "mastercard" (EBCDIC cp500),
 * "mastercard-cp037", "fps".  NULL if unknown. */
const struct iso_profile *iso_profile_find(const char *name);
const char *iso_profile_names(void);	/* "iso87 iso87hex ..." */

void	iso_msg_init(struct iso_msg *, const char *mti);
int	iso_set(struct iso_msg *, int field, const void *val, size_t len);
int	iso_set_str(struct iso_msg *, int field, const char *);
void	iso_unset(struct iso_msg *, int field);
int	iso_has(const struct iso_msg *, int field);
/* The next data field present after field (0 for the first), or 0:
 * for (f = iso_next(m, 0); f != 0; f = iso_next(m, f)) */
int	iso_next(const struct iso_msg *, int field);
/* NULL when absent; *len set otherwise. */
const uint8_t *iso_get(const struct iso_msg *, int field, size_t *len);
/* Copies a text field into dst as a C string; -1 if absent or too long. */
int	iso_get_str(const struct iso_msg *, int field, char *dst, size_t dstsz);
/* Copies one field, if present in src, into dst. */
int	iso_copy_field(struct iso_msg *dst, const struct iso_msg *src, int field);
/* dst becomes src, copying only the used part of the value buffer. */
void	iso_msg_copy(struct iso_msg *dst, const struct iso_msg *src);

int	iso_unpack(const struct iso_profile *, struct iso_msg *,
	    const uint8_t *wire, size_t len, struct iso_err *);
/* Returns bytes written, -1 on error.  A field iso_unpack checked with
 * the same profile (and not set since) is not checked again: a profile
 * does not change while messages it checked are in use. */
ssize_t	iso_pack(const struct iso_profile *, const struct iso_msg *,
	    uint8_t *out, size_t cap, struct iso_err *);
/* Checks every present field against the profile without packing. */
int	iso_validate(const struct iso_profile *, const struct iso_msg *,
	    struct iso_err *);

/* The profile's definition of a field (NULL for 0, 1, 65 and out of range). */
const struct iso_fdef *iso_fdef(const struct iso_profile *, int field);

#endif
