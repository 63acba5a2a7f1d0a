/*
 * check_hsm_crypto.c — hsm/ crypto primitives against every public vector
 * in payment-crypto-vectors.md (section 2), plus key-block round trips.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "hsm/aes.h"
#include "hsm/cvv.h"
#include "hsm/des.h"
#include "hsm/emv.h"
#include "hsm/client/hsmclient.h"
#include "base/hex.h"
#include "hsm/kbcache.h"
#include "hsm/keyblock.h"
#include "hsm/pin.h"
#include "tests/unit/hsm-vectors.h"
#include "tests/unit/checkrun.h"

#define K0 "0123456789ABCDEFFEDCBA9876543210"

static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	ck_assert_int_eq(hex_decode_exact(h, 2 * n, out, n), 0);
	return n;
}

static void
hex_eq(const uint8_t *b, size_t n, const char *want)
{
	char s[129];

	ck_assert_uint_le(2 * n, 128);
	hex_encode(b, n, s);
	s[2 * n] = '\0';
	ck_assert_str_eq(s, want);
}

static void
des_from_hex(struct hsm_des *d, const char *h)
{
	uint8_t k[24];
	size_t n = unhex(h, k);

	ck_assert_int_eq(hsm_des_init(d, k, n), 0);
}

START_TEST(t_cvv)
{
	const struct cvv_vector *v = cvv_vectors;
	struct hsm_des d;
	char out[4] = { 0 };
	size_t i;

	des_from_hex(&d, K0);
	for (i = 0; i < CVV_VECTORS; i++) {
		ck_assert_int_eq(hsm_cvv(&d, v[i].pan, strlen(v[i].pan),
		    v[i].exp, v[i].svc, out), 0);
		ck_assert_str_eq(out, v[i].cvv);
	}
	hsm_des_free(&d);
}
END_TEST

START_TEST(t_pvv_ibm)
{
	struct hsm_des d;
	char out[5] = { 0 };

	des_from_hex(&d, K0);
	/* PVV-1/2: PAN 1122334455667788 -> 11 digits 33445566778
	 * (the 11 rightmost before the check digit 8). */
	ck_assert_int_eq(hsm_pvv(&d, "33445566778", '3', "4524", out), 0);
	ck_assert_str_eq(out, "4021");
	ck_assert_int_eq(hsm_pvv(&d, "33445566778", '1', "4524", out), 0);
	ck_assert_str_eq(out, "8523");
	/* IBM-1, IBM-3: natural PINs. */
	ck_assert_int_eq(hsm_ibm_natural(&d, "1122334455667788",
	    "1234567890123456", 4, out), 0);
	ck_assert_str_eq(out, "4524");
	ck_assert_int_eq(hsm_ibm_natural(&d, "1122334455667788",
	    "0123456789012345", 4, out), 0);
	ck_assert_str_eq(out, "3413");
	hsm_des_free(&d);
}
END_TEST

START_TEST(t_ibm_offset)
{
	/* IBM-2: PIN 1234 with natural 4524 gives offset 7710. */
	const char *pin = "1234", *nat = "4524";
	char off[5] = { 0 };
	int i;

	for (i = 0; i < 4; i++)
		off[i] = (char)('0' + (pin[i] - nat[i] + 10) % 10);
	ck_assert_str_eq(off, "7710");
}
END_TEST

