/* check_sirules.c — the stand-in rules (sirules.h) one by one, every
 * DE39 and every why, on fixtures from sifix.h.  The parameter tables'
 * parser and matcher are check_range.c's; snapshot records and the state
 * key check_sicards.c's. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/standin/cards.h"
#include "gateway/standin/range.h"
#include "gateway/standin/sirules.h"
#include "tests/unit/sifix.h"
#include "tests/unit/checkrun.h"

/* A rule's decline against the DE39 and why wanted, or (OK) a pass.
 * Macros, so a failure names the test's line. */
#define RULE(call, want, wantwhy) do {					\
	const char *rc_;						\
	why = "(unset)";						\
	rc_ = (call);							\
	ck_assert_msg(rc_ != NULL && strcmp(rc_, (want)) == 0 &&	\
	    strcmp(why, (wantwhy)) == 0, "got %s why %s, want %s why %s",	\
	    rc_ ? rc_ : "pass", why, (want), (wantwhy));		\
} while (0)
#define OK(call) do {						\
	const char *rc_;						\
	why = "(unset)";						\
	rc_ = (call);							\
	ck_assert_msg(rc_ == NULL, "declined %s why %s, want a pass",	\
	    rc_, why);							\
} while (0)

/* --- rule 0: the snapshot's age ---------------------------------------------- */

START_TEST(test_fresh)
{
	const char *why;

	RULE(sirules_fresh(UINT64_MAX, 86400, &why), "91", "no-snapshot");
	RULE(sirules_fresh(86401, 86400, &why), "91", "stale-snapshot");
	RULE(sirules_fresh(UINT64_MAX - 1, 86400, &why), "91",
	    "stale-snapshot");
	OK(sirules_fresh(86400, 86400, &why));	/* the boundary */
	OK(sirules_fresh(0, 86400, &why));
	OK(sirules_fresh(1, 1, &why));
	RULE(sirules_fresh(2, 1, &why), "91", "stale-snapshot");
	/* no snapshot is never fresh, however long the age allowed */
	RULE(sirules_fresh(UINT64_MAX, UINT32_MAX, &why), "91",
	    "no-snapshot");
}
END_TEST

/* --- rules 1 and 2: the card, its expiry --------------------------------------- */

START_TEST(test_card)
{
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	const char *why;

	RULE(sirules_card(NULL, "2611", NULL, &why), "14", "unknown-card");
	OK(sirules_card(&c, "2611", NULL, &why));
	OK(sirules_card(&c, "2611", "", &why));	/* no DE14 */
	OK(sirules_card(&c, "2611", "2812", &why));
	RULE(sirules_card(&c, "2611", "2712", &why), "54", "expiry");
	RULE(sirules_card(&c, "2611", "2901", &why), "54", "expiry");
	OK(sirules_card(&c, "2812", NULL, &why));	/* last month */
	RULE(sirules_card(&c, "2901", NULL, &why), "54", "expiry");
	RULE(sirules_card(&c, "2901", "2812", &why), "54", "expiry");
	c.status = CARD_LOST;
	RULE(sirules_card(&c, "2611", NULL, &why), "41", "status");
	c.status = CARD_STOLEN;
	RULE(sirules_card(&c, "2611", NULL, &why), "43", "status");
	c.status = CARD_BLOCKED;
	RULE(sirules_card(&c, "2611", NULL, &why), "62", "status");
	c.status = CARD_CLOSED;
	RULE(sirules_card(&c, "2611", NULL, &why), "14", "status");
	c.status = 99;				/* a status not known */
	RULE(sirules_card(&c, "2611", NULL, &why), "14", "status");
	/* the status before the expiry */
	c.status = CARD_STOLEN;
	RULE(sirules_card(&c, "2901", "2712", &why), "43", "status");
	/* an expiry the card record does not hold in YYMM declines */
	c = fix_card(CARD_ACTIVE, "281");
	RULE(sirules_card(&c, "2611", NULL, &why), "54", "expiry");
	c = fix_card(CARD_ACTIVE, "");
	RULE(sirules_card(&c, "2611", NULL, &why), "54", "expiry");
}
END_TEST

/* --- rule 4: blocks --------------------------------------------------------------- */

