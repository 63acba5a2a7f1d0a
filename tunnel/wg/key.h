/*
 * key.h — WireGuard keys: 32 bytes, base64 in files and on the command
 * line, lowercase hex on the UAPI socket.  X25519 via libsodium.
 */
#ifndef TUNNEL_KEY_H
#define TUNNEL_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wg/wg.h"

#define WG_KEY_HEX_LEN	65	/* 64 chars + NUL */

int	wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *, size_t);
void	wg_key_to_hex(char out[WG_KEY_HEX_LEN], const uint8_t key[WG_KEY_LEN]);
int	wg_key_is_zero(const uint8_t key[WG_KEY_LEN]);
/* A private key from the RNG, clamped as wg genkey does.  0 or -1. */
int	wg_key_generate(uint8_t key[WG_KEY_LEN]);
/* X25519 public key of a private key (clamped on the way, like wg). */
int	wg_key_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);

#endif
