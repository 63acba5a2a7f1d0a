/* check_nlwg.c — netlink messages we build, parsed back attribute by
 * attribute with libmnl against the kernel's linux/wireguard.h numbers;
 * multi-message sets; the reply parser; rtnetlink and nlctrl builders. */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/wireguard.h>

#include "tunnel/wg/nl.h"
#include "tunnel/wg/nlwg.h"
#include "tunnel/wg/rtnl.h"
#include "tests/unit/checkrun.h"

#define FAMILY	0x1d

/* Attribute table: tb[type] = attribute (last wins). */
struct tb {
	const struct nlattr *a[32];
	int count[32];
};

static int
tb_cb(const struct nlattr *a, void *data)
{
	struct tb *t = data;
	int type = mnl_attr_get_type(a);

	ck_assert_int_lt(type, 32);
	t->a[type] = a;
	t->count[type]++;
	return MNL_CB_OK;
}

static void
tb_msg(struct tb *t, const struct nlmsghdr *nlh, size_t extra)
{
	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(mnl_attr_parse(nlh, extra, tb_cb, t), MNL_CB_OK);
}

static void
tb_nest(struct tb *t, const struct nlattr *n)
{
	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(mnl_attr_parse_nested(n, tb_cb, t), MNL_CB_OK);
}

static void
fill(uint8_t *k, uint8_t v)
{
	memset(k, v, WG_KEY_LEN);
}

static void
one_peer_device(struct wg_device *d)
{
	struct wg_peer *p;
	struct wg_allowedip a;

	memset(d, 0, sizeof(*d));
	strcpy(d->ifname, "wg0");
	d->flags = WG_DEV_HAS_PRIVATE_KEY | WG_DEV_HAS_LISTEN_PORT |
	    WG_DEV_HAS_FWMARK | WG_DEV_REPLACE_PEERS;
	fill(d->private_key, 0x11);
	d->listen_port = 51820;
	d->fwmark = 0x42;
	p = wg_device_add_peer(d);
	fill(p->public_key, 0x22);
	fill(p->preshared_key, 0x33);
	p->flags = WG_PEER_HAS_PSK | WG_PEER_HAS_KEEPALIVE |
	    WG_PEER_REPLACE_ALLOWEDIPS;
	p->keepalive = 25;
	p->endpoint.sin.sin_family = AF_INET;
	p->endpoint.sin.sin_port = htons(51821);
	inet_pton(AF_INET, "192.0.2.7", &p->endpoint.sin.sin_addr);
	wg_aip_parse("10.0.0.0/8", &a);
	wg_peer_add_aip(p, &a);
	wg_aip_parse("fd00::/64", &a);
	wg_peer_add_aip(p, &a);
}

