/*
 * statekey.h — the state key (ARCHITECTURE section 7): one 32-byte key,
 * base64 in StateKeyFile, from which two subkeys are derived:
 *   - the card key: keyed BLAKE2b-256 of a PAN (or account id) names the
 *     record, so the PAN itself is never stored;
 *   - the sealing key: records holding card data are sealed with
 *     XChaCha20-Poly1305 (nonce | ciphertext | tag), bound to the
 *     database and the key they are stored under (associated data), so
 *     a record cannot be moved to another card or database.
 * Both live in sodium_malloc'ed (guarded, mlocked) memory and are wiped by
 * statekey_free().  sodium_init() must have run.
 */
#ifndef GATEWAY_STATEKEY_H
#define GATEWAY_STATEKEY_H

#include <stddef.h>
#include <stdint.h>

#define STATEKEY_HASHLEN	32
#define STATEKEY_SEAL_OVERHEAD	(24 + 16)	/* nonce + mac */

struct statekey;

/* Reads the base64 key from path.  NULL with a message in err. */
struct statekey *statekey_load(const char *path, char *err, size_t errsz);
/* From 32 raw bytes (tests). */
struct statekey *statekey_new(const uint8_t raw[32]);
void	statekey_free(struct statekey *);

/* A 32-byte key for one purpose ("gatewayd dedup digest v1"), derived
 * from the card key: the same after a restart. */
void	statekey_subkey(const struct statekey *, const char *purpose,
	    uint8_t out[32]);
/* Keyed hash of a PAN: domain 'P'.  Of an account id: domain 'A'. */
void	statekey_hash(const struct statekey *, char domain, const char *s,
	    uint8_t out[STATEKEY_HASHLEN]);

/* Seals pt, to be stored in database db under key, into out (ptlen +
 * STATEKEY_SEAL_OVERHEAD bytes): the length written, or -1 when out is
 * too small. */
long	statekey_seal(const struct statekey *, const char *db, const void *key,
	    size_t klen, const void *pt, size_t ptlen, uint8_t *out,
	    size_t cap);
/* Opens what was sealed for db and key: the plaintext length, or -1
 * (short, forged, moved, out too small). */
long	statekey_open(const struct statekey *, const char *db, const void *key,
	    size_t klen, const uint8_t *in, size_t len, void *pt, size_t cap);

#endif
