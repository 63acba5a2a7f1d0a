/*
 * check_hsmd_proto.c — hsmd through the real protocol: diagnostics and
 * echo, key blocks (tampering, check values, A0), framing and garbage on
 * the socket.  The client library is checked in check_hsm_client.c.
 * The crypto vectors are in check_hsmd_vectors.c; the set-up (LMK, keys
 * formed by hsmctl, hsmd on a unix socket) in hsmd-harness.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "tests/unit/hsmd-harness.h"

static const char *
kcv(const char *name)
{
	return find_key(name)->kcv;
}

/* --- protocol ----------------------------------------------------------- */

START_TEST(t_nc_b2_unknown)
{
	const char *r;
	size_t n;
	static const uint8_t bin[] = { 'B', '2', '0', '0', '0', '6', 0x00,
	    0x19, ';', '%', 0xff, 'x' };

	r = call("NC");
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	ck_assert_int_eq(memcmp(r + 2, lmkcheck, 16), 0);
	ck_assert_str_eq(r + 18, "0001-HSMD");
	expect(call("B20004ping"), "00ping");
	r = call_b(bin, sizeof bin, &n);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(memcmp(r + 2, bin + 6, 6), 0);
	expect(call("B20005ping"), "80");	/* fewer than announced */
	expect(call("B20003ping"), "15");	/* more than announced */
	expect(call("ZZ"), "68");		/* unknown: ZZ -> Z[ 68 */
	expect(call("XX123"), "68");
}
END_TEST

START_TEST(t_keyblock_negative)
{
	char bad[300];
	size_t n;

	/* Flip one character of the encrypted key, of the MAC, of the header. */
	strcpy(bad, key("cvk"));
	n = strlen(bad);
	bad[40] = bad[40] == '0' ? '1' : '0';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "A4");
	strcpy(bad, key("cvk"));
	bad[n - 1] = bad[n - 1] == '0' ? '1' : '0';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "A4");
	strcpy(bad, key("pvk"));
	bad[6] = 'C';			/* V0 -> C0: usage forged */
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "A4");
	/* Variant-LMK key forms are refused: keys travel as key blocks. */
	expect(callf("CYU%s561%s;8701101", K0, "4123456789012345"), "26");
	/* Truncated: the block is cut short. */
	strcpy(bad, key("cvk"));
	bad[60] = '\0';
	expect(callf("CY%s", bad), "15");
	/* Format errors: block version, header characters. */
	strcpy(bad, key("cvk"));
	bad[1] = '2';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "83");
	strcpy(bad, key("cvk"));
	bad[8] = '*';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "83");
}
END_TEST

START_TEST(t_kcv_bu_a0)
{
	char want[32], cw[8], kb[300];
	const char *r;

	/* KCV-1 (K0), KCV-2 (single DES), KCV-3 (hsmctl, parity refused). */
	ck_assert_str_eq(kcv("cvk"), "08D7B4");
	ck_assert_str_eq(kcv("tak1s"), "D5D44F");
	ck_assert_str_eq(kcv("badcvk"), "8BAF47");
	expect(callf("BUFFF%s;FFF;001", key("cvk")), "0008D7B4");
	r = callf("BUFFF%s;FFF;000", key("cvk"));
	ck_assert_int_eq(memcmp(r, "0008D7B4", 8), 0);
	ck_assert_uint_eq(strlen(r), 18);
	expect(callf("BU02F%s;001", key("tak1s")), "00D5D44F");
	expect(callf("BUFFF%s;FFF;001", key("badcvk")), "10");

	/* A0 generates a CVK; CW/CY then work with it, its KCV matches BU. */
	r = call("A00FFFS#C0T2C00N00");
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	ck_assert_uint_eq(strlen(r), 2 + 113 + 6);
	memcpy(kb, r + 2, 113);
	kb[113] = '\0';
	snprintf(want, sizeof want, "00%s", r + 2 + 113);
	expect(callf("BUFFF%s;FFF;001", kb), want);
	r = callf("CW%s4123456789012345;8701101", kb);
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	memcpy(cw, r + 2, 4);
	expect(callf("CY%s%s4123456789012345;8701101", kb, cw), "00");
	expect(call("A00FFFS%00#C0T2C00N00\x19X") + 121, "\x19X");
	expect(call("A00FFFS#Z9T2C00N00"), "A6");
	expect(call("A00FFFS#C0A1C00N00"), "A7");
	expect(call("A00FFFS#C0T2B00N00"), "A8");
	expect(call("A00FFFU#C0T2C00N00"), "26");
	expect(call("A00001S#C0T2C00N00"), "28");
}
END_TEST

