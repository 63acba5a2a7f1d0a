/*
 * check_hsmd.c — hsmd through the real protocol.
 *
 * main() creates an LMK and forms every key with build/bin/hsmctl, starts
 * build/bin/hsmd on a unix socket, and the tests send payShield commands
 * over that socket: first raw frames (every public vector that fits a
 * command, then the negative cases), then through the client library.
 * Run from the repository root after `make` (the binaries must exist);
 * HSM_BIN_DIR overrides build/bin.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

#include "hsm/des.h"
#include "hsm/emv.h"
#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "hsm/pin.h"

#define K0	"0123456789ABCDEFFEDCBA9876543210"
#define ZPKA	"89ABCDEF01234567FEDCBA9876543210"
#define ZPKB	"FEDCBA987654321089ABCDEF01234567"
#define TPKC	"0123456789ABCDEF89ABCDEF01234567"

static char tmpdir[] = "/tmp/check_hsmd.XXXXXX";
static char sockpath[96], lmkpath[256], lmkcheck[32];
static const char *bindir = "build/bin";
static pid_t hsmd_pid;

/* Key blocks formed by hsmctl. */
static struct {
	const char	*name, *type, *clear, *extra;
	char		 blk[600];
	char		 kcv[8];
} keys[] = {
	{ "cvk", "CVK", K0, "", "", "" },
	{ "pvk", "PVK", K0, "", "", "" },
	{ "pvkvisa", "PVK-VISA", K0, "", "", "" },
	{ "pvkibm", "PVK-IBM", K0, "", "", "" },
	{ "zpka", "ZPK", ZPKA, "", "", "" },
	{ "zpkb", "ZPK", ZPKB, "", "", "" },
	{ "tpk", "TPK", TPKC, "", "", "" },
	{ "mkac", "MK-AC", K0, "", "", "" },
	{ "tak", "TAK", K0, "", "", "" },
	{ "zak", "ZAK", K0, "", "", "" },
	{ "tak1", "TAK1", K0, "", "", "" },
	{ "tak1s", "TAK1", "0123456789ABCDEF", "", "", "" },
	{ "badcvk", "CVK", "404142434445464748494A4B4C4D4E4F",
	    "--no-parity-check", "", "" },
	{ "badzpk", "ZPK", "404142434445464748494A4B4C4D4E4F",
	    "--no-parity-check", "", "" },
	{ "badpvk", "PVK", "404142434445464748494A4B4C4D4E4F",
	    "--no-parity-check", "", "" },
};

static const char *
key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, name) == 0)
			return keys[i].blk;
	abort();
}

static const char *
kcv(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, name) == 0)
			return keys[i].kcv;
	abort();
}

