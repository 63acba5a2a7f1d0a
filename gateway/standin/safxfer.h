/*
 * safxfer.h — a dead appliance's advice queue moved by hand (`gatewayctl
 * saf export|import`, ARCHITECTURE section 13), the last resort when the
 * pair link was down too.  The file holds the advices in queue order,
 * each a message TLV that names its gateway (0x1007) and advice id
 * (0x1006), sealed as one libsodium secretstream (XChaCha20-Poly1305)
 * under BLAKE2b-256(key = K, message = "gatewayd saf export v1"), K the
 * first [Pair] KeyFile key, so a truncated, reordered or altered file is
 * refused, never half-read:
 *
 *   "GWSAFX1\n" | secretstream header (24) |
 *   { u32 BE length | chunk (length bytes: one advice + 17) }* |
 *   the last chunk tagged FINAL, empty
 */
#ifndef GATEWAY_SAFXFER_H
#define GATEWAY_SAFXFER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tunnel/seal.h"

#define SAFX_MAX_ADVICES	1000000

/* Writes every advice of the store in dir (opened with the state key
 * file) to f, sealed under ring's first key: the count, or -1 with err. */
long	safx_export(const char *dir, const char *state_key,
	    const struct seal_keyring *ring, FILE *f, char *err, size_t errsz);

/*
 * Reads a whole file from buf: fn(body, len, arg) for every advice, only
 * once the stream is known to be complete and authentic (it is read
 * twice: checked, then delivered).  The count, or -1 with err naming the
 * offset and what is wrong.
 */
long	safx_read(const uint8_t *buf, size_t len,
	    const struct seal_keyring *ring,
	    int (*fn)(const uint8_t *body, size_t len, void *arg), void *arg,
	    char *err, size_t errsz);

#endif
