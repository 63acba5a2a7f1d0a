/*
 * zonekey.h — a link's zone keys (doc/architecture.md, "Zone keys"): the
 * scheme's 0800 key change (DE70 161) carries a new ZPK or MAC key under
 * the link's ZMK (ZMKFile); hsmd imports it (A6), its KCV is checked
 * against the one the scheme sent, and it becomes the current key, the
 * one before it the previous, both kept durably in the state directory.
 * 163 asks which key is in use; `gatewayctl link NAME rekey` sends 162,
 * asking the scheme for a new key.
 *
 * DE48 of a 161 (gatewayd's convention; a profile with other codes
 * names them in session.c): one character P (ZPK) or M (MAC key), then
 * the key as ANSI X9.17 "X" + 32H (TDES-ECB under the ZMK), then its
 * KCV, 6H.  The 0810 answers 00 once the key is durable (or when it is
 * the current key already: nothing changes), 63 when the KCV differs or
 * is one of a key the link used before (the last ZONEKEY_USED_MAX, kept
 * durably with the keys: a replayed change), 30 on a DE48 that does not
 * read, 12 without a ZMK, 96 when the HSM or the disk failed.
 */
#ifndef GATEWAY_ZONEKEY_H
#define GATEWAY_ZONEKEY_H

#include <stdint.h>

struct config;
struct conn;
struct event_base;
struct iso_msg;
struct link;

/* The HSM client for imports (none without HSM =), the state directory
 * (none with Durability = none: keys in memory only, said). */
int	zonekey_init(struct event_base *, const struct config *,
	    void (*replies_done)(void *));
/* The MAC and import calls made so far go to the HSM now. */
void	zonekey_flush(void);
void	zonekey_shutdown(void);
/* A link starts: its keys from the state directory. */
void	zonekey_load(struct link *);
/* An 0800 161: answered later, once imported (or refused now). */
void	zonekey_change(struct conn *, const struct iso_msg *);
/* An 0800 163: the current ZPK's KCV in DE48 of the answer r. */
void	zonekey_verify(struct link *, struct iso_msg *r);
/* The operator's rekey: 162 on a signed-on connection; 0 or -1 with a
 * reason in err. */
int	zonekey_rekey(struct link *, char *err, size_t errsz);
/* The ZPK (prev = 0) or the one before (prev = 1) of the named link, a
 * key block, or NULL: the stand-in's PIN checks. */
const char *zonekey_zpk(const char *link, int prev);
/*
 * The key before cur, while it may still verify: only for
 * ZONEKEY_PREV_GRACE_US after cur took over (messages protected just
 * before a change), never after, so a key changed because it leaked
 * stops verifying.  Its block, or NULL.
 */
#define ZONEKEY_PREV_GRACE_US	(60ull * 1000000)
struct zone_key;
const char *zonekey_prev(const struct zone_key *cur,
	    const struct zone_key *prev);
/* The HSM client the zone keys and the MACs use, or NULL. */
struct hsm_client *zonekey_hsm(void);

#endif
