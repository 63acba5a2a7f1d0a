/*
 * log.h — one line per event, key=value, to stderr (journald under systemd).
 * OpenBSD style: log_warn appends strerror(errno), log_warnx does not,
 * fatal()/fatalx() only for broken invariants.
 *
 * Lives in libiso8583 because every program links it and because the
 * codec's masking printer (iso8583_mask) is the only way a message may
 * reach these lines.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Lines per event key (the event=WORD a line starts with) per second;
 * the rest are counted and reported by one event=log_suppressed line. */
#define LOG_RATE_DEFAULT	50

void log_init(const char *progname, int verbose);
/* 0: no limit.  Fatal lines are never limited. */
void log_ratelimit(unsigned per_second);
/* Reports the counts of windows that have ended (a timer calls it, so a
 * flood that stops is still reported). */
void log_ratelimit_flush(void);
void log_setverbose(int verbose);
/* stderr a socket or pipe (journald): lines that find no room are
 * dropped and counted (event=log_dropped) instead of blocking. */
void log_nonblocking(void);
/* Lines dropped and not yet reported. */
unsigned long log_dropped_lines(void);
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
