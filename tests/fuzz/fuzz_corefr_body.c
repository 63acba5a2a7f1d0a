/*
 * fuzz_corefr_body.c — the core link after the AEAD: an authenticated
 * peer (or a compromised core) controls the plaintext, protocol v2.
 *
 *  - The input as one plaintext (header and message TLV), or as a bare
 *    TLV: header decode, TLV walking, iso_msg rebuilding and the metadata
 *    readers must hold.
 *  - The input as a run of frames the core seals and the gateway opens,
 *    in order, against one replay table, the clock moving as each frame
 *    says: the session table, its eviction and its floors under
 *    fuzzed sessions, seqs and sent_ms.  Each record is
 *
 *	ctl u8 | len u16 | plaintext (len bytes)
 *
 *    ctl's top bit picks one of two keys, its low 7 bits move the clock
 *    on by that many quarter seconds first.  Whatever is accepted must be
 *    fresh at that moment, sealed after the start, and never accepted
 *    before: the same (key, session, seq, sent_ms) twice is a replay let
 *    through.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"

#define START_MS	1700000000000ULL
#define FRESH_MS	30000ULL
#define MAXTAKEN	512

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct taken {
	uint32_t	key_id;
	uint64_t	session;
	uint64_t	seq;
	uint64_t	sent_ms;
};

static struct core_keys gw, core[2];
static uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];
static uint8_t dg[COREFR_MAX_DGRAM];
static struct taken taken[MAXTAKEN];
static size_t ntaken;

/* Two configured keys; the gateway holds both, core[i] seals with key
 * i.  The seeds in tests/fuzz/corpus/fuzz_corefr_body assume these. */
static int
keys_init(void)
{
	struct seal_keyring conf;
	uint8_t k0[SEAL_KEYLEN], k1[SEAL_KEYLEN];

	if (sodium_init() < 0)
		return -1;
	memset(k0, 0x42, sizeof k0);
	memset(k1, 0x43, sizeof k1);
	seal_keyring_init(&conf);
	if (seal_keyring_add(&conf, k0) == -1 ||
	    seal_keyring_add(&conf, k1) == -1 ||
	    core_keys_derive(&gw, &conf, ROLE_GATEWAY) == -1 ||
	    core_keys_derive(&core[0], &conf, ROLE_CORE) == -1)
		return -1;
	seal_keyring_init(&conf);
	if (seal_keyring_add(&conf, k1) == -1 ||
	    seal_keyring_add(&conf, k0) == -1 ||
	    core_keys_derive(&core[1], &conf, ROLE_CORE) == -1)
		return -1;
	return 0;
}

/* The readers an authenticated body goes through. */
static void
read_body(const uint8_t *body, size_t blen)
{
	static struct iso_msg m;
	char s[64];
	uint64_t v;

	if (tlv_check(body, blen) != 0)
		return;
	if (tlv_get_msg(body, blen, &m) == 0 &&
	    (strlen(m.mti) != 4 || m.used > ISO_BUF_MAX))
		__builtin_trap();
	tlv_find_str(body, blen, TLV_LINK, s, sizeof s);
	tlv_find_u64(body, blen, TLV_ADVICE_ID, &v);
}

static void
one_plaintext(const uint8_t *data, size_t size)
{
	struct corefr_hdr h;

	if (corefr_hdr_decode(&h, data, size) == 0)
		read_body(data + COREFR_HDRLEN, h.body_len);
	else
		/* Also the TLV alone, so the fuzzer needn't find a header. */
		read_body(data, size);
}

/* An accepted frame: fresh, after the start, and not taken before. */
static void
check_taken(const struct corefr_hdr *h, uint64_t now)
{
	size_t i;

	if (h->sent_ms + FRESH_MS < now || h->sent_ms > now + FRESH_MS ||
	    h->sent_ms < START_MS)
		__builtin_trap();
	for (i = 0; i < ntaken; i++)
		if (taken[i].key_id == h->key_id &&
		    taken[i].session == h->session &&
		    taken[i].seq == h->seq && taken[i].sent_ms == h->sent_ms)
			__builtin_trap();
	if (ntaken < MAXTAKEN)
		taken[ntaken++] = (struct taken){ h->key_id, h->session,
		    h->seq, h->sent_ms };
}

/* Seals plaintext p as core[key] would (GUE from its type byte), and
 * opens it at the gateway at now. */
static void
frame(int key, const uint8_t *p, size_t len, struct replay *rp,
    uint64_t now)
{
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	ssize_t n;
	int c;
	uint8_t gpt;

	corefr_gue_for(len > 1 ? p[1] : 0, &c, &gpt);
	gue_encode(dg, c, gpt);
	n = seal_seal(&core[key].seal, dg, p, len, dg + GUE_HLEN,
	    sizeof dg - GUE_HLEN);
	if (n < 0)
		__builtin_trap();
	if (corefr_open(&gw.open, rp, FRESH_MS, now, dg, GUE_HLEN + (size_t)n,
	    &h, pt, sizeof pt, &body, &why) == 0) {
		if (h.key_id != core[key].seal.k[0].id)
			__builtin_trap();
		check_taken(&h, now);
		read_body(body, h.body_len);
	} else if (why <= COREFR_R_NONE || why >= COREFR_R_SOURCE)
		__builtin_trap();
}

static void
frames(const uint8_t *data, size_t size)
{
	struct replay *rp;
	uint64_t now = START_MS + FRESH_MS;
	size_t len;

	if ((rp = replay_new(START_MS)) == NULL)
		return;
	ntaken = 0;
	while (size >= 3) {
		now += (uint64_t)(data[0] & 0x7f) * 250;
		len = (size_t)data[1] << 8 | data[2];
		if (len > size - 3 || len > COREFR_HDRLEN + COREFR_MAX_BODY)
			break;
		frame(data[0] >> 7, data + 3, len, rp, now);
		data += 3 + len;
		size -= 3 + len;
	}
	replay_free(rp);
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
	one_plaintext(data, size);
	frames(data, size);
	return 0;
}
