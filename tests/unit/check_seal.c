/*
 * check_seal.c — the core link's AEAD layer: key ids, key files, keyrings,
 * seal/open, nonces and key rotation.  Direction keys are
 * check_corekeys.c's, the replay table check_replay.c's and whole frames
 * check_corefr.c's.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "base/be.h"
#include "base/keyfile.h"
#include "tunnel/seal.h"
#include "tests/unit/checkrun.h"

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
	ck_assert_int_eq(key_from_base64(k2, "  AAAA\n", strlen("  AAAA\n")),
	    -1);
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

/* What seal_seal writes is what the spec says, opened here with libsodium
 * alone: key_id | nonce | ct+tag, AD = GUE header || key_id. */
START_TEST(test_seal_layout)
{
	struct seal_keyring r;
	uint8_t k[32], gue[4] = { 0x20, 1, 0, 0 }, ad[8];
	uint8_t out[128], pt[128];
	unsigned long long plen;
	ssize_t n;

	key_fill(k, 5);
	seal_keyring_init(&r);
	ck_assert_int_eq(seal_keyring_add(&r, k), 0);
	n = seal_seal(&r, gue, (const uint8_t *)"abc", 3, out, sizeof out);
	ck_assert_int_eq(n, 3 + SEAL_OVERHEAD);
	ck_assert_uint_eq(be32_get(out), seal_key_id(k));
	memcpy(ad, gue, 4);
	memcpy(ad + 4, out, 4);
	ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen,
	    NULL, out + 28, (unsigned long long)n - 28, ad, sizeof ad, out + 4,
	    k), 0);
	ck_assert_uint_eq(plen, 3);
	ck_assert_mem_eq(pt, "abc", 3);
	/* the key id is part of the AD too */
	ad[7] ^= 1;
	ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen,
	    NULL, out + 28, (unsigned long long)n - 28, ad, sizeof ad, out + 4,
	    k), -1);
	seal_keyring_clear(&r);
}
END_TEST

/* A key id rewritten to name another key of the ring: that key is tried
 * and fails, since the id is authenticated. */
START_TEST(test_key_id_ad)
{
	struct seal_keyring r;
	uint8_t k1[32], k2[32], gue[4] = { 0, 253, 0, 0 };
	uint8_t out[128], pt[128];
	enum seal_err why;
	ssize_t n;

	key_fill(k1, 1);
	key_fill(k2, 2);
	seal_keyring_init(&r);
	ck_assert_int_eq(seal_keyring_add(&r, k1), 0);
	ck_assert_int_eq(seal_keyring_add(&r, k2), 0);
	n = seal_seal(&r, gue, (const uint8_t *)"x", 1, out, sizeof out);
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, sizeof pt,
	    &why), 1);
	be32_put(out, seal_key_id(k2));
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, sizeof pt,
	    &why), -1);
	ck_assert_int_eq(why, SEAL_EAUTH);
	seal_keyring_clear(&r);
}
END_TEST

START_TEST(test_keyring)
{
	struct seal_keyring r;
	uint8_t k[32], gue[4] = { 0, 253, 0, 0 }, out[64], pt[64];
	enum seal_err why;
	ssize_t n;
	int i;

	seal_keyring_init(&r);
	/* nothing to seal with */
	ck_assert_int_eq(seal_seal(&r, gue, k, 0, out, sizeof out), -1);
	for (i = 0; i < SEAL_MAXKEYS; i++) {
		key_fill(k, (uint8_t)(0x10 + i));
		ck_assert_int_eq(seal_keyring_add(&r, k), 0);
		ck_assert_ptr_nonnull(seal_keyring_find(&r, seal_key_id(k)));
	}
	key_fill(k, 0x10 + SEAL_MAXKEYS);
	ck_assert_int_eq(seal_keyring_add(&r, k), -1);
	ck_assert_int_eq(r.n, SEAL_MAXKEYS);
	ck_assert_ptr_null(seal_keyring_find(&r, seal_key_id(k)));
	/* the first added seals */
	key_fill(k, 0x10);
	n = seal_seal(&r, gue, NULL, 0, out, sizeof out);
	ck_assert_int_eq(n, SEAL_OVERHEAD);
	ck_assert_uint_eq(be32_get(out), seal_key_id(k));
	/* an empty plaintext opens to nothing, into no room at all */
	ck_assert_int_eq(seal_open(&r, gue, out, (size_t)n, pt, 0, &why), 0);
	ck_assert_int_eq(why, SEAL_OK);
	seal_keyring_clear(&r);
	ck_assert_int_eq(r.n, 0);
	memset(k, 0, sizeof k);
	ck_assert_mem_eq(r.k[0].key, k, 32);
	ck_assert_mem_eq(r.k[SEAL_MAXKEYS - 1].key, k, 32);
}
END_TEST

/* Within one process nonces share a prefix and count up by one: none is
 * ever used twice. */
START_TEST(test_nonces)
{
	enum { N = 1000 };
	static uint8_t seen[N][SEAL_NONCELEN];
	struct seal_keyring r;
	uint8_t k[32], gue[4] = { 0, 253, 0, 0 }, out[64];
	int i;

	key_fill(k, 4);
	seal_keyring_init(&r);
	ck_assert_int_eq(seal_keyring_add(&r, k), 0);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(seal_seal(&r, gue, k, 1, out, sizeof out),
		    1 + SEAL_OVERHEAD);
		memcpy(seen[i], out + SEAL_IDLEN, SEAL_NONCELEN);
	}
	for (i = 1; i < N; i++) {
		ck_assert_mem_eq(seen[i], seen[0], 16);
		ck_assert_uint_eq(be64_get(seen[i] + 16),
		    be64_get(seen[i - 1] + 16) + 1);
	}
	seal_keyring_clear(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("core");

	if (seal_init() == -1)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_key_id);
	tcase_add_test(tc, test_key_b64);
	tcase_add_test(tc, test_seal_open);
	tcase_add_test(tc, test_fork_nonces);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_seal_layout);
	tcase_add_test(tc, test_key_id_ad);
	tcase_add_test(tc, test_keyring);
	tcase_add_test(tc, test_nonces);
	suite_add_tcase(s, tc);
	return check_run(s);
}