START_TEST(set_attrs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlwg_cursor cur = { 0 };
	struct wg_device d;
	struct nlmsghdr *nlh;
	const struct genlmsghdr *g;
	const struct nlattr *peer, *aip;
	const struct sockaddr_in *sin;
	struct tb t, pt, at, it;
	int n;

	one_peer_device(&d);
	nlh = nlwg_build_set(buf, sizeof(buf), FAMILY, &d, &cur);
	ck_assert_ptr_nonnull(nlh);
	ck_assert(cur.done);
	ck_assert_uint_eq(nlh->nlmsg_type, FAMILY);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	g = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(g->cmd, WG_CMD_SET_DEVICE);
	ck_assert_uint_eq(g->version, WG_GENL_VERSION);
	tb_msg(&t, nlh, sizeof(*g));
	ck_assert_int_eq(mnl_attr_validate(t.a[WGDEVICE_A_IFNAME],
	    MNL_TYPE_NUL_STRING), 0);
	ck_assert_str_eq(mnl_attr_get_str(t.a[WGDEVICE_A_IFNAME]), "wg0");
	ck_assert_uint_eq(mnl_attr_get_payload_len(t.a[WGDEVICE_A_PRIVATE_KEY]),
	    WG_KEY_LEN);
	ck_assert_int_eq(((const uint8_t *)mnl_attr_get_payload(
	    t.a[WGDEVICE_A_PRIVATE_KEY]))[5], 0x11);
	ck_assert_ptr_null(t.a[WGDEVICE_A_PUBLIC_KEY]);	/* read only */
	ck_assert_uint_eq(mnl_attr_get_u16(t.a[WGDEVICE_A_LISTEN_PORT]), 51820);
	ck_assert_uint_eq(mnl_attr_get_u32(t.a[WGDEVICE_A_FWMARK]), 0x42);
	ck_assert_uint_eq(mnl_attr_get_u32(t.a[WGDEVICE_A_FLAGS]),
	    WGDEVICE_F_REPLACE_PEERS);
	ck_assert_ptr_nonnull(t.a[WGDEVICE_A_PEERS]);
	n = 0;
	mnl_attr_for_each_nested(peer, t.a[WGDEVICE_A_PEERS]) {
		n++;
		tb_nest(&pt, peer);
		ck_assert_int_eq(((const uint8_t *)mnl_attr_get_payload(
		    pt.a[WGPEER_A_PUBLIC_KEY]))[0], 0x22);
		ck_assert_uint_eq(mnl_attr_get_u32(pt.a[WGPEER_A_FLAGS]),
		    WGPEER_F_REPLACE_ALLOWEDIPS);
		ck_assert_uint_eq(mnl_attr_get_payload_len(
		    pt.a[WGPEER_A_PRESHARED_KEY]), WG_KEY_LEN);
		ck_assert_uint_eq(mnl_attr_get_u16(
		    pt.a[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]), 25);
		ck_assert_uint_eq(mnl_attr_get_payload_len(
		    pt.a[WGPEER_A_ENDPOINT]), sizeof(struct sockaddr_in));
		sin = mnl_attr_get_payload(pt.a[WGPEER_A_ENDPOINT]);
		ck_assert_uint_eq(sin->sin_family, AF_INET);
		ck_assert_uint_eq(ntohs(sin->sin_port), 51821);
		ck_assert_ptr_null(pt.a[WGPEER_A_RX_BYTES]);
		tb_nest(&at, pt.a[WGPEER_A_ALLOWEDIPS]);
		ck_assert_int_eq(mnl_attr_get_type(pt.a[WGPEER_A_ALLOWEDIPS]),
		    WGPEER_A_ALLOWEDIPS);
		int k = 0;
		mnl_attr_for_each_nested(aip, pt.a[WGPEER_A_ALLOWEDIPS]) {
			tb_nest(&it, aip);
			if (k == 0) {
				ck_assert_uint_eq(mnl_attr_get_u16(
				    it.a[WGALLOWEDIP_A_FAMILY]), AF_INET);
				ck_assert_uint_eq(mnl_attr_get_payload_len(
				    it.a[WGALLOWEDIP_A_IPADDR]), 4);
				ck_assert_uint_eq(mnl_attr_get_u8(
				    it.a[WGALLOWEDIP_A_CIDR_MASK]), 8);
			} else {
				ck_assert_uint_eq(mnl_attr_get_u16(
				    it.a[WGALLOWEDIP_A_FAMILY]), AF_INET6);
				ck_assert_uint_eq(mnl_attr_get_payload_len(
				    it.a[WGALLOWEDIP_A_IPADDR]), 16);
				ck_assert_uint_eq(mnl_attr_get_u8(
				    it.a[WGALLOWEDIP_A_CIDR_MASK]), 64);
			}
			k++;
		}
		ck_assert_int_eq(k, 2);
	}
	ck_assert_int_eq(n, 1);
	wg_device_clear(&d);
}
END_TEST

