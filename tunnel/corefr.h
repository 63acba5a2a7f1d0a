/*
 * corefr.h — core-link frames, protocol v2 (ARCHITECTURE section 4).
 *
 * A datagram is GUE header (4) | sealed frame; the sealed plaintext is
 *
 *   version u8 = 2 | type u8 | flags u16 | session u64 | seq u64 |
 *   sent_ms u64 | corr_id u64 | budget_us u32 | body_len u32 | body
 *
 * all big-endian, sent_ms the sender's wall clock in ms when it sealed.
 * corefr_build() makes a whole datagram; corefr_open() takes one apart
 * and applies the acceptance rules in order, saying why it refused:
 *
 *   1. the GUE header (hlen 0, flags 0, C bit matching the type)   gue
 *   2. the key id names a key of the peer's direction               key
 *      and the AEAD opens                                           auth
 *   3. version 2, a known type, body_len matching                   version
 *   4. sent_ms fresh (FreshWindow either way)                       stale
 *      and not earlier than the receiver's process start            before_start
 *   5. (session, seq) not seen (replay.h)                           replay
 *
 * Either side: keys from corekeys.h for its role, one struct replay per
 * process, and
 *
 *	n = corefr_send(&keys, COREFR_AUTH_REQUEST, corr, budget_us, body,
 *	    bodylen, dgram, sizeof dgram);
 *	if (corefr_recv(&keys, rp, fresh_ms, dgram, n, &hdr, pt, sizeof pt,
 *	    &body, &why) == -1)
 *		count(corefr_reject_name(why));
 */
#ifndef TUNNEL_COREFR_H
#define TUNNEL_COREFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tunnel/corekeys.h"
#include "tunnel/gue.h"
#include "tunnel/replay.h"
#include "tunnel/seal.h"

#define COREFR_VERSION		2
#define COREFR_HDRLEN		44
#define COREFR_PORT		6080
#define COREFR_MAX_BODY		16384
#define COREFR_FRESH_MS		30000	/* FreshWindow's default */
/* Largest datagram either side sends or accepts. */
#define COREFR_MAX_DGRAM	(GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN + \
				    COREFR_MAX_BODY)

enum corefr_type {
	COREFR_AUTH_REQUEST = 1,
	COREFR_AUTH_RESPONSE = 2,
	COREFR_ADVICE = 3,
	COREFR_ADVICE_ACK = 4,
	COREFR_OUT_REQUEST = 5,
	COREFR_OUT_RESPONSE = 6,
	COREFR_SNAPSHOT = 7,
	COREFR_SNAPSHOT_ACK = 8,
	COREFR_HEARTBEAT = 9,
	COREFR_HEARTBEAT_ACK = 10,
	COREFR_SHARE = 11,		/* core -> gw: stand-in budget shares */
	COREFR_SHARE_ACK = 12,		/* gw -> core: the share it holds */
	/* The pair link, gateway to gateway; never on the core link. */
	COREFR_PEER_ADVICE = 13,
	COREFR_PEER_ADVICE_ACK = 14,
	COREFR_PEER_RELEASE = 15,
	COREFR_PEER_RELEASE_ACK = 16,
};
#define COREFR_TYPE_MAX		COREFR_PEER_RELEASE_ACK

struct corefr_hdr {
	uint8_t		version;
	uint8_t		type;
	uint16_t	flags;
	uint64_t	session;
	uint64_t	seq;
	uint64_t	sent_ms;
	uint64_t	corr_id;
	uint32_t	budget_us;
	uint32_t	body_len;
	uint32_t	key_id;		/* received: the key that opened it */
};

/* Why a datagram was refused; names are metric label values. */
enum corefr_reject {
	COREFR_R_NONE,
	COREFR_R_GUE,		/* "gue": GUE header, size, C bit vs type */
	COREFR_R_KEY,		/* "key": no key of the peer's direction */
	COREFR_R_AUTH,		/* "auth": authentication failed */
	COREFR_R_VERSION,	/* "version": not v2, unknown type, length */
	COREFR_R_STALE,		/* "stale": sent_ms outside FreshWindow */
	COREFR_R_BEFORE_START,	/* "before_start": sealed before we began */
	COREFR_R_REPLAY,	/* "replay": seen, or at or below a floor */
	COREFR_R_SOURCE,	/* "source": not from the peer's address */
	COREFR_R_MAX
};

const char *corefr_type_name(int type);	/* "AUTH_REQUEST", "?" */
const char *corefr_reject_name(int why);	/* "auth", ... */

/* The GUE C bit and proto/ctype a frame type travels with. */
void	corefr_gue_for(int type, int *c, uint8_t *pt);

/* Plaintext header: encode into out (COREFR_HDRLEN bytes); decode checks
 * version 2, a known type and body_len == len - COREFR_HDRLEN. */
void	corefr_hdr_encode(const struct corefr_hdr *, uint8_t out[COREFR_HDRLEN]);
int	corefr_hdr_decode(struct corefr_hdr *, const uint8_t *pt, size_t len);

/*
 * A whole datagram from a header (version and body_len filled in here;
 * session, seq and sent_ms as the caller set them) and a body, sealed
 * with the first key of ring.  Its length, or -1 (no room, body over
 * COREFR_MAX_BODY).
 */
ssize_t	corefr_build(const struct seal_keyring *ring, struct corefr_hdr *,
	    const uint8_t *body, size_t bodylen, uint8_t *out, size_t cap);

/*
 * Takes a datagram apart with the acceptance rules above; rp NULL skips
 * rules 4 and 5.  The plaintext goes to pt (COREFR_HDRLEN +
 * COREFR_MAX_BODY bytes is always enough); *body points into it.  0, or
 * -1 with *why.
 */
int	corefr_open(const struct seal_keyring *ring, struct replay *rp,
	    uint64_t fresh_ms, uint64_t now_ms, const uint8_t *dgram,
	    size_t len, struct corefr_hdr *, uint8_t *pt, size_t ptcap,
	    const uint8_t **body, enum corefr_reject *why);

/*
 * The sender: one session (random per process and per sealing key) and
 * one seq counter for everything sealed with that key, whichever endpoint
 * it goes to; sent_ms from the wall clock.
 */
ssize_t	corefr_send(const struct core_keys *, int type, uint64_t corr_id,
	    uint32_t budget_us, const uint8_t *body, size_t bodylen,
	    uint8_t *out, size_t cap);
/* corefr_open with the peer's keys and the wall clock. */
int	corefr_recv(const struct core_keys *, struct replay *,
	    uint64_t fresh_ms, const uint8_t *dgram, size_t len,
	    struct corefr_hdr *, uint8_t *pt, size_t ptcap,
	    const uint8_t **body, enum corefr_reject *why);

/* Wall clock in ms, as sent_ms and the freshness rule read it. */
uint64_t corefr_now_ms(void);

#endif
