/*
 * txnkey.c — the scheme's identity of a transaction.
 */
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/txnkey.h"

static int
append(char *key, size_t cap, size_t *pos, const struct iso_msg *m, int f)
{
	const uint8_t *v;
	size_t len = 0;

	if ((v = iso_get(m, f, &len)) == NULL)
		len = 0;
	if (*pos + len + 2 > cap)
		return -1;
	memcpy(key + *pos, v ? (const char *)v : "", len);
	*pos += len;
	key[(*pos)++] = '|';
	key[*pos] = '\0';
	return 0;
}

int
iso_txn_key(const struct iso_msg *m, char *key, size_t cap)
{
	size_t pos = 3, i;

	if (!iso_has(m, 7) && !iso_has(m, 11))
		return -1;
	if (cap < 8)
		return -1;
	memcpy(key, m->mti, 3);
	key[pos++] = '|';
	key[pos] = '\0';
	if (append(key, cap, &pos, m, 7) == -1 ||
	    append(key, cap, &pos, m, 11) == -1 ||
	    append(key, cap, &pos, m, iso_has(m, 32) ? 32 : 33) == -1 ||
	    append(key, cap, &pos, m, 37) == -1)
		return -1;
	/* Binary junk in a key field must not make a NUL-truncated key. */
	for (i = 0; i < pos; i++)
		if (key[i] == '\0')
			key[i] = '?';
	return 0;
}
