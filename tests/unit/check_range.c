/* check_range.c — the stand-in's parameter tables (range.h): each value
 * parser and the error it gives (naming the item at fault), the whole-
 * table checks, the longest-prefix match, the exposure share's
 * arithmetic, and the printed form read back through the config reader
 * to itself. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"
#include "gateway/standin/range.h"
#include "tests/unit/sifix.h"
#include "tests/unit/checkrun.h"

/* The parser's -1 and an error holding want (the item, quoted). */
#define REFUSED(call, want) do {					\
	err[0] = '\0';							\
	ck_assert_int_eq((call), -1);					\
	ck_assert_msg(strstr(err, (want)) != NULL, "error '%s' does not "	\
	    "say '%s'", err, (want));					\
} while (0)

START_TEST(prefixes)
{
	struct range r;
	char err[200], many[400];
	int i;

	range_init(&r, "gold");
	ck_assert_int_eq(range_add_prefixes(&r, "5413, 541333\t4111,,", err,
	    sizeof err), 0);
	ck_assert_int_eq(r.nprefix, 3);
	ck_assert_str_eq(r.prefix[1], "541333");
	ck_assert_str_eq(r.prefix[2], "4111");
	/* a second line adds to the first */
	ck_assert_int_eq(range_add_prefixes(&r, "222100", err, sizeof err), 0);
	ck_assert_int_eq(r.nprefix, 4);
	ck_assert_str_eq(r.prefix[0], "5413");
	ck_assert_str_eq(r.prefix[3], "222100");
	/* not digits, too long (18 is the most: a PAN is 19 at most) */
	REFUSED(range_add_prefixes(&r, "5413 54x3", err, sizeof err),
	    "Prefix: \"54x3\"");
	REFUSED(range_add_prefixes(&r, "-5413", err, sizeof err),
	    "\"-5413\"");
	ck_assert_int_eq(range_add_prefixes(&r, "123456789012345678", err,
	    sizeof err), 0);
	REFUSED(range_add_prefixes(&r, "1234567890123456789", err,
	    sizeof err), "\"1234567890123456789\": want 1 to 18 digits");
	/* more than RANGE_PREFIX_MAX in one range */
	range_init(&r, "gold");
	many[0] = '\0';
	for (i = 0; i < RANGE_PREFIX_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many),
		    "%d ", 100 + i);
	ck_assert_int_eq(range_add_prefixes(&r, many, err, sizeof err), 0);
	REFUSED(range_add_prefixes(&r, "999", err, sizeof err),
	    "more than 16");
	/* an empty list adds nothing */
	ck_assert_int_eq(range_add_prefixes(&r, " , ", err, sizeof err), 0);
	ck_assert_int_eq(r.nprefix, RANGE_PREFIX_MAX);
}
END_TEST

