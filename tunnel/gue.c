/*
 * gue.c — GUE variant 0 header, the outer layer of the core link.
 */
#include "tunnel/gue.h"

void
gue_encode(uint8_t out[GUE_HLEN], int c, uint8_t pt)
{
	out[0] = c ? 0x20 : 0x00;	/* ver 0, C, hlen 0 */
	out[1] = pt;
	out[2] = 0;
	out[3] = 0;
}

int
gue_decode(const uint8_t *buf, size_t len, int *c, uint8_t *pt)
{
	if (len < GUE_HLEN)
		return -1;
	/* ver (top two bits) must be 0: variant 1 would be a bare IP packet. */
	if ((buf[0] & 0xc0) != 0)
		return -1;
	/* No extension fields and no flags: we define none, so any is bogus. */
	if ((buf[0] & 0x1f) != 0 || buf[2] != 0 || buf[3] != 0)
		return -1;
	*c = (buf[0] & 0x20) ? 1 : 0;
	*pt = buf[1];
	return 0;
}
