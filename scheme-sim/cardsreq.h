/*
 * cardsreq.h — `scheme-sim cards request` inside: its options as parsed
 * (cardsreq.c) and the verification data it adds (cardsvd.c).
 */
#ifndef SIM_CARDSREQ_H
#define SIM_CARDSREQ_H

#include <stdint.h>

#include <jansson.h>

#include "scheme-sim/portfolio.h"

#define REQ_UNSET	UINT64_MAX

/* How one piece of verification data is sent. */
enum { VD_NONE, VD_GOOD, VD_BAD, VD_MALFORMED };

struct reqopts {
	const char	*portfolio, *pan, *mti, *mcc, *expiry, *country;
	/* --cvc2 --track2 --arqc --pin; NULL: by --entry */
	const char	*cvc2, *track2, *arqc, *pin;
	const char	*entry;
	char		 de22[4], currency[4];
	uint64_t	 index, amount, stan;
	uint64_t	 billing, orig_stan, de95;	/* REQ_UNSET: none */
	int		 no_de22, cash;
	/* what the options make */
	int		 vd_cvc2, vd_track2, vd_arqc, vd_pin;
};

#define REQ_ENTRY_NAMES	"want chip, contactless, stripe, ctls-stripe, " \
	"fallback, manual, ecom, cof or unknown"

/* An --entry mode into r: DE22 (unless set already) and the piece of
 * verification data the mode needs, good.  0, or -1: no such mode. */
int	req_entry_set(struct reqopts *r, const char *entry);
/* DE48 SE92, DE35, DE52, DE55 as r asks.  0 / -1. */
int	req_verification(json_t *fields, const struct reqopts *r,
	    const struct sim_portfolio *, const struct sim_pcard *);

#endif