START_TEST(mcc_groups)
{
	struct range r;
	char err[200], line[300];
	const struct range_mccg *g;
	int i;

	range_init(&r, "gold");
	ck_assert_int_eq(range_add_mccg(&r, "gambling 7995 block", err,
	    sizeof err), 0);
	ck_assert_int_eq(range_add_mccg(&r, "travel 3000-3999, 4511,7011 "
	    "limit 50000", err, sizeof err), 0);
	ck_assert_int_eq(r.nmccg, 2);
	g = &r.mccg[0];
	ck_assert_str_eq(g->name, "gambling");
	ck_assert_int_eq(g->nspan, 1);
	ck_assert_int_eq(g->block, 1);
	ck_assert_uint_eq(g->limit, 0);
	g = &r.mccg[1];
	ck_assert_int_eq(g->nspan, 3);
	ck_assert_uint_eq(g->lo[0], 3000);
	ck_assert_uint_eq(g->hi[0], 3999);
	ck_assert_uint_eq(g->lo[2], 7011);
	ck_assert_int_eq(g->block, 0);
	ck_assert_uint_eq(g->limit, 50000);
	/* the group an MCC is in, span ends included */
	ck_assert_ptr_eq(range_mccg_find(&r, "7995"), &r.mccg[0]);
	ck_assert_ptr_eq(range_mccg_find(&r, "3000"), &r.mccg[1]);
	ck_assert_ptr_eq(range_mccg_find(&r, "3999"), &r.mccg[1]);
	ck_assert_ptr_eq(range_mccg_find(&r, "4511"), &r.mccg[1]);
	ck_assert_ptr_null(range_mccg_find(&r, "2999"));
	ck_assert_ptr_null(range_mccg_find(&r, "4000"));
	ck_assert_ptr_null(range_mccg_find(&r, NULL));
	ck_assert_ptr_null(range_mccg_find(&r, "79x5"));
	ck_assert_ptr_null(range_mccg_find(&r, "799"));
	/* malformed, each refused naming what is wrong */
	REFUSED(range_add_mccg(&r, "", err, sizeof err), "MccGroup: want");
	REFUSED(range_add_mccg(&r, "g", err, sizeof err), "MccGroup g:");
	REFUSED(range_add_mccg(&r, "g 7995", err, sizeof err),
	    "MccGroup g: want MCCS then block or limit N");
	REFUSED(range_add_mccg(&r, "g block", err, sizeof err),
	    "MccGroup g: want MCCS");
	REFUSED(range_add_mccg(&r, "g 799 block", err, sizeof err),
	    "MccGroup g: \"799\": want an MCC");
	REFUSED(range_add_mccg(&r, "g 79951 block", err, sizeof err),
	    "\"79951\"");
	REFUSED(range_add_mccg(&r, "g 3999-3000 block", err, sizeof err),
	    "\"3999-3000\"");
	REFUSED(range_add_mccg(&r, "g 3000-39x9 block", err, sizeof err),
	    "\"3000-39x9\"");
	REFUSED(range_add_mccg(&r, "g 7995 limit", err, sizeof err),
	    "MccGroup g:");
	REFUSED(range_add_mccg(&r, "g 7995 limit 0", err, sizeof err),
	    "MccGroup g: limit: want an amount");
	REFUSED(range_add_mccg(&r, "g 7995 limit 12x", err, sizeof err),
	    "MccGroup g: limit");
	REFUSED(range_add_mccg(&r, "g 7995 limit -5", err, sizeof err),
	    "MccGroup g: limit");
	REFUSED(range_add_mccg(&r, "g 7995 limit 1234567890123456", err,
	    sizeof err), "MccGroup g: limit");
	REFUSED(range_add_mccg(&r, "g 7995 block now", err, sizeof err),
	    "MccGroup g: \"now\": unexpected");
	REFUSED(range_add_mccg(&r, "g 7995 limit 5 6", err, sizeof err),
	    "MccGroup g: \"6\": unexpected");
	REFUSED(range_add_mccg(&r, "g 7995 blocked", err, sizeof err),
	    "MccGroup g:");
	REFUSED(range_add_mccg(&r, "averyveryveryveryverylongname0123 "
	    "7995 block", err, sizeof err), "MccGroup: want");
	ck_assert_int_eq(r.nmccg, 2);		/* none of them added */
	/* too many spans in one group, too many groups */
	snprintf(line, sizeof line, "many");
	for (i = 0; i <= RANGE_SPAN_MAX; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    " %d", 5000 + i);
	strcat(line, " block");
	REFUSED(range_add_mccg(&r, line, err, sizeof err),
	    "MccGroup many: more than 16");
	for (i = r.nmccg; i < RANGE_MCCG_MAX; i++)
		ck_assert_int_eq(range_add_mccg(&r, "x 6000 limit 1", err,
		    sizeof err), 0);
	REFUSED(range_add_mccg(&r, "x 6000 limit 1", err, sizeof err),
	    "more than 8");
}
END_TEST

