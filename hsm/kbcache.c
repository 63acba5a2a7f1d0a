/*
 * kbcache.c — see kbcache.h.
 */
#include <string.h>

#include <sodium.h>

#include "hsm/kbcache.h"

/*
 * LeakSanitizer does not scan sodium_malloc's private mappings, so the
 * EVP contexts the cache points to would look leaked in ASan and fuzz
 * builds: register the region as a root there.
 */
#if defined(__SANITIZE_ADDRESS__)
#define KBC_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KBC_LSAN 1
#endif
#endif
#ifdef KBC_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define WAYS	4

struct slot {
	uint64_t	hash;
	uint64_t	stamp;		/* last use; 0 = empty */
	size_t		blklen;
	char		blk[KBC_MAX_BLK];
	struct kb_key	key;
};

struct kb_cache {
	uint8_t		kbpk[32];
	size_t		kbpklen;
	uint8_t		hkey[crypto_shorthash_KEYBYTES];
	size_t		nsets;
	uint64_t	clock;
	uint64_t	hits, misses;
	struct slot	slots[];	/* nsets * WAYS */
};

struct kb_cache *
kb_cache_new(const uint8_t *kbpk, size_t kbpklen, size_t nslots)
{
	struct kb_cache *c;
	size_t nsets = nslots / WAYS ? nslots / WAYS : 1;

	if (kbpklen != 16 && kbpklen != 24 && kbpklen != 32)
		return NULL;
	c = sodium_malloc(sizeof *c + nsets * WAYS * sizeof(struct slot));
	if (c == NULL)
		return NULL;
	memset(c, 0, sizeof *c + nsets * WAYS * sizeof(struct slot));
#ifdef KBC_LSAN
	__lsan_register_root_region(c, sizeof *c +
	    nsets * WAYS * sizeof(struct slot));
#endif
	memcpy(c->kbpk, kbpk, kbpklen);
	c->kbpklen = kbpklen;
	c->nsets = nsets;
	crypto_shorthash_keygen(c->hkey);
	return c;
}

static void
slot_clear(struct slot *s)
{
	if (s->key.des.enc != NULL)
		hsm_des_free(&s->key.des);
	sodium_memzero(s, sizeof *s);
}

void
kb_cache_free(struct kb_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsets * WAYS; i++)
		slot_clear(&c->slots[i]);
#ifdef KBC_LSAN
	__lsan_unregister_root_region(c, sizeof *c +
	    c->nsets * WAYS * sizeof(struct slot));
#endif
	sodium_free(c);		/* wipes the rest, including the KBPK */
}

void
kb_cache_stats(const struct kb_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}

static int
fill(struct kb_cache *c, struct slot *s, const char *blk, size_t len)
{
	uint8_t key[KB_MAX_KEY];
	size_t keylen = 0;
	int rc;

	rc = kb_unwrap(c->kbpk, c->kbpklen, blk, len, &s->key.h, key, &keylen);
	if (rc != KB_OK)
		goto out;
	if (s->key.h.algorithm == 'T' || s->key.h.algorithm == 'D') {
		/* 'D' single DES is 8 bytes; 'T' double or triple length. */
		if ((s->key.h.algorithm == 'D') != (keylen == 8) ||
		    hsm_des_init(&s->key.des, key, keylen) == -1) {
			rc = KB_EFORMAT;
			goto out;
		}
		s->key.parity_ok = hsm_des_parity_ok(key, keylen);
		if (hsm_des_kcv(&s->key.des, s->key.kcv) == -1) {
			hsm_des_free(&s->key.des);
			rc = KB_EINTERNAL;
			goto out;
		}
	}
	memcpy(s->blk, blk, len);
	s->blklen = len;
out:
	sodium_memzero(key, sizeof key);
	return rc;
}

int
kb_cache_get(struct kb_cache *c, const char *blk, size_t len,
    const struct kb_key **out)
{
	struct slot *set, *victim;
	uint64_t h;
	size_t i;
	int rc;

	if (len == 0 || len > KBC_MAX_BLK)
		return KB_EFORMAT;
	crypto_shorthash((unsigned char *)&h, (const unsigned char *)blk, len,
	    c->hkey);
	set = &c->slots[(h % c->nsets) * WAYS];
	c->clock++;
	victim = &set[0];
	for (i = 0; i < WAYS; i++) {
		if (set[i].stamp != 0 && set[i].hash == h &&
		    set[i].blklen == len && memcmp(set[i].blk, blk, len) == 0) {
			set[i].stamp = c->clock;
			c->hits++;
			*out = &set[i].key;
			return KB_OK;
		}
		if (set[i].stamp < victim->stamp)
			victim = &set[i];
	}
	c->misses++;
	slot_clear(victim);
	if ((rc = fill(c, victim, blk, len)) != KB_OK) {
		slot_clear(victim);
		return rc;
	}
	victim->hash = h;
	victim->stamp = c->clock;
	*out = &victim->key;
	return KB_OK;
}

int
kb_cache_wrap(const struct kb_cache *c, const char hdr[16],
    const uint8_t *key, size_t keylen, char *out, size_t outsz)
{
	return kb_wrap(c->kbpk, c->kbpklen, hdr, key, keylen, out, outsz);
}
