/*
 * check_corefr.c — core-link frames, protocol v2 (ARCHITECTURE section
 * 4): the plaintext header, whole datagrams both ways, and the acceptance
 * rules with one test per reason a receiver gives for refusing a datagram
 * (gue key auth version stale before_start replay; "source" is the
 * socket's, gateway/core.c).  The sender's sessions and the names are
 * check_corefr_send.c's.
 *
 * Frames are made three ways: corefr_build (the library's sender),
 * seal_raw below (any header and GUE bytes, validly sealed: what a
 * buggy or hostile peer holding the key could send), and by hand from
 * the spec with libsodium alone (what another implementation sends).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "tunnel/corefr.h"
#include "tests/unit/checkrun.h"

#define FRESH	30000ULL			/* FreshWindow, ms */
#define START	1700000000000ULL		/* receiver start, ms */
#define NOW	(START + 60000ULL)

static struct seal_keyring conf;		/* one configured key K */
static struct core_keys gw, core;		/* both ends of it */
static uint8_t dg[COREFR_MAX_DGRAM + 64];
static uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];
static struct corefr_hdr got;
static const uint8_t *gotbody;

static void
keys_init(void)
{
	uint8_t k[SEAL_KEYLEN];

	memset(k, 9, sizeof k);
	seal_keyring_init(&conf);
	if (seal_keyring_add(&conf, k) == -1 ||
	    core_keys_derive(&gw, &conf, ROLE_GATEWAY) == -1 ||
	    core_keys_derive(&core, &conf, ROLE_CORE) == -1)
		abort();
}

static struct replay *
new_replay(void)
{
	struct replay *r = replay_new(START);

	ck_assert_ptr_nonnull(r);
	return r;
}

static struct corefr_hdr
hdr(int type, uint64_t session, uint64_t seq, uint64_t sent)
{
	struct corefr_hdr h;

	memset(&h, 0, sizeof h);
	h.version = COREFR_VERSION;
	h.type = (uint8_t)type;
	h.session = session;
	h.seq = seq;
	h.sent_ms = sent;
	h.corr_id = 0x0102030405060708ULL;
	h.budget_us = 35000;
	return h;
}

