/* check_net.c — address prefixes (AllowFrom, hsmd's Peers) and config
 * values as inih hands them over: the forms an operator writes, the
 * ones refused, a v4 client of a dual-stack socket, partial bytes of a
 * prefix, and comments. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/cfgvalue.h"
#include "base/net.h"
#include "tests/unit/checkrun.h"

static struct sockaddr_storage
addr(const char *s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, s, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
	}
	return ss;
}

static int
matches(const char *prefix, const char *peer)
{
	struct net_prefix p;
	struct sockaddr_storage ss = addr(peer);

	ck_assert_int_eq(net_prefix_parse(prefix, &p), 0);
	return net_prefix_match(&p, 1, (struct sockaddr *)&ss);
}

START_TEST(parse_and_print)
{
	static const char *same[] = { "10.0.0.0/8", "192.0.2.1",
	    "2001:db8::/32", "::1", "10.1.2.0/23", "0.0.0.0/0" };
	static const char *bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/",
	    "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0/8", "host.example",
	    "10.0.0.0/8x", "" };
	struct net_prefix p;
	char out[64];
	size_t i;

	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		ck_assert_int_eq(net_prefix_parse(same[i], &p), 0);
		net_prefix_fmt(&p, out, sizeof out);
		ck_assert_str_eq(out, same[i]);
	}
	ck_assert_int_eq(net_prefix_parse("192.0.2.1/32", &p), 0);
	net_prefix_fmt(&p, out, sizeof out);
	ck_assert_str_eq(out, "192.0.2.1");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(net_prefix_parse(bad[i], &p) == -1, "%s", bad[i]);
}
END_TEST

START_TEST(match)
{
	ck_assert(matches("10.0.0.0/8", "10.255.1.2"));
	ck_assert(!matches("10.0.0.0/8", "11.0.0.1"));
	ck_assert(matches("10.1.2.0/23", "10.1.3.255"));
	ck_assert(!matches("10.1.2.0/23", "10.1.4.0"));
	ck_assert(matches("192.0.2.1", "192.0.2.1"));
	ck_assert(!matches("192.0.2.1", "192.0.2.2"));
	ck_assert(matches("0.0.0.0/0", "203.0.113.9"));
	/* a v4 client of a dual-stack socket is its v4 address */
	ck_assert(matches("127.0.0.0/8", "::ffff:127.0.0.1"));
	ck_assert(!matches("127.0.0.0/8", "::1"));
	ck_assert(matches("2001:db8::/33", "2001:db8:7fff::1"));
	ck_assert(!matches("2001:db8::/33", "2001:db8:8000::1"));
	ck_assert(!matches("10.0.0.0/8", "::1"));
}
END_TEST

START_TEST(values)
{
	static const char *in[][2] = {
		{ "5s", "5s" }, { "5s # five", "5s" }, { "5s\t#x", "5s" },
		{ "# all comment", "" }, { "a#b", "a#b" }, { ";x", "" },
		{ "a;b", "a;b" }, { "v  \t", "v" }, { "", "" },
	};
	char v[64];
	size_t i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		strcpy(v, in[i][0]);
		cfgvalue_strip(v);
		ck_assert_msg(strcmp(v, in[i][1]) == 0, "\"%s\" gave \"%s\"",
		    in[i][0], v);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_and_print);
	tcase_add_test(tc, match);
	tcase_add_test(tc, values);
	suite_add_tcase(s, tc);
	return check_run(s);
}