START_TEST(set_many_messages)
{
	enum { NPEERS = 120, NAIPS = 40, BUF = 4096 };
	char *buf = aligned_alloc(8, BUF);
	struct nlwg_cursor cur = { 0 };
	struct wg_device d, back;
	struct nlmsghdr *nlh;
	struct wg_allowedip a;
	int msgs = 0, i, j, replace_count[NPEERS] = { 0 };

	memset(&d, 0, sizeof(d));
	memset(&back, 0, sizeof(back));
	strcpy(d.ifname, "wg1");
	d.flags = WG_DEV_HAS_PRIVATE_KEY | WG_DEV_REPLACE_PEERS;
	fill(d.private_key, 9);
	for (i = 0; i < NPEERS; i++) {
		struct wg_peer *p = wg_device_add_peer(&d);

		fill(p->public_key, (uint8_t)i);
		p->flags = WG_PEER_REPLACE_ALLOWEDIPS | WG_PEER_HAS_KEEPALIVE;
		p->keepalive = (uint16_t)(i + 1);
		for (j = 0; j < NAIPS; j++) {
			a.family = AF_INET6;
			a.cidr = 128;
			memset(&a.ip6, 0, sizeof(a.ip6));
			a.ip6.s6_addr[0] = 0xfd;
			a.ip6.s6_addr[14] = (uint8_t)i;
			a.ip6.s6_addr[15] = (uint8_t)j;
			wg_peer_add_aip(p, &a);
		}
	}
	while (!cur.done) {
		const struct nlattr *peer;
		struct tb t, pt;

		nlh = nlwg_build_set(buf, BUF, FAMILY, &d, &cur);
		ck_assert_ptr_nonnull(nlh);
		ck_assert_uint_le(nlh->nlmsg_len, BUF);
		ck_assert_int_lt(msgs, 1000);
		tb_msg(&t, nlh, sizeof(struct genlmsghdr));
		/* Device settings and REPLACE_PEERS only in the first. */
		ck_assert_int_eq(t.a[WGDEVICE_A_FLAGS] != NULL, msgs == 0);
		ck_assert_int_eq(t.a[WGDEVICE_A_PRIVATE_KEY] != NULL, msgs == 0);
		ck_assert_ptr_nonnull(t.a[WGDEVICE_A_IFNAME]);
		if (t.a[WGDEVICE_A_PEERS])
			mnl_attr_for_each_nested(peer, t.a[WGDEVICE_A_PEERS]) {
				tb_nest(&pt, peer);
				if (pt.a[WGPEER_A_FLAGS] && (mnl_attr_get_u32(
				    pt.a[WGPEER_A_FLAGS]) &
				    WGPEER_F_REPLACE_ALLOWEDIPS))
					replace_count[((const uint8_t *)
					    mnl_attr_get_payload(
					    pt.a[WGPEER_A_PUBLIC_KEY]))[0]]++;
			}
		/* The reply parser reads a set message the same way (same
		 * attributes), coalescing split peers. */
		ck_assert_int_eq(nlwg_parse_cb(nlh, &back), MNL_CB_OK);
		msgs++;
	}
	ck_assert_int_gt(msgs, 20);
	for (i = 0; i < NPEERS; i++)
		ck_assert_int_eq(replace_count[i], 1);	/* never repeated */
	ck_assert_uint_eq(back.npeers, NPEERS);
	for (i = 0; i < NPEERS; i++) {
		ck_assert_mem_eq(back.peers[i].public_key, d.peers[i].public_key,
		    WG_KEY_LEN);
		ck_assert_uint_eq(back.peers[i].keepalive, (unsigned)(i + 1));
		ck_assert_uint_eq(back.peers[i].naips, NAIPS);
		for (j = 0; j < NAIPS; j++)
			ck_assert(wg_aip_equal(&back.peers[i].aips[j],
			    &d.peers[i].aips[j]));
	}
	ck_assert_str_eq(back.ifname, "wg1");
	free(buf);
	wg_device_clear(&d);
	wg_device_clear(&back);
}
END_TEST

START_TEST(set_too_small)
{
	char buf[96];
	struct nlwg_cursor cur = { 0 };
	struct wg_device d;

	one_peer_device(&d);
	/* Device attributes fit in the first message, the peer never does. */
	ck_assert_ptr_nonnull(nlwg_build_set(buf, sizeof(buf), FAMILY, &d,
	    &cur));
	ck_assert(!cur.done);
	errno = 0;
	ck_assert_ptr_null(nlwg_build_set(buf, sizeof(buf), FAMILY, &d, &cur));
	ck_assert_int_eq(errno, EMSGSIZE);
	wg_device_clear(&d);
}
END_TEST

