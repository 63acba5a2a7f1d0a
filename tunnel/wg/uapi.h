/*
 * uapi.h — the userspace WireGuard control socket
 * (/var/run/wireguard/IFACE.sock, spoken by wireguard-go and boringtun):
 * "get=1\n\n" / "set=1\n" + key=value lines + "\n", keys in hex, each
 * reply ending "errno=N\n\n".  Encoding and parsing are pure functions
 * so tests and the fuzzer drive them without a socket.
 */
#ifndef TUNNEL_UAPI_H
#define TUNNEL_UAPI_H

#include <stddef.h>

#include "tunnel/wg/wg.h"

#define UAPI_DIR	"/var/run/wireguard"

struct uapi_buf {
	char	*p;
	size_t	 len, cap;
};
void	uapi_buf_free(struct uapi_buf *);	/* wipes: keys pass here */

/* Whole set request, terminating blank line included.  0 or -1. */
int	uapi_encode_set(const struct wg_device *, struct uapi_buf *);
/*
 * Parse a get reply (up to and including "errno=N\n\n") into dev, which
 * must start zeroed.  *err_no gets N.  0 when well formed, -1 otherwise.
 */
int	uapi_parse_get(const char *buf, size_t len, struct wg_device *dev,
	    int *err_no);
/* Parse a set reply: "errno=N\n\n".  0 when well formed, -1 otherwise. */
int	uapi_parse_errno(const char *buf, size_t len, int *err_no);

/* Socket side.  uapi_exists: 1 when IFACE.sock is a socket. */
int	uapi_exists(const char *ifname);
int	uapi_get(const char *ifname, struct wg_device *dev);
int	uapi_set(const struct wg_device *dev);
/* Names of the devices with a socket; *n set; 0 or -1. */
int	uapi_list(char (*names)[IFNAMSIZ], size_t max, size_t *n);

#endif
