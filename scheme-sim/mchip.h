/*
 * mchip.h — what a test chip card computes for an authorisation: the ICC
 * master key from the portfolio's MK-AC (option A, PSN 00), the session
 * key from the ATC and unpredictable number, the ARQC over the CDOL1
 * data, and DE55 carrying it with the tags it was made over.  Shared by
 * `cards request` (one request) and `scheme` (thousands a second: the
 * ICC key is made once per card, one scratch key is re-keyed per
 * request, nothing is allocated).
 */
#ifndef SIM_MCHIP_H
#define SIM_MCHIP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hsm/des.h"

/* The transaction the cryptogram covers. */
struct sim_emvtx {
	uint64_t	amount;		/* 9F02, minor units */
	uint16_t	currency;	/* 5F2A, ISO 4217 numeric */
	uint16_t	country;	/* 9F1A, ISO 3166 numeric */
	uint8_t		atc[2];		/* 9F36 */
	uint8_t		un[4];		/* 9F37 */
};

/* How DE55 is spoilt: not at all, one ARQC bit off, or unreadable (the
 * ARQC is the last element and its length runs past the end). */
enum { SIM_DE55_GOOD, SIM_DE55_BAD, SIM_DE55_MALFORMED };

/* EMV 9F02: an amount in minor units as n12, packed BCD. */
void	sim_amount_bcd(uint64_t amount, uint8_t out[6]);
/* The card's ICC master key from the issuer's MK-AC.  0 / -1. */
int	sim_mchip_icc_key(const struct hsm_des *mkac, const char *pan,
	    uint8_t icc[16]);
/* The ARQC; scratch is any initialised hsm_des, re-keyed here (it ends
 * holding the session key: the caller wipes or frees it).  0 / -1. */
int	sim_mchip_arqc(struct hsm_des *scratch, const uint8_t icc[16],
	    const struct sim_emvtx *, uint8_t arqc[8]);
/* DE55 bytes for tx with this ARQC, spoilt as asked.  Length, or -1. */
ssize_t	sim_mchip_de55(const struct sim_emvtx *, const uint8_t arqc[8],
	    int how, uint8_t *out, size_t cap);
/* A three-digit ISO numeric code as EMV n3 (two BCD bytes). */
void	sim_mchip_n3(uint16_t code, uint8_t out[2]);

#endif
