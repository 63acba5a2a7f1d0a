/*
 * safxfer.c — the export file of an advice queue (safxfer.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/be.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/statekey.h"
#include "gateway/standin/store.h"
#include "gateway/standin/safxfer.h"

#define MAGIC		"GWSAFX1\n"
#define MAGIC_LEN	8
#define LABEL		"gatewayd saf export v1"
#define HDR		crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define ABYTES		crypto_secretstream_xchacha20poly1305_ABYTES

static void
file_key(const struct seal_keyring *ring, uint8_t k[32])
{
	crypto_generichash(k, 32, (const uint8_t *)LABEL, strlen(LABEL),
	    ring->k[0].key, SEAL_KEYLEN);
}

/* --- export ------------------------------------------------------------------- */

struct exp {
	struct store_job job;
	const struct statekey *sk;
	crypto_secretstream_xchacha20poly1305_state st;
	FILE		*f;
	long		 n;
	int		 bad;		/* records that do not open */
	char		 err[160];
};

static int
put_chunk(struct exp *x, const uint8_t *m, size_t len, uint8_t tag)
{
	static uint8_t c[SAF_BODY_MAX + ABYTES];
	uint8_t l[4];

	crypto_secretstream_xchacha20poly1305_push(&x->st, c, NULL, m, len,
	    NULL, 0, tag);
	be32_put(l, (uint32_t)(len + ABYTES));
	if (fwrite(l, 1, 4, x->f) != 4 ||
	    fwrite(c, 1, len + ABYTES, x->f) != len + ABYTES) {
		snprintf(x->err, sizeof x->err, "write failed");
		return -1;
	}
	return 0;
}

static int
exp_one(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct exp *x = arg;
	uint8_t pt[SAF_BODY_MAX];
	long n;

	if (vl < 8 || (n = statekey_open(x->sk, "saf", k, kl,
	    (const uint8_t *)v + 8, vl - 8, pt, sizeof pt)) < 0) {
		x->bad++;
		return 0;
	}
	if (x->n == SAFX_MAX_ADVICES) {
		snprintf(x->err, sizeof x->err, "more than %d advices",
		    SAFX_MAX_ADVICES);
		return 1;
	}
	if (put_chunk(x, pt, (size_t)n, 0) == -1) {
		sodium_memzero(pt, sizeof pt);
		return 1;
	}
	sodium_memzero(pt, sizeof pt);
	x->n++;
	return 0;
}

static int
exp_run(struct store_txn *t, void *arg)
{
	return store_scan(t, STORE_SAF, NULL, 0, exp_one, arg);
}

long
safx_export(const char *dir, const char *state_key,
    const struct seal_keyring *ring, FILE *f, char *err, size_t errsz)
{
	uint8_t key[32], hdr[HDR];
	struct statekey *sk;
	struct store *st;
	struct exp *x;
	long n = -1;
	int rc;

	if (ring->n == 0) {
		snprintf(err, errsz, "no [Pair] KeyFile to seal it with");
		return -1;
	}
	if ((sk = statekey_load(state_key, err, errsz)) == NULL)
		return -1;
	if ((st = store_open(dir, 1024ull * 1024 * 1024, 0, NULL, err,
	    errsz)) == NULL) {
		statekey_free(sk);
		return -1;
	}
	if ((x = calloc(1, sizeof *x)) == NULL)
		goto out;
	x->sk = sk;
	x->f = f;
	file_key(ring, key);
	crypto_secretstream_xchacha20poly1305_init_push(&x->st, hdr, key);
	sodium_memzero(key, sizeof key);
	if (fwrite(MAGIC, 1, MAGIC_LEN, f) != MAGIC_LEN ||
	    fwrite(hdr, 1, HDR, f) != HDR) {
		snprintf(err, errsz, "write failed");
		goto out;
	}
	x->job.run = exp_run;
	x->job.arg = x;
	if ((rc = store_run_now(st, &x->job, 0)) != 0)
		snprintf(err, errsz, "store: %s", store_strerror(rc));
	else if (x->err[0] != '\0')
		snprintf(err, errsz, "%s", x->err);
	else if (x->bad > 0)
		snprintf(err, errsz, "%d advices do not open with %s: a wrong "
		    "state key?", x->bad, state_key);
	else if (put_chunk(x, NULL, 0,
	    crypto_secretstream_xchacha20poly1305_TAG_FINAL) == -1)
		snprintf(err, errsz, "%s", x->err);
	else
		n = x->n;
out:
	if (x != NULL) {
		sodium_memzero(&x->st, sizeof x->st);
		free(x);
	}
	store_close(st);
	statekey_free(sk);
	return n;
}

