/* check_dedup.c — duplicate detection: the key (link, class, DE7, DE11,
 * DE32, DE37, and DE63 on Mastercard), the digest that tells another
 * card's request from a repeat, a retransmission while in flight and
 * after the answer, the same bytes again, eviction that never forgets one
 * in flight, expiry, drop. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "iso8583/iso8583.h"
#include "iso8583/txnkey.h"
#include "gateway/dedup.h"
#include "tests/unit/checkrun.h"

static struct iso_msg m;
static const uint8_t dkey[32] = { 1, 2, 3 };
static int txn_a, txn_b, txn_c;	/* stand-ins for struct txn */
#define TXN(x)	((struct txn *)(void *)&(x))

static void
request(const char *mti, const char *stan)
{
	iso_msg_init(&m, mti);
	iso_set_str(&m, 2, "5413330089010434");
	iso_set_str(&m, 4, "000000001000");
	iso_set_str(&m, 7, "1123034512");
	iso_set_str(&m, 11, stan);
	iso_set_str(&m, 32, "123456");
	iso_set_str(&m, 37, "000000000001");
}

static const struct iso_profile *
iso87(void)
{
	return iso_profile_find("iso87");
}

static int
key(const struct iso_profile *p, const char *link, char *k, size_t cap)
{
	return iso_txn_key(p, link, &m, k, cap);
}

static struct dd_entry *
add(const char *mti, const char *stan, struct txn *t)
{
	char key[DEDUP_KEYMAX];
	uint8_t d[ISO_TXNDIGEST_LEN];
	uint32_t h;
	int other;

	request(mti, stan);
	ck_assert_int_eq(iso_txn_key(iso87(), "mc", &m, key, sizeof key), 0);
	iso_txn_digest(&m, dkey, d);
	ck_assert_ptr_null(dedup_find(key, d, &h, &other));
	return dedup_add(key, h, d, t);
}

/* The entry for m as it is now; *other as dedup_find sets it. */
static struct dd_entry *
find_msg(int *otherp)
{
	char key[DEDUP_KEYMAX];
	uint8_t d[ISO_TXNDIGEST_LEN];
	uint32_t h;
	int other;

	ck_assert_int_eq(iso_txn_key(iso87(), "mc", &m, key, sizeof key), 0);
	iso_txn_digest(&m, dkey, d);
	return dedup_find(key, d, &h, otherp ? otherp : &other);
}

static struct dd_entry *
find(const char *mti, const char *stan)
{
	request(mti, stan);
	return find_msg(NULL);
}

static void
setup(uint32_t max, uint64_t keep_us)
{
	dedup_shutdown();
	ck_assert_int_eq(dedup_init(max, keep_us), 0);
}

START_TEST(key_is_link_class_and_de7_11_32_37)
{
	const struct iso_profile *mc = iso_profile_find("mastercard");
	char k1[DEDUP_KEYMAX], k2[DEDUP_KEYMAX];

	request("0100", "000001");
	ck_assert_int_eq(key(iso87(), "mc", k1, sizeof k1), 0);
	request("0101", "000001");		/* a repeat: the same key */
	ck_assert_int_eq(key(iso87(), "mc", k2, sizeof k2), 0);
	ck_assert_str_eq(k1, k2);
	ck_assert_int_eq(key(iso87(), "visa", k2, sizeof k2), 0);
	ck_assert_str_ne(k1, k2);		/* another link: not the same */
	request("0400", "000001");		/* a reversal: not the same */
	ck_assert_int_eq(key(iso87(), "mc", k2, sizeof k2), 0);
	ck_assert_str_ne(k1, k2);
	request("0100", "000002");
	ck_assert_int_eq(key(iso87(), "mc", k2, sizeof k2), 0);
	ck_assert_str_ne(k1, k2);
	/* DE63 names a Mastercard transaction, not an iso87 one. */
	request("0100", "000001");
	iso_set_str(&m, 63, "MCC123456");
	ck_assert_int_eq(key(iso87(), "mc", k2, sizeof k2), 0);
	ck_assert_str_eq(k1, k2);
	ck_assert_int_eq(key(mc, "mc", k1, sizeof k1), 0);
	iso_set_str(&m, 63, "MCC654321");
	ck_assert_int_eq(key(mc, "mc", k2, sizeof k2), 0);
	ck_assert_str_ne(k1, k2);
	iso_msg_init(&m, "0100");		/* neither DE7 nor DE11 */
	iso_set_str(&m, 37, "000000000001");
	ck_assert_int_eq(key(iso87(), "mc", k2, sizeof k2), -1);
}
END_TEST

