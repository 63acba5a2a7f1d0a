/*
 * coregw.c — the gateways `scheme-sim core` knows (a pair of appliances
 * speaks to one core): a small table of the addresses that sent it an
 * authenticated frame, each with its name once known, and the advices
 * counted by the gateway that made them and the one that delivered them
 * (after a takeover a gateway delivers its dead peer's advices).
 *
 * A gateway's name comes from its SHARE_ACK (0x1007, always its own) or,
 * before one, from an advice whose corr_id (the sender's queue id) is
 * the advice id it carries: a gateway's own advices are queued under
 * their own id.  A peer's advice could carry the same number by chance,
 * so an advice only names a gateway not yet named, and a SHARE_ACK names
 * it for good.
 */
#include <ctype.h>
#include <string.h>

#include "base/log.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/snapshot.h"

static int
same_addr(const struct core_gw *g, const struct sockaddr *a, socklen_t len)
{
	return g->len == len && memcmp(&g->addr, a, len) == 0;
}

/* The slot a new address takes: a free one, else the least recently
 * heard (whose snapshot acks then mean nothing). */
static int
take_slot(struct coresim *cs)
{
	int i, old = 0;

	if (cs->ngw < CORE_MAX_GW)
		return cs->ngw++;
	for (i = 1; i < CORE_MAX_GW; i++)
		if (cs->gws[i].last_ns < cs->gws[old].last_ns)
			old = i;
	sim_snap_forget(cs->snap, old);
	return old;
}

int
core_gw_heard(struct coresim *cs, const struct sockaddr *a, socklen_t len)
{
	struct core_gw *g;
	uint64_t now = sim_now_ns();
	char s[64];
	int i;

	for (i = 0; i < cs->ngw; i++)
		if (same_addr(&cs->gws[i], a, len))
			break;
	if (i == cs->ngw) {
		if ((size_t)len > sizeof cs->gws[0].addr)
			return -1;
		i = take_slot(cs);
		g = &cs->gws[i];
		memset(g, 0, sizeof *g);
		memcpy(&g->addr, a, len);
		g->len = len;
		g->first_ns = now;
		log_info("event=gateway_heard index=%d addr=%s", i,
		    sim_addr_str(a, s, sizeof s));
	}
	g = &cs->gws[i];
	g->last_ns = now;
	g->frames++;
	return i;
}

int
core_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= CORE_NAMELEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			return 0;
	return 1;
}

void
core_gw_name(struct coresim *cs, int i, const char *name, int final)
{
	struct core_gw *g;
	char s[64];

	/* Names go into logs and reports as they are: plain ones only. */
	if (i < 0 || i >= cs->ngw || !core_name_ok(name))
		return;
	g = &cs->gws[i];
	if (g->name_final || (!final && g->name[0] != '\0') ||
	    strcmp(g->name, name) == 0) {
		g->name_final |= final;
		return;
	}
	snprintf(g->name, sizeof g->name, "%s", name);
	g->name_final = final;
	log_info("event=gateway_named index=%d addr=%s name=%s from=%s", i,
	    sim_addr_str((const struct sockaddr *)&g->addr, s, sizeof s),
	    g->name, final ? "share_ack" : "advice");
}

const char *
core_gw_label(const struct coresim *cs, int i, char *buf, size_t cap)
{
	if (i < 0 || i >= cs->ngw) {
		snprintf(buf, cap, "?");
		return buf;
	}
	if (cs->gws[i].name[0] != '\0') {
		snprintf(buf, cap, "%s", cs->gws[i].name);
		return buf;
	}
	return sim_addr_str((const struct sockaddr *)&cs->gws[i].addr, buf,
	    cap);
}

uint32_t
core_gw_live(const struct coresim *cs, uint64_t now)
{
	uint32_t m = 0;
	int i;

	for (i = 0; i < cs->ngw; i++)
		if (now - cs->gws[i].last_ns < CORE_GW_LIVE_NS)
			m |= 1u << i;
	return m;
}

/* A restarted core knows no gateway; its snapshot is pushed afresh. */
void
core_gw_forget_all(struct coresim *cs)
{
	int i;

	for (i = 0; i < cs->ngw; i++)
		sim_snap_forget(cs->snap, i);
	memset(cs->gws, 0, sizeof cs->gws);
	cs->ngw = 0;
	memset(cs->shares, 0, sizeof cs->shares);
	cs->nshares = 0;
	cs->have_gw = 0;
}

void
core_advstat_add(struct coresim *cs, const char *origin, const char *by,
    int isnew)
{
	struct core_advstat *a;
	int i;

	for (i = 0; i < cs->nadvst; i++)
		if (strcmp(cs->advst[i].origin, origin) == 0 &&
		    strcmp(cs->advst[i].by, by) == 0)
			break;
	if (i == cs->nadvst) {
		if (i == CORE_MAX_ADVSTAT) {
			cs->advst_over++;
			return;
		}
		cs->nadvst++;
		snprintf(cs->advst[i].origin, sizeof cs->advst[i].origin, "%s",
		    origin);
		snprintf(cs->advst[i].by, sizeof cs->advst[i].by, "%s", by);
	}
	a = &cs->advst[i];
	if (isnew)
		a->fresh++;
	else
		a->dup++;
}
