/*
 * snapshot.c — a SNAPSHOT from the core into the cards database, on the
 * writer thread, acknowledged once durable (ARCHITECTURE section 4).
 * Versions only go up: one older than or equal to the version the store
 * holds (kept durably in meta) changes nothing, and is acknowledged with
 * the store's version, so a replayed or re-sealed old snapshot cannot
 * bring back a card state the core has since replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/si.h"

struct snap_job {
	struct store_job	 job;
	char			 core[STANDIN_NAME_MAX];
	uint64_t		 corr;
	uint64_t		 version;	/* the frame's */
	uint64_t		 held;		/* the store's, after the job */
	uint64_t		 wall;		/* applied at, µs */
	int			 ok, old;
	size_t			 ncards;
	char			 err[128];
	struct store_txn	*txn;
	int			 rc;
	size_t			 len;
	uint8_t			 body[];
};

static int
snap_one(const struct cards_snaprec *r, void *arg)
{
	struct snap_job *sj = arg;

	if ((sj->rc = cards_put(sj->txn, SI.key, r)) != 0)
		return -1;
	sj->ncards++;
	return 0;
}

/* The version a SNAPSHOT body starts with (its first tag). */
static int
body_version(const uint8_t *b, size_t len, uint64_t *v)
{
	return tlv_find_u64(b, len, TLV_SNAP_VERSION, v);
}

static int
snap_run(struct store_txn *t, void *arg)
{
	struct snap_job *sj = arg;
	int rc;

	sj->txn = t;
	sj->rc = 0;
	sj->ncards = 0;
	sj->ok = sj->old = 0;
	if ((rc = store_get_u64(t, STORE_META, "snapshot_version", 16,
	    &sj->held)) != 0)
		return rc;
	if (body_version(sj->body, sj->len, &sj->version) == 0 &&
	    sj->version <= sj->held) {
		sj->old = 1;		/* acknowledged, nothing changes */
		return 0;
	}
	if (cards_parse(sj->body, sj->len, &sj->version, snap_one, sj,
	    sj->err, sizeof sj->err) == -1)
		return sj->rc;		/* 0: rejected body, nothing written */
	sj->ok = 1;
	sj->held = sj->version;
	sj->wall = wall_us();
	if ((rc = store_put_u64(t, STORE_META, "snapshot_time", 13,
	    sj->wall)) != 0)
		return rc;
	return store_put_u64(t, STORE_META, "snapshot_version", 16,
	    sj->version);
}

static void
snap_done(void *arg, int rc)
{
	struct snap_job *sj = arg;
	uint8_t b[64];
	struct tlv_w w;

	if (rc != 0 || (!sj->ok && !sj->old)) {
		SI.snapshot_bad++;
		log_warnx("event=snapshot_rejected corr=%llu reason=\"%s\"",
		    (unsigned long long)sj->corr,
		    rc != 0 ? store_strerror(rc) : sj->err);
	} else {
		if (sj->old) {
			SI.snapshot_old++;
			log_info("event=snapshot_not_newer version=%llu "
			    "held=%llu reason=\"versions only go up\"",
			    (unsigned long long)sj->version,
			    (unsigned long long)sj->held);
		} else {
			SI.snapshot_version = sj->version;
			SI.snapshot_wall_us = sj->wall;
			SI.snapshot_cards += sj->ncards;
			log_debug("event=snapshot_applied version=%llu "
			    "cards=%zu", (unsigned long long)sj->version,
			    sj->ncards);
		}
		tlv_w_init(&w, b, sizeof b);
		tlv_put_u64(&w, TLV_SNAP_VERSION, sj->held);
		SI.ops->send(sj->core, COREFR_SNAPSHOT_ACK, sj->corr, b, w.len);
	}
	sodium_memzero(sj->body, sj->len);
	free(sj);
}

void
standin_snapshot(const char *core, uint64_t corr, const uint8_t *body,
    size_t len)
{
	struct snap_job *sj;

	if (!SI.up || (sj = malloc(sizeof *sj + len)) == NULL)
		return;
	memset(sj, 0, sizeof *sj);
	snprintf(sj->core, sizeof sj->core, "%s", core);
	sj->corr = corr;
	sj->len = len;
	memcpy(sj->body, body, len);
	sj->job.run = snap_run;
	sj->job.done = snap_done;
	sj->job.arg = sj;
	store_write(SI.st, &sj->job);
}