START_TEST(test_blocks_mcc_cash)
{
	struct sirules_cfg cf, cf0;
	struct range r, r0;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_money m = fix_money(1000);
	uint64_t amt;
	const char *why;

	memset(&cf, 0, sizeof cf);
	ck_assert_int_eq(sirules_parse_mcc(&cf, "7995, 6211"), 0);
	fix_range(&r, "gold", "5413", "gambling 7800-7802,7995 block",
	    "travel 3000-3999,4511 limit 5000");
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	ck_assert_uint_eq(amt, 1000);
	m.mcc = "6211";				/* BlockMCC */
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57", "mcc");
	m.mcc = "7995";		/* in both: BlockMCC is named first */
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57", "mcc");
	m.mcc = "7801";				/* a blocked group's span */
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "mcc-group");
	m.mcc = "7803";				/* just past it */
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	m.mcc = "3500";				/* a group with a limit only */
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	/* no DE18, or one that is no MCC, with MCC rules in force: declined
	 * (no rule may weaken on a missing field); with none, passed */
	m.mcc = NULL;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "mcc-unknown");
	m.mcc = "12A4";
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "mcc-unknown");
	memset(&cf0, 0, sizeof cf0);
	fix_range(&r0, "gold", "5413", NULL, NULL);
	OK(sirules_blocks(&cf0, &r0, &c, &m, &amt, &why));
	/* cash */
	m = fix_money(1000);
	m.cash = 1;
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	r.cash = 0;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "cash-not-allowed");
	m.cash = 0;
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	/* the MCC before cash */
	m.cash = 1;
	m.mcc = "7800";
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "mcc-group");
}
END_TEST

START_TEST(test_blocks_country)
{
	struct sirules_cfg cf;
	struct range r;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_money m = fix_money(1000);
	uint64_t amt;
	const char *why;
	char err[200];

	memset(&cf, 0, sizeof cf);
	fix_range(&r, "gold", "5413", NULL, NULL);
	/* no Countries: any country, or none said */
	m.country = "840";
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	m.country = NULL;
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	ck_assert_int_eq(range_set_countries(&r, "826 IRL", err, sizeof err),
	    0);
	/* by DE19, numeric */
	m.country = "826";
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	m.country = "840";
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57", "country");
	/* by DE43's alpha-3 */
	m.country = NULL;
	m.country_a = "IRL";
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	m.country_a = "USA";
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57", "country");
	/* either one listed is enough */
	m.country = "826";
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	m.country = "840";
	m.country_a = "IRL";
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	/* the range lists countries and the request says none */
	m.country = NULL;
	m.country_a = NULL;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "country-unknown");
	/* cash before the country */
	r.cash = 0;
	m.cash = 1;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "cash-not-allowed");
}
END_TEST

START_TEST(test_blocks_currency)
{
	struct sirules_cfg cf;
	struct range r;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_money m = fix_money(1000);
	uint64_t amt = 0;
	const char *why;
	char err[200];

	memset(&cf, 0, sizeof cf);
	fix_range(&r, "gold", "5413", NULL, NULL);
	/* the card's currency: DE4 */
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	ck_assert_uint_eq(amt, 1000);
	/* none said (no DE49): declined, not taken for the card's */
	m.cur = NULL;
	m.bill_cur = "826";		/* a DE6 is not used for DE4's */
	m.bill_amount = 777;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "currency-unknown");
	/* a foreign currency the range does not allow */
	m = fix_money(1000);
	m.cur = "978";
	m.bill_cur = "826";
	m.bill_amount = 870;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57", "currency");
	/* allowed, with DE6 in the card's currency: DE6's amount */
	ck_assert_int_eq(range_set_currencies(&r, "978, 840", err,
	    sizeof err), 0);
	amt = 0;
	OK(sirules_blocks(&cf, &r, &c, &m, &amt, &why));
	ck_assert_uint_eq(amt, 870);
	/* allowed, but no billing amount, or one not in the card's */
	m.bill_cur = NULL;
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "no-billing-amount");
	m.bill_cur = "978";
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "no-billing-amount");
	/* a card whose currency the snapshot did not say */
	m.bill_cur = "826";
	c.currency[0] = '\0';
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57",
	    "card-currency-unknown");
	/* the blocks before the currency */
	c = fix_card(CARD_ACTIVE, "2812");
	m.cur = "392";
	ck_assert_int_eq(range_set_countries(&r, "826", err, sizeof err), 0);
	m.country = "840";
	RULE(sirules_blocks(&cf, &r, &c, &m, &amt, &why), "57", "country");
}
END_TEST

/* --- rule 5: per-transaction limits ----------------------------------------------- */

