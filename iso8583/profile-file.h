/*
 * profile-file.h — wire profiles as JSON data files, so a new scheme is a
 * file, not a C change; the compiled-in profiles export to the same form
 * and load back equal.  The format is in doc/profiles.md.
 */
#ifndef ISO8583_PROFILE_FILE_H
#define ISO8583_PROFILE_FILE_H

#include <stddef.h>
#include <stdio.h>

struct iso_profile;

/*
 * Reads and checks a profile; NULL with one line in err naming the file
 * and the line (JSON syntax) or the key or field (content) otherwise.
 * The profile is the caller's, freed with iso_profile_free.
 */
struct iso_profile *iso_profile_load_file(const char *path, char *err,
	    size_t errsz);
/* The same from text in memory; name stands for the file in errors. */
struct iso_profile *iso_profile_load_text(const char *name, const char *text,
	    size_t len, char *err, size_t errsz);
void	iso_profile_free(struct iso_profile *);

/* Writes p as a profile file, one field a line; -1 on a write error. */
int	iso_profile_export(const struct iso_profile *p, FILE *out);

/* Equal in everything the codec, the masking and the link use. */
int	iso_profile_equal(const struct iso_profile *, const struct iso_profile *);

#endif
