/* check_wgconf.c — the wg-quick style parser: what it takes, what it
 * refuses, and that every refusal names file, line and key. */
#include <check.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tunnel/wg/key.h"
#include "base/keyfile.h"
#include "tunnel/wg/wgconf.h"
#include "tests/unit/checkrun.h"

#define PRIV_A	"YAnoLMJm6JTwdDd3m4G3nTuxiD6x1a4L1JNGqdo3xnM="
#define PUB_B	"f8Pf7LXcX/FFyNJRbRr2VlvAG0OENGXnhvxJR5NJaiQ="
#define PUB_C	"RCmGnUBb+AmsQy55+CgQwcnL/KeMFMz0pOFxgqNKLls="
#define PSK	"rLQd7AOzJMk4NrOFjFoT0vQ7NSi7T4f9sOasJWQbMJs="

static char err[1024];
static char dir[] = "/tmp/check_wgconf.XXXXXX";

static int
parse(struct wg_config *c, const char *text, unsigned int mode)
{
	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	return wg_config_parse(c, "t.conf", text, strlen(text), dir,
	    S_IFREG | mode, err, sizeof(err));
}

/* Parse must fail with this exact "t.conf:LINE: ..." prefix. */
static void
refuse(const char *text, const char *prefix)
{
	struct wg_config c;

	ck_assert_int_eq(parse(&c, text, 0600), -1);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		ck_abort_msg("want '%s...' got '%s'", prefix, err);
	wg_config_free(&c);
}

START_TEST(full_file)
{
	const char *t =
	    "# colo side\n"
	    "[Interface]\n"
	    "PrivateKey = " PRIV_A "\n"
	    "  listenport=51820   # trailing comment\n"
	    "Address = 10.0.0.1/24, fd00::1/64\n"
	    "Address = 10.0.1.1/24\n"
	    "MTU = 1420\n"
	    "FwMark = 0x42\n"
	    "\n"
	    "[Peer]\n"
	    "PublicKey = " PUB_B "\n"
	    "PresharedKey = " PSK "\n"
	    "Endpoint = 192.0.2.1:51820\n"
	    "AllowedIPs = 10.0.0.2/32, 10.1.0.0/16\n"
	    "AllowedIPs = fd00:1::/64\n"
	    "PersistentKeepalive = 25\n"
	    "[peer]\n"
	    "publickey = " PUB_C "\n"
	    "endpoint = [2001:db8::1]:51821\n"
	    "allowedips =\n"
	    "PersistentKeepalive = off\n";
	struct wg_config c;
	char b64[WG_KEY_B64_LEN], txt[64];

	ck_assert_msg(parse(&c, t, 0600) == 0, "%s", err);
	ck_assert(c.dev.flags & WG_DEV_HAS_PRIVATE_KEY);
	ck_assert(c.dev.flags & WG_DEV_HAS_PUBLIC_KEY);
	ck_assert(c.dev.flags & WG_DEV_REPLACE_PEERS);
	ck_assert_uint_eq(c.dev.listen_port, 51820);
	ck_assert_uint_eq(c.dev.fwmark, 0x42);
	ck_assert_uint_eq(c.mtu, 1420);
	ck_assert_uint_eq(c.naddrs, 3);
	wg_aip_fmt(&c.addrs[1], txt, sizeof(txt));
	ck_assert_str_eq(txt, "fd00::1/64");
	ck_assert_uint_eq(c.dev.npeers, 2);
	key_to_base64(b64, c.dev.peers[0].public_key);
	ck_assert_str_eq(b64, PUB_B);
	ck_assert(c.dev.peers[0].flags & WG_PEER_HAS_PSK);
	ck_assert(c.dev.peers[0].flags & WG_PEER_REPLACE_ALLOWEDIPS);
	ck_assert_uint_eq(c.dev.peers[0].naips, 3);
	wg_aip_fmt(&c.dev.peers[0].aips[2], txt, sizeof(txt));
	ck_assert_str_eq(txt, "fd00:1::/64");
	wg_endpoint_fmt(&c.dev.peers[0].endpoint, txt, sizeof(txt));
	ck_assert_str_eq(txt, "192.0.2.1:51820");
	ck_assert_uint_eq(c.dev.peers[0].keepalive, 25);
	wg_endpoint_fmt(&c.dev.peers[1].endpoint, txt, sizeof(txt));
	ck_assert_str_eq(txt, "[2001:db8::1]:51821");
	ck_assert_uint_eq(c.dev.peers[1].naips, 0);
	ck_assert(c.dev.peers[1].flags & WG_PEER_HAS_KEEPALIVE);
	ck_assert_uint_eq(c.dev.peers[1].keepalive, 0);
	ck_assert(!(c.dev.peers[1].flags & WG_PEER_HAS_PSK));
	wg_config_free(&c);
}
END_TEST

