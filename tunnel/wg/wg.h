/*
 * wg.h — the one WireGuard data model both backends (UAPI socket, generic
 * netlink) read and write.  Modelled on what the kernel's
 * WG_CMD_GET_DEVICE/WG_CMD_SET_DEVICE carry, so a set request and a get
 * reply are the same struct: "has" flags say which optional fields a set
 * touches; stats are read-only and ignored on set.
 */
#ifndef TUNNEL_WG_H
#define TUNNEL_WG_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#define WG_KEY_LEN	32
#define WG_KEY_B64_LEN	45	/* 44 chars + NUL */

struct wg_allowedip {
	uint16_t	family;		/* AF_INET or AF_INET6 */
	uint8_t		cidr;
	union {
		struct in_addr	ip4;
		struct in6_addr	ip6;
	};
};

union wg_endpoint {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

enum wg_peer_flag {
	WG_PEER_REMOVE_ME		= 1U << 0,
	WG_PEER_REPLACE_ALLOWEDIPS	= 1U << 1,
	WG_PEER_UPDATE_ONLY		= 1U << 2,
	WG_PEER_HAS_PSK			= 1U << 3,
	WG_PEER_HAS_KEEPALIVE		= 1U << 4,
	WG_PEER_HAS_ENDPOINT		= 1U << 5,
};

struct wg_peer {
	uint32_t		flags;
	uint8_t			public_key[WG_KEY_LEN];
	uint8_t			preshared_key[WG_KEY_LEN];
	union wg_endpoint	endpoint;	/* sa_family 0: none */
	uint16_t		keepalive;	/* seconds, 0 = off */
	/* read only */
	int64_t			last_handshake_sec;
	int64_t			last_handshake_nsec;
	uint64_t		rx_bytes, tx_bytes;
	struct wg_allowedip	*aips;
	size_t			naips, aips_cap;
};

enum wg_device_flag {
	WG_DEV_REPLACE_PEERS		= 1U << 0,
	WG_DEV_HAS_PRIVATE_KEY		= 1U << 1,
	WG_DEV_HAS_PUBLIC_KEY		= 1U << 2,
	WG_DEV_HAS_LISTEN_PORT		= 1U << 3,
	WG_DEV_HAS_FWMARK		= 1U << 4,
};

struct wg_device {
	char			ifname[IFNAMSIZ];
	uint32_t		ifindex;
	uint32_t		flags;
	uint8_t			private_key[WG_KEY_LEN];
	uint8_t			public_key[WG_KEY_LEN];
	uint16_t		listen_port;
	uint32_t		fwmark;
	struct wg_peer		*peers;
	size_t			npeers, peers_cap;
};

/* Model helpers (wgdev.c).  Add functions return NULL/-1 on ENOMEM. */
struct wg_peer	*wg_device_add_peer(struct wg_device *);
int		 wg_peer_add_aip(struct wg_peer *, const struct wg_allowedip *);
struct wg_peer	*wg_device_find_peer(const struct wg_device *,
		    const uint8_t key[WG_KEY_LEN]);
void		 wg_device_clear(struct wg_device *);	/* frees, wipes keys */
int		 wg_device_copy(struct wg_device *, const struct wg_device *);
int		 wg_aip_equal(const struct wg_allowedip *,
		    const struct wg_allowedip *);
int		 wg_endpoint_equal(const union wg_endpoint *,
		    const union wg_endpoint *);
int		 wg_ifname_valid(const char *);

/* Text forms for show and errors: "10.0.0.0/24", "1.2.3.4:51820",
 * "[fe80::1]:51820".  Return 0, or -1 if the buffer is too small. */
int	wg_aip_fmt(const struct wg_allowedip *, char *, size_t);
int	wg_endpoint_fmt(const union wg_endpoint *, char *, size_t);
/* Parse "ADDR/CIDR" (CIDR optional: host route); 0 or -1. */
int	wg_aip_parse(const char *, struct wg_allowedip *);
/* Host bits set below the mask?  wg masks them silently; we refuse. */
int	wg_aip_has_host_bits(const struct wg_allowedip *);

#endif