/* Same key, another card or amount: a different transaction, with an
 * entry of its own that its own repeats find. */
START_TEST(digest_tells_another_card_from_a_repeat)
{
	uint8_t d1[ISO_TXNDIGEST_LEN], d2[ISO_TXNDIGEST_LEN];
	uint8_t other[32] = { 9 };
	struct dd_entry *a, *b;
	char key[DEDUP_KEYMAX];
	uint32_t h;
	int held;

	setup(100, 60000000);
	a = add("0100", "000001", TXN(txn_a));
	request("0101", "000001");
	ck_assert_ptr_eq(find_msg(&held), a);	/* the repeat */
	iso_set_str(&m, 2, "5413330089020029");	/* another card */
	ck_assert_ptr_null(find_msg(&held));
	ck_assert_int_eq(held, 1);
	request("0100", "000001");
	iso_set_str(&m, 4, "000000009999");	/* another amount */
	ck_assert_ptr_null(find_msg(&held));
	ck_assert_int_eq(held, 1);
	request("0100", "000001");
	iso_set_str(&m, 49, "978");		/* another currency */
	ck_assert_ptr_null(find_msg(&held));
	ck_assert_int_eq(held, 1);
	/* B, the other card, gets its own entry; B again finds B. */
	iso_set_str(&m, 2, "5413330089020029");
	ck_assert_int_eq(iso_txn_key(iso87(), "mc", &m, key, sizeof key), 0);
	iso_txn_digest(&m, dkey, d2);
	ck_assert_ptr_null(dedup_find(key, d2, &h, &held));
	b = dedup_add(key, h, d2, TXN(txn_b));
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_eq(find_msg(&held), b);
	request("0101", "000001");
	ck_assert_ptr_eq(find_msg(&held), a);
	ck_assert_uint_eq(dedup_count(), 2);
	iso_txn_digest(&m, dkey, d1);		/* another key: no match */
	iso_txn_digest(&m, other, d2);
	ck_assert_mem_ne(d1, d2, ISO_TXNDIGEST_LEN);
}
END_TEST

/* The store's digest is part of its format: the same bytes as ever for
 * the same message and key (computed before the digest's input was
 * gathered into one buffer). */
START_TEST(digest_blake2b_known_answer)
{
	static const uint8_t want[ISO_TXNDIGEST_LEN] = { 0x62, 0xb1, 0x32,
	    0x1a, 0xa3, 0xaa, 0xa8, 0xb8, 0x71, 0xe6, 0xf5, 0x3e, 0xc2, 0xc7,
	    0x62, 0xa3 };
	uint8_t d[ISO_TXNDIGEST_LEN];

	request("0100", "000001");
	iso_txn_digest(&m, dkey, d);
	ck_assert_mem_eq(d, want, sizeof want);
}
END_TEST

/* The relay's in-memory digest tells the same things apart: another
 * card, amount, currency or key; a repeat (0101) is the same. */
START_TEST(digest_sip_tells_what_blake2b_tells)
{
	static const uint8_t k1[16] = { 1 }, k2[16] = { 2 };
	uint8_t a[ISO_TXNDIGEST_LEN], b[ISO_TXNDIGEST_LEN];

	request("0100", "000001");
	iso_txn_digest_sip(&m, k1, a);
	request("0101", "000001");
	iso_txn_digest_sip(&m, k1, b);
	ck_assert_mem_eq(a, b, sizeof a);
	iso_txn_digest_sip(&m, k2, b);
	ck_assert_mem_ne(a, b, sizeof a);
	iso_set_str(&m, 2, "5413330089020029");
	iso_txn_digest_sip(&m, k1, b);
	ck_assert_mem_ne(a, b, sizeof a);
	request("0100", "000001");
	iso_set_str(&m, 4, "000000009999");
	iso_txn_digest_sip(&m, k1, b);
	ck_assert_mem_ne(a, b, sizeof a);
	request("0100", "000001");
	iso_set_str(&m, 49, "978");
	iso_txn_digest_sip(&m, k1, b);
	ck_assert_mem_ne(a, b, sizeof a);
	/* Lengths are hashed: moving a digit between fields changes it. */
	request("0100", "000001");
	iso_set_str(&m, 32, "12345");
	iso_set_str(&m, 33, "6");
	iso_txn_digest_sip(&m, k1, a);
	iso_set_str(&m, 32, "123456");
	iso_unset(&m, 33);
	iso_set_str(&m, 37, "6000000000001");
	iso_txn_digest_sip(&m, k1, b);
	ck_assert_mem_ne(a, b, sizeof a);
}
END_TEST

