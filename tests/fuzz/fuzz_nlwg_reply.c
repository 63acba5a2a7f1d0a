/* fuzz_nlwg_reply.c — a WG_CMD_GET_DEVICE dump as the kernel (or a
 * spoofing sender) might send it, framed by nl_run, walked by libmnl. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "tunnel/wg/nl.h"
#include "tunnel/wg/nlwg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device d;
	struct nlwg_cursor cur = { 0 };
	void *buf;
	char txt[128];
	size_t i, j;
	uint16_t id;

	/* libmnl reads headers in place: malloc gives aligned memory. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(&d, 0, sizeof(d));
	if (nl_run(buf, size, 0, 0, nlwg_parse_cb, &d) >= MNL_CB_STOP) {
		char out[4096] __attribute__((aligned(8)));

		for (i = 0; i < d.npeers; i++) {
			wg_endpoint_fmt(&d.peers[i].endpoint, txt, sizeof(txt));
			for (j = 0; j < d.peers[i].naips; j++)
				if (wg_aip_fmt(&d.peers[i].aips[j], txt,
				    sizeof(txt)) != 0)
					__builtin_trap();
		}
		/* What parsed must build again (bounded number of messages). */
		memcpy(d.ifname, "fz0", 4);
		for (i = 0; i < 100000 && !cur.done; i++)
			if (nlwg_build_set(out, sizeof(out), 0x1d, &d, &cur) == NULL)
				break;
	}
	wg_device_clear(&d);
	nl_run(buf, size, 0, 0, nl_genl_family_cb, &id);
	free(buf);
	return 0;
}