START_TEST(get_request)
{
	char buf[256];
	struct nlmsghdr *nlh = nlwg_build_get(buf, sizeof(buf), FAMILY, "wg0");
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct tb t;

	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
	    NLM_F_DUMP);
	ck_assert_uint_eq(g->cmd, WG_CMD_GET_DEVICE);
	tb_msg(&t, nlh, sizeof(*g));
	ck_assert_str_eq(mnl_attr_get_str(t.a[WGDEVICE_A_IFNAME]), "wg0");
}
END_TEST

/* A reply message built by hand, as the kernel would. */
static struct nlmsghdr *
reply_start(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = 1;
	return nlh;
}

START_TEST(reply_parse)
{
	char buf[1024];
	struct nlmsghdr *nlh = reply_start(buf);
	struct nlattr *peers, *peer, *aips, *aip;
	struct __kernel_timespec ts = { 1700000000, 5 };
	struct sockaddr_in6 sin6;
	uint8_t key[32], in6[16] = { 0xfd };
	struct wg_device d;
	char txt[64];

	fill(key, 0x77);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg9");
	mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, 32, key);
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 999);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, key);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(4);
	inet_pton(AF_INET6, "2001:db8::9", &sin6.sin6_addr);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(sin6), &sin6);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1234);
	mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 5678);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	aip = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 16, in6);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 48);
	mnl_attr_nest_end(nlh, aip);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(mnl_cb_run(buf, nlh->nlmsg_len, 0, 0, nlwg_parse_cb,
	    &d), MNL_CB_OK);
	ck_assert_uint_eq(d.ifindex, 7);
	ck_assert_str_eq(d.ifname, "wg9");
	ck_assert(d.flags & WG_DEV_HAS_PUBLIC_KEY);
	ck_assert(!(d.flags & WG_DEV_HAS_PRIVATE_KEY));
	ck_assert_uint_eq(d.listen_port, 999);
	ck_assert_uint_eq(d.npeers, 1);
	ck_assert_int_eq(d.peers[0].last_handshake_sec, 1700000000);
	ck_assert_uint_eq(d.peers[0].rx_bytes, 1234);
	ck_assert_uint_eq(d.peers[0].tx_bytes, 5678);
	wg_endpoint_fmt(&d.peers[0].endpoint, txt, sizeof(txt));
	ck_assert_str_eq(txt, "[2001:db8::9]:4");
	wg_aip_fmt(&d.peers[0].aips[0], txt, sizeof(txt));
	ck_assert_str_eq(txt, "fd00::/48");
	wg_device_clear(&d);
}
END_TEST

/* Malformed peers from a buggy or hostile sender are refused. */
static int
parse_bad_aip(uint16_t family, size_t addrlen, uint8_t cidr, int with_key)
{
	char buf[512];
	struct nlmsghdr *nlh = reply_start(buf);
	struct nlattr *peers, *peer, *aips, *aip;
	uint8_t key[32] = { 1 }, addr[16] = { 0 };
	struct wg_device d;
	int rc;

	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	if (with_key)
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, key);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	aip = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, family);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, addrlen, addr);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, cidr);
	mnl_attr_nest_end(nlh, aip);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	memset(&d, 0, sizeof(d));
	rc = mnl_cb_run(buf, nlh->nlmsg_len, 0, 0, nlwg_parse_cb, &d);
	wg_device_clear(&d);
	return rc;
}

START_TEST(reply_rejects)
{
	ck_assert_int_eq(parse_bad_aip(AF_INET, 4, 24, 1), MNL_CB_OK);
	ck_assert_int_eq(parse_bad_aip(AF_INET, 16, 24, 1), MNL_CB_ERROR);
	ck_assert_int_eq(parse_bad_aip(AF_INET, 4, 33, 1), MNL_CB_ERROR);
	ck_assert_int_eq(parse_bad_aip(AF_INET6, 4, 24, 1), MNL_CB_ERROR);
	ck_assert_int_eq(parse_bad_aip(AF_INET6, 16, 129, 1), MNL_CB_ERROR);
	ck_assert_int_eq(parse_bad_aip(99, 4, 1, 1), MNL_CB_ERROR);
	ck_assert_int_eq(parse_bad_aip(AF_INET, 4, 24, 0), MNL_CB_ERROR);
}
END_TEST