START_TEST(t_pinblocks)
{
	uint8_t b[16], k[16], f[16];
	char pin[12];
	size_t n = 0;

	/* ISO0-1..3: account = 12 rightmost PAN digits without check. */
	ck_assert_int_eq(hsm_pinblock_encode(0, "1234", 4, "401234567890",
	    b), 0);
	hex_eq(b, 8, "041274EDCBA9876F");
	ck_assert_int_eq(hsm_pinblock_encode(0, "1234", 4, "433221100996",
	    b), 0);
	hex_eq(b, 8, "041277CDDEEFF669");
	ck_assert_int_eq(hsm_pinblock_encode(0, "1234", 4, "111111111111",
	    b), 0);
	hex_eq(b, 8, "041225EEEEEEEEEE");
	/* ISO1-1 */
	unhex("1512345EDCBA9876", b);
	ck_assert_int_eq(hsm_pinblock_decode(1, b, "000000000000", pin, &n),
	    0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(memcmp(pin, "12345", 5), 0);
	/* ISO3-1 */
	unhex("341277EEEFCCB43C", b);
	ck_assert_int_eq(hsm_pinblock_decode(3, b, "433221100996", pin, &n),
	    0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(memcmp(pin, "1234", 4), 0);
	/* A format 0 block is not a valid format 3 block and vice versa. */
	unhex("041277CDDEEFF669", b);
	ck_assert_int_ne(hsm_pinblock_decode(3, b, "433221100996", pin, &n),
	    0);
	ck_assert_int_eq(hsm_pinblock_decode(0, b, "433221100996", pin, &n),
	    0);
	/* Round trips of the random-fill formats. */
	ck_assert_int_eq(hsm_pinblock_encode(3, "987654", 6, "433221100996",
	    b), 0);
	ck_assert_int_eq(hsm_pinblock_decode(3, b, "433221100996", pin, &n),
	    0);
	ck_assert_int_eq(memcmp(pin, "987654", 6), 0);
	/* ISO4-1, ISO4-2 */
	unhex("00112233445566778899AABBCCDDEEFF", k);
	unhex("E4BE5B623AF7E006AC319E5B93544564", b);
	ck_assert_int_eq(hsm_pinblock4_decipher(k, 16, b, "1234567890123456",
	    16, pin, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(memcmp(pin, "1234", 4), 0);
	ck_assert_int_eq(hsm_pinblock4_pan_field("112233445566778899", 18, f),
	    0);
	hex_eq(f, 16, "61122334455667788990000000000000");
	/* Bad lengths. */
	ck_assert_int_eq(hsm_pinblock_encode(0, "123", 3, "111111111111", b),
	    HSM_PIN_ELEN);
}
END_TEST

START_TEST(t_kcv)
{
	uint8_t k[32], out[16];
	size_t n;

	n = unhex(K0, k);
	ck_assert_int_eq(hsm_des_kcv_clear(k, n, out), 0);
	hex_eq(out, 3, "08D7B4");				/* KCV-1 */
	n = unhex("0123456789ABCDEF", k);
	ck_assert_int_eq(hsm_des_kcv_clear(k, n, out), 0);
	hex_eq(out, 3, "D5D44F");				/* KCV-2 */
	n = unhex("404142434445464748494A4B4C4D4E4F", k);
	ck_assert_int_eq(hsm_des_kcv_clear(k, n, out), 0);
	hex_eq(out, 3, "8BAF47");				/* KCV-3 */
	ck_assert(!hsm_des_parity_ok(k, n));
	n = unhex("00112233445566778899AABBCCDDEEFF", k);
	ck_assert_int_eq(hsm_aes_kcv_legacy(k, n, out), 0);
	hex_eq(out, 3, "FDE4FB");				/* KCV-4 */
	ck_assert_int_eq(hsm_aes_kcv(k, n, out), 0);
	hex_eq(out, 5, "53E107B36E");				/* KCV-5 */
}
END_TEST

static void
mac_case(const char *key, int alg, int pad, const uint8_t *data, size_t len,
    const char *want)
{
	static const uint8_t zero[8];
	struct hsm_des d;
	uint8_t mac[8];

	des_from_hex(&d, key);
	ck_assert_int_eq(hsm_des_mac(&d, alg, pad, zero, data, len, 1, mac),
	    0);
	hex_eq(mac, strlen(want) / 2, want);
	hsm_des_free(&d);
}

START_TEST(t_mac)
{
	const uint8_t *s1 = (const uint8_t *)"Now is the time for all ";
	const uint8_t *s2 = (const uint8_t *)"Now is the time for it";
	uint8_t d[8];
	static const uint8_t zero[8];
	struct hsm_des k;
	uint8_t iv[8], mac[8];

	unhex("1234567890ABCDEF", d);
	mac_case(K0, 3, 1, s1, 24, "A1C72E74EA3FA9B6");		/* MAC-1 */
	mac_case(K0, 3, 1, s2, 22, "2E2B1428");			/* MAC-2 */
	mac_case("0123456789ABCDEF", 1, 1, s1, 24, "70A30640CC76DD8B");	/* 3 */
	mac_case(K0, 1, 2, d, 8, "925B1737EF681AD3");		/* MAC-4 */
	mac_case(K0, 3, 2, d, 8, "912476C111DB4238");		/* MAC-6 */
	/* MAC-5 is a library quirk (two 16-byte keys): not an hsmd case. */

	/* Multi-part: first 16 bytes, then the last part with the IV. */
	des_from_hex(&k, K0);
	ck_assert_int_eq(hsm_des_mac(&k, 3, 0, zero, s1, 16, 0, iv), 0);
	ck_assert_int_eq(hsm_des_mac(&k, 3, 1, iv, s1 + 16, 8, 1, mac), 0);
	hex_eq(mac, 8, "A1C72E74EA3FA9B6");
	/* Retail MAC needs a double-length key; unaligned non-final fails. */
	ck_assert_int_eq(hsm_des_mac(&k, 3, 0, zero, s1, 15, 0, iv), -1);
	hsm_des_free(&k);
	des_from_hex(&k, "0123456789ABCDEF");
	ck_assert_int_eq(hsm_des_mac(&k, 3, 1, zero, s1, 24, 1, mac), -1);
	hsm_des_free(&k);
}
END_TEST

START_TEST(t_cmac)
{
	static const char *tags[] = {
		"BB1D6929E95937287FA37D129B756746",
		"070A16B46B4D4144F79BDD9DD04A287C",
		"DFA66747DE9AE63030CA32611497C827",
		"51F0BEBF7E3B9D92FC49741779363CFE",
	};
	static const size_t lens[] = { 0, 16, 40, 64 };
	uint8_t k[16], m[64], t[16];
	size_t i;

	unhex("2B7E151628AED2A6ABF7158809CF4F3C", k);
	unhex("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51"
	    "30C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710",
	    m);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(hsm_aes_cmac(k, 16, m, lens[i], t), 0);
		hex_eq(t, 16, tags[i]);
	}
}
END_TEST

START_TEST(t_emv)
{
	static const uint8_t zero[8];
	struct hsm_des imk, icc, sk;
	uint8_t y[8], mk[16], s[16], r[8], data[48], mac[8], arpc[8], arc[2];
	uint8_t csu[4] = { 0 }, pad[8], kcv[8];
	size_t n;

	des_from_hex(&imk, K0);
	/* EMV-1 */
	ck_assert_int_eq(hsm_emv_option_a_y("9901234567890123", 16, "45", y),
	    0);
	ck_assert_int_eq(hsm_emv_icc_mk(&imk, y, mk), 0);
	hex_eq(mk, 16, "F84315C7B95BD3B0C74694922C3808B0");
	ck_assert_int_eq(hsm_des_kcv_clear(mk, 16, kcv), 0);
	hex_eq(kcv, 3, "1DA5E1");
	ck_assert_int_eq(hsm_des_init(&icc, mk, 16), 0);
	/* EMV-2 */
	unhex("1234567890123456", r);
	ck_assert_int_eq(hsm_emv_session_key(&icc, r, s), 0);
	hex_eq(s, 16, "3E736BF8D37664348A04E3ABE00DEFC1");
	ck_assert_int_eq(hsm_des_kcv_clear(s, 16, kcv), 0);
	hex_eq(kcv, 3, "099592");
	ck_assert_int_eq(hsm_des_init(&sk, s, 16), 0);
	/* EMV-3 */
	n = unhex("0123456789ABCDEF0123456789ABCDEF", data);
	ck_assert_int_eq(hsm_des_mac(&sk, 3, 2, zero, data, n, 1, mac), 0);
	hex_eq(mac, 8, "4B46013359B7A58B");
	/* EMV-4 */
	arc[0] = arc[1] = 0;
	ck_assert_int_eq(hsm_emv_arpc1(&icc, mac, arc, arpc), 0);
	hex_eq(arpc, 8, "F8C9CECAABD55AD1");
	/* EMV-5, EMV-6 */
	unhex("1234567890ABCDEF", pad);
	ck_assert_int_eq(hsm_emv_arpc2(&sk, mac, csu, pad, 8, arpc), 0);
	hex_eq(arpc, 4, "4962B76C");
	ck_assert_int_eq(hsm_emv_arpc2(&sk, mac, csu, NULL, 0, arpc), 0);
	hex_eq(arpc, 4, "7DFB1188");
	hsm_des_free(&icc);
	hsm_des_free(&sk);
	hsm_des_free(&imk);
}
END_TEST

START_TEST(t_mchip_visa)
{
	static const uint8_t zero[8];
	struct hsm_des imk, icc, sk;
	uint8_t y[8], mk[16], s[16], r[8], data[64], mac[8], arpc[8], arc[2];
	uint8_t csu[4] = { 0 }, kcv[8];
	size_t n;

	des_from_hex(&imk, K0);
	/* MC-1..4 (M/Chip CVN 16) */
	ck_assert_int_eq(hsm_emv_option_a_y("1234567890123456", 16, "00", y),
	    0);
	hex_eq(y, 8, "3456789012345600");
	ck_assert_int_eq(hsm_emv_icc_mk(&imk, y, mk), 0);
	hex_eq(mk, 16, "154F349D8585CB7F6B0798E9839B10C1");
	ck_assert_int_eq(hsm_des_kcv_clear(mk, 16, kcv), 0);
	hex_eq(kcv, 2, "BAB0");
	ck_assert_int_eq(hsm_des_init(&icc, mk, 16), 0);
	unhex("001C0000ABCDEF12", r);
	ck_assert_int_eq(hsm_emv_session_key(&icc, r, s), 0);
	hex_eq(s, 16, "5D8F37BCD9E5DA68048CDFA2EA255D9E");
	ck_assert_int_eq(hsm_des_init(&sk, s, 16), 0);
	n = unhex("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA00003220000", data);
	ck_assert_uint_eq(n, 39);
	ck_assert_int_eq(hsm_des_mac(&sk, 3, 2, zero, data, n, 1, mac), 0);
	hex_eq(mac, 8, "24CCF3DEE3158C70");
	/* The host-padded form gives the same with padding "none". */
	data[39] = 0x80;
	ck_assert_int_eq(hsm_des_mac(&sk, 3, 0, zero, data, 40, 1, mac), 0);
	hex_eq(mac, 8, "24CCF3DEE3158C70");
	arc[0] = 0x00;
	arc[1] = 0x10;
	ck_assert_int_eq(hsm_emv_arpc1(&icc, mac, arc, arpc), 0);
	hex_eq(arpc, 8, "73F6BBF389A6586C");
	hsm_des_free(&sk);

	/* V18-1, V18-2 (Visa CVN 18, CSK, ARPC method 2) */
	unhex("001C000000000000", r);
	ck_assert_int_eq(hsm_emv_session_key(&icc, r, s), 0);
	ck_assert_int_eq(hsm_des_kcv_clear(s, 16, kcv), 0);
	hex_eq(kcv, 2, "22C8");
	ck_assert_int_eq(hsm_des_init(&sk, s, 16), 0);
	n = unhex("000000004000000000000000012480000480000124191105"
	    "0152BF45851800001C06011203A0B800", data);
	ck_assert_int_eq(hsm_des_mac(&sk, 3, 2, zero, data, n, 1, mac), 0);
	hex_eq(mac, 8, "7A788EA6B8A3E733");
	ck_assert_int_eq(hsm_emv_arpc2(&sk, mac, csu, NULL, 0, arpc), 0);
	hex_eq(arpc, 4, "9AF514C1");
	hsm_des_free(&sk);
	hsm_des_free(&icc);
	hsm_des_free(&imk);
}
END_TEST

START_TEST(t_tr31_d)
{
	struct kb_header h;
	uint8_t kbpk[32], key[KB_MAX_KEY], kcv[16];
	size_t n, klen = 0;
	const char *blk;

	/* TR31-D */
	n = unhex("88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F"
	    "44657DE6", kbpk);
	blk = "D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8"
	    "D207E2E417C07156A27E8E31DA05F7425509593D03A457DC34";
	ck_assert_int_eq(kb_unwrap(kbpk, n, blk, strlen(blk), &h, key, &klen),
	    KB_OK);
	hex_eq(key, klen, "3F419E1CB7079442AA37474C2EFBF8B8");
	ck_assert_int_eq(hsm_aes_kcv(key, klen, kcv), 0);
	hex_eq(kcv, 5, "08793E25AB");
	ck_assert_int_eq(memcmp(h.usage, "P0", 2), 0);
	/* TR31-PS-D */
	memset(kbpk, 0x41, 32);
	blk = "D0112B0TN00N000037DB9B046B7B0048785690759580ABC3B9842AB4BB7717"
	    "B49E92528E575785D8123559376A2553B27BE94F054F4E971C";
	ck_assert_int_eq(kb_unwrap(kbpk, 32, blk, strlen(blk), &h, key, &klen),
	    KB_OK);
	hex_eq(key, klen, "1FA1F7CEC798D91545DA8AE0C7796BD9");
	ck_assert_int_eq(hsm_des_kcv_clear(key, klen, kcv), 0);
	hex_eq(kcv, 3, "FF5087");
}
END_TEST

START_TEST(t_keyblock_roundtrip)
{
	uint8_t lmk[32], key[16], out[KB_MAX_KEY];
	char blk[256], bad[256];
	struct kb_header h;
	struct kb_cache *c;
	const struct kb_key *kk, *kk2;
	size_t klen = 0, len;

	randombytes_buf(lmk, sizeof lmk);
	unhex(K0, key);
	ck_assert_int_eq(kb_wrap(lmk, 32, "10000C0TC00N0000", key, 16, blk,
	    sizeof blk), KB_OK);
	len = strlen(blk);
	ck_assert_uint_eq(len, 112);
	ck_assert_int_eq(memcmp(blk, "10112C0TC00N0000", 16), 0);
	ck_assert_int_eq(kb_unwrap(lmk, 32, blk, len, &h, out, &klen), KB_OK);
	ck_assert_uint_eq(klen, 16);
	ck_assert_int_eq(memcmp(out, key, 16), 0);
	/* Tampered header (usage C0 -> P0): authentication fails. */
	memcpy(bad, blk, len + 1);
	bad[5] = 'P';
	ck_assert_int_eq(kb_unwrap(lmk, 32, bad, len, &h, out, &klen),
	    KB_EAUTH);
	/* Tampered key field and MAC. */
	memcpy(bad, blk, len + 1);
	bad[20] = bad[20] == '0' ? '1' : '0';
	ck_assert_int_eq(kb_unwrap(lmk, 32, bad, len, &h, out, &klen),
	    KB_EAUTH);
	memcpy(bad, blk, len + 1);
	bad[len - 1] = bad[len - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(kb_unwrap(lmk, 32, bad, len, &h, out, &klen),
	    KB_EAUTH);
	/* Wrong length field, truncated block. */
	ck_assert_int_eq(kb_unwrap(lmk, 32, blk, len - 2, &h, out, &klen),
	    KB_EFORMAT);
	/* Another LMK cannot open it. */
	lmk[0] ^= 1;
	ck_assert_int_eq(kb_unwrap(lmk, 32, blk, len, &h, out, &klen),
	    KB_EAUTH);
	lmk[0] ^= 1;

	/* Cache: miss then hit, same schedule. */
	c = kb_cache_new(lmk, 32, 8);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(kb_cache_get(c, blk, len, &kk), KB_OK);
	ck_assert_int_eq(kb_cache_get(c, blk, len, &kk2), KB_OK);
	ck_assert_ptr_eq(kk, kk2);
	hex_eq(kk->kcv, 3, "08D7B4");
	ck_assert(kk->parity_ok);
	memcpy(bad, blk, len + 1);
	bad[30] = bad[30] == '0' ? '1' : '0';
	ck_assert_int_eq(kb_cache_get(c, bad, len, &kk2), KB_EAUTH);
	kb_cache_free(c);
}
END_TEST

START_TEST(t_decimalise)
{
	/* All letters: the second pass supplies the digits. */
	uint8_t r[8] = { 0xAB, 0xCD, 0xEF, 0xAB, 0xCD, 0xEF, 0xAB, 0xC1 };
	char out[4] = { 0 };

	hsm_decimalise(r, 3, out);
	ck_assert_str_eq(out, "101");	/* '1', then A->0, B->1 */
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hsm_crypto");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, t_cvv);
	tcase_add_test(tc, t_pvv_ibm);
	tcase_add_test(tc, t_ibm_offset);
	tcase_add_test(tc, t_pinblocks);
	tcase_add_test(tc, t_kcv);
	tcase_add_test(tc, t_mac);
	tcase_add_test(tc, t_cmac);
	tcase_add_test(tc, t_emv);
	tcase_add_test(tc, t_mchip_visa);
	tcase_add_test(tc, t_tr31_d);
	tcase_add_test(tc, t_keyblock_roundtrip);
	tcase_add_test(tc, t_decimalise);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	if (sodium_init() < 0)
		return 1;
	return check_run(suite());
}
