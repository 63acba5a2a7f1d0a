/*
 * wgapply.c — up, sync, down.  Everything is validated before this runs
 * (wgconf.c); here each step that changes the system is recorded so a
 * failure part-way puts the previous state back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/rtnetlink.h>

#include "base/log.h"
#include "tunnel/wg/nl.h"
#include "tunnel/wg/rtnl.h"
#include "tunnel/wg/wgapply.h"

enum { CH_ADDR, CH_ROUTE };

struct change {
	int			kind, added;
	struct wg_allowedip	p;
};

struct undo {
	struct change	*v;
	size_t		 n, cap;
};

struct ctx {
	struct nl		 rt;
	const char		*ifname;
	unsigned int		 ifindex, ifflags;
	uint32_t		 table;
	struct undo		 undo;
	struct tunnel_result	*res;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
undo_push(struct undo *u, int kind, int added, const struct wg_allowedip *p)
{
	if (u->n == u->cap) {
		size_t ncap = u->cap ? u->cap * 2 : 16;
		void *np = realloc(u->v, ncap * sizeof(*u->v));

		if (np == NULL)
			return -1;
		u->v = np;
		u->cap = ncap;
	}
	u->v[u->n].kind = kind;
	u->v[u->n].added = added;
	u->v[u->n].p = *p;
	u->n++;
	return 0;
}

static int
has_prefix(const struct wg_allowedip *v, size_t n, const struct wg_allowedip *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (wg_aip_equal(&v[i], p))
			return 1;
	return 0;
}

static int
change(struct ctx *c, int kind, const struct wg_allowedip *p, int add)
{
	char txt[64] = "?";
	int rc;

	wg_aip_fmt(p, txt, sizeof(txt));
	if (kind == CH_ADDR)
		rc = rtnl_addr_change(&c->rt, c->ifindex, p, add);
	else
		rc = rtnl_route_change(&c->rt, c->ifindex, c->table, p, add);
	if (rc == -1) {
		if (kind == CH_ROUTE && add && errno == EEXIST)
			log_warnx("%s: route %s already exists in table %u "
			    "(through another interface?): not taking it over",
			    c->ifname, txt, c->table);
		else
			log_warn("%s: %s %s %s", c->ifname,
			    add ? "add" : "remove",
			    kind == CH_ADDR ? "address" : "route", txt);
		return -1;
	}
	log_debug("%s: %s %s %s", c->ifname, add ? "added" : "removed",
	    kind == CH_ADDR ? "address" : "route", txt);
	if (kind == CH_ADDR)
		*(add ? &c->res->addrs_added : &c->res->addrs_removed) += 1;
	else
		*(add ? &c->res->routes_added : &c->res->routes_removed) += 1;
	return undo_push(&c->undo, kind, add, p);
}

/* Make the set of addresses or routes on the link equal want[]. */
static int
reconcile(struct ctx *c, int kind, const struct wg_allowedip *want,
    size_t nwant)
{
	struct wg_allowedip *cur = NULL;
	size_t ncur = 0, i;
	int rc = -1;

	if ((kind == CH_ADDR ? rtnl_addr_list(&c->rt, c->ifindex, &cur, &ncur) :
	    rtnl_route_list(&c->rt, c->ifindex, c->table, &cur, &ncur)) == -1) {
		log_warn("%s: list %s", c->ifname,
		    kind == CH_ADDR ? "addresses" : "routes");
		return -1;
	}
	for (i = 0; i < ncur; i++)
		if (!has_prefix(want, nwant, &cur[i]) &&
		    change(c, kind, &cur[i], 0) == -1)
			goto out;
	for (i = 0; i < nwant; i++)
		if (!has_prefix(cur, ncur, &want[i]) &&
		    change(c, kind, &want[i], 1) == -1)
			goto out;
	rc = 0;
out:
	free(cur);
	return rc;
}

