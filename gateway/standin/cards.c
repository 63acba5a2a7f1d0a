/*
 * cards.c — snapshot records: parse, seal into the store, look up.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/tlv.h"
#include "base/be.h"
#include "base/hex.h"
#include "gateway/standin/cards.h"
#include "gateway/standin/store.h"

#define T_PAN		0x2001
#define T_STATUS	0x2002
#define T_EXPIRY	0x2003
#define T_TXNLIMIT	0x2004
#define T_DAILY		0x2005
#define T_BALANCE	0x2006
#define T_CURRENCY	0x2007
#define T_KEYS		0x2008
#define T_PINVER	0x2009
#define T_ACCOUNT	0x200A
#define T_DELETE	0x200C

static const char *const status_names[] = { "active", "blocked", "lost",
	"stolen", "closed" };

const char *
cards_status_name(int s)
{
	if (s < 0 || s > CARD_CLOSED)
		return "?";
	return status_names[s];
}

int
cards_status_parse(const char *s, int *out)
{
	int i;

	for (i = 0; i <= CARD_CLOSED; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static int
val_str(const uint8_t *v, uint16_t len, char *out, size_t cap)
{
	if ((size_t)len >= cap || memchr(v, '\0', len) != NULL)
		return -1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

static int
val_digits(const uint8_t *v, uint16_t len, size_t minl, size_t maxl)
{
	if (len < minl || len > maxl ||
	    !dec_valid((const char *)v, len))
		return -1;
	return 0;
}

static int
val_u64(const uint8_t *v, uint16_t len, uint64_t *out)
{
	uint64_t x = 0;
	uint16_t i;

	if (val_digits(v, len, 1, 18) == -1)
		return -1;
	for (i = 0; i < len; i++)
		x = x * 10 + (uint64_t)(v[i] - '0');
	*out = x;
	return 0;
}

static int
val_i64(const uint8_t *v, uint16_t len, int64_t *out)
{
	uint64_t x;

	if (len > 0 && v[0] == '-') {
		if (val_u64(v + 1, len - 1, &x) == -1)
			return -1;
		*out = -(int64_t)x;
		return 0;
	}
	if (val_u64(v, len, &x) == -1)
		return -1;
	*out = (int64_t)x;
	return 0;
}

enum field_kind { F_DIGITS, F_U64, F_I64, F_STR, F_STATUS, F_DELETE };

/* The fields of a card record: tag, kind, where it goes in the parsed
 * record, its room (strings) or digits (min..max), and the reason a bad
 * value rejects the snapshot. */
#define REC(f)	offsetof(struct cards_snaprec, f)
static const struct field {
	uint16_t	 tag;
	enum field_kind	 kind;
	size_t		 off, size;
	uint16_t	 min, max;
	const char	*bad;
} fields[] = {
	{ T_PAN, F_DIGITS, REC(pan), 20, 12, 19, "bad PAN" },
	{ T_STATUS, F_STATUS, REC(rec.status), 0, 0, 0, "bad status" },
	{ T_EXPIRY, F_DIGITS, REC(rec.expiry), 5, 4, 4, "bad expiry" },
	{ T_TXNLIMIT, F_U64, REC(rec.txn_limit), 0, 0, 0,
	    "bad per-transaction limit" },
	{ T_DAILY, F_U64, REC(rec.daily_limit), 0, 0, 0, "bad daily limit" },
	{ T_BALANCE, F_I64, REC(rec.balance), 0, 0, 0, "bad balance" },
	{ T_CURRENCY, F_DIGITS, REC(rec.currency), 4, 3, 3, "bad currency" },
	{ T_KEYS, F_STR, REC(rec.keys), CARDS_KEYS_MAX, 0, 0,
	    "key blocks too long" },
	{ T_PINVER, F_STR, REC(rec.pinver), CARDS_PINVER_MAX, 0, 0,
	    "PIN verification data too long" },
	{ T_ACCOUNT, F_STR, REC(rec.account), CARDS_ACCOUNT_MAX, 1, 0,
	    "bad account id" },
	{ TLV_SNAP_VERSION, F_U64, REC(rec.version), 0, 0, 0,
	    "bad record version" },
	{ T_DELETE, F_DELETE, REC(del), 0, 0, 0, NULL },
};

/* One field's value into r: 0, or -1 (the field's reason). */
static int
parse_field(const struct field *f, const uint8_t *v, uint16_t len,
    struct cards_snaprec *r)
{
	char *p = (char *)r + f->off, tmp[16];
	int st;