static int
run_line(const char *cmd, char *out, size_t outsz)
{
	FILE *f = popen(cmd, "r");
	int rc;

	if (f == NULL)
		return -1;
	if (fgets(out, (int)outsz, f) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	rc = pclose(f);
	return rc == 0 ? 0 : -1;
}

/* --- raw protocol ---------------------------------------------------------- */

static int
sock_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
readn(int fd, uint8_t *p, size_t n)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;

	while (n > 0) {
		if (poll(&pfd, 1, 5000) != 1)
			return -1;
		if ((r = read(fd, p, n)) <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
send_frame(int fd, const uint8_t *b, size_t n)
{
	uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	ck_assert_int_eq(write(fd, l, 2), 2);
	if (n)
		ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
}

/* Read one reply frame; returns its length, -1 on EOF/timeout. */
static int
recv_frame(int fd, uint8_t *out, size_t outsz)
{
	uint8_t l[2];
	size_t n;

	if (readn(fd, l, 2) == -1)
		return -1;
	n = (size_t)l[0] << 8 | l[1];
	ck_assert_uint_le(n, outsz - 1);
	if (readn(fd, out, n) == -1)
		return -1;
	out[n] = '\0';
	return (int)n;
}

static int rawfd = -1;

/* Send header "0000" + body; return the reply after header and code. */
static const char *
call_b(const uint8_t *body, size_t n, size_t *rlen)
{
	static uint8_t reply[70000];
	uint8_t *req = malloc(n + 4);
	int r;

	if (rawfd == -1)
		rawfd = sock_connect();
	ck_assert_int_ne(rawfd, -1);
	memcpy(req, "0000", 4);
	memcpy(req + 4, body, n);
	send_frame(rawfd, req, n + 4);
	free(req);
	r = recv_frame(rawfd, reply, sizeof reply);
	ck_assert_int_ge(r, 6);
	ck_assert_int_eq(memcmp(reply, "0000", 4), 0);
	/* Response code = command code with its second character + 1. */
	ck_assert_int_eq(reply[4], body[0]);
	ck_assert_int_eq(reply[5], body[1] + 1);
	if (rlen)
		*rlen = (size_t)r - 6;
	return (const char *)reply + 6;
}

static const char *
call(const char *body)
{
	return call_b((const uint8_t *)body, strlen(body), NULL);
}

/* Command from printf-style pieces. */
static const char *
callf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *
callf(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return call(buf);
}

#define ERR(r)	((r)[0] == '\0' ? "" : (r))

static void
expect(const char *reply, const char *want)
{
	ck_assert_msg(strcmp(reply, want) == 0, "reply '%s' want '%s'",
	    reply, want);
}

/* Encrypt a clear hex PIN block under a clear TDES key: what a terminal
 * or acquirer would send. */
static void
enc_pinblock(const char *keyhex, const uint8_t clear[8], char out[17])
{
	uint8_t k[16], b[8];

	ck_assert_int_eq(hex_decode_exact(keyhex, 32, k, 16), 0);
	ck_assert_int_eq(hsm_tdes_ecb(k, 16, 1, clear, b, 8), 0);
	hex_encode(b, 8, out);
	out[16] = '\0';
}

static void
dec_pinblock(const char *keyhex, const char *hex, char out[17])
{
	uint8_t k[16], b[8];

	ck_assert_int_eq(hex_decode_exact(keyhex, 32, k, 16), 0);
	ck_assert_int_eq(hex_decode_exact(hex, 16, b, 8), 0);
	ck_assert_int_eq(hsm_tdes_ecb(k, 16, 0, b, b, 8), 0);
	hex_encode(b, 8, out);
	out[16] = '\0';
}

static void
iso0(const char *pin, const char *acct, const char *keyhex, char out[17])
{
	uint8_t b[8];

	ck_assert_int_eq(hsm_pinblock_encode(0, pin, strlen(pin), acct, b), 0);
	enc_pinblock(keyhex, b, out);
}

static void
clearhex(const char *hex, const char *keyhex, char out[17])
{
	uint8_t b[8];

	ck_assert_int_eq(hex_decode_exact(hex, 16, b, 8), 0);
	enc_pinblock(keyhex, b, out);
}

/* --- vectors through the socket ------------------------------------------- */

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

START_TEST(t_cvv)
{
	static const struct {
		const char *pan, *exp, *svc, *cvv;
	} v[] = {
		{ "4123456789012345", "8701", "101", "561" },	/* CVV-1 */
		{ "4999988887777", "9105", "111", "649" },	/* CVV-2 */
		{ "1234567890123456", "9912", "220", "170" },	/* CVV-3 */
		{ "4123456789012345", "8701", "000", "636" },	/* CVV-4 */
	};
	char want[8];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		expect(callf("CY%s%s%s;%s%s", key("cvk"), v[i].cvv, v[i].pan,
		    v[i].exp, v[i].svc), "00");
		snprintf(want, sizeof want, "00%s", v[i].cvv);
		expect(callf("CW%s%s;%s%s", key("cvk"), v[i].pan, v[i].exp,
		    v[i].svc), want);
	}
	/* Negative: wrong CVV, wrong expiry, wrong key usage, parity, MAC. */
	expect(callf("CY%s562%s;%s%s", key("cvk"), v[0].pan, v[0].exp,
	    v[0].svc), "01");
	expect(callf("CY%s561%s;8702%s", key("cvk"), v[0].pan, v[0].svc),
	    "01");
	expect(callf("CY%s561%s;8701101", key("pvk"), v[0].pan), "A6");
	expect(callf("CY%s561%s;8701101", key("tak"), v[0].pan), "A6");
	expect(callf("CY%s561%s;8701101", key("badcvk"), v[0].pan), "10");
	/* Trailer echoed; LMK id 00 accepted, others refused. */
	{
		const char *r = callf("CY%s561%s;8701101%%00\x19TRL",
		    key("cvk"), v[0].pan);
		ck_assert_str_eq(r, "00\x19TRL");
	}
	expect(callf("CY%s561%s;8701101%%01", key("cvk"), v[0].pan), "13");
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

START_TEST(t_pvv)
{
	char pb[17], bad[17];
	/* PVV-1, PVV-2: PAN 1122334455667788 -> account 233445566778. */
	const char *acct = "233445566778";

	iso0("4524", acct, ZPKA, pb);
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvk"), pb, acct),
	    "00");
	expect(callf("EC%s%s%s01%s18523", key("zpka"), key("pvk"), pb, acct),
	    "00");
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvkvisa"), pb,
	    acct), "00");
	/* Wrong PVV, wrong PIN, wrong PVKI. */
	expect(callf("EC%s%s%s01%s34022", key("zpka"), key("pvk"), pb, acct),
	    "01");
	expect(callf("EC%s%s%s01%s14021", key("zpka"), key("pvk"), pb, acct),
	    "01");
	iso0("4525", acct, ZPKA, bad);
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvk"), bad, acct),
	    "01");
	/* A PIN block under another ZPK decodes to garbage: 20 (or 01). */
	iso0("4524", acct, ZPKB, bad);
	ck_assert(strcmp(callf("EC%s%s%s01%s34021", key("zpka"), key("pvk"),
	    bad, acct), "00") != 0);
	/* Key usage: IBM-only PVK, CVK as PVK, PVK as ZPK. */
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("pvkibm"), pb,
	    acct), "A6");
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("cvk"), pb, acct),
	    "A6");
	expect(callf("EC%s%s%s01%s34021", key("pvk"), key("pvk"), pb, acct),
	    "A6");
	/* Parity: first key 10, second key 11. */
	expect(callf("EC%s%s%s01%s34021", key("badzpk"), key("pvk"), pb,
	    acct), "10");
	expect(callf("EC%s%s%s01%s34021", key("zpka"), key("badpvk"), pb,
	    acct), "11");
	/* Bad format code, truncated, oversized. */
	expect(callf("EC%s%s%s02%s34021", key("zpka"), key("pvk"), pb, acct),
	    "23");
	expect(callf("EC%s%s%s01%s3402", key("zpka"), key("pvk"), pb, acct),
	    "15");
	expect(callf("EC%s%s%s01%s340211", key("zpka"), key("pvk"), pb, acct),
	    "15");
}
END_TEST

