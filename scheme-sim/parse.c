/*
 * parse.c — strict value parsers: a typo in a test's command line must
 * fail loudly, not run a different test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheme-sim/parse.h"

int
sim_parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	double v, mul;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mul = 1e9;
	else if (strcmp(end, "ms") == 0)
		mul = 1e6;
	else if (strcmp(end, "us") == 0)
		mul = 1e3;
	else if (strcmp(end, "ns") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mul = 60e9;
	else
		return -1;
	v *= mul;
	if (v > 1e18)
		return -1;
	*ns = (uint64_t)(v + 0.5);
	return 0;
}

int
sim_parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		mul = 1000, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1000000, end++;
	if (*end != '\0' || v > UINT64_MAX / mul)
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

int
sim_parse_dec(const void *s, size_t len, uint64_t *out)
{
	const uint8_t *d = s;
	uint64_t x = 0;
	size_t i;

	if (len == 0 || len > 19)
		return -1;
	for (i = 0; i < len; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(d[i] - '0');
	}
	*out = x;
	return 0;
}

int
sim_parse_prob(const char *s, double *p)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 1))
		return -1;
	*p = v;
	return 0;
}

int
sim_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[128];
	const char *colon, *hs, *he;
	char *end;
	unsigned long port;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (s == NULL)
		return -1;
	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		hs = s + 1;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return -1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hs = s;
		he = colon;
	}
	if ((size_t)(he - hs) >= sizeof host)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port > 65535)
		return -1;
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		strcpy(host, "0.0.0.0");
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*sl = sizeof *sin;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*sl = sizeof *sin6;
		return 0;
	}
	return -1;
}

int
sim_parse_list(const char *path, sim_line_fn *fn, void *arg, char *err,
    size_t errsz)
{
	FILE *f;
	char line[256], why[160], *p;
	size_t lineno = 0;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		if ((rc = fn(arg, line, why, sizeof why)) == -1)
			snprintf(err, errsz, "%s:%zu: %s", path, lineno, why);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}

const char *
sim_addr_str(const struct sockaddr *sa, char *buf, size_t cap)
{
	char h[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, h, sizeof h);
		snprintf(buf, cap, "%s:%u", h, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, h, sizeof h);
		snprintf(buf, cap, "[%s]:%u", h, ntohs(sin6->sin6_port));
	} else
		snprintf(buf, cap, "?");
	return buf;
}

uint64_t
sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
sim_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}
