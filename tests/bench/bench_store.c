/*
 * bench_store — the store alone: decision-shaped write jobs as ledger.c
 * writes them (an advice of ~400 bytes sealed into the SAF and a decision
 * record, both appended under their id; two dedup keys in request order;
 * the card's counter record at a random one of 100,000 cards; the
 * exposure total; the counters in meta) pushed as fast as the
 * group-commit writer takes them, with full LMDB durability, for
 * BENCH_STORE_SECONDS (default 3).  Prints
 *   store durable_decisions_per_s=N commits_per_s=N decisions_per_commit=N
 *         commit_us_avg=N pages_per_decision=..
 * then the same decision alone, one at a time (a commit of one, waited for)
 * for BENCH_STORE_SINGLE commits (default 2000):
 *   store one_decision_commit_us p50=.. p99=.. p99.9=.. max=..
 *         commits=N pages_per_commit=..
 * the floor under any durable stand-in answer on this disk: a decision
 * waits for the commit in progress and then for its own.
 * pages_per_decision is what the writer thread wrote (its wchar in
 * /proc) over the page size, per decision: the write amplification of
 * the layout.
 * BENCH_STORE_SECONDS=0 measures the floor alone (bench-standin.sh runs
 * it between its rates); BENCH_STORE_GAP_US waits that long between the
 * single commits, so the floor can be taken during another run (at 100
 * a second it adds little I/O) and meet what that run meets.
 * The gap to `standin saturation_per_s` (bench-standin.sh) is the event
 * loop, the HSM and the simulators sharing the machine's two cores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/be.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/statekey.h"
#include "gateway/standin/store.h"

#define INFLIGHT	4096

struct job {
	struct store_job j;
	uint64_t	 n;
	uint8_t		 adv[512];
	int		 busy;
};

static struct statekey *key;
static uint64_t done_n;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* What the store's writer thread has written so far (its wchar: the
 * pages of every commit).  The process's write_bytes is no measure
 * here: the page cache may count a whole large folio for one page. */
