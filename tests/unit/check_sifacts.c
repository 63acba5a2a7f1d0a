/* check_sifacts.c — the stand-in's request facts (facts.c), pure parsers:
 * track 2, DE55 (whole, with the CVR), DE52, DE90/DE95, the pre-declines,
 * the entry modes of DE22 and the money facts (cash, currencies, billing
 * amount, country). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/si.h"
#include "tests/unit/checkrun.h"

#define PAN	"5413330089020011"

/* --- facts ------------------------------------------------------------------ */

START_TEST(track2)
{
	struct sidec d;

	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_track2(&d, PAN "=2812101123456789"), 0);
	ck_assert_str_eq(d.pan, PAN);
	ck_assert_str_eq(d.req_exp, "2812");
	ck_assert_str_eq(d.svc, "101");
	ck_assert_str_eq(d.cvv1, "123");
	/* The PAN of track 2 must be DE2's. */
	memset(&d, 0, sizeof d);
	strcpy(d.pan, "5413330089020029");
	ck_assert_int_eq(si_track2(&d, PAN "D2812101123456789"), -1);
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_track2(&d, PAN "=28121"), -1);
	ck_assert_int_eq(si_track2(&d, "54133300=2812101123"), -1);
	ck_assert_int_eq(si_track2(&d, PAN "2812101123456789"), -1);
}
END_TEST

static size_t
tag(uint8_t *p, const uint8_t *t, size_t tl, const uint8_t *v, size_t vl)
{
	memcpy(p, t, tl);
	p[tl] = (uint8_t)vl;
	memcpy(p + tl + 1, v, vl);
	return tl + 1 + vl;
}

/* A DE55 with the ARQC, ATC, UN, PSN and the CDOL1 data; without the
 * amount (9F02) when short is set. */
static size_t
de55(uint8_t *b, int short_)
{
	static const uint8_t z[8], arqc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t atc[2] = { 0, 7 }, un[4] = { 9, 9, 9, 9 };
	static const uint8_t psn[1] = { 0x01 };
	size_t n = 0;

	n += tag(b + n, (const uint8_t *)"\x9f\x26", 2, arqc, 8);
	n += tag(b + n, (const uint8_t *)"\x9f\x36", 2, atc, 2);
	n += tag(b + n, (const uint8_t *)"\x9f\x37", 2, un, 4);
	n += tag(b + n, (const uint8_t *)"\x5f\x34", 2, psn, 1);
	if (!short_)
		n += tag(b + n, (const uint8_t *)"\x9f\x02", 2, z, 6);
	n += tag(b + n, (const uint8_t *)"\x9f\x03", 2, z, 6);
	n += tag(b + n, (const uint8_t *)"\x9f\x1a", 2, z, 2);
	n += tag(b + n, (const uint8_t *)"\x95", 1, z, 5);
	n += tag(b + n, (const uint8_t *)"\x5f\x2a", 2, z, 2);
	n += tag(b + n, (const uint8_t *)"\x9a", 1, z, 3);
	n += tag(b + n, (const uint8_t *)"\x9c", 1, z, 1);
	n += tag(b + n, (const uint8_t *)"\x82", 1, z, 2);
	n += tag(b + n, (const uint8_t *)"\x9f\x10", 2, (const uint8_t *)
	    "\x01\x10\xA0\x00\x03\x22\x00\x00\x00\x00", 10);
	return n;
}

START_TEST(emv)
{
	struct sidec d;
	uint8_t b[128];
	size_t n;

	memset(&d, 0, sizeof d);
	n = de55(b, 0);
	ck_assert_int_eq(si_emv(&d, b, n), VD_OK);
	ck_assert_int_eq(d.has_arqc, 1);
	ck_assert_uint_eq(d.arqc[7], 8);
	ck_assert_uint_eq(d.atc[1], 7);
	ck_assert_int_eq(memcmp(d.psn, "01", 2), 0);
	ck_assert_uint_eq(d.txlen % 8, 0);	/* padded, method 2 */
	/* the CVR, bytes 3-8 of 9F10, after the CDOL1 data; then padding */
	ck_assert_uint_eq(d.txdata[6 + 6 + 2 + 5 + 2 + 3 + 1 + 4 + 2 + 2],
	    0xA0);
	ck_assert_uint_eq(d.txlen, 40);
	ck_assert_uint_eq(d.txdata[39], 0x80);
	/* Missing CDOL1 data: malformed, never "no ARQC" (which a chip
	 * read would decline as missing, and others skip). */
	memset(&d, 0, sizeof d);
	n = de55(b, 1);
	ck_assert_int_eq(si_emv(&d, b, n), VD_MALFORMED);
	ck_assert_int_eq(d.has_arqc, 0);
	/* A DE55 that is not BER-TLV, or cut short, or a PSN too long. */
	memset(&d, 0, sizeof d);
	n = de55(b, 0);
	ck_assert_int_eq(si_emv(&d, b, n - 1), VD_MALFORMED);
	ck_assert_int_eq(si_emv(&d, (const uint8_t *)"\x9f", 1), VD_MALFORMED);
	ck_assert_int_eq(si_emv(&d, b, 0), VD_MALFORMED);
}
END_TEST

