/*
 * force.c — the operator's `gatewayctl standin force on|off|auto`, kept
 * in the store's meta so that a restart does not silently undo it (an
 * appliance forced into stand-in for planned core work must not start
 * sending to that core again after a crash).
 */
#include <stdio.h>
#include <string.h>

#include "gateway/standin/si.h"

struct force_job {
	struct store_job job;
	uint64_t	 v;		/* force + 1; 0: none stored */
};

static int
force_put(struct store_txn *t, void *arg)
{
	struct force_job *f = arg;

	return store_put_u64(t, STORE_META, "force", 5, f->v);
}

int
standin_force_save(int force, char *err, size_t errsz)
{
	struct force_job f;
	int rc;

	if (SI.st == NULL) {
		snprintf(err, errsz, "no store (Durability = none): the force "
		    "lasts until gatewayd stops");
		return -1;
	}
	memset(&f, 0, sizeof f);
	f.job.run = force_put;
	f.job.arg = &f;
	f.v = (uint64_t)force + 1;
	if ((rc = store_run_now(SI.st, &f.job, 1)) != 0) {
		snprintf(err, errsz, "store: %s", store_strerror(rc));
		return -1;
	}
	SI.force_stored = force;
	return 0;
}

int
standin_force_stored(void)
{
	return SI.force_stored;
}
