/*
 * check_corekeys.c — the core link's direction keys (ARCHITECTURE section
 * 4): K_gc and K_cg from a configured key, their key ids, and which ring
 * each role seals and opens with.
 *
 * The vectors below were computed once, outside this code base, with an
 * independent BLAKE2b (Python's hashlib.blake2b, digest_size 32, key = K,
 * message = the label), so a core written in another language can check
 * its derivation against the same numbers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "base/hex.h"
#include "tunnel/corekeys.h"
#include "tunnel/seal.h"
#include "tests/unit/checkrun.h"

#define LABEL_GC	"gatewayd core link v2 gw->core"
#define LABEL_CG	"gatewayd core link v2 core->gw"

struct vector {
	const char	*name;
	uint8_t		 k[SEAL_KEYLEN];	/* the configured key */
	const char	*gc;			/* K_gc, hex */
	uint32_t	 gc_id;
	const char	*cg;			/* K_cg, hex */
	uint32_t	 cg_id;
};

static struct vector vectors[] = {
	{ "32 x 0x00", { 0 },
	    "68d385aac9db4b7aa67fe4770f4b591284cc27355832e807e54afac87a1949ca",
	    0x095baadf,
	    "ca02a4b393260c51571ff79e3d92054b966893b752d9ad72b4507fe16bd9eafb",
	    0x2a9a5892 },
	{ "bytes 0..31", { 0 },		/* filled in by vectors_init() */
	    "69aa9567b7743cd8c686b74ef0b34a8173c0698856b983e27c148e1a39ba3b1b",
	    0x4ba1606d,
	    "b3db0c97427c8ffeb091082ed8296d22dd71c19d8ed9488a69092b382ebd421b",
	    0x0510bdcd },
};
#define NVECTORS	(sizeof vectors / sizeof vectors[0])

static void
vectors_init(void)
{
	int i;

	for (i = 0; i < SEAL_KEYLEN; i++)
		vectors[1].k[i] = (uint8_t)i;
}

static void
unhex(const char *s, uint8_t out[SEAL_KEYLEN])
{
	ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, SEAL_KEYLEN), 0);
}

