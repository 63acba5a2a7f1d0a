/*
 * facts.c — what a request says, read once on the event loop: the card
 * (PAN, track 2, expiry), the verification data (CVC1, CVC2, ARQC, PIN
 * block), the amount and MCC, and the keys the ledger finds decisions by.
 * Parsers only: nothing here decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/hex.h"
#include "iso8583/de48.h"
#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "iso8583/txnkey.h"
#include "gateway/standin/si.h"

void
si_utc_day(uint64_t wall, char day[9], char yymm[5])
{
	time_t t = (time_t)(wall / 1000000u);
	struct tm g;

	gmtime_r(&t, &g);
	strftime(day, 9, "%Y%m%d", &g);
	memcpy(yymm, day + 2, 4);	/* YYMM */
	yymm[4] = '\0';
}

/*
 * A decision's keys lead with the order the scheme numbers its requests
 * in: DE7 (MMDDhhmmss) as seconds in the year, then DE11.  Keys made
 * together then sit together in the dedup tree, and a commit of a batch
 * dirties the few leaves at its end instead of one random leaf per key
 * (the rest of the key is a hash).  Absent or malformed fields count as
 * 0: the key is still exact, only not in order.
 */
static void
order_prefix(const char *de7, const char *de11, uint8_t out[SI_DKEY_ORDER])
{
	uint32_t t = 0, stan = 0;
	size_t i;

	if (de7 != NULL && strlen(de7) == 10 && dec_valid(de7, 10)) {
		for (i = 0; i < 10; i += 2) {
			uint32_t v = (uint32_t)(de7[i] - '0') * 10 +
			    (uint32_t)(de7[i + 1] - '0');
			t = i == 0 ? v : i == 2 ? t * 32 + v :
			    i == 4 ? t * 24 + v : t * 60 + v;
		}
	}
	if (de11 != NULL && strlen(de11) <= 6 && de11[0] != '\0' &&
	    dec_valid(de11, strlen(de11)))
		stan = (uint32_t)strtoul(de11, NULL, 10);
	out[0] = (uint8_t)(t >> 24);
	out[1] = (uint8_t)(t >> 16);
	out[2] = (uint8_t)(t >> 8);
	out[3] = (uint8_t)t;
	out[4] = (uint8_t)(stan >> 16);
	out[5] = (uint8_t)(stan >> 8);
	out[6] = (uint8_t)stan;
}

/* kind, order prefix, 16-byte hash of s */
static void
key16(char kind, const char *de7, const char *de11, const char *s,
    size_t len, uint8_t out[SI_DKEY_LEN])
{
	out[0] = (uint8_t)kind;
	order_prefix(de7, de11, out + 1);
	crypto_generichash(out + 1 + SI_DKEY_ORDER, 16, (const uint8_t *)s,
	    len, NULL, 0);
}

static const char *
strip0(const char *s)
{
	while (*s == '0' && s[1] != '\0')
		s++;
	return s;
}

/* The key a reversal finds its original by: the link, class, DE11, DE7,
 * DE32.  The link: another link's approval under the same identity (no
 * DE32, DE11 and DE7 alike) is another card's, not this reversal's to
 * release. */
void
si_orig_key(const char *link, const char *mti2, const char *de11,
    const char *de7, const char *de32, uint8_t out[SI_DKEY_LEN])
{
	char k[128];
	int n;

	n = snprintf(k, sizeof k, "%s|%.2s|%s|%s|%s", link, mti2,
	    strip0(de11), de7, strip0(de32));
	if (n >= (int)sizeof k)
		n = (int)sizeof k - 1;
	key16('O', de7, de11, k, (size_t)n, out);
}

/* Track 2's PAN into pan (NUL-terminated): its length, or -1 when the
 * track does not parse (see si_track2). */
static int
track2_pan(const char *t2, char pan[20])
{
	const char *sep = strpbrk(t2, "=D");
	size_t pl;

	if (sep == NULL)
		return -1;
	pl = (size_t)(sep - t2);
	if (pl < 12 || pl > 19 || !dec_valid(t2, pl) ||
	    strlen(sep + 1) < 10 || !dec_valid(sep + 1, 10))
		return -1;
	memcpy(pan, t2, pl);
	pan[pl] = '\0';
	return (int)pl;
}

