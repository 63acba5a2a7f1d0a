/*
 * fuzz_corefr_body.c — the core-link frame after decryption: an
 * authenticated peer (or a compromised core) controls the plaintext
 * header and the message TLV.  Header decode, TLV walking, iso_msg
 * rebuilding and the metadata readers must hold.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iso_msg m;
	struct corefr_hdr h;
	const uint8_t *body;
	size_t blen;
	char s[64];
	uint64_t v;

	if (corefr_hdr_decode(&h, data, size) == 0) {
		body = data + COREFR_HDRLEN;
		blen = h.body_len;
	} else {
		/* Also the TLV alone, so the fuzzer needn't find a header. */
		body = data;
		blen = size;
	}
	if (tlv_check(body, blen) == 0) {
		if (tlv_get_msg(body, blen, &m) == 0 &&
		    (strlen(m.mti) != 4 || m.used > ISO_BUF_MAX))
			__builtin_trap();
		tlv_find_str(body, blen, TLV_LINK, s, sizeof s);
		tlv_find_u64(body, blen, TLV_ADVICE_ID, &v);
	}
	return 0;
}