/* The key id by the spec's words, with libsodium called here. */
static uint32_t
spec_key_id(const uint8_t k[SEAL_KEYLEN])
{
	uint8_t h[32];

	ck_assert_int_eq(crypto_generichash(h, sizeof h, k, SEAL_KEYLEN, NULL,
	    0), 0);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

START_TEST(test_vectors)
{
	const struct vector *v = &vectors[_i];
	uint8_t want[SEAL_KEYLEN], got[SEAL_KEYLEN], direct[SEAL_KEYLEN];

	/* gateway to core */
	unhex(v->gc, want);
	core_key_direction(v->k, 1, got);
	ck_assert_mem_eq(got, want, SEAL_KEYLEN);
	ck_assert_int_eq(crypto_generichash(direct, sizeof direct,
	    (const uint8_t *)LABEL_GC, strlen(LABEL_GC), v->k, SEAL_KEYLEN), 0);
	ck_assert_mem_eq(direct, want, SEAL_KEYLEN);
	ck_assert_uint_eq(seal_key_id(got), v->gc_id);
	ck_assert_uint_eq(spec_key_id(want), v->gc_id);

	/* core to gateway */
	unhex(v->cg, want);
	core_key_direction(v->k, 0, got);
	ck_assert_mem_eq(got, want, SEAL_KEYLEN);
	ck_assert_int_eq(crypto_generichash(direct, sizeof direct,
	    (const uint8_t *)LABEL_CG, strlen(LABEL_CG), v->k, SEAL_KEYLEN), 0);
	ck_assert_mem_eq(direct, want, SEAL_KEYLEN);
	ck_assert_uint_eq(seal_key_id(got), v->cg_id);
	ck_assert_uint_eq(spec_key_id(want), v->cg_id);
}
END_TEST

/* Without the label's NUL and with K as the key, not the message: the
 * easy ways to get the derivation wrong give other keys. */
START_TEST(test_not_the_others)
{
	uint8_t k[SEAL_KEYLEN], d[SEAL_KEYLEN], x[SEAL_KEYLEN];

	memcpy(k, vectors[1].k, sizeof k);
	core_key_direction(k, 1, d);
	crypto_generichash(x, sizeof x, (const uint8_t *)LABEL_GC,
	    sizeof LABEL_GC, k, sizeof k);
	ck_assert_mem_ne(d, x, sizeof d);
	crypto_generichash(x, sizeof x, k, sizeof k,
	    (const uint8_t *)LABEL_GC, strlen(LABEL_GC));
	ck_assert_mem_ne(d, x, sizeof d);
	ck_assert_mem_ne(d, k, sizeof d);
	core_key_direction(k, 0, x);
	ck_assert_mem_ne(d, x, sizeof d);
}
END_TEST

static void
conf_ring(struct seal_keyring *conf, int n)
{
	uint8_t k[SEAL_KEYLEN];
	int i;

	seal_keyring_init(conf);
	ck_assert_int_eq(seal_keyring_add(conf, vectors[0].k), 0);
	ck_assert_int_eq(seal_keyring_add(conf, vectors[1].k), 0);
	for (i = 2; i < n; i++) {
		memset(k, 0x50 + i, sizeof k);
		ck_assert_int_eq(seal_keyring_add(conf, k), 0);
	}
}

/* Each role seals with one direction and opens the other; the gateway's
 * sealing ring is the core's opening ring, key for key, in the configured
 * order (the first configured key seals). */
START_TEST(test_roles)
{
	struct seal_keyring conf;
	struct core_keys gw, core;
	uint8_t gc[SEAL_KEYLEN], cg[SEAL_KEYLEN];
	int i;

	conf_ring(&conf, 3);
	ck_assert_int_eq(core_keys_derive(&gw, &conf, ROLE_GATEWAY), 0);
	ck_assert_int_eq(core_keys_derive(&core, &conf, ROLE_CORE), 0);
	ck_assert_int_eq(gw.seal.n, 3);
	ck_assert_int_eq(gw.open.n, 3);
	ck_assert_int_eq(core.seal.n, 3);
	ck_assert_int_eq(core.open.n, 3);
	for (i = 0; i < conf.n; i++) {
		core_key_direction(conf.k[i].key, 1, gc);
		core_key_direction(conf.k[i].key, 0, cg);
		ck_assert_mem_eq(gw.seal.k[i].key, gc, SEAL_KEYLEN);
		ck_assert_mem_eq(gw.open.k[i].key, cg, SEAL_KEYLEN);
		ck_assert_mem_eq(core.seal.k[i].key, cg, SEAL_KEYLEN);
		ck_assert_mem_eq(core.open.k[i].key, gc, SEAL_KEYLEN);
		ck_assert_uint_eq(gw.seal.k[i].id, seal_key_id(gc));
		ck_assert_uint_eq(core.seal.k[i].id, seal_key_id(cg));
		/* K itself is in no ring */
		ck_assert_ptr_null(seal_keyring_find(&gw.seal, conf.k[i].id));
		ck_assert_ptr_null(seal_keyring_find(&gw.open, conf.k[i].id));
	}
	ck_assert_uint_eq(gw.seal.k[0].id, vectors[0].gc_id);
	ck_assert_uint_eq(core.seal.k[0].id, vectors[0].cg_id);
	core_keys_clear(&gw);
	core_keys_clear(&core);
	seal_keyring_clear(&conf);
}
END_TEST

/* A frame reflected back to its sender never opens there; it opens at
 * the peer. */
START_TEST(test_reflected)
{
	struct seal_keyring conf;
	struct core_keys gw, core;
	uint8_t gue[4] = { 0, 253, 0, 0 }, out[64], pt[64];
	enum seal_err why;
	ssize_t n;

	conf_ring(&conf, 2);
	ck_assert_int_eq(core_keys_derive(&gw, &conf, ROLE_GATEWAY), 0);
	ck_assert_int_eq(core_keys_derive(&core, &conf, ROLE_CORE), 0);
	n = seal_seal(&gw.seal, gue, (const uint8_t *)"hi", 2, out,
	    sizeof out);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(seal_open(&core.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), 2);
	ck_assert_int_eq(seal_open(&gw.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), -1);
	ck_assert_int_eq(why, SEAL_EKEY);
	n = seal_seal(&core.seal, gue, (const uint8_t *)"yo", 2, out,
	    sizeof out);
	ck_assert_int_eq(seal_open(&gw.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), 2);
	ck_assert_int_eq(seal_open(&core.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), -1);
	ck_assert_int_eq(why, SEAL_EKEY);
	core_keys_clear(&gw);
	core_keys_clear(&core);
	seal_keyring_clear(&conf);
}
END_TEST

/* The pair link: each appliance seals under its own name's key and opens
 * under its peer's; a frame reflected back, one sealed by a third name,
 * or one under the core link's keys never opens. */
START_TEST(test_pair)
{
	struct seal_keyring conf;
	struct core_keys a, b, c, gw;
	uint8_t gue[4] = { 0, 253, 0, 0 }, out[64], pt[64], want[SEAL_KEYLEN];
	const char *label = "gatewayd pair link v2 colo-a";
	enum seal_err why;
	ssize_t n;

	conf_ring(&conf, 1);
	ck_assert_int_eq(pair_keys_derive(&a, &conf, "colo-a", "colo-b"), 0);
	ck_assert_int_eq(pair_keys_derive(&b, &conf, "colo-b", "colo-a"), 0);
	ck_assert_int_eq(pair_keys_derive(&c, &conf, "colo-c", "colo-a"), 0);
	ck_assert_int_eq(core_keys_derive(&gw, &conf, ROLE_GATEWAY), 0);
	ck_assert_int_eq(pair_keys_derive(&gw, &conf, "x", "x"), -1);
	/* the spec's words: BLAKE2b-256(key = K, "gatewayd pair link v2 " NAME) */
	crypto_generichash(want, sizeof want, (const uint8_t *)label,
	    strlen(label), conf.k[0].key, SEAL_KEYLEN);
	ck_assert_mem_eq(a.seal.k[0].key, want, SEAL_KEYLEN);
	ck_assert_mem_eq(b.open.k[0].key, want, SEAL_KEYLEN);
	n = seal_seal(&a.seal, gue, (const uint8_t *)"hi", 2, out, sizeof out);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(seal_open(&b.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), 2);
	ck_assert_int_eq(seal_open(&a.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), -1);
	n = seal_seal(&c.seal, gue, (const uint8_t *)"hi", 2, out, sizeof out);
	ck_assert_int_eq(seal_open(&a.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), -1);
	n = seal_seal(&gw.seal, gue, (const uint8_t *)"hi", 2, out, sizeof out);
	ck_assert_int_eq(seal_open(&b.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), -1);
	core_keys_clear(&a);
	core_keys_clear(&b);
	core_keys_clear(&c);
	core_keys_clear(&gw);
	seal_keyring_clear(&conf);
}
END_TEST

/* Rotation: a gateway listing (new, old) and a core still on (old) talk
 * both ways. */
START_TEST(test_rotation)
{
	struct seal_keyring cold, cboth;
	struct core_keys gw, core;
	uint8_t gue[4] = { 0, 253, 0, 0 }, out[64], pt[64];
	enum seal_err why;
	ssize_t n;

	seal_keyring_init(&cold);
	seal_keyring_init(&cboth);
	ck_assert_int_eq(seal_keyring_add(&cold, vectors[0].k), 0);
	ck_assert_int_eq(seal_keyring_add(&cboth, vectors[1].k), 0);
	ck_assert_int_eq(seal_keyring_add(&cboth, vectors[0].k), 0);
	ck_assert_int_eq(core_keys_derive(&gw, &cboth, ROLE_GATEWAY), 0);
	ck_assert_int_eq(core_keys_derive(&core, &cold, ROLE_CORE), 0);
	ck_assert_uint_eq(gw.seal.k[0].id, vectors[1].gc_id);
	/* the old core opens nothing sealed with the new key... */
	n = seal_seal(&gw.seal, gue, (const uint8_t *)"a", 1, out, sizeof out);
	ck_assert_int_eq(seal_open(&core.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), -1);
	ck_assert_int_eq(why, SEAL_EKEY);
	/* ...but the gateway opens what the old core seals */
	n = seal_seal(&core.seal, gue, (const uint8_t *)"b", 1, out,
	    sizeof out);
	ck_assert_int_eq(seal_open(&gw.open, gue, out, (size_t)n, pt,
	    sizeof pt, &why), 1);
	core_keys_clear(&gw);
	core_keys_clear(&core);
}
END_TEST

START_TEST(test_derive_errors)
{
	struct seal_keyring conf;
	struct core_keys lk;
	uint8_t zero[SEAL_KEYLEN] = { 0 };

	/* no configured key: empty rings, nothing to seal with */
	seal_keyring_init(&conf);
	ck_assert_int_eq(core_keys_derive(&lk, &conf, ROLE_GATEWAY), 0);
	ck_assert_int_eq(lk.seal.n, 0);
	ck_assert_int_eq(lk.open.n, 0);
	/* one key listed twice (a ring built by hand, as a config reader
	 * that forgot to check might): refused, and nothing left behind */
	conf.n = 2;
	memcpy(conf.k[0].key, vectors[1].k, SEAL_KEYLEN);
	memcpy(conf.k[1].key, vectors[1].k, SEAL_KEYLEN);
	ck_assert_int_eq(core_keys_derive(&lk, &conf, ROLE_CORE), -1);
	ck_assert_int_eq(lk.seal.n, 0);
	ck_assert_int_eq(lk.open.n, 0);
	ck_assert_mem_eq(lk.seal.k[0].key, zero, SEAL_KEYLEN);
	ck_assert_mem_eq(lk.open.k[0].key, zero, SEAL_KEYLEN);
	/* cleared rings hold no key material */
	conf_ring(&conf, 2);
	ck_assert_int_eq(core_keys_derive(&lk, &conf, ROLE_CORE), 0);
	core_keys_clear(&lk);
	ck_assert_int_eq(lk.seal.n, 0);
	ck_assert_mem_eq(lk.seal.k[1].key, zero, SEAL_KEYLEN);
	ck_assert_mem_eq(lk.open.k[1].key, zero, SEAL_KEYLEN);
	seal_keyring_clear(&conf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("corekeys");
	TCase *tc = tcase_create("core");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	vectors_init();
	tcase_add_loop_test(tc, test_vectors, 0, (int)NVECTORS);
	tcase_add_test(tc, test_not_the_others);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_reflected);
	tcase_add_test(tc, test_pair);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_derive_errors);
	suite_add_tcase(s, tc);
	return check_run(s);
}
