/*
 * wgapply.h — bring a tunnel file to life (up), move a running tunnel to
 * a changed file (sync), take it away (down).  Each either completes or
 * puts back what it changed.
 */
#ifndef TUNNEL_WGAPPLY_H
#define TUNNEL_WGAPPLY_H

#include "tunnel/wg/wgconf.h"
#include "tunnel/wg/wgctl.h"

struct tunnel_result {
	enum wg_backend	backend;
	int		created;	/* kernel link made by us */
	int		wg_changes;	/* peers/fields sent (sync) */
	unsigned int	addrs_added, addrs_removed;
	unsigned int	routes_added, routes_removed;
	double		ms;		/* wall time of the apply */
};

int	tunnel_up(const struct wg_config *, struct tunnel_result *);
int	tunnel_sync(const struct wg_config *, struct tunnel_result *);
int	tunnel_down(const char *ifname, struct tunnel_result *);

#endif
