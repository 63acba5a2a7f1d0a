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
	int		 acked;
	size_t		 len;
	uint8_t		*body;
};

struct sim_snap {
	struct frame	*v;
	size_t		 n;
	uint64_t	 cards, acked, sent;
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

void
sim_snap_tick(struct sim_snap *s, uint64_t now, sim_snap_send_fn *send,
    void *arg)
{
	size_t i;
	int n = 0;

	for (i = 0; i < s->n && n < PER_TICK; i++) {
		struct frame *f = &s->v[i];
		if (f->acked || (f->sent_ns && now - f->sent_ns < RESEND_NS))
			continue;
		send(arg, f->version, f->body, f->len);
		f->sent_ns = now;
		s->sent++;
		n++;
	}
}

int
sim_snap_ack(struct sim_snap *s, uint64_t version)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].version == version) {
			if (!s->v[i].acked) {
				s->v[i].acked = 1;
				s->acked++;
				if (s->acked == s->n)
					log_info("event=snapshot_acked "
					    "cards=%llu frames=%zu",
					    (unsigned long long)s->cards, s->n);
			}
			return 1;
		}
	return 0;
}

void
sim_snap_counts(const struct sim_snap *s, uint64_t *frames, uint64_t *acked,
    uint64_t *cards, uint64_t *sent)
{
	*frames = s ? s->n : 0;
	*acked = s ? s->acked : 0;
	*cards = s ? s->cards : 0;
	*sent = s ? s->sent : 0;
}
