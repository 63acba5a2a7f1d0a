/*
 * cfgval.c — the values a configuration is written in: durations,
 * numbers, host:port, address prefixes, names and paths; and AllowFrom
 * matched against a peer; and the reader's first error.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/cfg-int.h"

/* The number a value starts with (digits only: no sign, no blank). */
static int
leading_u64(const char *s, unsigned long long *v, char **end)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, end, 10);
	return errno != 0 ? -1 : 0;
}

int
config_duration(const char *s, uint32_t *us)
{
	char *end;
	unsigned long long v, mul;

	if (leading_u64(s, &v, &end) == -1)
		return -1;
	if (strcmp(end, "us") == 0)
		mul = 1;
	else if (strcmp(end, "ms") == 0)
		mul = 1000;
	else if (strcmp(end, "s") == 0)
		mul = 1000000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mul = 60000000;
	else
		return -1;
	if (v > UINT32_MAX / mul)
		return -1;
	*us = (uint32_t)(v * mul);
	return 0;
}

void
config_fmt_duration(uint32_t us, char *out, size_t cap)
{
	if (us != 0 && us % 60000000 == 0)
		snprintf(out, cap, "%um", us / 60000000);
	else if (us != 0 && us % 1000000 == 0)
		snprintf(out, cap, "%us", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(out, cap, "%ums", us / 1000);
	else
		snprintf(out, cap, "%uus", us);
}

/* Seconds, as days, hours, minutes or seconds: "24h", "90m", "35d". */
int
config_age(const char *s, uint32_t *secs)
{
	char *end;
	unsigned long long v, mul;

	if (leading_u64(s, &v, &end) == -1 || end[0] == '\0' ||
	    end[1] != '\0')
		return -1;
	switch (end[0]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (v > UINT32_MAX / mul)
		return -1;
	*secs = (uint32_t)(v * mul);
	return 0;
}

void
config_fmt_age(uint32_t secs, char *out, size_t cap)
{
	if (secs % 86400 == 0)
		snprintf(out, cap, "%ud", secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(out, cap, "%uh", secs / 3600);
	else if (secs % 60 == 0)
		snprintf(out, cap, "%um", secs / 60);
	else
		snprintf(out, cap, "%us", secs);
}

/* Bytes, with K, M, G or T (powers of 1024) or none: "16G". */
int
config_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	const char *u;
	char *end;
	unsigned long long v;
	int shift = 0;

	if (leading_u64(s, &v, &end) == -1)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

void
config_fmt_size(uint64_t bytes, char *out, size_t cap)
{
	static const char units[] = "TGMK";
	int i;

	for (i = 0; i < 4; i++)
		if (bytes != 0 && bytes % (1ull << (10 * (4 - i))) == 0) {
			snprintf(out, cap, "%llu%c", (unsigned long long)
			    (bytes >> (10 * (4 - i))), units[i]);
			return;
		}
	snprintf(out, cap, "%llu", (unsigned long long)bytes);
}

int
cfg_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (leading_u64(s, &x, &end) == -1 || *end != '\0' || x > max)
		return -1;
	*v = x;
	return 0;
}

/* "1.2.3.4:80", "[::1]:80", "host:80" (resolved numerically only: a
 * daemon that parses hostile input should not wait on DNS at start). */
int
config_hostport(const char *s, struct cfg_addr *a, const char *dflt_port)
{
	char host[CFG_ADDR_MAX], *p;
	const char *port = NULL;
	uint64_t pv;
	struct addrinfo hints, *res;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof host)
		return -1;
	memcpy(host, s, n + 1);
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			return -1;
		*p = '\0';
		if (p[1] == ':')
			port = p + 2;
		else if (p[1] != '\0')
			return -1;
		memmove(host, host + 1, strlen(host + 1) + 1);
		/* port points past the moved part: it did not move */
	} else if ((p = strrchr(host, ':')) != NULL && strchr(host, ':') == p) {
		*p = '\0';
		port = p + 1;
	}
	if (port == NULL && (port = dflt_port) == NULL)
		return -1;
	if (cfg_u64(port, 65535, &pv) == -1)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	/* Normalise through the numeric form: "127.000.0.1" is not IPv4
	 * for getaddrinfo anyway, but "::0001" becomes "::1". */
	{
		char h[INET6_ADDRSTRLEN];
		uint16_t pt;
		if (a->ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof h);
			pt = ntohs(s6->sin6_port);
			snprintf(a->text, sizeof a->text, "[%s]:%u", h, pt);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
			inet_ntop(AF_INET, &s4->sin_addr, h, sizeof h);
			pt = ntohs(s4->sin_port);
			snprintf(a->text, sizeof a->text, "%s:%u", h, pt);
		}
	}
	return 0;
}

int
config_allowed(const struct cfg_link *l, const struct sockaddr *sa)
{
	return l->allow_any || net_prefix_match(l->allow, (size_t)l->nallow,
	    sa);
}

int
cfg_valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= CFG_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

int
cfg_copy_str(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap || *v == '\0')
		return -1;
	strcpy(dst, v);
	return 0;
}

void
cfg_error(struct pctx *px, const char *fmt, ...)
{
	va_list ap;

	if (px->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(px->err, sizeof px->err, fmt, ap);
	va_end(ap);
	px->fail_line = px->line;
	px->failed = 1;
}
