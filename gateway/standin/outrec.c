/*
 * outrec.c — OUT_REQUEST records in the store (outrec.h).
 *
 * Under the corr_id (u64 BE) in "outseen", sealed for that key:
 *   version (1) | answered (1) | until_ms (u64 BE) |
 *   link length (1) | link | core length (1) | core | body
 * and in "outsaf", sealed for that key, what gateway/outsaf.c gives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "base/log.h"
#include "gateway/standin/outrec.h"
#include "gateway/standin/si.h"

#define REC_VERSION	1
#define REC_HEAD	(1 + 1 + 8 + 1 + OUTREC_NAME_MAX + 1 + OUTREC_NAME_MAX)
#define DB_NAME		"outseen"
#define SAF_NAME	"outsaf"

struct orjob {
	struct store_job job;
	uint64_t	 corr;
	void		(*done)(uint64_t, int);
	int		 db;		/* STORE_OUTSEEN, STORE_OUTSAF */
	const char	*ctx;		/* its name: what seals are bound to */
	int		 forget;
	uint8_t		 key[8];
	size_t		 ptlen;
	uint8_t		*sealed;	/* ptlen + overhead, after pt */
	uint8_t		 pt[];
};

int
outrec_enabled(void)
{
	return SI.st != NULL && SI.key != NULL;
}

/* The record's plaintext into out (REC_HEAD + len bytes): its length. */
static size_t
rec_pack(const struct outrec *r, uint8_t *out)
{
	size_t ll = strnlen(r->link, OUTREC_NAME_MAX - 1);
	size_t cl = strnlen(r->core, OUTREC_NAME_MAX - 1);
	uint8_t *p = out;

	*p++ = REC_VERSION;
	*p++ = r->answered ? 1 : 0;
	be64_put(p, r->until_ms);
	p += 8;
	*p++ = (uint8_t)ll;
	memcpy(p, r->link, ll);
	p += ll;
	*p++ = (uint8_t)cl;
	memcpy(p, r->core, cl);
	p += cl;
	if (r->len > 0)
		memcpy(p, r->body, r->len);
	return (size_t)(p - out) + r->len;
}

/* A name of the record at *pp: 0, or -1 when it runs past end. */
static int
name_get(const uint8_t **pp, const uint8_t *end, char out[OUTREC_NAME_MAX])
{
	size_t n;

	if (*pp >= end || (n = **pp) >= OUTREC_NAME_MAX ||
	    (size_t)(end - *pp) < 1 + n)
		return -1;
	memcpy(out, *pp + 1, n);
	out[n] = '\0';
	*pp += 1 + n;
	return 0;
}

/* pt (len bytes) into r, whose body points into pt: 0 or -1. */
static int
rec_unpack(const uint8_t *pt, size_t len, struct outrec *r)
{
	const uint8_t *p = pt, *end = pt + len;

	if (len < 10 || pt[0] != REC_VERSION || pt[1] > 1)
		return -1;
	r->answered = pt[1];
	r->until_ms = be64_get(pt + 2);
	p += 10;
	if (name_get(&p, end, r->link) == -1 ||
	    name_get(&p, end, r->core) == -1)
		return -1;
	r->body = p;
	r->len = (size_t)(end - p);
	return 0;
}

static int
put_run(struct store_txn *t, void *arg)
{
	struct orjob *j = arg;
	long n;

	if (j->forget) {
		int rc = store_del(t, j->db, j->key, sizeof j->key);

		return rc == STORE_NOTFOUND ? 0 : rc;
	}
	n = statekey_seal(SI.key, j->ctx, j->key, sizeof j->key, j->pt,
	    j->ptlen, j->sealed, j->ptlen + STATEKEY_SEAL_OVERHEAD);
	if (n < 0)
		return STORE_TOOBIG;
	return store_put(t, j->db, j->key, sizeof j->key, j->sealed,
	    (size_t)n);
}

