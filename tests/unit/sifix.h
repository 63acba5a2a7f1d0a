/*
 * sifix.h — fixtures the stand-in rule suites share (check_sirules.c,
 * check_range.c): a card record and a range built the way the config
 * reader builds them, so a test says only what it changes.
 * Static functions (marked unused: a suite may need only some).
 */
#ifndef TESTS_SIFIX_H
#define TESTS_SIFIX_H

#include <check.h>
#include <string.h>

#include "gateway/standin/cards.h"
#include "gateway/standin/range.h"
#include "gateway/standin/sirules.h"

/* An active card in GBP (826): 100.00 a transaction, 200.00 a day,
 * 500.00 of balance. */
static struct card_rec __attribute__((unused))
fix_card(int status, const char *exp)
{
	struct card_rec c;

	memset(&c, 0, sizeof c);
	c.recver = CARDS_REC_VERSION;
	c.status = (uint32_t)status;
	snprintf(c.expiry, sizeof c.expiry, "%s", exp);
	memcpy(c.currency, "826", 4);
	c.txn_limit = 10000;
	c.daily_limit = 20000;
	c.balance = 50000;
	return c;
}

/* A range as range_init leaves it, with prefixes and MCC groups added
 * through the parsers (a bad fixture fails the test, naming why). */
static void __attribute__((unused))
fix_range(struct range *r, const char *name, const char *prefixes,
    const char *mccg1, const char *mccg2)
{
	char err[200] = "";

	range_init(r, name);
	if (prefixes != NULL)
		ck_assert_msg(range_add_prefixes(r, prefixes, err, sizeof err)
		    == 0, "%s", err);
	if (mccg1 != NULL)
		ck_assert_msg(range_add_mccg(r, mccg1, err, sizeof err) == 0,
		    "%s", err);
	if (mccg2 != NULL)
		ck_assert_msg(range_add_mccg(r, mccg2, err, sizeof err) == 0,
		    "%s", err);
}

/* A domestic purchase of amount at a grocer (5411) in the UK. */
static struct si_money __attribute__((unused))
fix_money(uint64_t amount)
{
	struct si_money m;

	memset(&m, 0, sizeof m);
	m.amount = amount;
	m.cur = "826";
	m.mcc = "5411";
	m.country = "826";
	return m;
}

#endif
