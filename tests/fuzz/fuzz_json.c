/* fuzz_json — the CLI's JSON reader; what it accepts must pack or be
 * refused with a reason, never crash. */
#include <stdint.h>
#include <stdlib.h>

#include "iso8583/iso8583.h"
#include "iso8583/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iso_msg m;
	static uint8_t out[20000];
	static char text[40000];
	const struct iso_profile *p = iso_profile_find("mastercard");
	struct iso_err e;
	char err[200];

	if (iso_json_read(p, (const char *)data, size, &m, err, sizeof err) == -1)
		return 0;
	if (iso_pack(p, &m, out, sizeof out, &e) > 0 &&
	    iso_json_write(p, &m, 1, text, sizeof text) < 0)
		abort();
	return 0;
}
