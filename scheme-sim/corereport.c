/*
 * corereport.c — the counters of `scheme-sim core` at exit: a summary on
 * stdout for people, a JSON document (--json) for scripts.  One table of
 * counters serves both, in the order both have always had.
 */
#include <stdio.h>

#include "scheme-sim/coresim.h"
#include "scheme-sim/jsonout.h"

struct counter {
	const char	*key;		/* in the JSON */
	const char	*text;		/* in the summary, before the value */
	const char	*close;		/* in the summary, after it */
	uint64_t	 v;
};

#define NCOUNTERS	15

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
		{ "advice_dups", " dups=", ")", cs->advice_dups },
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

int
core_report_json(const struct coresim *cs, const char *path)
{
	struct counter c[NCOUNTERS];
	json_t *doc;

	counters(cs, c);
	/* by_rc after received, auth_requests and answered; rejected last. */
	if ((doc = json_object()) == NULL || set_counters(doc, c, 0, 3) ||
	    json_object_set_new(doc, "by_rc", json_by_rc(cs)) ||
	    set_counters(doc, c, 3, NCOUNTERS) ||
	    json_object_set_new(doc, "rejected", json_rejected(cs))) {
		json_decref(doc);
		doc = NULL;
	}
	return sim_json_save(path, doc);
}
