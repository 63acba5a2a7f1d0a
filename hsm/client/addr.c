/*
 * addr.c — endpoint parsing.
 */
#include <sys/un.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "hsm/client/addr.h"

int
hsm_addr_parse(const char *spec, struct hsm_addr *a)
{
	struct addrinfo hints, *res;
	struct sockaddr_un *sun;
	char host[256];
	const char *p, *port;
	size_t hl;

	memset(a, 0, sizeof *a);
	if (strncmp(spec, "unix:", 5) == 0) {
		p = spec + 5;
		sun = (struct sockaddr_un *)&a->ss;
		if (*p == '\0' || strlen(p) >= sizeof sun->sun_path)
			return -1;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, p, strlen(p) + 1);
		memcpy(a->path, p, strlen(p) + 1);
		a->len = (socklen_t)sizeof *sun;
		a->is_unix = 1;
		return 0;
	}
	if (strncmp(spec, "tcp:", 4) != 0)
		return -1;
	p = spec + 4;
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		hl = (size_t)(end - p - 1);
		p++;
		port = end + 2;
	} else {
		if ((port = strrchr(p, ':')) == NULL)
			return -1;
		hl = (size_t)(port - p);
		port++;
	}
	if (hl == 0 || hl >= sizeof host || *port == '\0')
		return -1;
	memcpy(host, p, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	if (res->ai_addrlen > sizeof a->ss) {
		freeaddrinfo(res);
		return -1;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}
