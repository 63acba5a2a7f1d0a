/*
 * corefr.h — core-link frames (ARCHITECTURE section 4, protocol v1).
 *
 * A datagram is GUE header (4) | sealed frame; the sealed plaintext is
 *
 *   version u8 = 1 | type u8 | flags u16 | session u64 | seq u64 |
 *   corr_id u64 | budget_us u32 | body_len u32 | body
 *
 * all big-endian.  This module does the plaintext header and puts the
 * layers together: corefr_build() makes a whole datagram, corefr_open()
 * takes one apart, checking GUE, key, tag, header and replay in that
 * order, and says why it refused.
 *
 * Typical use (either side of the link):
 *
 *	struct corefr_end e;
 *	corefr_end_init(&e, &keyring);		// random session, seq 0
 *	n = corefr_send(&e, COREFR_AUTH_REQUEST, corr, budget_us,
 *	    body, bodylen, dgram, sizeof dgram);
 *	sendto(fd, dgram, n, ...);
 *	...
 *	if (corefr_recv(&e, dgram, n, &hdr, pt, sizeof pt, &body, &why) == -1)
 *		count(corefr_reject_name(why));
 */
#ifndef TUNNEL_COREFR_H
#define TUNNEL_COREFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tunnel/gue.h"
#include "tunnel/seal.h"

#define COREFR_VERSION		1
#define COREFR_HDRLEN		36
#define COREFR_PORT		6080
#define COREFR_MAX_BODY		16384
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
};

struct corefr_hdr {
	uint8_t		version;
	uint8_t		type;
	uint16_t	flags;
	uint64_t	session;
	uint64_t	seq;
	uint64_t	corr_id;
	uint32_t	budget_us;
	uint32_t	body_len;
};

/* Why a datagram was refused; names are metric label values. */
enum corefr_reject {
	COREFR_R_NONE,
	COREFR_R_SHORT,		/* "short": smaller than any frame */
	COREFR_R_GUE,		/* "gue": bad GUE header (ver, hlen, flags) */
	COREFR_R_CBIT,		/* "cbit": C bit / proto / ctype vs type */
	COREFR_R_KEY,		/* "key": unknown key id */
	COREFR_R_AUTH,		/* "auth": authentication failed */
	COREFR_R_FORMAT,	/* "format": bad version, length or type */
	COREFR_R_REPLAY,	/* "replay": repeat or older than the window */
	COREFR_R_MAX
};

const char *corefr_type_name(int type);	/* "AUTH_REQUEST", "?" */
const char *corefr_reject_name(int why);	/* "auth", ... */

/* The GUE C bit and proto/ctype a frame type travels with. */
void	corefr_gue_for(int type, int *c, uint8_t *pt);

/* Plaintext header: encode into out (COREFR_HDRLEN bytes); decode checks
 * version 1, a known type and body_len == len - COREFR_HDRLEN. */
void	corefr_hdr_encode(const struct corefr_hdr *, uint8_t out[COREFR_HDRLEN]);
int	corefr_hdr_decode(struct corefr_hdr *, const uint8_t *pt, size_t len);

/*
 * A whole datagram from a header (version and body_len filled in here)
 * and a body.  Returns its length, or -1 if it does not fit in cap or the
 * body is over COREFR_MAX_BODY.
 */
ssize_t	corefr_build(const struct seal_keyring *, struct corefr_hdr *,
	    const uint8_t *body, size_t bodylen, uint8_t *out, size_t cap);

/*
 * Takes a datagram apart: GUE check, key lookup, open, header decode, the
 * C bit against the type, then replay (when rp is not NULL).  The
 * plaintext goes to pt (COREFR_HDRLEN + COREFR_MAX_BODY bytes is always
 * enough); *body points into it.  0, or -1 with *why.
 */
int	corefr_open(const struct seal_keyring *, struct seal_replay *,
	    const uint8_t *dgram, size_t len, struct corefr_hdr *,
	    uint8_t *pt, size_t ptcap, const uint8_t **body,
	    enum corefr_reject *why);

/* One side of a link: keys, our session and next seq, the peer's replay
 * state.  The keyring is borrowed and must outlive the end. */
struct corefr_end {
	const struct seal_keyring *keys;
	uint64_t	session;	/* random per start */
	uint64_t	seq;		/* last sent */
	struct seal_replay rp;
};

void	corefr_end_init(struct corefr_end *, const struct seal_keyring *);
ssize_t	corefr_send(struct corefr_end *, int type, uint64_t corr_id,
	    uint32_t budget_us, const uint8_t *body, size_t bodylen,
	    uint8_t *out, size_t cap);
int	corefr_recv(struct corefr_end *, const uint8_t *dgram, size_t len,
	    struct corefr_hdr *, uint8_t *pt, size_t ptcap,
	    const uint8_t **body, enum corefr_reject *why);

#endif
