/*
 * seal.h — sealed core-link frames: keys, key ids, seal/open with
 * crypto_aead_xchacha20poly1305_ietf (ARCHITECTURE section 4).  Which
 * key seals which direction is corekeys.h's; what was seen, replay.h's.
 *
 *   sealed frame = key_id (u32 BE) | nonce (24) | ciphertext + tag (16)
 *   AD           = GUE header (4) || key_id (4)
 *   key_id       = first 4 bytes, big-endian, of BLAKE2b-256(the key)
 *
 * A keyring holds up to SEAL_MAXKEYS keys: the first one seals, all of them
 * open, so keys rotate without a gap.  Call sodium_init() (or seal_init())
 * once before anything here.
 */
#ifndef TUNNEL_SEAL_H
#define TUNNEL_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SEAL_KEYLEN	32
#define SEAL_NONCELEN	24
#define SEAL_TAGLEN	16
#define SEAL_IDLEN	4
#define SEAL_OVERHEAD	(SEAL_IDLEN + SEAL_NONCELEN + SEAL_TAGLEN)	/* 44 */
#define SEAL_MAXKEYS	8


struct seal_key {
	uint32_t	id;
	uint8_t		key[SEAL_KEYLEN];
};

struct seal_keyring {
	int		n;
	struct seal_key	k[SEAL_MAXKEYS];	/* k[0] seals */
};

/* libsodium init and the nonce generator (random prefix per process,
 * then a counter); 0 or -1.  Without it the first seal seeds lazily. */
int	seal_init(void);

uint32_t seal_key_id(const uint8_t key[SEAL_KEYLEN]);

void	seal_keyring_init(struct seal_keyring *);
/* Adds a raw key (the first added seals).  -1 when full or already there. */
int	seal_keyring_add(struct seal_keyring *, const uint8_t key[SEAL_KEYLEN]);
/* Reads one base64 key from a file and adds it.  -1 with errno/err text. */
int	seal_keyring_add_file(struct seal_keyring *, const char *path,
	    char *err, size_t errsz);
/* Wipes key material. */
void	seal_keyring_clear(struct seal_keyring *);
const struct seal_key *seal_keyring_find(const struct seal_keyring *,
	    uint32_t id);

/*
 * Seals pt into out (key_id | nonce | ct+tag) under the ring's first key
 * with a random nonce; gue is the 4-byte header the datagram starts with.
 * Returns bytes written (ptlen + SEAL_OVERHEAD) or -1 (no key, no room).
 */
ssize_t	seal_seal(const struct seal_keyring *, const uint8_t gue[4],
	    const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap);

enum seal_err { SEAL_OK, SEAL_ESHORT, SEAL_EKEY, SEAL_EAUTH, SEAL_EROOM };

/*
 * Opens a sealed frame (starting at key_id) into pt.  Returns the
 * plaintext length, or -1 with *why set: SEAL_ESHORT (too short),
 * SEAL_EKEY (key id not in the ring), SEAL_EAUTH (tag mismatch),
 * SEAL_EROOM (pt too small).
 */
ssize_t	seal_open(const struct seal_keyring *, const uint8_t gue[4],
	    const uint8_t *in, size_t len, uint8_t *pt, size_t cap,
	    enum seal_err *why);

#endif
