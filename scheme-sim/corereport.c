/*
 * corereport.c — the counters of `scheme-sim core` at exit: a summary on
 * stdout for people, a JSON document (--json) for scripts.  One table of
 * counters serves both, in the order both have always had; then, by
 * gateway of the pair: the addresses heard, the advices each gateway made
 * (new, duplicate) and who delivered them, and the shares each acked.
 */
#include <stdio.h>
#include <string.h>

#include "scheme-sim/coresim.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/snapshot.h"

struct counter {
	const char	*key;		/* in the JSON */
	const char	*text;		/* in the summary, before the value */
	const char	*close;		/* in the summary, after it */
	uint64_t	 v;
};

#define NCOUNTERS	16

static void
counters(const struct coresim *cs, struct counter c[NCOUNTERS])
{
	const struct counter all[NCOUNTERS] = {
		{ "received", " received=", "", cs->rx },
		{ "auth_requests", " auth_requests=", "",
		    cs->rx_type[COREFR_AUTH_REQUEST] },
		{ "answered", " answered=", "", cs->answered },
		{ "heartbeats", " heartbeats=", "",
		    cs->rx_type[COREFR_HEARTBEAT] },
		{ "advices", " advices=", "", cs->advices },
		{ "advice_unique", " (unique=", "", cs->rec.unique },
		{ "advice_dups", " dups=", "", cs->advice_dups },
		{ "advice_undetected", " undetected=", ")",
		    cs->rec.undetected },
		{ "out_requests", " out_requests=", "", cs->out_req },
		{ "out_responses", " out_responses=", "", cs->out_resp },
		{ "dropped", " dropped=", "", cs->dropped },
		{ "blackholed", " blackholed=", "", cs->blackholed_n },
		{ "delayed", " delayed=", "", cs->delayed },
		{ "bad_body", " bad_body=", "", cs->bad_body },
		{ "unexpected", " unexpected=", "", cs->unexpected },
		{ "send_errors", " send_errors=", "", cs->send_err },
	};
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		c[i] = all[i];
}

/* The made-by totals of advstat rows from i on with row i's origin, and
 * whether row i is the first with it. */
static int
origin_sum(const struct coresim *cs, int i, uint64_t *fresh, uint64_t *dup)
{
	int j;

	for (j = 0; j < i; j++)
		if (strcmp(cs->advst[j].origin, cs->advst[i].origin) == 0)
			return 0;
	*fresh = *dup = 0;
	for (j = i; j < cs->nadvst; j++)
		if (strcmp(cs->advst[j].origin, cs->advst[i].origin) == 0) {
			*fresh += cs->advst[j].fresh;
			*dup += cs->advst[j].dup;
		}
	return 1;
}

static void
text_gateways(const struct coresim *cs, FILE *f)
{
	const struct core_advstat *a;
	char addr[64];
	uint64_t fresh, dup;
	int i, j;

	for (i = 0; i < cs->ngw; i++)
		fprintf(f, "  gateway %s name=%s frames=%llu "
		    "snapshot_acked=%llu\n", sim_addr_str((const struct
		    sockaddr *)&cs->gws[i].addr, addr, sizeof addr),
		    cs->gws[i].name[0] ? cs->gws[i].name : "?",
		    (unsigned long long)cs->gws[i].frames,
		    (unsigned long long)sim_snap_gw_acked(cs->snap, i));
	for (i = 0; i < cs->nadvst; i++) {
		if (!origin_sum(cs, i, &fresh, &dup))
			continue;
		fprintf(f, "  advices of %s: new=%llu dup=%llu, delivered by",
		    cs->advst[i].origin[0] ? cs->advst[i].origin : "\"\"",
		    (unsigned long long)fresh, (unsigned long long)dup);
		for (j = i; j < cs->nadvst; j++) {
			a = &cs->advst[j];
			if (strcmp(a->origin, cs->advst[i].origin) == 0)
				fprintf(f, " %s=%llu", a->by,
				    (unsigned long long)(a->fresh + a->dup));
		}
		fprintf(f, "\n");
	}
	for (i = 0; i < cs->nshares; i++)
		fprintf(f, "  share of %s: %u%% version=%llu acks=%llu\n",
		    cs->shares[i].name, cs->shares[i].pct,
		    (unsigned long long)cs->shares[i].version,
		    (unsigned long long)cs->shares[i].acks);
	if (cs->move.state != MOVE_NONE || cs->share_sent)
		fprintf(f, "  share move: %s version=%llu sent=%llu acks=%llu\n",
		    core_move_state_name(cs->move.state),
		    (unsigned long long)cs->move.version,
		    (unsigned long long)cs->share_sent,
		    (unsigned long long)cs->share_acks);
}

void
core_report_text(const struct coresim *cs, FILE *f)
{
	struct counter c[NCOUNTERS];
	size_t i;

	counters(cs, c);
	fprintf(f, "scheme-sim core:");
	for (i = 0; i < NCOUNTERS; i++)
		fprintf(f, "%s%llu%s", c[i].text, (unsigned long long)c[i].v,
		    c[i].close);
	fprintf(f, "\n  DE39:");
	for (i = 0; i < 100; i++)
		if (cs->by_rc[i])
			fprintf(f, " %02zu=%llu", i,
			    (unsigned long long)cs->by_rc[i]);
	fprintf(f, "\n  rejected:");
	for (i = 1; i < COREFR_R_MAX; i++)
		fprintf(f, " %s=%llu", corefr_reject_name((int)i),
		    (unsigned long long)cs->rejected[i]);
	fprintf(f, "\n");
	text_gateways(cs, f);
}

