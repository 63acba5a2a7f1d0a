/*
 * emv.h — EMV key derivation (ICC master key option A, common session
 * key), application cryptograms and ARPCs.
 */
#ifndef HSM_EMV_H
#define HSM_EMV_H

#include <stddef.h>
#include <stdint.h>

#include "hsm/des.h"

/* ICC MK = TDES_IMK(Y) || TDES_IMK(Y xor FF..), odd parity. */
int	hsm_emv_icc_mk(const struct hsm_des *imk, const uint8_t y[8],
	    uint8_t mk[16]);
/* SK = TDES_MK(R, byte 2 = F0) || TDES_MK(R, byte 2 = 0F), odd parity. */
int	hsm_emv_session_key(const struct hsm_des *mk, const uint8_t r[8],
	    uint8_t sk[16]);
/* ARPC method 1: TDES_K(ARQC xor (ARC || 00*6)). */
int	hsm_emv_arpc1(const struct hsm_des *k, const uint8_t arqc[8],
	    const uint8_t arc[2], uint8_t arpc[8]);
/* ARPC method 2: left 4 bytes of alg. 3 MAC (pad 2) of ARQC||CSU||PAD. */
int	hsm_emv_arpc2(const struct hsm_des *sk, const uint8_t arqc[8],
	    const uint8_t csu[4], const uint8_t *pad, size_t padlen,
	    uint8_t arpc[4]);

#endif
