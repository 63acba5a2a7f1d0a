/*
 * nlwg.c — kernel WireGuard over generic netlink, built with libmnl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <sodium.h>

#include "base/log.h"
#include "tunnel/wg/nl.h"
#include "tunnel/wg/nlwg.h"

static uint32_t
peer_nl_flags(uint32_t f)
{
	uint32_t o = 0;

	if (f & WG_PEER_REMOVE_ME)
		o |= WGPEER_F_REMOVE_ME;
	if (f & WG_PEER_REPLACE_ALLOWEDIPS)
		o |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (f & WG_PEER_UPDATE_ONLY)
		o |= WGPEER_F_UPDATE_ONLY;
	return o;
}

static struct nlmsghdr *
genl_header(void *buf, uint16_t family, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = WG_GENL_VERSION;
	return nlh;
}

/* The first chunk of a peer: key, flags, settings.  false if full. */
static bool
put_peer_head(struct nlmsghdr *nlh, size_t len, const struct wg_peer *p,
    int first)
{
	uint32_t fl = peer_nl_flags(p->flags);

	if (!mnl_attr_put_check(nlh, len, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN,
	    p->public_key))
		return false;
	if (!first)
		return true;
	if (fl && !mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS, fl))
		return false;
	if (p->flags & WG_PEER_REMOVE_ME)
		return true;
	if ((p->flags & WG_PEER_HAS_PSK) && !mnl_attr_put_check(nlh, len,
	    WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, p->preshared_key))
		return false;
	if (p->endpoint.sa.sa_family == AF_INET && !mnl_attr_put_check(nlh,
	    len, WGPEER_A_ENDPOINT, sizeof(p->endpoint.sin), &p->endpoint.sin))
		return false;
	if (p->endpoint.sa.sa_family == AF_INET6 && !mnl_attr_put_check(nlh,
	    len, WGPEER_A_ENDPOINT, sizeof(p->endpoint.sin6),
	    &p->endpoint.sin6))
		return false;
	if ((p->flags & WG_PEER_HAS_KEEPALIVE) && !mnl_attr_put_u16_check(nlh,
	    len, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive))
		return false;
	return true;
}

static bool
put_aip(struct nlmsghdr *nlh, size_t len, const struct wg_allowedip *a)
{
	struct nlattr *n = mnl_attr_nest_start_check(nlh, len, 0);

	if (n == NULL)
		return false;
	if (!mnl_attr_put_u16_check(nlh, len, WGALLOWEDIP_A_FAMILY, a->family) ||
	    !mnl_attr_put_check(nlh, len, WGALLOWEDIP_A_IPADDR,
	    a->family == AF_INET ? sizeof(a->ip4) : sizeof(a->ip6), &a->ip6) ||
	    !mnl_attr_put_u8_check(nlh, len, WGALLOWEDIP_A_CIDR_MASK, a->cidr)) {
		mnl_attr_nest_cancel(nlh, n);
		return false;
	}
	mnl_attr_nest_end(nlh, n);
	return true;
}

/*
 * One peer chunk.  Returns 1 when the peer is finished, 0 when the
 * message filled up after some progress, -1 when nothing of it fitted.
 */
static int
put_peer(struct nlmsghdr *nlh, size_t len, const struct wg_peer *p,
    struct nlwg_cursor *cur, int *peer_head_sent)
{
	struct nlattr *pn, *an;
	size_t first_aip = cur->aip;

	if ((pn = mnl_attr_nest_start_check(nlh, len, 0)) == NULL)
		return -1;
	if (!put_peer_head(nlh, len, p, !*peer_head_sent)) {
		mnl_attr_nest_cancel(nlh, pn);
		return -1;
	}
	*peer_head_sent = 1;
	if (!(p->flags & WG_PEER_REMOVE_ME) && cur->aip < p->naips) {
		if ((an = mnl_attr_nest_start_check(nlh, len,
		    WGPEER_A_ALLOWEDIPS)) == NULL) {
			mnl_attr_nest_end(nlh, pn);
			return 0;
		}
		while (cur->aip < p->naips &&
		    put_aip(nlh, len, &p->aips[cur->aip]))
			cur->aip++;
		if (cur->aip == first_aip)
			mnl_attr_nest_cancel(nlh, an);
		else
			mnl_attr_nest_end(nlh, an);
	}
	mnl_attr_nest_end(nlh, pn);
	return (p->flags & WG_PEER_REMOVE_ME) || cur->aip >= p->naips ? 1 : 0;
}