static json_t *
json_by_rc(const struct coresim *cs)
{
	json_t *o = json_object();
	char rc[12];
	int i, err = o == NULL;

	for (i = 0; i < 100 && !err; i++)
		if (cs->by_rc[i]) {
			snprintf(rc, sizeof rc, "%02d", i);
			err = sim_json_set_u64(o, rc, cs->by_rc[i]);
		}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_rejected(const struct coresim *cs)
{
	json_t *o = json_object();
	int i, err = o == NULL;

	for (i = 1; i < COREFR_R_MAX && !err; i++)
		err = sim_json_set_u64(o, corefr_reject_name(i),
		    cs->rejected[i]);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
set_counters(json_t *doc, const struct counter *c, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (sim_json_set_u64(doc, c[i].key, c[i].v) == -1)
			return -1;
	return 0;
}

/* obj[name] = v, the name off the wire made a valid key. */
static int
set_named(json_t *obj, const char *name, json_t *v)
{
	json_t *k = sim_json_bytes(name, strlen(name));
	int rc;

	rc = k == NULL || v == NULL ||
	    json_object_set_new(obj, json_string_value(k), v);
	if (rc && v != NULL && k == NULL)
		json_decref(v);
	json_decref(k);
	return rc ? -1 : 0;
}

static json_t *
new_dup(uint64_t fresh, uint64_t dup)
{
	return json_pack("{s:I, s:I}", "new", (json_int_t)fresh, "dup",
	    (json_int_t)dup);
}

/* {"ORIGIN": {"new":N, "dup":N, "delivered_by": {"BY": {...}}}} */
static json_t *
json_advices(const struct coresim *cs)
{
	json_t *o = json_object(), *g, *by;
	const struct core_advstat *a;
	uint64_t fresh, dup;
	int i, j, err = o == NULL;

	for (i = 0; i < cs->nadvst && !err; i++) {
		if (!origin_sum(cs, i, &fresh, &dup))
			continue;
		g = new_dup(fresh, dup);
		by = json_object();
		for (j = i; j < cs->nadvst && by != NULL && !err; j++) {
			a = &cs->advst[j];
			if (strcmp(a->origin, cs->advst[i].origin) == 0)
				err = set_named(by, a->by, new_dup(a->fresh,
				    a->dup));
		}
		if (err || g == NULL || by == NULL) {
			json_decref(g);
			json_decref(by);
			err = 1;
			break;
		}
		if (json_object_set_new(g, "delivered_by", by) == -1) {
			json_decref(g);
			err = 1;
			break;
		}
		err = set_named(o, cs->advst[i].origin, g);
	}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_gateways(const struct coresim *cs)
{
	json_t *a = json_array();
	char addr[64];
	int i, err = a == NULL;

	for (i = 0; i < cs->ngw && !err; i++)
		err = json_array_append_new(a, json_pack("{s:s, s:s, s:I, "
		    "s:I}", "addr", sim_addr_str((const struct sockaddr *)
		    &cs->gws[i].addr, addr, sizeof addr), "name",
		    cs->gws[i].name, "frames", (json_int_t)cs->gws[i].frames,
		    "snapshot_acked", (json_int_t)sim_snap_gw_acked(cs->snap,
		    i)));
	if (err) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* "shares": {"NAME": {...}}, "share_move": {...} */
static int
json_shares(const struct coresim *cs, json_t *doc)
{
	json_t *o = json_object();
	int i, err = o == NULL;

	for (i = 0; i < cs->nshares && !err; i++)
		err = set_named(o, cs->shares[i].name, json_pack("{s:i, s:I, "
		    "s:I}", "share", (int)cs->shares[i].pct, "version",
		    (json_int_t)cs->shares[i].version, "acks",
		    (json_int_t)cs->shares[i].acks));
	if (err || json_object_set_new(doc, "shares", o))
		return -1;
	return json_object_set_new(doc, "share_move", json_pack("{s:s, s:I, "
	    "s:I, s:I}", "state", core_move_state_name(cs->move.state), "version",
	    (json_int_t)cs->move.version, "sent", (json_int_t)cs->share_sent,
	    "acks", (json_int_t)cs->share_acks));
}

int
core_report_json(const struct coresim *cs, const char *path)
{
	struct counter c[NCOUNTERS];
	json_t *doc;

	counters(cs, c);
	/* by_rc after received, auth_requests and answered; rejected, then
	 * what is per gateway, last. */
	if ((doc = json_object()) == NULL || set_counters(doc, c, 0, 3) ||
	    json_object_set_new(doc, "by_rc", json_by_rc(cs)) ||
	    set_counters(doc, c, 3, NCOUNTERS) ||
	    json_object_set_new(doc, "rejected", json_rejected(cs)) ||
	    json_object_set_new(doc, "gateways", json_gateways(cs)) ||
	    json_object_set_new(doc, "advices_by_gateway",
	    json_advices(cs)) || json_shares(cs, doc)) {
		json_decref(doc);
		doc = NULL;
	}
	return sim_json_save(path, doc);
}
