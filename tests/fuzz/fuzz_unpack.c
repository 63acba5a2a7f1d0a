/*
 * fuzz_unpack — the first byte picks a profile, the rest is a message.
 * Whatever unpacks must pack back to the same bytes: the codec is
 * canonical, so a difference is a bug.  The masking printer runs on it too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "iso87", "iso87hex", "mastercard",
	    "mastercard-cp037", "fps" };
	static struct iso_msg m, m2;
	static uint8_t out[20000];
	static char line[40000];
	const struct iso_profile *p;
	struct iso_err e;
	ssize_t w;

	if (size < 1)
		return 0;
	p = iso_profile_find(names[data[0] % 5]);
	if (iso_unpack(p, &m, data + 1, size - 1, &e) == -1)
		return 0;
	mask_line(p, &m, line, sizeof line);
	w = iso_pack(p, &m, out, sizeof out, &e);
	if (w < 0)
		abort();
	/* iso87hex accepts lower-case hex but writes upper case. */
	if (p->binenc == ISO_BIN_RAW &&
	    ((size_t)w != size - 1 || memcmp(out, data + 1, size - 1) != 0))
		abort();
	if (iso_unpack(p, &m2, out, (size_t)w, &e) == -1)
		abort();
	return 0;
}
