/*
 * keyblock.c — TR-31 version D style wrap/unwrap (see keyblock.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hsm/aes.h"
#include "base/hex.h"
#include "hsm/keyblock.h"

#define KB_MAC_LEN	16

/* KBEK (kind 0) or KBAK (kind 1) from the KBPK by CMAC in counter mode. */
static int
derive(const uint8_t *kbpk, size_t kbpklen, int kind, uint8_t *out)
{
	uint8_t dd[8], blk[16];
	size_t i, n = (kbpklen + 15) / 16;
	int rc = 0;

	dd[1] = 0;
	dd[2] = (uint8_t)kind;
	dd[3] = 0;			/* separator */
	dd[4] = 0;
	dd[5] = kbpklen == 16 ? 2 : kbpklen == 24 ? 3 : 4;
	dd[6] = (uint8_t)((kbpklen * 8) >> 8);
	dd[7] = (uint8_t)(kbpklen * 8);
	for (i = 0; i < n && rc == 0; i++) {
		dd[0] = (uint8_t)(i + 1);
		rc = hsm_aes_cmac(kbpk, kbpklen, dd, sizeof dd, blk);
		memcpy(out + 16 * i, blk, kbpklen - 16 * i < 16 ?
		    kbpklen - 16 * i : 16);
	}
	sodium_memzero(blk, sizeof blk);
	return rc;
}

