/*
 * emvy.c — the derivation data the host hands the HSM for an ICC master
 * key (EMV option A): the HSM derives, the host only formats.
 */
#include <string.h>

#include "base/hex.h"
#include "hsm/client/hsmclient.h"

int
hsm_emv_option_a_y(const char *pan, size_t panlen, const char psn[2],
    uint8_t y[8])
{
	char s[21], d[16];
	size_t n;

	if (panlen == 0 || panlen > 19 || !dec_valid(pan, panlen) ||
	    !dec_valid(psn, 2))
		return -1;
	memcpy(s, pan, panlen);
	memcpy(s + panlen, psn, 2);
	n = panlen + 2;
	memset(d, '0', sizeof d);
	if (n >= 16)
		memcpy(d, s + n - 16, 16);
	else
		memcpy(d + 16 - n, s, n);
	return hex_decode_exact(d, 16, y, 8);
}
