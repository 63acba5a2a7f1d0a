/* check_uapi.c — UAPI set encoding and get/set reply parsing. */
#include <check.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/wg/key.h"
#include "tunnel/wg/uapi.h"
#include "tests/unit/checkrun.h"

static void
fill(uint8_t *k, uint8_t v)
{
	memset(k, v, WG_KEY_LEN);
}

#define HEX(c)	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

START_TEST(encode_set)
{
	struct wg_device d;
	struct wg_peer *p;
	struct wg_allowedip a;
	struct uapi_buf b = { 0 };
	const char *want =
	    "set=1\n"
	    "private_key=" HEX("01") "\n"
	    "listen_port=51820\n"
	    "fwmark=7\n"
	    "replace_peers=true\n"
	    "public_key=" HEX("02") "\n"
	    "preshared_key=" HEX("03") "\n"
	    "endpoint=192.0.2.1:51821\n"
	    "persistent_keepalive_interval=25\n"
	    "replace_allowed_ips=true\n"
	    "allowed_ip=10.0.0.2/32\n"
	    "allowed_ip=fd00::/64\n"
	    "public_key=" HEX("04") "\n"
	    "remove=true\n"
	    "public_key=" HEX("05") "\n"
	    "update_only=true\n"
	    "endpoint=[2001:db8::1]:7\n"
	    "\n";

	memset(&d, 0, sizeof(d));
	strcpy(d.ifname, "wg0");
	d.flags = WG_DEV_HAS_PRIVATE_KEY | WG_DEV_HAS_LISTEN_PORT |
	    WG_DEV_HAS_FWMARK | WG_DEV_REPLACE_PEERS;
	fill(d.private_key, 1);
	d.listen_port = 51820;
	d.fwmark = 7;
	p = wg_device_add_peer(&d);
	fill(p->public_key, 2);
	fill(p->preshared_key, 3);
	p->flags = WG_PEER_HAS_PSK | WG_PEER_HAS_KEEPALIVE |
	    WG_PEER_REPLACE_ALLOWEDIPS;
	p->keepalive = 25;
	p->endpoint.sin.sin_family = AF_INET;
	p->endpoint.sin.sin_port = htons(51821);
	inet_pton(AF_INET, "192.0.2.1", &p->endpoint.sin.sin_addr);
	ck_assert_int_eq(wg_aip_parse("10.0.0.2/32", &a), 0);
	wg_peer_add_aip(p, &a);
	ck_assert_int_eq(wg_aip_parse("fd00::/64", &a), 0);
	wg_peer_add_aip(p, &a);
	p = wg_device_add_peer(&d);
	fill(p->public_key, 4);
	p->flags = WG_PEER_REMOVE_ME | WG_PEER_HAS_KEEPALIVE;
	p = wg_device_add_peer(&d);
	fill(p->public_key, 5);
	p->flags = WG_PEER_UPDATE_ONLY;
	p->endpoint.sin6.sin6_family = AF_INET6;
	p->endpoint.sin6.sin6_port = htons(7);
	inet_pton(AF_INET6, "2001:db8::1", &p->endpoint.sin6.sin6_addr);
	ck_assert_int_eq(uapi_encode_set(&d, &b), 0);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_mem_eq(b.p, want, b.len);
	uapi_buf_free(&b);
	wg_device_clear(&d);
}
END_TEST

/* What wireguard-go 0.0.20220316 answers to get=1. */
static const char get_reply[] =
    "private_key=" HEX("a0") "\n"
    "listen_port=51820\n"
    "public_key=" HEX("b1") "\n"
    "preshared_key=" HEX("00") "\n"
    "protocol_version=1\n"
    "endpoint=192.168.250.2:51821\n"
    "last_handshake_time_sec=1700000000\n"
    "last_handshake_time_nsec=123\n"
    "tx_bytes=1000\n"
    "rx_bytes=2000\n"
    "persistent_keepalive_interval=25\n"
    "allowed_ip=10.77.0.2/32\n"
    "allowed_ip=10.78.0.0/16\n"
    "public_key=" HEX("c2") "\n"
    "preshared_key=" HEX("d3") "\n"
    "endpoint=[fe80::1%3]:9\n"
    "persistent_keepalive_interval=0\n"
    "errno=0\n"
    "\n";

START_TEST(parse_get)
{
	struct wg_device d;
	char txt[64];
	int e = -1;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(uapi_parse_get(get_reply, strlen(get_reply), &d, &e),
	    0);
	ck_assert_int_eq(e, 0);
	ck_assert(d.flags & WG_DEV_HAS_PRIVATE_KEY);
	ck_assert(d.flags & WG_DEV_HAS_PUBLIC_KEY);	/* derived */
	ck_assert_uint_eq(d.listen_port, 51820);
	ck_assert_uint_eq(d.npeers, 2);
	ck_assert_int_eq(d.peers[0].public_key[0], 0xb1);
	ck_assert(!(d.peers[0].flags & WG_PEER_HAS_PSK));	/* zeros */
	ck_assert_int_eq(d.peers[0].last_handshake_sec, 1700000000);
	ck_assert_uint_eq(d.peers[0].rx_bytes, 2000);
	ck_assert_uint_eq(d.peers[0].tx_bytes, 1000);
	ck_assert_uint_eq(d.peers[0].keepalive, 25);
	ck_assert_uint_eq(d.peers[0].naips, 2);
	wg_aip_fmt(&d.peers[0].aips[1], txt, sizeof(txt));
	ck_assert_str_eq(txt, "10.78.0.0/16");
	wg_endpoint_fmt(&d.peers[0].endpoint, txt, sizeof(txt));
	ck_assert_str_eq(txt, "192.168.250.2:51821");
	ck_assert(d.peers[1].flags & WG_PEER_HAS_PSK);
	wg_endpoint_fmt(&d.peers[1].endpoint, txt, sizeof(txt));
	ck_assert_str_eq(txt, "[fe80::1%3]:9");
	wg_device_clear(&d);
}
END_TEST

