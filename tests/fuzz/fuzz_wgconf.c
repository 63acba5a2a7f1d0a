/* fuzz_wgconf.c — the tunnel file parser.  Built with -DFUZZING, so
 * endpoints resolve numerically only and key files are never opened. */
#include <stdint.h>
#include <string.h>

#include "tunnel/wg/wgconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_config c;
	char err[512];

	memset(&c, 0, sizeof(c));
	wg_config_parse(&c, "fuzz.conf", (const char *)data, size, NULL,
	    0100600, err, sizeof(err));
	wg_config_free(&c);
	return 0;
}
