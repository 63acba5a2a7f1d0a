/* net.c — see net.h. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/net.h"

int
net_prefix_parse(const char *s, struct net_prefix *p)
{
	char a[INET6_ADDRSTRLEN + 8], *slash, *end;
	long n;
	int max;

	if (strlen(s) >= sizeof a)
		return -1;
	strcpy(a, s);
	if ((slash = strchr(a, '/')) != NULL)
		*slash++ = '\0';
	memset(p, 0, sizeof *p);
	if (inet_pton(AF_INET, a, p->addr) == 1) {
		p->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, a, p->addr) == 1) {
		p->af = AF_INET6;
		max = 128;
	} else
		return -1;
	p->plen = max;
	if (slash != NULL) {
		errno = 0;
		n = strtol(slash, &end, 10);
		if (*slash < '0' || *slash > '9' || *end != '\0' || errno ||
		    n > max)
			return -1;
		p->plen = (int)n;
	}
	return 0;
}

void
net_prefix_fmt(const struct net_prefix *p, char *out, size_t cap)
{
	char h[INET6_ADDRSTRLEN];

	inet_ntop(p->af, p->addr, h, sizeof h);
	if (p->plen == (p->af == AF_INET ? 32 : 128))
		snprintf(out, cap, "%s", h);
	else
		snprintf(out, cap, "%s/%d", h, p->plen);
}

static int
inside(const struct net_prefix *p, int af, const uint8_t *a)
{
	int whole = p->plen / 8, rest = p->plen % 8;

	if (af != p->af || memcmp(a, p->addr, (size_t)whole) != 0)
		return 0;
	return rest == 0 ||
	    ((a[whole] ^ p->addr[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
net_prefix_match(const struct net_prefix *p, size_t n,
    const struct sockaddr *sa)
{
	const uint8_t *a;
	int af = sa->sa_family;
	size_t i;

	if (af == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	else if (af == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;
		a = a6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			a += 12;
			af = AF_INET;
		}
	} else
		return 0;
	for (i = 0; i < n; i++)
		if (inside(&p[i], af, a))
			return 1;
	return 0;
}
