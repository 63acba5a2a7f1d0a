/*
 * store.h — the durable store (ARCHITECTURE sections 6 and 7): one LMDB
 * environment in StateDirectory with the named databases below, and two
 * threads so that no write or long read runs on the event loop:
 *
 *   - the writer takes every pending write job, runs them all in one write
 *     transaction and commits it (one durable commit for the batch: group
 *     commit), then hands the jobs back to the event loop;
 *   - the reader runs read jobs (the SAF window, walks) in a read
 *     transaction, never waiting behind a commit;
 *   - look-ups of a few keys (a card, a duplicate) run on the loop at the
 *     end of its pass, in memory: two thread hand-offs fewer per
 *     decision.  When one of them had to wait for the disk (a major page
 *     fault: the store's pages left memory), look-ups go to the reader
 *     thread for a while, so a cold store never holds up the loop.
 *
 * A job is a function run in the thread with the transaction (it must
 * write its results only into its own argument, and may be run again if
 * the batch has to be retried) and a completion run on the event loop
 * once the batch is durable.  Completions are signalled through an
 * eventfd watched by the event loop.
 *
 * A full map: the batch is retried without the job that hit it; that job
 * completes with STORE_FULL (stand-in declines 91).  Jobs already
 * committed are never lost.  A job is queued once at a time: queuing it
 * again before its completion has run is refused (STORE_BUSY).
 *
 * Every function speaks the result codes below, never LMDB's.
 */
#ifndef GATEWAY_STORE_H
#define GATEWAY_STORE_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct store;
struct store_txn;

enum store_db {
	STORE_CARDS,		/* card hash -> sealed card record */
	STORE_EXPOSURE,		/* spend counters, appliance exposure */
	STORE_DECISIONS,	/* decision id (u64 BE) -> decision record */
	STORE_SAF,		/* advice id (u64 BE) -> sealed advice */
	STORE_DEDUP,		/* key hash -> decision id */
	STORE_META,		/* counters, snapshot version */
	STORE_PEER,		/* the pair peer's mirrored advices ('a' id)
				   and decisions ('d' id) */
	STORE_OUTSEEN,		/* OUT_REQUEST corr_id (u64 BE) -> sealed
				   record (outrec.h) */
	STORE_OUTSAF,		/* corr_id (u64 BE) -> sealed outbound saf
				   entry (outrec.h) */
	STORE_NDB
};

#define STORE_NOMETASYNC	0x1	/* one fsync per commit (see README) */

/* 0, one of these, or an errno value (positive) from the system. */
enum store_rc {
	STORE_OK	=  0,
	STORE_NOTFOUND	= -1,	/* no such key */
	STORE_FULL	= -2,	/* the map is full */
	STORE_CORRUPT	= -3,	/* a record that is not what was written */
	STORE_TOOBIG	= -4,	/* a key or value the store cannot take */
	STORE_BUSY	= -5,	/* a job queued again before it completed */
	STORE_CLOSED	= -6,	/* the store is closing: the job did not run */
	STORE_FAILED	= -7	/* any other failure (the store logs it) */
};

struct store_job {
	int		(*run)(struct store_txn *, void *arg);
	void		(*done)(void *arg, int rc);
	void		*arg;
	/* the store's */
	struct store_job *next;
	int		 rc;			/* enum store_rc */
	int		 settled;
	int		 queued;		/* until done has run */
	/* a write job's batch: its number (from 1), its jobs, the time
	 * its commit took (admission's pace of a pile-up, base/little.h) */
	uint64_t	 batch_seq;
	uint32_t	 batch_n, batch_us;
};

struct store_stats {
	uint64_t	 batches, jobs, reads, map_full, errors;
	uint64_t	 lookups_loop, lookup_faults;	/* on the loop; passes
						   that met the disk */
	uint64_t	 max_batch, last_batch;
	uint64_t	 commit_us_total, commit_us_max;
	uint64_t	 reader_checks, stale_readers;
	uint64_t	 map_size, map_used;
	/* The writer thread's id: its /proc/PID/task/TID/io wchar is what
	 * the commits wrote (pages and meta; 8 bytes a batch to the
	 * eventfd), the benchmarks' pages per decision. */
	uint64_t	 writer_tid;
};

/*
 * Opens (creating) the environment in dir.  With base the completions run
 * on that event loop; without (tests), call store_poll().  NULL with a
 * message in err.
 */
struct store *store_open(const char *dir, size_t mapsize, unsigned flags,
	    struct event_base *base, char *err, size_t errsz);
/* Finishes the queued jobs (running their completions), stops the
 * threads, closes the environment. */
void	store_close(struct store *);

/* Queue a job: thread-safe, never blocks on I/O.  0, or STORE_BUSY when
 * the job is queued already (its completion has not run). */
int	store_write(struct store *, struct store_job *);
/* Write jobs handed to the writer and not taken yet (those store_write
 * deferred to the end of the loop's pass are not among them): tests. */
size_t	store_writes_waiting(struct store *);
int	store_read(struct store *, struct store_job *);
/* A read of a few keys: with a loop, run on it at the end of the pass
 * (with the pass's other look-ups, in one read transaction); a scan of
 * many entries goes through store_read, off the loop. */
int	store_lookup(struct store *, struct store_job *);
/* Runs a job at once in the calling thread, in its own transaction
 * (start-up, tools, tests); returns its rc and does not call done. */
int	store_run_now(struct store *, struct store_job *, int write);

/* Runs the completions that are ready; the number run. */
int	store_poll(struct store *);
/* Waits (tests) until at least one completion is ready, then polls. */
int	store_wait(struct store *);

void	store_stats(struct store *, struct store_stats *);

/* Inside a job.  get: 0 found, STORE_NOTFOUND, or an error.  The value
 * points into the map and is valid until the job returns. */
int	store_get(struct store_txn *, int db, const void *key, size_t klen,
	    const void **val, size_t *vlen);
int	store_put(struct store_txn *, int db, const void *key, size_t klen,
	    const void *val, size_t vlen);
/* The same for a key past every key in db (ids that only grow): fills
 * leaves instead of splitting them. */
int	store_append(struct store_txn *, int db, const void *key,
	    size_t klen, const void *val, size_t vlen);
/* 0, or STORE_NOTFOUND when there was nothing to delete. */
int	store_del(struct store_txn *, int db, const void *key, size_t klen);
/* Entries from key (NULL: the first) in order; fn returns 0 to go on,
 * anything else stops.  0 or an error. */
int	store_scan(struct store_txn *, int db, const void *key, size_t klen,
	    int (*fn)(const void *k, size_t kl, const void *v, size_t vl,
	    void *arg), void *arg);
/* Entries in a database. */
size_t	store_count(struct store_txn *, int db);

/* A u64 counter value (8 bytes BE) in db under key; absent = 0. */
int	store_get_u64(struct store_txn *, int db, const void *key,
	    size_t klen, uint64_t *v);
int	store_put_u64(struct store_txn *, int db, const void *key,
	    size_t klen, uint64_t v);

const char *store_strerror(int rc);

#endif
