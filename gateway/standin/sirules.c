/*
 * sirules.c — the stand-in rules, pure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/standin/sirules.h"

int
sirules_parse_mcc(struct sirules_cfg *c, const char *list)
{
	const char *p = list;
	unsigned v;
	int digits;

	c->nmcc = 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		v = 0;
		digits = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (++digits > 4)
				return -1;
		}
		if (digits != 4 || (*p != '\0' && *p != ',' && *p != ' '))
			return -1;
		if (c->nmcc == SIRULES_MCC_MAX)
			return -1;
		c->block_mcc[c->nmcc++] = (uint16_t)v;
	}
	return 0;
}

const char *
sirules_fresh(uint64_t age_s, uint32_t max_age_s, const char **why)
{
	if (age_s == UINT64_MAX) {
		*why = "no-snapshot";
		return "91";
	}
	if (age_s > max_age_s) {
		*why = "stale-snapshot";
		return "91";
	}
	return NULL;
}

const char *
sirules_card(const struct card_rec *card, const char *today,
    const char *req_exp, const char **why)
{
	*why = "status";
	if (card == NULL) {
		*why = "unknown-card";
		return "14";
	}
	switch (card->status) {
	case CARD_ACTIVE:
		break;
	case CARD_LOST:
		return "41";
	case CARD_STOLEN:
		return "43";
	case CARD_BLOCKED:
		return "62";
	default:
		return "14";
	}
	/* YYMM compares as a string (years 2000-2099). */
	*why = "expiry";
	if (strlen(card->expiry) != 4 || strcmp(card->expiry, today) < 0)
		return "54";
	if (req_exp != NULL && req_exp[0] != '\0' &&
	    strcmp(req_exp, card->expiry) != 0)
		return "54";
	return NULL;
}

/* 1 when mcc is an MCC: four digits. */
static int
mcc_valid(const char *mcc)
{
	return mcc != NULL && strlen(mcc) == 4 &&
	    strspn(mcc, "0123456789") == 4;
}

static int
mcc_blocked(const struct sirules_cfg *c, const char *mcc)
{
	unsigned v = 0;
	int i;

	if (!mcc_valid(mcc))
		return 0;
	for (i = 0; i < 4; i++)
		v = v * 10 + (unsigned)(mcc[i] - '0');
	for (i = 0; i < c->nmcc; i++)
		if (c->block_mcc[i] == v)
			return 1;
	return 0;
}

/* The amount in the card's currency, or NULL when there is none. */
static const char *
card_amount(const struct range *r, const struct card_rec *card,
    const struct si_money *m, uint64_t *amount, const char **why)
{
	*amount = m->amount;
	if (m->cur == NULL || strcmp(m->cur, card->currency) == 0)
		return NULL;
	if (card->currency[0] == '\0') {
		*why = "card-currency-unknown";
		return "57";
	}
	if (!range_has_currency(r, m->cur)) {
		*why = "currency";
		return "57";
	}
	if (m->bill_cur == NULL || strcmp(m->bill_cur, card->currency) != 0) {
		*why = "no-billing-amount";
		return "57";
	}
	*amount = m->bill_amount;
	return NULL;
}

const char *
sirules_blocks(const struct sirules_cfg *c, const struct range *r,
    const struct card_rec *card, const struct si_money *m, uint64_t *amount,
    const char **why)
{
	const struct range_mccg *g;

	*amount = m->amount;
	/* Without DE49 the amount's currency is not known (taking it for
	 * the card's would let any currency through at face value); without
	 * DE18 no MCC rule can hold.  Declined, not passed: the rules never
	 * weaken on a missing field. */
	if (m->cur == NULL) {
		*why = "currency-unknown";
		return "57";
	}
	if (!mcc_valid(m->mcc) && (c->nmcc > 0 || r->nmccg > 0)) {
		*why = "mcc-unknown";
		return "57";
	}
	if (mcc_blocked(c, m->mcc)) {
		*why = "mcc";
		return "57";
	}
	if ((g = range_mccg_find(r, m->mcc)) != NULL && g->block) {
		*why = "mcc-group";
		return "57";
	}
	if (m->cash && !r->cash) {
		*why = "cash-not-allowed";
		return "57";
	}
	if (r->ncountry > 0) {
		if (m->country == NULL && m->country_a == NULL) {
			*why = "country-unknown";
			return "57";
		}
		if (!(m->country != NULL && range_has_country(r, m->country)) &&
		    !(m->country_a != NULL &&
		    range_has_country(r, m->country_a))) {
			*why = "country";
			return "57";
		}
	}
	return card_amount(r, card, m, amount, why);
}