struct nlmsghdr *
nlwg_build_set(void *buf, size_t len, uint16_t family,
    const struct wg_device *dev, struct nlwg_cursor *cur)
{
	struct nlmsghdr *nlh;
	struct nlattr *peers;
	int progress = 0;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)) +
	    MNL_ATTR_HDRLEN + IFNAMSIZ) {
		errno = EMSGSIZE;
		return NULL;
	}
	nlh = genl_header(buf, family, NLM_F_REQUEST | NLM_F_ACK,
	    WG_CMD_SET_DEVICE);
	if (!mnl_attr_put_strz_check(nlh, len, WGDEVICE_A_IFNAME, dev->ifname))
		goto small;
	if (!cur->started) {
		if ((dev->flags & WG_DEV_HAS_PRIVATE_KEY) &&
		    !mnl_attr_put_check(nlh, len, WGDEVICE_A_PRIVATE_KEY,
		    WG_KEY_LEN, dev->private_key))
			goto small;
		if ((dev->flags & WG_DEV_HAS_LISTEN_PORT) &&
		    !mnl_attr_put_u16_check(nlh, len, WGDEVICE_A_LISTEN_PORT,
		    dev->listen_port))
			goto small;
		if ((dev->flags & WG_DEV_HAS_FWMARK) &&
		    !mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FWMARK,
		    dev->fwmark))
			goto small;
		if ((dev->flags & WG_DEV_REPLACE_PEERS) &&
		    !mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FLAGS,
		    WGDEVICE_F_REPLACE_PEERS))
			goto small;
		progress = 1;
	}
	if (cur->peer < dev->npeers &&
	    (peers = mnl_attr_nest_start_check(nlh, len, WGDEVICE_A_PEERS))) {
		int added = 0;

		while (cur->peer < dev->npeers) {
			int r = put_peer(nlh, len, &dev->peers[cur->peer], cur,
			    &cur->head_sent);

			if (r == -1)
				break;
			added = 1;
			if (r == 0)
				break;
			cur->peer++;
			cur->aip = 0;
			cur->head_sent = 0;
		}
		if (added) {
			mnl_attr_nest_end(nlh, peers);
			progress = 1;
		} else {
			mnl_attr_nest_cancel(nlh, peers);
		}
	}
	if (!progress)
		goto small;
	cur->started = 1;
	cur->done = cur->peer >= dev->npeers;
	return nlh;
small:
	errno = EMSGSIZE;
	return NULL;
}

struct nlmsghdr *
nlwg_build_get(void *buf, size_t len, uint16_t family, const char *ifname)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + 64)
		return NULL;
	nlh = genl_header(buf, family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
	    WG_CMD_GET_DEVICE);
	if (!mnl_attr_put_strz_check(nlh, len, WGDEVICE_A_IFNAME, ifname))
		return NULL;
	return nlh;
}

/* --- parsing ------------------------------------------------------------ */

static int
key_attr(const struct nlattr *a, uint8_t out[WG_KEY_LEN])
{
	if (mnl_attr_validate2(a, MNL_TYPE_BINARY, WG_KEY_LEN) == -1)
		return -1;
	memcpy(out, mnl_attr_get_payload(a), WG_KEY_LEN);
	return 0;
}

/* A key the kernel may report as all zeros, meaning none: has unset. */
static int
optional_key_attr(const struct nlattr *a, uint8_t out[WG_KEY_LEN],
    uint32_t *flags, uint32_t has)
{
	if (key_attr(a, out) == -1)
		return -1;
	if (!sodium_is_zero(out, WG_KEY_LEN))
		*flags |= has;
	return 0;
}

