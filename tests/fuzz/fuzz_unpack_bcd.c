/*
 * fuzz_unpack_bcd — the codec under profiles only a profile file makes:
 * numeric values and the MTI in packed BCD, with BCD or binary length
 * prefixes, raw or hex binary, ASCII or EBCDIC text (the first byte picks
 * one of eight).  As in fuzz_unpack, whatever unpacks packs back to the
 * same bytes (raw binary) and unpacks again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iso_profile t;
	static struct iso_msg m, m2;
	static uint8_t out[20000];
	struct iso_err e;
	ssize_t w;

	if (size < 1)
		return 0;
	t = *iso_profile_find("iso87");
	t.numenc = ISO_NUM_BCD;
	t.lenenc = data[0] & 1 ? ISO_LEN_BIN : ISO_LEN_BCD;
	t.binenc = data[0] & 2 ? ISO_BIN_HEX : ISO_BIN_RAW;
	t.charset = data[0] & 4 ? ISO_CS_EBCDIC500 : ISO_CS_ASCII;
	if (iso_unpack(&t, &m, data + 1, size - 1, &e) == -1)
		return 0;
	w = iso_pack(&t, &m, out, sizeof out, &e);
	if (w < 0)
		abort();
	if (t.binenc == ISO_BIN_RAW &&
	    ((size_t)w != size - 1 || memcmp(out, data + 1, size - 1) != 0))
		abort();
	if (iso_unpack(&t, &m2, out, (size_t)w, &e) == -1)
		abort();
	return 0;
}
