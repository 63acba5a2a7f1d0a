#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static const char *log_prog = "gatewayd";
static int log_verbose;

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

static void vlog(const char *, const char *, va_list, int)
    __attribute__((format(printf, 2, 0)));
static void emit(const char *, const char *, int, int);

/*
 * Rate limiting per event key: a peer that can make us log (0800s, bad
 * frames, refused connections) must not be able to fill the journal or
 * spend the loop's time writing it.  A fixed table: a key that finds no
 * room is not limited, which only a program with more than RL_SLOTS kinds
 * of event could see.
 */
#define RL_SLOTS	128
#define RL_KEYMAX	40
#define LOG_LINE_MAX	1400	/* a line, timestamp to newline */

struct rl_slot {
	char		 key[RL_KEYMAX];
	time_t		 window;	/* the second counted */
	unsigned	 count;
	unsigned long	 suppressed;
};

static struct rl_slot	 rl[RL_SLOTS];
static unsigned		 rl_rate = LOG_RATE_DEFAULT;
static int		 rl_pending;	/* some slot has a count to report */
/* The store writer thread logs too. */
static pthread_mutex_t	 rl_mtx = PTHREAD_MUTEX_INITIALIZER;

void
log_ratelimit(unsigned per_second)
{
	pthread_mutex_lock(&rl_mtx);
	rl_rate = per_second;
	pthread_mutex_unlock(&rl_mtx);
}

static time_t
rl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

/* The line's key: the word after a leading "event=", and its level, so
 * a flood of ordinary lines never crowds out the warnings of the same
 * event ("link_closed@info" and "link_closed@warn" count apart). */
static void
rl_key(const char *level, const char *line, char *key, size_t cap)
{
	size_t n = 0;

	if (strncmp(line, "event=", 6) == 0)
		line += 6;
	else
		line = "-";
	while (line[n] != '\0' && line[n] != ' ' && n + 1 < cap)
		n++;
	snprintf(key, cap, "%.*s@%s", (int)n, line, level);
}

static struct rl_slot *
rl_find(const char *key)
{
	uint32_t h = 2166136261u;
	const char *p;
	size_t i, j;

	for (p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (i = 0; i < RL_SLOTS; i++) {
		j = (h + i) % RL_SLOTS;
		if (rl[j].key[0] == '\0') {
			snprintf(rl[j].key, sizeof rl[j].key, "%s", key);
			return &rl[j];
		}
		if (strcmp(rl[j].key, key) == 0)
			return &rl[j];
	}
	return NULL;
}

/* Called with rl_mtx held. */
static void
rl_report(struct rl_slot *s)
{
	char line[128];

	const char *at = strchr(s->key, '@');
	int n = at != NULL ? (int)(at - s->key) : (int)strlen(s->key);

	snprintf(line, sizeof line, "event=log_suppressed key=%.*s count=%lu "
	    "limit=%u/s level=%s", n, s->key, s->suppressed, rl_rate,
	    at != NULL ? at + 1 : "-");
	s->suppressed = 0;
	emit("warn", line, 0, 0);
}

static void
rl_sweep(time_t now)
{
	size_t i;

	rl_pending = 0;
	for (i = 0; i < RL_SLOTS; i++) {
		if (rl[i].suppressed == 0)
			continue;
		if (rl[i].window != now)
			rl_report(&rl[i]);
		else
			rl_pending = 1;
	}
}

void
log_ratelimit_flush(void)
{
	pthread_mutex_lock(&rl_mtx);
	if (rl_pending)
		rl_sweep(rl_now());
	pthread_mutex_unlock(&rl_mtx);
}

/* 1 when the line may be written. */
static int
rl_admit(const char *level, const char *line)
{
	struct rl_slot *s;
	char key[RL_KEYMAX];
	time_t now;
	int ok = 1;

	pthread_mutex_lock(&rl_mtx);
	if (rl_rate == 0)
		goto out;
	now = rl_now();
	if (rl_pending)
		rl_sweep(now);
	rl_key(level, line, key, sizeof key);
	if ((s = rl_find(key)) == NULL)
		goto out;
	if (s->window != now) {
		s->window = now;
		s->count = 0;
	}
	if (++s->count > rl_rate) {
		s->suppressed++;
		rl_pending = 1;
		ok = 0;
	}
out:
	pthread_mutex_unlock(&rl_mtx);
	return ok;
}

static void
vlog(const char *level, const char *fmt, va_list ap, int with_errno)
{
	char buf[1024];
	int saved = errno;

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (strcmp(level, "fatal") == 0 || rl_admit(level, buf))
		emit(level, buf, with_errno, saved);
	errno = saved;
}

/*
 * Under systemd stderr is journald's socket: a journald that stalls
 * (a busy disk) would hold up whoever logs, the event loop and its
 * deadline guard among them.  So on a socket or pipe stderr does not
 * block: a line that does not fit now is counted, and the count said by
 * the next line that does (event=log_dropped).  A stream socket may take
 * part of a line: the rest waits here and goes before the next line, so
 * lines are never cut and never wait.  A file or terminal is left as it
 * is.  Fatal lines wait for room (up to a second at a time).
 */
/* its own lock: emit runs with rl_mtx held (rl_sweep's reports) */
static pthread_mutex_t	 out_mtx = PTHREAD_MUTEX_INITIALIZER;
static unsigned long	 log_dropped;
static char		 pend[LOG_LINE_MAX];	/* a line's tail not yet out */
static size_t		 npend;

void
log_nonblocking(void)
{
	struct stat st;
	int fl;

	if (fstat(STDERR_FILENO, &st) == -1 ||
	    (!S_ISSOCK(st.st_mode) && !S_ISFIFO(st.st_mode)))
		return;
	if ((fl = fcntl(STDERR_FILENO, F_GETFL)) != -1)
		fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK);
}

