/* check_key.c — key encodings and X25519 against RFC 7748 vectors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tunnel/wg/key.h"
#include "base/keyfile.h"
#include "tests/unit/checkrun.h"

static void
unhex(uint8_t *out, const char *hex)
{
	size_t n;

	ck_assert_int_eq(sodium_hex2bin(out, 32, hex, 64, NULL, &n, NULL), 0);
	ck_assert_uint_eq(n, 32);
}

START_TEST(rfc7748_public)
{
	/* RFC 7748 6.1: Alice's and Bob's key pairs. */
	uint8_t priv[32], pub[32], want[32];

	unhex(priv, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ck_assert_int_eq(wg_key_public(pub, priv), 0);
	ck_assert_mem_eq(pub, want, 32);
	unhex(priv, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	unhex(want, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	ck_assert_int_eq(wg_key_public(pub, priv), 0);
	ck_assert_mem_eq(pub, want, 32);
}
END_TEST

static int
from_b64(uint8_t k[32], const char *s)
{
	return key_from_base64(k, s, strlen(s));
}

START_TEST(base64_roundtrip)
{
	uint8_t k[32], back[32];
	char b64[WG_KEY_B64_LEN];
	int i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)(i * 7 + 1);
	key_to_base64(b64, k);
	ck_assert_uint_eq(strlen(b64), 44);
	ck_assert_int_eq(b64[43], '=');
	ck_assert_int_eq(from_b64(back, b64), 0);
	ck_assert_mem_eq(k, back, 32);
	/* Known encoding: 32 zero bytes. */
	memset(k, 0, 32);
	key_to_base64(b64, k);
	ck_assert_str_eq(b64, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}
END_TEST

START_TEST(base64_rejects)
{
	uint8_t k[32];

	ck_assert_int_eq(from_b64(k, ""), -1);
	ck_assert_int_eq(from_b64(k, "abc"), -1);
	/* 43 chars + '=' but non-canonical last char (low bits set). */
	ck_assert_int_eq(from_b64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB="), -1);
	/* Wrong padding and bad alphabet. */
	ck_assert_int_eq(from_b64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), -1);
	ck_assert_int_eq(from_b64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*="), -1);
	ck_assert_int_eq(from_b64(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= "), -1);
}
END_TEST

START_TEST(hex_forms)
{
	uint8_t k[32], back[32];
	char hex[WG_KEY_HEX_LEN];
	int i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)(0xf0 + i);
	wg_key_to_hex(hex, k);
	ck_assert_uint_eq(strlen(hex), 64);
	ck_assert_int_eq(wg_key_from_hex(back, hex, 64), 0);
	ck_assert_mem_eq(k, back, 32);
	hex[0] = 'F';		/* the UAPI is lowercase */
	ck_assert_int_eq(wg_key_from_hex(back, hex, 64), -1);
	ck_assert_int_eq(wg_key_from_hex(back, hex, 63), -1);
}
END_TEST

START_TEST(genkey_clamped)
{
	uint8_t k[32], pub[32];
	int i;

	for (i = 0; i < 64; i++) {
		ck_assert_int_eq(wg_key_generate(k), 0);
		ck_assert_int_eq(k[0] & 7, 0);
		ck_assert_int_eq(k[31] & 0x80, 0);
		ck_assert_int_eq(k[31] & 0x40, 0x40);
		ck_assert_int_eq(wg_key_public(pub, k), 0);
		ck_assert(!wg_key_is_zero(pub));
	}
}
END_TEST

START_TEST(key_file_modes)
{
	char dir[] = "/tmp/check_key.XXXXXX", path[64], err[512];
	uint8_t k[32];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(keyfile_read(k, path, err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(keyfile_read(k, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "mode 0640"));
	ck_assert_int_eq(chmod(path, 0602), 0);
	ck_assert_int_eq(keyfile_read(k, path, err, sizeof(err)), -1);
	unlink(path);
	ck_assert_int_eq(keyfile_read(k, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("key");
	TCase *tc = tcase_create("key");

	tcase_add_test(tc, rfc7748_public);
	tcase_add_test(tc, base64_roundtrip);
	tcase_add_test(tc, base64_rejects);
	tcase_add_test(tc, hex_forms);
	tcase_add_test(tc, genkey_clamped);
	tcase_add_test(tc, key_file_modes);
	suite_add_tcase(s, tc);
	return check_run(s);
}