/* A6: a ZPK sent under the ZMK (X9.17: TDES-ECB under it) comes back
 * under the LMK with the KCV the key has; a wrong key, usage or form is
 * refused. */
START_TEST(t_a6_import)
{
	uint8_t zmk[16], zpk[16], enc[16];
	char hex[33], kb[300], want[32];
	const char *r;

	ck_assert_int_eq(hex_decode_exact(K0, 32, zmk, 16), 0);
	ck_assert_int_eq(hex_decode_exact(ZPKA, 32, zpk, 16), 0);
	ck_assert_int_eq(hsm_tdes_ecb(zmk, 16, 1, zpk, enc, 16), 0);
	hex_encode(enc, 16, hex);
	hex[32] = '\0';
	r = callf("A6FFF%sX%sS#P0B00E00", key("zmk"), hex);
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	ck_assert_uint_eq(strlen(r), 2 + 113 + 6);
	ck_assert_str_eq(r + 2 + 113, kcv("zpka"));
	memcpy(kb, r + 2, 113);
	kb[113] = '\0';
	snprintf(want, sizeof want, "00%s", kcv("zpka"));
	expect(callf("BUFFF%s;FFF;001", kb), want);
	/* the ZMK slot holds a ZPK: usage refused */
	expect(callf("A6FFF%sX%sS#P0B00E00", key("zpkb"), hex), "A6");
	/* a key the ZMK does not decrypt to odd parity */
	hex[0] = hex[0] == '0' ? '1' : '0';
	expect(callf("A6FFF%sX%sS#P0B00E00", key("zmk"), hex), "11");
	expect(callf("A6FFF%sX%sS#C0V00E00", key("zmk"), hex), "A6");
	expect(callf("A6FFF%sU%sS#P0B00E00", key("zmk"), hex), "26");
	expect(callf("A6001%sX%sS#P0B00E00", key("zmk"), hex), "28");
	sodium_memzero(zpk, sizeof zpk);
}
END_TEST

