/*
 * bench_corelink — the core link's cost per frame, protocol v2: a
 * typical 300-byte AUTH_REQUEST body sealed by the gateway (corefr_send)
 * and opened by the core (corefr_recv: every acceptance rule, a replay
 * table, the wall clock).  Median of RUNS runs of about a second each:
 *
 *   corelink seal+open ns/frame=N
 *   corelink seal ns/frame=N
 *   corelink open ns/frame=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "tunnel/corefr.h"
#include "tunnel/tlv.h"

#define RUNS		5
#define RUN_NS		1e9
#define BATCH		1000
#define POOL		4096		/* frames sealed ahead for "open" */
#define BODYLEN		300

static struct core_keys gw, core;
static uint8_t body[BODYLEN];
static uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];
static uint8_t pool[POOL][GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN +
    BODYLEN];

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "bench_corelink: %s\n", what);
	exit(1);
}

/* What a scheme request looks like on the core link: the message TLV and
 * the gateway's metadata, padded with a tag receivers ignore to exactly
 * BODYLEN bytes. */
static void
body_init(void)
{
	static const char pad[BODYLEN];
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, "0100");
	tlv_put_str(&w, 2, "5413330000000019");
	tlv_put_str(&w, 3, "000000");
	tlv_put_str(&w, 4, "000000012345");
	tlv_put_str(&w, 7, "1206050505");
	tlv_put_str(&w, 11, "123456");
	tlv_put_str(&w, 12, "050505");
	tlv_put_str(&w, 13, "1206");
	tlv_put_str(&w, 14, "2812");
	tlv_put_str(&w, 18, "5411");
	tlv_put_str(&w, 22, "051");
	tlv_put_str(&w, 32, "123456");
	tlv_put_str(&w, 37, "634012345678");
	tlv_put_str(&w, 41, "TERM0001");
	tlv_put_str(&w, 42, "MERCHANT0000001");
	tlv_put_str(&w, 43, "GATEWAY BENCH SHOP       LONDON       GB");
	tlv_put_str(&w, 49, "826");
	tlv_put_str(&w, TLV_LINK, "mc");
	tlv_put_str(&w, TLV_PROFILE, "mastercard");
	tlv_put_u64(&w, TLV_RECV_TIME, 1765000000000000ULL);
	tlv_put_str(&w, TLV_GATEWAY, "bench");
	if (w.err || w.len > BODYLEN - 4)
		die("body too large");
	tlv_put(&w, 0x1fff, pad, BODYLEN - 4 - w.len);
	if (w.err || w.len != BODYLEN)
		die("body not 300 bytes");
}

static void
keys_init(void)
{
	struct seal_keyring conf;
	uint8_t k[SEAL_KEYLEN];

	if (seal_init() == -1)
		die("sodium");
	randombytes_buf(k, sizeof k);
	seal_keyring_init(&conf);
	if (seal_keyring_add(&conf, k) == -1 ||
	    core_keys_derive(&gw, &conf, ROLE_GATEWAY) == -1 ||
	    core_keys_derive(&core, &conf, ROLE_CORE) == -1)
		die("keys");
	sodium_memzero(k, sizeof k);
	seal_keyring_clear(&conf);
}

static size_t
seal1(uint8_t *out, size_t cap)
{
	ssize_t n;

	n = corefr_send(&gw, COREFR_AUTH_REQUEST, 42, 35000, body, BODYLEN,
	    out, cap);
	if (n < 0)
		die("seal");
	return (size_t)n;
}

static void
open1(struct replay *rp, const uint8_t *d, size_t n)
{
	struct corefr_hdr h;
	const uint8_t *b;
	enum corefr_reject why;

	if (corefr_recv(&core, rp, COREFR_FRESH_MS, d, n, &h, pt, sizeof pt,
	    &b, &why) == -1 || h.body_len != BODYLEN)
		die(corefr_reject_name(why));
}

static struct replay *
new_replay(void)
{
	struct replay *rp = replay_new(corefr_now_ms() - 1000);

	if (rp == NULL)
		die("memory");
	return rp;
}

/* One run of the kind asked for: ns per frame. */
static double
run(int seal, int open)
{
	static uint8_t d[COREFR_MAX_DGRAM];
	struct replay *rp = new_replay();
	double t0 = now_ns(), spent = 0;
	long frames = 0;
	size_t n = 0;
	int i;

	while (spent < RUN_NS) {
		if (!seal) {
			/* Sealed ahead, outside the clock; a new table for
			 * each pass, or the second pass would be replays. */
			replay_free(rp);
			rp = new_replay();
			for (i = 0; i < POOL; i++)
				seal1(pool[i], sizeof pool[i]);
			t0 = now_ns();
			for (i = 0; i < POOL; i++)
				open1(rp, pool[i], sizeof pool[i]);
			spent += now_ns() - t0;
			frames += POOL;
			continue;
		}
		for (i = 0; i < BATCH; i++) {
			n = seal1(d, sizeof d);
			if (open)
				open1(rp, d, n);
		}
		frames += BATCH;
		spent = now_ns() - t0;
	}
	replay_free(rp);
	return spent / (double)frames;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(int seal, int open)
{
	double ns[RUNS];
	int r;

	for (r = 0; r < RUNS; r++)
		ns[r] = run(seal, open);
	qsort(ns, RUNS, sizeof ns[0], cmp);
	return ns[RUNS / 2];
}

int
main(void)
{
	keys_init();
	body_init();
	printf("corelink seal+open ns/frame=%.0f\n", median(1, 1));
	printf("corelink seal ns/frame=%.0f\n", median(1, 0));
	printf("corelink open ns/frame=%.0f\n", median(0, 1));
	core_keys_clear(&gw);
	core_keys_clear(&core);
	return 0;
}
