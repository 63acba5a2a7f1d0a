/*
 * keyfile.h — 32-byte keys written in base64, 44 characters ending in
 * '=' as `wg genkey` writes them, one per file: WireGuard keys, core-link
 * keys, the state key.  libsodium does the constant-time base64.
 */
#ifndef BASE_KEYFILE_H
#define BASE_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define KEY_LEN		32
#define KEY_B64_LEN	45		/* 44 characters + NUL */

/* Exactly 44 canonical base64 characters, nothing around them: 0 or -1. */
int	key_from_base64(uint8_t key[KEY_LEN], const char *s, size_t len);
void	key_to_base64(char out[KEY_B64_LEN], const uint8_t key[KEY_LEN]);
/* One key from a secret file (secretfile.h); whitespace around it is
 * allowed.  0, or -1 with err naming the file.  Nothing read is left in
 * memory but the key. */
int	keyfile_read(uint8_t key[KEY_LEN], const char *path, char *err,
	    size_t errsz);

#endif