START_TEST(test_limits)
{
	struct sirules_cfg cf;
	struct range r;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_money m = fix_money(0);
	const char *why;
	char err[200];

	memset(&cf, 0, sizeof cf);
	range_init(&r, "default");
	/* only the card's, 10000 */
	OK(sirules_limits(&cf, &r, &c, &m, 10000, &why));
	RULE(sirules_limits(&cf, &r, &c, &m, 10001, &why), "61",
	    "card-txn-limit");
	/* none at all */
	c.txn_limit = 0;
	OK(sirules_limits(&cf, &r, &c, &m, UINT64_MAX, &why));
	/* each alone */
	cf.max_amount = 500;
	OK(sirules_limits(&cf, &r, &c, &m, 500, &why));
	RULE(sirules_limits(&cf, &r, &c, &m, 501, &why), "61", "max-amount");
	cf.max_amount = 0;
	r.txn_limit = 400;
	OK(sirules_limits(&cf, &r, &c, &m, 400, &why));
	RULE(sirules_limits(&cf, &r, &c, &m, 401, &why), "61",
	    "range-txn-limit");
	r.txn_limit = 0;
	r.cash_limit = 300;
	OK(sirules_limits(&cf, &r, &c, &m, 301, &why)); /* not cash */
	m.cash = 1;
	OK(sirules_limits(&cf, &r, &c, &m, 300, &why));
	RULE(sirules_limits(&cf, &r, &c, &m, 301, &why), "61", "cash-limit");
	m.cash = 0;
	r.cash_limit = 0;
	ck_assert_int_eq(range_add_mccg(&r, "travel 3000-3999 limit 200", err,
	    sizeof err), 0);
	m.mcc = "5411";					/* not in it */
	OK(sirules_limits(&cf, &r, &c, &m, 201, &why));
	m.mcc = "3999";
	OK(sirules_limits(&cf, &r, &c, &m, 200, &why));
	RULE(sirules_limits(&cf, &r, &c, &m, 201, &why), "61",
	    "mcc-group-limit");
	/* all together: the lowest that applies is the one named */
	cf.max_amount = 500;
	c.txn_limit = 450;
	r.txn_limit = 400;
	r.cash_limit = 300;
	m.cash = 1;
	RULE(sirules_limits(&cf, &r, &c, &m, 201, &why), "61",
	    "mcc-group-limit");
	m.mcc = "5411";
	OK(sirules_limits(&cf, &r, &c, &m, 201, &why));
	RULE(sirules_limits(&cf, &r, &c, &m, 301, &why), "61", "cash-limit");
	m.cash = 0;
	RULE(sirules_limits(&cf, &r, &c, &m, 401, &why), "61",
	    "range-txn-limit");
	r.txn_limit = 0;
	RULE(sirules_limits(&cf, &r, &c, &m, 451, &why), "61",
	    "card-txn-limit");
	c.txn_limit = 0;
	RULE(sirules_limits(&cf, &r, &c, &m, 501, &why), "61", "max-amount");
	/* lower than the card's: the appliance's MaxAmount is named */
	c.txn_limit = 600;
	RULE(sirules_limits(&cf, &r, &c, &m, 550, &why), "61", "max-amount");
}
END_TEST

/* --- the pair's share (ARCHITECTURE section 13) --------------------------------------- */

/* The largest amount one approval may take with the peer holding pct. */
static uint64_t
most(struct sirules_cfg *cf, const struct range *r,
    const struct card_rec *c, uint32_t pct)
{
	struct si_counts n;
	const char *why;
	uint64_t v;

	memset(&n, 0, sizeof n);
	cf->peer_pct = pct;
	for (v = 0; v <= c->daily_limit; v++)
		if (sirules_spend(cf, r, c, 0, v + 1, &n, &why) != NULL)
			break;
	return v;
}

/* With a share every cumulative budget is cut to it, rounded down, so the
 * two appliances' parts never add up to more than the whole; a share of 0
 * approves nothing; per-transaction limits are not budgets and stay. */