START_TEST(errors_name_line_and_key)
{
	refuse("[Interface]\nPrivateKey = nope\n",
	    "t.conf:2: PrivateKey: not a base64");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\nColour = blue\n",
	    "t.conf:3: Colour: unknown key in [Interface]");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\nListenPort = 1\n"
	    "ListenPort = 2\n", "t.conf:4: ListenPort: given twice");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\nListenPort = 70000\n",
	    "t.conf:3: ListenPort: '70000'");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\nPostUp = rm -rf /\n",
	    "t.conf:3: PostUp: wg-quick key not supported");
	refuse("PrivateKey = " PRIV_A "\n",
	    "t.conf:1: PrivateKey: outside any");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\nAllowedIPs = 10.0.0.1/24\n",
	    "t.conf:5: AllowedIPs: '10.0.0.1/24' has host bits");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\nAllowedIPs = 10.0.0.0/33\n",
	    "t.conf:5: AllowedIPs: '10.0.0.0/33'");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\nAllowedIPs = 10.9.0.0/16\n[Peer]\n"
	    "PublicKey = " PUB_C "\nAllowedIPs = 10.9.0.0/16\n",
	    "t.conf:8: AllowedIPs: '10.9.0.0/16' is given twice");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\n[Peer]\nPublicKey = " PUB_B "\n",
	    "t.conf:6: PublicKey: peer " PUB_B " is given twice");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "Endpoint = 192.0.2.1:1\n[Peer]\nPublicKey = " PUB_B "\n",
	    "t.conf:3: [Peer] has no PublicKey");
	refuse("[Interface]\nListenPort = 1\n",
	    "t.conf:1: [Interface] has no PrivateKey");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\nEndpoint = 2001:db8::1:51820\n",
	    "t.conf:5: Endpoint: '2001:db8::1:51820': put IPv6");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\nEndpoint = 192.0.2.1:0\n",
	    "t.conf:5: Endpoint: '0': bad port");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Peer]\n"
	    "PublicKey = " PUB_B "\nAllowedIPs = 0.0.0.0/0\n",
	    "t.conf:5: AllowedIPs: a /0 prefix needs Table = off");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Interface]\n",
	    "t.conf:3: [Interface] given twice");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\n[Wat]\n",
	    "t.conf:3: unknown section [Wat]");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\njunk\n",
	    "t.conf:3: expected Key = Value");
	refuse("[Interface]\nPrivateKey = " PRIV_A "\nPrivateKeyFile = k\n",
	    "t.conf:3: PrivateKey/PrivateKeyFile: given twice");
}
END_TEST

START_TEST(default_route_with_table_off)
{
	struct wg_config c;

	ck_assert_msg(parse(&c, "[Interface]\nPrivateKey = " PRIV_A "\n"
	    "Table = off\n[Peer]\nPublicKey = " PUB_B "\n"
	    "AllowedIPs = 0.0.0.0/0, ::/0\n", 0600) == 0, "%s", err);
	ck_assert_int_eq(c.table, WG_TABLE_OFF);
	ck_assert_uint_eq(c.dev.peers[0].naips, 2);
	wg_config_free(&c);
}
END_TEST

