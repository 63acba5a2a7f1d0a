/*
 * store.c — the LMDB environment and what jobs do inside their
 * transaction.  The threads that run the jobs are in storeq.c, the
 * result codes in storerc.c.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "base/be.h"
#include "base/log.h"
#include "gateway/standin/store-int.h"

static const char *const dbnames[STORE_NDB] = {
	"cards", "exposure", "decisions", "saf", "dedup", "meta",
	"peer", "outseen", "outsaf"
};

/* --- inside jobs ------------------------------------------------------------ */

int
store_get(struct store_txn *t, int db, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	MDB_val k = { klen, (void *)(uintptr_t)key }, v;
	int rc;

	if ((rc = mdb_get(t->txn, t->st->dbi[db], &k, &v)) != 0)
		return store_rc(rc);
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

int
store_put(struct store_txn *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val v = { vlen, (void *)(uintptr_t)val };

	return store_rc(mdb_put(t->txn, t->st->dbi[db], &k, &v, 0));
}

/* Keys that only grow (advice and decision ids) go in with MDB_APPEND:
 * no search, and the leaf is filled before a new one is started rather
 * than split in half.  A key that is not past the last one (an old store,
 * a retried batch) is put the ordinary way. */
int
store_append(struct store_txn *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val v = { vlen, (void *)(uintptr_t)val };
	int rc;

	rc = mdb_put(t->txn, t->st->dbi[db], &k, &v, MDB_APPEND);
	if (rc == MDB_KEYEXIST)
		return store_put(t, db, key, klen, val, vlen);
	return store_rc(rc);
}

int
store_del(struct store_txn *t, int db, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };

	return store_rc(mdb_del(t->txn, t->st->dbi[db], &k, NULL));
}

int
store_scan(struct store_txn *t, int db, const void *key, size_t klen,
    int (*fn)(const void *, size_t, const void *, size_t, void *), void *arg)
{
	MDB_cursor *c;
	MDB_val k = { klen, (void *)(uintptr_t)key }, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)) != 0)
		return store_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, key != NULL ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0) {
		if (fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size, arg) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : store_rc(rc);
}

size_t
store_count(struct store_txn *t, int db)
{
	MDB_stat ms;

	if (mdb_stat(t->txn, t->st->dbi[db], &ms) != 0)
		return 0;
	return ms.ms_entries;
}

int
store_get_u64(struct store_txn *t, int db, const void *key, size_t klen,
    uint64_t *v)
{
	const void *p;
	size_t n;
	int rc;

	*v = 0;
	if ((rc = store_get(t, db, key, klen, &p, &n)) == STORE_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (n != 8)
		return STORE_CORRUPT;
	*v = be64_get(p);
	return 0;
}

int
store_put_u64(struct store_txn *t, int db, const void *key, size_t klen,
    uint64_t v)
{
	uint8_t b[8];

	be64_put(b, v);
	return store_put(t, db, key, klen, b, sizeof b);
}

int
store_run_now(struct store *st, struct store_job *j, int wr)
{
	struct store_txn t = { st, NULL };
	int rc;

	if (j->queued)
		return STORE_BUSY;
	if ((rc = mdb_txn_begin(st->env, NULL, wr ? 0 : MDB_RDONLY,
	    &t.txn)) != 0)
		return store_rc(rc);
	if ((rc = j->run(&t, j->arg)) != 0) {
		mdb_txn_abort(t.txn);
		return rc;
	}
	if (wr)
		return store_rc(mdb_txn_commit(t.txn));
	mdb_txn_abort(t.txn);
	return 0;
}

struct store *
store_open(const char *dir, size_t mapsize, unsigned flags,
    struct event_base *base, char *err, size_t errsz)
{
	struct store *st;
	MDB_txn *txn;
	unsigned envflags = MDB_NOTLS;
	int rc, i;

	if ((st = calloc(1, sizeof *st)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	st->efd = -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (flags & STORE_NOMETASYNC)
		envflags |= MDB_NOMETASYNC;
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, STORE_NDB)) != 0 ||
	    (rc = mdb_env_set_maxreaders(st->env, 16)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, mapsize)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, envflags, 0600)) != 0) {
		snprintf(err, errsz, "%s: lmdb: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	{
		int dead = 0;
		mdb_reader_check(st->env, &dead);
	}
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0) {
		snprintf(err, errsz, "%s: lmdb: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	for (i = 0; i < STORE_NDB; i++)
		if ((rc = mdb_dbi_open(txn, dbnames[i], MDB_CREATE,
		    &st->dbi[i])) != 0) {
			mdb_txn_abort(txn);
			snprintf(err, errsz, "%s: lmdb db %s: %s", dir,
			    dbnames[i], mdb_strerror(rc));
			goto fail;
		}
	if ((rc = mdb_txn_commit(txn)) != 0) {
		snprintf(err, errsz, "%s: lmdb: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	if (storeq_start(st, base, err, errsz) == -1)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	storeq_stop(st);
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st);
}

void
store_stats(struct store *st, struct store_stats *out)
{
	MDB_envinfo ei;
	MDB_stat ms;

	pthread_mutex_lock(&st->smu);
	*out = st->s;
	pthread_mutex_unlock(&st->smu);
	if (mdb_env_info(st->env, &ei) == 0 && mdb_env_stat(st->env, &ms) == 0) {
		out->map_size = ei.me_mapsize;
		out->map_used = (uint64_t)(ei.me_last_pgno + 1) * ms.ms_psize;
	}
}
