/*
 * nlwg.h — the kernel WireGuard backend: generic netlink family
 * "wireguard" (linux/wireguard.h).  Message building and reply parsing
 * are separate from the socket so tests parse back what we build and
 * the fuzzer feeds replies without a kernel.
 */
#ifndef TUNNEL_NLWG_H
#define TUNNEL_NLWG_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wg/wg.h"

/* Where a multi-message set resumes: peer index, allowed IP index. */
struct nlwg_cursor {
	size_t	peer, aip;
	int	started;	/* device attributes sent */
	int	head_sent;	/* flags/settings of peer[peer] sent */
	int	done;
};

/*
 * Build the next WG_CMD_SET_DEVICE message of dev into buf (len bytes),
 * as many peers and allowed IPs as fit.  Device attributes and
 * REPLACE_PEERS go in the first message only, a peer's flags and
 * settings in its first chunk only (REPLACE_ALLOWEDIPS must not repeat).
 * Returns the message, or NULL (errno EMSGSIZE) when not even one peer
 * fits in an empty message.
 */
struct nlmsghdr *nlwg_build_set(void *buf, size_t len, uint16_t family,
	    const struct wg_device *dev, struct nlwg_cursor *cur);
struct nlmsghdr *nlwg_build_get(void *buf, size_t len, uint16_t family,
	    const char *ifname);
/*
 * One message of a WG_CMD_GET_DEVICE dump, merged into dev (zeroed
 * before the first): adjacent chunks of one peer are coalesced.  A
 * libmnl callback: MNL_CB_OK or MNL_CB_ERROR.
 */
int	nlwg_parse_cb(const struct nlmsghdr *, void *dev);

int	nlwg_get(const char *ifname, struct wg_device *dev);
int	nlwg_set(const struct wg_device *dev);
/* Set with an explicit message size: tests force many messages. */
int	nlwg_set_bufsize(const struct wg_device *dev, size_t bufsize);

#endif
