/*
 * fuzz_safx.c — `gatewayctl saf import`'s reader (gateway/standin/
 * safxfer.h): an export file from outside, read with a fixed pair key.
 *
 * Each input is tried twice over:
 *  - as the whole file, what anyone who can put a file in the import
 *    directory gives it: it must be refused unless it opens;
 *  - as advices (u16 BE length, bytes; repeated) that the fixed key
 *    seals into a well-formed stream, as the format says, so the checks
 *    after the AEAD (TLV, gateway and advice id tags, lengths) see
 *    fuzzed input: such a file is taken exactly when every advice is a
 *    message TLV naming its gateway and id, and then every one is given.
 *    Cut short, or with one byte changed, it must be refused whole.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/seal.h"
#include "tunnel/tlv.h"
#include "gateway/standin/safxfer.h"

#define LABEL	"gatewayd saf export v1"
#define ABYTES	crypto_secretstream_xchacha20poly1305_ABYTES
#define MAXOUT	(1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct seal_keyring ring;
static uint8_t file[MAXOUT];

static int
count(const uint8_t *b, size_t len, void *arg)
{
	(void)b;
	(void)len;
	(*(long *)arg)++;
	return 0;
}

static void
ring_init(void)
{
	uint8_t k[SEAL_KEYLEN];

	if (ring.n > 0)
		return;
	if (sodium_init() < 0)
		__builtin_trap();
	memset(k, 0x5a, sizeof k);
	seal_keyring_init(&ring);
	if (seal_keyring_add(&ring, k) == -1)
		__builtin_trap();
}

static int
valid(const uint8_t *m, size_t len)
{
	char gw[64];
	uint64_t id;

	return tlv_check(m, len) == 0 &&
	    tlv_find_str(m, len, TLV_GATEWAY, gw, sizeof gw) == 0 &&
	    tlv_find_u64(m, len, TLV_ADVICE_ID, &id) == 0;
}

/* The input's advices sealed as a file: its length, or 0 (no room). */
static size_t
build(const uint8_t *d, size_t n, long *nadv, int *all_valid)
{
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t key[32];
	size_t off = 0, len = 0, l;

	crypto_generichash(key, 32, (const uint8_t *)LABEL, strlen(LABEL),
	    ring.k[0].key, SEAL_KEYLEN);
	memcpy(file, "GWSAFX1\n", 8);
	crypto_secretstream_xchacha20poly1305_init_push(&st, file + 8, key);
	len = 8 + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
	*nadv = 0;
	*all_valid = 1;
	for (;;) {
		int last = n - off < 2;

		l = last ? 0 : (size_t)(d[off] << 8 | d[off + 1]);
		if (!last) {
			off += 2;
			if (l > n - off)
				l = n - off;
		}
		if (len + 4 + l + ABYTES > sizeof file || l > 16384)
			return 0;
		file[len] = (uint8_t)((l + ABYTES) >> 24);
		file[len + 1] = (uint8_t)((l + ABYTES) >> 16);
		file[len + 2] = (uint8_t)((l + ABYTES) >> 8);
		file[len + 3] = (uint8_t)(l + ABYTES);
		crypto_secretstream_xchacha20poly1305_push(&st, file + len + 4,
		    NULL, last ? NULL : d + off, l, NULL, 0, last ?
		    crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
		len += 4 + l + ABYTES;
		if (last)
			return len;
		if (!valid(d + off, l))
			*all_valid = 0;
		(*nadv)++;
		off += l;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char err[200];
	long got = 0, want, r;
	size_t len;
	int all;

	ring_init();
	/* as a file */
	r = safx_read(d, n, &ring, count, &got, err, sizeof err);
	if (r >= 0 ? r != got : err[0] == '\0')
		__builtin_trap();
	/* as advices, sealed properly */
	if ((len = build(d, n, &want, &all)) == 0)
		return 0;
	got = 0;
	r = safx_read(file, len, &ring, count, &got, err, sizeof err);
	if (all ? (r != want || got != want) : (r != -1 || got != 0))
		__builtin_trap();
	/* cut short, or one byte changed: refused whole */
	got = 0;
	if (safx_read(file, len - 1, &ring, count, &got, err, sizeof err) !=
	    -1 || got != 0)
		__builtin_trap();
	file[n % len] ^= 0x01;
	if (safx_read(file, len, &ring, count, &got, err, sizeof err) != -1 ||
	    got != 0)
		__builtin_trap();
	return 0;
}
