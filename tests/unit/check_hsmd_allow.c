/*
 * check_hsmd_allow.c — what each hsmd listener serves: the default (-l
 * with no allow=) only the verification set, refusals answered 68 and
 * logged with listener, command and uid/pid; an allow=all / Allow = all
 * listener generates; a mode-V key never generates; tcp needs Peers and
 * closes a peer not in them; an unsealed LMK needs --insecure-test-lmk.
 * The set-up (LMK, keys, hsmd with an admin and a verify socket) is in
 * hsmd-harness.h.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "hsm/cmd.h"
#include "hsm/lmk.h"
#include "tests/unit/hsmd-harness.h"

#define PAN	"4123456789012345"

/* One request on fd ("0000" header); the reply after header and code. */
static const char *
call_on(int fd, const uint8_t *body, size_t n, size_t *rlen)
{
	static uint8_t reply[4096];
	uint8_t req[2048];
	int r;

	ck_assert_uint_le(n + 4, sizeof req);
	memcpy(req, "0000", 4);
	memcpy(req + 4, body, n);
	send_frame(fd, req, n + 4);
	r = recv_frame(fd, reply, sizeof reply);
	ck_assert_int_ge(r, 6);
	ck_assert_int_eq(reply[4], body[0]);
	ck_assert_int_eq(reply[5], body[1] + 1);
	if (rlen)
		*rlen = (size_t)r - 6;
	return (const char *)reply + 6;
}

static const char *
callfd(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *
callfd(int fd, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return call_on(fd, (const uint8_t *)buf, strlen(buf), NULL);
}

/* A KQ request body: mode 1 (verify the ARQC, answer the ARPC) with the
 * M/Chip vector MC-1, or mode 2 (an ARPC, no ARQC verified) over its
 * ARQC. Both scheme 1; *n its length. */
static const uint8_t *
kq_body(char mode, size_t *n)
{
	static uint8_t req[300];
	const char *mk = key("mkac");

	memcpy(req, "KQ", 2);
	req[2] = (uint8_t)mode;
	req[3] = '1';
	*n = 4;
	memcpy(req + *n, mk, strlen(mk));
	*n += strlen(mk);
	hex_decode_exact("3456789012345600" "001C" "ABCDEF12", 28, req + *n,
	    14);
	*n += 14;
	if (mode == '1') {
		memcpy(req + *n, "28", 2);
		*n += 2;
		hex_decode_exact("000000009999000000000000012480000000000124"
		    "20990600ABCDEF121800001CA0000322000080", 80, req + *n,
		    40);
		*n += 40;
		req[(*n)++] = ';';
	}
	hex_decode_exact("24CCF3DEE3158C70" "0010", 20, req + *n, 10);
	*n += 10;
	return req;
}

static const char *
kq_on(int fd, char mode, size_t *rlen)
{
	size_t n;
	const uint8_t *b = kq_body(mode, &n);

	return call_on(fd, b, n, rlen);
}

static int
count_in_log(const char *needle)
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

/* The CVV of PAN/8701/101 under the test CVK, from the admin socket. */
static void
cvv_from_admin(char cvv[4])
{
	const char *r = callf("CW%s" PAN ";8701101", key("cvkc"));

	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	memcpy(cvv, r + 2, 3);
	cvv[3] = '\0';
}

START_TEST(t_default_verify_only)
{
	static const char *const refused[] = { "CW", "A0", "M6", "CA", "CC",
	    "BU" };
	char cvv[4], pb[17], want[160];
	const char *r;
	size_t i, n;
	int fd;

	cvv_from_admin(cvv);
	fd = unix_connect(vsockpath);
	ck_assert_int_ne(fd, -1);
	/* Generation and translation: 68 in a normal reply, whatever the
	 * fields (they are not even read). */
	expect(callfd(fd, "CW%s" PAN ";8701101", key("cvkc")), "68");
	expect(callfd(fd, "A00FFFS#C0T2C00N00"), "68");
	expect(callfd(fd, "M60203%s%s0018Now is the time for all ", "1FFF",
	    key("tak1")), "68");
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++)
		expect(callfd(fd, "%sxyz", refused[i]), "68");
	/* The connection survives and verification is served. */
	r = callfd(fd, "NC");
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	expect(callfd(fd, "B20004ping"), "00ping");
	expect(callfd(fd, "CY%s%s" PAN ";8701101", key("cvk"), cvv), "00");
	expect(callfd(fd, "CY%s%s" PAN ";8701101", key("cvkc"), cvv), "00");
	iso0("4524", "233445566778", ZPKA, pb);
	expect(callfd(fd, "EC%s%s%s01233445566778" "34021", key("zpka"),
	    key("pvk"), pb), "00");
	/* KQ as stand-in sends it (mode 1): the ARQC verified, an ARPC. */
	r = kq_on(fd, '1', &n);
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	ck_assert_uint_eq(n, 10);
	/* KQ mode 2 answers an ARPC for any ARQC: an encryption oracle
	 * under the card's key, not verification. 68, logged. */
	expect(kq_on(fd, '2', &n), "68");
	close(fd);
	/* One line per refusal, naming listener, command and the peer. */
	snprintf(want, sizeof want, "event=refused listener=l2 cmd=CW "
	    "uid=%u pid=%d ", (unsigned)getuid(), (int)getpid());
	ck_assert_int_ge(count_in_log(want), 1);
	ck_assert_int_ge(count_in_log("listener=l2 cmd=A0 uid="), 1);
	ck_assert_int_ge(count_in_log("listener=l2 cmd=M6 uid="), 1);
	ck_assert_int_ge(count_in_log("listener=l2 cmd=KQ mode=2 uid="), 1);
	ck_assert_int_eq(count_in_log("cmd=CY"), 0);
}
END_TEST