/* Every peer's allowed IPs, flattened: the routes the file asks for. */
static int
want_routes(const struct wg_config *cfg, struct wg_allowedip **out, size_t *n)
{
	size_t i, j, k = 0, total = 0;

	for (i = 0; i < cfg->dev.npeers; i++)
		total += cfg->dev.peers[i].naips;
	*out = calloc(total ? total : 1, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (i = 0; i < cfg->dev.npeers; i++)
		for (j = 0; j < cfg->dev.peers[i].naips; j++)
			(*out)[k++] = cfg->dev.peers[i].aips[j];
	*n = k;
	return 0;
}

static int
plumb(struct ctx *c, const struct wg_config *cfg, int up)
{
	struct wg_allowedip *routes;
	size_t nroutes;
	int rc;

	if (reconcile(c, CH_ADDR, cfg->addrs, cfg->naddrs) == -1)
		return -1;
	if ((cfg->mtu != 0 || up >= 0) &&
	    rtnl_link_set(&c->rt, c->ifindex, cfg->mtu, up) == -1) {
		log_warn("%s: set mtu/up", c->ifname);
		return -1;
	}
	if (cfg->table == WG_TABLE_OFF)
		return 0;
	if (want_routes(cfg, &routes, &nroutes) == -1)
		return -1;
	rc = reconcile(c, CH_ROUTE, routes, nroutes);
	free(routes);
	return rc;
}

/* Put the WireGuard device back as snap, sending only what differs. */
static void
restore_wg(const char *ifname, const struct wg_device *snap)
{
	struct wg_device cur, d;
	int n;

	if (wg_get(ifname, &cur) == -1) {
		log_warnx("%s: rollback: cannot read the device back", ifname);
		return;
	}
	if ((n = wg_diff(&cur, snap, &d)) > 0 && wg_set(&d) == -1)
		log_warnx("%s: rollback: WireGuard settings not restored",
		    ifname);
	wg_device_clear(&d);
	wg_device_clear(&cur);
}

static void
rollback(struct ctx *c, const struct wg_device *snap, int created)
{
	size_t i;

	log_warnx("%s: failed; putting the previous state back", c->ifname);
	if (created) {
		if (rtnl_link_delete(&c->rt, c->ifindex) == -1)
			log_warn("%s: rollback: delete link", c->ifname);
		return;
	}
	for (i = c->undo.n; i-- > 0;) {
		const struct change *ch = &c->undo.v[i];
		int rc = ch->kind == CH_ADDR ?
		    rtnl_addr_change(&c->rt, c->ifindex, &ch->p, !ch->added) :
		    rtnl_route_change(&c->rt, c->ifindex, c->table, &ch->p,
		    !ch->added);

		if (rc == -1)
			log_warn("%s: rollback: %s", c->ifname,
			    ch->kind == CH_ADDR ? "address" : "route");
	}
	if (rtnl_link_set(&c->rt, c->ifindex, 0,
	    (c->ifflags & IFF_UP) ? 1 : 0) == -1)
		log_warn("%s: rollback: link state", c->ifname);
	if (snap != NULL)
		restore_wg(c->ifname, snap);
}

static int
ctx_open(struct ctx *c, const char *ifname, long table,
    struct tunnel_result *res)
{
	memset(c, 0, sizeof(*c));
	memset(res, 0, sizeof(*res));
	c->ifname = ifname;
	c->res = res;
	c->table = table > 0 ? (uint32_t)table : RT_TABLE_MAIN;
	res->backend = wg_backend_of(ifname);
	if (nl_open(&c->rt, NETLINK_ROUTE) == -1) {
		log_warn("rtnetlink: open");
		return -1;
	}
	return 0;
}

static void
ctx_close(struct ctx *c)
{
	nl_close(&c->rt);
	free(c->undo.v);
}

/* Look the link up; 1 found, 0 absent, -1 error. */
static int
find_link(struct ctx *c, char *kind, size_t kindlen)
{
	if (rtnl_link_kind(&c->rt, c->ifname, kind, kindlen, &c->ifindex,
	    &c->ifflags) == 0)
		return 1;
	if (errno == ENODEV)
		return 0;
	log_warn("%s: look up link", c->ifname);
	return -1;
}

int
tunnel_up(const struct wg_config *cfg, struct tunnel_result *res)
{
	struct wg_device snap;
	struct ctx c;
	char kind[32];
	double t0 = now_ms();
	int found, rc = -1, have_snap = 0;

	memset(&snap, 0, sizeof(snap));
	if (ctx_open(&c, cfg->ifname, cfg->table, res) == -1)
		return -1;
	if ((found = find_link(&c, kind, sizeof(kind))) == -1)
		goto out;
	if (res->backend == WG_BACKEND_UAPI) {
		/* The userspace daemon (its own unit) made the link. */
		if (!found) {
			log_warnx("%s: a UAPI socket exists but no such "
			    "interface in this network namespace", c.ifname);
			goto out;
		}
		if (wg_get(c.ifname, &snap) == -1)
			goto out;
		have_snap = 1;
	} else {
		if (found) {
			log_warnx("%s: already exists (%s); use tunnel sync "
			    "to change it or tunnel down first", c.ifname,
			    kind[0] ? kind : "no kind");
			goto out;
		}
		if (rtnl_link_create_wg(&c.rt, c.ifname) == -1) {
			log_warn("%s: create kernel WireGuard link%s", c.ifname,
			    errno == EOPNOTSUPP ? " (is the wireguard module "
			    "available?)" : "");
			goto out;
		}
		res->created = 1;
		if (find_link(&c, kind, sizeof(kind)) != 1)
			goto fail;
	}
	if (wg_set(&cfg->dev) == -1)
		goto fail;
	if (plumb(&c, cfg, 1) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	rollback(&c, have_snap ? &snap : NULL, res->created);
out:
	res->ms = now_ms() - t0;
	wg_device_clear(&snap);
	ctx_close(&c);
	return rc;
}

int
tunnel_sync(const struct wg_config *cfg, struct tunnel_result *res)
{
	struct wg_device cur, d;
	struct ctx c;
	char kind[32];
	double t0 = now_ms();
	int found, rc = -1, n;

	memset(&cur, 0, sizeof(cur));
	memset(&d, 0, sizeof(d));
	if (ctx_open(&c, cfg->ifname, cfg->table, res) == -1)
		return -1;
	if ((found = find_link(&c, kind, sizeof(kind))) != 1) {
		if (found == 0)
			log_warnx("%s: no such interface; use tunnel up",
			    c.ifname);
		goto out;
	}
	if (res->backend == WG_BACKEND_KERNEL && strcmp(kind, "wireguard")) {
		log_warnx("%s: is a %s link, not WireGuard", c.ifname,
		    kind[0] ? kind : "plain");
		goto out;
	}
	if (wg_get(c.ifname, &cur) == -1)
		goto out;
	if ((n = wg_diff(&cur, &cfg->dev, &d)) == -1)
		goto out;
	res->wg_changes = n;
	if (n > 0 && wg_set(&d) == -1)
		goto fail;
	if (plumb(&c, cfg, -1) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	rollback(&c, &cur, 0);
out:
	res->ms = now_ms() - t0;
	wg_device_clear(&cur);
	wg_device_clear(&d);
	ctx_close(&c);
	return rc;
}

int
tunnel_down(const char *ifname, struct tunnel_result *res)
{
	struct wg_allowedip *v = NULL;
	struct wg_device clear;
	struct ctx c;
	char kind[32];
	double t0 = now_ms();
	size_t n = 0, i;
	int found, rc = -1;

	if (ctx_open(&c, ifname, WG_TABLE_AUTO, res) == -1)
		return -1;
	if ((found = find_link(&c, kind, sizeof(kind))) != 1) {
		if (found == 0)
			log_warnx("%s: no such interface", ifname);
		goto out;
	}
	if (res->backend == WG_BACKEND_KERNEL) {
		if (strcmp(kind, "wireguard") != 0) {
			log_warnx("%s: is a %s link, not WireGuard: not "
			    "deleting it", ifname, kind[0] ? kind : "plain");
			goto out;
		}
		if (rtnl_link_delete(&c.rt, c.ifindex) == -1) {
			log_warn("%s: delete link", ifname);
			goto out;
		}
		rc = 0;
		goto out;
	}
	/* Userspace: the daemon belongs to its unit.  Leave it running but
	 * empty: link down, our routes and addresses gone, no key, no peers. */
	if (rtnl_route_list(&c.rt, c.ifindex, RT_TABLE_MAIN, &v, &n) == 0) {
		for (i = 0; i < n; i++)
			if (rtnl_route_change(&c.rt, c.ifindex, RT_TABLE_MAIN,
			    &v[i], 0) == 0)
				res->routes_removed++;
		free(v);
	}
	if (rtnl_link_set(&c.rt, c.ifindex, 0, 0) == -1) {
		log_warn("%s: set link down", ifname);
		goto out;
	}
	if (rtnl_addr_list(&c.rt, c.ifindex, &v, &n) == 0) {
		for (i = 0; i < n; i++)
			if (rtnl_addr_change(&c.rt, c.ifindex, &v[i], 0) == 0)
				res->addrs_removed++;
		free(v);
	}
	memset(&clear, 0, sizeof(clear));
	snprintf(clear.ifname, sizeof(clear.ifname), "%s", ifname);
	clear.flags = WG_DEV_REPLACE_PEERS | WG_DEV_HAS_PRIVATE_KEY;
	rc = wg_set(&clear);
out:
	res->ms = now_ms() - t0;
	ctx_close(&c);
	return rc;
}