/* corefr_build into dg. */
static size_t
build(const struct seal_keyring *ring, int type, uint64_t session,
    uint64_t seq, uint64_t sent, const char *body)
{
	struct corefr_hdr h = hdr(type, session, seq, sent);
	ssize_t n;

	n = corefr_build(ring, &h, (const uint8_t *)body, strlen(body), dg,
	    sizeof dg);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* Seals h (version, type and body_len as given) and body under the GUE
 * bytes g0 g1 into dg: a frame corefr_build would not make. */
static size_t
seal_raw(const struct seal_keyring *ring, uint8_t g0, uint8_t g1,
    const struct corefr_hdr *h, size_t bodylen)
{
	static uint8_t p[COREFR_HDRLEN + COREFR_MAX_BODY + 64];
	ssize_t n;

	ck_assert_uint_le(bodylen, sizeof p - COREFR_HDRLEN);
	dg[0] = g0;
	dg[1] = g1;
	dg[2] = dg[3] = 0;
	corefr_hdr_encode(h, p);
	memset(p + COREFR_HDRLEN, 'b', bodylen);
	n = seal_seal(ring, dg, p, COREFR_HDRLEN + bodylen, dg + GUE_HLEN,
	    sizeof dg - GUE_HLEN);
	ck_assert_int_gt(n, 0);
	return GUE_HLEN + (size_t)n;
}

/* corefr_open of dg at now_ms into got: the reason, COREFR_R_NONE when
 * accepted. */
static enum corefr_reject
opn(const struct seal_keyring *ring, struct replay *rp, uint64_t now,
    size_t n)
{
	enum corefr_reject why = COREFR_R_MAX;
	int rc;

	rc = corefr_open(ring, rp, FRESH, now, dg, n, &got, pt, sizeof pt,
	    &gotbody, &why);
	ck_assert_int_eq(rc, why == COREFR_R_NONE ? 0 : -1);
	return why;
}

START_TEST(test_hdr_format)
{
	struct corefr_hdr h, d;
	uint8_t b[COREFR_HDRLEN + 3];

	ck_assert_int_eq(COREFR_HDRLEN, 44);
	h = hdr(COREFR_AUTH_RESPONSE, 0x1122334455667788ULL, 0x99, 0);
	h.flags = 0x0102;
	h.sent_ms = 0x0000018bcfe56800ULL;
	h.corr_id = 3;
	h.budget_us = 0xa0b0c0d0;
	h.body_len = 3;
	corefr_hdr_encode(&h, b);
	memcpy(b + COREFR_HDRLEN, "abc", 3);
	ck_assert_uint_eq(b[0], 2);
	ck_assert_uint_eq(b[1], 2);
	ck_assert_uint_eq(be16_get(b + 2), 0x0102);
	ck_assert_uint_eq(b[4], 0x11);
	ck_assert_uint_eq(b[11], 0x88);
	ck_assert_uint_eq(be64_get(b + 12), 0x99);
	ck_assert_uint_eq(be64_get(b + 20), 0x0000018bcfe56800ULL);
	ck_assert_uint_eq(be64_get(b + 28), 3);
	ck_assert_uint_eq(be32_get(b + 36), 0xa0b0c0d0);
	ck_assert_uint_eq(be32_get(b + 40), 3);
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), 0);
	ck_assert_uint_eq(d.session, h.session);
	ck_assert_uint_eq(d.seq, h.seq);
	ck_assert_uint_eq(d.sent_ms, h.sent_ms);
	ck_assert_uint_eq(d.budget_us, h.budget_us);
	ck_assert_uint_eq(d.flags, h.flags);
	/* body_len must match the plaintext, both ways */
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b - 1), -1);
	ck_assert_int_eq(corefr_hdr_decode(&d, b, COREFR_HDRLEN), -1);
	ck_assert_int_eq(corefr_hdr_decode(&d, b, COREFR_HDRLEN - 1), -1);
	b[0] = 1;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), -1);
	b[0] = 3;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), -1);
	b[0] = 2;
	b[1] = 0;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), -1);
	b[1] = COREFR_TYPE_MAX + 1;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), -1);
	b[1] = COREFR_TYPE_MAX;			/* PEER_RELEASE_ACK, 16 */
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), 0);
	b[1] = COREFR_SHARE;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), 0);
	b[1] = 10;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), 0);
}
END_TEST

/* Every type, both directions: the right GUE header outside, everything
 * back inside, the key that opened it named. */