/* hsmd's command processor in this process, on the suite's LMK. */
static struct hsm_cmd_ctx *
local_ctx(void)
{
	struct hsm_cmd_ctx *ctx;
	struct lmk *l;

	ck_assert_ptr_nonnull(l = lmk_load(lmkpath, NULL, 0));
	ctx = hsm_cmd_new(l, 4);
	lmk_free(l);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

/* One frame ("0000" header) through ctx; the error code, *refused. */
static const char *
local_call(struct hsm_cmd_ctx *ctx, hsm_allow a, const uint8_t *body,
    size_t n, int *refused)
{
	static uint8_t out[HSM_REPLY_MAX + 1];
	uint8_t req[600];
	size_t rlen;

	memcpy(req, "0000", 4);
	memcpy(req + 4, body, n);
	rlen = hsm_cmd_process_allow(ctx, a, req, n + 4, out, HSM_REPLY_MAX,
	    refused);
	ck_assert_uint_ge(rlen, 8);
	out[rlen] = '\0';
	return (const char *)out + 6;
}

/* KQ mode 2 only where the allow-list names it (KQ2): all does, verify
 * does not; hsmd -n prints it back. */
START_TEST(t_kq_mode2_named)
{
	struct hsm_cmd_ctx *ctx = local_ctx();
	const uint8_t *b;
	hsm_allow a;
	char err[200], fmt[200];
	size_t n;
	int refused = -1;

	b = kq_body('2', &n);
	expect(local_call(ctx, hsm_allow_verify(), b, n, &refused), "68");
	ck_assert_int_ne(refused, 0);
	ck_assert_int_eq(memcmp(local_call(ctx, hsm_allow_all(), b, n,
	    &refused), "00", 2), 0);
	ck_assert_int_eq(refused, 0);
	ck_assert_int_eq(hsm_allow_parse("verify KQ2", &a, err, sizeof err),
	    0);
	ck_assert_int_eq(memcmp(local_call(ctx, a, b, n, &refused), "00", 2),
	    0);
	ck_assert_int_eq(refused, 0);
	hsm_allow_format(a, fmt, sizeof fmt);
	ck_assert_str_eq(fmt, "verify KQ2");
	/* KQ2 names a mode of KQ: it brings KQ. */
	ck_assert_int_eq(hsm_allow_parse("NC,KQ2", &a, err, sizeof err), 0);
	hsm_allow_format(a, fmt, sizeof fmt);
	ck_assert_str_eq(fmt, "NC KQ KQ2");
	ck_assert_int_eq(memcmp(local_call(ctx, a, b, n, &refused), "00", 2),
	    0);
	/* Modes 0 and 1 verify: served by the verification set. */
	b = kq_body('1', &n);
	ck_assert_int_eq(memcmp(local_call(ctx, hsm_allow_verify(), b, n,
	    &refused), "00", 2), 0);
	ck_assert_int_eq(refused, 0);
	ck_assert_int_eq(hsm_allow_parse("verify KQ3", &a, err, sizeof err),
	    -1);
	hsm_cmd_free(ctx);
}
END_TEST

/* A frame too short for a command code after a refused one: not refused
 * (hsmd would log the refusal again, its code read past the frame). */
START_TEST(t_short_frame_after_refusal)
{
	struct hsm_cmd_ctx *ctx = local_ctx();
	static uint8_t out[HSM_REPLY_MAX];
	int refused = -1;

	expect(local_call(ctx, hsm_allow_verify(), (const uint8_t *)"CWxyz",
	    5, &refused), "68");
	ck_assert_int_ne(refused, 0);
	ck_assert_uint_eq(hsm_cmd_process_allow(ctx, hsm_allow_verify(),
	    (const uint8_t *)"0", 1, out, sizeof out, &refused), 0);
	ck_assert_int_eq(refused, 0);
	hsm_cmd_free(ctx);
}
END_TEST

/* The suppressed= count of the last refusal line. */
/* What the refusal lines from the skip-th on say was left out: the sum
 * of their suppressed= counts. */
static long
suppressed_since(int skip)
{
	char line[1024], *p;
	FILE *f = fopen(hsmdlog, "r");
	long n = 0;
	int i = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, "event=refused") != NULL && i++ >= skip &&
		    (p = strstr(line, "suppressed=")) != NULL)
			n += strtol(p + 11, NULL, 10);
	fclose(f);
	return n;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 500 refusals log at most 10 lines a second, and every one is either a
 * line or counted in a later line's suppressed=: a busy machine may
 * spread the burst over several seconds, so the bound follows the time
 * it took. */