START_TEST(test_share)
{
	struct sirules_cfg cf;
	struct range r;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_counts n;
	const char *why;
	uint64_t a;
	uint32_t pct;

	memset(&cf, 0, sizeof cf);
	memset(&n, 0, sizeof n);
	range_init(&r, "default");
	cf.peer_pct = 50;		/* Share = 50 */
	/* the card's daily limit 20000: 10000 here */
	n.day_amount = 9000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "51",
	    "card-daily-limit");
	/* balance 50000: 25000 here */
	c.daily_limit = 0;
	n.day_amount = 0;
	n.snap_spend = 24000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "51", "funds");
	n.snap_spend = 0;
	/* a daily count of 3: 1 here (rounded down) */
	r.daily_count = 3;
	n.day_count = 1;
	RULE(sirules_spend(&cf, &r, &c, 0, 1, &n, &why), "65",
	    "daily-count");
	r.daily_count = 0;
	n.day_count = 0;
	/* the exposure cap 1000: 500 here, a range's share of that */
	cf.exposure_cap = 1000;
	n.exposure = 400;
	OK(sirules_spend(&cf, &r, &c, 0, 100, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 101, &n, &why), "91",
	    "exposure-cap");
	n.exposure = 0;
	r.share = 10;			/* 10% of 500 */
	n.range_exposure = 40;
	OK(sirules_spend(&cf, &r, &c, 0, 10, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 11, &n, &why), "91", "range-share");
	/* all to the peer */
	cf.peer_pct = 100;
	RULE(sirules_spend(&cf, &r, &c, 0, 1, &n, &why), "91", "pair-share");
	/* the two parts never exceed the whole, whatever the split */
	c = fix_card(CARD_ACTIVE, "2812");
	c.balance = INT64_MAX;
	range_init(&r, "default");
	memset(&n, 0, sizeof n);
	for (pct = 0; pct <= 100; pct++)
		for (a = 1; a < 1000; a += 7) {
			c.daily_limit = a;
			ck_assert_uint_le(most(&cf, &r, &c, 100 - pct) +
			    most(&cf, &r, &c, pct), a);
		}
}
END_TEST

/* --- rules 6 and 7: velocity, funds, exposure ---------------------------------------- */

START_TEST(test_spend)
{
	struct sirules_cfg cf;
	struct range r;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_counts n;
	const char *why;

	memset(&cf, 0, sizeof cf);
	memset(&n, 0, sizeof n);
	range_init(&r, "default");
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	/* the range's daily count: the approval this would be counts */
	r.daily_count = 3;
	n.day_count = 2;
	OK(sirules_spend(&cf, &r, &c, 0, 1, &n, &why));
	n.day_count = 3;
	RULE(sirules_spend(&cf, &r, &c, 0, 1, &n, &why), "65",
	    "daily-count");
	r.daily_count = 0;
	/* the range's daily amount */
	r.daily_amount = 5000;
	n.day_amount = 4000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "51",
	    "range-daily-amount");
	r.daily_amount = 0;
	/* cash a day, only for cash */
	r.cash_daily_amount = 2000;
	n.day_amount = 0;
	n.day_cash = 1500;
	OK(sirules_spend(&cf, &r, &c, 0, 600, &n, &why));
	OK(sirules_spend(&cf, &r, &c, 1, 500, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 1, 501, &n, &why), "51",
	    "cash-daily-amount");
	r.cash_daily_amount = 0;
	/* the card's daily limit, 20000 */
	n.day_cash = 0;
	n.day_amount = 19000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "51",
	    "card-daily-limit");
	/* funds: balance 50000 less the spend since the snapshot */
	n.day_amount = 0;
	n.snap_spend = 49000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "51", "funds");
	n.snap_spend = 0;
	c.balance = -5;
	RULE(sirules_spend(&cf, &r, &c, 0, 1, &n, &why), "51", "funds");
	c.balance = 0;
	OK(sirules_spend(&cf, &r, &c, 0, 0, &n, &why));
	/* an amount past what int64 holds is never funded */
	c.balance = INT64_MAX;
	c.daily_limit = 0;
	RULE(sirules_spend(&cf, &r, &c, 0, (uint64_t)INT64_MAX + 1, &n,
	    &why), "51", "funds");
	n.snap_spend = 1;
	RULE(sirules_spend(&cf, &r, &c, 0, (uint64_t)INT64_MAX, &n, &why),
	    "51", "funds");
	/* the order: count, range amount, cash, card, funds */
	c = fix_card(CARD_ACTIVE, "2812");
	r.daily_count = 1;
	r.daily_amount = 1;
	r.cash_daily_amount = 1;
	n.day_count = 1;
	n.day_amount = 1;
	n.snap_spend = 50000;
	RULE(sirules_spend(&cf, &r, &c, 1, 30000, &n, &why), "65",
	    "daily-count");
	r.daily_count = 0;
	RULE(sirules_spend(&cf, &r, &c, 1, 30000, &n, &why), "51",
	    "range-daily-amount");
	r.daily_amount = 0;
	RULE(sirules_spend(&cf, &r, &c, 1, 30000, &n, &why), "51",
	    "cash-daily-amount");
	r.cash_daily_amount = 0;
	RULE(sirules_spend(&cf, &r, &c, 1, 30000, &n, &why), "51",
	    "card-daily-limit");
	c.daily_limit = 0;
	RULE(sirules_spend(&cf, &r, &c, 1, 30000, &n, &why), "51", "funds");
}
END_TEST