START_TEST(test_roundtrip)
{
	struct replay *rp = new_replay();
	const struct core_keys *from = _i == 0 ? &gw : &core;
	const struct core_keys *to = _i == 0 ? &core : &gw;
	size_t n;
	int type;

	for (type = 1; type <= COREFR_TYPE_MAX; type++) {
		n = build(&from->seal, type, 0xabcdef, (uint64_t)type, NOW,
		    "BODY");
		ck_assert_uint_eq(n, GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN +
		    4);
		ck_assert_uint_eq(dg[0], type == COREFR_HEARTBEAT ||
		    type == COREFR_HEARTBEAT_ACK ? 0x20 : 0);
		ck_assert_uint_eq(dg[1], type == COREFR_HEARTBEAT ? 1 :
		    type == COREFR_HEARTBEAT_ACK ? 2 : 253);
		ck_assert_uint_eq(be16_get(dg + 2), 0);
		ck_assert_uint_eq(be32_get(dg + 4), from->seal.k[0].id);
		ck_assert_int_eq(opn(&to->open, rp, NOW, n), COREFR_R_NONE);
		ck_assert_uint_eq(got.version, 2);
		ck_assert_uint_eq(got.type, type);
		ck_assert_uint_eq(got.session, 0xabcdef);
		ck_assert_uint_eq(got.seq, type);
		ck_assert_uint_eq(got.sent_ms, NOW);
		ck_assert_uint_eq(got.corr_id, 0x0102030405060708ULL);
		ck_assert_uint_eq(got.budget_us, 35000);
		ck_assert_uint_eq(got.body_len, 4);
		ck_assert_uint_eq(got.key_id, from->seal.k[0].id);
		ck_assert_ptr_eq(gotbody, pt + COREFR_HDRLEN);
		ck_assert_mem_eq(gotbody, "BODY", 4);
	}
	/* an empty body; the largest body */
	n = build(&from->seal, COREFR_ADVICE_ACK, 1, 100, NOW, "");
	ck_assert_int_eq(opn(&to->open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.body_len, 0);
	n = seal_raw(&from->seal, 0, 253, &(struct corefr_hdr){ .version = 2,
	    .type = COREFR_SNAPSHOT, .session = 1, .seq = 101, .sent_ms = NOW,
	    .body_len = COREFR_MAX_BODY }, COREFR_MAX_BODY);
	ck_assert_uint_eq(n, COREFR_MAX_DGRAM);
	ck_assert_int_eq(opn(&to->open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.body_len, COREFR_MAX_BODY);
	/* one too many is not built */
	ck_assert_int_eq(corefr_build(&from->seal, &got, pt,
	    COREFR_MAX_BODY + 1, dg, sizeof dg), -1);
	/* nor into too small a buffer */
	ck_assert_int_eq(corefr_build(&from->seal, &got, pt, 10, dg, 3), -1);
	ck_assert_int_eq(corefr_build(&from->seal, &got, pt, 10, dg,
	    GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN + 9), -1);
	replay_free(rp);
}
END_TEST

/*
 * A core written from the spec alone: the datagram assembled by hand
 * with libsodium (a fixed nonce, K_cg from crypto_generichash) opens at
 * the gateway; and what the gateway builds opens by hand.
 */
START_TEST(test_spec_interop)
{
	static const char lab_cg[] = "gatewayd core link v2 core->gw";
	static const char lab_gc[] = "gatewayd core link v2 gw->core";
	struct replay *rp = new_replay();
	uint8_t kd[32], h32[32], p[COREFR_HDRLEN + 2], ad[8], out[64];
	unsigned long long clen, plen;
	size_t n;

	crypto_generichash(kd, 32, (const uint8_t *)lab_cg,
	    strlen(lab_cg), conf.k[0].key, 32);
	crypto_generichash(h32, 32, kd, 32, NULL, 0);
	memset(p, 0, sizeof p);
	p[0] = 2;					/* version */
	p[1] = 10;					/* HEARTBEAT_ACK */
	p[11] = 0x2a;					/* session 42 */
	p[19] = 7;					/* seq 7 */
	be64_put(p + 20, NOW);				/* sent_ms */
	p[35] = 0x63;					/* corr_id 99 */
	p[43] = 2;					/* body_len */
	p[44] = 'o';
	p[45] = 'k';
	dg[0] = 0x20;					/* C=1 */
	dg[1] = 2;					/* ctype 2 */
	dg[2] = dg[3] = 0;
	memcpy(dg + 4, h32, 4);				/* key_id */
	memset(dg + 8, 0xa5, 24);			/* nonce */
	memcpy(ad, dg, 8);
	ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_encrypt(dg + 32,
	    &clen, p, sizeof p, ad, 8, NULL, dg + 8, kd), 0);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, 32 + (size_t)clen),
	    COREFR_R_NONE);
	ck_assert_uint_eq(got.type, COREFR_HEARTBEAT_ACK);
	ck_assert_uint_eq(got.session, 42);
	ck_assert_uint_eq(got.seq, 7);
	ck_assert_uint_eq(got.corr_id, 99);
	ck_assert_mem_eq(gotbody, "ok", 2);

	/* the other way */
	crypto_generichash(kd, 32, (const uint8_t *)lab_gc,
	    strlen(lab_gc), conf.k[0].key, 32);
	crypto_generichash(h32, 32, kd, 32, NULL, 0);
	n = build(&gw.seal, COREFR_HEARTBEAT, 5, 6, NOW, "hb");
	ck_assert_mem_eq(dg, "\x20\x01\x00\x00", 4);
	ck_assert_mem_eq(dg + 4, h32, 4);
	memcpy(ad, dg, 8);
	ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen,
	    NULL, dg + 32, n - 32, ad, 8, dg + 8, kd), 0);
	ck_assert_uint_eq(plen, COREFR_HDRLEN + 2);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(out[1], 9);
	ck_assert_uint_eq(be64_get(out + 4), 5);
	ck_assert_uint_eq(be64_get(out + 12), 6);
	ck_assert_uint_eq(be64_get(out + 20), NOW);
	ck_assert_uint_eq(be32_get(out + 40), 2);
	ck_assert_mem_eq(out + 44, "hb", 2);
	replay_free(rp);
}
END_TEST

