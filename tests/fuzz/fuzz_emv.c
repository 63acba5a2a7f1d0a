/* fuzz_emv — the DE55 BER-TLV reader, the DE48 reader, their editors and
 * the masking of both. */
#include <stdint.h>
#include <stdlib.h>

#include "iso8583/de48.h"
#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "iso8583/mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iso_msg m;
	static char out[8192];
	const struct iso_profile *p = iso_profile_find("mastercard");
	struct emv_tlv t;
	struct de48_se se;
	size_t pos = 0, bad;
	int r;

	if (size > 999)
		return 0;
	while ((r = emv_next(data, size, &pos, &t)) == 1)
		if (t.end > size || t.val + t.len != data + t.end)
			abort();
	if ((r == 0) != (emv_check(data, size, &bad) == 0))
		abort();
	pos = 1;
	while (de48_next(data, size, &pos, &se) == 1)
		if (se.val + se.len > data + size)
			abort();
	iso_msg_init(&m, "0100");
	iso_set(&m, 55, data, size);
	iso_set(&m, 48, data, size);
	mask_field(p, &m, 55, 0, out, sizeof out);
	mask_field(p, &m, 48, 0, out, sizeof out);
	if (iso_de55_set(&m, 0x91, "\1\2\3\4\5\6\7\x08\x30\x30", 10) == 0 &&
	    emv_check(iso_get(&m, 55, &pos), pos, &bad) != 0)
		abort();
	iso_de48_set(&m, 92, "123", 3);
	return 0;
}