START_TEST(countries_currencies)
{
	struct range r;
	char err[200], many[200];
	int i;

	range_init(&r, "gold");
	ck_assert_int_eq(r.ncountry, 0);
	ck_assert_int_eq(range_set_countries(&r, "826, GBR IRL 372", err,
	    sizeof err), 0);
	ck_assert_int_eq(r.ncountry, 4);
	ck_assert_int_eq(range_has_country(&r, "GBR"), 1);
	ck_assert_int_eq(range_has_country(&r, "372"), 1);
	ck_assert_int_eq(range_has_country(&r, "840"), 0);
	ck_assert_int_eq(range_has_country(&r, "gbr"), 0);
	/* a second line replaces */
	ck_assert_int_eq(range_set_countries(&r, "840", err, sizeof err), 0);
	ck_assert_int_eq(r.ncountry, 1);
	ck_assert_int_eq(range_has_country(&r, "826"), 0);
	REFUSED(range_set_countries(&r, "826 gbr", err, sizeof err),
	    "Countries: \"gbr\": want ISO 3166 numeric or alpha-3");
	REFUSED(range_set_countries(&r, "8260", err, sizeof err), "\"8260\"");
	REFUSED(range_set_countries(&r, "UK", err, sizeof err), "\"UK\"");
	REFUSED(range_set_countries(&r, "G8R", err, sizeof err), "\"G8R\"");
	many[0] = '\0';
	for (i = 0; i <= RANGE_COUNTRY_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many),
		    "%d ", 100 + i);
	REFUSED(range_set_countries(&r, many, err, sizeof err),
	    "Countries: more than 32");

	ck_assert_int_eq(range_set_currencies(&r, "978,840", err, sizeof err),
	    0);
	ck_assert_int_eq(range_has_currency(&r, "978"), 1);
	ck_assert_int_eq(range_has_currency(&r, "826"), 0);
	ck_assert_int_eq(range_set_currencies(&r, "392", err, sizeof err), 0);
	ck_assert_int_eq(range_has_currency(&r, "978"), 0);
	REFUSED(range_set_currencies(&r, "EUR", err, sizeof err),
	    "Currencies: \"EUR\": want ISO 4217 numeric");
	REFUSED(range_set_currencies(&r, "97", err, sizeof err), "\"97\"");
	many[0] = '\0';
	for (i = 0; i <= RANGE_CUR_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many),
		    "%d ", 100 + i);
	REFUSED(range_set_currencies(&r, many, err, sizeof err),
	    "Currencies: more than 16");
}
END_TEST

START_TEST(table_check)
{
	struct range_table t;
	char err[200];
	int line;

	memset(&t, 0, sizeof t);
	ck_assert_int_eq(range_table_check(&t, &line, err, sizeof err), 0);
	fix_range(&t.r[0], "gold", "5413 541333", NULL, NULL);
	t.r[0].line = 3;
	fix_range(&t.r[1], "silver", "5414", NULL, NULL);
	t.r[1].line = 9;
	range_init(&t.r[2], "default");
	t.r[2].line = 14;
	t.n = 3;
	ck_assert_int_eq(range_table_check(&t, &line, err, sizeof err), 0);
	/* a prefix in two ranges: the later named, with the earlier's line */
	ck_assert_int_eq(range_add_prefixes(&t.r[1], "541333", err,
	    sizeof err), 0);
	REFUSED(range_table_check(&t, &line, err, sizeof err),
	    "[Range silver]: Prefix 541333 is also in [Range gold] (line 3)");
	ck_assert_int_eq(line, 9);
	/* twice in one range */
	fix_range(&t.r[1], "silver", "5414 5415 5414", NULL, NULL);
	t.r[1].line = 9;
	REFUSED(range_table_check(&t, &line, err, sizeof err),
	    "[Range silver]: Prefix 5414 listed twice");
	ck_assert_int_eq(line, 9);
	/* overlapping is not the same: 5414 and 54140 may both be */
	fix_range(&t.r[1], "silver", "5414 54140", NULL, NULL);
	t.r[1].line = 9;
	ck_assert_int_eq(range_table_check(&t, &line, err, sizeof err), 0);
	/* the default with a prefix */
	ck_assert_int_eq(range_add_prefixes(&t.r[2], "4", err, sizeof err),
	    0);
	REFUSED(range_table_check(&t, &line, err, sizeof err),
	    "[Range default]: takes no Prefix");
	ck_assert_int_eq(line, 14);
	/* a range without one */
	range_init(&t.r[2], "platinum");
	t.r[2].line = 20;
	REFUSED(range_table_check(&t, &line, err, sizeof err),
	    "[Range platinum]: Prefix is required");
	ck_assert_int_eq(line, 20);
}
END_TEST