START_TEST(t_refusal_lines_bounded)
{
	int fd, i, before, after;
	double t0, secs;

	usleep(1100000);	/* a second of its own for the rate limit */
	before = count_in_log("event=refused");
	fd = unix_connect(vsockpath);
	ck_assert_int_ne(fd, -1);
	t0 = mono_s();
	for (i = 0; i < 500; i++)
		expect(callfd(fd, "CWxyz"), "68");
	secs = mono_s() - t0;
	after = count_in_log("event=refused");
	ck_assert_int_le(after - before, 10 * ((int)secs + 2));
	ck_assert_int_ge(after - before, 1);
	/* The next line, a second later, counts what was left out. */
	usleep(1100000);
	expect(callfd(fd, "CWxyz"), "68");
	after = count_in_log("event=refused");
	ck_assert_int_eq((after - before) + suppressed_since(before), 501);
	close(fd);
}
END_TEST

START_TEST(t_admin_serves_mode_v_refuses)
{
	char cvv[4], kb[200];
	const char *r;

	/* The allow=all listener generates with a mode C CVK... */
	cvv_from_admin(cvv);
	ck_assert_int_eq((int)strlen(cvv), 3);
	/* ...but never with a mode V one (hsmctl's CVK, the gateway's
	 * snapshot keys): A8, invalid mode of use. V keys still verify. */
	expect(callf("CW%s" PAN ";8701101", key("cvk")), "A8");
	expect(callf("CY%s%s" PAN ";8701101", key("cvk"), cvv), "00");
	/* A0 may form a V key; it verifies and cannot generate either. */
	r = call("A00FFFS#C0T2V00N00");
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	memcpy(kb, r + 2, 113);
	kb[113] = '\0';
	expect(callf("CW%s" PAN ";8701101", kb), "A8");
}
END_TEST

