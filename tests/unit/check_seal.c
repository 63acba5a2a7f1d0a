/* check_seal.c — keys, key ids, seal/open, anti-replay, key rotation and
 * whole core-link datagrams. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "tunnel/corefr.h"
#include "base/keyfile.h"
#include "tunnel/seal.h"

static void
key_fill(uint8_t k[32], uint8_t v)
{
	memset(k, v, 32);
}

START_TEST(test_key_id)
{
	uint8_t k[32], h[32];
	uint32_t want;

	key_fill(k, 7);
	crypto_generichash(h, 32, k, 32, NULL, 0);
	want = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
	ck_assert_uint_eq(seal_key_id(k), want);
	/* All-zero key: fixed vector, so another implementation can check. */
	key_fill(k, 0);
	crypto_generichash(h, 32, k, 32, NULL, 0);
	ck_assert_uint_eq(seal_key_id(k) >> 24, h[0]);
}
END_TEST

START_TEST(test_key_b64)
{
	uint8_t k[32], k2[32];
	char b[64], path[] = "/tmp/check_seal_keyXXXXXX";
	struct seal_keyring r;
	char err[128];
	int fd;

	randombytes_buf(k, 32);
	key_to_base64(b, k);
	ck_assert_uint_eq(strlen(b), 44);
	ck_assert_int_eq(key_from_base64(k2, b, strlen(b)), 0);
	ck_assert_mem_eq(k, k2, 32);
	ck_assert_int_eq(key_from_base64(k2, "  AAAA\n", strlen("  AAAA\n")), -1);
	ck_assert_int_eq(key_from_base64(k2, "", strlen("")), -1);
	b[10] = '*';
	ck_assert_int_eq(key_from_base64(k2, b, strlen(b)), -1);

	key_to_base64(b, k);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b, strlen(b)), (int)strlen(b));
	ck_assert_int_eq(write(fd, "\n", 1), 1);
	close(fd);
	seal_keyring_init(&r);
	ck_assert_int_eq(seal_keyring_add_file(&r, path, err, sizeof err), 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_mem_eq(r.k[0].key, k, 32);
	/* the same key twice is refused */
	ck_assert_int_eq(seal_keyring_add_file(&r, path, err, sizeof err), -1);
	unlink(path);
	ck_assert_int_eq(seal_keyring_add_file(&r, path, err, sizeof err), -1);
	seal_keyring_clear(&r);
}
END_TEST

/* A forked child never continues its parent's nonces: the next frame
 * each of them seals has a different nonce prefix. */
START_TEST(test_fork_nonces)
{
	struct seal_keyring r;
	uint8_t k[32], gue[4] = { 0, 253, 0, 0 };
	uint8_t a[64], b[64];
	int p[2], st;
	pid_t pid;

	key_fill(k, 3);
	seal_keyring_init(&r);
	ck_assert_int_eq(seal_keyring_add(&r, k), 0);
	ck_assert_int_gt(seal_seal(&r, gue, k, 4, a, sizeof a), 0);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		if (seal_seal(&r, gue, k, 4, a, sizeof a) < 0 ||
		    write(p[1], a, sizeof a) != (ssize_t)sizeof a)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_gt(seal_seal(&r, gue, k, 4, a, sizeof a), 0);
	ck_assert_int_eq(read(p[0], b, sizeof b), (ssize_t)sizeof b);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(st, 0);
	ck_assert_mem_ne(a + SEAL_IDLEN, b + SEAL_IDLEN, 16);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_seal_open)
{
	struct seal_keyring r;
	uint8_t k[32], gue[4] = { 0, 253, 0, 0 };
	uint8_t out[256], pt[256];
	const char *msg = "hello core";
	enum seal_err why;
	ssize_t n, m;

	key_fill(k, 1);
	seal_keyring_init(&r);
	ck_assert_int_eq(seal_keyring_add(&r, k), 0);
	n = seal_seal(&r, gue, (const uint8_t *)msg, strlen(msg), out,
	    sizeof out);
	ck_assert_int_eq(n, (ssize_t)strlen(msg) + SEAL_OVERHEAD);
	m = seal_open(&r, gue, out, (size_t)n, pt, sizeof pt, &why);
	ck_assert_int_eq(m, (ssize_t)strlen(msg));
	ck_assert_mem_eq(pt, msg, strlen(msg));

	/* AD covers the GUE header */
	gue[0] = 0x20;
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, sizeof pt,
	    &why), -1);
	ck_assert_int_eq(why, SEAL_EAUTH);
	gue[0] = 0;
	/* a flipped ciphertext bit */
	out[30] ^= 1;
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, sizeof pt,
	    &why), -1);
	ck_assert_int_eq(why, SEAL_EAUTH);
	out[30] ^= 1;
	/* unknown key id */
	out[0] ^= 0xff;
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, sizeof pt,
	    &why), -1);
	ck_assert_int_eq(why, SEAL_EKEY);
	out[0] ^= 0xff;
	/* short */
	ck_assert_int_eq(seal_open(&r, gue, out, 10, pt, sizeof pt, &why), -1);
	ck_assert_int_eq(why, SEAL_ESHORT);
	/* no room */
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, 3, &why), -1);
	ck_assert_int_eq(why, SEAL_EROOM);
	/* seal with no room */
	ck_assert_int_eq(seal_seal(&r, gue, pt, 100, out, 50), -1);
	seal_keyring_clear(&r);
}
END_TEST

