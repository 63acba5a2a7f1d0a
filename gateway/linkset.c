/*
 * linkset.c — the running links, by name, and their connections: what
 * link.c keeps and the router, the zone keys and the views look up.
 */
#include <string.h>

#include "gateway/link.h"
#include "gateway/link-int.h"
#include "gateway/session.h"

static TAILQ_HEAD(, link) links = TAILQ_HEAD_INITIALIZER(links);

void
linkset_add(struct link *l)
{
	TAILQ_INSERT_TAIL(&links, l, entry);
}

void
linkset_remove(struct link *l)
{
	TAILQ_REMOVE(&links, l, entry);
}

struct link *
link_find(const char *name)
{
	struct link *l;

	TAILQ_FOREACH(l, &links, entry)
		if (strcmp(l->cf.name, name) == 0)
			return l;
	return NULL;
}

struct link *
link_first(void)
{
	return TAILQ_FIRST(&links);
}

struct link *
link_next(const struct link *l)
{
	return TAILQ_NEXT(l, entry);
}

struct conn *
link_conn(struct link *l, uint64_t id)
{
	struct conn *c;

	TAILQ_FOREACH(c, &l->conns, entry)
		if (c->id == id)
			return c;
	return NULL;
}

struct conn *
link_pick_conn(struct link *l)
{
	struct conn *c, *any = NULL;

	TAILQ_FOREACH(c, &l->conns, entry) {
		if (c->signed_on)
			return c;
		if (any == NULL && !session_gated(c) &&
		    (c->slot >= 0 || c->proven))
			any = c;
	}
	return any;
}
