/*
 * txq.h — datagrams held back to be sent later (injected latency): a
 * min-heap on the due time, so any delay distribution keeps its order.
 */
#ifndef SIM_TXQ_H
#define SIM_TXQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sim_txitem {
	uint64_t		due_ns;
	struct sockaddr_storage	to;
	socklen_t		tolen;
	size_t			len;
	uint8_t			buf[];
};

struct sim_txq {
	struct sim_txitem	**v;
	size_t			  n, cap;
};

void	sim_txq_init(struct sim_txq *);
void	sim_txq_free(struct sim_txq *);
/* Copies the datagram in.  0 / -1. */
int	sim_txq_push(struct sim_txq *, uint64_t due_ns, const void *buf,
	    size_t len, const struct sockaddr *to, socklen_t tolen);
/* The earliest item (still queued), or NULL. */
struct sim_txitem *sim_txq_peek(const struct sim_txq *);
/* Removes the earliest item; the caller frees it. */
struct sim_txitem *sim_txq_pop(struct sim_txq *);

#endif