static void
put_done(void *arg, int rc)
{
	struct orjob *j = arg;

	if (rc != 0)
		log_warnx("event=out_record_failed corr=%llu db=%s action=%s "
		    "error=\"%s\"", (unsigned long long)j->corr, j->ctx,
		    j->forget ? "forget" : j->done ? "begin" : "write",
		    store_strerror(rc));
	if (j->done != NULL)
		j->done(j->corr, rc);
	sodium_memzero(j->pt, j->ptlen);
	free(j);
}

/* A job for corr in db (pt NULL: delete it): the job, not queued. */
static struct orjob *
job_new(int db, uint64_t corr, size_t cap, void (*done)(uint64_t, int))
{
	struct orjob *j;

	if (!outrec_enabled() ||
	    (j = calloc(1, sizeof *j + 2 * cap + STATEKEY_SEAL_OVERHEAD)) ==
	    NULL)
		return NULL;
	j->corr = corr;
	j->done = done;
	j->db = db;
	j->ctx = db == STORE_OUTSAF ? SAF_NAME : DB_NAME;
	be64_put(j->key, corr);
	j->sealed = j->pt + cap;
	j->job.run = put_run;
	j->job.done = put_done;
	j->job.arg = j;
	return j;
}

static int
job_queue(struct orjob *j)
{
	if (j == NULL)
		return -1;
	if (store_write(SI.st, &j->job) != 0) {
		sodium_memzero(j->pt, j->ptlen);
		free(j);
		return -1;
	}
	return 0;
}

/* A job for r (NULL: forget corr), queued: 0 or -1. */
static int
queue(uint64_t corr, const struct outrec *r, void (*done)(uint64_t, int))
{
	struct orjob *j;

	j = job_new(STORE_OUTSEEN, corr, r != NULL ? REC_HEAD + r->len : 0,
	    done);
	if (j != NULL && r != NULL)
		j->ptlen = rec_pack(r, j->pt);
	else if (j != NULL)
		j->forget = 1;
	return job_queue(j);
}

int
outrec_begin(const struct outrec *r, void (*done)(uint64_t, int))
{
	return queue(r->corr, r, done);
}

void
outrec_answered(const struct outrec *r)
{
	if (queue(r->corr, r, NULL) == -1 && outrec_enabled())
		log_warnx("event=out_record_failed corr=%llu action=answer "
		    "error=\"not queued\"", (unsigned long long)r->corr);
}

void
outrec_forget(uint64_t corr)
{
	queue(corr, NULL, NULL);
}

/* --- at start ----------------------------------------------------------------- */

struct kept {
	struct outrec	 r;
	size_t		 ptlen;
	uint8_t		 pt[];
};

struct load {
	struct store_job job;
	uint64_t	 now_ms;
	struct kept	**kept;
	size_t		 nkept, cap;
	uint8_t		(*gone)[8];	/* past their time: deleted */
	size_t		 ngone, gcap;
};

static int
grow(void *pp, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	if ((p = reallocarray(*(void **)pp, *cap * 2 + 16, size)) == NULL)
		return -1;
	*(void **)pp = p;
	*cap = *cap * 2 + 16;
	return 0;
}

static int
load_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct load *L = arg;
	struct kept *e;
	long n;

	if (kl != 8 || vl < STATEKEY_SEAL_OVERHEAD ||
	    (e = calloc(1, sizeof *e + vl)) == NULL)
		return STORE_CORRUPT;
	n = statekey_open(SI.key, DB_NAME, k, kl, v, vl, e->pt, vl);
	if (n < 0 || rec_unpack(e->pt, (size_t)n, &e->r) == -1) {
		free(e);
		return STORE_CORRUPT;
	}
	e->ptlen = (size_t)n;
	e->r.corr = be64_get(k);
	/* One still in flight is never past its time: the scheme may have
	 * acted on it, however long the stop (the next start answers it 91
	 * and hands it to the outbound saf). */
	if (e->r.answered && e->r.until_ms <= L->now_ms) {
		sodium_memzero(e->pt, e->ptlen);
		free(e);
		if (grow(&L->gone, &L->gcap, L->ngone, sizeof *L->gone) == -1)
			return ENOMEM;
		memcpy(L->gone[L->ngone++], k, 8);
		return 0;
	}
	if (grow(&L->kept, &L->cap, L->nkept, sizeof *L->kept) == -1) {
		free(e);
		return ENOMEM;
	}
	L->kept[L->nkept++] = e;
	return 0;
}