/* Rule 1: the GUE header, the datagram's size, the C bit vs the type. */
START_TEST(test_reject_gue)
{
	static const uint8_t bad[][2] = {
		{ 0x40, 253 }, { 0x80, 253 }, { 0x01, 253 }, { 0x1f, 253 },
		{ 0x00, 17 }, { 0x00, 0 }, { 0x20, 7 }, { 0x20, 0 },
	};
	struct replay *rp = new_replay();
	struct corefr_hdr h;
	size_t n, i;

	/* short: nothing, a bare GUE header, garbage, one byte less than
	 * the smallest frame */
	ck_assert_int_eq(opn(&core.open, rp, NOW, 0), COREFR_R_GUE);
	gue_encode(dg, 0, GUE_PROTO_FRAME);
	ck_assert_int_eq(opn(&core.open, rp, NOW, GUE_HLEN), COREFR_R_GUE);
	randombytes_buf(dg, 20);
	ck_assert_int_eq(opn(&core.open, rp, NOW, 20), COREFR_R_GUE);
	n = build(&gw.seal, COREFR_ADVICE_ACK, 1, 1, NOW, "");
	ck_assert_uint_eq(n, GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN);
	ck_assert_int_eq(opn(&core.open, rp, NOW, n - 1), COREFR_R_GUE);
	/* version, hlen, flags, proto, ctype */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = build(&gw.seal, COREFR_AUTH_REQUEST, 1, 10 + i, NOW, "x");
		dg[0] = bad[i][0];
		dg[1] = bad[i][1];
		ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	}
	n = build(&gw.seal, COREFR_AUTH_REQUEST, 1, 20, NOW, "x");
	dg[2] = 0x80;
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	n = build(&gw.seal, COREFR_AUTH_REQUEST, 1, 21, NOW, "x");
	dg[3] = 1;
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	/* validly sealed, but the C bit (or ctype) does not fit the type */
	h = hdr(COREFR_HEARTBEAT, 1, 30, NOW);
	n = seal_raw(&gw.seal, 0, GUE_PROTO_FRAME, &h, 0);
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	h = hdr(COREFR_HEARTBEAT, 1, 31, NOW);
	n = seal_raw(&gw.seal, 0x20, GUE_CTYPE_HEARTBEAT_ACK, &h, 0);
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	h = hdr(COREFR_AUTH_REQUEST, 1, 32, NOW);
	n = seal_raw(&gw.seal, 0x20, GUE_CTYPE_HEARTBEAT, &h, 0);
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	/* larger than any frame: no room for it */
	h = hdr(COREFR_SNAPSHOT, 1, 33, NOW);
	h.body_len = COREFR_MAX_BODY + 1;
	n = seal_raw(&gw.seal, 0, GUE_PROTO_FRAME, &h, COREFR_MAX_BODY + 1);
	ck_assert_uint_gt(n, COREFR_MAX_DGRAM);
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_GUE);
	/* none of it was taken: the same seqs are still free */
	n = build(&gw.seal, COREFR_AUTH_REQUEST, 1, 30, NOW, "x");
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_NONE);
	replay_free(rp);
}
END_TEST

/* Rule 2, first half: the key id must name a key of the peer's
 * direction.  Another key, K itself, and our own direction (a frame
 * reflected back) all fail here. */