/* A DE55 whose 9F02 is 10.00 and 5F2A 0826 (GBP), the rest as de55(). */
static size_t
de55_bound(uint8_t *b)
{
	static const uint8_t amt[6] = { 0, 0, 0, 0, 0x10, 0 };
	static const uint8_t cur[2] = { 0x08, 0x26 };
	static const uint8_t z[8], arqc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t atc[2] = { 0, 7 }, un[4] = { 9, 9, 9, 9 };
	size_t n = 0;

	n += tag(b + n, (const uint8_t *)"\x9f\x26", 2, arqc, 8);
	n += tag(b + n, (const uint8_t *)"\x9f\x36", 2, atc, 2);
	n += tag(b + n, (const uint8_t *)"\x9f\x37", 2, un, 4);
	n += tag(b + n, (const uint8_t *)"\x9f\x02", 2, amt, 6);
	n += tag(b + n, (const uint8_t *)"\x9f\x03", 2, z, 6);
	n += tag(b + n, (const uint8_t *)"\x9f\x1a", 2, cur, 2);
	n += tag(b + n, (const uint8_t *)"\x95", 1, z, 5);
	n += tag(b + n, (const uint8_t *)"\x5f\x2a", 2, cur, 2);
	n += tag(b + n, (const uint8_t *)"\x9a", 1, z, 3);
	n += tag(b + n, (const uint8_t *)"\x9c", 1, z, 1);
	n += tag(b + n, (const uint8_t *)"\x82", 1, z, 2);
	n += tag(b + n, (const uint8_t *)"\x9f\x10", 2, (const uint8_t *)
	    "\x01\x10\xA0\x00\x03\x22\x00\x00\x00\x00", 10);
	return n;
}

/* The cryptogram must be this request's: a DE55 whose amount or currency
 * is not DE4's or DE49's is malformed data for the ARQC step (a genuine
 * DE55 replayed with another amount verifies at the HSM all the same). */
START_TEST(emv_bound)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	static const char *const de4[] = { "000000001000", "000000500000",
	    "000000001000", "000000001000" };
	static const char *const de49[] = { "826", "826", "978", NULL };
	static const int want[] = { VD_OK, VD_MALFORMED, VD_MALFORMED,
	    VD_MALFORMED };
	uint8_t b[128];
	struct sidec d;
	size_t i, n = de55_bound(b);

	SI.key = statekey_new(raw);
	for (i = 0; i < 4; i++) {
		memset(&d, 0, sizeof d);
		d.has_amount = 1;
		iso_msg_init(&m, "0100");
		iso_set_str(&m, 2, PAN);
		iso_set_str(&m, 4, de4[i]);
		if (de49[i] != NULL)
			iso_set_str(&m, 49, de49[i]);
		iso_set(&m, 55, b, n);
		si_auth_facts(&d, &m);
		ck_assert_msg(d.vd[V_ARQC] == want[i], "case %zu: %d", i,
		    d.vd[V_ARQC]);
	}
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

START_TEST(pinblock_and_amount)
{
	static struct iso_msg m;
	struct sidec d;
	uint64_t a;

	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)
	    "\x04\x12\x34\xff\xed\xcb\xa9\x87", 8), VD_OK);
	ck_assert_str_eq(d.pinblock, "041234FFEDCBA987");
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)"041234FFEDCBA987",
	    16), VD_OK);
	ck_assert_str_eq(d.pinblock, "041234FFEDCBA987");
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)"0412", 4),
	    VD_MALFORMED);
	ck_assert_str_eq(d.pinblock, "");
	ck_assert_int_eq(si_pinblock(&d, (const uint8_t *)"041234FFEDCBA98G",
	    16), VD_MALFORMED);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 4, "000000012345");
	ck_assert_int_eq(si_amount(&m, 4, &a), 0);
	ck_assert_uint_eq(a, 12345);
	iso_set_str(&m, 6, "12a");
	ck_assert_int_eq(si_amount(&m, 6, &a), -1);
	ck_assert_int_eq(si_amount(&m, 5, &a), -1);
}
END_TEST

