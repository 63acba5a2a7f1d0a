/*
 * txq.c — binary min-heap of delayed datagrams.
 */
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/txq.h"

void
sim_txq_init(struct sim_txq *q)
{
	memset(q, 0, sizeof *q);
}

void
sim_txq_free(struct sim_txq *q)
{
	while (q->n > 0)
		free(sim_txq_pop(q));
	free(q->v);
	q->v = NULL;
	q->cap = 0;
}

int
sim_txq_push(struct sim_txq *q, uint64_t due_ns, const void *buf, size_t len,
    const struct sockaddr *to, socklen_t tolen)
{
	struct sim_txitem *it, **nv;
	size_t i, parent;

	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 256;
		if ((nv = reallocarray(q->v, ncap, sizeof *nv)) == NULL)
			return -1;
		q->v = nv;
		q->cap = ncap;
	}
	if (tolen > sizeof it->to || (it = malloc(sizeof *it + len)) == NULL)
		return -1;
	it->due_ns = due_ns;
	memcpy(&it->to, to, tolen);
	it->tolen = tolen;
	it->len = len;
	memcpy(it->buf, buf, len);
	for (i = q->n++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (q->v[parent]->due_ns <= due_ns)
			break;
		q->v[i] = q->v[parent];
	}
	q->v[i] = it;
	return 0;
}

struct sim_txitem *
sim_txq_peek(const struct sim_txq *q)
{
	return q->n ? q->v[0] : NULL;
}

struct sim_txitem *
sim_txq_pop(struct sim_txq *q)
{
	struct sim_txitem *top, *last;
	size_t i = 0, c;

	if (q->n == 0)
		return NULL;
	top = q->v[0];
	last = q->v[--q->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && q->v[c + 1]->due_ns < q->v[c]->due_ns)
			c++;
		if (q->v[c]->due_ns >= last->due_ns)
			break;
		q->v[i] = q->v[c];
		i = c;
	}
	if (q->n > 0)
		q->v[i] = last;
	return top;
}
