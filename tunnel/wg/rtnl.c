/*
 * rtnl.c — rtnetlink requests for the WireGuard interface.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "tunnel/wg/rtnl.h"

#define REQ_SIZE	512

struct prefix_list {
	struct wg_allowedip	*v;
	size_t			 n, cap;
	unsigned int		 ifindex;
	uint32_t		 table;
};

static int
plist_add(struct prefix_list *l, const struct wg_allowedip *a)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		void *np = realloc(l->v, ncap * sizeof(*l->v));

		if (np == NULL)
			return -1;
		l->v = np;
		l->cap = ncap;
	}
	l->v[l->n++] = *a;
	return 0;
}

static size_t
addr_len(const struct wg_allowedip *a)
{
	return a->family == AF_INET ? sizeof(a->ip4) : sizeof(a->ip6);
}

/* A prefix from a dump; addr NULL is the default (all-zero) prefix. */
static int
plist_add_attr(struct prefix_list *l, uint8_t family, uint8_t cidr,
    const struct nlattr *addr)
{
	struct wg_allowedip p;

	memset(&p, 0, sizeof(p));
	p.family = family;
	p.cidr = cidr;
	if (addr != NULL) {
		if (mnl_attr_get_payload_len(addr) != addr_len(&p))
			return MNL_CB_OK;
		memcpy(&p.ip6, mnl_attr_get_payload(addr), addr_len(&p));
	}
	return plist_add(l, &p) == -1 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* A request built into a buffer (NULL: it did not fit), then its ACK. */
static int
talk_built(struct nl *nl, struct nlmsghdr *nlh)
{
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	return nl_talk(nl, nlh, NULL, NULL);
}

/*
 * The header of an add or delete request. EXCL: an address or a prefix
 * already routed elsewhere is an error to report, not one to steal.
 */
static struct nlmsghdr *
put_change_header(void *buf, uint16_t addtype, uint16_t deltype, int add)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = add ? addtype : deltype;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	return nlh;
}

/* The headers of an RTM_*LINK request; ifindex 0 names no link. */
static struct ifinfomsg *
put_link_header(struct nlmsghdr *nlh, uint16_t type, uint16_t flags,
    unsigned int ifindex)
{
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	return ifi;
}

/* --- links -------------------------------------------------------------- */

struct nlmsghdr *
rtnl_build_link_create(void *buf, size_t len, const char *ifname,
    const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *li;

	put_link_header(nlh, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_EXCL, 0);
	if (!mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, ifname) ||
	    (li = mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO)) == NULL ||
	    !mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, kind))
		return NULL;
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

int
rtnl_link_create_wg(struct nl *nl, const char *ifname)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

	return talk_built(nl, rtnl_build_link_create(buf, sizeof(buf), ifname,
	    "wireguard"));
}

int
rtnl_link_delete(struct nl *nl, unsigned int ifindex)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	put_link_header(nlh, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
	return nl_talk(nl, nlh, NULL, NULL);
}

int
rtnl_link_set(struct nl *nl, unsigned int ifindex, uint32_t mtu, int up)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	ifi = put_link_header(nlh, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK,
	    ifindex);
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu != 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

struct link_ctx {
	const char	*want_kind;
	char		*kind;
	size_t		 kindlen;
	unsigned int	 ifindex, ifflags;
	char		 (*names)[IFNAMSIZ];
	size_t		 max, n;
};

static int
linkinfo_cb(const struct nlattr *a, void *data)
{
	const char **kind = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		*kind = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

struct link_attrs {
	const char	*name, *kind;
};

static int
link_attr_cb(const struct nlattr *a, void *data)
{
	struct link_attrs *la = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			la->name = mnl_attr_get_str(a);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(a, linkinfo_cb, &la->kind);
		break;
	}
	return MNL_CB_OK;
}

static int
link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_ctx *c = data;
	const struct ifinfomsg *ifi;
	struct link_attrs la = { NULL, NULL };

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, &la) == MNL_CB_ERROR)
		return MNL_CB_ERROR;
	if (c->names != NULL) {
		if (la.name != NULL && la.kind != NULL &&
		    strcmp(la.kind, c->want_kind) == 0 && c->n < c->max &&
		    strlen(la.name) < IFNAMSIZ)
			strcpy(c->names[c->n++], la.name);
		return MNL_CB_OK;
	}
	c->ifindex = (unsigned int)ifi->ifi_index;
	c->ifflags = ifi->ifi_flags;
	if (c->kindlen > 0)
		snprintf(c->kind, c->kindlen, "%s", la.kind ? la.kind : "");
	return MNL_CB_OK;
}

int
rtnl_link_kind(struct nl *nl, const char *ifname, char *kind, size_t len,
    unsigned int *ifindex, unsigned int *ifflags)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct link_ctx c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.kindlen = len;
	if (len > 0)
		kind[0] = '\0';
	put_link_header(nlh, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 0);
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, ifname)) {
		errno = EINVAL;
		return -1;
	}
	if (nl_talk(nl, nlh, link_cb, &c) == -1)
		return -1;
	if (ifindex != NULL)
		*ifindex = c.ifindex;
	if (ifflags != NULL)
		*ifflags = c.ifflags;
	return 0;
}