START_TEST(reversal_finds_original)
{
	static struct iso_msg m;
	struct sidec d;
	uint8_t want[SI_DKEY_LEN + 15];

	/* The original 0100: DE11 123456, DE7 1206103000, DE32 4321. */
	/* DE90: MTI, DE11, DE7, DE32 (11 digits), 11 digits unused. */
	static const char de90[] = "0100" "123456" "1206103000"
	    "00000004321" "00000000000";

	si_orig_key("", "10", "123456", "1206103000", "4321", want);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0400");
	iso_set_str(&m, 90, de90);
	si_reversal_key(&d, &m);
	ck_assert_int_eq(d.has_rkey, 1);
	ck_assert_mem_eq(d.rkey, want, SI_DKEY_LEN);
	ck_assert_int_eq(d.has_repl, 0);
	/* a DE95 that does not read is no full reversal (-1: nothing
	 * released); one that does, the amount that stays */
	iso_set_str(&m, 95, "00000000X000");
	si_reversal_key(&d, &m);
	ck_assert_int_eq(d.has_repl, -1);
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 95, "000000000400000000000000000000000000000000");
	si_reversal_key(&d, &m);
	ck_assert_int_eq(d.has_repl, 1);
	ck_assert_uint_eq(d.repl_amount, 400);
	/* The approval's own key, made from its DE11, DE7 and DE32. */
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 11, "123456");
	iso_set_str(&m, 7, "1206103000");
	iso_set_str(&m, 32, "004321");
	SI.key = statekey_new(want);
	si_auth_facts(&d, &m);
	statekey_free(SI.key);
	SI.key = NULL;
	ck_assert_int_eq(d.has_okey, 1);
	ck_assert_mem_eq(d.okey, want, SI_DKEY_LEN);
}
END_TEST

/* A request with its PAN only in track 2, and the same request as its
 * advice carries it (DE2 from the track, no track): one duplicate key,
 * so the pair peer's copy of the decision answers a retransmission; a
 * track of another card is another key. */
START_TEST(track2_only_dup_key)
{
	static struct iso_msg m;
	struct sidec a, b, c;
	uint8_t k[32] = { 1 };

	SI.key = statekey_new(k);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 4, "000000001000");
	iso_set_str(&m, 11, "123456");
	iso_set_str(&m, 7, "1206103000");
	iso_set_str(&m, 32, "004321");
	iso_set_str(&m, 35, PAN "=28121011234567890");
	si_dup_key(&a, iso_profile_find("iso87"), "mc", &m);
	iso_set_str(&m, 35, "5413330089020029=28121011234567890");
	si_dup_key(&c, iso_profile_find("iso87"), "mc", &m);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 4, "000000001000");
	iso_set_str(&m, 11, "123456");
	iso_set_str(&m, 7, "1206103000");
	iso_set_str(&m, 32, "004321");
	si_dup_key(&b, iso_profile_find("iso87"), "mc", &m);
	statekey_free(SI.key);
	SI.key = NULL;
	ck_assert_int_eq(a.has_dkey, 1);
	ck_assert_int_eq(b.has_dkey, 1);
	ck_assert_mem_eq(a.dkey, b.dkey, SI_DKEY_LEN);
	ck_assert_mem_ne(a.dkey, c.dkey, SI_DKEY_LEN);
}
END_TEST

