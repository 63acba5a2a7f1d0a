/* check_wgdiff.c — sync sends only what changed. */
#include <check.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/wg/wgctl.h"
#include "tests/unit/checkrun.h"

static struct wg_peer *
peer(struct wg_device *d, uint8_t id, const char *aip, uint16_t ka)
{
	struct wg_peer *p = wg_device_add_peer(d);
	struct wg_allowedip a;

	memset(p->public_key, id, WG_KEY_LEN);
	p->flags = WG_PEER_HAS_KEEPALIVE | WG_PEER_REPLACE_ALLOWEDIPS;
	p->keepalive = ka;
	if (aip != NULL) {
		wg_aip_parse(aip, &a);
		wg_peer_add_aip(p, &a);
	}
	return p;
}

static void
base(struct wg_device *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->ifname, "wg0");
	d->flags = WG_DEV_HAS_PRIVATE_KEY | WG_DEV_HAS_LISTEN_PORT;
	memset(d->private_key, 0x40, WG_KEY_LEN);
	d->listen_port = 51820;
	peer(d, 1, "10.0.0.1/32", 25);
	peer(d, 2, "10.0.0.2/32", 0);
}

START_TEST(same_is_empty)
{
	struct wg_device cur, want, out;

	base(&cur);
	base(&want);
	ck_assert_int_eq(wg_diff(&cur, &want, &out), 0);
	ck_assert_uint_eq(out.npeers, 0);
	ck_assert_uint_eq(out.flags, 0);
	wg_device_clear(&out);
	wg_device_clear(&cur);
	wg_device_clear(&want);
}
END_TEST

START_TEST(one_peer_changed)
{
	struct wg_device cur, want, out;
	struct wg_allowedip a;

	base(&cur);
	base(&want);
	want.peers[1].keepalive = 15;
	wg_aip_parse("10.9.0.0/16", &a);
	wg_peer_add_aip(&want.peers[1], &a);
	ck_assert_int_eq(wg_diff(&cur, &want, &out), 1);
	ck_assert_uint_eq(out.flags & ~WG_DEV_REPLACE_PEERS, 0);
	ck_assert(!(out.flags & WG_DEV_REPLACE_PEERS));
	ck_assert_uint_eq(out.npeers, 1);
	ck_assert_int_eq(out.peers[0].public_key[0], 2);
	ck_assert(out.peers[0].flags & WG_PEER_UPDATE_ONLY);
	ck_assert(out.peers[0].flags & WG_PEER_HAS_KEEPALIVE);
	ck_assert(out.peers[0].flags & WG_PEER_REPLACE_ALLOWEDIPS);
	ck_assert(!(out.peers[0].flags & WG_PEER_HAS_PSK));
	ck_assert_uint_eq(out.peers[0].naips, 2);
	wg_device_clear(&out);
	wg_device_clear(&cur);
	wg_device_clear(&want);
}
END_TEST

START_TEST(add_remove_and_device_fields)
{
	struct wg_device cur, want, out;

	base(&cur);
	/* want: peer 1 gone, peer 2 as is, peer 3 new; new key, port, fwmark. */
	memset(&want, 0, sizeof(want));
	strcpy(want.ifname, "wg0");
	want.flags = WG_DEV_HAS_PRIVATE_KEY | WG_DEV_HAS_LISTEN_PORT;
	memset(want.private_key, 0x41, WG_KEY_LEN);
	want.listen_port = 1;
	want.fwmark = 5;
	peer(&want, 2, "10.0.0.2/32", 0);
	peer(&want, 3, "10.0.0.3/32", 0);
	ck_assert_int_eq(wg_diff(&cur, &want, &out), 5);
	ck_assert(out.flags & WG_DEV_HAS_PRIVATE_KEY);
	ck_assert(out.flags & WG_DEV_HAS_LISTEN_PORT);
	ck_assert(out.flags & WG_DEV_HAS_FWMARK);
	ck_assert_uint_eq(out.npeers, 2);
	ck_assert_int_eq(out.peers[0].public_key[0], 1);
	ck_assert_uint_eq(out.peers[0].flags, WG_PEER_REMOVE_ME);
	ck_assert_int_eq(out.peers[1].public_key[0], 3);
	ck_assert(!(out.peers[1].flags & WG_PEER_UPDATE_ONLY));
	ck_assert(out.peers[1].flags & WG_PEER_REPLACE_ALLOWEDIPS);
	wg_device_clear(&out);
	wg_device_clear(&cur);
	wg_device_clear(&want);
}
END_TEST

START_TEST(psk_and_endpoint)
{
	struct wg_device cur, want, out;

	base(&cur);
	base(&want);
	/* psk removed from the file: send zeros. */
	cur.peers[0].flags |= WG_PEER_HAS_PSK;
	memset(cur.peers[0].preshared_key, 7, WG_KEY_LEN);
	/* endpoint: the device roamed; the file names none -> untouched. */
	cur.peers[1].endpoint.sin.sin_family = AF_INET;
	cur.peers[1].endpoint.sin.sin_port = htons(9);
	ck_assert_int_eq(wg_diff(&cur, &want, &out), 1);
	ck_assert_int_eq(out.peers[0].public_key[0], 1);
	ck_assert(out.peers[0].flags & WG_PEER_HAS_PSK);
	ck_assert(sodium_is_zero(out.peers[0].preshared_key, WG_KEY_LEN));
	wg_device_clear(&out);
	/* The file names an endpoint that differs: sent. */
	want.peers[1].flags |= WG_PEER_HAS_ENDPOINT;
	want.peers[1].endpoint.sin.sin_family = AF_INET;
	want.peers[1].endpoint.sin.sin_port = htons(10);
	ck_assert_int_eq(wg_diff(&cur, &want, &out), 2);
	ck_assert(out.peers[1].flags & WG_PEER_HAS_ENDPOINT);
	ck_assert_uint_eq(ntohs(out.peers[1].endpoint.sin.sin_port), 10);
	wg_device_clear(&out);
	wg_device_clear(&cur);
	wg_device_clear(&want);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wgdiff");
	TCase *tc = tcase_create("wgdiff");

	tcase_add_test(tc, same_is_empty);
	tcase_add_test(tc, one_peer_changed);
	tcase_add_test(tc, add_remove_and_device_fields);
	tcase_add_test(tc, psk_and_endpoint);
	suite_add_tcase(s, tc);
	return check_run(s);
}