static int
load_run(struct store_txn *t, void *arg)
{
	struct load *L = arg;
	size_t i;
	int rc;

	if ((rc = store_scan(t, STORE_OUTSEEN, NULL, 0, load_one, L)) != 0)
		return rc;
	for (i = 0; i < L->ngone; i++)
		if ((rc = store_del(t, STORE_OUTSEEN, L->gone[i], 8)) != 0)
			return rc;
	return 0;
}

long
outrec_load(uint64_t now_ms, void (*fn)(const struct outrec *, void *),
    void *arg)
{
	struct load L;
	size_t i;
	int rc;

	if (!outrec_enabled())
		return 0;
	memset(&L, 0, sizeof L);
	L.now_ms = now_ms;
	L.job.run = load_run;
	L.job.arg = &L;
	if ((rc = store_run_now(SI.st, &L.job, 1)) != 0)
		log_warnx("event=out_records_unreadable error=\"%s\" "
		    "reason=\"OUT_REQUESTs before this start may be sent to "
		    "the scheme again if the core retries them\"",
		    store_strerror(rc));
	for (i = 0; i < L.nkept; i++) {
		if (rc == 0)
			fn(&L.kept[i]->r, arg);
		sodium_memzero(L.kept[i]->pt, L.kept[i]->ptlen);
		free(L.kept[i]);
	}
	free(L.kept);
	free(L.gone);
	if (rc == 0 && L.ngone > 0)
		log_info("event=out_records_expired count=%zu", L.ngone);
	return rc == 0 ? (long)L.nkept : -1;
}

/* --- the outbound saf's entries ---------------------------------------------- */

int
outrec_saf_put(uint64_t corr, const uint8_t *pt, size_t len)
{
	struct orjob *j = job_new(STORE_OUTSAF, corr, len, NULL);

	if (j == NULL)
		return -1;
	memcpy(j->pt, pt, len);
	j->ptlen = len;
	return job_queue(j);
}

int
outrec_saf_del(uint64_t corr)
{
	struct orjob *j = job_new(STORE_OUTSAF, corr, 0, NULL);

	if (j == NULL)
		return -1;
	j->forget = 1;
	return job_queue(j);
}

struct saf_load {
	struct store_job job;
	int		(*fn)(uint64_t, const uint8_t *, size_t, void *);
	void		*arg;
	long		 n;
};

static int
saf_load_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct saf_load *L = arg;
	uint8_t *pt;
	long n;

	if (kl != 8 || vl < STATEKEY_SEAL_OVERHEAD ||
	    (pt = malloc(vl)) == NULL)
		return STORE_CORRUPT;
	n = statekey_open(SI.key, SAF_NAME, k, kl, v, vl, pt, vl);
	if (n >= 0) {
		L->fn(be64_get(k), pt, (size_t)n, L->arg);
		L->n++;
		sodium_memzero(pt, (size_t)n);
	} else
		log_warnx("event=outsaf_unreadable corr=%llu reason=\"does "
		    "not open under the state key\"",
		    (unsigned long long)be64_get(k));
	free(pt);
	return 0;
}

static int
saf_load_run(struct store_txn *t, void *arg)
{
	return store_scan(t, STORE_OUTSAF, NULL, 0, saf_load_one, arg);
}

long
outrec_saf_load(int (*fn)(uint64_t, const uint8_t *, size_t, void *),
    void *arg)
{
	struct saf_load L = { .fn = fn, .arg = arg };
	int rc;

	if (!outrec_enabled())
		return 0;
	L.job.run = saf_load_run;
	L.job.arg = &L;
	if ((rc = store_run_now(SI.st, &L.job, 0)) != 0) {
		log_warnx("event=outsaf_unreadable error=\"%s\"",
		    store_strerror(rc));
		return -1;
	}
	return L.n;
}
