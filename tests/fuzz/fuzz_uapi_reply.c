/* fuzz_uapi_reply.c — what a userspace WireGuard daemon (or whoever
 * owns its socket) answers to get=1 and set=1. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tunnel/wg/uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device d;
	char txt[128];
	size_t i, j;
	int e;

	memset(&d, 0, sizeof(d));
	if (uapi_parse_get((const char *)data, size, &d, &e) == 0) {
		/* Whatever parsed must print and re-encode. */
		struct uapi_buf b = { 0 };

		for (i = 0; i < d.npeers; i++) {
			wg_endpoint_fmt(&d.peers[i].endpoint, txt, sizeof(txt));
			for (j = 0; j < d.peers[i].naips; j++)
				if (wg_aip_fmt(&d.peers[i].aips[j], txt,
				    sizeof(txt)) != 0)
					__builtin_trap();
		}
		if (uapi_encode_set(&d, &b) != 0)
			__builtin_trap();
		uapi_buf_free(&b);
	}
	wg_device_clear(&d);
	uapi_parse_errno((const char *)data, size, &e);
	return 0;
}
