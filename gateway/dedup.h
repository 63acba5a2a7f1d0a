/*
 * dedup.h — duplicate detection in memory (ARCHITECTURE section 3.4).
 *
 * A request is keyed by its link and identity (iso8583/txnkey.h) and
 * its digest: only a repeat with the same digest is the same
 * transaction, and two that share an identity each keep their own entry.  While the first copy is in flight the
 * entry points at its transaction, so a retransmission waits for the
 * same answer; once
 * answered the entry keeps the packed answer for DedupTime, so a later
 * retransmission gets those exact bytes again, with no second decision.
 */
#ifndef GATEWAY_DEDUP_H
#define GATEWAY_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "iso8583/txnkey.h"

struct iso_msg;
struct txn;

#define DEDUP_KEYMAX	ISO_TXNKEY_MAX

struct dd_entry;

int	dedup_init(uint32_t max_entries, uint64_t keep_us);
void	dedup_shutdown(void);
/* The entry for this key and digest, or NULL; *hash is set for a
 * dedup_add after a miss, *other when the key is held under another
 * digest (another transaction with the same identity). */
struct dd_entry *dedup_find(const char *key,
	    const uint8_t digest[ISO_TXNDIGEST_LEN], uint32_t *hash,
	    int *other);
/* In flight: NULL from txn means answered. */
struct txn *dedup_txn(const struct dd_entry *);
const uint8_t *dedup_answer(const struct dd_entry *, size_t *len,
	    const char **de39);
struct dd_entry *dedup_add(const char *key, uint32_t hash,
	    const uint8_t digest[ISO_TXNDIGEST_LEN], struct txn *);
/* The transaction is answered: keep its packed answer. */
void	dedup_answered(struct dd_entry *, const uint8_t *resp, size_t len,
	    const char *de39);
/* Forget an entry whose transaction failed without an answer. */
void	dedup_drop(struct dd_entry *);
void	dedup_expire(uint64_t now);
size_t	dedup_count(void);

#endif
