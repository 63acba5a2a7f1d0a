/*
 * take.c — the batch of advices a store job opens (take.h), and two of
 * its uses: an export file imported by hand (safxfer.h), and our own
 * queue walked for the pair's mirror after a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "base/clock.h"
#include "base/log.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/safxfer.h"
#include "gateway/standin/si.h"
#include "gateway/standin/take.h"

/* Opens a sealed entry (8 bytes, then the box) into the next slot of
 * tj: 1 taken, 0 it does not open, -1 out of memory. */
int
take_open(struct take_job *tj, const char *ctx, const void *k, size_t kl,
    const void *v, size_t vl)
{
	uint8_t pt[SAF_BODY_MAX];
	struct taken *x = &tj->v[tj->n];
	long n;

	if (vl < 8 || (n = statekey_open(SI.key, ctx, k, kl,
	    (const uint8_t *)v + 8, vl - 8, pt, sizeof pt)) < 0)
		return 0;
	if ((x->body = malloc((size_t)n)) == NULL) {
		sodium_memzero(pt, (size_t)n);
		return -1;
	}
	memcpy(x->body, pt, (size_t)n);
	sodium_memzero(pt, (size_t)n);
	x->len = (size_t)n;
	return 1;
}

void
take_clear(struct take_job *tj)
{
	size_t i;

	for (i = 0; i < tj->n; i++) {
		sodium_memzero(tj->v[i].body, tj->v[i].len);
		free(tj->v[i].body);
	}
	tj->n = 0;
}


/* What a job put into our queue, durable now: to the queue's memory and
 * its sender. */
void
taken_added(struct take_job *tj, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		saf_added(tj->v[i].id, tj->v[i].body, tj->v[i].len,
		    tj->v[i].wall_us);
	if (n > 0)
		saf_kick(now_us());
}

/* --- an export file, imported by hand (safxfer.h) ------------------------------ */

static int
import_run(struct store_txn *t, void *arg)
{
	struct take_job *tj = arg;
	size_t i;
	int rc;

	for (i = 0; i < tj->n; i++) {
		tj->v[i].wall_us = wall_us();
		if ((rc = saf_append_peer(t, SI.key, tj->v[i].body,
		    tj->v[i].len, tj->v[i].wall_us, &tj->v[i].id)) != 0)
			return rc;
	}
	return 0;
}

static void
import_done(void *arg, int rc)
{
	struct take_job *tj = arg;

	if (rc != 0)
		log_warnx("event=saf_import_failed advices=%zu error=\"%s\"",
		    tj->n, store_strerror(rc));
	else {
		taken_added(tj, tj->n);
		SI.imported += tj->n;
		log_info("event=saf_imported advices=%zu total=%llu", tj->n,
		    (unsigned long long)SI.imported);
	}
	take_clear(tj);
	free(tj);
}

static int
import_flush(struct take_job **tjp)
{
	struct take_job *tj = *tjp;

	*tjp = NULL;
	if (tj == NULL || tj->n == 0) {
		free(tj);
		return 0;
	}
	tj->job.run = import_run;
	tj->job.done = import_done;
	tj->job.arg = tj;
	if (store_write(SI.st, &tj->job) != 0) {
		take_clear(tj);
		free(tj);
		return -1;
	}
	return 0;
}

static int
import_one(const uint8_t *body, size_t len, void *arg)
{
	struct take_job **tjp = arg;
	struct taken *x;

	if (*tjp == NULL && (*tjp = calloc(1, sizeof **tjp)) == NULL)
		return -1;
	x = &(*tjp)->v[(*tjp)->n];
	if ((x->body = malloc(len)) == NULL)
		return -1;
	memcpy(x->body, body, len);
	x->len = len;
	if (++(*tjp)->n == TAKE_BATCH)
		return import_flush(tjp);
	return 0;
}

static int
not_ours(const uint8_t *body, size_t len, void *arg)
{
	char gw[STANDIN_NAME_MAX];

	(void)arg;
	return tlv_find_str(body, len, TLV_GATEWAY, gw, sizeof gw) == 0 &&
	    strcmp(gw, SI.conf.name) == 0 ? -1 : 0;
}

long
standin_saf_import(const uint8_t *buf, size_t len,
    const struct seal_keyring *ring, char *err, size_t errsz)
{
	struct take_job *tj = NULL;
	long n;

	if (!SI.up) {
		snprintf(err, errsz, "no store (Durability = none)");
		return -1;
	}
	/* Our own name's advices are not taken: their ids are ours too, and
	 * the core would take a new advice of ours under the same id for a
	 * repeat of the imported one. */
	if (safx_read(buf, len, ring, not_ours, NULL, err, errsz) == -1)
		return -1;
	n = safx_read(buf, len, ring, import_one, &tj, err, errsz);
	if (n >= 0 && import_flush(&tj) == -1) {
		snprintf(err, errsz, "the store refused the last batch");
		n = -1;
	}
	if (tj != NULL) {
		take_clear(tj);
		free(tj);
	}
	return n;
}

/* --- our own queue, walked (the mirror after a restart) ------------------------ */

struct walk_job {
	struct take_job	 t;		/* v[i].id our ids, bodies */
	uint64_t	 from;
	void		(*each)(void *, uint64_t, const uint8_t *, size_t);
	void		(*end)(void *, uint64_t, int);
	void		*arg;
};

static int
walk_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct walk_job *wj = arg;
	int rc;

	if (kl != 8 || wj->t.n == TAKE_BATCH)
		return 1;
	if ((rc = take_open(&wj->t, "saf", k, kl, v, vl)) == 0)
		return 0;	/* the queue reports it; not ours to judge */
	if (rc < 0)
		return 1;
	wj->t.v[wj->t.n++].id = be64_get(k);
	return 0;
}

static int
walk_run(struct store_txn *t, void *arg)
{
	struct walk_job *wj = arg;
	uint8_t k[8];

	take_clear(&wj->t);
	be64_put(k, wj->from);
	return store_scan(t, STORE_SAF, k, sizeof k, walk_one, wj);
}

static void
walk_done(void *arg, int rc)
{
	struct walk_job *wj = arg;
	uint64_t next = wj->from;
	size_t i;

	for (i = 0; rc == 0 && i < wj->t.n; i++) {
		/* Read off the loop: one not final yet is mirrored when it
		 * is (saf_added, saf_amended), never in a body a void may
		 * still change. */
		if (saf_final(wj->t.v[i].id))
			wj->each(wj->arg, wj->t.v[i].id, wj->t.v[i].body,
			    wj->t.v[i].len);
		next = wj->t.v[i].id + 1;
	}
	wj->end(wj->arg, next, rc == 0 && wj->t.n == TAKE_BATCH);
	take_clear(&wj->t);
	free(wj);
}

int
standin_saf_walk(uint64_t from,
    void (*each)(void *, uint64_t, const uint8_t *, size_t),
    void (*end)(void *, uint64_t next, int more), void *arg)
{
	struct walk_job *wj;

	if (!SI.up || (wj = calloc(1, sizeof *wj)) == NULL)
		return -1;
	wj->from = from;
	wj->each = each;
	wj->end = end;
	wj->arg = arg;
	wj->t.job.run = walk_run;
	wj->t.job.done = walk_done;
	wj->t.job.arg = wj;
	if (store_read(SI.st, &wj->t.job) != 0) {
		free(wj);
		return -1;
	}
	return 0;
}

