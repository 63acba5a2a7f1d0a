/*
 * wgctl.h — get and set a WireGuard device whichever backend runs it,
 * chosen as wg(8) chooses: the UAPI socket when IFACE.sock exists,
 * generic netlink to the kernel module otherwise.
 */
#ifndef TUNNEL_WGCTL_H
#define TUNNEL_WGCTL_H

#include "tunnel/wg/wg.h"

enum wg_backend { WG_BACKEND_KERNEL, WG_BACKEND_UAPI };

enum wg_backend	 wg_backend_of(const char *ifname);
const char	*wg_backend_name(enum wg_backend);
int		 wg_get(const char *ifname, struct wg_device *dev);
int		 wg_set(const struct wg_device *dev);
/* Every WireGuard device here: UAPI sockets, then kernel links; sorted. */
int		 wg_list(char (*names)[IFNAMSIZ], size_t max, size_t *n);

/*
 * What must be sent to turn cur into want without disturbing anything
 * that is already right (wg syncconf): changed device fields, removed
 * peers (REMOVE_ME), new peers, and only the changed fields of kept
 * peers (allowed IPs replaced as a set when the set differs).  out is
 * zeroed first; returns the number of changes, or -1 on ENOMEM.
 */
int		 wg_diff(const struct wg_device *cur,
		    const struct wg_device *want, struct wg_device *out);

#endif