int
rtnl_link_names(struct nl *nl, const char *kind, char (*names)[IFNAMSIZ],
    size_t max, size_t *n)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct link_ctx c;

	memset(&c, 0, sizeof(c));
	c.want_kind = kind;
	c.names = names;
	c.max = max;
	put_link_header(nlh, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0);
	if (nl_talk(nl, nlh, link_cb, &c) == -1)
		return -1;
	*n = c.n;
	return 0;
}

/* --- addresses ---------------------------------------------------------- */

struct nlmsghdr *
rtnl_build_addr(void *buf, size_t len, unsigned int ifindex,
    const struct wg_allowedip *a, int add)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = put_change_header(buf, RTM_NEWADDR, RTM_DELADDR, add);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = a->cidr;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	if (!mnl_attr_put_check(nlh, len, IFA_LOCAL, addr_len(a), &a->ip6) ||
	    !mnl_attr_put_check(nlh, len, IFA_ADDRESS, addr_len(a), &a->ip6))
		return NULL;
	return nlh;
}

int
rtnl_addr_change(struct nl *nl, unsigned int ifindex,
    const struct wg_allowedip *a, int add)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

	return talk_built(nl, rtnl_build_addr(buf, sizeof(buf), ifindex, a,
	    add));
}

struct addr_attrs {
	const struct nlattr	*local, *address;
};

static int
addr_attr_cb(const struct nlattr *a, void *data)
{
	struct addr_attrs *aa = data;

	if (mnl_attr_get_type(a) == IFA_LOCAL)
		aa->local = a;
	else if (mnl_attr_get_type(a) == IFA_ADDRESS)
		aa->address = a;
	return MNL_CB_OK;
}

static int
addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct prefix_list *l = data;
	const struct ifaddrmsg *ifa;
	struct addr_attrs aa = { NULL, NULL };
	const struct nlattr *use;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	/* Link-local and host addresses are the kernel's, not the file's. */
	if (ifa->ifa_index != l->ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, &aa) == MNL_CB_ERROR)
		return MNL_CB_ERROR;
	use = aa.local ? aa.local : aa.address;
	if (use == NULL)
		return MNL_CB_OK;
	return plist_add_attr(l, ifa->ifa_family, ifa->ifa_prefixlen, use);
}

int
rtnl_addr_list(struct nl *nl, unsigned int ifindex, struct wg_allowedip **out,
    size_t *n)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct prefix_list l = { .ifindex = ifindex };
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	if (nl_talk(nl, nlh, addr_cb, &l) == -1) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* --- routes ------------------------------------------------------------- */

struct nlmsghdr *
rtnl_build_route(void *buf, size_t len, unsigned int ifindex, uint32_t table,
    const struct wg_allowedip *a, int add)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = put_change_header(buf, RTM_NEWROUTE, RTM_DELROUTE, add);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)a->family;
	rtm->rtm_dst_len = a->cidr;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTNL_PROTO;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (!mnl_attr_put_check(nlh, len, RTA_DST, addr_len(a), &a->ip6) ||
	    !mnl_attr_put_u32_check(nlh, len, RTA_OIF, ifindex) ||
	    !mnl_attr_put_u32_check(nlh, len, RTA_TABLE, table))
		return NULL;
	return nlh;
}

int
rtnl_route_change(struct nl *nl, unsigned int ifindex, uint32_t table,
    const struct wg_allowedip *a, int add)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

	return talk_built(nl, rtnl_build_route(buf, sizeof(buf), ifindex,
	    table, a, add));
}

struct route_attrs {
	const struct nlattr	*dst;
	uint32_t		 oif, table;
};

static int
route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_attrs *ra = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_DST:
		ra->dst = a;
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			ra->oif = mnl_attr_get_u32(a);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			ra->table = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct prefix_list *l = data;
	const struct rtmsg *rtm;
	struct route_attrs ra;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*rtm))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_protocol != RTNL_PROTO ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return MNL_CB_OK;
	memset(&ra, 0, sizeof(ra));
	ra.table = rtm->rtm_table;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &ra) == MNL_CB_ERROR)
		return MNL_CB_ERROR;
	if (ra.oif != l->ifindex || ra.table != l->table)
		return MNL_CB_OK;
	return plist_add_attr(l, rtm->rtm_family, rtm->rtm_dst_len, ra.dst);
}

int
rtnl_route_list(struct nl *nl, unsigned int ifindex, uint32_t table,
    struct wg_allowedip **out, size_t *n)
{
	struct prefix_list l = { .ifindex = ifindex, .table = table };
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	size_t i;

	for (i = 0; i < sizeof(fams); i++) {
		char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtmsg *rtm;

		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = fams[i];
		if (nl_talk(nl, nlh, route_cb, &l) == -1) {
			/* No IPv6 in this namespace is not an error. */
			if (fams[i] == AF_INET6 && errno == EAFNOSUPPORT)
				continue;
			free(l.v);
			return -1;
		}
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
