/*
 * corefr.c — core-link frame header and datagram assembly.
 */
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "tunnel/corefr.h"

static const char *const type_names[] = {
	"?", "AUTH_REQUEST", "AUTH_RESPONSE", "ADVICE", "ADVICE_ACK",
	"OUT_REQUEST", "OUT_RESPONSE", "SNAPSHOT", "SNAPSHOT_ACK",
	"HEARTBEAT", "HEARTBEAT_ACK",
};

static const char *const reject_names[] = {
	"none", "short", "gue", "cbit", "key", "auth", "format", "replay",
};

const char *
corefr_type_name(int type)
{
	if (type < 1 || type > COREFR_HEARTBEAT_ACK)
		return "?";
	return type_names[type];
}

const char *
corefr_reject_name(int why)
{
	if (why < 0 || why >= COREFR_R_MAX)
		return "?";
	return reject_names[why];
}

void
corefr_gue_for(int type, int *c, uint8_t *pt)
{
	if (type == COREFR_HEARTBEAT) {
		*c = 1;
		*pt = GUE_CTYPE_HEARTBEAT;
	} else if (type == COREFR_HEARTBEAT_ACK) {
		*c = 1;
		*pt = GUE_CTYPE_HEARTBEAT_ACK;
	} else {
		*c = 0;
		*pt = GUE_PROTO_FRAME;
	}
}

void
corefr_hdr_encode(const struct corefr_hdr *h, uint8_t out[COREFR_HDRLEN])
{
	out[0] = h->version;
	out[1] = h->type;
	be16_put(out + 2, h->flags);
	be64_put(out + 4, h->session);
	be64_put(out + 12, h->seq);
	be64_put(out + 20, h->corr_id);
	be32_put(out + 28, h->budget_us);
	be32_put(out + 32, h->body_len);
}

int
corefr_hdr_decode(struct corefr_hdr *h, const uint8_t *pt, size_t len)
{
	if (len < COREFR_HDRLEN)
		return -1;
	h->version = pt[0];
	h->type = pt[1];
	h->flags = be16_get(pt + 2);
	h->session = be64_get(pt + 4);
	h->seq = be64_get(pt + 12);
	h->corr_id = be64_get(pt + 20);
	h->budget_us = be32_get(pt + 28);
	h->body_len = be32_get(pt + 32);
	if (h->version != COREFR_VERSION)
		return -1;
	if (h->type < COREFR_AUTH_REQUEST || h->type > COREFR_HEARTBEAT_ACK)
		return -1;
	if (h->body_len != len - COREFR_HDRLEN || h->body_len > COREFR_MAX_BODY)
		return -1;
	return 0;
}

ssize_t
corefr_build(const struct seal_keyring *r, struct corefr_hdr *h,
    const uint8_t *body, size_t bodylen, uint8_t *out, size_t cap)
{
	/* Not on the stack: the build zero-fills automatic variables, and
	 * 16 KiB per frame sent is not free. */
	static _Thread_local uint8_t pt[COREFR_HDRLEN + COREFR_MAX_BODY];
	ssize_t n;
	int c;
	uint8_t gpt;

	if (bodylen > COREFR_MAX_BODY || cap < GUE_HLEN)
		return -1;
	h->version = COREFR_VERSION;
	h->body_len = (uint32_t)bodylen;
	corefr_hdr_encode(h, pt);
	if (bodylen > 0)
		memcpy(pt + COREFR_HDRLEN, body, bodylen);
	corefr_gue_for(h->type, &c, &gpt);
	gue_encode(out, c, gpt);
	n = seal_seal(r, out, pt, COREFR_HDRLEN + bodylen, out + GUE_HLEN,
	    cap - GUE_HLEN);
	/* The clear body (card data) does not outlive its frame. */
	sodium_memzero(pt + COREFR_HDRLEN, bodylen);
	if (n < 0)
		return -1;
	return GUE_HLEN + n;
}

int
corefr_open(const struct seal_keyring *r, struct seal_replay *rp,
    const uint8_t *dgram, size_t len, struct corefr_hdr *h, uint8_t *pt,
    size_t ptcap, const uint8_t **body, enum corefr_reject *why)
{
	enum seal_err se;
	ssize_t n;
	int c, wc;
	uint8_t gpt, wpt;

	*why = COREFR_R_NONE;
	if (len < GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN) {
		*why = COREFR_R_SHORT;
		return -1;
	}
	if (gue_decode(dgram, len, &c, &gpt) == -1) {
		*why = COREFR_R_GUE;
		return -1;
	}
	/* Cheap check before spending a decryption: C=0 must say proto 253,
	 * C=1 a ctype we know. */
	if ((c == 0 && gpt != GUE_PROTO_FRAME) || (c == 1 &&
	    gpt != GUE_CTYPE_HEARTBEAT && gpt != GUE_CTYPE_HEARTBEAT_ACK)) {
		*why = COREFR_R_CBIT;
		return -1;
	}
	n = seal_open(r, dgram, dgram + GUE_HLEN, len - GUE_HLEN, pt, ptcap,
	    &se);
	if (n < 0) {
		*why = se == SEAL_EKEY ? COREFR_R_KEY :
		    se == SEAL_EAUTH ? COREFR_R_AUTH :
		    se == SEAL_ESHORT ? COREFR_R_SHORT : COREFR_R_FORMAT;
		return -1;
	}
	if (corefr_hdr_decode(h, pt, (size_t)n) == -1) {
		*why = COREFR_R_FORMAT;
		return -1;
	}
	corefr_gue_for(h->type, &wc, &wpt);
	if (wc != c || wpt != gpt) {
		*why = COREFR_R_CBIT;
		return -1;
	}
	if (rp != NULL && seal_replay_accept(rp, h->session, h->seq) == -1) {
		*why = COREFR_R_REPLAY;
		return -1;
	}
	*body = pt + COREFR_HDRLEN;
	return 0;
}

void
corefr_end_init(struct corefr_end *e, const struct seal_keyring *keys)
{
	memset(e, 0, sizeof *e);
	e->keys = keys;
	/* Random per start, so a restarted peer is a new session and its
	 * sequence numbers never collide with the old window. */
	randombytes_buf(&e->session, sizeof e->session);
	seal_replay_init(&e->rp);
}

ssize_t
corefr_send(struct corefr_end *e, int type, uint64_t corr_id,
    uint32_t budget_us, const uint8_t *body, size_t bodylen, uint8_t *out,
    size_t cap)
{
	struct corefr_hdr h;

	memset(&h, 0, sizeof h);
	h.type = (uint8_t)type;
	h.session = e->session;
	h.seq = ++e->seq;
	h.corr_id = corr_id;
	h.budget_us = budget_us;
	return corefr_build(e->keys, &h, body, bodylen, out, cap);
}

int
corefr_recv(struct corefr_end *e, const uint8_t *dgram, size_t len,
    struct corefr_hdr *h, uint8_t *pt, size_t ptcap, const uint8_t **body,
    enum corefr_reject *why)
{
	return corefr_open(e->keys, &e->rp, dgram, len, h, pt, ptcap, body,
	    why);
}