START_TEST(test_reject_key)
{
	struct seal_keyring other, v1;
	struct core_keys ok;
	struct replay *rp = new_replay();
	uint8_t k[SEAL_KEYLEN];
	size_t n;

	memset(k, 10, sizeof k);
	seal_keyring_init(&other);
	ck_assert_int_eq(seal_keyring_add(&other, k), 0);
	ck_assert_int_eq(core_keys_derive(&ok, &other, ROLE_CORE), 0);
	n = build(&ok.seal, COREFR_AUTH_RESPONSE, 1, 1, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_KEY);
	/* sealed with the configured key itself, as v1 did */
	seal_keyring_init(&v1);
	ck_assert_int_eq(seal_keyring_add(&v1, conf.k[0].key), 0);
	n = build(&v1, COREFR_AUTH_RESPONSE, 1, 2, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_KEY);
	/* a key id nobody has */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 3, NOW, "x");
	dg[4] ^= 0xff;
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_KEY);
	/* reflected: the gateway's own frame back at the gateway, the
	 * core's back at the core */
	n = build(&gw.seal, COREFR_AUTH_REQUEST, 1, 4, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_KEY);
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_NONE);
	n = build(&core.seal, COREFR_HEARTBEAT_ACK, 1, 5, NOW, "");
	ck_assert_int_eq(opn(&core.open, rp, NOW, n), COREFR_R_KEY);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	core_keys_clear(&ok);
	replay_free(rp);
}
END_TEST

/* Rule 2, second half: the AEAD, over the ciphertext, the nonce, the tag
 * and the additional data (GUE header and key id). */
START_TEST(test_reject_auth)
{
	static const size_t at[] = { 8, 31, 32, 32 + 20, 32 + 44, 32 + 48 };
	struct seal_keyring two;
	struct core_keys two_gw, two_core;
	struct replay *rp = new_replay();
	uint8_t k[SEAL_KEYLEN];
	size_t n, i;

	for (i = 0; i < sizeof at / sizeof at[0]; i++) {
		n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 1 + i, NOW,
		    "BODYBODY");
		ck_assert_uint_lt(at[i], n);
		dg[at[i]] ^= 0x01;
		ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_AUTH);
	}
	/* the last byte of the tag; one byte cut off */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 10, NOW, "BODY");
	dg[n - 1] ^= 0x80;
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_AUTH);
	dg[n - 1] ^= 0x80;
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n - 1), COREFR_R_AUTH);
	/* a GUE header changed into another valid one: data frame to C=1
	 * ctype 1, heartbeat ack to ctype 1 */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 11, NOW, "BODY");
	dg[0] = 0x20;
	dg[1] = GUE_CTYPE_HEARTBEAT;
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_AUTH);
	n = build(&core.seal, COREFR_HEARTBEAT_ACK, 1, 12, NOW, "");
	dg[1] = GUE_CTYPE_HEARTBEAT;
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_AUTH);
	/* the key id is AD too: rewritten to the other key of a ring */
	memset(k, 11, sizeof k);
	seal_keyring_init(&two);
	ck_assert_int_eq(seal_keyring_add(&two, conf.k[0].key), 0);
	ck_assert_int_eq(seal_keyring_add(&two, k), 0);
	ck_assert_int_eq(core_keys_derive(&two_gw, &two, ROLE_GATEWAY), 0);
	ck_assert_int_eq(core_keys_derive(&two_core, &two, ROLE_CORE), 0);
	n = build(&two_core.seal, COREFR_AUTH_RESPONSE, 1, 13, NOW, "BODY");
	be32_put(dg + GUE_HLEN, two_gw.open.k[1].id);
	ck_assert_int_eq(opn(&two_gw.open, rp, NOW, n), COREFR_R_AUTH);
	/* nothing of it was recorded */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 1, NOW, "BODYBODY");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	core_keys_clear(&two_gw);
	core_keys_clear(&two_core);
	replay_free(rp);
}
END_TEST

/* Rule 3, inside a validly sealed frame: version 2, a known type,
 * body_len matching what was sealed. */