START_TEST(own_key_as_peer)
{
	struct wg_config c;
	uint8_t priv[32], pub[32];
	char b64[WG_KEY_B64_LEN], text[256];

	key_from_base64(priv, PRIV_A, strlen(PRIV_A));
	wg_key_public(pub, priv);
	key_to_base64(b64, pub);
	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = " PRIV_A
	    "\n\n[Peer]\nPublicKey = %s\n", b64);
	ck_assert_int_eq(parse(&c, text, 0600), -1);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:4: PublicKey:"));
	ck_assert_ptr_nonnull(strstr(err, "own public key"));
	wg_config_free(&c);
}
END_TEST

START_TEST(secret_modes)
{
	struct wg_config c;
	char path[128];
	FILE *f;

	/* Inline key in a group-readable file: refused, naming the key. */
	ck_assert_int_eq(parse(&c, "[Interface]\nPrivateKey = " PRIV_A "\n",
	    0640), -1);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2: PrivateKey:"));
	ck_assert_ptr_nonnull(strstr(err, "mode 0640"));
	wg_config_free(&c);
	/* Same file without inline keys, key in a 0600 file: fine. */
	snprintf(path, sizeof(path), "%s/a.key", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", PRIV_A);
	fclose(f);
	chmod(path, 0600);
	ck_assert_msg(parse(&c, "[Interface]\nPrivateKeyFile = a.key\n",
	    0644) == 0, "%s", err);
	wg_config_free(&c);
	/* Key file readable by others: refused. */
	chmod(path, 0604);
	ck_assert_int_eq(parse(&c, "[Interface]\nPrivateKeyFile = a.key\n",
	    0644), -1);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2: PrivateKeyFile:"));
	ck_assert_ptr_nonnull(strstr(err, "mode 0604"));
	wg_config_free(&c);
	/* Preshared key inline in a world-readable file: refused. */
	chmod(path, 0600);
	ck_assert_int_eq(parse(&c, "[Interface]\nPrivateKeyFile = a.key\n"
	    "[Peer]\nPublicKey = " PUB_B "\nPresharedKey = " PSK "\n", 0604),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:5: PresharedKey:"));
	wg_config_free(&c);
	unlink(path);
}
END_TEST

START_TEST(ifname_from_path)
{
	char n[IFNAMSIZ];

	ck_assert_int_eq(wg_config_ifname(n, "/etc/gatewayd/wg0.conf"), 0);
	ck_assert_str_eq(n, "wg0");
	ck_assert_int_eq(wg_config_ifname(n, "core-a.conf"), 0);
	ck_assert_str_eq(n, "core-a");
	ck_assert_int_eq(wg_config_ifname(n, "/x/.conf"), -1);
	ck_assert_int_eq(wg_config_ifname(n, "/x/wg0.cfg"), -1);
	ck_assert_int_eq(wg_config_ifname(n, "/x/sixteen-chars-xx.conf"), -1);
	ck_assert_int_eq(wg_config_ifname(n, "/x/bad name.conf"), -1);
}
END_TEST

START_TEST(load_from_disk)
{
	struct wg_config c;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/wg7.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[Interface]\nPrivateKey = %s\n", PRIV_A);
	fclose(f);
	chmod(path, 0644);
	ck_assert_int_eq(wg_config_load(&c, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "wg7.conf:2: PrivateKey:"));
	chmod(path, 0600);
	ck_assert_msg(wg_config_load(&c, path, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_str_eq(c.ifname, "wg7");
	ck_assert_str_eq(c.dev.ifname, "wg7");
	wg_config_free(&c);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wgconf");
	TCase *tc = tcase_create("wgconf");
	int rc;

	if (mkdtemp(dir) == NULL)
		return EXIT_FAILURE;
	tcase_add_test(tc, full_file);
	tcase_add_test(tc, errors_name_line_and_key);
	tcase_add_test(tc, default_route_with_table_off);
	tcase_add_test(tc, own_key_as_peer);
	tcase_add_test(tc, secret_modes);
	tcase_add_test(tc, ifname_from_path);
	tcase_add_test(tc, load_from_disk);
	suite_add_tcase(s, tc);
	rc = check_run(s);
	rmdir(dir);
	return rc;
}
