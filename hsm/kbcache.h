/*
 * kbcache.h — unwrapped key blocks with their ready key schedules.
 *
 * Unwrapping a block costs four AES-CMACs, an AES-CBC decrypt and three
 * EVP context set-ups; a CVV check costs two DES blocks. So hsmd unwraps a
 * given block once and keeps the result, keyed by the block text, in a
 * set-associative cache (SipHash with a random key, least recently used
 * way evicted). The cache lives in one sodium_malloc'd region: locked,
 * guarded, excluded from core dumps, and wiped on eviction and free.
 * (OpenSSL's own copies of the DES key schedules live in its heap and are
 * cleansed by EVP_CIPHER_CTX_free.)
 *
 * A pointer returned by kb_cache_get stays valid until WAYS-1 further
 * gets: enough for a command that uses two or three keys.
 */
#ifndef HSM_KBCACHE_H
#define HSM_KBCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "hsm/des.h"
#include "hsm/keyblock.h"

#define KBC_MAX_BLK	512

struct kb_key {
	struct kb_header h;
	struct hsm_des	 des;		/* des.len == 0 for non-DES keys */
	int		 parity_ok;
	uint8_t		 kcv[8];	/* E_K(0^8) for DES keys */
};

struct kb_cache;

struct kb_cache	*kb_cache_new(const uint8_t *kbpk, size_t kbpklen,
		    size_t nslots);
void		 kb_cache_free(struct kb_cache *);
/* KB_OK and *out set, or a KB_E* code (keyblock.h). */
int		 kb_cache_get(struct kb_cache *, const char *blk, size_t len,
		    const struct kb_key **out);
/* Wrap a key under the cache's KBPK (see kb_wrap). */
int		 kb_cache_wrap(const struct kb_cache *, const char hdr[16],
		    const uint8_t *key, size_t keylen, char *out, size_t outsz);
/* Counters for diagnostics and tests. */
void		 kb_cache_stats(const struct kb_cache *, uint64_t *hits,
		    uint64_t *misses);

#endif