static uint64_t
written(struct store *st)
{
	struct store_stats s;
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	for (store_stats(st, &s); s.writer_tid == 0; store_stats(st, &s))
		usleep(1000);		/* the thread has not started yet */
	snprintf(path, sizeof path, "/proc/self/task/%llu/io",
	    (unsigned long long)s.writer_tid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "wchar: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int
inflight(const struct job *jobs)
{
	int i, n = 0;

	for (i = 0; i < INFLIGHT; i++)
		n += jobs[i].busy;
	return n;
}

/* The order prefix of a decision's dedup keys (facts.c): DE7 as
 * seconds, DE11; here the time and the job's sequence number. */
static void
order(uint8_t *k, uint64_t n)
{
	be32_put(k, (uint32_t)(n / 10000));
	k[4] = (uint8_t)(n >> 16);
	k[5] = (uint8_t)(n >> 8);
	k[6] = (uint8_t)n;
}

/* A decision as ledger.c writes it (store_format 3 and 4: the same keys). */
static int
run(struct store_txn *t, void *arg)
{
	struct job *b = arg;
	uint8_t k[40], v[128];
	uint64_t x, id;
	const void *p;
	size_t outlen, pl;
	int rc;

	memset(v, 7, sizeof v);
	if ((rc = saf_append(t, key, b->adv, 400, sizeof b->adv, 1, &outlen,
	    &id)) != 0)
		return rc;
	be64_put(k, id);
	if ((rc = store_append(t, STORE_DECISIONS, k, 8, v, 96)) != 0)
		return rc;
	k[0] = 'D';
	order(k + 1, b->n);
	crypto_generichash(k + 8, 16, (uint8_t *)&b->n, sizeof b->n, NULL, 0);
	if ((rc = store_put(t, STORE_DEDUP, k, 24, v, 8)) != 0)
		return rc;
	k[0] = 'O';
	k[8] ^= 0x55;
	if ((rc = store_put(t, STORE_DEDUP, k, 24, v, 8)) != 0)
		return rc;
	x = b->n % 100000;	/* the card: its one counter record */
	crypto_generichash(k, 32, (uint8_t *)&x, sizeof x, NULL, 0);
	k[32] = 'C';
	if ((rc = store_get(t, STORE_EXPOSURE, k, 33, &p, &pl)) != 0 &&
	    rc != STORE_NOTFOUND)
		return rc;
	if ((rc = store_put(t, STORE_EXPOSURE, k, 33, v, 40)) != 0)
		return rc;
	if ((rc = store_get_u64(t, STORE_EXPOSURE, "T", 1, &x)) != 0 ||
	    (rc = store_put_u64(t, STORE_EXPOSURE, "T", 1, x + 100)) != 0)
		return rc;
	if ((rc = store_get_u64(t, STORE_META, "approvals", 9, &x)) != 0 ||
	    (rc = store_put_u64(t, STORE_META, "approvals", 9, x + 1)) != 0)
		return rc;
	return 0;
}

static void
done(void *arg, int rc)
{
	struct job *b = arg;

	if (rc != 0) {
		fprintf(stderr, "bench_store: %s\n", store_strerror(rc));
		exit(1);
	}
	b->busy = 0;
	done_n++;
}

static void
report(const struct store_stats *s, uint64_t ndone, uint64_t ns,
    double pages)
{
	printf("store durable_decisions_per_s=%.0f commits_per_s=%.0f "
	    "decisions_per_commit=%.1f commit_us_avg=%llu "
	    "pages_per_decision=%.2f\n",
	    (double)ndone * 1e9 / (double)ns,
	    (double)s->batches * 1e9 / (double)ns,
	    (double)s->jobs / (double)(s->batches ? s->batches : 1),
	    (unsigned long long)(s->commit_us_total / (s->batches ?
	    s->batches : 1)), pages);
}

int
main(void)
{
	static struct job jobs[INFLIGHT];
	struct store_stats s;
	struct store *st;
	char dir[] = "/tmp/bench-store.XXXXXX", err[256], p[128];
	uint8_t raw[32];
	uint64_t t0, t1, seq = 0, secs = 3, *lat, nsingle = 2000, n, ndone;
	uint64_t wb0, wb1, gap_us = 0;
	long psz = sysconf(_SC_PAGESIZE);
	const char *e = getenv("BENCH_STORE_SECONDS");
	int i;

	if (e != NULL)
		secs = strtoull(e, NULL, 10);
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	randombytes_buf(raw, sizeof raw);
	key = statekey_new(raw);
	if ((st = store_open(dir, 1ull << 30, 0, NULL, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "bench_store: %s\n", err);
		return 1;
	}
	wb0 = written(st);
	t0 = now_ns();
	t1 = t0 + secs * 1000000000u;
	while (secs > 0 && now_ns() < t1) {
		for (i = 0; i < INFLIGHT; i++) {
			if (jobs[i].busy)
				continue;
			jobs[i].busy = 1;
			jobs[i].n = ++seq;
			memset(jobs[i].adv, (int)(seq & 0xff), sizeof jobs[i].adv);
			jobs[i].j.run = run;
			jobs[i].j.done = done;
			jobs[i].j.arg = &jobs[i];
			if (store_write(st, &jobs[i].j) != 0)
				return 1;
		}
		store_wait(st);
	}
	t1 = now_ns();
	store_stats(st, &s);
	ndone = done_n;
	/* Every job of this phase completes before the next one reuses
	 * jobs[0]: the store refuses a job queued twice. */
	while (inflight(jobs) > 0)
		store_wait(st);
	wb1 = written(st);
	if (secs > 0)
		report(&s, ndone, t1 - t0, (double)(wb1 - wb0) / (double)psz /
		    (double)(done_n ? done_n : 1));
	fflush(stdout);

	if ((e = getenv("BENCH_STORE_SINGLE")) != NULL)
		nsingle = strtoull(e, NULL, 10);
	if ((e = getenv("BENCH_STORE_GAP_US")) != NULL)
		gap_us = strtoull(e, NULL, 10);
	if (nsingle > 0 && (lat = calloc(nsingle, sizeof *lat)) != NULL) {
		jobs[0].j.run = run;
		jobs[0].j.done = done;
		jobs[0].j.arg = &jobs[0];
		wb0 = written(st);
		for (n = 0; n < nsingle; n++) {
			jobs[0].busy = 1;
			jobs[0].n = ++seq;
			t0 = now_ns();
			if (store_write(st, &jobs[0].j) != 0)
				return 1;
			while (jobs[0].busy)
				store_wait(st);
			lat[n] = (now_ns() - t0) / 1000;
			if (gap_us > 0)
				usleep((useconds_t)gap_us);
		}
		wb1 = written(st);
		qsort(lat, nsingle, sizeof *lat, cmp_u64);
		printf("store one_decision_commit_us p50=%llu p99=%llu "
		    "p99.9=%llu max=%llu commits=%llu pages_per_commit=%.1f\n",
		    (unsigned long long)lat[nsingle / 2],
		    (unsigned long long)lat[nsingle * 99 / 100],
		    (unsigned long long)lat[nsingle * 999 / 1000],
		    (unsigned long long)lat[nsingle - 1],
		    (unsigned long long)nsingle,
		    (double)(wb1 - wb0) / (double)psz / (double)nsingle);
		free(lat);
	}
	store_close(st);
	snprintf(p, sizeof p, "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
	statekey_free(key);
	return 0;
}
