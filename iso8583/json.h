/*
 * json.h — the iso8583 CLI's message form:
 *   {"mti":"0100","fields":{"2":"5413...","55":"9F2608..."}}
 * Text fields as strings, each byte the character of that code (Latin-1):
 * written as \u0080..\u00FF, read escaped or as UTF-8; a character above
 * U+00FF is refused.  b-class fields as upper-case hex; bitmaps are
 * implied, never listed.
 */
#ifndef ISO8583_JSON_H
#define ISO8583_JSON_H

#include <stddef.h>

struct iso_profile;
struct iso_msg;

/* Writes the JSON object (masked unless clear); returns its length or
 * -1 if cap is too small. */
long	iso_json_write(const struct iso_profile *, const struct iso_msg *,
	    int clear, char *out, size_t cap);
/* Parses the JSON object into m; 0, or -1 with a reason in err. */
int	iso_json_read(const struct iso_profile *, const char *json, size_t len,
	    struct iso_msg *, char *err, size_t errsz);

#endif
