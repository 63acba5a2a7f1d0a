/*
 * sirules.h — the stand-in rules (ARCHITECTURE section 6), in order, as
 * pure functions over the card record, the request's facts and the
 * counters, so they are tested alone.  Each returns NULL (passed) or the
 * DE39 of the decline.
 *
 *   1 card known and active	14 unknown/closed, 41 lost, 43 stolen,
 *				62 blocked (restricted)
 *   2 expiry			54
 *   3 card verification (HSM)	82 CVC1/CVC2, 88 cryptogram, 55 PIN
 *				(run by verify.c; HSM down/slow: 91)
 *   4 MCC blocks		57
 *   5 per-transaction limit	61 (card's and the appliance MaxAmount)
 *   6 daily stand-in limit and
 *     balance minus stand-in spend	51
 *   7 appliance exposure cap	91
 */
#ifndef GATEWAY_SIRULES_H
#define GATEWAY_SIRULES_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/standin/cards.h"

#define SIRULES_MCC_MAX	32

struct sirules_cfg {
	int		 off;			/* Mode = off: all 91 */
	uint64_t	 max_amount;		/* 0: none */
	uint64_t	 exposure_cap;		/* 0: none */
	int		 nmcc;
	uint16_t	 block_mcc[SIRULES_MCC_MAX];
};

/* "7995, 6211" -> cfg->block_mcc; -1 on a bad list. */
int	sirules_parse_mcc(struct sirules_cfg *, const char *list);

/* Rules 1 and 2.  card NULL = unknown.  today_yymm "2611"; req_expiry the
 * request's DE14 (or from track 2) or NULL. */
const char *sirules_card(const struct card_rec *, const char *today_yymm,
	    const char *req_expiry);
/* Rules 4 and 5.  mcc NULL when the request has none. */
const char *sirules_limits(const struct sirules_cfg *,
	    const struct card_rec *, uint64_t amount, const char *mcc);
/* Rules 6 and 7, with the counters read in the decision's transaction. */
const char *sirules_spend(const struct sirules_cfg *,
	    const struct card_rec *, uint64_t amount, uint64_t day_spend,
	    uint64_t snap_spend, uint64_t exposure);

/* A six-character approval code from a decision id, starting with S. */
void	sirules_auth_code(uint64_t id, char out[7]);

#endif
