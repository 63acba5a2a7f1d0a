/*
 * mask.h — the masking printer: the only way a message reaches a log.
 * PAN as first 6 + last 4; track data, PIN blocks, CVC- and PAN-bearing
 * DE48 sub-elements and DE55 cryptogram data hidden (a MAC is not a
 * secret: it is shown).  Rules come from the
 * link's profile, because FPS reuses card field numbers for accounts.
 */
#ifndef ISO8583_MASK_H
#define ISO8583_MASK_H

#include <stddef.h>

struct iso_profile;
struct iso_msg;

/* A masked PAN: "541333******0434".  Writes a C string into out. */
void	mask_pan(const char *pan, size_t len, char *out, size_t cap);

/*
 * One field's value for display: text as is (non-printables as \xNN when
 * json is 0), b-class as upper-case hex, masked per the profile unless
 * clear is set.  Returns the string length; the output is always
 * NUL-terminated and truncated to cap.
 */
size_t	mask_field(const struct iso_profile *, const struct iso_msg *, int field,
	    int clear, char *out, size_t cap);

/* "mti=0100 2=541333******0434 3=000000 4=000000001000 ..." for logs. */
size_t	mask_line(const struct iso_profile *, const struct iso_msg *,
	    char *out, size_t cap);

#endif
