/*
 * corefr.c — core-link frame header, datagram assembly, the acceptance
 * rules, and the sender's sessions.
 */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "base/clock.h"
#include "tunnel/corefr.h"

#define SENDERS		SEAL_MAXKEYS

static const char *const type_names[] = {
	"?", "AUTH_REQUEST", "AUTH_RESPONSE", "ADVICE", "ADVICE_ACK",
	"OUT_REQUEST", "OUT_RESPONSE", "SNAPSHOT", "SNAPSHOT_ACK",
	"HEARTBEAT", "HEARTBEAT_ACK", "SHARE", "SHARE_ACK", "PEER_ADVICE",
	"PEER_ADVICE_ACK", "PEER_RELEASE", "PEER_RELEASE_ACK",
};

static const char *const reject_names[] = {
	"none", "gue", "key", "auth", "version", "stale", "before_start",
	"replay", "source",
};

/* What this process seals with each key: its session and last seq. */
static struct {
	uint32_t	key_id;
	uint64_t	session;
	uint64_t	seq;
} senders[SENDERS];
static size_t nsenders, next_sender;

const char *
corefr_type_name(int type)
{
	if (type < 1 || type > COREFR_TYPE_MAX)
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

uint64_t
corefr_now_ms(void)
{
	return wall_us() / 1000;
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
	be64_put(out + 20, h->sent_ms);
	be64_put(out + 28, h->corr_id);
	be32_put(out + 36, h->budget_us);
	be32_put(out + 40, h->body_len);
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
	h->sent_ms = be64_get(pt + 20);
	h->corr_id = be64_get(pt + 28);
	h->budget_us = be32_get(pt + 36);
	h->body_len = be32_get(pt + 40);
	if (h->version != COREFR_VERSION)
		return -1;
	if (h->type < COREFR_AUTH_REQUEST || h->type > COREFR_TYPE_MAX)
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

/* Rule 1 before a decryption is spent: GUE variant 0, hlen 0, flags 0;
 * C=0 with proto 253, C=1 with a ctype we know. */
static int
gue_ok(const uint8_t *dgram, size_t len, int *c, uint8_t *gpt)
{
	if (len < GUE_HLEN + SEAL_OVERHEAD + COREFR_HDRLEN ||
	    gue_decode(dgram, len, c, gpt) == -1)
		return 0;
	if (*c == 0)
		return *gpt == GUE_PROTO_FRAME;
	return *gpt == GUE_CTYPE_HEARTBEAT || *gpt == GUE_CTYPE_HEARTBEAT_ACK;
}

static enum corefr_reject
replay_reason(enum replay_verdict v)
{
	switch (v) {
	case REPLAY_OK:
		break;
	case REPLAY_STALE:
		return COREFR_R_STALE;
	case REPLAY_BEFORE_START:
		return COREFR_R_BEFORE_START;
	case REPLAY_SEEN:
		return COREFR_R_REPLAY;
	}
	return COREFR_R_NONE;
}

int
corefr_open(const struct seal_keyring *r, struct replay *rp,
    uint64_t fresh_ms, uint64_t now_ms, const uint8_t *dgram, size_t len,
    struct corefr_hdr *h, uint8_t *pt, size_t ptcap, const uint8_t **body,
    enum corefr_reject *why)
{
	enum seal_err se;
	ssize_t n;
	int c, wc;
	uint8_t gpt, wpt;

	*why = COREFR_R_NONE;
	if (!gue_ok(dgram, len, &c, &gpt)) {				/* 1 */
		*why = COREFR_R_GUE;
		return -1;
	}
	n = seal_open(r, dgram, dgram + GUE_HLEN, len - GUE_HLEN, pt, ptcap,
	    &se);
	if (n < 0) {							/* 2 */
		*why = se == SEAL_EKEY ? COREFR_R_KEY : se == SEAL_EAUTH ?
		    COREFR_R_AUTH : COREFR_R_GUE;
		return -1;
	}
	if (corefr_hdr_decode(h, pt, (size_t)n) == -1) {		/* 3 */
		*why = COREFR_R_VERSION;
		return -1;
	}
	h->key_id = be32_get(dgram + GUE_HLEN);
	corefr_gue_for(h->type, &wc, &wpt);
	if (wc != c || wpt != gpt) {					/* 1 */
		*why = COREFR_R_GUE;
		return -1;
	}
	if (rp != NULL && (*why = replay_reason(replay_accept(rp, h->key_id,
	    h->session, h->seq, h->sent_ms, now_ms, fresh_ms))) !=
	    COREFR_R_NONE)						/* 4, 5 */
		return -1;
	*body = pt + COREFR_HDRLEN;
	return 0;
}

/* A forked child is another sender: it must not repeat its parent's
 * (session, seq) pairs, which a receiver would drop as replays. */
static void
senders_forget(void)
{
	nsenders = next_sender = 0;
}

static void
senders_atfork(void)
{
	pthread_atfork(NULL, NULL, senders_forget);
}

/* The session and seq of what this process seals with key id. */
static size_t
sender(uint32_t id)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	size_t i;

	pthread_once(&once, senders_atfork);
	for (i = 0; i < nsenders; i++)
		if (senders[i].key_id == id)
			return i;
	if (nsenders < SENDERS)
		i = nsenders++;
	else
		i = next_sender++ % SENDERS;	/* a new session either way */
	senders[i].key_id = id;
	senders[i].seq = 0;
	/* Random per start and key: a restarted sender is a new session
	 * and its sequence numbers never meet an old window. */
	randombytes_buf(&senders[i].session, sizeof senders[i].session);
	return i;
}

ssize_t
corefr_send(const struct core_keys *k, int type, uint64_t corr_id,
    uint32_t budget_us, const uint8_t *body, size_t bodylen, uint8_t *out,
    size_t cap)
{
	struct corefr_hdr h;
	size_t s;

	if (k->seal.n < 1)
		return -1;
	s = sender(k->seal.k[0].id);
	memset(&h, 0, sizeof h);
	h.type = (uint8_t)type;
	h.session = senders[s].session;
	h.seq = ++senders[s].seq;
	h.sent_ms = corefr_now_ms();
	h.corr_id = corr_id;
	h.budget_us = budget_us;
	return corefr_build(&k->seal, &h, body, bodylen, out, cap);
}

int
corefr_recv(const struct core_keys *k, struct replay *rp, uint64_t fresh_ms,
    const uint8_t *dgram, size_t len, struct corefr_hdr *h, uint8_t *pt,
    size_t ptcap, const uint8_t **body, enum corefr_reject *why)
{
	return corefr_open(&k->open, rp, fresh_ms, corefr_now_ms(), dgram,
	    len, h, pt, ptcap, body, why);
}
