/*
 * fuzz_profile — the profile-file loader.  Whatever loads must export and
 * load back equal, a Wireshark dissector must be made from it, and the
 * codec must hold under it: the input bytes,
 * read as a message in the loaded profile, unpack or are refused, and
 * what unpacks packs and unpacks again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/dissector.h"
#include "iso8583/iso8583.h"
#include "iso8583/profile-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iso_msg m, m2;
	static uint8_t out[20000];
	struct iso_profile *p, *q;
	struct iso_err e;
	char err[300], *text = NULL;
	size_t len = 0;
	ssize_t w;
	FILE *f;

	if ((p = iso_profile_load_text("fuzz", (const char *)data, size, err,
	    sizeof err)) == NULL)
		return 0;
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	if (iso_profile_export(p, f) == -1)
		abort();
	fclose(f);
	if ((q = iso_profile_load_text("export", text, len, err,
	    sizeof err)) == NULL || !iso_profile_equal(p, q))
		abort();
	free(text);
	text = NULL;
	if ((f = open_memstream(&text, &len)) == NULL ||
	    dissector_write(p, p->framing, size % 2, f) == -1)
		abort();
	fclose(f);
	if (iso_unpack(p, &m, data, size, &e) == 0) {
		if ((w = iso_pack(q, &m, out, sizeof out, &e)) < 0 ||
		    iso_unpack(q, &m2, out, (size_t)w, &e) == -1)
			abort();
	}
	iso_profile_free(q);
	iso_profile_free(p);
	free(text);
	return 0;
}
