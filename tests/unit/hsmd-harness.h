/*
 * hsmd-harness.h — what the hsmd suites (check_hsmd_*.c) share: an LMK
 * and every key formed by the real hsmctl, the real hsmd on a unix socket
 * (hsmd-proc.h), the raw payShield protocol over it, and clear PIN blocks
 * encrypted as a terminal or acquirer would send them.
 *
 * hsmd_suite_main creates the LMK with build/bin/hsmctl, forms the keys,
 * starts build/bin/hsmd and runs the suite. hsmd listens twice: on
 * sockpath with allow=all (the admin socket: every command, what the
 * vector suites need) and on vsockpath with the default allow-list, the
 * verification set (what gatewayd gets); its log is hsmdlog. Run from the repository root
 * after `make` (the binaries must exist); HSM_BIN_DIR overrides build/bin.
 * Static functions: each suite is its own program.
 */
#ifndef TESTS_HSMD_HARNESS_H
#define TESTS_HSMD_HARNESS_H

#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "base/hex.h"
#include "hsm/des.h"
#include "hsm/pin.h"
#include "tests/unit/hsmd-proc.h"
#include "tests/unit/checkrun.h"

#define K0	"0123456789ABCDEFFEDCBA9876543210"
#define ZPKA	"89ABCDEF01234567FEDCBA9876543210"
#define ZPKB	"FEDCBA987654321089ABCDEF01234567"
#define TPKC	"0123456789ABCDEF89ABCDEF01234567"

static char tmpdir[] = "/tmp/check_hsmd.XXXXXX";
static char sockpath[96], vsockpath[96], hsmdlog[96], lmkpath[256];
static char lmkcheck[32];
static const char *bindir = "build/bin";
static pid_t hsmd_pid;
static int rawfd = -1;		/* call_b's connection, opened on first use */

/* Key blocks formed by hsmctl. */
struct test_key {
	const char	*name, *type, *clear, *extra;
	char		 blk[600];
	char		 kcv[8];
};

static struct test_key keys[] = {
	{ "cvk", "CVK", K0, "", "", "" },		/* mode V */
	{ "cvkc", "CVK", K0, "--mode C", "", "" },	/* CW too */
	{ "pvk", "PVK", K0, "", "", "" },
	{ "pvkvisa", "PVK-VISA", K0, "", "", "" },
	{ "pvkibm", "PVK-IBM", K0, "", "", "" },
	{ "zpka", "ZPK", ZPKA, "", "", "" },
	{ "zpkb", "ZPK", ZPKB, "", "", "" },
	{ "tpk", "TPK", TPKC, "", "", "" },
	{ "mkac", "MK-AC", K0, "", "", "" },
	{ "zmk", "ZMK", K0, "", "", "" },
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

static const struct test_key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	abort();
}

/* The key block, 'S' included, of a key in keys[]. */
static const char *
key(const char *name)
{
	return find_key(name)->blk;
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

/* --- raw protocol ------------------------------------------------------- */

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

/* Send header "0000" + body; return the reply after header and code. */
static const char *
call_b(const uint8_t *body, size_t n, size_t *rlen)
{
	static uint8_t reply[70000];
	uint8_t *req = malloc(n + 4);
	int r;

	if (rawfd == -1)
		rawfd = unix_connect(sockpath);
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
callf(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
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

static void __attribute__((unused))
expect(const char *reply, const char *want)
{
	ck_assert_msg(strcmp(reply, want) == 0, "reply '%s' want '%s'",
	    reply, want);
}

/* --- PIN blocks --------------------------------------------------------- */

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

static void __attribute__((unused))
dec_pinblock(const char *keyhex, const char *hex, char out[17])
{
	uint8_t k[16], b[8];

	ck_assert_int_eq(hex_decode_exact(keyhex, 32, k, 16), 0);
	ck_assert_int_eq(hex_decode_exact(hex, 16, b, 8), 0);
	ck_assert_int_eq(hsm_tdes_ecb(k, 16, 0, b, b, 8), 0);
	hex_encode(b, 8, out);
	out[16] = '\0';
}

static void __attribute__((unused))
iso0(const char *pin, const char *acct, const char *keyhex, char out[17])
{
	uint8_t b[8];

	ck_assert_int_eq(hsm_pinblock_encode(0, pin, strlen(pin), acct, b), 0);
	enc_pinblock(keyhex, b, out);
}

/* --- set-up ------------------------------------------------------------- */

static void
form_keys(const char *prog)
{
	char cmd[1024], line[512], *sp;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(cmd, sizeof cmd, "%s/hsmctl key form --lmk %s "
		    "--type %s --clear %s %s", bindir, lmkpath, keys[i].type,
		    keys[i].clear, keys[i].extra);
		if (run_line(cmd, line, sizeof line) == -1 ||
		    (sp = strchr(line, ' ')) == NULL) {
			fprintf(stderr, "%s: '%s' failed\n", prog, cmd);
			exit(1);
		}
		*sp = '\0';
		snprintf(keys[i].blk, sizeof keys[i].blk, "%s", line);
		snprintf(keys[i].kcv, sizeof keys[i].kcv, "%s", sp + 1);
	}
}

/* Set up, run the suite, tear down; the exit status. */
static int
hsmd_suite_main(const char *prog, Suite *(*suite)(void))
{
	char cmd[600], adm[160], ver[120];
	int rc;
	char *args[] = { (char *)"--insecure-test-lmk", (char *)"--lmk",
	    lmkpath, (char *)"-l", adm, (char *)"-l", ver, NULL };

	signal(SIGPIPE, SIG_IGN);
	if (getenv("HSM_BIN_DIR") != NULL)
		bindir = getenv("HSM_BIN_DIR");
	snprintf(cmd, sizeof cmd, "%s/hsmd", bindir);
	if (sodium_init() < 0 || access(cmd, X_OK) == -1) {
		fprintf(stderr, "%s: %s missing: run make first\n", prog, cmd);
		return 1;
	}
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(sockpath, sizeof sockpath, "%s/hsm.sock", tmpdir);
	snprintf(vsockpath, sizeof vsockpath, "%s/verify.sock", tmpdir);
	snprintf(hsmdlog, sizeof hsmdlog, "%s/hsmd.log", tmpdir);
	snprintf(adm, sizeof adm, "unix:%s,allow=all,name=admin", sockpath);
	snprintf(ver, sizeof ver, "unix:%s", vsockpath);
	snprintf(lmkpath, sizeof lmkpath, "%s/lmk", tmpdir);
	/* an unsealed LMK: a test (hsmctl and hsmd both want it said) */
	setenv("HSM_INSECURE_TEST_LMK", "1", 1);
	snprintf(cmd, sizeof cmd, "%s/hsmctl lmk init --out %s", bindir,
	    lmkpath);
	if (run_line(cmd, lmkcheck, sizeof lmkcheck) == -1 ||
	    strlen(lmkcheck) != 16) {
		fprintf(stderr, "%s: lmk init failed\n", prog);
		hsmd_stop(&hsmd_pid, tmpdir, prog);
		return 1;
	}
	form_keys(prog);
	if (hsmd_startv(&hsmd_pid, bindir, vsockpath, hsmdlog, args) == -1) {
		fprintf(stderr, "%s: hsmd did not start\n", prog);
		exit(1);
	}
	rc = check_run(suite());
	if (rawfd != -1)
		close(rawfd);
	hsmd_stop(&hsmd_pid, tmpdir, prog);
	return rc;
}

#endif