START_TEST(test_reject_version)
{
	static const uint8_t versions[] = { 0, 1, 3, 0xff };
	static const uint8_t types[] = { 0, COREFR_TYPE_MAX + 1, 0x80, 0xff };
	struct replay *rp = new_replay();
	struct corefr_hdr h;
	size_t n, i;

	for (i = 0; i < sizeof versions; i++) {
		h = hdr(COREFR_AUTH_RESPONSE, 1, 1, NOW);
		h.version = versions[i];
		h.body_len = 4;
		n = seal_raw(&core.seal, 0, GUE_PROTO_FRAME, &h, 4);
		ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	}
	for (i = 0; i < sizeof types; i++) {
		h = hdr(types[i], 1, 1, NOW);
		h.body_len = 4;
		n = seal_raw(&core.seal, 0, GUE_PROTO_FRAME, &h, 4);
		ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	}
	/* corefr_build does not check the type either */
	n = build(&core.seal, COREFR_TYPE_MAX + 1, 1, 1, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	/* body_len one more, one less, far more than sealed */
	h = hdr(COREFR_AUTH_RESPONSE, 1, 1, NOW);
	h.body_len = 5;
	n = seal_raw(&core.seal, 0, GUE_PROTO_FRAME, &h, 4);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	h.body_len = 3;
	n = seal_raw(&core.seal, 0, GUE_PROTO_FRAME, &h, 4);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	h.body_len = 0xffffffff;
	n = seal_raw(&core.seal, 0, GUE_PROTO_FRAME, &h, 4);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	/* a v1 header (36 bytes, version 1) in a v2 seal */
	h = hdr(COREFR_AUTH_RESPONSE, 1, 1, NOW);
	h.version = 1;
	h.body_len = 8;
	n = seal_raw(&core.seal, 0, GUE_PROTO_FRAME, &h, 0);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_VERSION);
	/* refused before rule 5: seq 1 is still free */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 1, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	replay_free(rp);
}
END_TEST

/* Rule 4: sent_ms at most FreshWindow from the receiver's clock. */
START_TEST(test_reject_stale)
{
	struct replay *rp = new_replay();
	size_t n;

	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 1, NOW - FRESH - 1,
	    "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_STALE);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 2, NOW + FRESH + 1,
	    "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_STALE);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 3, NOW - 60000, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_STALE);
	/* the edges are in */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 4, NOW - FRESH, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 5, NOW + FRESH, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	/* a frame accepted once, delivered again a window later */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 6, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_int_eq(opn(&gw.open, rp, NOW + FRESH + 1, n),
	    COREFR_R_STALE);
	/* without a replay table rules 4 and 5 are not applied */
	ck_assert_int_eq(opn(&gw.open, NULL, NOW + FRESH + 1, n),
	    COREFR_R_NONE);
	replay_free(rp);
}
END_TEST

/* Rule 4, second half: nothing sealed before the receiver started, so a
 * restart forgets nothing that matters. */
START_TEST(test_reject_before_start)
{
	struct replay *rp = new_replay(), *again;
	uint64_t now = START + 2000;
	size_t n;

	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 1, START - 1, "x");
	ck_assert_int_eq(opn(&gw.open, rp, now, n), COREFR_R_BEFORE_START);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 2, START, "x");
	ck_assert_int_eq(opn(&gw.open, rp, now, n), COREFR_R_NONE);
	/* the receiver restarts (a new table from a later start): the
	 * frame it took before is refused, not taken again */
	again = replay_new(START + 1000);
	ck_assert_ptr_nonnull(again);
	ck_assert_int_eq(opn(&gw.open, again, now, n), COREFR_R_BEFORE_START);
	replay_free(again);
	replay_free(rp);
}
END_TEST

/* Rule 5: an exact repeat, a seq older than the window, and a floor
 * raised by a session evicted early. */
START_TEST(test_reject_replay)
{
	struct replay *rp = new_replay();
	uint64_t i;
	size_t n;

	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 5000, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_REPLAY);
	ck_assert_int_eq(opn(&gw.open, rp, NOW + 100, n), COREFR_R_REPLAY);
	/* the same (session, seq) newly sealed is a repeat as well */
	n = build(&core.seal, COREFR_HEARTBEAT_ACK, 1, 5000, NOW + 1, "");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_REPLAY);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 5000 - REPLAY_WINDOW,
	    NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_REPLAY);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1,
	    5000 - REPLAY_WINDOW + 1, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW, n), COREFR_R_NONE);

	/* a core restarting REPLAY_SESSIONS times within FreshWindow: the
	 * first session (1, last sent NOW) has to go while live */
	for (i = 0; i < REPLAY_SESSIONS; i++) {
		n = build(&core.seal, COREFR_HEARTBEAT_ACK, 100 + i, 1,
		    NOW + 1 + i, "");
		ck_assert_int_eq(opn(&gw.open, rp, NOW + 100, n),
		    COREFR_R_NONE);
	}
	ck_assert_uint_eq(replay_floor(rp, core.seal.k[0].id), NOW);
	/* at or below the floor: refused, whatever the session; above it
	 * the known sessions go on */
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 105, 2, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW + 100, n), COREFR_R_REPLAY);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 105, 3, NOW + 1, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW + 100, n), COREFR_R_NONE);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 1, 6000, NOW, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW + 100, n), COREFR_R_REPLAY);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 999, 1, NOW - 5, "x");
	ck_assert_int_eq(opn(&gw.open, rp, NOW + 100, n), COREFR_R_REPLAY);
	replay_free(rp);
}
END_TEST

