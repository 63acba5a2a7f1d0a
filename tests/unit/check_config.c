/* check_config.c — the config parser: values, errors naming file, line
 * and key, AllowFrom matching, durations. */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"
#include "tests/unit/checkrun.h"

/* text, then the lab mode, so a test need not bring a state key. */
static struct config *
parse(const char *text, char *err, size_t errsz)
{
	static char buf[4096];

	snprintf(buf, sizeof buf, "%s\n[Gateway]\nDurability = none\n", text);
	return config_parse_string(buf, "t.conf", 1, err, errsz);
}

START_TEST(test_full)
{
	char err[256];
	struct config *c;
	struct cfg_link *l;
	struct cfg_core *k;

	c = parse("[Gateway]\nName = gw1\nMetrics = 127.0.0.1:9188\n"
	    "[Link mc]\nProfile = mastercard\nListen = 0.0.0.0:7001 # note\n"
	    "AllowFrom = 192.0.2.10, 10.0.0.0/8\nDeadline = 30ms\n"
	    "StandInReserve = 4ms\nFraming = len4ascii\n"
	    "[Core a]\nAddress = 10.200.0.1\nKeyFile = /x\nKeyFile = /y\n"
	    "Priority = 2\nHeartbeatInterval = 50ms\n"
	    "[StandIn]\nMode = force\n", err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->name, "gw1");
	l = config_link(c, "mc");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->mode, LINK_LISTEN);
	ck_assert_str_eq(l->addr.text, "0.0.0.0:7001");
	ck_assert_int_eq(l->nallow, 2);
	ck_assert_uint_eq(l->deadline_us, 30000);
	ck_assert_uint_eq(l->reserve_us, 4000);
	k = config_core(c, "a");
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->addr.text, "10.200.0.1:6080");
	ck_assert_int_eq(k->nkeyfiles, 2);
	ck_assert_int_eq(k->priority, 2);
	ck_assert_uint_eq(k->hb_us, 50000);
	ck_assert_int_eq(c->standin_mode, STANDIN_FORCE);
	config_free(c);
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[Gateway]\nName = a\nBogus = 1\n",
		    "t.conf:3: unknown key Bogus in [Gateway]" },
		{ "[Link x]\nProfile = iso87\nListen = nope\n",
		    "t.conf:3: Listen: want ADDRESS:PORT" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "Connect = 1.2.3.4:2\n",
		    "t.conf:4: Connect: only one of Listen and Connect" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "MaxFrame = 70000\n", "t.conf:4: MaxFrame: want 64..65535" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "Framing = len3\n",
		    "t.conf:4: Framing: want len2 or len4ascii" },
		{ "[Core c]\nAddress = 1.2.3.4\n",
		    "t.conf:1: [Core c]: KeyFile is required" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n",
		    "t.conf:1: [Link x]: AllowFrom is required on a Listen "
		    "link (AllowFrom = any to accept every address)" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "AllowFrom = any\nAllowFrom = 10.0.0.1\n",
		    "t.conf:5: AllowFrom: any stands alone" },
		{ "[Link x]\nProfile = iso87\nConnect = 1.2.3.4:1\n"
		    "AllowFrom = any\n",
		    "t.conf:1: [Link x]: AllowFrom is for Listen links" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "AllowFrom = any\nEchoMisses = 0\n",
		    "t.conf:5: EchoMisses: want 1..100 unanswered echoes" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "AllowFrom = any\nFirstFrameTimeout = 10ms\n",
		    "t.conf:5: FirstFrameTimeout: want 100ms..10m" },
		{ "[Link x]\nProfile = iso87\nListen = 1.2.3.4:1\n"
		    "AllowFrom = any\nMaxInFlight = 0\n",
		    "t.conf:5: MaxInFlight: want 1..1000000" },
		{ "[Core c]\nAddress = 1.2.3.4\nHeartbeatInterval = 5ms\n",
		    "t.conf:3: HeartbeatInterval: want 10ms..60s" },
		{ "[StandIn]\nMode = sometimes\n",
		    "t.conf:2: Mode: want auto, force or off" },
		{ "Name = x\n", "t.conf:1: Name: key outside any section" },
		{ "[Link bad name!]\nProfile = iso87\n",
		    "t.conf:2: [Link bad name!]: bad link name" },
		{ "[Gateway]\nthis is not ini\n", "t.conf:2: syntax error" },
		{ "[Core c]\nAddress = 1.2.3.4\nFreshWindow = 500ms\n",
		    "t.conf:3: FreshWindow: want 1s..10m" },
		{ "[Gateway]\nDurability = maybe\n",
		    "t.conf:2: Durability: want full or none" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_ptr_null(parse(cases[i].text, err, sizeof err));
		ck_assert_str_eq(err, cases[i].want);
	}
}
END_TEST

/* Nothing falls back to a weaker mode: without a state key the
 * gateway has no store, and only Durability = none says that is meant. */