START_TEST(t_ibm)
{
	char pb[17];
	/* Validation block 1122334455667788 = "11223344556N" + the last five
	 * account digits 67788. */
	const char *acct = "123456767788";

	iso0("4524", acct, ZPKA, pb);				/* IBM-1 */
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "00");
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvkibm"), pb, acct), "00");
	iso0("1234", acct, ZPKA, pb);				/* IBM-2 */
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "7710FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "00");
	expect(callf("EA%s%s12%s0104%s123456789012345611223344556N"
	    "7711FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "01");
	iso0("3413", acct, ZPKA, pb);				/* IBM-3 */
	expect(callf("EA%s%s12%s0104%s012345678901234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "00");
	/* Wrong PIN, Visa-only PVK, bad decimalisation table. */
	iso0("3414", acct, ZPKA, pb);
	expect(callf("EA%s%s12%s0104%s012345678901234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "01");
	expect(callf("EA%s%s12%s0104%s012345678901234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvkvisa"), pb, acct), "A6");
	expect(callf("EA%s%s12%s0104%s0123456789A1234511223344556N"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "25");
	expect(callf("EA%s%s12%s0104%s0123456789012345112233445566"
	    "0000FFFFFFFF", key("zpka"), key("pvk"), pb, acct), "15");
}
END_TEST

START_TEST(t_translate)
{
	static const struct {
		const char *pin, *acct, *clear;
	} v[] = {
		{ "1234", "401234567890", "041274EDCBA9876F" },	/* ISO0-1 */
		{ "1234", "433221100996", "041277CDDEEFF669" },	/* ISO0-2 */
		{ "1234", "111111111111", "041225EEEEEEEEEE" },	/* ISO0-3 */
	};
	char src[17], out[17], want[40];
	const char *r;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		iso0(v[i].pin, v[i].acct, ZPKA, src);
		r = callf("CC%s%s12%s0101%s", key("zpka"), key("zpkb"), src,
		    v[i].acct);
		ck_assert_int_eq(memcmp(r, "0004", 4), 0);
		ck_assert_str_eq(r + 20, "01");
		memcpy(want, r + 4, 16);
		want[16] = '\0';
		dec_pinblock(ZPKB, want, out);
		ck_assert_str_eq(out, v[i].clear);
	}
	/* ISO1-1: format 1 (payShield 05) in, format 0 out: PIN 12345. */
	clearhex("1512345EDCBA9876", ZPKA, src);
	r = callf("CC%s%s12%s0501%s", key("zpka"), key("zpkb"), src,
	    "401234567890");
	ck_assert_int_eq(memcmp(r, "0005", 4), 0);
	memcpy(want, r + 4, 16);
	want[16] = '\0';
	dec_pinblock(ZPKB, want, out);
	{
		uint8_t b[8];
		char exp[17];

		hsm_pinblock_encode(0, "12345", 5, "401234567890", b);
		hex_encode(b, 8, exp);
		exp[16] = '\0';
		ck_assert_str_eq(out, exp);
	}
	/* ISO3-1: format 3 (47) in, format 0 out = ISO0-2's block. */
	clearhex("341277EEEFCCB43C", ZPKA, src);
	r = callf("CC%s%s12%s4701%s", key("zpka"), key("zpkb"), src,
	    "433221100996");
	ck_assert_int_eq(memcmp(r, "0004", 4), 0);
	memcpy(want, r + 4, 16);
	want[16] = '\0';
	dec_pinblock(ZPKB, want, out);
	ck_assert_str_eq(out, "041277CDDEEFF669");
	/* CA: TPK -> ZPK. */
	iso0("1234", "401234567890", TPKC, src);
	r = callf("CA%s%s12%s0101%s", key("tpk"), key("zpkb"), src,
	    "401234567890");
	ck_assert_int_eq(memcmp(r, "0004", 4), 0);
	memcpy(want, r + 4, 16);
	want[16] = '\0';
	dec_pinblock(ZPKB, want, out);
	ck_assert_str_eq(out, "041274EDCBA9876F");
	/* Negative: garbage block, unknown format, PIN longer than max,
	 * CVK as ZPK, parity of destination. */
	clearhex("0412FFFFFFFFFFFF", ZPKA, src);
	expect(callf("CC%s%s12%s0101%s", key("zpka"), key("zpkb"), src,
	    "401234567890"), "20");
	iso0("1234", "401234567890", ZPKA, src);
	expect(callf("CC%s%s12%s0102%s", key("zpka"), key("zpkb"), src,
	    "401234567890"), "23");
	iso0("123456", "401234567890", ZPKA, src);
	expect(callf("CC%s%s04%s0101%s", key("zpka"), key("zpkb"), src,
	    "401234567890"), "24");
	expect(callf("CC%s%s12%s0101%s", key("cvk"), key("zpkb"), src,
	    "401234567890"), "A6");
	expect(callf("CC%s%s12%s0101%s", key("zpka"), key("badzpk"), src,
	    "401234567890"), "11");
}
END_TEST

/* KQ request bytes: mode, scheme, MK-AC, then binary fields. */
static size_t
kq(uint8_t *buf, char mode, char scheme, const char *mk, const char *panpsn,
    const char *atc, const char *un, const uint8_t *data, size_t dlen,
    const char *arqc, const char *arc)
{
	size_t n = 0;
	char h[3];

	memcpy(buf, "KQ", 2);
	n = 2;
	buf[n++] = (uint8_t)mode;
	buf[n++] = (uint8_t)scheme;
	memcpy(buf + n, mk, strlen(mk));
	n += strlen(mk);
	hex_decode_exact(panpsn, 16, buf + n, 8);
	n += 8;
	hex_decode_exact(atc, 4, buf + n, 2);
	n += 2;
	hex_decode_exact(un, 8, buf + n, 4);
	n += 4;
	if (mode != '2') {
		snprintf(h, sizeof h, "%02zX", dlen);
		memcpy(buf + n, h, 2);
		n += 2;
		memcpy(buf + n, data, dlen);
		n += dlen;
		buf[n++] = ';';
	}
	hex_decode_exact(arqc, 16, buf + n, 8);
	n += 8;
	if (arc != NULL) {
		hex_decode_exact(arc, 4, buf + n, 2);
		n += 2;
	}
	return n;
}

static void
kq_expect(const uint8_t *req, size_t n, const char *err, const char *arpc)
{
	const char *r;
	size_t rl;
	char hex[17];

	r = call_b(req, n, &rl);
	ck_assert_msg(memcmp(r, err, 2) == 0, "KQ err %.2s want %s", r, err);
	if (arpc != NULL) {
		ck_assert_uint_eq(rl, 10);
		hex_encode((const uint8_t *)r + 2, 8, hex);
		hex[16] = '\0';
		ck_assert_str_eq(hex, arpc);
	} else
		ck_assert_uint_eq(rl, 2);
}

START_TEST(t_kq)
{
	uint8_t req[600], data[64];
	size_t n, dl;

	/* MC-1..MC-4: M/Chip CVN 16, scheme 1, host-padded data (39+1). */
	dl = 40;
	hex_decode_exact("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA0000322000080", 80, data, 40);
	n = kq(req, '1', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", "0010");
	kq_expect(req, n, "00", "73F6BBF389A6586C");
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "00", NULL);
	/* Tampered ARQC, ATC, UN, data: 01. */
	n = kq(req, '1', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C71", "0010");
	kq_expect(req, n, "01", NULL);
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001D",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "01", NULL);
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF13", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "01", NULL);
	data[3] ^= 1;
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "01", NULL);
	data[3] ^= 1;
	/* Unpadded (39 bytes): the host must pad. Zero length: 81. */
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, 39, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "80", NULL);
	n = kq(req, '0', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, 0, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "81", NULL);
	/* Wrong key usage, mode, scheme; truncated. */
	n = kq(req, '0', '1', key("cvk"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "A6", NULL);
	n = kq(req, '5', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "04", NULL);
	n = kq(req, '0', '7', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", NULL);
	kq_expect(req, n, "05", NULL);
	n = kq(req, '1', '1', key("mkac"), "3456789012345600", "001C",
	    "ABCDEF12", data, dl, "24CCF3DEE3158C70", "0010");
	kq_expect(req, n - 1, "15", NULL);

	/* EMV-1 + EMV-4: scheme 0, mode 2 (ARPC only) with the ICC MK of
	 * PAN 9901234567890123 PSN 45 (Y = 0123456789012345). */
	n = kq(req, '2', '0', key("mkac"), "0123456789012345", "0000",
	    "00000000", NULL, 0, "4B46013359B7A58B", "0000");
	kq_expect(req, n, "00", "F8C9CECAABD55AD1");

	/* V18-1 through hsmd's scheme 2 (EMV CSK, R = ATC || 0): Visa CVN 18
	 * data (40 bytes) padded by method 2 to 48. */
	memset(data, 0, sizeof data);
	hex_decode_exact("000000004000000000000000012480000480000124191105"
	    "0152BF45851800001C06011203A0B800", 80, data, 40);
	data[40] = 0x80;
	n = kq(req, '0', '2', key("mkac"), "3456789012345600", "001C",
	    "00000000", data, 48, "7A788EA6B8A3E733", NULL);
	kq_expect(req, n, "00", NULL);
}
END_TEST

START_TEST(t_kq_binary_delimiters)
{
	/* Transaction data and ARQC full of ';', '%' and 0x19: parsed by
	 * length, so it verifies. ARQC computed here with scheme 1. */
	static const uint8_t zero[8];
	struct hsm_des imk, icc, sk;
	uint8_t k[16], y[8], mk[16], s[16], r[8], data[32], mac[8], req[600];
	char arqc[17];
	size_t i, n;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)";%\x19"[i % 3];
	hex_decode_exact(K0, 32, k, 16);
	hsm_des_init(&imk, k, 16);
	hex_decode_exact("3B19253B19253B19", 16, y, 8);
	hsm_emv_icc_mk(&imk, y, mk);
	hsm_des_init(&icc, mk, 16);
	hex_decode_exact("3B19000025193B25", 16, r, 8);
	memset(r + 2, 0, 2);
	hsm_emv_session_key(&icc, r, s);
	hsm_des_init(&sk, s, 16);
	hsm_des_mac(&sk, 3, 0, zero, data, sizeof data, 1, mac);
	hex_encode(mac, 8, arqc);
	arqc[16] = '\0';
	n = kq(req, '0', '1', key("mkac"), "3B19253B19253B19", "3B19",
	    "25193B25", data, sizeof data, arqc, NULL);
	kq_expect(req, n, "00", NULL);
	hsm_des_free(&imk);
	hsm_des_free(&icc);
	hsm_des_free(&sk);
}
END_TEST

START_TEST(t_mac)
{
	const char *r;

	/* MAC-1 (4- and 8-byte), MAC-2, text input. */
	expect(callf("M60203%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "00A1C72E74");
	expect(callf("M60213%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "00A1C72E74EA3FA9B6");
	expect(callf("M60203%s%s0016Now is the time for it", "1FFF",
	    key("zak")), "002E2B1428");
	/* MAC-3: single DES, algorithm 1. */
	expect(callf("M60211%s%s0018Now is the time for all ", "1FFF",
	    key("tak1s")), "0070A30640CC76DD8B");
	/* MAC-4, MAC-6: hex input. */
	expect(callf("M60111%s%s00101234567890ABCDEF", "2FFF", key("tak1")),
	    "00925B1737EF681AD3");
	expect(callf("M60113%s%s00101234567890ABCDEF", "2FFF", key("tak")),
	    "00912476C111DB4238");
	/* Multi-part: first 16 bytes (mode 1), then the last (mode 3). */
	r = callf("M61203%s%s0010Now is the time ", "0FFF", key("tak"));
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	ck_assert_uint_eq(strlen(r), 18);
	expect(callf("M63213%s%s%.16s0008for all ", "1FFF", key("tak"), r + 2),
	    "00A1C72E74EA3FA9B6");
	/* M8 verify, good and bad; wrong usage for the algorithm. */
	expect(callf("M80203%s%s0018Now is the time for all A1C72E74", "1FFF",
	    key("tak")), "00");
	expect(callf("M80203%s%s0018Now is the time for all A1C72E75", "1FFF",
	    key("tak")), "01");
	expect(callf("M80213%s%s0018Now is the time for all "
	    "A1C72E74EA3FA9B6", "1FFF", key("tak")), "00");
	expect(callf("M60201%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "A6");
	expect(callf("M60203%s%s0018Now is the time for all ", "1FFF",
	    key("cvk")), "A6");
	/* Field errors: mode, input format, algorithm, padding, length. */
	expect(callf("M69203%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "02");
	expect(callf("M60903%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "03");
	expect(callf("M60205%s%s0018Now is the time for all ", "1FFF",
	    key("tak")), "04");
	expect(callf("M60203%s%s0018Now is the time for all ", "7FFF",
	    key("tak")), "09");
	expect(callf("M60203%s%s0016Now is the time for all ", "0FFF",
	    key("tak")), "15");		/* more data than announced */
	expect(callf("M60203%s%s0010Now is the time", "0FFF",
	    key("tak")), "06");		/* padding 0: not whole blocks */
	expect(callf("M60203%s%s0030Now is the time for all ", "1FFF",
	    key("tak")), "06");
}
END_TEST

START_TEST(t_framing)
{
	uint8_t buf[70000], big[65535];
	int fd, r, i;
	char hdr[5];

	/* Pipelining: 200 requests in one write, answered in order. */
	fd = sock_connect();
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
	fd = sock_connect();
	ck_assert_int_eq(write(fd, "\x01\x00" "0000CY", 8), 8);
	close(fd);
	fd = sock_connect();
	send_frame(fd, (const uint8_t *)"0002NC", 6);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0002ND00", 8), 0);
	close(fd);
}
END_TEST

/* --- client library ------------------------------------------------------- */

struct waiter {
	struct event_base	*base;
	int			 pending;
	struct hsm_result	 last;
	int			 nok, nfail, nother;
};

static void
on_result(const struct hsm_result *r, void *arg)
{
	struct waiter *w = arg;

	w->last = *r;
	if (r->status == HSM_OK)
		w->nok++;
	else if (r->status == HSM_FAIL)
		w->nfail++;
	else
		w->nother++;
	if (--w->pending == 0)
		event_base_loopbreak(w->base);
}

static void
run(struct waiter *w)
{
	struct timeval tv = { 10, 0 };

	if (w->pending > 0) {
		event_base_loopexit(w->base, &tv);
		event_base_dispatch(w->base);
	}
	ck_assert_int_eq(w->pending, 0);
}

static struct hsm_client *
client(struct waiter *w, const char *path, unsigned timeout_ms)
{
	struct hsm_client_opts o;
	char addr[300];
	struct hsm_client *c;

	memset(w, 0, sizeof *w);
	w->base = event_base_new();
	hsm_client_opts_default(&o);
	o.timeout_ms = timeout_ms;
	o.backoff_min_ms = 20;
	o.backoff_max_ms = 100;
	snprintf(addr, sizeof addr, "unix:%s", path);
	c = hsm_client_new(w->base, addr, &o);
	ck_assert_ptr_nonnull(c);
	return c;
}

#define ONE(w, call) do {				\
	(w)->pending = 1;				\
	ck_assert_int_eq((call), 0);			\
	run(w);						\
} while (0)

START_TEST(t_client_calls)
{
	struct waiter w;
	struct hsm_client *c = client(&w, sockpath, 2000);
	uint8_t panpsn[8], atc[2], un[4], data[40], arqc[8], arc[2];
	char pb[17], out[17], mac[20];
	const uint8_t *msg = (const uint8_t *)"Now is the time for all ";
	struct hsm_client_stats st;
	int i;

	ONE(&w, hsm_diagnostics(c, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ck_assert_str_eq(w.last.u.diag.lmk_check, lmkcheck);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);

	ONE(&w, hsm_verify_cvv(c, key("cvk"), "4123456789012345", "8701",
	    "101", "561", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ONE(&w, hsm_verify_cvv(c, key("cvk"), "4123456789012345", "8701",
	    "101", "562", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);
	ONE(&w, hsm_verify_cvv(c, key("pvk"), "4123456789012345", "8701",
	    "101", "561", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_ERROR);
	ck_assert_str_eq(w.last.error, "A6");
	/* Bad arguments are refused before anything is sent. */
	ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"), "41234;67", "8701",
	    "101", "561", on_result, &w), -1);
	ck_assert_int_eq(hsm_verify_cvv(c, "U0123", "4123456789012345",
	    "8701", "101", "561", on_result, &w), -1);

	iso0("4524", "233445566778", ZPKA, pb);
	ONE(&w, hsm_verify_pin_pvv(c, key("zpka"), key("pvk"), pb, "01",
	    "233445566778", '3', "4021", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ONE(&w, hsm_verify_pin_pvv(c, key("zpka"), key("pvk"), pb, "01",
	    "233445566778", '3', "4022", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);

	iso0("1234", "123456767788", ZPKA, pb);
	ONE(&w, hsm_verify_pin_ibm(c, key("zpka"), key("pvk"), pb, "01", 4,
	    "123456767788", "1234567890123456", "11223344556N",
	    "7710FFFFFFFF", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);

	hex_decode_exact("3456789012345600", 16, panpsn, 8);
	hex_decode_exact("001C", 4, atc, 2);
	hex_decode_exact("ABCDEF12", 8, un, 4);
	hex_decode_exact("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA0000322000080", 80, data, 40);
	hex_decode_exact("24CCF3DEE3158C70", 16, arqc, 8);
	hex_decode_exact("0010", 4, arc, 2);
	ONE(&w, hsm_verify_arqc(c, key("mkac"), 1, panpsn, atc, un, data, 40,
	    arqc, arc, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ck_assert(w.last.u.arqc.has_arpc);
	hex_encode(w.last.u.arqc.arpc, 8, out);
	out[16] = '\0';
	ck_assert_str_eq(out, "73F6BBF389A6586C");
	arqc[7] ^= 1;
	ONE(&w, hsm_verify_arqc(c, key("mkac"), 1, panpsn, atc, un, data, 40,
	    arqc, NULL, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);

	ONE(&w, hsm_mac_generate(c, key("tak"), 3, 1, 4, msg, 24, on_result,
	    &w));
	ck_assert_str_eq(w.last.u.mac.mac, "A1C72E74");
	ONE(&w, hsm_mac_generate(c, key("tak"), 3, 1, 8, msg, 24, on_result,
	    &w));
	ck_assert_str_eq(w.last.u.mac.mac, "A1C72E74EA3FA9B6");
	strcpy(mac, w.last.u.mac.mac);
	ONE(&w, hsm_mac_verify(c, key("tak"), 3, 1, msg, 24, mac, on_result,
	    &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ONE(&w, hsm_mac_verify(c, key("tak"), 3, 1, msg, 23, mac, on_result,
	    &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);

	iso0("1234", "401234567890", ZPKA, pb);
	ONE(&w, hsm_translate_pin(c, 0, key("zpka"), key("zpkb"), pb, "01",
	    "01", "401234567890", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ck_assert_int_eq(w.last.u.pin.pinlen, 4);
	dec_pinblock(ZPKB, w.last.u.pin.pinblock, out);
	ck_assert_str_eq(out, "041274EDCBA9876F");

	/* Pipelined: 1024 calls in flight over two connections (512 each,
	 * the default limit); the next one is refused, not queued. */
	w.pending = 1024;
	w.nok = w.nfail = w.nother = 0;
	for (i = 0; i < 1024; i++)
		ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"),
		    "4123456789012345", "8701", "101", i % 8 ? "561" : "000",
		    on_result, &w), 0);
	ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"), "4123456789012345",
	    "8701", "101", "561", on_result, &w), -1);
	run(&w);
	ck_assert_int_eq(w.nok, 896);
	ck_assert_int_eq(w.nfail, 128);
	ck_assert_int_eq(w.nother, 0);
	hsm_client_stats(c, &st);
	ck_assert_uint_eq(st.inflight, 0);
	ck_assert_uint_eq(st.timeouts, 0);

	hsm_client_free(c);
	event_base_free(w.base);
}
END_TEST

/* A fake HSM on its own socket: mode 0 never answers, 1 answers garbage. */
struct fake {
	int			 mode;
	int			 accepted;
	struct bufferevent	*bev[16];
};

static void
fake_read(struct bufferevent *bev, void *arg)
{
	struct fake *f = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (f->mode == 1) {
		evbuffer_drain(in, evbuffer_get_length(in));
		bufferevent_write(bev, "\x00\x06" "XXXXYY", 8);
	}
}

static void
fake_event(struct bufferevent *bev, short what, void *arg)
{
	struct fake *f = arg;
	int i;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		for (i = 0; i < 16; i++)
			if (f->bev[i] == bev)
				f->bev[i] = NULL;
		bufferevent_free(bev);
	}
}

static void
fake_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct fake *f = arg;
	struct bufferevent *bev;

	(void)sa;
	(void)len;
	f->accepted++;
	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, fake_read, NULL, fake_event, f);
	bufferevent_enable(bev, EV_READ);
	for (int i = 0; i < 16; i++)
		if (f->bev[i] == NULL) {
			f->bev[i] = bev;
			break;
		}
}

static struct evconnlistener *
fake_listen(struct event_base *base, const char *path, struct fake *f)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	return evconnlistener_new_bind(base, fake_accept, f,
	    LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&sun, sizeof sun);
}

static void
spin(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

START_TEST(t_client_faults)
{
	struct waiter w;
	struct hsm_client *c;
	struct evconnlistener *l;
	struct fake f;
	char path[100];
	struct hsm_client_stats st;

	memset(&f, 0, sizeof f);
	/* Nothing listening: health down, calls refused, no callback. */
	snprintf(path, sizeof path, "%s/fake.sock", tmpdir);
	unlink(path);
	c = client(&w, path, 100);
	spin(w.base, 100);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_DOWN);
	/* The fake HSM appears: the client reconnects by itself. */
	l = fake_listen(w.base, path, &f);
	ck_assert_ptr_nonnull(l);
	spin(w.base, 300);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);
	/* It never answers: the call times out, the stalled link is reset. */
	ONE(&w, hsm_diagnostics(c, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_TIMEOUT);
	hsm_client_stats(c, &st);
	ck_assert_uint_eq(st.timeouts, 1);
	spin(w.base, 300);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);
	/* Garbage answers: protocol error, link reset. */
	f.mode = 1;
	ONE(&w, hsm_diagnostics(c, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_PROTO);
	/* The HSM goes away: outstanding calls fail, health goes down. */
	evconnlistener_free(l);
	unlink(path);
	spin(w.base, 300);
	ck_assert_int_ne(hsm_client_health(c), HSM_HEALTH_UP);
	hsm_client_free(c);
	for (int i = 0; i < 16; i++)
		if (f.bev[i] != NULL)
			bufferevent_free(f.bev[i]);
	event_base_free(w.base);
}
END_TEST

START_TEST(t_client_reply_parser)
{
	struct hsm_result r;

	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0001CZ00",
	    8, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_OK);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0001CZ01",
	    8, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_FAIL);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0002CZ00",
	    8, "0001", 4, &r), -1);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0001CX00",
	    8, "0001", 4, &r), -1);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_M6_4,
	    (const uint8_t *)"0001M700C57E4295", 16, "0001", 4, &r), 0);
	ck_assert_str_eq(r.u.mac.mac, "C57E4295");
	ck_assert_int_eq(hsm_reply_parse(HSM_K_M6_4,
	    (const uint8_t *)"0001M700C57E429", 15, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_PROTO);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CC,
	    (const uint8_t *)"0001CD000614D3E09CD3B6456E01", 28, "0001", 4,
	    &r), 0);
	ck_assert_int_eq(r.u.pin.pinlen, 6);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_KQ1,
	    (const uint8_t *)"0001KR0112345678", 16, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_FAIL);
}
END_TEST

/* --- set-up ------------------------------------------------------------- */

static void
form_keys(void)
{
	char cmd[1024], line[512], *sp;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(cmd, sizeof cmd, "%s/hsmctl key form --lmk %s "
		    "--type %s --clear %s %s", bindir, lmkpath, keys[i].type,
		    keys[i].clear, keys[i].extra);
		if (run_line(cmd, line, sizeof line) == -1 ||
		    (sp = strchr(line, ' ')) == NULL) {
			fprintf(stderr, "check_hsmd: '%s' failed\n", cmd);
			exit(1);
		}
		*sp = '\0';
		snprintf(keys[i].blk, sizeof keys[i].blk, "%s", line);
		snprintf(keys[i].kcv, sizeof keys[i].kcv, "%s", sp + 1);
	}
}

static void
start_hsmd(void)
{
	char path[512], listen[300];
	int i, fd;

	snprintf(path, sizeof path, "%s/hsmd", bindir);
	snprintf(listen, sizeof listen, "unix:%s", sockpath);
	if ((hsmd_pid = fork()) == 0) {
		execl(path, "hsmd", "--lmk", lmkpath, "-l", listen,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if ((fd = sock_connect()) != -1) {
			close(fd);
			return;
		}
		usleep(10000);
	}
	fprintf(stderr, "check_hsmd: hsmd did not start\n");
	exit(1);
}

static void
cleanup(void)
{
	char cmd[300];
	int st;

	if (hsmd_pid > 0) {
		kill(hsmd_pid, SIGTERM);
		waitpid(hsmd_pid, &st, 0);
		hsmd_pid = 0;
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_hsmd: cannot remove %s\n", tmpdir);
}

static Suite *
suite(void)
{
	Suite *s = suite_create("hsmd");
	TCase *v = tcase_create("protocol");
	TCase *cl = tcase_create("client");

	tcase_set_timeout(v, 60);
	tcase_set_timeout(cl, 60);
	tcase_add_test(v, t_nc_b2_unknown);
	tcase_add_test(v, t_cvv);
	tcase_add_test(v, t_keyblock_negative);
	tcase_add_test(v, t_kcv_bu_a0);
	tcase_add_test(v, t_pvv);
	tcase_add_test(v, t_ibm);
	tcase_add_test(v, t_translate);
	tcase_add_test(v, t_kq);
	tcase_add_test(v, t_kq_binary_delimiters);
	tcase_add_test(v, t_mac);
	tcase_add_test(v, t_framing);
	tcase_add_test(cl, t_client_calls);
	tcase_add_test(cl, t_client_faults);
	tcase_add_test(cl, t_client_reply_parser);
	suite_add_tcase(s, v);
	suite_add_tcase(s, cl);
	return s;
}

int
main(void)
{
	SRunner *sr;
	char cmd[600];
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (getenv("HSM_BIN_DIR") != NULL)
		bindir = getenv("HSM_BIN_DIR");
	snprintf(cmd, sizeof cmd, "%s/hsmd", bindir);
	if (sodium_init() < 0 || access(cmd, X_OK) == -1) {
		fprintf(stderr, "check_hsmd: %s missing: run make first\n", cmd);
		return 1;
	}
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(sockpath, sizeof sockpath, "%s/hsm.sock", tmpdir);
	snprintf(lmkpath, sizeof lmkpath, "%s/lmk", tmpdir);
	snprintf(cmd, sizeof cmd, "%s/hsmctl lmk init --out %s", bindir,
	    lmkpath);
	if (run_line(cmd, lmkcheck, sizeof lmkcheck) == -1 ||
	    strlen(lmkcheck) != 16) {
		fprintf(stderr, "check_hsmd: lmk init failed\n");
		cleanup();
		return 1;
	}
	form_keys();
	start_hsmd();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (rawfd != -1)
		close(rawfd);
	cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