static int
parse_str(const char *s, int *e)
{
	struct wg_device d;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = uapi_parse_get(s, strlen(s), &d, e);
	wg_device_clear(&d);
	return rc;
}

START_TEST(parse_rejects)
{
	int e;

	ck_assert_int_eq(parse_str("", &e), -1);
	ck_assert_int_eq(parse_str("errno=0\n", &e), -1);	/* no blank */
	ck_assert_int_eq(parse_str("listen_port=1\n\n", &e), -1); /* errno */
	ck_assert_int_eq(parse_str("listen_port=65536\nerrno=0\n\n", &e), -1);
	ck_assert_int_eq(parse_str("allowed_ip=10.0.0.0/8\nerrno=0\n\n", &e),
	    -1);					/* no peer yet */
	ck_assert_int_eq(parse_str("public_key=abc\nerrno=0\n\n", &e), -1);
	ck_assert_int_eq(parse_str("noequals\nerrno=0\n\n", &e), -1);
	ck_assert_int_eq(parse_str("errno=0\nlisten_port=1\n\n", &e), -1);
	ck_assert_int_eq(parse_str("errno=-1\n\n", &e), -1);
	ck_assert_int_eq(parse_str("public_key=" HEX("01") "\n"
	    "endpoint=[::1:5\nerrno=0\n\n", &e), -1);
	/* Unknown keys are the future's, not an error. */
	ck_assert_int_eq(parse_str("some_new_key=1\nerrno=0\n\n", &e), 0);
}
END_TEST

START_TEST(parse_errno)
{
	int e = 0;

	ck_assert_int_eq(uapi_parse_errno("errno=0\n\n", 10, &e), 0);
	ck_assert_int_eq(e, 0);
	ck_assert_int_eq(uapi_parse_errno("errno=22\n\n", 11, &e), 0);
	ck_assert_int_eq(e, 22);
	ck_assert_int_eq(uapi_parse_errno("listen_port=1\nerrno=0\n\n", 23,
	    &e), -1);
	ck_assert_int_eq(uapi_parse_errno("errno=x\n\n", 9, &e), -1);
}
END_TEST

START_TEST(encode_parse_agree)
{
	/* A get reply built from our own set encoding reads back the same. */
	struct wg_device d, back;
	struct wg_peer *p;
	struct wg_allowedip a;
	struct uapi_buf b = { 0 };
	char *reply;
	int e, i;

	memset(&d, 0, sizeof(d));
	strcpy(d.ifname, "wg0");
	d.flags = WG_DEV_HAS_LISTEN_PORT;
	d.listen_port = 1234;
	for (i = 0; i < 300; i++) {
		p = wg_device_add_peer(&d);
		fill(p->public_key, (uint8_t)(i + 1));
		p->public_key[31] = (uint8_t)(i >> 8);
		p->flags = WG_PEER_HAS_KEEPALIVE;
		p->keepalive = (uint16_t)i;
		a.family = AF_INET;
		a.cidr = 32;
		a.ip4.s_addr = htonl(0x0a000000u + (uint32_t)i);
		wg_peer_add_aip(p, &a);
	}
	ck_assert_int_eq(uapi_encode_set(&d, &b), 0);
	/* "set=1\n" -> drop; final "\n" -> "errno=0\n\n". */
	reply = malloc(b.len + 16);
	memcpy(reply, b.p + 6, b.len - 7);
	strcpy(reply + b.len - 7, "errno=0\n\n");
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(uapi_parse_get(reply, strlen(reply), &back, &e), 0);
	ck_assert_uint_eq(back.npeers, 300);
	ck_assert_uint_eq(back.listen_port, 1234);
	for (i = 0; i < 300; i++) {
		ck_assert_mem_eq(back.peers[i].public_key, d.peers[i].public_key,
		    32);
		ck_assert_uint_eq(back.peers[i].keepalive, (unsigned)i);
		ck_assert(wg_aip_equal(&back.peers[i].aips[0],
		    &d.peers[i].aips[0]));
	}
	free(reply);
	uapi_buf_free(&b);
	wg_device_clear(&d);
	wg_device_clear(&back);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("uapi");
	TCase *tc = tcase_create("uapi");

	tcase_add_test(tc, encode_set);
	tcase_add_test(tc, parse_get);
	tcase_add_test(tc, parse_rejects);
	tcase_add_test(tc, parse_errno);
	tcase_add_test(tc, encode_parse_agree);
	suite_add_tcase(s, tc);
	return check_run(s);
}
