/*
 * schememsg.h — the ISO 8583 messages the scheme simulator sends and the
 * checks it applies to what comes back: authorisation requests (0100, or
 * 0200 for fps; 0120 advices when asked), network management (0800),
 * answers to requests the gateway sends us, and the echo check of a
 * response against the request it answers.
 */
#ifndef SIM_SCHEMEMSG_H
#define SIM_SCHEMEMSG_H

#include <stddef.h>
#include <stdint.h>

#include "scheme-sim/cards.h"
#include "scheme-sim/pending.h"

struct hsm_des;
struct iso_msg;
struct iso_profile;
struct sim_vcard;

/* POS entry modes of --portfolio load (schemevd.c). */
enum { SIM_ENTRY_CHIP = 1, SIM_ENTRY_STRIPE, SIM_ENTRY_ECOM, SIM_ENTRY_MIX };

/* What stays the same for a whole run. */
struct sim_reqspec {
	const struct iso_profile *prof;
	const struct sim_cards	*cards;
	int			 emv;		/* add DE55 (mastercard) */
	char			 mti[5];	/* 0100 or 0200 */
	char			 de3[7];
	char			 de22[4];
	char			 de32[12];
	char			 de42[16];
	char			 de18[5];	/* the merchant's MCC */
	char			 de49[4];
	char			 rrn_prefix[5];	/* 4 digits, per run */
	uint64_t		 amount;	/* minor units, or per card */
	uint64_t		 amount_step;	/* amounts: amount..+step*9 */
	/* --portfolio: each card's verification data, the scratch key the
	 * ARQCs are made with, the entry mode (or SIM_ENTRY_MIX). */
	const struct sim_vcard	*vcards;	/* NULL: --cards load */
	struct hsm_des		*arqc_key;
	int			 entry;
	/* --pin: DE52 under this ZPK (the one in use), or NULL */
	const struct hsm_des	*pin_zpk;
};

/* Wall-clock fields, refreshed once a second. */
struct sim_clock {
	uint64_t	sec;
	char		de7[11];	/* MMDDhhmmss, UTC */
	char		de12[7];	/* hhmmss, local */
	char		de13[5];	/* MMDD, local */
};

void	sim_clock_update(struct sim_clock *, uint64_t wall_us);
/* Fills a pending slot (card, amount, times, MTI) for sequence seq. */
void	sim_req_prepare(const struct sim_reqspec *, const struct sim_clock *,
	    uint64_t seq, const char *mti, int conn, struct sim_pending *);
/* Builds the request for a prepared slot. 0 / -1. */
int	sim_req_build(const struct sim_reqspec *, const struct sim_pending *,
	    uint64_t seq, struct iso_msg *);
/*
 * Checks a response against its request by libiso8583's rule (mti.h):
 * the response MTI of the request's, and every field of its echo set
 * that the request carried, equal.  0 if it matches; -1 with *bad the
 * first field that differs or is missing (0: the MTI).
 */
int	sim_resp_check(const struct sim_reqspec *, const struct sim_pending *,
	    uint64_t seq, const struct iso_msg *resp, int *bad);
/* 0800 with DE7, DE11 and DE70 = code. */
int	sim_netmgmt_build(const struct sim_reqspec *, const struct sim_clock *,
	    uint32_t stan, const char *code, struct iso_msg *);
/*
 * The answer to a message the gateway sent us: the response MTI
 * (iso_mti_response), every field echoed except those a response must not
 * carry (PIN block, track data, MACs, DE55), DE39 = rc.  -1 if the
 * request's MTI is not a request.
 */
int	sim_answer_build(const struct iso_msg *req, const char *rc,
	    struct iso_msg *resp);
/*
 * schemevd.c: --portfolio load.  A portfolio as the card list plus each
 * card's verification data, the ARQC key and the portfolio's ZPK (clear:
 * a test key) into zpk (0, or -1 with err); its release; an --entry name
 * (-1: none such); the entry mode and DE22 of request seq; its
 * verification data into m (0 / -1).
 */
int	sim_vcards_load(const char *path, struct sim_cards *,
	    struct sim_vcard **, struct hsm_des **, uint8_t zpk[16], char *err,
	    size_t errsz);
void	sim_vcards_free(struct sim_vcard *, size_t n, struct hsm_des *);
int	sim_entry_parse(const char *name);
int	sim_req_entry(const struct sim_reqspec *, uint64_t seq);
const char *sim_req_de22(const struct sim_reqspec *, uint64_t seq);
int	sim_req_vdata(const struct sim_reqspec *, const struct sim_pending *,
	    uint64_t seq, struct iso_msg *);
/* Decimal value of a numeric field, -1 if absent or not digits. */
int	sim_get_u64(const struct iso_msg *, int field, uint64_t *);

#endif