/* The lowest of the limits that apply, and its name. */
static void
lower(uint64_t *lim, const char **name, uint64_t v, const char *vname)
{
	if (v != 0 && (*lim == 0 || v < *lim)) {
		*lim = v;
		*name = vname;
	}
}

const char *
sirules_limits(const struct sirules_cfg *c, const struct range *r,
    const struct card_rec *card, const struct si_money *m, uint64_t amount,
    const char **why)
{
	const struct range_mccg *g = range_mccg_find(r, m->mcc);
	uint64_t lim = 0;
	const char *name = NULL;

	lower(&lim, &name, c->max_amount, "max-amount");
	lower(&lim, &name, card->txn_limit, "card-txn-limit");
	lower(&lim, &name, r->txn_limit, "range-txn-limit");
	if (m->cash)
		lower(&lim, &name, r->cash_limit, "cash-limit");
	if (g != NULL)
		lower(&lim, &name, g->limit, "mcc-group-limit");
	if (lim != 0 && amount > lim) {
		*why = name;
		return "61";
	}
	return NULL;
}

/* This appliance's part of a budget the pair shares: pct percent of it,
 * rounded down, so the two parts never add up to more than the whole. */
static uint64_t
mine(uint64_t limit, uint32_t pct)
{
	if (pct >= 100)
		return limit;
	return limit / 100 * pct + limit % 100 * pct / 100;
}

const char *
sirules_spend(const struct sirules_cfg *c, const struct range *r,
    const struct card_rec *card, int cash, uint64_t amount,
    const struct si_counts *n, const char **why)
{
	uint32_t p = c->peer_pct < 100 ? 100 - c->peer_pct : 0;
	uint64_t cap = mine(c->exposure_cap, p);
	int64_t balance = card->balance > 0 ?
	    (int64_t)mine((uint64_t)card->balance, p) : card->balance;

	*why = "pair-share";
	if (p == 0)
		return "91";
	*why = "daily-count";
	if (r->daily_count != 0 &&
	    n->day_count + 1 > mine(r->daily_count, p))
		return "65";
	*why = "range-daily-amount";
	if (r->daily_amount != 0 &&
	    n->day_amount + amount > mine(r->daily_amount, p))
		return "51";
	*why = "cash-daily-amount";
	if (cash && r->cash_daily_amount != 0 &&
	    n->day_cash + amount > mine(r->cash_daily_amount, p))
		return "51";
	*why = "card-daily-limit";
	if (card->daily_limit != 0 &&
	    n->day_amount + amount > mine(card->daily_limit, p))
		return "51";
	*why = "funds";
	if (amount > INT64_MAX - n->snap_spend ||
	    (int64_t)(n->snap_spend + amount) > balance)
		return "51";
	*why = "exposure-cap";
	if (c->exposure_cap == 0)
		return NULL;
	if (n->exposure + amount > cap)
		return "91";
	*why = "range-share";
	if (r->share < 100 &&
	    n->range_exposure + amount > range_share_of(r, cap))
		return "91";
	return NULL;
}

void
sirules_auth_code(uint64_t id, char out[7])
{
	static const char al[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
	uint64_t x = id * 0x9E3779B97F4A7C15ull;
	int i;

	out[0] = 'S';		/* stand-in: the core's codes start with C */
	for (i = 1; i < 6; i++) {
		out[i] = al[x % (sizeof al - 1)];
		x /= sizeof al - 1;
	}
	out[6] = '\0';
}