/* --- reading -------------------------------------------------------------------- */

/* An advice opened from the file: wiped after every read, however it
 * ended (it holds a PAN). */
static uint8_t plain[SAF_BODY_MAX];

/* One pass over the chunks; fn NULL only checks.  The count, or -1. */
static long
read_pass(const uint8_t *buf, size_t len, const uint8_t key[32],
    int (*fn)(const uint8_t *, size_t, void *), void *arg, char *err,
    size_t errsz)
{
	uint8_t *m = plain;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned long long mlen;
	size_t off = MAGIC_LEN + HDR;
	uint32_t cl;
	uint8_t tag = 0;
	long n = 0;

	if (crypto_secretstream_xchacha20poly1305_init_pull(&st,
	    buf + MAGIC_LEN, key) != 0) {
		snprintf(err, errsz, "offset %d: bad header", MAGIC_LEN);
		return -1;
	}
	while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		if (len - off < 4) {
			snprintf(err, errsz, "offset %zu: truncated (no final "
			    "chunk)", off);
			goto fail;
		}
		cl = be32_get(buf + off);
		if (cl < ABYTES || cl > SAF_BODY_MAX + ABYTES ||
		    len - off - 4 < cl) {
			snprintf(err, errsz, "offset %zu: chunk length %u "
			    "out of range or past the end", off, cl);
			goto fail;
		}
		if (crypto_secretstream_xchacha20poly1305_pull(&st, m, &mlen,
		    &tag, buf + off + 4, cl, NULL, 0) != 0) {
			snprintf(err, errsz, "offset %zu: does not open "
			    "(another pair key, or altered)", off);
			goto fail;
		}
		off += 4 + cl;
		if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
			break;
		if (tlv_check(m, (size_t)mlen) == -1 ||
		    tlv_find_str(m, (size_t)mlen, TLV_GATEWAY, (char[64]){ 0 },
		    64) == -1 || tlv_find_u64(m, (size_t)mlen, TLV_ADVICE_ID,
		    &(uint64_t){ 0 }) == -1) {
			snprintf(err, errsz, "advice %ld: not a message TLV "
			    "naming its gateway (0x1007) and advice id "
			    "(0x1006)", n + 1);
			goto fail;
		}
		if (++n > SAFX_MAX_ADVICES) {
			snprintf(err, errsz, "more than %d advices",
			    SAFX_MAX_ADVICES);
			goto fail;
		}
		if (fn != NULL && fn(m, (size_t)mlen, arg) == -1) {
			snprintf(err, errsz, "advice %ld: not taken (this "
			    "appliance's own, or the store refused it)", n);
			goto fail;
		}
	}
	if (off != len) {
		snprintf(err, errsz, "offset %zu: %zu bytes after the final "
		    "chunk", off, len - off);
		goto fail;
	}
	sodium_memzero(&st, sizeof st);
	return n;
fail:
	sodium_memzero(&st, sizeof st);
	return -1;
}

long
safx_read(const uint8_t *buf, size_t len, const struct seal_keyring *ring,
    int (*fn)(const uint8_t *, size_t, void *), void *arg, char *err,
    size_t errsz)
{
	uint8_t key[32];
	long n;

	if (len < MAGIC_LEN + HDR || memcmp(buf, MAGIC, MAGIC_LEN) != 0) {
		snprintf(err, errsz, "offset 0: not an advice export "
		    "(GWSAFX1)");
		return -1;
	}
	if (ring->n == 0) {
		snprintf(err, errsz, "no [Pair] KeyFile to open it with");
		return -1;
	}
	file_key(ring, key);
	n = read_pass(buf, len, key, NULL, NULL, err, errsz);
	if (n >= 0 && fn != NULL)
		n = read_pass(buf, len, key, fn, arg, err, errsz);
	sodium_memzero(key, sizeof key);
	sodium_memzero(plain, sizeof plain);
	return n;
}
