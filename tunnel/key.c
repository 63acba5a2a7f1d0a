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

#include "iso8583/secretfile.h"
#include "tunnel/key.h"

int
wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *s)
{
	size_t binlen;
	const char *end;
	uint8_t tmp[WG_KEY_LEN];

	/* Exactly 44 characters ending in one '=', as wg writes them; the
	 * library rejects non-canonical trailing bits for us. */
	if (strlen(s) != WG_KEY_B64_LEN - 1 || s[WG_KEY_B64_LEN - 2] != '=' )
		return -1;
	if (sodium_init() < 0)
		return -1;
	if (sodium_base642bin(tmp, sizeof(tmp), s, WG_KEY_B64_LEN - 1, NULL,
	    &binlen, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    binlen != WG_KEY_LEN || *end != '\0') {
		sodium_memzero(tmp, sizeof(tmp));
		return -1;
	}
	memcpy(key, tmp, WG_KEY_LEN);
	sodium_memzero(tmp, sizeof(tmp));
	return 0;
}

void
wg_key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN])
{
	sodium_bin2base64(out, WG_KEY_B64_LEN, key, WG_KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
}

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

int
wg_key_load_file(uint8_t key[WG_KEY_LEN], const char *path, char *err,
    size_t errlen)
{
	char buf[128];
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (secret_fd_ok(fd, path, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			sodium_memzero(buf, sizeof(buf));
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	if (wg_key_from_base64(key, buf) == -1) {
		snprintf(err, errlen, "%s: not a base64 WireGuard key "
		    "(44 characters ending in '=')", path);
		sodium_memzero(buf, sizeof(buf));
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return 0;
}
