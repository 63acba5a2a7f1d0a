/* idhash.c — see idhash.h. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/idhash.h"

#define IDHASH_BITS	16

_Static_assert(sizeof(((struct idhash *)0)->key) ==
    crypto_shorthash_KEYBYTES, "idhash key is a SipHash key");

/*
 * Keyed (SipHash, a key of the table's own): some ids are chosen by a
 * peer (the core's corr_ids, the other appliance's advice ids), and an
 * unkeyed hash lets a peer put them all in one chain, every look-up a
 * walk of it.
 */
static struct idlink **
bucket(const struct idhash *h, uint64_t id)
{
	uint8_t in[8], out[crypto_shorthash_BYTES];
	uint64_t v;

	memcpy(in, &id, sizeof in);
	crypto_shorthash(out, in, sizeof in, h->key);
	memcpy(&v, out, sizeof v);
	return &h->b[v & (((uint64_t)1 << IDHASH_BITS) - 1)];
}

int
idhash_init(struct idhash *h)
{
	if (sodium_init() < 0)
		return -1;
	crypto_shorthash_keygen(h->key);
	h->b = calloc((size_t)1 << IDHASH_BITS, sizeof *h->b);
	return h->b != NULL ? 0 : -1;
}

void
idhash_free(struct idhash *h)
{
	free(h->b);
	h->b = NULL;
	sodium_memzero(h->key, sizeof h->key);
}

void
idhash_add(struct idhash *h, struct idlink *l)
{
	struct idlink **b = bucket(h, l->id);

	l->next = *b;
	*b = l;
}

void
idhash_del(struct idhash *h, struct idlink *l)
{
	struct idlink **pp = bucket(h, l->id);

	while (*pp != l)
		pp = &(*pp)->next;
	*pp = l->next;
}

struct idlink *
idhash_find(const struct idhash *h, uint64_t id)
{
	struct idlink *l = *bucket(h, id);

	while (l != NULL && l->id != id)
		l = l->next;
	return l;
}
