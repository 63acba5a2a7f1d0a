/*
 * storerc.c — the store's result codes: LMDB's mapped to them, and their
 * text.
 */
#include <string.h>

#include <lmdb.h>

#include "base/log.h"
#include "gateway/standin/store-int.h"

int
store_rc(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return STORE_OK;
	case MDB_NOTFOUND:
		return STORE_NOTFOUND;
	case MDB_MAP_FULL:
		return STORE_FULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		return STORE_CORRUPT;
	case MDB_BAD_VALSIZE:
		return STORE_TOOBIG;
	}
	if (rc > 0)
		return rc;		/* errno, from the system */
	log_warnx("event=store_lmdb_error error=\"%s\"", mdb_strerror(rc));
	return STORE_FAILED;
}

const char *
store_strerror(int rc)
{
	switch (rc) {
	case STORE_OK:
		return "ok";
	case STORE_NOTFOUND:
		return "not found";
	case STORE_FULL:
		return "map full";
	case STORE_CORRUPT:
		return "corrupt record";
	case STORE_TOOBIG:
		return "key or value too large";
	case STORE_BUSY:
		return "job queued twice";
	case STORE_CLOSED:
		return "store closing";
	case STORE_FAILED:
		return "lmdb error (logged)";
	}
	return rc > 0 ? strerror(rc) : "unknown store error";
}