/*
 * The digest of m as its advice carries it: a request with its PAN only
 * in track 2 has that PAN in DE2 there (build_advice), and the pair peer
 * keys its copy of the decision from the advice.  Digested as if DE2
 * held it, a retransmission here matches the peer's decision (and ours)
 * instead of being decided a second time.
 */
static void
dup_digest(const struct iso_msg *m, uint8_t out[ISO_TXNDIGEST_LEN])
{
	char t2[48] = "", pan[20];
	int track = !iso_has(m, 2) &&
	    iso_get_str(m, 35, t2, sizeof t2) == 0 && track2_pan(t2, pan) > 0;

	iso_txn_digest_pan(m, track ? pan : NULL, SI.digest_key, out);
	sodium_memzero(t2, sizeof t2);
	sodium_memzero(pan, sizeof pan);
}

/* The durable duplicate key: the link, the transaction's identity and
 * the request's digest, keyed from the state key so it holds across
 * restarts. */
void
si_dup_key(struct sidec *d, const struct iso_profile *p, const char *link,
    const struct iso_msg *m)
{
	char key[ISO_TXNKEY_MAX + 2 * ISO_TXNDIGEST_LEN + 2];
	char de7[16] = "", de11[16] = "";
	size_t n;

	if (iso_txn_key(p, link, m, key, ISO_TXNKEY_MAX) == 0) {
		/* The digest is part of the key: two transactions that share
		 * an identity each keep their own answer (ARCHITECTURE 3.4). */
		dup_digest(m, d->digest);
		n = strlen(key);
		key[n++] = '|';
		hex_encode(d->digest, sizeof d->digest, key + n);
		key[n + 2 * sizeof d->digest] = '\0';
		iso_get_str(m, 7, de7, sizeof de7);
		iso_get_str(m, 11, de11, sizeof de11);
		key16('D', de7, de11, key, strlen(key), d->dkey);
		d->has_dkey = 1;
	}
}

