/* check_saf.c — the durable advice queue: ids, order, acks, restart,
 * window reloads, retries; nothing dropped. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/statekey.h"
#include "gateway/standin/store.h"
#include "tests/unit/checkrun.h"

static char dir[64];
static struct statekey *key;
static uint64_t *sent;
static size_t nsent, sentcap;
static int send_ok = 1;

static int
rec_send(uint64_t id, const uint8_t *b, size_t len, void *arg)
{
	uint64_t tagid;

	(void)arg;
	if (!send_ok)
		return -1;
	ck_assert_int_eq(tlv_find_u64(b, len, TLV_ADVICE_ID, &tagid), 0);
	ck_assert_uint_eq(tagid, id);
	if (nsent == sentcap) {
		sentcap = sentcap ? sentcap * 2 : 1024;
		sent = realloc(sent, sentcap * sizeof *sent);
	}
	sent[nsent++] = id;
	return 0;
}

struct aj {
	struct store_job job;
	uint8_t		 buf[256];
	size_t		 len, outlen;
	uint64_t	 id;
	int		 done, rc;
	int		 hold;		/* being amended: saf_hold */
};

static int
aj_run(struct store_txn *t, void *arg)
{
	struct aj *a = arg;

	return saf_append(t, key, a->buf, a->len, sizeof a->buf, 1000,
	    &a->outlen, &a->id);
}

static void
aj_done(void *arg, int rc)
{
	struct aj *a = arg;

	a->done = 1;
	a->rc = rc;
	if (rc == 0 && a->hold)
		saf_hold(a->id, 1000);
	else if (rc == 0)
		saf_added(a->id, a->buf, a->outlen, 1000);
}

static void
append_held(struct store *st, struct aj *v, int n, int held)
{
	struct tlv_w w;
	int i, left;

	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof v[i]);
		v[i].hold = i == held;
		tlv_w_init(&w, v[i].buf, sizeof v[i].buf);
		tlv_put_str(&w, TLV_MTI, "0120");
		tlv_put_u64(&w, 11, (uint64_t)i);
		v[i].len = w.len;
		v[i].job.run = aj_run;
		v[i].job.done = aj_done;
		v[i].job.arg = &v[i];
		store_write(st, &v[i].job);
	}
	for (;;) {
		left = 0;
		for (i = 0; i < n; i++)
			left += !v[i].done;
		if (left == 0)
			break;
		store_wait(st);
	}
}

static void
append_n(struct store *st, struct aj *v, int n)
{
	append_held(st, v, n, -1);
}

static int
replace_run(struct store_txn *t, void *arg)
{
	struct aj *a = arg;

	return saf_replace(t, key, a->id, a->buf, a->len, sizeof a->buf, 1000,
	    &a->outlen);
}

/* What the stand-in does when a commit outlasted its deadline: the
 * stored advice of id rewritten to DE39 91, then announced. */
static void
amend_91(struct store *st, uint64_t id)
{
	struct tlv_w w;
	struct aj r;

	memset(&r, 0, sizeof r);
	tlv_w_init(&w, r.buf, sizeof r.buf);
	tlv_put_str(&w, TLV_MTI, "0100");
	tlv_put_str(&w, 39, "91");
	r.len = w.len;
	r.id = id;
	r.job.run = replace_run;
	r.job.arg = &r;
	ck_assert_int_eq(store_run_now(st, &r.job, 1), 0);
	saf_amended(r.id, r.buf, r.outlen);
}

