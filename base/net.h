/*
 * net.h — address prefixes as config files write them ("10.0.0.0/8",
 * "2001:db8::1"), for gatewayd's AllowFrom and hsmd's Peers: parse,
 * print, and whether a peer's address is inside one of a list.
 */
#ifndef BASE_NET_H
#define BASE_NET_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

struct net_prefix {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	int		 plen;		/* prefix length */
};

/* ADDR or ADDR/LEN: 0, or -1 when it is not one. */
int	net_prefix_parse(const char *, struct net_prefix *);
/* As parsed; a whole address without its /32 or /128. */
void	net_prefix_fmt(const struct net_prefix *, char *out, size_t cap);
/* 1 when sa is inside one of p[0..n) (a v4-mapped IPv6 peer of a
 * dual-stack socket as its IPv4 address), else 0. */
int	net_prefix_match(const struct net_prefix *p, size_t n,
	    const struct sockaddr *sa);

#endif