/* What of b stderr takes now (waiting up to wait_ms for room each time
 * it has none): the bytes written. */
static size_t
write_some(const char *b, size_t len, int wait_ms)
{
	struct pollfd pfd = { STDERR_FILENO, POLLOUT, 0 };
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = write(STDERR_FILENO, b + off, len - off)) > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && wait_ms > 0 &&
		    poll(&pfd, 1, wait_ms) > 0)
			continue;
		break;
	}
	return off;
}

/* With out_mtx held.  A line goes out whole, or (0 bytes taken, or an
 * earlier tail still waiting) not at all: -1, dropped.  A tail the
 * socket did not take waits in pend for the next line. */
static int
put_line(const char *line, size_t len, int wait_ms)
{
	size_t n;

	if (npend > 0) {
		n = write_some(pend, npend, wait_ms);
		memmove(pend, pend + n, npend - n);
		npend -= n;
		if (npend > 0)
			return -1;
	}
	if ((n = write_some(line, len, wait_ms)) == 0)
		return -1;
	memcpy(pend, line + n, len - n);
	npend = len - n;
	return 0;
}

static void
emit(const char *level, const char *buf, int with_errno, int saved)
{
	struct timespec ts;
	struct tm tm;
	char line[LOG_LINE_MAX], lost[160];
	int n, m, wait_ms = strcmp(level, "fatal") == 0 ? 1000 : 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ "
	    "prog=%s level=%s %s", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	    log_prog, level, buf);
	if (n >= 0 && (size_t)n < sizeof line && with_errno)
		n += snprintf(line + n, sizeof line - (size_t)n,
		    " err=\"%s\"", strerror(saved));
	if (n >= 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, "\n");
	if (n < 0 || (size_t)n >= sizeof line) {
		n = (int)sizeof line - 1;
		line[n - 1] = '\n';
	}
	pthread_mutex_lock(&out_mtx);
	if (log_dropped > 0) {
		m = snprintf(lost, sizeof lost, "ts=%04d-%02d-%02dT%02d:%02d:"
		    "%02d.%03ldZ prog=%s level=warn event=log_dropped lines=%lu "
		    "reason=\"stderr had no room\"\n", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    ts.tv_nsec / 1000000, log_prog, log_dropped);
		if (put_line(lost, (size_t)m, 0) == 0)
			log_dropped = 0;
	}
	if (put_line(line, (size_t)n, wait_ms) == -1)
		log_dropped++;
	pthread_mutex_unlock(&out_mtx);
}

unsigned long
log_dropped_lines(void)
{
	unsigned long n;

	pthread_mutex_lock(&out_mtx);
	n = log_dropped;
	pthread_mutex_unlock(&out_mtx);
	return n;
}

#define LOG_FN(name, level, with_errno, cond)		\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	if (!(cond))					\
		return;					\
	va_start(ap, fmt);				\
	vlog(level, fmt, ap, with_errno);		\
	va_end(ap);					\
}

LOG_FN(log_warn, "warn", 1, 1)
LOG_FN(log_warnx, "warn", 0, 1)
LOG_FN(log_info, "info", 0, log_verbose >= 0)
LOG_FN(log_debug, "debug", 0, log_verbose >= 1)

/* fatal (with errno's text) and fatalx: broken invariants only. */
#define FATAL_FN(name, with_errno)					\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vlog("fatal", fmt, ap, with_errno);				\
	va_end(ap);							\
	exit(1);							\
}

FATAL_FN(fatal, 1)
FATAL_FN(fatalx, 0)
