/* check_sicards.c — the stand-in's card data at rest: SNAPSHOT records
 * parsed (all or nothing), and the state key (PAN hash, sealing). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/tlv.h"
#include "gateway/standin/cards.h"
#include "gateway/standin/statekey.h"
#include "tests/unit/checkrun.h"

struct got {
	int n;
	struct cards_snaprec r[4];
};

static int
collect(const struct cards_snaprec *r, void *arg)
{
	struct got *g = arg;

	if (g->n < 4)
		g->r[g->n] = *r;
	g->n++;
	return 0;
}

static size_t
rec(uint8_t *out, size_t cap, const char *pan, const char *status,
    const char *bad_tag_value)
{
	uint8_t in[1024];
	struct tlv_w w;

	tlv_w_init(&w, in, sizeof in);
	tlv_put_str(&w, 0x2001, pan);
	tlv_put_str(&w, 0x2002, status);
	tlv_put_str(&w, 0x2003, "2812");
	tlv_put_str(&w, 0x2004, "10000");
	tlv_put_str(&w, 0x2005, bad_tag_value ? bad_tag_value : "20000");
	tlv_put_str(&w, 0x2006, "-150");
	tlv_put_str(&w, 0x2007, "826");
	tlv_put_str(&w, 0x2008, "CVK=S1234;PVK=S5678;MK-AC=S9");
	tlv_put_str(&w, 0x2009, "PVKI=1;PVV=1234");
	tlv_put_str(&w, 0x200A, "ACC-1");
	tlv_put_str(&w, 0x7777, "ignored");
	memcpy(out, in, w.len < cap ? w.len : cap);
	return w.len;
}

START_TEST(test_snapshot_parse)
{
	uint8_t body[4096], r1[1024];
	struct tlv_w w;
	struct got g;
	uint64_t ver = 0;
	char err[128], v[32];
	size_t n;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, 0x200B, "42");
	n = rec(r1, sizeof r1, "5413330000000019", "active", NULL);
	tlv_put(&w, 0x2000, r1, n);
	n = rec(r1, sizeof r1, "5413330000000027", "stolen", NULL);
	tlv_put(&w, 0x2000, r1, n);
	memset(&g, 0, sizeof g);
	ck_assert_int_eq(cards_parse(body, w.len, &ver, collect, &g, err,
	    sizeof err), 0);
	ck_assert_uint_eq(ver, 42);
	ck_assert_int_eq(g.n, 2);
	ck_assert_str_eq(g.r[0].pan, "5413330000000019");
	ck_assert_int_eq(g.r[0].rec.status, CARD_ACTIVE);
	ck_assert_int_eq(g.r[1].rec.status, CARD_STOLEN);
	ck_assert_str_eq(g.r[0].rec.expiry, "2812");
	ck_assert_int_eq(g.r[0].rec.balance, -150);
	ck_assert_uint_eq(g.r[0].rec.daily_limit, 20000);
	ck_assert_str_eq(g.r[0].rec.account, "ACC-1");
	ck_assert_int_eq(cards_kv(g.r[0].rec.keys, "PVK", v, sizeof v), 0);
	ck_assert_str_eq(v, "S5678");
	ck_assert_int_eq(cards_kv(g.r[0].rec.keys, "MK-AC", v, sizeof v), 0);
	ck_assert_str_eq(v, "S9");
	ck_assert_int_eq(cards_kv(g.r[0].rec.keys, "ZPK", v, sizeof v), -1);

	/* one bad record: nothing applied at all */
	n = rec(r1, sizeof r1, "5413330000000035", "active", "12x");
	tlv_put(&w, 0x2000, r1, n);
	memset(&g, 0, sizeof g);
	ck_assert_int_eq(cards_parse(body, w.len, &ver, collect, &g, err,
	    sizeof err), -1);
	ck_assert_int_eq(g.n, 0);
	ck_assert_ptr_nonnull(strstr(err, "record 3"));

	/* no version */
	tlv_w_init(&w, body, sizeof body);
	n = rec(r1, sizeof r1, "5413330000000019", "active", NULL);
	tlv_put(&w, 0x2000, r1, n);
	ck_assert_int_eq(cards_parse(body, w.len, &ver, collect, &g, err,
	    sizeof err), -1);
	/* bad status, bad PAN, truncated */
	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, 0x200B, "1");
	n = rec(r1, sizeof r1, "5413330000000019", "frozen", NULL);
	tlv_put(&w, 0x2000, r1, n);
	ck_assert_int_eq(cards_parse(body, w.len, &ver, NULL, NULL, err,
	    sizeof err), -1);
	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, 0x200B, "1");
	n = rec(r1, sizeof r1, "54133300000A0019", "active", NULL);
	tlv_put(&w, 0x2000, r1, n);
	ck_assert_int_eq(cards_parse(body, w.len, &ver, NULL, NULL, err,
	    sizeof err), -1);
	ck_assert_int_eq(cards_parse(body, w.len - 1, &ver, NULL, NULL, err,
	    sizeof err), -1);
	/* two versions: the store's check would read the first, and the
	 * store would hold the last (a way back to an older snapshot) */
	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, 0x200B, "9");
	tlv_put_str(&w, 0x200B, "3");
	n = rec(r1, sizeof r1, "5413330000000019", "active", NULL);
	tlv_put(&w, 0x2000, r1, n);
	ck_assert_int_eq(cards_parse(body, w.len, &ver, NULL, NULL, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "two versions");
}
END_TEST

