/*
 * snapshot.c — portfolio -> SNAPSHOT frames, sent until acknowledged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "tunnel/corefr.h"
#include "scheme-sim/portfolio.h"
#include "scheme-sim/snapshot.h"

#define RESEND_NS	500000000ull
#define PER_TICK	64

struct frame {
	uint64_t	 version;
	uint64_t	 sent_ns;
	uint32_t	 acked;		/* by gateway index */
	size_t		 len;
	uint8_t		*body;
};

struct sim_snap {
	struct frame	*v;
	size_t		 n;
	uint64_t	 cards, sent;
	uint32_t	 known;		/* as the last tick had it */
	int		 done_logged;
};

struct sim_snap *
sim_snap_open(const char *path, uint64_t base, char *err, size_t errsz)
{
	struct sim_portfolio p;
	struct sim_snap *s;
	uint8_t *buf;
	size_t next = 0, len, cap = 0;
	struct frame *nv;

	if (sodium_init() < 0 || sim_portfolio_load(&p, path, err, errsz) == -1)
		return NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (buf = malloc(COREFR_MAX_BODY)) == NULL) {
		free(s);
		sim_portfolio_free(&p);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	while ((len = sim_portfolio_snapshot(&p, &next, base + s->n, buf,
	    COREFR_MAX_BODY)) > 0) {
		if (s->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(s->v, cap * sizeof *nv)) == NULL)
				break;
			s->v = nv;
		}
		memset(&s->v[s->n], 0, sizeof s->v[s->n]);
		s->v[s->n].version = base + s->n;
		s->v[s->n].len = len;
		if ((s->v[s->n].body = malloc(len)) == NULL)
			break;
		memcpy(s->v[s->n].body, buf, len);
		s->n++;
	}
	s->cards = next;
	free(buf);
	sim_portfolio_free(&p);
	log_info("event=snapshot_ready cards=%llu frames=%zu "
	    "first_version=%llu", (unsigned long long)s->cards, s->n,
	    (unsigned long long)base);
	return s;
}

void
sim_snap_free(struct sim_snap *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		sodium_memzero(s->v[i].body, s->v[i].len);
		free(s->v[i].body);
	}
	free(s->v);
	free(s);
}

/* Every known gateway has it (and some gateway is known). */
static int
done(const struct sim_snap *s, const struct frame *f)
{
	return s->known != 0 && (f->acked & s->known) == s->known;
}

static uint64_t
acked_all(const struct sim_snap *s)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		n += done(s, &s->v[i]);
	return n;
}

void
sim_snap_tick(struct sim_snap *s, uint64_t now, uint32_t known,
    sim_snap_send_fn *send, void *arg)
{
	size_t i;
	uint32_t want;
	int n = 0, g;

	s->known = known;
	for (i = 0; i < s->n && n < PER_TICK; i++) {
		struct frame *f = &s->v[i];
		want = known & ~f->acked;
		if (want == 0 || (f->sent_ns && now - f->sent_ns < RESEND_NS))
			continue;
		for (g = 0; g < 32; g++)
			if (want & (1u << g))
				send(arg, g, f->version, f->body, f->len);
		f->sent_ns = now;
		s->sent++;
		n++;
	}
}

int
sim_snap_ack(struct sim_snap *s, int gw, uint64_t version)
{
	size_t i;

	if (gw < 0 || gw >= 32)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].version == version) {
			s->v[i].acked |= 1u << gw;
			if (!s->done_logged && acked_all(s) == s->n) {
				s->done_logged = 1;
				log_info("event=snapshot_acked cards=%llu "
				    "frames=%zu gateways=%d",
				    (unsigned long long)s->cards, s->n,
				    __builtin_popcount(s->known));
			}
			return 1;
		}
	return 0;
}

void
sim_snap_forget(struct sim_snap *s, int gw)
{
	size_t i;

	if (s == NULL || gw < 0 || gw >= 32)
		return;
	for (i = 0; i < s->n; i++)
		s->v[i].acked &= ~(1u << gw);
}

void
sim_snap_counts(const struct sim_snap *s, uint64_t *frames, uint64_t *acked,
    uint64_t *cards, uint64_t *sent)
{
	*frames = s ? s->n : 0;
	*acked = s ? acked_all(s) : 0;
	*cards = s ? s->cards : 0;
	*sent = s ? s->sent : 0;
}

uint64_t
sim_snap_gw_acked(const struct sim_snap *s, int gw)
{
	uint64_t n = 0;
	size_t i;

	if (s == NULL || gw < 0 || gw >= 32)
		return 0;
	for (i = 0; i < s->n; i++)
		n += (s->v[i].acked >> gw) & 1u;
	return n;
}
