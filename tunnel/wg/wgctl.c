/*
 * wgctl.c — backend choice and device listing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "tunnel/wg/nl.h"
#include "tunnel/wg/nlwg.h"
#include "tunnel/wg/rtnl.h"
#include "tunnel/wg/uapi.h"
#include "tunnel/wg/wgctl.h"

enum wg_backend
wg_backend_of(const char *ifname)
{
	return uapi_exists(ifname) ? WG_BACKEND_UAPI : WG_BACKEND_KERNEL;
}

const char *
wg_backend_name(enum wg_backend b)
{
	return b == WG_BACKEND_UAPI ? "userspace" : "kernel";
}

int
wg_get(const char *ifname, struct wg_device *dev)
{
	if (wg_backend_of(ifname) == WG_BACKEND_UAPI)
		return uapi_get(ifname, dev);
	return nlwg_get(ifname, dev);
}

int
wg_set(const struct wg_device *dev)
{
	if (wg_backend_of(dev->ifname) == WG_BACKEND_UAPI)
		return uapi_set(dev);
	return nlwg_set(dev);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
wg_list(char (*names)[IFNAMSIZ], size_t max, size_t *n)
{
	struct nl nl;
	size_t nu = 0, nk = 0, i, j = 0;

	*n = 0;
	if (uapi_list(names, max, &nu) == -1)
		return -1;
	/* Kernel links; a namespace without rtnetlink access just has none. */
	if (nu < max && nl_open(&nl, NETLINK_ROUTE) == 0) {
		if (rtnl_link_names(&nl, "wireguard", names + nu, max - nu,
		    &nk) == -1)
			nk = 0;
		nl_close(&nl);
	}
	*n = nu + nk;
	qsort(names, *n, IFNAMSIZ, name_cmp);
	/* A socket and a kernel link of one name are one device to wg. */
	for (i = 1, j = 1; i < *n; i++)
		if (strcmp(names[i], names[j - 1]) != 0)
			memmove(names[j++], names[i], IFNAMSIZ);
	if (*n > 0)
		*n = j;
	return 0;
}
