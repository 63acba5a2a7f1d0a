/*
 * txnkey.h — the identity of a transaction (ARCHITECTURE section 3 item
 * 4): what makes a retransmission the same request.  Duplicate detection
 * keys on it, in memory (gateway/dedup.c) and durably (the stand-in's
 * ledger), and replays a kept answer only when the repeat's digest also
 * matches: a request that collides on the key but carries another card
 * or amount is a different transaction.
 */
#ifndef ISO8583_TXNKEY_H
#define ISO8583_TXNKEY_H

#include <stddef.h>
#include <stdint.h>

struct iso_msg;
struct iso_profile;

#define ISO_TXNKEY_MAX		160
#define ISO_TXNDIGEST_LEN	16

/*
 * "LINK|CLS|DE7|DE11|DE32 (or DE33)|DE37|" into key, and DE63 after it
 * on profiles whose scheme names transactions with it (Mastercard).  CLS
 * is the MTI's first three digits, so a request and its repeat share a
 * key but a reversal does not collide with its original.  -1 when the
 * message has neither DE7 nor DE11 (it is then not de-duplicated) or the
 * key does not fit.
 */
int	iso_txn_key(const struct iso_profile *, const char *link,
	    const struct iso_msg *, char *key, size_t cap);

/* BLAKE2b keyed with key over DE2, DE3, DE4, DE49 and the key's own
 * fields (each with its length, absent ones empty).  The stand-in keeps
 * these in its store: the function is part of the store's format. */
void	iso_txn_digest(const struct iso_msg *, const uint8_t key[32],
	    uint8_t out[ISO_TXNDIGEST_LEN]);
/* The same with pan in DE2's place when m has no DE2 (a request that
 * carries its PAN in track 2 only, digested as its advice carries it). */
void	iso_txn_digest_pan(const struct iso_msg *, const char *pan,
	    const uint8_t key[32], uint8_t out[ISO_TXNDIGEST_LEN]);
/* The same input through SipHash-2-4 with a 128-bit output, for digests
 * that live only in memory under a per-process key (the relay's table):
 * ~80 ns a request where BLAKE2b took ~550, more than the codec. */
void	iso_txn_digest_sip(const struct iso_msg *, const uint8_t key[16],
	    uint8_t out[ISO_TXNDIGEST_LEN]);

#endif
