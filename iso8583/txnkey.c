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

void
iso_txn_digest(const struct iso_msg *m, const uint8_t key[32],
    uint8_t out[ISO_TXNDIGEST_LEN])
{
	static const int fields[] = { 2, 3, 4, 49, 7, 11, 32, 33, 37, 63 };
	crypto_generichash_state st;
	const uint8_t *v;
	uint8_t lenb[2];
	size_t i, len;

	crypto_generichash_init(&st, key, 32, ISO_TXNDIGEST_LEN);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if ((v = iso_get(m, fields[i], &len)) == NULL)
			len = 0;
		/* Lengths keep "12"+"3" apart from "1"+"23". */
		lenb[0] = (uint8_t)(len >> 8);
		lenb[1] = (uint8_t)len;
		crypto_generichash_update(&st, lenb, 2);
		if (len > 0)
			crypto_generichash_update(&st, v, len);
	}
	crypto_generichash_final(&st, out, ISO_TXNDIGEST_LEN);
	sodium_memzero(&st, sizeof st);
}
