/*
 * cvv.h — Visa CVV / MasterCard CVC (CVV1, CVV2/CVC2, iCVV) and the
 * decimalisation shared with the Visa PVV.
 */
#ifndef HSM_CVV_H
#define HSM_CVV_H

#include <stddef.h>
#include <stdint.h>

#include "hsm/des.h"

/*
 * Digits first, then A-F as 0-5, left to right; writes n digits (n <= 16).
 */
void	hsm_decimalise(const uint8_t r[8], size_t n, char *out);
/* CVV over PAN (1-19 digits) || expiry (4) || service code (3). */
int	hsm_cvv(const struct hsm_des *cvk, const char *pan, size_t panlen,
	    const char expiry[4], const char svc[3], char cvv[3]);

#endif
