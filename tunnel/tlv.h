/*
 * tlv.h — the message TLV carried in core-link frame bodies
 * (ARCHITECTURE section 4): repeated  tag u16 | len u16 | value,
 * big-endian.  Tag 0 is the MTI, 1..192 ISO data elements (normalised
 * values), 0x1000+ metadata, 0x2000+ snapshot records.  Receivers ignore
 * tags they do not know.
 */
#ifndef TUNNEL_TLV_H
#define TUNNEL_TLV_H

#include <stddef.h>
#include <stdint.h>

#define TLV_MTI			0x0000
#define TLV_LINK		0x1001	/* link name */
#define TLV_PROFILE		0x1002	/* profile name */
#define TLV_RECV_TIME		0x1003	/* µs since the epoch, decimal */
#define TLV_STANDIN_DE39	0x1004	/* the DE39 the scheme was sent */
#define TLV_STANDIN_REASON	0x1005	/* timeout, core-down, forced */
#define TLV_ADVICE_ID		0x1006	/* decimal */
#define TLV_GATEWAY		0x1007	/* gateway name */
#define TLV_STANDIN_RULE	0x1008	/* the rules' own DE39 */
#define TLV_STANDIN_WHY		0x1009	/* what decided it: "cvc1", ... */
#define TLV_STANDIN_STEP	0x100A	/* the rule that decided: 0-7, 8 all
					   passed (approved) */
#define TLV_STANDIN_RANGE	0x100B	/* the parameter table's range */
#define TLV_STANDIN_RELEASED	0x100C	/* a reversal's release, decimal */
#define TLV_SNAP_CARD		0x2000
#define TLV_SNAP_VERSION	0x200B
#define TLV_SHARES		0x2010	/* SHARE: "NAME=PCT;NAME=PCT" */
#define TLV_SHARE		0x2011	/* SHARE_ACK: the share in force, % */
#define TLV_SHARE_VERSION	0x2012	/* SHARE_ACK: the version held */

/* Writer over a caller buffer.  Once a put does not fit, err is set and
 * every later put fails too, so a caller may check only at the end. */
struct tlv_w {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 len;
	int		 err;
};

void	tlv_w_init(struct tlv_w *, uint8_t *buf, size_t cap);
int	tlv_put(struct tlv_w *, uint16_t tag, const void *val, size_t len);
int	tlv_put_str(struct tlv_w *, uint16_t tag, const char *);
int	tlv_put_u64(struct tlv_w *, uint16_t tag, uint64_t);	/* decimal */

/* Reader. */
struct tlv_r {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 off;
};

void	tlv_r_init(struct tlv_r *, const uint8_t *buf, size_t len);
/* 1 and the next element; 0 at a clean end; -1 when an element runs past
 * the end (the whole body is then malformed). */
int	tlv_next(struct tlv_r *, uint16_t *tag, const uint8_t **val,
	    uint16_t *len);
/* 0 when buf is a well-formed TLV sequence, -1 otherwise. */
int	tlv_check(const uint8_t *buf, size_t len);
/* First element with tag: 1 found, 0 not found, -1 malformed. */
int	tlv_find(const uint8_t *buf, size_t len, uint16_t tag,
	    const uint8_t **val, uint16_t *vlen);
/* First element with tag copied as a C string; -1 if absent, malformed,
 * too long or holding a NUL. */
int	tlv_find_str(const uint8_t *buf, size_t len, uint16_t tag, char *dst,
	    size_t dstsz);
/* Decimal ASCII value; -1 if absent or not a decimal u64. */
int	tlv_find_u64(const uint8_t *buf, size_t len, uint16_t tag,
	    uint64_t *v);

#endif
