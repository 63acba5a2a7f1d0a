/*
 * bench_dedup.c — the relay's duplicate table (gateway/dedup.c) full, as
 * a gateway that has run a minute at rate holds it, against the same
 * table small enough to stay in the CPU caches (its floor).  Each request
 * is what the relay does: a look-up that misses, an add (which forgets
 * the oldest entry once full), and, a few requests later as the core
 * answers, the answer kept; between requests the loop's own buffers (a
 * read, the codec's message, the sealed frame) pass through the cache.
 *
 *	dedup full_ns_per_req median=.. min=.. max=.. runs=..
 *	dedup cached_ns_per_req median=.. min=.. max=.. runs=..
 *	dedup full_over_cached=..
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dedup.h"
#include "runs.h"

#define FULL		200000		/* DedupEntries' default */
#define CACHED		2000
#define INFLIGHT	8		/* answered this many requests later */
#define REQS		400000
#define ANSWER		240		/* a packed 0110 of the profiles here */
#define HOT		(24 * 1024)	/* the loop's own buffers a request */

static uint8_t	hot[HOT];
static uint64_t	seq;

static void
request(struct dd_entry **fl, const uint8_t *answer)
{
	char key[80];
	uint8_t d[ISO_TXNDIGEST_LEN];
	uint32_t h;
	int other;
	struct dd_entry *e;
	size_t i;

	snprintf(key, sizeof key, "mastercard|5413330089020011|%012llu|"
	    "1206103000|000000004321", (unsigned long long)seq);
	memset(d, 0, sizeof d);
	memcpy(d, &seq, sizeof seq);
	if (dedup_find(key, d, &h, &other) != NULL)
		abort();
	e = dedup_add(key, h, d, (struct txn *)hot);
	if (fl[seq % INFLIGHT] != NULL)
		dedup_answered(fl[seq % INFLIGHT], answer, ANSWER, "00");
	fl[seq % INFLIGHT] = e;
	for (i = 0; i < HOT; i += 64)
		hot[i]++;
	seq++;
}

/* ns a request over REQS requests into a table of n entries, filled
 * first. */
static double
run(uint32_t n)
{
	struct dd_entry *fl[INFLIGHT] = { 0 };
	uint8_t answer[ANSWER];
	double t0;
	uint64_t i;

	memset(answer, 0x5a, sizeof answer);
	if (dedup_init(n, 60000000ull) == -1) {
		fprintf(stderr, "bench_dedup: dedup_init failed\n");
		exit(1);
	}
	for (i = 0; i < n + INFLIGHT; i++)
		request(fl, answer);
	t0 = runs_now_ns();
	for (i = 0; i < REQS; i++)
		request(fl, answer);
	t0 = (runs_now_ns() - t0) / REQS;
	if (dedup_count() > n) {
		fprintf(stderr, "bench_dedup: %zu entries held, %u allowed\n",
		    dedup_count(), n);
		exit(1);
	}
	dedup_shutdown();
	return t0;
}

int
main(void)
{
	struct runs full = { .n = 0 }, cached = { .n = 0 };
	int i;

	for (i = 0; i < 5; i++) {
		runs_add(&full, run(FULL));
		runs_add(&cached, run(CACHED));
	}
	printf("dedup full_ns_per_req");
	runs_print(stdout, &full);
	printf(" entries=%d\n", FULL);
	printf("dedup cached_ns_per_req");
	runs_print(stdout, &cached);
	printf(" entries=%d\n", CACHED);
	printf("dedup full_over_cached=%.2f\n",
	    runs_median(&full) / runs_median(&cached));
	return 0;
}