START_TEST(test_durability)
{
	struct config *c;
	char err[256];

	c = config_parse_string("[Link a]\nProfile = iso87\nListen = "
	    "127.0.0.1:1\nAllowFrom = any\n", "t.conf", 1, err, sizeof err);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "t.conf: [Gateway]: StateKeyFile is required "
	    "(Durability = none runs without a store, for a lab)");
	c = config_parse_string("[Gateway]\nStateKeyFile = /k\n", "t.conf", 1,
	    err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->durability, DURABILITY_FULL);
	config_free(c);
	c = parse("[Core c]\nAddress = 1.2.3.4\nKeyFile = /x\n", err,
	    sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->durability, DURABILITY_NONE);
	ck_assert_uint_eq(config_core(c, "c")->fresh_us, 30000000);
	config_free(c);
}
END_TEST

START_TEST(test_durations)
{
	uint32_t us;
	char b[32];

	ck_assert_int_eq(config_duration("40ms", &us), 0);
	ck_assert_uint_eq(us, 40000);
	ck_assert_int_eq(config_duration("250us", &us), 0);
	ck_assert_uint_eq(us, 250);
	ck_assert_int_eq(config_duration("2m", &us), 0);
	ck_assert_uint_eq(us, 120000000);
	ck_assert_int_eq(config_duration("5", &us), -1);
	ck_assert_int_eq(config_duration("-5ms", &us), -1);
	ck_assert_int_eq(config_duration("99999999s", &us), -1);
	config_fmt_duration(40000, b, sizeof b);
	ck_assert_str_eq(b, "40ms");
	config_fmt_duration(1500, b, sizeof b);
	ck_assert_str_eq(b, "1500us");
	config_fmt_duration(30000000, b, sizeof b);
	ck_assert_str_eq(b, "30s");
}
END_TEST

START_TEST(test_sizes)
{
	uint64_t n;
	char b[32];

	ck_assert_int_eq(config_size("16G", &n), 0);
	ck_assert_uint_eq(n, 16ull << 30);
	ck_assert_int_eq(config_size("512M", &n), 0);
	ck_assert_uint_eq(n, 512ull << 20);
	ck_assert_int_eq(config_size("4096", &n), 0);
	ck_assert_uint_eq(n, 4096);
	ck_assert_int_eq(config_size("1T", &n), 0);
	ck_assert_uint_eq(n, 1ull << 40);
	ck_assert_int_eq(config_size("1GB", &n), -1);
	ck_assert_int_eq(config_size("G", &n), -1);
	ck_assert_int_eq(config_size("-1G", &n), -1);
	ck_assert_int_eq(config_size("99999999999T", &n), -1);	/* overflow */
	config_fmt_size(16ull << 30, b, sizeof b);
	ck_assert_str_eq(b, "16G");
	config_fmt_size(1536ull << 20, b, sizeof b);
	ck_assert_str_eq(b, "1536M");
	config_fmt_size(4097, b, sizeof b);
	ck_assert_str_eq(b, "4097");
}
END_TEST

START_TEST(test_allow)
{
	char err[256];
	struct config *c;
	struct cfg_link *l;
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	c = parse("[Link x]\nProfile = iso87\nListen = 0.0.0.0:1\n"
	    "AllowFrom = 192.0.2.10, 10.1.0.0/16, 2001:db8::/32\n", err,
	    sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	l = config_link(c, "x");
	memset(&s4, 0, sizeof s4);
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", &s4.sin_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s4), 1);
	inet_pton(AF_INET, "192.0.2.11", &s4.sin_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s4), 0);
	inet_pton(AF_INET, "10.1.255.3", &s4.sin_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s4), 1);
	inet_pton(AF_INET, "10.2.0.1", &s4.sin_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s4), 0);
	memset(&s6, 0, sizeof s6);
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1::5", &s6.sin6_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s6), 1);
	inet_pton(AF_INET6, "::ffff:192.0.2.10", &s6.sin6_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s6), 1);
	inet_pton(AF_INET6, "2001:db9::1", &s6.sin6_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s6), 0);
	config_free(c);
	/* Everyone only when written so. */
	c = parse("[Link x]\nProfile = iso87\nListen = 0.0.0.0:1\n"
	    "AllowFrom = any\n", err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	l = config_link(c, "x");
	ck_assert_int_eq(l->allow_any, 1);
	inet_pton(AF_INET, "203.0.113.9", &s4.sin_addr);
	ck_assert_int_eq(config_allowed(l, (struct sockaddr *)&s4), 1);
	config_free(c);
}
END_TEST

/* Every link limit has a safe default (issue 14). */
START_TEST(test_limit_defaults)
{
	char err[256];
	struct config *c;
	struct cfg_link *l;

	c = parse("[Link x]\nProfile = iso87\nListen = 0.0.0.0:1\n"
	    "AllowFrom = 10.0.0.1\n", err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	l = config_link(c, "x");
	ck_assert_uint_eq(l->first_frame_us, 10000000);
	ck_assert_uint_eq(l->frame_us, 5000000);
	ck_assert_int_eq(l->echo_misses, 3);
	ck_assert_uint_eq(l->output_cap, 1048576);
	ck_assert_uint_eq(l->stall_us, 5000000);
	ck_assert_int_eq(l->max_inflight, 1024);
	ck_assert_uint_eq(c->log_rate, 50);
	config_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_durability);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_allow);
	tcase_add_test(tc, test_limit_defaults);
	suite_add_tcase(s, tc);
	return check_run(s);
}
