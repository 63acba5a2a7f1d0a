/*
 * sirules.c — the stand-in rules, pure.
 */
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
sirules_card(const struct card_rec *card, const char *today, const char *req_exp)
{
	if (card == NULL)
		return "14";
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
	if (strlen(card->expiry) != 4 || strcmp(card->expiry, today) < 0)
		return "54";
	if (req_exp != NULL && req_exp[0] != '\0' &&
	    strcmp(req_exp, card->expiry) != 0)
		return "54";
	return NULL;
}

const char *
sirules_limits(const struct sirules_cfg *c, const struct card_rec *card,
    uint64_t amount, const char *mcc)
{
	unsigned v = 0;
	int i;

	if (mcc != NULL && strlen(mcc) == 4) {
		for (i = 0; i < 4; i++)
			v = v * 10 + (unsigned)(mcc[i] - '0');
		for (i = 0; i < c->nmcc; i++)
			if (c->block_mcc[i] == v)
				return "57";
	}
	if (c->max_amount != 0 && amount > c->max_amount)
		return "61";
	if (card->txn_limit != 0 && amount > card->txn_limit)
		return "61";
	return NULL;
}

const char *
sirules_spend(const struct sirules_cfg *c, const struct card_rec *card,
    uint64_t amount, uint64_t day_spend, uint64_t snap_spend,
    uint64_t exposure)
{
	if (card->daily_limit != 0 && day_spend + amount > card->daily_limit)
		return "51";
	if ((int64_t)(snap_spend + amount) > card->balance)
		return "51";
	if (c->exposure_cap != 0 && exposure + amount > c->exposure_cap)
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
