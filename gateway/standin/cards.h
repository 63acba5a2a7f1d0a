/*
 * cards.h — the stand-in snapshot (ARCHITECTURE sections 4 and 7): the
 * SNAPSHOT frame body parsed into card records, and the records as kept in
 * the store's `cards` database, keyed by the keyed hash of the PAN and
 * sealed under the state key (they hold key blocks and PIN verification
 * data).  An account index (hash of the account id, domain 'A') lets FPS
 * inbound credits find an open account without a card.
 *
 *   SNAPSHOT body = 0x200B version, then 0x2000 records, each a nested
 *   TLV: 0x2001 PAN, 0x2002 status, 0x2003 expiry YYMM, 0x2004 per-txn
 *   limit, 0x2005 daily limit, 0x2006 available balance, 0x2007 currency,
 *   0x2008 key blocks, 0x2009 PIN verification data, 0x200A account id,
 *   0x200C delete.  Every value ASCII.  Unknown tags are ignored.
 */
#ifndef GATEWAY_CARDS_H
#define GATEWAY_CARDS_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/standin/statekey.h"

struct store_txn;

enum card_status { CARD_ACTIVE, CARD_BLOCKED, CARD_LOST, CARD_STOLEN,
	CARD_CLOSED };

#define CARDS_KEYS_MAX		600
#define CARDS_PINVER_MAX	128
#define CARDS_ACCOUNT_MAX	40
#define CARDS_REC_VERSION	1

/* As stored (sealed); fixed layout, no pointers. */
struct card_rec {
	uint32_t	 recver;		/* CARDS_REC_VERSION */
	uint32_t	 status;		/* enum card_status */
	char		 expiry[5];		/* YYMM */
	char		 currency[4];
	uint64_t	 txn_limit;		/* 0: none */
	uint64_t	 daily_limit;		/* 0: none */
	int64_t		 balance;
	uint64_t	 version;
	char		 keys[CARDS_KEYS_MAX];	/* CVK=S...;PVK=S...;MK-AC=S... */
	char		 pinver[CARDS_PINVER_MAX];
	char		 account[CARDS_ACCOUNT_MAX];
};

/* One parsed snapshot record (the PAN only lives here, in memory). */
struct cards_snaprec {
	char		 pan[20];
	int		 del;
	int		 has_balance;
	struct card_rec	 rec;
};

/*
 * Parses a SNAPSHOT body: the version, then fn once per card record.  A
 * record that is malformed (no PAN, bad number, value too long, unknown
 * status) makes the whole body rejected: -1 with a reason in err, fn not
 * called for any record (a first pass checks everything).
 */
int	cards_parse(const uint8_t *body, size_t len, uint64_t *version,
	    int (*fn)(const struct cards_snaprec *, void *), void *arg,
	    char *err, size_t errsz);

const char *cards_status_name(int);
int	cards_status_parse(const char *, int *);

/* "KEY=VALUE;..." field lookup: 0 and the value copied, or -1. */
int	cards_kv(const char *list, const char *key, char *out, size_t cap);

/* Inside store jobs.  put: a record of the snapshot; one with a balance
 * starts the card's spend since the snapshot at unsettled. */
int	cards_put(struct store_txn *, const struct statekey *,
	    const struct cards_snaprec *, uint64_t unsettled);
/* 0 found, STORE_NOTFOUND, or an error (a record that does not open is an
 * error: STORE_CORRUPT). */
int	cards_get(struct store_txn *, const struct statekey *,
	    const uint8_t hash[STATEKEY_HASHLEN], struct card_rec *);
/* Account open?  0 and *open set, STORE_NOTFOUND, or an error. */
int	cards_account(struct store_txn *, const uint8_t hash[STATEKEY_HASHLEN],
	    int *open);

/*
 * A card's counters, one record in the exposure database under hash |
 * 'C' (store_format 3 and on): one leaf dirtied per decision.  The day's figures
 * are of day (YYYYMMDD); a decision of a later day starts them again.
 */
struct card_count {
	char		 day[9];
	uint64_t	 day_amount, day_count, day_cash;
	uint64_t	 snap_spend;	/* since the card's snapshot */
};

/* 0 (absent: all zero), or an error. */
int	cards_count_get(struct store_txn *, const uint8_t hash[STATEKEY_HASHLEN],
	    struct card_count *);
int	cards_count_put(struct store_txn *, const uint8_t hash[STATEKEY_HASHLEN],
	    const struct card_count *);

#endif
