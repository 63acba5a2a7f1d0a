/*
 * tlvmsg.h — an ISO 8583 message (libiso8583's normalised iso_msg) as
 * message TLV and back: tag 0 the MTI, tags 1..192 the data elements.
 * Kept apart from tlv.c so the TLV layer stands without the codec.
 */
#ifndef TUNNEL_TLVMSG_H
#define TUNNEL_TLVMSG_H

#include "tunnel/tlv.h"

struct iso_msg;
struct iso_profile;

/* Appends the MTI and every present field 2..192 (not the bitmaps 1/65). */
int	tlv_put_msg(struct tlv_w *, const struct iso_msg *);

/*
 * As tlv_put_msg, without the sensitive authentication data that must not
 * be kept after authorisation (PCI DSS 3.3.1), as the profile marks it:
 * fields it hides entirely in logs (track data, PIN block, chip data) and
 * DE48's secret sub-elements (de48_secret).  For what is queued or
 * stored: advices, the SAF.
 */
int	tlv_put_msg_kept(struct tlv_w *, const struct iso_profile *,
	    const struct iso_msg *);

/*
 * Fills m from the MTI tag and the data-element tags in buf; metadata and
 * unknown tags are skipped.  -1 when the TLV is malformed, the MTI is
 * missing or not 4 digits, or a value does not fit the message.
 */
int	tlv_get_msg(const uint8_t *buf, size_t len, struct iso_msg *m);

#endif