START_TEST(test_statekey)
{
	uint8_t raw[32], raw2[32], h1[32], h2[32], h3[32];
	uint8_t sealed[64 + STATEKEY_SEAL_OVERHEAD];
	char pt[64];
	struct statekey *k, *k2;
	long n;

	ck_assert_int_ge(sodium_init(), 0);
	memset(raw, 1, sizeof raw);
	memset(raw2, 2, sizeof raw2);
	k = statekey_new(raw);
	k2 = statekey_new(raw2);
	statekey_hash(k, 'P', "5413330000000019", h1);
	statekey_hash(k, 'P', "5413330000000019", h2);
	ck_assert_mem_eq(h1, h2, 32);
	statekey_hash(k, 'A', "5413330000000019", h3);	/* other domain */
	ck_assert_int_ne(memcmp(h1, h3, 32), 0);
	statekey_hash(k2, 'P', "5413330000000019", h3);	/* other key */
	ck_assert_int_ne(memcmp(h1, h3, 32), 0);

	n = statekey_seal(k, "cards", h1, 32, "card data", 9, sealed,
	    sizeof sealed);
	ck_assert_int_eq(n, 9 + STATEKEY_SEAL_OVERHEAD);
	ck_assert_ptr_null(memmem(sealed, (size_t)n, "card", 4));
	ck_assert_int_eq(statekey_open(k, "cards", h1, 32, sealed, (size_t)n,
	    pt, sizeof pt), 9);
	ck_assert_mem_eq(pt, "card data", 9);
	ck_assert_int_eq(statekey_open(k2, "cards", h1, 32, sealed, (size_t)n,
	    pt, sizeof pt), -1);
	/* bound to its key and database: moved, it does not open */
	ck_assert_int_eq(statekey_open(k, "cards", h3, 32, sealed, (size_t)n,
	    pt, sizeof pt), -1);
	ck_assert_int_eq(statekey_open(k, "saf", h1, 32, sealed, (size_t)n,
	    pt, sizeof pt), -1);
	sealed[30] ^= 1;
	ck_assert_int_eq(statekey_open(k, "cards", h1, 32, sealed, (size_t)n,
	    pt, sizeof pt), -1);
	ck_assert_int_eq(statekey_open(k, "cards", h1, 32, sealed, 10, pt,
	    sizeof pt), -1);
	ck_assert_int_eq(statekey_seal(k, "cards", h1, 32, pt, 64, sealed, 50),
	    -1);
	statekey_free(k);
	statekey_free(k2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sicards");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, test_snapshot_parse);
	tcase_add_test(tc, test_statekey);
	suite_add_tcase(s, tc);
	return check_run(s);
}
