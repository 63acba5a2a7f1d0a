/*
 * txnkey.h — the scheme's identity of a transaction (ARCHITECTURE section
 * 3 item 4): what makes a retransmission the same request.  Duplicate
 * detection keys on it, in memory (gateway/dedup.c) and durably
 * (the stand-in's ledger).
 */
#ifndef ISO8583_TXNKEY_H
#define ISO8583_TXNKEY_H

#include <stddef.h>

struct iso_msg;

#define ISO_TXNKEY_MAX	96

/*
 * "CLS|DE7|DE11|DE32 (or DE33)|DE37|" into key: the MTI's first three
 * digits, so a request and its repeat share a key but a reversal does not
 * collide with its original.  -1 when the message has neither DE7 nor
 * DE11 (it is then not de-duplicated) or the key does not fit.
 */
int	iso_txn_key(const struct iso_msg *, char *key, size_t cap);

#endif
