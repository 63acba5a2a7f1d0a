/*
 * share.c — this appliance's share of the pair's stand-in budgets
 * (ARCHITECTURE section 13).  Every cumulative limit (the exposure cap,
 * a range's daily amounts and counts, a card's daily limit and balance)
 * is cut to Share percent here, so that the two appliances together never
 * exceed it even when they cannot talk.  The core moves shares with a
 * SHARE frame: a newer version than the one held is made durable first,
 * then used, then acknowledged; any other is acknowledged with what is
 * held, so a SHARE received twice changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "gateway/standin/si.h"

#define META_SHARE	"pair_share"		/* share + 1; 0: none */
#define META_SHARE_V	"pair_share_version"

struct share_job {
	struct store_job job;
	uint64_t	 share, version;
	char		 core[STANDIN_NAME_MAX];
};

/* "colo-a=100;colo-b=0": our percentage into *mine (-1: we are not
 * named) and the sum of every share into *sum; -1 when an entry is
 * malformed.  The sum is what keeps the pair within every budget. */
static int
share_parse(const char *list, const char *me, int *mine, long *sum)
{
	const char *p = list, *eq, *end;
	size_t ml = strlen(me);
	char *e;
	long v;

	*mine = -1;
	*sum = 0;
	while (*p != '\0') {
		end = p + strcspn(p, ";");
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
			return -1;
		v = strtol(eq + 1, &e, 10);
		if (e != end || e == eq + 1 || v < 0 || v > 100)
			return -1;
		if (*mine == -1 && (size_t)(eq - p) == ml &&
		    memcmp(p, me, ml) == 0)
			*mine = (int)v;
		*sum += v;
		p = *end == ';' ? end + 1 : end;
	}
	return 0;
}

static void
share_apply(uint32_t share, uint64_t version)
{
	SI.share = share;
	SI.share_version = version;
	SI.rules.peer_pct = 100 - share;
}

static void
share_ack(const char *core, uint64_t corr)
{
	uint8_t b[160];
	struct tlv_w w;

	tlv_w_init(&w, b, sizeof b);
	tlv_put_str(&w, TLV_GATEWAY, SI.conf.name);
	tlv_put_u64(&w, TLV_SHARE, SI.share);
	tlv_put_u64(&w, TLV_SHARE_VERSION, SI.share_version);
	if (!w.err)
		SI.ops->send(core, COREFR_SHARE_ACK, corr, b, w.len);
}

static int
share_put(struct store_txn *t, void *arg)
{
	struct share_job *sj = arg;
	uint64_t held;
	int rc;

	/* Two SHAREs queued out of order: the older never overwrites. */
	if ((rc = store_get_u64(t, STORE_META, META_SHARE_V,
	    sizeof META_SHARE_V - 1, &held)) != 0 || held >= sj->version)
		return rc;
	if ((rc = store_put_u64(t, STORE_META, META_SHARE,
	    sizeof META_SHARE - 1, sj->share + 1)) != 0)
		return rc;
	return store_put_u64(t, STORE_META, META_SHARE_V,
	    sizeof META_SHARE_V - 1, sj->version);
}

static void
share_done(void *arg, int rc)
{
	struct share_job *sj = arg;

	if (rc != 0)
		log_warnx("event=share_not_stored version=%llu error=\"%s\" "
		    "reason=\"the share in force is kept\"",
		    (unsigned long long)sj->version, store_strerror(rc));
	else if (sj->version > SI.share_version) {
		log_info("event=share_changed core=%s share=%u to=%llu "
		    "version=%llu", sj->core, SI.share,
		    (unsigned long long)sj->share,
		    (unsigned long long)sj->version);
		share_apply((uint32_t)sj->share, sj->version);
	}
	share_ack(sj->core, sj->version);
	free(sj);
}

void
standin_share(const char *core, uint64_t version, const uint8_t *body,
    size_t len)
{
	struct share_job *sj;
	char list[512];
	long sum;
	int share;

	if (tlv_find_str(body, len, TLV_SHARES, list, sizeof list) == -1 ||
	    share_parse(list, SI.conf.name, &share, &sum) == -1 ||
	    share == -1) {
		log_warnx("event=share_refused core=%s version=%llu "
		    "reason=\"tag 0x2010 missing, malformed or without %s\"",
		    core, (unsigned long long)version, SI.conf.name);
		share_ack(core, version);
		return;
	}
	/* Each appliance keeps to its own share when they cannot talk: only
	 * shares that add up to at most 100 keep the pair within the
	 * ExposureCap and the card limits.  The ack says what is held. */
	if (sum > 100) {
		log_warnx("event=share_refused core=%s version=%llu sum=%ld "
		    "reason=\"the shares add up to more than 100: the pair "
		    "would exceed every budget\"", core,
		    (unsigned long long)version, sum);
		share_ack(core, version);
		return;
	}
	if (!SI.conf.paired || SI.st == NULL || version <= SI.share_version) {
		if (!SI.conf.paired || SI.st == NULL)
			log_warnx("event=share_refused core=%s version=%llu "
			    "reason=\"%s\"", core, (unsigned long long)version,
			    SI.st == NULL ? "no store to keep it in" :
			    "no [Pair]: every budget is this appliance's");
		share_ack(core, version);
		return;
	}
	if ((sj = calloc(1, sizeof *sj)) == NULL)
		return;		/* the core sends it again */
	sj->share = (uint64_t)share;
	sj->version = version;
	snprintf(sj->core, sizeof sj->core, "%s", core);
	sj->job.run = share_put;
	sj->job.done = share_done;
	sj->job.arg = sj;
	if (store_write(SI.st, &sj->job) != 0)
		free(sj);
}

static int
share_get(struct store_txn *t, void *arg)
{
	struct share_job *sj = arg;
	int rc;

	if ((rc = store_get_u64(t, STORE_META, META_SHARE,
	    sizeof META_SHARE - 1, &sj->share)) != 0)
		return rc;
	return store_get_u64(t, STORE_META, META_SHARE_V,
	    sizeof META_SHARE_V - 1, &sj->version);
}

/* At start: the stored share, else the configured one. */
int
si_share_load(char *err, size_t errsz)
{
	struct share_job sj;
	int rc;

	if (!SI.conf.paired) {
		share_apply(100, 0);
		return 0;
	}
	share_apply(SI.conf.share, 0);
	if (SI.st == NULL)
		return 0;
	memset(&sj, 0, sizeof sj);
	sj.job.run = share_get;
	sj.job.arg = &sj;
	if ((rc = store_run_now(SI.st, &sj.job, 0)) != 0) {
		snprintf(err, errsz, "store: %s", store_strerror(rc));
		return -1;
	}
	if (sj.share != 0)
		share_apply((uint32_t)sj.share - 1, sj.version);
	return 0;
}

/* On reload: the configured share, unless the core has set one. */
void
si_share_reconfigure(void)
{
	if (!SI.conf.paired)
		share_apply(100, 0);
	else if (SI.share_version == 0)
		share_apply(SI.conf.share, 0);
	else
		SI.rules.peer_pct = 100 - SI.share;
}

void
standin_share_info(uint32_t *share, uint64_t *version, int *paired)
{
	*share = SI.share;
	*version = SI.share_version;
	*paired = SI.conf.paired;
}