	switch (f->kind) {
	case F_DIGITS:
		if (val_digits(v, len, f->min, f->max) == -1)
			return -1;
		memcpy(p, v, len);
		p[len] = '\0';
		return 0;
	case F_U64:
		return val_u64(v, len, (uint64_t *)(void *)p);
	case F_I64:
		if (val_i64(v, len, (int64_t *)(void *)p) == -1)
			return -1;
		r->has_balance = 1;
		return 0;
	case F_STR:
		if (len < f->min)
			return -1;
		return val_str(v, len, p, f->size);
	case F_STATUS:
		if (val_str(v, len, tmp, sizeof tmp) == -1 ||
		    cards_status_parse(tmp, &st) == -1)
			return -1;
		*(uint32_t *)(void *)p = (uint32_t)st;
		return 0;
	case F_DELETE:
		*(int *)(void *)p = 1;
		return 0;
	}
	return -1;
}

/* One record's nested TLV into r; NULL or the reason. */
static const char *
parse_rec(const uint8_t *b, uint16_t blen, struct cards_snaprec *r)
{
	struct tlv_r rd;
	const uint8_t *v;
	uint16_t tag, len;
	size_t i;
	int n;

	memset(r, 0, sizeof *r);
	r->rec.recver = CARDS_REC_VERSION;
	r->rec.status = CARD_ACTIVE;
	tlv_r_init(&rd, b, blen);
	while ((n = tlv_next(&rd, &tag, &v, &len)) == 1) {
		for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
			if (fields[i].tag == tag)
				break;
		/* Unknown tags are ignored. */
		if (i < sizeof fields / sizeof fields[0] &&
		    parse_field(&fields[i], v, len, r) == -1)
			return fields[i].bad;
	}
	if (n == -1)
		return "malformed record TLV";
	if (r->pan[0] == '\0' && r->rec.account[0] == '\0')
		return "record without PAN or account";
	if (r->pan[0] != '\0' && !r->del && r->rec.expiry[0] == '\0')
		return "card without expiry";
	return NULL;
}

int
cards_parse(const uint8_t *body, size_t len, uint64_t *version,
    int (*fn)(const struct cards_snaprec *, void *), void *arg, char *err,
    size_t errsz)
{
	struct cards_snaprec *r;
	struct tlv_r rd;
	const uint8_t *v;
	uint16_t tag, vlen;
	const char *why;
	int pass, n, have_version = 0, nrec;

	if ((r = malloc(sizeof *r)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (pass = 0; pass < 2; pass++) {
		tlv_r_init(&rd, body, len);
		nrec = 0;
		while ((n = tlv_next(&rd, &tag, &v, &vlen)) == 1) {
			if (tag == TLV_SNAP_VERSION && pass == 0) {
				/* One: the check against the store's reads
				 * the first, what is stored would be this. */
				if (have_version) {
					snprintf(err, errsz, "two versions");
					goto bad;
				}
				if (val_u64(v, vlen, version) == -1) {
					snprintf(err, errsz, "bad version");
					goto bad;
				}
				have_version = 1;
			} else if (tag == TLV_SNAP_CARD) {
				nrec++;
				if ((why = parse_rec(v, vlen, r)) != NULL) {
					snprintf(err, errsz, "record %d: %s",
					    nrec, why);
					goto bad;
				}
				if (pass == 1 && fn != NULL && fn(r, arg) != 0) {
					snprintf(err, errsz, "record %d: "
					    "not applied", nrec);
					goto bad;
				}
			}
		}
		if (n == -1) {
			snprintf(err, errsz, "malformed TLV");
			goto bad;
		}
		if (!have_version) {
			snprintf(err, errsz, "no version");
			goto bad;
		}
	}
	sodium_memzero(r, sizeof *r);
	free(r);
	return 0;
bad:
	sodium_memzero(r, sizeof *r);
	free(r);
	return -1;
}

int
cards_kv(const char *list, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key), vl;
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > kl && strncmp(p, key, kl) == 0 &&
		    p[kl] == '=') {
			vl = (size_t)(e - p) - kl - 1;
			if (vl >= cap)
				return -1;
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return 0;
		}
		p = *e ? e + 1 : e;
	}
	return -1;
}

#define COUNT_KEYLEN	(STATEKEY_HASHLEN + 1)
#define COUNT_VALLEN	(8 + 4 * 8)

static void
count_key(const uint8_t hash[STATEKEY_HASHLEN], uint8_t k[COUNT_KEYLEN])
{
	memcpy(k, hash, STATEKEY_HASHLEN);
	k[STATEKEY_HASHLEN] = 'C';
}

