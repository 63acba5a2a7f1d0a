/*
 * fuzz_corefr.c — the core-link datagram decoder before decryption: what
 * anyone who can reach the gateway's UDP socket controls.  GUE check, key
 * lookup, AEAD open, header decode and the replay window must refuse
 * everything cleanly.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/corefr.h"
#include "tunnel/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seal_keyring r;
	static struct seal_replay rp;
	static uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];
	static int init;
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	uint8_t k[32];

	if (!init) {
		if (sodium_init() < 0)
			return 0;
		/* A fixed key: seeds sealed under it reach the inner layers. */
		memset(k, 0x42, sizeof k);
		seal_keyring_init(&r);
		seal_keyring_add(&r, k);
		seal_replay_init(&rp);
		init = 1;
	}
	if (corefr_open(&r, &rp, data, size, &h, pt, sizeof pt, &body,
	    &why) == 0) {
		if (h.body_len > sizeof pt - COREFR_HDRLEN)
			__builtin_trap();
		tlv_check(body, h.body_len);
	} else if (why <= COREFR_R_NONE || why >= COREFR_R_MAX)
		__builtin_trap();
	return 0;
}
