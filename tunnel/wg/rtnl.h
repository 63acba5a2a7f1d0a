/*
 * rtnl.h — interface plumbing over rtnetlink (libmnl): the WireGuard link
 * itself, its addresses, MTU, up/down, and routes for allowed IPs.
 * Prefixes reuse struct wg_allowedip (addresses keep their host bits).
 * All functions take an open NETLINK_ROUTE struct nl; 0 or -1 + errno.
 */
#ifndef TUNNEL_RTNL_H
#define TUNNEL_RTNL_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wg/nl.h"
#include "tunnel/wg/wg.h"

/* Routes we install carry this protocol, so sync removes only ours. */
#define RTNL_PROTO	RTPROT_STATIC

int	rtnl_link_create_wg(struct nl *, const char *ifname);
int	rtnl_link_delete(struct nl *, unsigned int ifindex);
/* kind: "wireguard", "tun", ... ("" when none), index and IFF_ flags
 * (either pointer may be NULL).  -1/ENODEV when there is no such link. */
int	rtnl_link_kind(struct nl *, const char *ifname, char *kind, size_t len,
	    unsigned int *ifindex, unsigned int *ifflags);
/* mtu 0: unchanged; up -1: unchanged, 0 down, 1 up. */
int	rtnl_link_set(struct nl *, unsigned int ifindex, uint32_t mtu, int up);
int	rtnl_link_names(struct nl *, const char *kind,
	    char (*names)[IFNAMSIZ], size_t max, size_t *n);

/* Global-scope addresses on ifindex (malloc'd array; free it). */
int	rtnl_addr_list(struct nl *, unsigned int ifindex,
	    struct wg_allowedip **out, size_t *n);
int	rtnl_addr_change(struct nl *, unsigned int ifindex,
	    const struct wg_allowedip *, int add);

/* Routes with RTNL_PROTO via ifindex in table (254 = main). */
int	rtnl_route_list(struct nl *, unsigned int ifindex, uint32_t table,
	    struct wg_allowedip **out, size_t *n);
int	rtnl_route_change(struct nl *, unsigned int ifindex, uint32_t table,
	    const struct wg_allowedip *, int add);

/* Builders, exposed for the unit tests. */
struct nlmsghdr *rtnl_build_link_create(void *buf, size_t len,
	    const char *ifname, const char *kind);
struct nlmsghdr *rtnl_build_addr(void *buf, size_t len, unsigned int ifindex,
	    const struct wg_allowedip *, int add);
struct nlmsghdr *rtnl_build_route(void *buf, size_t len, unsigned int ifindex,
	    uint32_t table, const struct wg_allowedip *, int add);

#endif