static int
aip_attr_cb(const struct nlattr *a, void *data)
{
	struct wg_allowedip *ip = data;
	uint16_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case WGALLOWEDIP_A_FAMILY:
		if (mnl_attr_validate(a, MNL_TYPE_U16) == -1)
			return MNL_CB_ERROR;
		ip->family = mnl_attr_get_u16(a);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (len != sizeof(ip->ip4) && len != sizeof(ip->ip6))
			return MNL_CB_ERROR;
		memcpy(&ip->ip6, mnl_attr_get_payload(a), len);
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (mnl_attr_validate(a, MNL_TYPE_U8) == -1)
			return MNL_CB_ERROR;
		ip->cidr = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

static int
aips_cb(const struct nlattr *a, void *data)
{
	struct wg_peer *p = data;
	struct wg_allowedip ip;
	const struct nlattr *addr;

	memset(&ip, 0, sizeof(ip));
	if (mnl_attr_parse_nested(a, aip_attr_cb, &ip) <= MNL_CB_STOP)
		return MNL_CB_ERROR;
	/* The address length must match the family, the mask the length. */
	addr = NULL;
	mnl_attr_for_each_nested(addr, a)
		if (mnl_attr_get_type(addr) == WGALLOWEDIP_A_IPADDR)
			break;
	if (addr == NULL || (ip.family != AF_INET && ip.family != AF_INET6))
		return MNL_CB_ERROR;
	if (mnl_attr_get_payload_len(addr) !=
	    (ip.family == AF_INET ? sizeof(ip.ip4) : sizeof(ip.ip6)) ||
	    ip.cidr > (ip.family == AF_INET ? 32 : 128))
		return MNL_CB_ERROR;
	return wg_peer_add_aip(p, &ip) == -1 ? MNL_CB_ERROR : MNL_CB_OK;
}

struct peer_ctx {
	struct wg_peer	p;
	int		have_key;
};

static int
peer_attr_cb(const struct nlattr *a, void *data)
{
	struct peer_ctx *c = data;
	struct wg_peer *p = &c->p;
	uint16_t len = mnl_attr_get_payload_len(a);
	struct __kernel_timespec ts;

	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_PUBLIC_KEY:
		if (key_attr(a, p->public_key) == -1)
			return MNL_CB_ERROR;
		c->have_key = 1;
		break;
	case WGPEER_A_PRESHARED_KEY:
		if (optional_key_attr(a, p->preshared_key, &p->flags,
		    WG_PEER_HAS_PSK) == -1)
			return MNL_CB_ERROR;
		break;
	case WGPEER_A_ENDPOINT: {
		const struct sockaddr *sa = mnl_attr_get_payload(a);

		if (len < sizeof(*sa))
			return MNL_CB_ERROR;
		if (sa->sa_family == AF_INET && len >= sizeof(p->endpoint.sin))
			memcpy(&p->endpoint.sin, sa, sizeof(p->endpoint.sin));
		else if (sa->sa_family == AF_INET6 &&
		    len >= sizeof(p->endpoint.sin6))
			memcpy(&p->endpoint.sin6, sa, sizeof(p->endpoint.sin6));
		else
			return MNL_CB_ERROR;
		p->flags |= WG_PEER_HAS_ENDPOINT;
		break;
	}
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (mnl_attr_validate(a, MNL_TYPE_U16) == -1)
			return MNL_CB_ERROR;
		p->keepalive = mnl_attr_get_u16(a);
		p->flags |= WG_PEER_HAS_KEEPALIVE;
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		if (len != sizeof(ts))
			return MNL_CB_ERROR;
		memcpy(&ts, mnl_attr_get_payload(a), sizeof(ts));
		p->last_handshake_sec = ts.tv_sec;
		p->last_handshake_nsec = ts.tv_nsec;
		break;
	case WGPEER_A_RX_BYTES:
		if (mnl_attr_validate(a, MNL_TYPE_U64) == -1)
			return MNL_CB_ERROR;
		p->rx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_TX_BYTES:
		if (mnl_attr_validate(a, MNL_TYPE_U64) == -1)
			return MNL_CB_ERROR;
		p->tx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_ALLOWEDIPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == -1)
			return MNL_CB_ERROR;
		if (mnl_attr_parse_nested(a, aips_cb, p) <= MNL_CB_STOP)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int
peers_cb(const struct nlattr *a, void *data)
{
	struct wg_device *dev = data;
	struct wg_peer *last, *np;
	struct peer_ctx c;
	int rc = MNL_CB_ERROR;
	size_t i;

	memset(&c, 0, sizeof(c));
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) == -1 ||
	    mnl_attr_parse_nested(a, peer_attr_cb, &c) <= MNL_CB_STOP ||
	    !c.have_key)
		goto out;
	/* Coalesce: a peer whose allowed IPs did not fit continues in the
	 * next message under the same public key. */
	last = dev->npeers ? &dev->peers[dev->npeers - 1] : NULL;
	if (last != NULL && sodium_memcmp(last->public_key, c.p.public_key,
	    WG_KEY_LEN) == 0) {
		for (i = 0; i < c.p.naips; i++)
			if (wg_peer_add_aip(last, &c.p.aips[i]) == -1)
				goto out;
		rc = MNL_CB_OK;
		goto out;
	}
	if ((np = wg_device_add_peer(dev)) == NULL)
		goto out;
	*np = c.p;
	c.p.aips = NULL;	/* now owned by dev */
	rc = MNL_CB_OK;