int
si_amount(const struct iso_msg *m, int f, uint64_t *out)
{
	char s[24];
	size_t i;
	uint64_t v = 0;

	if (iso_get_str(m, f, s, sizeof s) == -1 || s[0] == '\0')
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Track 2: PAN '=' or 'D', YYMM, service code, discretionary data; the
 * portfolio convention puts the CVC1 at the start of the discretionary
 * data (the offset is per issuer in production). */
int
si_track2(struct sidec *d, const char *t2)
{
	const char *sep;
	char pan[20];
	int pl;

	if ((pl = track2_pan(t2, pan)) == -1)
		return -1;
	sep = t2 + pl;
	if (d->pan[0] == '\0')
		memcpy(d->pan, pan, (size_t)pl + 1);
	else if (strcmp(d->pan, pan) != 0) {
		sodium_memzero(pan, sizeof pan);
		return -1;
	}
	sodium_memzero(pan, sizeof pan);
	memcpy(d->req_exp, sep + 1, 4);
	d->req_exp[4] = '\0';
	memcpy(d->svc, sep + 5, 3);
	memcpy(d->cvv1, sep + 8, 3);
	return 0;
}

static int
emv_fixed(const uint8_t *b, size_t len, uint32_t tag, uint8_t *out, size_t n)
{
	struct emv_tlv t;

	if (emv_find(b, len, tag, &t) != 1 || t.len != n)
		return -1;
	memcpy(out, t.val, n);
	return 0;
}

/* DE55: the ARQC, ATC and unpredictable number, the PAN sequence number,
 * and the data the cryptogram covers (M/Chip CVN 16: the CDOL1 elements
 * and the CVR from 9F10, 39 bytes).  The whole of DE55 must be
 * well formed and hold them all: else VD_MALFORMED, never "no ARQC". */
int
si_emv(struct sidec *d, const uint8_t *b, size_t len)
{
	static const uint32_t cdol[] = { 0x9F02, 0x9F03, 0x9F1A, 0x95,
	    0x5F2A, 0x9A, 0x9C, 0x9F37, 0x82, 0x9F36 };
	struct emv_tlv t;
	size_t i, bad;

	if (emv_check(b, len, &bad) != 0 ||
	    emv_fixed(b, len, 0x9F26, d->arqc, 8) == -1 ||
	    emv_fixed(b, len, 0x9F36, d->atc, 2) == -1 ||
	    emv_fixed(b, len, 0x9F37, d->un, 4) == -1)
		return VD_MALFORMED;
	d->psn[0] = d->psn[1] = '0';
	if (emv_find(b, len, 0x5F34, &t) == 1) {
		if (t.len != 1)
			return VD_MALFORMED;
		d->psn[0] = (char)('0' + (t.val[0] >> 4 & 0x0f));
		d->psn[1] = (char)('0' + (t.val[0] & 0x0f));
	}
	d->txlen = 0;
	for (i = 0; i < sizeof cdol / sizeof cdol[0]; i++) {
		if (emv_find(b, len, cdol[i], &t) != 1 ||
		    d->txlen + t.len > sizeof d->txdata - 8)
			return VD_MALFORMED;
		memcpy(d->txdata + d->txlen, t.val, t.len);
		d->txlen += t.len;
	}
	/* M/Chip CVN 16 covers the CVR too: bytes 3-8 of the issuer
	 * application data (after the key index and the CVN). */
	if (emv_find(b, len, 0x9F10, &t) != 1 || t.len < 8 ||
	    d->txlen + 6 > sizeof d->txdata - 8)
		return VD_MALFORMED;
	memcpy(d->txdata + d->txlen, t.val + 2, 6);
	d->txlen += 6;
	/* ISO 9797-1 padding method 2 */
	d->txdata[d->txlen++] = 0x80;
	while (d->txlen % 8)
		d->txdata[d->txlen++] = 0;
	d->has_arqc = 1;
	return VD_OK;
}

/* The BCD value of tag in DE55 as digits, into out (2 x its length + 1):
 * 0, or -1 absent or not BCD. */
static int
emv_digits(const uint8_t *b, size_t len, uint32_t tag, char *out, size_t cap)
{
	struct emv_tlv t;
	size_t i;

	if (emv_find(b, len, tag, &t) != 1 || 2 * (size_t)t.len + 1 > cap)
		return -1;
	for (i = 0; i < t.len; i++) {
		if ((t.val[i] >> 4) > 9 || (t.val[i] & 0x0f) > 9)
			return -1;
		out[2 * i] = (char)('0' + (t.val[i] >> 4));
		out[2 * i + 1] = (char)('0' + (t.val[i] & 0x0f));
	}
	out[2 * t.len] = '\0';
	return 0;
}

/*
 * The cryptogram is this request's: the amount (9F02) and currency
 * (5F2A) it covers are DE4's and DE49's.  A genuine DE55 from a 5.00
 * purchase under a new DE11 and a DE4 of 5,000.00 verifies all the same
 * at the HSM (it checks the cryptogram over the DE55 data), so the
 * binding is checked here: 1 bound, 0 not.
 */
static int
emv_binds(const struct iso_msg *m, const uint8_t *b, size_t len)
{
	char amt[16], cur[8], de4[16] = "", de49[8] = "";

	if (emv_digits(b, len, 0x9F02, amt, sizeof amt) == -1 ||
	    emv_digits(b, len, 0x5F2A, cur, sizeof cur) == -1 ||
	    iso_get_str(m, 4, de4, sizeof de4) == -1 ||
	    iso_get_str(m, 49, de49, sizeof de49) == -1)
		return 0;
	return strlen(amt) == 12 && strcmp(amt, de4) == 0 &&
	    strlen(cur) == 4 && cur[0] == '0' && strcmp(cur + 1, de49) == 0;
}

/* DE52: 8 raw bytes (b 64), or 16 hex digits on hex profiles; the HSM
 * takes hex. */
int
si_pinblock(struct sidec *d, const uint8_t *v, size_t len)
{
	if (len == 8) {
		hex_encode(v, 8, d->pinblock);
		d->pinblock[16] = '\0';
		return VD_OK;
	}
	if (len == 16 && hex_valid((const char *)v, 16, 0)) {
		memcpy(d->pinblock, v, 16);
		d->pinblock[16] = '\0';
		return VD_OK;
	}
	return VD_MALFORMED;
}

/* The reversal key of a 04xx from its DE90 (original MTI, DE11, DE7,
 * DE32 ...), or from its own DE11/DE7/DE32 when DE90 is absent. */
void
si_reversal_key(struct sidec *d, const struct iso_msg *m)
{
	char de90[64], de11[16] = "", de7[16] = "", de32[16] = "", de95[64];

	/* A partial reversal: DE95's first 12 digits are what stays.  One
	 * that does not read is not a full reversal either (has_repl -1:
	 * nothing released). */
	if (iso_has(m, 95)) {
		d->has_repl = -1;
		if (iso_get_str(m, 95, de95, sizeof de95) == 0 &&
		    strlen(de95) >= 12 && dec_valid(de95, 12)) {
			de95[12] = '\0';
			d->repl_amount = strtoull(de95, NULL, 10);
			d->has_repl = 1;
		}
	}

	if (iso_get_str(m, 90, de90, sizeof de90) == 0 &&
	    strlen(de90) >= 31 && dec_valid(de90, 31)) {
		char mti2[3] = { de90[1], de90[2], 0 };
		memcpy(de11, de90 + 4, 6);
		de11[6] = '\0';
		memcpy(de7, de90 + 10, 10);
		de7[10] = '\0';
		memcpy(de32, de90 + 20, 11);
		de32[11] = '\0';
		si_orig_key(d->link, mti2, de11, de7, de32, d->rkey);
		d->has_rkey = 1;
		return;
	}
	if (iso_get_str(m, 11, de11, sizeof de11) == 0 &&
	    iso_get_str(m, 7, de7, sizeof de7) == 0) {
		iso_get_str(m, 32, de32, sizeof de32);
		si_orig_key(d->link, "01", de11, de7, de32, d->rkey);
		d->has_rkey = 1;
	}
}

void
si_credit_facts(struct sidec *d, const struct iso_msg *m)
{
	char acct[CARDS_ACCOUNT_MAX];

	if (iso_get_str(m, 35, acct, sizeof acct) == -1 || acct[0] == '\0') {
		memcpy(d->pre, "14", 3);
		d->why = "no-account";
	} else
		statekey_hash(SI.key, 'A', acct, d->hash);
	sodium_memzero(acct, sizeof acct);
}

/* A decline known from the request alone, the first one found. */
static void
pre_decline(struct sidec *d, const char *de39, const char *why)
{
	if (d->pre[0] != '\0')
		return;
	memcpy(d->pre, de39, 3);
	d->why = why;
	d->rule = R_CARD;
}

/* DE22 positions 1-2: what must be verified (ARCHITECTURE section 6). */
static int
entry_mode(const struct iso_msg *m)
{
	char v[8];

	if (iso_get_str(m, 22, v, sizeof v) == -1 || v[0] == '\0')
		return E_MISSING;
	if (strlen(v) < 2 || !dec_valid(v, 2))
		return E_UNKNOWN;
	if ((v[0] == '0' && (v[1] == '5' || v[1] == '7')))
		return E_CHIP;
	if ((v[0] == '0' && v[1] == '2') || (v[0] == '9' &&
	    (v[1] == '0' || v[1] == '1')))
		return E_STRIPE;
	if ((v[0] == '0' || v[0] == '8') && v[1] == '1')
		return E_CNP;
	if (v[0] == '1' && v[1] == '0')
		return E_COF;
	return E_UNKNOWN;
}

/* A 3-digit code field (DE19, DE49, DE51) into out, or "". */
static void
code3(const struct iso_msg *m, int f, char out[4])
{
	char v[8];

	out[0] = '\0';
	if (iso_get_str(m, f, v, sizeof v) == 0 && strlen(v) == 3 &&
	    dec_valid(v, 3))
		memcpy(out, v, 4);
}

/* The money facts: cash, currencies, billing amount, country. */
static void
money_facts(struct sidec *d, const struct iso_msg *m)
{
	char v[48];
	size_t n;

	/* Cash: a withdrawal (01), a cash disbursement (17), a purchase
	 * with cash back (09): each is bound by the cash rules. */
	if (iso_get_str(m, 3, v, sizeof v) == 0 && (strncmp(v, "01", 2) == 0 ||
	    strncmp(v, "17", 2) == 0 || strncmp(v, "09", 2) == 0))
		d->cash = 1;
	code3(m, 49, d->cur);
	code3(m, 51, d->bill_cur);
	if (d->bill_cur[0] != '\0' && si_amount(m, 6, &d->bill_amount) == -1)
		d->bill_cur[0] = '\0';
	code3(m, 19, d->country);
	/* DE43: name, city, then the country's alpha-3 in 38-40. */
	if (iso_get_str(m, 43, v, sizeof v) == 0 && (n = strlen(v)) == 40 &&
	    v[37] >= 'A' && v[37] <= 'Z' && v[38] >= 'A' && v[38] <= 'Z' &&
	    v[39] >= 'A' && v[39] <= 'Z')
		memcpy(d->country_a, v + 37, 4);
}

void
si_auth_facts(struct sidec *d, const struct iso_msg *m)
{
	char de11[16] = "", de7[16] = "", de32[16] = "", t2[48] = "";
	const uint8_t *v;
	size_t len;
	struct de48_se se;

	iso_get_str(m, 2, d->pan, sizeof d->pan);
	d->entry = entry_mode(m);
	/* A track 2 that does not parse is the CVC1 step's malformed data;
	 * one for another PAN too. */
	if (iso_has(m, 35))
		d->vd[V_CVC1] = iso_get_str(m, 35, t2, sizeof t2) == 0 &&
		    si_track2(d, t2) == 0 ? VD_OK : VD_MALFORMED;
	sodium_memzero(t2, sizeof t2);
	if (d->pan[0] == '\0')
		pre_decline(d, "14", "no-pan");
	if (d->req_exp[0] == '\0')
		iso_get_str(m, 14, d->req_exp, sizeof d->req_exp);
	if (!d->has_amount)
		pre_decline(d, "13", "amount");
	iso_get_str(m, 18, d->mcc, sizeof d->mcc);
	if ((v = iso_get(m, 48, &len)) != NULL && len > 0 &&
	    de48_find(v, len, 92, &se) == 1) {
		d->vd[V_CVC2] = VD_MALFORMED;
		if (se.len == 3 && dec_valid((const char *)se.val, 3)) {
			memcpy(d->cvc2, se.val, 3);
			d->vd[V_CVC2] = VD_OK;
		}
	}
	if ((v = iso_get(m, 52, &len)) != NULL)
		d->vd[V_PIN] = (uint8_t)si_pinblock(d, v, len);
	if ((v = iso_get(m, 55, &len)) != NULL) {
		d->vd[V_ARQC] = (uint8_t)si_emv(d, v, len);
		if (d->vd[V_ARQC] == VD_OK && !emv_binds(m, v, len))
			d->vd[V_ARQC] = VD_MALFORMED;
	}
	money_facts(d, m);
	d->rng = *range_match(&SI.conf.ranges, d->pan);
	if (d->pan[0] != '\0')
		statekey_hash(SI.key, 'P', d->pan, d->hash);
	if (iso_get_str(m, 11, de11, sizeof de11) == 0 &&
	    iso_get_str(m, 7, de7, sizeof de7) == 0) {
		iso_get_str(m, 32, de32, sizeof de32);
		si_orig_key(d->link, m->mti + 1, de11, de7, de32, d->okey);
		d->has_okey = 1;
	}
}
