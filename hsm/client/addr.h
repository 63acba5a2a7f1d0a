/*
 * addr.h — "unix:PATH" and "tcp:HOST:PORT" ("tcp:[v6]:PORT") endpoints,
 * shared by hsmd (listen) and the client (connect).
 */
#ifndef HSM_ADDR_H
#define HSM_ADDR_H

#include <sys/socket.h>

struct hsm_addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			is_unix;
	char			path[108];	/* unix socket path */
};

/* Resolves (blocking getaddrinfo for tcp:); 0 or -1. */
int	hsm_addr_parse(const char *spec, struct hsm_addr *);

#endif
