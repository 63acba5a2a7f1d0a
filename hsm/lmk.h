/*
 * lmk.h — the Local Master Key: AES-256, the key-block protection key for
 * every key hsmd holds.
 *
 * File format (one line of text, so operators can see what they have):
 *   hsm-lmk-v1 unsealed <64 hex>
 *   hsm-lmk-v1 sealed argon2id13 <opslimit> <memlimit> <salt 32H>
 *       <nonce 48H> <ciphertext 96H>
 * Sealed = XChaCha20-Poly1305 (libsodium) under a key from Argon2id
 * (crypto_pwhash) of the passphrase, the text before the nonce as AD, so
 * the KDF parameters cannot be swapped. The LMK is held in sodium_malloc
 * memory (mlocked, guard pages, not dumped) and wiped when freed.
 */
#ifndef HSM_LMK_H
#define HSM_LMK_H

#include <stddef.h>
#include <stdint.h>

#define LMK_LEN		32
#define LMK_KCV_HEX	16

struct lmk {
	uint8_t	key[LMK_LEN];
};

struct lmk	*lmk_generate(void);
void		 lmk_free(struct lmk *);
/* passphrase NULL = unsealed. The file is created with mode 0600. */
int		 lmk_save(const struct lmk *, const char *path,
		    const char *passphrase, size_t pplen);
/* passphrase may be NULL only for an unsealed file. */
struct lmk	*lmk_load(const char *path, const char *passphrase,
		    size_t pplen);
/* 1 if the file is sealed, 0 unsealed, -1 unreadable or not an LMK. */
int		 lmk_file_sealed(const char *path);
/* LMK check value: the first 8 bytes of AES-CMAC_LMK(0^16), 16 hex + NUL. */
int		 lmk_check_value(const struct lmk *, char out[LMK_KCV_HEX + 1]);
/*
 * Read a passphrase file into sodium_malloc memory (trailing newline
 * dropped); free with sodium_free.
 */
char		*lmk_read_passphrase(const char *path, size_t *len);

#endif