START_TEST(test_rotation)
{
	struct seal_keyring oldr, both, newr;
	uint8_t k1[32], k2[32], gue[4] = { 0, 253, 0, 0 };
	uint8_t out[128], pt[128];
	enum seal_err why;
	ssize_t n;

	key_fill(k1, 1);
	key_fill(k2, 2);
	seal_keyring_init(&oldr);
	seal_keyring_init(&both);
	seal_keyring_init(&newr);
	seal_keyring_add(&oldr, k1);
	seal_keyring_add(&both, k2);	/* new key seals */
	seal_keyring_add(&both, k1);	/* old key still accepted */
	seal_keyring_add(&newr, k2);

	n = seal_seal(&oldr, gue, (const uint8_t *)"a", 1, out, sizeof out);
	ck_assert_int_eq(seal_open(&both, gue, out, (size_t)n, pt, sizeof pt,
	    &why), 1);
	ck_assert_int_eq(seal_open(&newr, gue, out, (size_t)n, pt, sizeof pt,
	    &why), -1);
	ck_assert_int_eq(why, SEAL_EKEY);
	n = seal_seal(&both, gue, (const uint8_t *)"b", 1, out, sizeof out);
	ck_assert_int_eq(seal_open(&newr, gue, out, (size_t)n, pt, sizeof pt,
	    &why), 1);
	ck_assert_int_eq(seal_open(&oldr, gue, out, (size_t)n, pt, sizeof pt,
	    &why), -1);
	ck_assert_int_eq(why, SEAL_EKEY);
}
END_TEST

START_TEST(test_replay_window)
{
	static struct seal_replay rp;
	uint64_t s;

	seal_replay_init(&rp);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 1), 0);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 1), -1);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 3), 0);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 2), 0);	/* reordered */
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 2), -1);
	ck_assert_int_eq(seal_replay_check(&rp, 42, 3), -1);
	ck_assert_int_eq(seal_replay_check(&rp, 42, 4), 0);
	/* window of at least 1024 */
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 3 + 1024), 0);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 5), 0);	/* still in */
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 3), -1);
	/* far jump: everything older than the window refused */
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 100000), 0);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 100000 - SEAL_WINDOW), -1);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 100000 - SEAL_WINDOW + 1),
	    0);
	ck_assert_int_eq(seal_replay_accept(&rp, 42, 100000 - 1), 0);
	/* slots reused by the ring are not mistaken for seen */
	for (s = 100001; s < 100000 + 3 * SEAL_WINDOW; s += 7)
		ck_assert_int_eq(seal_replay_accept(&rp, 42, s), 0);
	for (s = 100001; s < 100000 + 3 * SEAL_WINDOW; s += 7)
		ck_assert_int_eq(seal_replay_check(&rp, 42, s), -1);
	/* another session has its own window */
	ck_assert_int_eq(seal_replay_accept(&rp, 43, 1), 0);
	ck_assert_int_eq(seal_replay_accept(&rp, 43, 1), -1);
	ck_assert_int_eq(seal_replay_check(&rp, 42, 100000), -1);
	/* LRU eviction keeps the busy session */
	for (s = 1000; s < 1000 + 2 * SEAL_SESSIONS; s++) {
		ck_assert_int_eq(seal_replay_accept(&rp, s, 1), 0);
		ck_assert_int_eq(seal_replay_accept(&rp, 43, 10 + s), 0);
	}
	ck_assert_int_eq(seal_replay_check(&rp, 43, 1010), -1);
	ck_assert_int_eq(seal_replay_check(&rp, 43, 1), -1);
}
END_TEST