START_TEST(match)
{
	struct range_table t;
	const struct range *r;

	memset(&t, 0, sizeof t);
	/* no table at all: the built-in default, everything permitted */
	r = range_match(&t, "5413330089020011");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "default");
	ck_assert_int_eq(r->cash, 1);
	ck_assert_int_eq(r->cof, 1);
	ck_assert_uint_eq(r->share, 100);
	ck_assert_uint_eq(r->txn_limit, 0);
	/* overlapping prefixes: the longest that matches, wherever listed */
	fix_range(&t.r[0], "mid", "541333", NULL, NULL);
	fix_range(&t.r[1], "short", "4000 5413", NULL, NULL);
	fix_range(&t.r[2], "long", "5413339", NULL, NULL);
	t.n = 3;
	ck_assert_str_eq(range_match(&t, "5413339000000001")->name, "long");
	ck_assert_str_eq(range_match(&t, "5413330089020011")->name, "mid");
	ck_assert_str_eq(range_match(&t, "5413340000000001")->name, "short");
	ck_assert_str_eq(range_match(&t, "4000000000000002")->name, "short");
	/* the prefix must match from the first digit, in full */
	ck_assert_str_eq(range_match(&t, "1541333900000000")->name,
	    "default");
	ck_assert_str_eq(range_match(&t, "541")->name, "default");
	ck_assert_str_eq(range_match(&t, "")->name, "default");
	/* nothing matches: the built-in default, then a configured one */
	ck_assert_uint_eq(range_match(&t, "6011000000000004")->share, 100);
	range_init(&t.r[3], "default");
	t.r[3].share = 10;
	t.r[3].cash = 0;
	t.n = 4;
	r = range_match(&t, "6011000000000004");
	ck_assert_ptr_eq(r, &t.r[3]);
	ck_assert_uint_eq(r->share, 10);
	ck_assert_str_eq(range_match(&t, "5413339000000001")->name, "long");
}
END_TEST

START_TEST(share_of)
{
	struct range r;

	range_init(&r, "gold");
	ck_assert_uint_eq(range_share_of(&r, 100000), 100000);
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX), UINT64_MAX);
	r.share = 0;
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX), 0);
	r.share = 33;
	ck_assert_uint_eq(range_share_of(&r, 100000), 33000);
	ck_assert_uint_eq(range_share_of(&r, 99), 32);	/* floor */
	ck_assert_uint_eq(range_share_of(&r, 1), 0);
	/* cap * share overflows 64 bits here; the result must not */
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX),
	    6087425544324152032ull);
	r.share = 99;
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX),
	    18262276632972456098ull);
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX / 2),
	    9131138316486228048ull);
	r.share = 50;
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX),
	    9223372036854775807ull);
	r.share = 1;
	ck_assert_uint_eq(range_share_of(&r, UINT64_MAX),
	    184467440737095516ull);
}
END_TEST

/* A config with every [Range] key, in an order and spelling the printer
 * does not use. */