static struct store *
open_store(void)
{
	char err[256];
	struct store *st;

	st = store_open(dir, 64 << 20, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(saf_init(st, key, rec_send, NULL, 1000, 64), 0);
	return st;
}

static void
setup(void)
{
	uint8_t raw[32];

	ck_assert_int_ge(sodium_init(), 0);
	memset(raw, 7, sizeof raw);
	key = statekey_new(raw);
	snprintf(dir, sizeof dir, "/tmp/check-saf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	nsent = 0;
	send_ok = 1;
}

static void
teardown(void)
{
	char p[128];

	snprintf(p, sizeof p, "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
	statekey_free(key);
	free(sent);
	sent = NULL;
	sentcap = 0;
}

/* Drain: send, ack everything sent, until empty. */
static void
drain(struct store *st, uint64_t *expect_next, int ack)
{
	struct saf_stats s;
	size_t i, from;
	int rounds = 0;

	for (;;) {
		from = nsent;
		saf_run(1000000ull * (uint64_t)++rounds);
		for (i = from; i < nsent; i++) {
			ck_assert_uint_eq(sent[i], *expect_next);
			(*expect_next)++;
			if (ack)
				saf_ack(sent[i]);
		}
		/* let grouped deletions and window loads complete */
		while (store_poll(st) > 0)
			;
		usleep(2000);
		while (store_poll(st) > 0)
			;
		saf_get_stats(&s);
		if (s.depth == 0 || rounds > 5000)
			break;
	}
}

START_TEST(test_order_ack_restart)
{
	enum { N = 10000 };	/* more than the in-memory window */
	struct aj *v = calloc(N, sizeof *v);
	struct saf_stats s;
	struct store *st;
	uint64_t next = 1;
	int i;

	st = open_store();
	append_n(st, v, N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(v[i].rc, 0);
		ck_assert_uint_gt(v[i].id, 0);
	}
	saf_get_stats(&s);
	ck_assert_uint_eq(s.depth, N);
	/* core down: nothing leaves, nothing is dropped */
	send_ok = 0;
	saf_run(1);
	ck_assert_uint_eq(nsent, 0);
	send_ok = 1;
	/* send 64 (the in-flight cap), crash before any ack */
	saf_run(1);
	ck_assert_uint_eq(nsent, 64);
	for (i = 0; i < 64; i++)
		ck_assert_uint_eq(sent[i], (uint64_t)i + 1);
	saf_shutdown();
	store_close(st);

	/* restart: the same ids again, in order, from the head */
	nsent = 0;
	st = open_store();
	saf_get_stats(&s);
	ck_assert_uint_eq(s.depth, N);
	ck_assert_uint_eq(s.head_id, 1);
	ck_assert_uint_eq(s.next_id, N);
	drain(st, &next, 1);
	ck_assert_uint_eq(next, N + 1);
	saf_get_stats(&s);
	ck_assert_uint_eq(s.depth, 0);
	/* new ids continue after the old ones */
	append_n(st, v, 3);
	ck_assert_uint_eq(v[0].id, N + 1);
	saf_shutdown();
	store_close(st);

	st = open_store();
	saf_get_stats(&s);
	ck_assert_uint_eq(s.depth, 3);
	ck_assert_uint_eq(s.head_id, N + 1);
	saf_shutdown();
	store_close(st);
	free(v);
}
END_TEST

/* An advice being amended (its decision was answered 91 after it was
 * written) holds its place: nothing behind it leaves until it has its
 * new body, and then it leaves first, with that body. */
static uint8_t last_body[256];
static size_t last_len;

static int
body_send(uint64_t id, const uint8_t *b, size_t len, void *arg)
{
	if (id == 1 && len <= sizeof last_body) {
		memcpy(last_body, b, len);
		last_len = len;
	}
	return rec_send(id, b, len, arg);
}

START_TEST(test_held_until_amended)
{
	struct aj v[3];
	struct store *st;
	char de39[3];
	char err[256];

	st = store_open(dir, 64 << 20, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(saf_init(st, key, body_send, NULL, 1000, 64), 0);
	append_held(st, v, 3, 0);
	saf_run(10);
	saf_kick(10);
	ck_assert_uint_eq(nsent, 0);		/* 1 is held, 2 and 3 wait */
	/* what the pair's walk may mirror: announced and not held */
	ck_assert_int_eq(saf_final(v[0].id), 0);
	ck_assert_int_eq(saf_final(v[1].id), 1);
	ck_assert_int_eq(saf_final(v[2].id), 1);
	ck_assert_int_eq(saf_final(v[2].id + 1), 0);	/* not announced */
	amend_91(st, v[0].id);
	ck_assert_int_eq(saf_final(v[0].id), 1);
	saf_run(20);
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(sent[0], 1);
	ck_assert_uint_eq(sent[1], 2);
	ck_assert_uint_eq(sent[2], 3);
	ck_assert_int_eq(tlv_find_str(last_body, last_len, 39, de39,
	    sizeof de39), 0);
	ck_assert_str_eq(de39, "91");
	saf_shutdown();
	store_close(st);
}
END_TEST

/* A full memory queue (SAF_MEMORY_MAX advices the store did not take)
 * with a held stored advice deep in it: an ack out of order and the
 * amendment find their entries, and all go, in order. */
START_TEST(test_full_memory_queue)
{
	struct aj v[1];
	struct saf_stats s;
	struct store *st;
	struct tlv_w w;
	uint8_t b[128];
	uint64_t id, last = 0, t;
	char de39[3], err[256];
	size_t i, k, at = 0, before = 4000;

	st = store_open(dir, 64 << 20, 0, NULL, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(saf_init(st, key, body_send, NULL, 1000000, 64), 0);
	tlv_w_init(&w, b, sizeof b);
	tlv_put_str(&w, TLV_MTI, "0120");
	for (i = 0; i < SAF_MEMORY_MAX; i++) {
		if (i == before)	/* id 1, held, in memory */
			append_held(st, v, 1, 0);
		ck_assert_int_eq(saf_push(b, w.len, sizeof b, &id), 0);
		last = id;
	}
	ck_assert_int_eq(saf_push(b, w.len, sizeof b, &id), -1);
	saf_ack(last);
	saf_get_stats(&s);
	ck_assert_uint_eq(s.acked, 1);
	ck_assert_uint_eq(s.unknown_acks, 0);
	amend_91(st, v[0].id);
	ck_assert_int_eq(saf_final(v[0].id), 1);
	for (t = 10; nsent < SAF_MEMORY_MAX; t += 10) {
		k = nsent;
		saf_run(t);
		ck_assert_uint_gt(nsent, k);
		for (; k < nsent; k++) {
			if (sent[k] == v[0].id)
				at = k;
			saf_ack(sent[k]);
		}
	}
	ck_assert_uint_eq(at, before);
	ck_assert_int_eq(tlv_find_str(last_body, last_len, 39, de39,
	    sizeof de39), 0);
	ck_assert_str_eq(de39, "91");
	saf_get_stats(&s);
	ck_assert_uint_eq(s.unknown_acks, 0);
	ck_assert_uint_eq(s.in_memory, 0);
	saf_shutdown();
	store_close(st);
}
END_TEST

START_TEST(test_retry_until_ack)
{
	struct aj v[2];
	struct saf_stats s;
	struct store *st;

	st = open_store();
	append_n(st, v, 2);
	saf_run(10);
	ck_assert_uint_eq(nsent, 2);
	saf_ack(2);			/* out of order: fine */
	saf_run(500);			/* retry time not reached */
	ck_assert_uint_eq(nsent, 2);
	saf_run(2000);			/* id 1 again */
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(sent[2], 1);
	saf_run(4000);
	ck_assert_uint_eq(nsent, 4);
	saf_get_stats(&s);
	ck_assert_uint_eq(s.head_id, 1);
	ck_assert_uint_eq(s.head_attempts, 3);
	ck_assert_uint_eq(s.max_attempts, 3);
	ck_assert_uint_ge(s.resent, 2);
	saf_ack(1);
	saf_ack(1);			/* repeated ack: harmless */
	while (store_poll(st) > 0 || s.depth != 0) {
		usleep(1000);
		saf_get_stats(&s);
	}
	ck_assert_uint_eq(s.depth, 0);
	saf_shutdown();
	store_close(st);
}
END_TEST

START_TEST(test_sealed_at_rest)
{
	struct aj v[1];
	struct store *st;
	char p[128];
	FILE *f;
	char *buf;
	long n;

	st = open_store();
	append_n(st, v, 1);
	saf_shutdown();
	store_close(st);
	/* the advice TLV ("0120") never appears in clear in the file */
	snprintf(p, sizeof p, "%s/data.mdb", dir);
	f = fopen(p, "rb");
	ck_assert_ptr_nonnull(f);
	buf = malloc(1 << 20);
	n = (long)fread(buf, 1, 1 << 20, f);
	fclose(f);
	ck_assert_ptr_null(memmem(buf, (size_t)n, "0120", 4));
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("saf");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_order_ack_restart);
	tcase_add_test(tc, test_retry_until_ack);
	tcase_add_test(tc, test_held_until_amended);
	tcase_add_test(tc, test_full_memory_queue);
	tcase_add_test(tc, test_sealed_at_rest);
	suite_add_tcase(s, tc);
	return check_run(s);
}
