/*
 * txnkey.c — the identity of a transaction, and its digest.
 */
#include <string.h>

#include <sodium.h>

#include "iso8583/iso8583.h"
#include "iso8583/txnkey.h"

static int
append(char *key, size_t cap, size_t *pos, const void *v, size_t len)
{
	if (*pos + len + 2 > cap)
		return -1;
	memcpy(key + *pos, v, len);
	*pos += len;
	key[(*pos)++] = '|';
	key[*pos] = '\0';
	return 0;
}

static int
append_field(char *key, size_t cap, size_t *pos, const struct iso_msg *m,
    int f)
{
	const uint8_t *v;
	size_t len = 0;

	if ((v = iso_get(m, f, &len)) == NULL)
		len = 0;
	return append(key, cap, pos, v != NULL ? v : (const uint8_t *)"",
	    len);
}

int
iso_txn_key(const struct iso_profile *p, const char *link,
    const struct iso_msg *m, char *key, size_t cap)
{
	size_t pos = 0, i;

	if (!iso_has(m, 7) && !iso_has(m, 11))
		return -1;
	if (cap < 8 || append(key, cap, &pos, link, strlen(link)) == -1 ||
	    append(key, cap, &pos, m->mti, 3) == -1 ||
	    append_field(key, cap, &pos, m, 7) == -1 ||
	    append_field(key, cap, &pos, m, 11) == -1 ||
	    append_field(key, cap, &pos, m, iso_has(m, 32) ? 32 : 33) == -1 ||
	    append_field(key, cap, &pos, m, 37) == -1 ||
	    (p->id_de63 && append_field(key, cap, &pos, m, 63) == -1))
		return -1;
	/* Binary junk in a key field must not make a NUL-truncated key. */
	for (i = 0; i < pos; i++)
		if (key[i] == '\0')
			key[i] = '?';
	return 0;
}

/*
 * What a digest covers: DE2, DE3, DE4, DE49 and the key's fields, each
 * after its length as two bytes (so "12"+"3" and "1"+"23" differ), an
 * absent one as length 0.  Normalised values total at most ISO_BUF_MAX.
 */
static const int digest_fields[] = { 2, 3, 4, 49, 7, 11, 32, 33, 37, 63 };
#define DIGEST_NFIELDS	(sizeof digest_fields / sizeof digest_fields[0])
#define DIGEST_IN_MAX	(2 * DIGEST_NFIELDS + ISO_BUF_MAX)
/* digest_input writes every byte hashed before it is read: no need for
 * -ftrivial-auto-var-init to clear 8 KiB on every request first (that
 * was half the SipHash digest's time). */
#define DIGEST_IN_BUF	__attribute__((uninitialized)) uint8_t

/* pan (NULL: none) stands for an absent DE2. */
static size_t
digest_input(const struct iso_msg *m, const char *pan,
    uint8_t in[DIGEST_IN_MAX])
{
	const uint8_t *v;
	size_t i, len, n = 0;

	for (i = 0; i < DIGEST_NFIELDS; i++) {
		if ((v = iso_get(m, digest_fields[i], &len)) == NULL &&
		    digest_fields[i] == 2 && pan != NULL) {
			v = (const uint8_t *)pan;
			len = strlen(pan);
		} else if (v == NULL)
			len = 0;
		in[n++] = (uint8_t)(len >> 8);
		in[n++] = (uint8_t)len;
		if (len > 0)
			memcpy(in + n, v, len);
		n += len;
	}
	return n;
}

void
iso_txn_digest(const struct iso_msg *m, const uint8_t key[32],
    uint8_t out[ISO_TXNDIGEST_LEN])
{
	iso_txn_digest_pan(m, NULL, key, out);
}

void
iso_txn_digest_pan(const struct iso_msg *m, const char *pan,
    const uint8_t key[32], uint8_t out[ISO_TXNDIGEST_LEN])
{
	DIGEST_IN_BUF in[DIGEST_IN_MAX];
	size_t n = digest_input(m, pan, in);

	crypto_generichash(out, ISO_TXNDIGEST_LEN, in, n, key, 32);
	sodium_memzero(in, n);		/* it holds the PAN */
}

void
iso_txn_digest_sip(const struct iso_msg *m, const uint8_t key[16],
    uint8_t out[ISO_TXNDIGEST_LEN])
{
	DIGEST_IN_BUF in[DIGEST_IN_MAX];
	size_t n = digest_input(m, NULL, in);

	crypto_shorthash_siphashx24(out, in, n, key);
	sodium_memzero(in, n);
}