static const char ranges_conf[] =
    "[Gateway]\n"
    "Durability = none\n"
    "[Link a]\n"
    "Profile = iso87\n"
    "Listen = 127.0.0.1:7001\n"
    "AllowFrom = 127.0.0.1\n"
    "[StandIn]\n"
    "ExposureCap = 1000000\n"
    "MaxSnapshotAge = 90m\n"
    "[Range gold]\n"
    "ExposureShare = 40%\n"
    "prefix = 541333, 541334\n"
    "Prefix = 222100\n"
    "TxnLimit = 50000\n"
    "DailyCount = 10\n"
    "DailyAmount = 200000\n"
    "Cash = NO\n"
    "CashLimit = 20000\n"
    "CashDailyAmount = 40000\n"
    "CredentialOnFile = no\n"
    "MccGroup = gambling 7995,7800-7802 block\n"
    "MccGroup = travel 3000-3999 4511 limit 30000\n"
    "Countries = 826 GBR, IRL\n"
    "Currencies = 978 840\n"
    "[Range default]\n"
    "ExposureShare = 0\n"
    "[Range small]\n"
    "Prefix = 5413\n";

static char *
printed(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	config_print(c, f);
	fclose(f);
	return buf;
}

START_TEST(print_round_trip)
{
	struct config *c, *c2;
	char err[512], *p1, *p2, *one = NULL;
	size_t len = 0;
	const struct range *g;
	FILE *f;

	c = config_parse_string(ranges_conf, "ranges.conf", 1, err,
	    sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->ranges.n, 3);
	ck_assert_uint_eq(c->standin_max_age_s, 5400);
	g = &c->ranges.r[0];
	ck_assert_int_eq(g->nprefix, 3);
	ck_assert_int_eq(g->cash, 0);
	ck_assert_int_eq(g->cof, 0);
	ck_assert_uint_eq(g->share, 40);
	ck_assert_int_eq(g->nmccg, 2);
	ck_assert_int_eq(g->ncountry, 3);
	ck_assert_int_eq(g->line, 10);
	ck_assert_str_eq(range_match(&c->ranges, "5413340000000001")->name,
	    "gold");
	ck_assert_str_eq(range_match(&c->ranges, "5413350000000001")->name,
	    "small");
	ck_assert_uint_eq(range_match(&c->ranges, "4000000000000002")->share,
	    0);
	/* one range as printed */
	f = open_memstream(&one, &len);
	range_print(f, g);
	fclose(f);
	ck_assert_str_eq(one,
	    "[Range gold]\n"
	    "Prefix = 541333\n"
	    "Prefix = 541334\n"
	    "Prefix = 222100\n"
	    "TxnLimit = 50000\n"
	    "DailyCount = 10\n"
	    "DailyAmount = 200000\n"
	    "Cash = no\n"
	    "CashLimit = 20000\n"
	    "CashDailyAmount = 40000\n"
	    "CredentialOnFile = no\n"
	    "MccGroup = gambling 7995,7800-7802 block\n"
	    "MccGroup = travel 3000-3999,4511 limit 30000\n"
	    "Countries = 826 GBR IRL\n"
	    "Currencies = 978 840\n"
	    "ExposureShare = 40\n");
	free(one);
	/* the whole config printed, read back, printed: the same text */
	p1 = printed(c);
	c2 = config_parse_string(p1, "printed.conf", 1, err, sizeof err);
	ck_assert_msg(c2 != NULL, "%s\n%s", err, p1);
	p2 = printed(c2);
	ck_assert_str_eq(p1, p2);
	ck_assert_ptr_nonnull(strstr(p1, "MaxSnapshotAge = 90m\n"));
	ck_assert_ptr_nonnull(strstr(p1, "[Range default]\nCash = yes\n"));
	ck_assert_int_eq(memcmp(&c->ranges.r[0].mccg, &c2->ranges.r[0].mccg,
	    sizeof c->ranges.r[0].mccg), 0);
	free(p1);
	free(p2);
	config_free(c);
	config_free(c2);
}
END_TEST