static int
log_has(const char *needle)
{
	char line[1024];
	FILE *f = fopen(hsmdlog, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

/* ZPK B under the ZMK in X9.17 form: X + 32H, or Y + 48H (K1 K2 K1). */
static void
zpkb_under_zmk(char form, char *out)
{
	uint8_t zmk[16], k[24], enc[24];
	size_t n = form == 'X' ? 16 : 24;

	ck_assert_int_eq(hex_decode_exact(K0, 32, zmk, 16), 0);
	ck_assert_int_eq(hex_decode_exact(ZPKB, 32, k, 16), 0);
	memcpy(k + 16, k, 8);
	ck_assert_int_eq(hsm_tdes_ecb(zmk, 16, 1, k, enc, n), 0);
	out[0] = form;
	hex_encode(enc, n, out + 1);
	out[1 + 2 * n] = '\0';
	sodium_memzero(k, sizeof k);
}

/*
 * A key imported under one usage and mode is not imported again under
 * another while hsmd runs: a ZPK from the scheme imported a second time
 * as a MAC key would make M6 (or M8) an encryption oracle under the ZPK,
 * enough to build the PIN blocks of every PIN of an account. 29 (key
 * function not permitted), logged; the same import again is served.
 */
START_TEST(t_a6_other_usage)
{
	char x[60], y[60], want[32];
	const char *r;

	zpkb_under_zmk('X', x);
	zpkb_under_zmk('Y', y);
	r = callf("A6FFF%s%sS#P0B00E00", key("zmk"), x);
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	ck_assert_str_eq(r + 2 + 113, kcv("zpkb"));
	/* A key change repeated by the scheme: the same import, served. */
	r = callf("A6FFF%s%sS#P0B00E00", key("zmk"), x);
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	/* As a MAC key, in either form, or as a ZPK of another mode. */
	expect(callf("A6FFF%s%sS#M3C00E00", key("zmk"), x), "29");
	expect(callf("A6FFF%s%sS#M1G00E00", key("zmk"), x), "29");
	expect(callf("A6FFF%s%sS#M3G00E00", key("zmk"), y), "29");
	expect(callf("A6FFF%s%sS#P0E00E00", key("zmk"), x), "29");
	snprintf(want, sizeof want, "kcv=%s usage=M3 mode=C", kcv("zpkb"));
	ck_assert_int_ge(log_has("event=hsm_import_refused "
	    "reason=other_usage"), 4);
	ck_assert_int_ge(log_has(want), 1);
	/* The first import still stands: the triple-length form of it too. */
	r = callf("A6FFF%s%sS#P0B00E00", key("zmk"), y);
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
}
END_TEST

START_TEST(t_framing)
{
	uint8_t buf[70000], big[65535];
	int fd, r, i;
	char hdr[5];

	/* Pipelining: 200 requests in one write, answered in order. */
	fd = unix_connect(sockpath);
	ck_assert_int_ne(fd, -1);
	{
		uint8_t *p = buf;

		for (i = 0; i < 200; i++) {
			char b[64];
			int n = snprintf(b, sizeof b, "%04dB20004%04d", i, i);

			*p++ = 0;
			*p++ = (uint8_t)n;
			memcpy(p, b, (size_t)n);
			p += n;
		}
		ck_assert_int_eq(write(fd, buf, (size_t)(p - buf)),
		    p - buf);
	}
	for (i = 0; i < 200; i++) {
		r = recv_frame(fd, buf, sizeof buf);
		ck_assert_int_eq(r, 4 + 4 + 4);
		snprintf(hdr, sizeof hdr, "%04u", (unsigned)i % 10000);
		ck_assert_int_eq(memcmp(buf, hdr, 4), 0);
		ck_assert_int_eq(memcmp(buf + 4, "B300", 4), 0);
		ck_assert_int_eq(memcmp(buf + 8, hdr, 4), 0);
	}
	/* Largest frame: an answer, not a crash; connection survives. */
	memset(big, 'A', sizeof big);
	memcpy(big, "0000CY", 6);
	send_frame(fd, big, sizeof big);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(r, 8);
	ck_assert_int_eq(memcmp(buf, "0000CZ26", 8), 0);
	memcpy(big, "0000B2FFFF", 10);
	send_frame(fd, big, sizeof big);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0000B380", 8), 0);
	/* Garbage: random frames all get a reply with the header echoed. */
	for (i = 0; i < 2000; i++) {
		size_t n = 6 + randombytes_uniform(200);

		randombytes_buf(big, n);
		memcpy(big, "9999", 4);
		if (i % 2)
			memcpy(big + 4, (const char *[]){ "KQ", "M6", "CY",
			    "EA", "A0", "BU", "CC", "EC" }[i % 8 / 1], 2);
		send_frame(fd, big, n);
		r = recv_frame(fd, buf, sizeof buf);
		ck_assert_int_ge(r, 8);
		ck_assert_int_eq(memcmp(buf, "9999", 4), 0);
	}
	/* Still alive. */
	send_frame(fd, (const uint8_t *)"0001NC", 6);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0001ND00", 8), 0);
	/* A frame too short to hold a command code: connection closed. */
	send_frame(fd, (const uint8_t *)"00", 2);
	ck_assert_int_eq(recv_frame(fd, buf, sizeof buf), -1);
	close(fd);
	/* A truncated frame followed by a hang-up: hsmd carries on. */
	fd = unix_connect(sockpath);
	ck_assert_int_eq(write(fd, "\x01\x00" "0000CY", 8), 8);
	close(fd);
	fd = unix_connect(sockpath);
	send_frame(fd, (const uint8_t *)"0002NC", 6);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0002ND00", 8), 0);
	close(fd);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hsmd-proto");
	TCase *v = tcase_create("protocol");

	tcase_set_timeout(v, 60);
	tcase_add_test(v, t_nc_b2_unknown);
	tcase_add_test(v, t_keyblock_negative);
	tcase_add_test(v, t_kcv_bu_a0);
	tcase_add_test(v, t_a6_import);
	tcase_add_test(v, t_a6_other_usage);
	tcase_add_test(v, t_framing);
	suite_add_tcase(s, v);
	return s;
}

int
main(void)
{
	return hsmd_suite_main("check_hsmd_proto", suite);
}
