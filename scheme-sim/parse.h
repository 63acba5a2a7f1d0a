/*
 * parse.h — command-line value parsers shared by the scheme-sim modes:
 * durations ("40ms", "5s", "250us", "1.5s"), counts with k/m suffixes,
 * probabilities, host:port addresses, and a monotonic clock.
 */
#ifndef SIM_PARSE_H
#define SIM_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Durations: number (decimals allowed) + ns|us|ms|s|m; a bare number is
 * taken as seconds.  Result in nanoseconds.  0 / -1. */
int	sim_parse_duration(const char *, uint64_t *ns);
/* Unsigned integer with optional k (1e3) or m (1e6) suffix. */
int	sim_parse_count(const char *, uint64_t *);
/* len (1..19) decimal digits, not NUL-terminated: a numeric field. */
int	sim_parse_dec(const void *, size_t len, uint64_t *);
/* A number in [0, 1]. */
int	sim_parse_prob(const char *, double *);
/* "HOST:PORT", "[V6]:PORT" or ":PORT" (any address). Numeric only. */
int	sim_parse_addr(const char *, struct sockaddr_storage *, socklen_t *);
/*
 * Each line of a list file (--cards, --decline-pan), cut at the first
 * '#', to fn, which says why a line it refuses is bad.  0, or -1 with err
 * "PATH: reason" or "PATH:LINE: why".
 */
typedef int sim_line_fn(void *arg, char *line, char *why, size_t whysz);
int	sim_parse_list(const char *path, sim_line_fn *, void *arg, char *err,
	    size_t errsz);
/* Prints an address as HOST:PORT. */
const char *sim_addr_str(const struct sockaddr *, char *buf, size_t cap);

uint64_t sim_now_ns(void);		/* CLOCK_MONOTONIC */
uint64_t sim_wall_us(void);		/* CLOCK_REALTIME, µs since the epoch */

#endif
