/* fuzz_frame — a byte stream cut into frames, as a link would: first byte
 * picks framing and header length; no frame may claim more than max. */
#include <stdint.h>
#include <stdlib.h>

#include "iso8583/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framer f;
	size_t pos = 1, off, total;
	char err[128];
	int r;

	if (size < 1)
		return 0;
	f.kind = data[0] & 1 ? FRAME_LEN4ASCII : FRAME_LEN2;
	f.hdrlen = (uint16_t)((data[0] >> 1) & 7);
	f.max = 512;
	while ((r = frame_parse(&f, data + pos, size - pos, &off, &total, err,
	    sizeof err)) == 1) {
		if (total > size - pos || off > total ||
		    total - off > f.max)
			abort();
		pos += total;
	}
	return 0;
}
