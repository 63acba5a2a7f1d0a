/*
 * fuzz_corefr.c — the gateway's core socket, protocol v2: corefr_open
 * with a fixed keyring, a replay table and a fixed clock.
 *
 * Each input is tried twice over:
 *  - as the whole datagram, what anyone who can reach the socket sends;
 *  - as a GUE header and a plaintext that the core seals properly under
 *    the fixed key, what a peer holding the key could send, so that the
 *    checks after the AEAD (version, type, body_len, C bit, freshness,
 *    start, replay) see fuzzed input too; sealed the other way (as if
 *    reflected) it must never open.
 * A refusal must give a reason; an acceptance must meet every rule of
 * ARCHITECTURE section 4, and the same datagram again must be refused
 * as a replay.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/corefr.h"
#include "tunnel/tlv.h"

#define NOW_MS		1700000060000ULL
#define START_MS	(NOW_MS - 10000)
#define FRESH_MS	30000ULL

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct core_keys gw, core;
static uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];

/* The seeds are sealed under this key (tests/fuzz/corpus/fuzz_corefr). */
static int
keys_init(void)
{
	struct seal_keyring conf;
	uint8_t k[SEAL_KEYLEN];

	if (sodium_init() < 0)
		return -1;
	memset(k, 0x42, sizeof k);
	seal_keyring_init(&conf);
	if (seal_keyring_add(&conf, k) == -1 ||
	    core_keys_derive(&gw, &conf, ROLE_GATEWAY) == -1 ||
	    core_keys_derive(&core, &conf, ROLE_CORE) == -1)
		return -1;
	return 0;
}

/* Everything an accepted datagram must be. */
static void
check_accepted(const struct corefr_hdr *h, const uint8_t *body,
    const uint8_t *d, size_t len)
{
	int c;
	uint8_t gpt;

	if (h->version != COREFR_VERSION || h->type < COREFR_AUTH_REQUEST ||
	    h->type > COREFR_TYPE_MAX)
		__builtin_trap();
	if (len != GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN + h->body_len ||
	    h->body_len > COREFR_MAX_BODY || body != pt + COREFR_HDRLEN)
		__builtin_trap();
	if (h->sent_ms + FRESH_MS < NOW_MS || h->sent_ms > NOW_MS + FRESH_MS ||
	    h->sent_ms < START_MS)
		__builtin_trap();
	if (seal_keyring_find(&gw.open, h->key_id) == NULL)
		__builtin_trap();
	corefr_gue_for(h->type, &c, &gpt);
	if (d[0] != (c ? 0x20 : 0) || d[1] != gpt || d[2] != 0 || d[3] != 0)
		__builtin_trap();
	tlv_check(body, h->body_len);
}

/* Opens d with a new table: refused with a reason, or taken once and
 * then refused as a replay. */
static void
open_twice(const uint8_t *d, size_t len)
{
	struct corefr_hdr h;
	struct replay *rp;
	const uint8_t *body;
	enum corefr_reject why;

	if ((rp = replay_new(START_MS)) == NULL)
		return;
	if (corefr_open(&gw.open, rp, FRESH_MS, NOW_MS, d, len, &h, pt,
	    sizeof pt, &body, &why) == 0) {
		if (why != COREFR_R_NONE)
			__builtin_trap();
		check_accepted(&h, body, d, len);
		if (corefr_open(&gw.open, rp, FRESH_MS, NOW_MS, d, len, &h, pt,
		    sizeof pt, &body, &why) != -1 || why != COREFR_R_REPLAY)
			__builtin_trap();
	} else if (why <= COREFR_R_NONE || why >= COREFR_R_SOURCE)
		__builtin_trap();
	replay_free(rp);
}

/* data = GUE header | plaintext: sealed by the core, then by the
 * gateway itself (a reflection, which must fail on the key). */
static void
open_sealed(const uint8_t *data, size_t size)
{
	static uint8_t d[COREFR_MAX_DGRAM];
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	ssize_t n;

	if (size < GUE_HLEN || size - GUE_HLEN > COREFR_HDRLEN +
	    COREFR_MAX_BODY)
		return;
	memcpy(d, data, GUE_HLEN);
	n = seal_seal(&core.seal, d, data + GUE_HLEN, size - GUE_HLEN,
	    d + GUE_HLEN, sizeof d - GUE_HLEN);
	if (n < 0)
		__builtin_trap();
	open_twice(d, GUE_HLEN + (size_t)n);
	n = seal_seal(&gw.seal, d, data + GUE_HLEN, size - GUE_HLEN,
	    d + GUE_HLEN, sizeof d - GUE_HLEN);
	if (n < 0)
		__builtin_trap();
	if (corefr_open(&gw.open, NULL, FRESH_MS, NOW_MS, d,
	    GUE_HLEN + (size_t)n, &h, pt, sizeof pt, &body, &why) != -1 ||
	    (why != COREFR_R_GUE && why != COREFR_R_KEY))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;

	if (!init) {
		if (keys_init() == -1)
			__builtin_trap();
		init = 1;
	}
	open_twice(data, size);
	open_sealed(data, size);
	return 0;
}
