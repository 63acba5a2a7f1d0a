#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void
vlog(const char *level, const char *fmt, va_list ap, int with_errno)
{
	char buf[1024];
	struct timespec ts;
	struct tm tm;
	int saved = errno;

	vsnprintf(buf, sizeof buf, fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (with_errno)
		fprintf(stderr, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ prog=%s "
		    "level=%s %s err=\"%s\"\n", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    ts.tv_nsec / 1000000, log_prog, level, buf, strerror(saved));
	else
		fprintf(stderr, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ prog=%s "
		    "level=%s %s\n", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    ts.tv_nsec / 1000000, log_prog, level, buf);
	errno = saved;
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