START_TEST(genl_family)
{
	char buf[256];
	struct nlmsghdr *nlh = nl_genl_family_req(buf, sizeof(buf), "wireguard");
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct genlmsghdr *rg;
	struct tb t;
	uint16_t id = 0;

	ck_assert_uint_eq(nlh->nlmsg_type, GENL_ID_CTRL);
	ck_assert_uint_eq(g->cmd, CTRL_CMD_GETFAMILY);
	tb_msg(&t, nlh, sizeof(*g));
	ck_assert_str_eq(mnl_attr_get_str(t.a[CTRL_ATTR_FAMILY_NAME]),
	    "wireguard");
	/* The controller's answer. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	rg = mnl_nlmsg_put_extra_header(nlh, sizeof(*rg));
	rg->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "wireguard");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1d);
	ck_assert_int_eq(nl_genl_family_cb(nlh, &id), MNL_CB_OK);
	ck_assert_uint_eq(id, 0x1d);
}
END_TEST

START_TEST(rtnl_messages)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct wg_allowedip a;
	const struct ifaddrmsg *ifa;
	const struct rtmsg *rtm;
	struct tb t, li;

	nlh = rtnl_build_link_create(buf, sizeof(buf), "wg0", "wireguard");
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert(nlh->nlmsg_flags & NLM_F_CREATE);
	ck_assert(nlh->nlmsg_flags & NLM_F_EXCL);
	tb_msg(&t, nlh, sizeof(struct ifinfomsg));
	ck_assert_str_eq(mnl_attr_get_str(t.a[IFLA_IFNAME]), "wg0");
	tb_nest(&li, t.a[IFLA_LINKINFO]);
	ck_assert_str_eq(mnl_attr_get_str(li.a[IFLA_INFO_KIND]), "wireguard");

	wg_aip_parse("10.77.0.1/24", &a);
	nlh = rtnl_build_addr(buf, sizeof(buf), 5, &a, 1);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWADDR);
	ifa = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 24);
	ck_assert_uint_eq(ifa->ifa_index, 5);
	ck_assert_uint_eq(ifa->ifa_family, AF_INET);
	tb_msg(&t, nlh, sizeof(*ifa));
	ck_assert_mem_eq(mnl_attr_get_payload(t.a[IFA_LOCAL]), &a.ip4, 4);
	ck_assert_mem_eq(mnl_attr_get_payload(t.a[IFA_ADDRESS]), &a.ip4, 4);
	nlh = rtnl_build_addr(buf, sizeof(buf), 5, &a, 0);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELADDR);

	wg_aip_parse("fd00:1::/64", &a);
	nlh = rtnl_build_route(buf, sizeof(buf), 5, 1000, &a, 1);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWROUTE);
	ck_assert(nlh->nlmsg_flags & NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	ck_assert_uint_eq(rtm->rtm_dst_len, 64);
	ck_assert_uint_eq(rtm->rtm_protocol, RTNL_PROTO);
	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_UNSPEC);	/* > 255 */
	tb_msg(&t, nlh, sizeof(*rtm));
	ck_assert_mem_eq(mnl_attr_get_payload(t.a[RTA_DST]), &a.ip6, 16);
	ck_assert_uint_eq(mnl_attr_get_u32(t.a[RTA_OIF]), 5);
	ck_assert_uint_eq(mnl_attr_get_u32(t.a[RTA_TABLE]), 1000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nlwg");
	TCase *tc = tcase_create("nlwg");

	tcase_add_test(tc, set_attrs);
	tcase_add_test(tc, set_many_messages);
	tcase_add_test(tc, set_too_small);
	tcase_add_test(tc, get_request);
	tcase_add_test(tc, reply_parse);
	tcase_add_test(tc, reply_rejects);
	tcase_add_test(tc, genl_family);
	tcase_add_test(tc, rtnl_messages);
	suite_add_tcase(s, tc);
	return check_run(s);
}