int
cards_count_get(struct store_txn *t, const uint8_t hash[STATEKEY_HASHLEN],
    struct card_count *c)
{
	uint8_t k[COUNT_KEYLEN];
	const uint8_t *p;
	const void *v;
	size_t vl;
	int rc;

	memset(c, 0, sizeof *c);
	count_key(hash, k);
	if ((rc = store_get(t, STORE_EXPOSURE, k, sizeof k, &v, &vl)) ==
	    STORE_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (vl != COUNT_VALLEN)
		return STORE_CORRUPT;
	p = v;
	memcpy(c->day, p, 8);
	c->day_amount = be64_get(p + 8);
	c->day_count = be64_get(p + 16);
	c->day_cash = be64_get(p + 24);
	c->snap_spend = be64_get(p + 32);
	return 0;
}

int
cards_count_put(struct store_txn *t, const uint8_t hash[STATEKEY_HASHLEN],
    const struct card_count *c)
{
	uint8_t k[COUNT_KEYLEN], v[COUNT_VALLEN];

	count_key(hash, k);
	memcpy(v, c->day, 8);
	be64_put(v + 8, c->day_amount);
	be64_put(v + 16, c->day_count);
	be64_put(v + 24, c->day_cash);
	be64_put(v + 32, c->snap_spend);
	return store_put(t, STORE_EXPOSURE, k, sizeof k, v, sizeof v);
}

int
cards_put(struct store_txn *t, const struct statekey *k,
    const struct cards_snaprec *r, uint64_t unsettled)
{
	uint8_t h[STATEKEY_HASHLEN], ah[STATEKEY_HASHLEN];
	uint8_t sealed[sizeof(struct card_rec) + STATEKEY_SEAL_OVERHEAD];
	uint8_t open;
	long n;
	int rc;

	if (r->rec.account[0] != '\0') {
		statekey_hash(k, 'A', r->rec.account, ah);
		open = !r->del && r->rec.status == CARD_ACTIVE;
		if ((rc = store_put(t, STORE_CARDS, ah, sizeof ah, &open, 1))
		    != 0)
			return rc;
	}
	if (r->pan[0] == '\0')
		return 0;
	statekey_hash(k, 'P', r->pan, h);
	if (r->del) {
		rc = store_del(t, STORE_CARDS, h, sizeof h);
		return rc == STORE_NOTFOUND ? 0 : rc;
	}
	n = statekey_seal(k, "cards", h, sizeof h, &r->rec, sizeof r->rec,
	    sealed, sizeof sealed);
	if (n < 0)
		return STORE_TOOBIG;
	if ((rc = store_put(t, STORE_CARDS, h, sizeof h, sealed, (size_t)n))
	    != 0)
		return rc;
	/* A fresh balance: stand-in spend counts from here, from what the
	 * card's approvals not yet in the core's balance hold. */
	if (r->has_balance) {
		struct card_count c;

		if ((rc = cards_count_get(t, h, &c)) != 0)
			return rc;
		if (c.snap_spend != unsettled) {
			c.snap_spend = unsettled;
			return cards_count_put(t, h, &c);
		}
	}
	return 0;
}

/* The value under a card's (or account's) hash. */
static int
card_value(struct store_txn *t, const uint8_t hash[STATEKEY_HASHLEN],
    const void **v, size_t *vl)
{
	return store_get(t, STORE_CARDS, hash, STATEKEY_HASHLEN, v, vl);
}

int
cards_get(struct store_txn *t, const struct statekey *k,
    const uint8_t hash[STATEKEY_HASHLEN], struct card_rec *out)
{
	const void *v;
	size_t vl;
	int rc;

	if ((rc = card_value(t, hash, &v, &vl)) != 0)
		return rc;
	if (statekey_open(k, "cards", hash, STATEKEY_HASHLEN, v, vl, out,
	    sizeof *out) != (long)sizeof *out ||
	    out->recver != CARDS_REC_VERSION)
		return STORE_CORRUPT;
	return 0;
}

int
cards_account(struct store_txn *t, const uint8_t hash[STATEKEY_HASHLEN],
    int *open)
{
	const void *v;
	size_t vl;
	int rc;

	if ((rc = card_value(t, hash, &v, &vl)) != 0)
		return rc;
	if (vl != 1)
		return STORE_CORRUPT;
	*open = *(const uint8_t *)v != 0;
	return 0;
}