static int
is_an(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

int
kb_parse_header(const char *blk, size_t len, struct kb_header *h)
{
	long v;
	size_t off;
	int i;

	memset(h, 0, sizeof *h);
	if (len < KB_HDR_LEN)
		return KB_EFORMAT;
	h->version = blk[0];
	if (h->version != '1' && h->version != 'D')
		return KB_EFORMAT;
	if ((v = num_parse(blk + 1, 4, 10)) < 0 || (size_t)v != len)
		return KB_EFORMAT;
	memcpy(h->usage, blk + 5, 2);
	h->algorithm = blk[7];
	h->mode = blk[8];
	memcpy(h->kvn, blk + 9, 2);
	h->exportability = blk[11];
	if (!is_an(h->usage[0]) || !is_an(h->usage[1]) ||
	    !is_an(h->algorithm) || !is_an(h->mode) || !is_an(h->kvn[0]) ||
	    !is_an(h->kvn[1]) || !is_an(h->exportability))
		return KB_EFORMAT;
	if ((v = num_parse(blk + 12, 2, 10)) < 0)
		return KB_EFORMAT;
	h->nopt = (int)v;
	memcpy(h->lmkid, blk + 14, 2);
	off = KB_HDR_LEN;
	/* Optional blocks: id(2) length(2H, counts id and length) data. */
	for (i = 0; i < h->nopt; i++) {
		if (len < off + 4)
			return KB_EFORMAT;
		v = num_parse(blk + off + 2, 2, 16);
		if (v < 4 || len < off + (size_t)v)
			return KB_EFORMAT;
		off += (size_t)v;
	}
	h->hdrlen = off;
	/* What follows: hex key field (whole AES blocks) and a hex MAC. */
	if (len < off + 2 * (16 + KB_MAC_LEN) ||
	    (len - off - 2 * KB_MAC_LEN) % 32 != 0)
		return KB_EFORMAT;
	return KB_OK;
}

int
kb_wrap(const uint8_t *kbpk, size_t kbpklen, const char hdr[16],
    const uint8_t *key, size_t keylen, char *out, size_t outsz)
{
	uint8_t kbek[32], kbak[32], field[48], enc[48], mac[16], *macin;
	size_t flen, total, n;
	int rc = KB_EINTERNAL;

	if (keylen == 0 || keylen > KB_MAX_KEY)
		return KB_EFORMAT;
	flen = (2 + keylen + 15) / 16 * 16;
	total = KB_HDR_LEN + 2 * flen + 2 * KB_MAC_LEN;
	if (outsz < total + 1)
		return KB_EFORMAT;
	memcpy(out, hdr, KB_HDR_LEN);
	snprintf(out + 1, 5, "%04zu", total);
	out[5] = hdr[5];		/* snprintf's NUL overwrote usage[0] */
	field[0] = (uint8_t)((keylen * 8) >> 8);
	field[1] = (uint8_t)(keylen * 8);
	memcpy(field + 2, key, keylen);
	randombytes_buf(field + 2 + keylen, flen - 2 - keylen);

	n = KB_HDR_LEN + flen;
	if ((macin = sodium_malloc(n)) == NULL)
		goto out;
	memcpy(macin, out, KB_HDR_LEN);
	memcpy(macin + KB_HDR_LEN, field, flen);
	if (derive(kbpk, kbpklen, 0, kbek) == 0 &&
	    derive(kbpk, kbpklen, 1, kbak) == 0 &&
	    hsm_aes_cmac(kbak, kbpklen, macin, n, mac) == 0 &&
	    hsm_aes_cbc(kbek, kbpklen, 1, mac, field, enc, flen) == 0) {
		hex_encode(enc, flen, out + KB_HDR_LEN);
		hex_encode(mac, KB_MAC_LEN, out + KB_HDR_LEN + 2 * flen);
		out[total] = '\0';
		rc = KB_OK;
	}
	sodium_free(macin);
out:
	sodium_memzero(kbek, sizeof kbek);
	sodium_memzero(kbak, sizeof kbak);
	sodium_memzero(field, sizeof field);
	return rc;
}

int
kb_unwrap(const uint8_t *kbpk, size_t kbpklen, const char *blk, size_t len,
    struct kb_header *h, uint8_t *key, size_t *keylen)
{
	uint8_t kbek[32], kbak[32], mac[16], calc[16];
	uint8_t *enc = NULL, *field = NULL, *macin = NULL;
	size_t flen, bits;
	int rc;

	if ((rc = kb_parse_header(blk, len, h)) != KB_OK)
		return rc;
	flen = (len - h->hdrlen - 2 * KB_MAC_LEN) / 2;
	rc = KB_EINTERNAL;
	if ((enc = malloc(flen)) == NULL ||
	    (field = sodium_malloc(flen)) == NULL ||
	    (macin = sodium_malloc(h->hdrlen + flen)) == NULL)
		goto out;
	if (hex_decode_exact(blk + h->hdrlen, 2 * flen, enc, flen) == -1 ||
	    hex_decode_exact(blk + len - 2 * KB_MAC_LEN, 2 * KB_MAC_LEN, mac,
	    KB_MAC_LEN) == -1) {
		rc = KB_EFORMAT;
		goto out;
	}
	if (derive(kbpk, kbpklen, 0, kbek) == -1 ||
	    derive(kbpk, kbpklen, 1, kbak) == -1 ||
	    hsm_aes_cbc(kbek, kbpklen, 0, mac, enc, field, flen) == -1)
		goto out;
	memcpy(macin, blk, h->hdrlen);
	memcpy(macin + h->hdrlen, field, flen);
	if (hsm_aes_cmac(kbak, kbpklen, macin, h->hdrlen + flen, calc) == -1)
		goto out;
	if (sodium_memcmp(calc, mac, KB_MAC_LEN) != 0) {
		rc = KB_EAUTH;
		goto out;
	}
	bits = (size_t)field[0] << 8 | field[1];
	if (bits % 8 != 0 || bits == 0 || bits / 8 > KB_MAX_KEY ||
	    bits / 8 + 2 > flen) {
		rc = KB_EFORMAT;
		goto out;
	}
	*keylen = bits / 8;
	memcpy(key, field + 2, *keylen);
	rc = KB_OK;
out:
	free(enc);
	if (field)
		sodium_free(field);
	if (macin)
		sodium_free(macin);
	sodium_memzero(kbek, sizeof kbek);
	sodium_memzero(kbak, sizeof kbak);
	return rc;
}