START_TEST(test_exposure)
{
	struct sirules_cfg cf;
	struct range r;
	struct card_rec c = fix_card(CARD_ACTIVE, "2812");
	struct si_counts n;
	const char *why;

	memset(&cf, 0, sizeof cf);
	memset(&n, 0, sizeof n);
	range_init(&r, "gold");
	c.daily_limit = 0;
	c.balance = INT64_MAX;
	/* no cap: the range's share does not apply either */
	n.exposure = n.range_exposure = 1000000;
	r.share = 0;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	/* the appliance's cap */
	cf.exposure_cap = 100000;
	r.share = 100;
	n.exposure = 99000;
	n.range_exposure = 99000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "91",
	    "exposure-cap");
	/* funds before the cap */
	c.balance = 500;
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "51", "funds");
	c.balance = INT64_MAX;
	/* the range's share: 33% of 100000 is 33000 */
	r.share = 33;
	n.exposure = 50000;
	n.range_exposure = 32000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "91",
	    "range-share");
	/* the cap before the share */
	n.exposure = 99500;
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "91",
	    "exposure-cap");
	/* share 0: nothing in stand-in for this range */
	r.share = 0;
	n.exposure = n.range_exposure = 0;
	RULE(sirules_spend(&cf, &r, &c, 0, 1, &n, &why), "91",
	    "range-share");
	/* a share of a cap near the top of uint64: exact, no overflow.
	 * 99% of 2^63-1 is 9131138316486228048 (floor). */
	cf.exposure_cap = UINT64_MAX / 2;
	r.share = 99;
	n.exposure = 0;
	n.range_exposure = 9131138316486228048ull - 1000;
	OK(sirules_spend(&cf, &r, &c, 0, 1000, &n, &why));
	RULE(sirules_spend(&cf, &r, &c, 0, 1001, &n, &why), "91",
	    "range-share");
}
END_TEST

START_TEST(test_parse_mcc)
{
	struct sirules_cfg cf;

	memset(&cf, 0, sizeof cf);
	ck_assert_int_eq(sirules_parse_mcc(&cf, "7995, 6211,4829"), 0);
	ck_assert_int_eq(cf.nmcc, 3);
	ck_assert_uint_eq(cf.block_mcc[2], 4829);
	ck_assert_int_eq(sirules_parse_mcc(&cf, ""), 0);
	ck_assert_int_eq(cf.nmcc, 0);
	ck_assert_int_eq(sirules_parse_mcc(&cf, "79x5"), -1);
	ck_assert_int_eq(sirules_parse_mcc(&cf, "799"), -1);
	ck_assert_int_eq(sirules_parse_mcc(&cf, "79951"), -1);
	ck_assert_int_eq(sirules_parse_mcc(&cf, "7995;6211"), -1);
}
END_TEST

START_TEST(test_auth_code)
{
	char a[7], b[7];
	uint64_t id;
	int i;

	for (id = 0; id < 1000; id++) {
		sirules_auth_code(id, a);
		sirules_auth_code(id + 1, b);
		ck_assert_uint_eq(strlen(a), 6);
		ck_assert_int_eq(a[0], 'S');	/* the core's start with C */
		for (i = 1; i < 6; i++)		/* no I or O: read aloud */
			ck_assert_ptr_nonnull(strchr(
			    "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", a[i]));
		ck_assert_str_ne(a, b);
	}
	sirules_auth_code(UINT64_MAX, a);
	ck_assert_uint_eq(strlen(a), 6);
	sirules_auth_code(42, a);		/* the same id, the same code */
	sirules_auth_code(42, b);
	ck_assert_str_eq(a, b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sirules");
	TCase *tr = tcase_create("rules");

	tcase_add_test(tr, test_fresh);
	tcase_add_test(tr, test_card);
	tcase_add_test(tr, test_blocks_mcc_cash);
	tcase_add_test(tr, test_blocks_country);
	tcase_add_test(tr, test_blocks_currency);
	tcase_add_test(tr, test_limits);
	tcase_add_test(tr, test_spend);
	tcase_add_test(tr, test_share);
	tcase_add_test(tr, test_exposure);
	tcase_add_test(tr, test_parse_mcc);
	tcase_add_test(tr, test_auth_code);
	suite_add_tcase(s, tr);
	return check_run(s);
}