START_TEST(in_flight_then_answered_same_bytes)
{
	static const uint8_t ans[] = "0110 answer bytes";
	struct dd_entry *e;
	const uint8_t *a;
	const char *de39;
	size_t n;

	setup(100, 60000000);
	e = add("0100", "000001", TXN(txn_a));
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_eq(find("0101", "000001"), e);
	ck_assert_ptr_eq(dedup_txn(e), TXN(txn_a));
	dedup_answered(e, ans, sizeof ans, "00");
	e = find("0100", "000001");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(dedup_txn(e));
	a = dedup_answer(e, &n, &de39);
	ck_assert_uint_eq(n, sizeof ans);
	ck_assert_mem_eq(a, ans, sizeof ans);
	ck_assert_str_eq(de39, "00");
}
END_TEST

START_TEST(full_forgets_oldest_answered_never_in_flight)
{
	struct dd_entry *a, *b;

	setup(2, 60000000);
	a = add("0100", "000001", TXN(txn_a));
	b = add("0100", "000002", TXN(txn_b));
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	/* Both in flight: a third is not de-duplicated, nothing forgotten. */
	ck_assert_ptr_null(add("0100", "000003", TXN(txn_c)));
	ck_assert_ptr_eq(find("0100", "000001"), a);
	ck_assert_ptr_eq(find("0100", "000002"), b);
	/* b answered first, then a: b is the oldest answer and goes. */
	dedup_answered(b, (const uint8_t *)"b", 1, "00");
	dedup_answered(a, (const uint8_t *)"a", 1, "05");
	ck_assert_ptr_nonnull(add("0100", "000003", TXN(txn_c)));
	ck_assert_ptr_null(find("0100", "000002"));
	ck_assert_ptr_eq(find("0100", "000001"), a);
	ck_assert_uint_eq(dedup_count(), 2);
}
END_TEST

START_TEST(answers_expire_in_flight_do_not)
{
	struct dd_entry *a, *b;

	setup(100, 20000);		/* 20 ms */
	a = add("0100", "000001", TXN(txn_a));
	b = add("0100", "000002", TXN(txn_b));
	dedup_answered(a, (const uint8_t *)"a", 1, "00");
	usleep(30000);
	dedup_expire(now_us());
	ck_assert_ptr_null(find("0100", "000001"));
	ck_assert_ptr_eq(find("0100", "000002"), b);
	dedup_drop(b);			/* failed without an answer */
	ck_assert_ptr_null(find("0100", "000002"));
	ck_assert_uint_eq(dedup_count(), 0);
}
END_TEST

/* An answer of STAN i: its length and bytes follow from i. */
static size_t
answer_of(unsigned i, uint8_t *buf)
{
	size_t n = 200 + (i * 7919u) % 1800, k;

	for (k = 0; k < n; k++)
		buf[k] = (uint8_t)(i + k);
	return n;
}

static void
check_kept(unsigned i)
{
	uint8_t want[2048];
	char stan[8];
	struct dd_entry *e;
	const uint8_t *a;
	const char *de39;
	size_t n, wn = answer_of(i, want);

	snprintf(stan, sizeof stan, "%06u", i);
	e = find("0100", stan);
	ck_assert_msg(e != NULL, "stan %u forgotten", i);
	a = dedup_answer(e, &n, &de39);
	ck_assert_uint_eq(n, wn);
	ck_assert_mem_eq(a, want, wn);
}