/* The reader's messages: file, line, and the key or range at fault. */
START_TEST(reader_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    { "[Range g]\nPrefix = 54x3\n", "t.conf:2: Prefix: \"54x3\"" },
	    { "[Range g]\nPrefix = 5\nColour = red\n",
		"t.conf:3: unknown key Colour in [Range g]" },
	    { "[Range g]\nPrefix = 5\n[Range h]\nPrefix = 6,5\n",
		"t.conf:3: [Range h]: Prefix 5 is also in [Range g] "
		"(line 1)" },
	    { "[Range g]\nPrefix = 5\n[Range g]\nPrefix = 6\n",
		"t.conf:4: [Range g]: range defined twice" },
	    { "[Range default]\nPrefix = 5\n",
		"t.conf:1: [Range default]: takes no Prefix" },
	    { "[Range g]\nCash = no\n", "t.conf:1: [Range g]: Prefix is "
		"required" },
	    { "[Range g]\nPrefix = 5\nMccGroup = x 799 block\n",
		"t.conf:3: MccGroup x: \"799\"" },
	    { "[Range g]\nPrefix = 5\nExposureShare = 101\n",
		"t.conf:3: ExposureShare: \"101\": want a percentage, 0..100" },
	    { "[Range g]\nPrefix = 5\nCash = maybe\n",
		"t.conf:3: Cash: \"maybe\": want yes or no" },
	    { "[Range g]\nPrefix = 5\nTxnLimit = -1\n",
		"t.conf:3: TxnLimit: \"-1\": want a number" },
	    { "[Range g/h]\nPrefix = 5\n", "[Range g/h]: bad range name" },
	    { "[StandIn]\nMaxSnapshotAge = 0s\n",
		"t.conf:2: MaxSnapshotAge: want 1s..366d" },
	    { "[StandIn]\nMaxSnapshotAge = 367d\n",
		"t.conf:2: MaxSnapshotAge: want 1s..366d" },
	    { "[StandIn]\nMaxSnapshotAge = 10\n",
		"t.conf:2: MaxSnapshotAge: want 1s..366d" },
	    { "[StandIn]\nKeepDecisions = 23h\n",
		"t.conf:2: KeepDecisions: want 1d..366d" },
	    { "[StandIn]\nKeepDecisions = 367d\n",
		"t.conf:2: KeepDecisions: want 1d..366d" },
	    { "[StandIn]\nKeepDecisions = 7dd\n",
		"t.conf:2: KeepDecisions: want 1d..366d" },
	};
	char text[512], err[512];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "%s[Gateway]\nDurability = none\n"
		    "[Link a]\nProfile = iso87\nListen = 127.0.0.1:7001\n"
		    "AllowFrom = 127.0.0.1\n",
		    cases[i].text);
		err[0] = '\0';
		c = config_parse_string(text, "t.conf", 1, err, sizeof err);
		ck_assert_msg(c == NULL, "case %zu accepted", i);
		ck_assert_msg(strstr(err, cases[i].want) != NULL,
		    "case %zu: '%s', want '%s'", i, err, cases[i].want);
	}
	/* the largest age allowed, and it prints as written */
	snprintf(text, sizeof text, "[StandIn]\nMaxSnapshotAge = 366d\n"
	    "[Gateway]\nDurability = none\n");
	c = config_parse_string(text, "t.conf", 1, err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->standin_max_age_s, 366 * 86400);
	ck_assert_uint_eq(c->standin_keep_s, 35 * 86400);	/* default */
	config_free(c);
	snprintf(text, sizeof text, "[StandIn]\nKeepDecisions = 48h\n"
	    "[Gateway]\nDurability = none\n");
	c = config_parse_string(text, "t.conf", 1, err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->standin_keep_s, 2 * 86400);
	config_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("range");
	TCase *tc = tcase_create("range");

	tcase_add_test(tc, prefixes);
	tcase_add_test(tc, mcc_groups);
	tcase_add_test(tc, countries_currencies);
	tcase_add_test(tc, table_check);
	tcase_add_test(tc, match);
	tcase_add_test(tc, share_of);
	tcase_add_test(tc, print_round_trip);
	tcase_add_test(tc, reader_errors);
	suite_add_tcase(s, tc);
	return check_run(s);
}