/* A config file with an Allow = all admin listener and a default one. */
START_TEST(t_config_allow_all)
{
	char conf[200], adm[120], gw[120];
	char *args[] = { (char *)"--insecure-test-lmk", (char *)"--lmk",
	    lmkpath, (char *)"--config", conf, NULL };
	struct stat st;
	pid_t pid = 0;
	FILE *f;
	int fd;

	snprintf(conf, sizeof conf, "%s/hsmd.conf", tmpdir);
	snprintf(adm, sizeof adm, "%s/c-admin.sock", tmpdir);
	snprintf(gw, sizeof gw, "%s/c-gw.sock", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "[Listener gateway]\nAddress = unix:%s\n\n"
	    "[Listener admin]\nAddress = unix:%s   # root's\nAllow = all\n",
	    gw, adm);
	fclose(f);
	ck_assert_int_eq(hsmd_startv(&pid, bindir, adm, hsmdlog, args), 0);
	/* Modes by default: 0660 verify-only, 0600 beyond. */
	ck_assert_int_eq(stat(gw, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	ck_assert_int_eq(stat(adm, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	fd = unix_connect(adm);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(memcmp(callfd(fd, "CW%s" PAN ";8701101",
	    key("cvkc")), "00", 2), 0);
	close(fd);
	fd = unix_connect(gw);
	ck_assert_int_ne(fd, -1);
	expect(callfd(fd, "CW%s" PAN ";8701101", key("cvkc")), "68");
	close(fd);
	ck_assert_int_ge(count_in_log("listener=gateway cmd=CW uid="), 1);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
END_TEST

/* A port nobody listens on now. */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int
tcp_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* hsmd with args exits at once with status 1 and says why in its log. */
static void
refuses_to_start(const char *args, const char *why)
{
	char cmd[1024], log[160], line[600];
	FILE *f;
	int rc;

	snprintf(log, sizeof log, "%s/refused.log", tmpdir);
	snprintf(cmd, sizeof cmd, "timeout 10 %s/hsmd --lmk %s %s 2>%s",
	    bindir, lmkpath, args, log);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 1,
	    "hsmd %s: status %d", args, rc);
	ck_assert_ptr_nonnull(f = fopen(log, "r"));
	line[0] = '\0';
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	ck_assert_msg(strstr(line, why) != NULL, "'%s' lacks '%s'", line, why);
}

START_TEST(t_tcp_needs_peers)
{
	char args[300], conf[200];
	int port = free_port();
	FILE *f;

	snprintf(args, sizeof args, "--insecure-test-lmk -l tcp:127.0.0.1:%d",
	    port);
	refuses_to_start(args, "needs Peers");
	ck_assert_int_eq(tcp_connect(port), -1);
	snprintf(conf, sizeof conf, "%s/tcp.conf", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "[Listener lab]\nAddress = tcp:127.0.0.1:%d\n", port);
	fclose(f);
	snprintf(args, sizeof args, "--insecure-test-lmk --config %s", conf);
	refuses_to_start(args, "tcp.conf:1: [Listener lab]: a tcp listener "
	    "needs Peers");
	/* And the LMK of the tests is unsealed: refused without the flag. */
	snprintf(args, sizeof args, "-l unix:%s/u.sock", tmpdir);
	refuses_to_start(args, "not sealed");
}
END_TEST

START_TEST(t_tcp_peer_not_listed)
{
	char wait[120], l1[120], l2[120], want[80];
	char *args[] = { (char *)"--insecure-test-lmk", (char *)"--lmk",
	    lmkpath, (char *)"-l", l1, (char *)"-l", l2, (char *)"-l", wait,
	    NULL };
	int closed = free_port(), open_ = free_port(), fd;
	uint8_t buf[64];
	pid_t pid = 0;

	snprintf(l1, sizeof l1, "tcp:127.0.0.1:%d,peers=10.0.0.0/8,"
	    "192.168.1.1,name=lab", closed);
	snprintf(l2, sizeof l2, "tcp:127.0.0.1:%d,peers=127.0.0.0/8", open_);
	snprintf(wait, sizeof wait, "unix:%s/w.sock", tmpdir);
	ck_assert_int_eq(hsmd_startv(&pid, bindir, wait + 5, hsmdlog, args),
	    0);
	/* Not listed: accepted by the kernel, closed by hsmd unanswered. */
	fd = tcp_connect(closed);
	ck_assert_int_ne(fd, -1);
	/* One send, which may meet hsmd's close already (EPIPE or a
	 * reset): either way no answer comes. */
	memcpy(buf, "\0\0060000NC", 8);
	(void)send(fd, buf, 8, MSG_NOSIGNAL);
	ck_assert_int_eq(recv_frame(fd, buf, sizeof buf), -1);
	close(fd);
	snprintf(want, sizeof want, "reason=peer-not-allowed listener=lab "
	    "peer=127.0.0.1 ");
	ck_assert_int_ge(count_in_log(want), 1);
	/* Listed (127.0.0.0/8): served. */
	fd = tcp_connect(open_);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(memcmp(callfd(fd, "NC"), "00", 2), 0);
	expect(callfd(fd, "CWxyz"), "68");	/* the default: verify */
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hsmd-allow");
	TCase *tc = tcase_create("allow");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_default_verify_only);
	tcase_add_test(tc, t_kq_mode2_named);
	tcase_add_test(tc, t_short_frame_after_refusal);
	tcase_add_test(tc, t_refusal_lines_bounded);
	tcase_add_test(tc, t_admin_serves_mode_v_refuses);
	tcase_add_test(tc, t_config_allow_all);
	tcase_add_test(tc, t_tcp_needs_peers);
	tcase_add_test(tc, t_tcp_peer_not_listed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return hsmd_suite_main("check_hsmd_allow", suite);
}