out:
	free(c.p.aips);
	sodium_memzero(&c, sizeof(c));
	return rc;
}

static int
dev_attr_cb(const struct nlattr *a, void *data)
{
	struct wg_device *dev = data;

	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_IFINDEX:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == -1)
			return MNL_CB_ERROR;
		dev->ifindex = mnl_attr_get_u32(a);
		break;
	case WGDEVICE_A_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == -1 ||
		    mnl_attr_get_payload_len(a) > IFNAMSIZ)
			return MNL_CB_ERROR;
		memcpy(dev->ifname, mnl_attr_get_str(a),
		    mnl_attr_get_payload_len(a));
		dev->ifname[IFNAMSIZ - 1] = '\0';
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		if (optional_key_attr(a, dev->private_key, &dev->flags,
		    WG_DEV_HAS_PRIVATE_KEY) == -1)
			return MNL_CB_ERROR;
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		if (optional_key_attr(a, dev->public_key, &dev->flags,
		    WG_DEV_HAS_PUBLIC_KEY) == -1)
			return MNL_CB_ERROR;
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) == -1)
			return MNL_CB_ERROR;
		dev->listen_port = mnl_attr_get_u16(a);
		dev->flags |= WG_DEV_HAS_LISTEN_PORT;
		break;
	case WGDEVICE_A_FWMARK:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == -1)
			return MNL_CB_ERROR;
		dev->fwmark = mnl_attr_get_u32(a);
		dev->flags |= WG_DEV_HAS_FWMARK;
		break;
	case WGDEVICE_A_PEERS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == -1)
			return MNL_CB_ERROR;
		if (mnl_attr_parse_nested(a, peers_cb, dev) <= MNL_CB_STOP)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

int
nlwg_parse_cb(const struct nlmsghdr *nlh, void *dev)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr))
		return MNL_CB_ERROR;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb,
	    dev);
}

/* --- socket ------------------------------------------------------------ */

static int
open_wg(struct nl *nl, uint16_t *family)
{
	if (nl_open(nl, NETLINK_GENERIC) == -1) {
		log_warn("netlink: open");
		return -1;
	}
	if (nl_genl_family(nl, WG_GENL_NAME, family) == -1) {
		if (errno == ENOENT)
			log_warnx("no WireGuard here: the kernel has no "
			    "\"wireguard\" netlink family (modprobe "
			    "wireguard) and there is no UAPI socket");
		else
			log_warn("netlink: resolve family wireguard");
		nl_close(nl);
		return -1;
	}
	return 0;
}

int
nlwg_get(const char *ifname, struct wg_device *dev)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	struct nl nl;
	uint16_t family;
	int rc;

	memset(dev, 0, sizeof(*dev));
	if (open_wg(&nl, &family) == -1)
		return -1;
	if ((nlh = nlwg_build_get(buf, sizeof(buf), family, ifname)) == NULL) {
		nl_close(&nl);
		errno = EINVAL;
		return -1;
	}
	rc = nl_talk(&nl, nlh, nlwg_parse_cb, dev);
	if (rc == -1) {
		int e = errno;

		log_warn("netlink: get %s", ifname);
		wg_device_clear(dev);
		errno = e;
	} else {
		snprintf(dev->ifname, sizeof(dev->ifname), "%s", ifname);
	}
	nl_close(&nl);
	return rc;
}

int
nlwg_set_bufsize(const struct wg_device *dev, size_t bufsize)
{
	struct nlwg_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	struct nl nl;
	uint16_t family;
	char *buf;
	int rc = 0, nmsg = 0;

	if ((buf = calloc(1, bufsize)) == NULL)
		return -1;
	if (open_wg(&nl, &family) == -1) {
		free(buf);
		return -1;
	}
	while (!cur.done) {
		if ((nlh = nlwg_build_set(buf, bufsize, family, dev,
		    &cur)) == NULL) {
			log_warn("netlink: set %s: build", dev->ifname);
			rc = -1;
			break;
		}
		nmsg++;
		if (nl_talk(&nl, nlh, NULL, NULL) == -1) {
			log_warn("netlink: set %s (message %d)", dev->ifname,
			    nmsg);
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		log_debug("netlink: set %s in %d message(s)", dev->ifname, nmsg);
	sodium_memzero(buf, bufsize);
	free(buf);
	nl_close(&nl);
	return rc;
}

int
nlwg_set(const struct wg_device *dev)
{
	return nlwg_set_bufsize(dev, NL_BUF_SIZE);
}
