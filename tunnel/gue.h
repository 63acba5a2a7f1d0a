/*
 * gue.h — the 4-byte GUE variant 0 header in front of every core-link
 * datagram (ARCHITECTURE section 4, draft-ietf-intarea-gue).
 *
 *   byte 0: ver(2)=0 | C(1) | hlen(5)=0
 *   byte 1: proto (253) when C=0, ctype when C=1
 *   bytes 2-3: flags = 0
 *
 * Data frames travel with C=0 / proto 253; HEARTBEAT with C=1 / ctype 1
 * and HEARTBEAT_ACK with C=1 / ctype 2.
 */
#ifndef TUNNEL_GUE_H
#define TUNNEL_GUE_H

#include <stddef.h>
#include <stdint.h>

#define GUE_HLEN		4
#define GUE_PROTO_FRAME		253	/* RFC 3692 experimental */
#define GUE_CTYPE_HEARTBEAT	1
#define GUE_CTYPE_HEARTBEAT_ACK	2

/* Writes the header into out[0..3]. c is 0 or 1; pt is proto or ctype. */
void	gue_encode(uint8_t out[GUE_HLEN], int c, uint8_t pt);

/*
 * Checks the header at the start of buf.  Returns 0 and sets *c and *pt,
 * or -1 when the datagram is too short, the version is not 0, hlen is not
 * 0 or a flag is set (receivers drop and count those).
 */
int	gue_decode(const uint8_t *buf, size_t len, int *c, uint8_t *pt);

#endif
