/* check_log.c — log rate limiting per event key: a flood of one event is
 * cut at the limit, other events still pass, and the count of what was cut
 * is reported once the second is over; fatal lines are never cut.  On a
 * pipe or socket a full stderr drops lines instead of blocking, and the
 * next line that fits says how many; a stream socket that takes part of a
 * line gets the rest before the next one, so no line is ever cut. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "tests/unit/checkrun.h"

static char path[] = "/tmp/check_log.XXXXXX";

static int
count(const char *what)
{
	char line[2048];
	FILE *f;
	int n = 0;

	fflush(stderr);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, what) != NULL)
			n++;
	fclose(f);
	return n;
}

START_TEST(test_ratelimit)
{
	int fd, i;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	ck_assert_ptr_nonnull(freopen(path, "w", stderr));
	log_init("check_log", 0);
	log_ratelimit(10);
	for (i = 0; i < 1000; i++)
		log_warnx("event=flood n=%d", i);
	log_info("event=other n=1");
	/* the flood's window may have begun a second earlier: 10 or 20 */
	ck_assert_int_le(count("event=flood "), 20);
	ck_assert_int_ge(count("event=flood "), 10);
	ck_assert_int_eq(count("event=other "), 1);
	sleep(2);
	log_ratelimit_flush();
	ck_assert_int_ge(count("event=log_suppressed key=flood count="), 1);
	ck_assert_int_le(count("event=log_suppressed key=flood count="), 2);
	/* 0: no limit */
	log_ratelimit(0);
	for (i = 0; i < 100; i++)
		log_warnx("event=free n=%d", i);
	ck_assert_int_eq(count("event=free "), 100);
	unlink(path);
}
END_TEST

/* Everything readable now, appended to buf at *got. */
static void
drain(int fd, char *buf, size_t cap, size_t *got)
{
	ssize_t r;

	while (*got < cap - 1 && (r = read(fd, buf + *got, cap - 1 - *got)) > 0)
		*got += (size_t)r;
	buf[*got] = '\0';
}

/* A connected TCP pair on loopback with little room: stream sockets may
 * take part of a line when nearly full (TCP does here; journald's unix
 * stream takes whole lines of this size). */
static void
tcp_pair(int sp[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	int l, small = 4096;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(l = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &al), 0);
	ck_assert_int_ne(sp[1] = socket(AF_INET, SOCK_STREAM, 0), -1);
	setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	ck_assert_int_eq(connect(sp[1], (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_ne(sp[0] = accept(l, NULL, NULL), -1);
	setsockopt(sp[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	close(l);
}

START_TEST(test_stream_socket_whole_lines)
{
	static char buf[1 << 20];
	int sp[2], saved, i, lines = 0;
	size_t got = 0;
	char *l, *nl, *next;

	tcp_pair(sp);
	ck_assert_int_ne(saved = dup(STDERR_FILENO), -1);
	ck_assert_int_ne(dup2(sp[1], STDERR_FILENO), -1);
	log_init("check_log", 0);
	log_ratelimit(0);
	log_nonblocking();
	for (i = 0; i < 2000; i++)
		log_warnx("event=fill n=%d pad=%0100d", i, 0);
	ck_assert_uint_gt(log_dropped_lines(), 0);
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	drain(sp[0], buf, sizeof buf, &got);
	log_warnx("event=after");
	/* until the last line is in (loopback delivery), at most 5 s */
	for (i = 0; i < 500 && strstr(buf, "event=after\n") == NULL; i++) {
		usleep(10000);
		drain(sp[0], buf, sizeof buf, &got);
	}
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(sp[0]);
	close(sp[1]);
	/* every line whole: its timestamp first, one line up to a newline */
	ck_assert(got > 0 && buf[got - 1] == '\n');
	for (l = buf; *l != '\0'; l = nl + 1) {
		ck_assert_ptr_nonnull(nl = strchr(l, '\n'));
		next = strstr(l + 1, "ts=");
		ck_assert_msg(strncmp(l, "ts=", 3) == 0 &&
		    (next == NULL || next > nl), "a cut line: %.*s",
		    (int)(nl - l), l);
		lines++;
	}
	ck_assert_int_gt(lines, 2);
	ck_assert_ptr_nonnull(strstr(buf, "event=log_dropped lines="));
	ck_assert(strstr(buf, "event=log_dropped") < strstr(buf, "event=after"));
	ck_assert_uint_eq(log_dropped_lines(), 0);
}
END_TEST

START_TEST(test_full_pipe_drops)
{
	int p[2], saved, i, n;
	char buf[65536], want[64];
	size_t got = 0;
	ssize_t r;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(saved = dup(STDERR_FILENO), -1);
	ck_assert_int_ne(dup2(p[1], STDERR_FILENO), -1);
	log_init("check_log", 0);
	log_ratelimit(0);
	log_nonblocking();
	/* more than the pipe holds (64 KiB), nobody reading: a blocking
	 * stderr would hang here until the suite's timeout */
	for (i = 0; i < 2000; i++)
		log_warnx("event=fill n=%d pad=%0100d", i, 0);
	ck_assert_uint_gt(log_dropped_lines(), 0);
	n = (int)log_dropped_lines();
	/* drain; the next line that fits reports the drops first */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	while ((r = read(p[0], buf, sizeof buf)) > 0)
		;
	log_warnx("event=after");
	r = read(p[0], buf, sizeof buf - 1);
	ck_assert_int_gt(r, 0);
	got = (size_t)r;
	buf[got] = '\0';
	snprintf(want, sizeof want, "event=log_dropped lines=%d ", n);
	ck_assert_msg(strstr(buf, want) != NULL, "no '%s' in: %s", want, buf);
	ck_assert_ptr_nonnull(strstr(buf, "event=after"));
	ck_assert(strstr(buf, want) < strstr(buf, "event=after"));
	ck_assert_uint_eq(log_dropped_lines(), 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[0]);
	close(p[1]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("ratelimit");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_ratelimit);
	tcase_add_test(tc, test_full_pipe_drops);
	tcase_add_test(tc, test_stream_socket_whole_lines);
	suite_add_tcase(s, tc);
	return check_run(s);
}
