/*
 * check_msgclass.c — where each message class goes (gateway/msgclass.c)
 * and the session codes each profile gets (gateway/session.c): the
 * table doc/architecture.md shows, held to the code.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/msgclass.h"
#include "gateway/session.h"
#include "tests/unit/checkrun.h"

static enum msg_route
route(const char *mti, int *repeat)
{
	const char *what;
	int r;

	return msgclass_route(mti, &what, repeat != NULL ? repeat : &r);
}

START_TEST(every_class)
{
	static const struct {
		const char	*mti;
		enum msg_route	 r;
		int		 repeat;
	} cases[] = {
		{ "0100", ROUTE_REQUEST, 0 }, { "0101", ROUTE_REQUEST, 1 },
		{ "0200", ROUTE_REQUEST, 0 }, { "0201", ROUTE_REQUEST, 1 },
		{ "0400", ROUTE_REQUEST, 0 }, { "0401", ROUTE_REQUEST, 1 },
		{ "0120", ROUTE_ADVICE, 0 }, { "0121", ROUTE_ADVICE, 1 },
		{ "0220", ROUTE_ADVICE, 0 }, { "0221", ROUTE_ADVICE, 1 },
		{ "0420", ROUTE_ADVICE, 0 }, { "0421", ROUTE_ADVICE, 1 },
		{ "0520", ROUTE_ADVICE, 0 }, { "0620", ROUTE_ADVICE, 0 },
		{ "0621", ROUTE_ADVICE, 1 },
		{ "0300", ROUTE_FORWARD, 0 }, { "0302", ROUTE_FORWARD, 0 },
		{ "0303", ROUTE_FORWARD, 1 }, { "0500", ROUTE_FORWARD, 0 },
		{ "0600", ROUTE_FORWARD, 0 },
		{ "0800", ROUTE_NETMGMT, 0 }, { "0810", ROUTE_NETMGMT, 0 },
		{ "0820", ROUTE_NETMGMT, 0 },
		{ "0110", ROUTE_RESPONSE, 0 }, { "0210", ROUTE_RESPONSE, 0 },
		{ "0430", ROUTE_RESPONSE, 0 }, { "0312", ROUTE_RESPONSE, 0 },
		/* nobody routes these: answered 12 by the link */
		{ "0700", ROUTE_UNKNOWN, 0 }, { "0140", ROUTE_UNKNOWN, 0 },
		{ "0900", ROUTE_UNKNOWN, 0 }, { "0000", ROUTE_UNKNOWN, 0 },
		/* unreadable: not four digits, another version, origin 6-9 */
		{ "01A0", ROUTE_UNKNOWN, 0 }, { "1100", ROUTE_UNKNOWN, 0 },
		{ "0106", ROUTE_UNKNOWN, 0 }, { "010", ROUTE_UNKNOWN, 0 },
		{ "01000", ROUTE_UNKNOWN, 0 }, { "", ROUTE_UNKNOWN, 0 },
	};
	size_t i;
	int rep;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rep = -1;
		ck_assert_msg(route(cases[i].mti, &rep) == cases[i].r,
		    "%s: route %s", cases[i].mti,
		    msgclass_route_name(route(cases[i].mti, NULL)));
		if (cases[i].r != ROUTE_UNKNOWN)
			ck_assert_msg(rep == cases[i].repeat, "%s: repeat %d",
			    cases[i].mti, rep);
	}
}
END_TEST

START_TEST(table_names_every_route)
{
	const struct msg_class *t;
	int n, i;

	t = msgclass_table(&n);
	ck_assert_int_gt(n, 0);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(t[i].what);
		ck_assert(t[i].fn == '0' || t[i].fn == '2');
		/* function 2 is stored and acknowledged; function 0 is
		 * answered, by the core or stand-in */
		if (t[i].fn == '2')
			ck_assert_int_eq(t[i].route, ROUTE_ADVICE);
		else
			ck_assert(t[i].route == ROUTE_REQUEST ||
			    t[i].route == ROUTE_FORWARD);
	}
	ck_assert_str_eq(msgclass_route_name(ROUTE_FORWARD), "forward");
}
END_TEST

START_TEST(session_codes_by_profile)
{
	const struct session_codes *c;

	c = session_codes("mastercard");
	ck_assert_str_eq(c->sign_on, "061");
	ck_assert_str_eq(c->sign_off, "062");
	ck_assert_str_eq(c->echo, "270");
	ck_assert_str_eq(c->saf, "060");
	ck_assert_int_eq(c->gated, 1);
	ck_assert_ptr_eq(session_codes("mastercard-cp037"), c);
	c = session_codes("fps");
	ck_assert_str_eq(c->sign_on, "001");
	ck_assert_ptr_null(c->saf);
	ck_assert_int_eq(c->gated, 1);
	c = session_codes("iso87");
	ck_assert_str_eq(c->echo, "301");
	ck_assert_int_eq(c->gated, 0);
	ck_assert_str_eq(c->mac_rc, "63");
	ck_assert_str_eq(session_state_name(SESS_SIGNED_ON), "signed_on");
	ck_assert_str_eq(session_state_name(99), "?");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("msgclass");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_class);
	tcase_add_test(tc, table_names_every_route);
	tcase_add_test(tc, session_codes_by_profile);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(suite());
}
