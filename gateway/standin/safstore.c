/*
 * safstore.c — the advice queue's records, inside the store's write
 * jobs: the next id, an advice appended under it (sealed, bound to its
 * key), or one rewritten in place.  The queue itself is saf.c.
 */
#include <stdint.h>
#include <string.h>

#include "base/be.h"
#include "tunnel/tlv.h"
#include "gateway/standin/saf.h"
#include "gateway/standin/store.h"

#define META_NEXT_ID	"saf_next_id"

int
saf_last_id(struct store_txn *t, uint64_t *id)
{
	return store_get_u64(t, STORE_META, META_NEXT_ID,
	    sizeof META_NEXT_ID - 1, id);
}

int
saf_next_id(struct store_txn *t, uint64_t *id)
{
	int rc;

	rc = saf_last_id(t, id);
	(*id)++;
	return rc;
}

/* Seals buf[0..len) with the id tag appended (cap bytes of room) and
 * stores it under id: a new id past every other (append), or in place. */
static int
put_advice(struct store_txn *t, const struct statekey *k, uint64_t id,
    uint8_t *buf, size_t len, size_t cap, uint64_t now_wall, size_t *outlen,
    int append, int tag)
{
	/* writer thread only; not on the stack (zero-filled by the build) */
	static __thread uint8_t rec[8 + SAF_BODY_MAX + STATEKEY_SEAL_OVERHEAD];
	uint8_t key[8];
	struct tlv_w w;
	long n;

	if (len > cap)
		return STORE_TOOBIG;
	tlv_w_init(&w, buf, cap < SAF_BODY_MAX ? cap : SAF_BODY_MAX);
	w.len = len;
	if (tag)
		tlv_put_u64(&w, TLV_ADVICE_ID, id);
	if (w.err)
		return STORE_TOOBIG;
	be64_put(rec, now_wall);
	be64_put(key, id);
	n = statekey_seal(k, "saf", key, sizeof key, buf, w.len, rec + 8,
	    sizeof rec - 8);
	if (n < 0)
		return STORE_TOOBIG;
	*outlen = w.len;
	if (append)
		return store_append(t, STORE_SAF, key, sizeof key, rec,
		    8 + (size_t)n);
	return store_put(t, STORE_SAF, key, sizeof key, rec, 8 + (size_t)n);
}

int
saf_append(struct store_txn *t, const struct statekey *k, uint8_t *buf,
    size_t len, size_t cap, uint64_t now_wall, size_t *outlen, uint64_t *id)
{
	uint64_t next;
	int rc;

	if ((rc = saf_next_id(t, &next)) != 0 ||
	    (rc = put_advice(t, k, next, buf, len, cap, now_wall, outlen, 1,
	    1)) != 0 || (rc = store_put_u64(t, STORE_META, META_NEXT_ID,
	    sizeof META_NEXT_ID - 1, next)) != 0)
		return rc;
	*id = next;
	return 0;
}

int
saf_replace(struct store_txn *t, const struct statekey *k, uint64_t id,
    uint8_t *buf, size_t len, size_t cap, uint64_t now_wall, size_t *outlen)
{
	return put_advice(t, k, id, buf, len, cap, now_wall, outlen, 0, 1);
}

int
saf_append_peer(struct store_txn *t, const struct statekey *k, uint8_t *buf,
    size_t len, uint64_t now_wall, uint64_t *id)
{
	uint64_t next;
	size_t out;
	int rc;

	if ((rc = saf_next_id(t, &next)) != 0 ||
	    (rc = put_advice(t, k, next, buf, len, len, now_wall, &out, 1,
	    0)) != 0 || (rc = store_put_u64(t, STORE_META, META_NEXT_ID,
	    sizeof META_NEXT_ID - 1, next)) != 0)
		return rc;
	*id = next;
	return 0;
}
