/*
 * key.c — key encodings and X25519.  libsodium does the constant-time
 * base64/hex work and the curve; we add WireGuard's exact shapes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tunnel/wg/key.h"

int
wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *s, size_t len)
{
	size_t binlen, i;
	const char *end;

	if (len != WG_KEY_HEX_LEN - 1)
		return -1;
	/* The UAPI speaks lowercase only; be as strict as wireguard-go. */
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	if (sodium_hex2bin(key, WG_KEY_LEN, s, len, NULL, &binlen, &end) != 0 ||
	    binlen != WG_KEY_LEN)
		return -1;
	return 0;
}

void
wg_key_to_hex(char out[WG_KEY_HEX_LEN], const uint8_t key[WG_KEY_LEN])
{
	sodium_bin2hex(out, WG_KEY_HEX_LEN, key, WG_KEY_LEN);
}

int
wg_key_is_zero(const uint8_t key[WG_KEY_LEN])
{
	return sodium_is_zero(key, WG_KEY_LEN);
}

static void
clamp(uint8_t k[WG_KEY_LEN])
{
	k[0] &= 248;
	k[31] = (k[31] & 127) | 64;
}

int
wg_key_generate(uint8_t key[WG_KEY_LEN])
{
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(key, WG_KEY_LEN);
	clamp(key);
	return 0;
}

int
wg_key_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	uint8_t k[WG_KEY_LEN];
	int rc;

	if (sodium_init() < 0)
		return -1;
	/* libsodium clamps internally too; clamping here keeps the result
	 * identical to wg pubkey for unclamped input by construction. */
	memcpy(k, priv, WG_KEY_LEN);
	clamp(k);
	rc = crypto_scalarmult_base(pub, k);
	sodium_memzero(k, sizeof(k));
	return rc == 0 ? 0 : -1;
}
