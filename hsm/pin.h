/*
 * pin.h — ISO 9564-1 PIN blocks (formats 0, 1, 3 and the AES format 4),
 * the Visa PVV and the IBM 3624 natural PIN / offset.
 *
 * PINs are passed as digit strings in caller buffers the caller wipes.
 */
#ifndef HSM_PIN_H
#define HSM_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "hsm/des.h"

/* Results of PIN block decoding, mapped by cmdcard.c to payShield codes. */
enum {
	HSM_PIN_OK = 0,
	HSM_PIN_EBLOCK = -1,	/* 20: block does not hold valid values */
	HSM_PIN_ELEN = -2,	/* 24: PIN shorter than 4 or longer than 12 */
	HSM_PIN_EFORMAT = -3,	/* 23: format not supported */
};

/*
 * Clear PIN block, ISO format 0, 1 or 3; acct = the 12 rightmost PAN
 * digits excluding the check digit (unused by format 1).
 */
int	hsm_pinblock_encode(int iso_format, const char *pin, size_t pinlen,
	    const char acct[12], uint8_t block[8]);
/* pin receives up to 12 digits (not NUL-terminated); *pinlen its length. */
int	hsm_pinblock_decode(int iso_format, const uint8_t block[8],
	    const char acct[12], char pin[12], size_t *pinlen);

/* ISO format 4 (AES): the 16-byte PAN field and block deciphering. */
int	hsm_pinblock4_pan_field(const char *pan, size_t panlen,
	    uint8_t field[16]);
int	hsm_pinblock4_decipher(const uint8_t *aeskey, size_t keylen,
	    const uint8_t block[16], const char *pan, size_t panlen,
	    char pin[12], size_t *pinlen);

/* Visa PVV: 11 account digits, PVKI, the first 4 PIN digits. */
int	hsm_pvv(const struct hsm_des *pvk, const char acct11[11], char pvki,
	    const char pin4[4], char pvv[4]);
/*
 * IBM 3624: natural PIN of n digits from a 16-hex validation block and a
 * 16-digit decimalisation table.
 */
int	hsm_ibm_natural(const struct hsm_des *pvk, const char valblock[16],
	    const char dectab[16], size_t n, char *natural);

#endif
