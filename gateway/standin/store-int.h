/*
 * store-int.h — the store's insides, shared by store.c (the environment
 * and what jobs call) and storeq.c (the queues, threads and completions).
 * Nothing outside the store includes it.
 */
#ifndef GATEWAY_STORE_INT_H
#define GATEWAY_STORE_INT_H

#include <pthread.h>

#include <lmdb.h>

#include "gateway/standin/store.h"

struct event;
struct event_base;

struct store_txn {
	struct store	*st;
	MDB_txn		*txn;
};

struct jobq {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct store_job *head, **tail;
	int		 stop;
	pthread_t	 thr;
	int		 started;
};

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[STORE_NDB];
	struct jobq	 wq, rq;
	/* completions */
	pthread_mutex_t	 dmu;
	struct store_job *dhead, **dtail;
	int		 efd;
	struct event	*ev;
	/* Jobs queued from the loop during one iteration, handed to the
	 * threads together (one lock, at most one wake-up each). */
	struct event	*flush_ev;
	int		 flush_pending;
	struct store_job *pw, **pwt, *pr, **prt;
	/* look-ups run on the loop at the end of the pass (store_lookup),
	 * in this read transaction, reset between passes */
	struct store_job *pl, **plt;
	MDB_txn		*ltxn;
	long		 majflt;	/* the loop thread's, after the last pass */
	uint64_t	 lookup_away_until;	/* look-ups on the reader thread */
	pthread_mutex_t	 smu;
	struct store_stats s;
};

/* An LMDB return code as a store result code (enum store_rc). */
int	store_rc(int mdb_rc);

/* The threads and the completion eventfd: 0, or -1 with err set. */
int	storeq_start(struct store *, struct event_base *, char *err,
	    size_t errsz);
/* Runs what is queued (completions included) and stops the threads. */
void	storeq_stop(struct store *);

#endif