/* Answers larger than the ring's share per entry: the ring wraps many
 * times, the oldest answers go first, every kept one has its own bytes,
 * and the index finds each entry after thousands of removals. */
START_TEST(ring_wraps_keeps_newest_answers_whole)
{
	uint8_t buf[2048];
	char stan[8];
	struct dd_entry *e;
	unsigned i, lo, kept = 0;

	setup(200, 60000000);
	for (i = 1; i <= 5000; i++) {
		snprintf(stan, sizeof stan, "%06u", i);
		e = add("0100", stan, TXN(txn_a));
		ck_assert_ptr_nonnull(e);
		if (i % 5 == 0) {		/* failed, no answer */
			dedup_drop(e);
			continue;
		}
		dedup_answered(e, buf, answer_of(i, buf), "00");
	}
	ck_assert_uint_le(dedup_count(), 200);
	/* What is kept is the newest answers, each whole. */
	for (i = 5000, lo = 0; i >= 1 && lo == 0; i--) {
		if (i % 5 == 0)
			continue;
		snprintf(stan, sizeof stan, "%06u", i);
		if (find("0100", stan) == NULL) {
			lo = i;
			break;
		}
		check_kept(i);
		kept++;
	}
	ck_assert_uint_eq(kept, dedup_count());
	for (; i >= 1; i--) {
		snprintf(stan, sizeof stan, "%06u", i);
		ck_assert_ptr_null(find("0100", stan));
	}
}
END_TEST

/* A reload that raises DedupEntries keeps what was there, bytes and
 * entries in flight alike. */
START_TEST(reload_grows_and_keeps)
{
	uint8_t buf[2048];
	struct dd_entry *a, *b;

	setup(100, 60000000);
	a = add("0100", "000001", TXN(txn_a));
	b = add("0100", "000002", TXN(txn_b));
	dedup_answered(a, buf, answer_of(1, buf), "00");
	ck_assert_int_eq(dedup_init(100000, 60000000), 0);
	check_kept(1);
	ck_assert_ptr_eq(find("0100", "000002"), b);
	ck_assert_ptr_eq(dedup_txn(b), TXN(txn_b));
	ck_assert_uint_eq(dedup_count(), 2);
}
END_TEST

/* More entries than one chunk: the pool grows as they come, up to
 * DedupEntries and no further; every entry is found, then gone. */
START_TEST(pool_grows_to_the_limit)
{
	char stan[8];
	unsigned i;

	setup(3000, 60000000);
	for (i = 1; i <= 3000; i++) {
		snprintf(stan, sizeof stan, "%06u", i);
		ck_assert_ptr_nonnull(add("0100", stan, TXN(txn_a)));
	}
	ck_assert_ptr_null(add("0100", "003001", TXN(txn_a)));
	for (i = 1; i <= 3000; i += 7) {
		snprintf(stan, sizeof stan, "%06u", i);
		ck_assert_ptr_nonnull(find("0100", stan));
		dedup_drop(find("0100", stan));
		ck_assert_ptr_null(find("0100", stan));
	}
	for (i = 2; i <= 3000; i += 7) {
		snprintf(stan, sizeof stan, "%06u", i);
		ck_assert_ptr_nonnull(find("0100", stan));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dedup");
	TCase *tc = tcase_create("core");
	int rc;

	tcase_add_test(tc, key_is_link_class_and_de7_11_32_37);
	tcase_add_test(tc, digest_tells_another_card_from_a_repeat);
	tcase_add_test(tc, digest_blake2b_known_answer);
	tcase_add_test(tc, digest_sip_tells_what_blake2b_tells);
	tcase_add_test(tc, in_flight_then_answered_same_bytes);
	tcase_add_test(tc, full_forgets_oldest_answered_never_in_flight);
	tcase_add_test(tc, answers_expire_in_flight_do_not);
	tcase_add_test(tc, ring_wraps_keeps_newest_answers_whole);
	tcase_add_test(tc, reload_grows_and_keeps);
	tcase_add_test(tc, pool_grows_to_the_limit);
	suite_add_tcase(s, tc);
	rc = check_run_nofork(s);
	dedup_shutdown();
	return rc;
}