/*
 * Rule 5 across endpoints: two core endpoints of one gateway, configured
 * apart (one lists only K, the other K2 then K), share one table, so a
 * frame taken at one is a replay at the other.  A key only one of them
 * holds has sessions of its own.
 */
START_TEST(test_replay_endpoints)
{
	struct seal_keyring cb;
	struct core_keys ep_a, ep_b, core_k2;
	struct replay *rp = new_replay(), *rp2;
	uint8_t k2[SEAL_KEYLEN];
	size_t n;

	memset(k2, 12, sizeof k2);
	seal_keyring_init(&cb);
	ck_assert_int_eq(seal_keyring_add(&cb, k2), 0);
	ck_assert_int_eq(seal_keyring_add(&cb, conf.k[0].key), 0);
	ck_assert_int_eq(core_keys_derive(&ep_a, &conf, ROLE_GATEWAY), 0);
	ck_assert_int_eq(core_keys_derive(&ep_b, &cb, ROLE_GATEWAY), 0);
	ck_assert_int_eq(core_keys_derive(&core_k2, &cb, ROLE_CORE), 0);

	n = build(&core.seal, COREFR_AUTH_RESPONSE, 77, 1, NOW, "x");
	ck_assert_int_eq(opn(&ep_a.open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_int_eq(opn(&ep_b.open, rp, NOW, n), COREFR_R_REPLAY);
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 77, 2, NOW, "x");
	ck_assert_int_eq(opn(&ep_b.open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_int_eq(opn(&ep_a.open, rp, NOW, n), COREFR_R_REPLAY);
	/* K2: only endpoint b opens it; session 77 there is another one */
	n = build(&core_k2.seal, COREFR_AUTH_RESPONSE, 77, 1, NOW, "x");
	ck_assert_int_eq(opn(&ep_a.open, rp, NOW, n), COREFR_R_KEY);
	ck_assert_int_eq(opn(&ep_b.open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_uint_eq(got.key_id, core_k2.seal.k[0].id);
	ck_assert_int_eq(opn(&ep_b.open, rp, NOW, n), COREFR_R_REPLAY);
	/* with a table each, both would have taken it: the sharing is
	 * what holds */
	replay_free(rp);
	rp = new_replay();
	rp2 = new_replay();
	n = build(&core.seal, COREFR_AUTH_RESPONSE, 78, 1, NOW, "x");
	ck_assert_int_eq(opn(&ep_a.open, rp, NOW, n), COREFR_R_NONE);
	ck_assert_int_eq(opn(&ep_b.open, rp2, NOW, n), COREFR_R_NONE);
	replay_free(rp2);
	core_keys_clear(&ep_a);
	core_keys_clear(&ep_b);
	core_keys_clear(&core_k2);
	replay_free(rp);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("corefr");
	TCase *tc = tcase_create("frames");
	TCase *tr = tcase_create("rules");
	int rc;

	if (seal_init() == -1)
		return EXIT_FAILURE;
	keys_init();
	tcase_add_test(tc, test_hdr_format);
	tcase_add_loop_test(tc, test_roundtrip, 0, 2);
	tcase_add_test(tc, test_spec_interop);
	tcase_add_test(tr, test_reject_gue);
	tcase_add_test(tr, test_reject_key);
	tcase_add_test(tr, test_reject_auth);
	tcase_add_test(tr, test_reject_version);
	tcase_add_test(tr, test_reject_stale);
	tcase_add_test(tr, test_reject_before_start);
	tcase_add_test(tr, test_reject_replay);
	tcase_add_test(tr, test_replay_endpoints);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tr);
	rc = check_run(s);
	core_keys_clear(&gw);
	core_keys_clear(&core);
	return rc;
}
