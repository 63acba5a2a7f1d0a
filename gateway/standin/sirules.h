/*
 * sirules.h — the stand-in rules (ARCHITECTURE section 6), in order, as
 * pure functions over the card record, the request's facts, the range's
 * parameter table and the counters, so they are tested alone.  Each
 * returns NULL (passed) or the DE39 of the decline, with *why naming the
 * check or the limit that decided it.
 *
 *   0 snapshot fresh		91 (older than MaxSnapshotAge, or none)
 *   1 card known and active	14 unknown/closed, 41 lost, 43 stolen,
 *				62 blocked (restricted)
 *   2 expiry			54
 *   3 verification by entry mode (verify.c, through the HSM): 88 ARQC,
 *     82 CVC1/CVC2, 55 PIN, 57 credential on file not permitted, 58 entry
 *     mode missing or unknown; missing or malformed data is that check's
 *     decline
 *   4 blocks			57 MCC (BlockMCC, a blocked MCC group),
 *				cash not permitted, country, currency
 *   5 per-transaction limits	61 MaxAmount, the card's, the range's,
 *				cash, the MCC group's
 *   6 velocity and funds	65 daily count, 51 daily amount (range,
 *				cash, card) and balance minus spend
 *   7 exposure			91 appliance cap, the range's share of it
 */
#ifndef GATEWAY_SIRULES_H
#define GATEWAY_SIRULES_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/standin/cards.h"
#include "gateway/standin/range.h"

#define SIRULES_MCC_MAX	32

struct sirules_cfg {
	int		 off;			/* Mode = off: all 91 */
	uint64_t	 max_amount;		/* 0: none */
	uint64_t	 exposure_cap;		/* 0: none */
	uint32_t	 peer_pct;		/* of every budget: the pair
						   peer's (100 - Share); 0
						   unpaired */
	int		 nmcc;
	uint16_t	 block_mcc[SIRULES_MCC_MAX];
};

/* What the money rules read of a request. */
struct si_money {
	uint64_t	 amount;	/* DE4, the transaction's currency */
	const char	*cur;		/* DE49, or NULL */
	uint64_t	 bill_amount;	/* DE6 */
	const char	*bill_cur;	/* DE51, or NULL (then no DE6) */
	int		 cash;		/* DE3 01 */
	const char	*mcc;		/* DE18, or NULL */
	const char	*country;	/* DE19 numeric, or NULL */
	const char	*country_a;	/* DE43's alpha-3, or NULL */
};

/* The durable counters a decision is checked against. */
struct si_counts {
	uint64_t	 day_amount, day_count, day_cash;	/* the card's */
	uint64_t	 snap_spend;	/* the card's since its snapshot */
	uint64_t	 exposure;	/* the appliance's */
	uint64_t	 range_exposure;
};

/* "7995, 6211" -> cfg->block_mcc; -1 on a bad list. */
int	sirules_parse_mcc(struct sirules_cfg *, const char *list);

/* Rule 0: age in seconds of the snapshot (UINT64_MAX: none). */
const char *sirules_fresh(uint64_t age_s, uint32_t max_age_s,
	    const char **why);
/* Rules 1 and 2.  card NULL = unknown.  today_yymm "2611"; req_expiry the
 * request's DE14 (or from track 2) or NULL. */
const char *sirules_card(const struct card_rec *, const char *today_yymm,
	    const char *req_expiry, const char **why);
/* Rule 4, and the amount in the card's currency into *amount: DE4 when
 * DE49 is the card's (or absent), DE6 when a foreign currency the range
 * allows comes with a billing amount in the card's. */
const char *sirules_blocks(const struct sirules_cfg *, const struct range *,
	    const struct card_rec *, const struct si_money *,
	    uint64_t *amount, const char **why);
/* Rule 5 on the amount in the card's currency. */
const char *sirules_limits(const struct sirules_cfg *, const struct range *,
	    const struct card_rec *, const struct si_money *, uint64_t amount,
	    const char **why);
/* Rules 6 and 7, with the counters read in the decision's transaction. */
const char *sirules_spend(const struct sirules_cfg *, const struct range *,
	    const struct card_rec *, int cash, uint64_t amount,
	    const struct si_counts *, const char **why);

/* A six-character approval code from a decision id, starting with S. */
void	sirules_auth_code(uint64_t id, char out[7]);

#endif