START_TEST(test_datagram)
{
	static struct seal_keyring r, other;
	static struct corefr_end a, b;
	static uint8_t dg[COREFR_MAX_DGRAM], pt[COREFR_HDRLEN + COREFR_MAX_BODY];
	uint8_t k[32], saved[256];
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	ssize_t n;

	key_fill(k, 9);
	seal_keyring_init(&r);
	seal_keyring_add(&r, k);
	key_fill(k, 10);
	seal_keyring_init(&other);
	seal_keyring_add(&other, k);
	corefr_end_init(&a, &r);
	corefr_end_init(&b, &r);

	n = corefr_send(&a, COREFR_AUTH_REQUEST, 77, 35000,
	    (const uint8_t *)"BODY", 4, dg, sizeof dg);
	ck_assert_int_eq(n, 4 + 44 + 36 + 4);
	ck_assert_uint_eq(dg[0], 0);
	ck_assert_uint_eq(dg[1], 253);
	memcpy(saved, dg, (size_t)n);
	ck_assert_int_eq(corefr_recv(&b, dg, (size_t)n, &h, pt, sizeof pt,
	    &body, &why), 0);
	ck_assert_uint_eq(h.type, COREFR_AUTH_REQUEST);
	ck_assert_uint_eq(h.corr_id, 77);
	ck_assert_uint_eq(h.budget_us, 35000);
	ck_assert_uint_eq(h.body_len, 4);
	ck_assert_uint_eq(h.session, a.session);
	ck_assert_uint_eq(h.seq, 1);
	ck_assert_mem_eq(body, "BODY", 4);
	/* replay */
	ck_assert_int_eq(corefr_recv(&b, saved, (size_t)n, &h, pt, sizeof pt,
	    &body, &why), -1);
	ck_assert_int_eq(why, COREFR_R_REPLAY);
	/* heartbeat travels with C=1 ctype 1 */
	n = corefr_send(&a, COREFR_HEARTBEAT, 5, 0, NULL, 0, dg, sizeof dg);
	ck_assert_uint_eq(dg[0], 0x20);
	ck_assert_uint_eq(dg[1], 1);
	memcpy(saved, dg, (size_t)n);
	/* flipping C to 0: header no longer matches the AD -> auth */
	dg[0] = 0;
	dg[1] = 253;
	ck_assert_int_eq(corefr_recv(&b, dg, (size_t)n, &h, pt, sizeof pt,
	    &body, &why), -1);
	ck_assert_int_eq(why, COREFR_R_AUTH);
	/* bad flags */
	memcpy(dg, saved, (size_t)n);
	dg[3] = 1;
	ck_assert_int_eq(corefr_recv(&b, dg, (size_t)n, &h, pt, sizeof pt,
	    &body, &why), -1);
	ck_assert_int_eq(why, COREFR_R_GUE);
	/* unknown ctype */
	memcpy(dg, saved, (size_t)n);
	dg[1] = 7;
	ck_assert_int_eq(corefr_recv(&b, dg, (size_t)n, &h, pt, sizeof pt,
	    &body, &why), -1);
	ck_assert_int_eq(why, COREFR_R_CBIT);
	/* intact one passes */
	ck_assert_int_eq(corefr_recv(&b, saved, (size_t)n, &h, pt, sizeof pt,
	    &body, &why), 0);
	ck_assert_uint_eq(h.type, COREFR_HEARTBEAT);
	/* wrong key */
	n = corefr_send(&a, COREFR_ADVICE, 1, 0, NULL, 0, dg, sizeof dg);
	ck_assert_int_eq(corefr_open(&other, NULL, dg, (size_t)n, &h, pt,
	    sizeof pt, &body, &why), -1);
	ck_assert_int_eq(why, COREFR_R_KEY);
	/* garbage */
	ck_assert_int_eq(corefr_recv(&b, dg, 20, &h, pt, sizeof pt, &body,
	    &why), -1);
	ck_assert_int_eq(why, COREFR_R_SHORT);
	/* too big a body */
	ck_assert_int_eq(corefr_send(&a, COREFR_ADVICE, 1, 0, pt,
	    COREFR_MAX_BODY + 1, dg, sizeof dg), -1);
	ck_assert_str_eq(corefr_reject_name(COREFR_R_REPLAY), "replay");
	ck_assert_str_eq(corefr_type_name(COREFR_OUT_REQUEST), "OUT_REQUEST");
}
END_TEST

START_TEST(test_hdr_format)
{
	struct corefr_hdr h, d;
	uint8_t b[COREFR_HDRLEN + 3];

	memset(&h, 0, sizeof h);
	h.version = 1;
	h.type = COREFR_AUTH_RESPONSE;
	h.flags = 0x0102;
	h.session = 0x1122334455667788ULL;
	h.seq = 2;
	h.corr_id = 3;
	h.budget_us = 4;
	h.body_len = 3;
	corefr_hdr_encode(&h, b);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[1], 2);
	ck_assert_uint_eq(b[2], 1);
	ck_assert_uint_eq(b[3], 2);
	ck_assert_uint_eq(b[4], 0x11);
	ck_assert_uint_eq(b[11], 0x88);
	ck_assert_uint_eq(b[19], 2);
	ck_assert_uint_eq(b[27], 3);
	ck_assert_uint_eq(b[31], 4);
	ck_assert_uint_eq(b[35], 3);
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), 0);
	ck_assert_uint_eq(d.session, h.session);
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b - 1), -1);
	b[0] = 2;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), -1);
	b[0] = 1;
	b[1] = 11;
	ck_assert_int_eq(corefr_hdr_decode(&d, b, sizeof b), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	if (seal_init() == -1)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_key_id);
	tcase_add_test(tc, test_key_b64);
	tcase_add_test(tc, test_seal_open);
	tcase_add_test(tc, test_fork_nonces);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_replay_window);
	tcase_add_test(tc, test_datagram);
	tcase_add_test(tc, test_hdr_format);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