START_TEST(auth_facts)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	struct sidec d;

	SI.key = statekey_new(raw);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 35, PAN "=2812101123456789");
	iso_set_str(&m, 48, "R9203457");
	d.has_amount = 1;
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pan, PAN);
	ck_assert_str_eq(d.cvc2, "457");
	ck_assert_int_eq(d.vd[V_CVC1], VD_OK);
	ck_assert_int_eq(d.vd[V_CVC2], VD_OK);
	ck_assert_int_eq(d.vd[V_ARQC], VD_NONE);
	ck_assert_int_eq(d.vd[V_PIN], VD_NONE);
	ck_assert_int_eq(d.entry, E_MISSING);
	ck_assert_str_eq(d.pre, "");
	/* A bad track 2 is the CVC1 step's malformed data, decided there;
	 * a bad SE92 the CVC2 step's. */
	memset(&d, 0, sizeof d);
	d.has_amount = 1;
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 35, "garbage");
	iso_set_str(&m, 48, "R92034x7");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.vd[V_CVC1], VD_MALFORMED);
	ck_assert_int_eq(d.vd[V_CVC2], VD_MALFORMED);
	ck_assert_str_eq(d.pre, "");
	/* a track 2 of another card than DE2's */
	memset(&d, 0, sizeof d);
	d.has_amount = 1;
	iso_set_str(&m, 35, "5413330089020029=2812101123456789");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.vd[V_CVC1], VD_MALFORMED);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 35, "garbage");
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pre, "14");		/* no PAN at all */
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pre, "14");
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 2, PAN);
	si_auth_facts(&d, &m);
	ck_assert_str_eq(d.pre, "13");		/* no amount */
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

/* DE22 positions 1-2 into what must be verified. */
START_TEST(entry_modes)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	static const struct {
		const char	*de22;
		int		 entry;
	} cases[] = {
		{ "051", E_CHIP }, { "071", E_CHIP }, { "021", E_STRIPE },
		{ "901", E_STRIPE }, { "911", E_STRIPE }, { "011", E_CNP },
		{ "812", E_CNP }, { "100", E_COF }, { "102", E_COF },
		{ "000", E_UNKNOWN }, { "061", E_UNKNOWN }, { "x51", E_UNKNOWN },
		{ "5", E_UNKNOWN }, { NULL, E_MISSING },
	};
	struct sidec d;
	size_t i;

	SI.key = statekey_new(raw);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&d, 0, sizeof d);
		iso_msg_init(&m, "0100");
		iso_set_str(&m, 2, PAN);
		if (cases[i].de22 != NULL)
			iso_set_str(&m, 22, cases[i].de22);
		si_auth_facts(&d, &m);
		ck_assert_msg(d.entry == cases[i].entry, "DE22 %s: %d, want "
		    "%d", cases[i].de22, d.entry, cases[i].entry);
	}
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

/* Cash, currencies, the billing amount, the country (DE19, DE43). */
START_TEST(money_facts)
{
	static struct iso_msg m;
	static const uint8_t raw[32] = { 7 };
	struct sidec d;

	SI.key = statekey_new(raw);
	memset(&d, 0, sizeof d);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, PAN);
	iso_set_str(&m, 3, "010000");
	iso_set_str(&m, 49, "978");
	iso_set_str(&m, 51, "826");
	iso_set_str(&m, 6, "000000000870");
	iso_set_str(&m, 19, "372");
	iso_set_str(&m, 43, "CORNER SHOP               DUBLIN     IRL");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.cash, 1);
	ck_assert_str_eq(d.cur, "978");
	ck_assert_str_eq(d.bill_cur, "826");
	ck_assert_uint_eq(d.bill_amount, 870);
	ck_assert_str_eq(d.country, "372");
	ck_assert_str_eq(d.country_a, "IRL");
	/* a cash disbursement (17) and a purchase with cash back (09) are
	 * cash too */
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 3, "170000");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.cash, 1);
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 3, "090000");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.cash, 1);
	iso_set_str(&m, 3, "010000");
	/* a purchase; a DE6 that is no amount is no billing amount; a DE43
	 * without a capital alpha-3 says no country */
	memset(&d, 0, sizeof d);
	iso_set_str(&m, 3, "000000");
	iso_set_str(&m, 6, "00000000087x");
	iso_set_str(&m, 43, "CORNER SHOP               DUBLIN     irl");
	iso_set_str(&m, 19, "37");
	si_auth_facts(&d, &m);
	ck_assert_int_eq(d.cash, 0);
	ck_assert_str_eq(d.bill_cur, "");
	ck_assert_str_eq(d.country, "");
	ck_assert_str_eq(d.country_a, "");
	statekey_free(SI.key);
	SI.key = NULL;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sifacts");
	TCase *tf = tcase_create("facts");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_add_test(tf, track2);
	tcase_add_test(tf, emv);
	tcase_add_test(tf, emv_bound);
	tcase_add_test(tf, pinblock_and_amount);
	tcase_add_test(tf, reversal_finds_original);
	tcase_add_test(tf, track2_only_dup_key);
	tcase_add_test(tf, auth_facts);
	tcase_add_test(tf, entry_modes);
	tcase_add_test(tf, money_facts);
	suite_add_tcase(s, tf);
	return check_run(s);
}
