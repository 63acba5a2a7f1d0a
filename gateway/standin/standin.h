/*
 * standin.h — the stand-in authoriser (ARCHITECTURE sections 6 to 8), as
 * the router sees it: a request decided locally and durably, a scheme
 * advice stored, SNAPSHOTs applied, the advice queue sent to the core.
 *
 *   request -> facts (facts.c) -> card and duplicate look-up (ledger.c,
 *   reader thread) -> card rules -> HSM verification (verify.c) -> the
 *   decision, its counters and its advice in one durable transaction
 *   (ledger.c, writer thread) -> the answer, once durable (decide.c).
 *
 * Until the write is queued, a deadline guard answers 91 at the request's
 * deadline (the decision is still recorded, as 91).  Once queued the
 * answer waits for durability: an approval is never sent before it is on
 * disk; one whose commit outlasts the deadline is answered 91 and voided.
 *
 * The stand-in never calls the router: what it sends to the core goes
 * through the standin_ops it is given.
 */
#ifndef GATEWAY_STANDIN_H
#define GATEWAY_STANDIN_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/standin/range.h"

struct event_base;
struct evbuffer;
struct iso_msg;
struct json_t;
struct iso_profile;

#define STANDIN_NAME_MAX	48
#define HSM_PROBE_MS		3000
#define STANDIN_PATH_MAX	256
/* StoreSize's default: the LMDB map, a file that grows as it is used */
#define STANDIN_STORE_SIZE_DEFAULT	(16ull << 30)

enum standin_mode { STANDIN_AUTO, STANDIN_FORCE, STANDIN_OFF };

/* What the stand-in takes from the configuration. */
struct standin_conf {
	char		 name[STANDIN_NAME_MAX];	/* the gateway's */
	char		 state_dir[STANDIN_PATH_MAX];
	char		 state_key[STANDIN_PATH_MAX];
	char		 hsm[STANDIN_PATH_MAX];		/* "" none */
	int		 mode;			/* enum standin_mode */
	int		 durable;		/* 0: Durability = none */
	uint64_t	 max_amount;
	uint64_t	 exposure_cap;
	char		 block_mcc[128];
	uint32_t	 max_age_s;		/* MaxSnapshotAge */
	uint32_t	 keep_s;		/* KeepDecisions */
	uint64_t	 store_size;		/* StoreSize: the LMDB map */
	int		 paired;		/* [Pair] */
	uint32_t	 share;			/* its Share, percent */
	struct range_table ranges;		/* [Range NAME] */
};

struct standin_ops {
	/* Sends a core-link frame to the core endpoint named core, or to
	 * the best healthy one when core is NULL: 0, or -1 (none now). */
	int	(*send)(const char *core, int type, uint64_t corr,
		    const uint8_t *body, size_t len);
	/* The link's zone PIN key (prev = 1: the one before the last key
	 * change), a key block under the LMK, or NULL (none: a PIN from
	 * that link is declined 55; a snapshot never carries a ZPK). */
	const char *(*zone_zpk)(const char *link, int prev);
};

/*
 * The pair (ARCHITECTURE section 13).  standin_share: a SHARE frame
 * (corr_id its version) from core; acknowledged through ops->send.
 * standin_share_info: the share in force, the version held (0: the
 * configured one) and whether there is a pair.
 */
void	standin_share(const char *core, uint64_t version,
	    const uint8_t *body, size_t len);
void	standin_share_info(uint32_t *share, uint64_t *version, int *paired);
/*
 * The peer's mirrored advice (id: the peer's) kept durably, its stand-in
 * decision (if it is one, and prof, the link's profile, is known) fed to
 * duplicate detection; cb(arg, ok) once durable.  Only a body that is
 * the advice it says, peer's (the [Pair] Peer's name in 0x1007) and id
 * (0x1006), is kept: any other is refused (-1, logged as
 * event=peer_advice_refused, counted as peer_refused).  Release: the
 * core has it, forget it.  Takeover: a batch of what is kept into our
 * own queue for the core, cb(arg, how many, ok).  Each -1 when there is
 * no store.
 */
int	standin_peer_keep(const char *peer, uint64_t id, const uint8_t *body,
	    size_t len, const struct iso_profile *prof,
	    void (*cb)(void *, int), void *arg);
int	standin_peer_release(uint64_t id, void (*cb)(void *, int), void *arg);
int	standin_peer_takeover(void (*cb)(void *, size_t, int), void *arg);
uint64_t standin_peer_held(void);
/* An export file (safxfer.h) read whole from buf into our queue: every
 * advice as it is, for the core.  The count queued (durable and sent
 * later, logged as event=saf_imported), or -1 with err. */
struct seal_keyring;
long	standin_saf_import(const uint8_t *buf, size_t len,
	    const struct seal_keyring *ring, char *err, size_t errsz);
/*
 * Our own queue from advice id from, a batch at a time (a read job):
 * each(arg, id, body) for every stored advice of the batch, then
 * end(arg, the id to go on from, whether there may be more).  -1: no
 * store.  The pair mirrors what a restart found with it.
 */
int	standin_saf_walk(uint64_t from,
	    void (*each)(void *, uint64_t, const uint8_t *, size_t),
	    void (*end)(void *, uint64_t next, int more), void *arg);
/* Our stored advices as they become final, and those the core acked:
 * for the mirror (NULL, NULL: none). */
void	standin_watch(void (*added)(uint64_t, const uint8_t *, size_t),
	    void (*acked)(uint64_t));

struct si_result {
	char		 de39[3];
	char		 de38[7];		/* "" unless approved */
	int		 has_arpc;
	uint8_t		 arpc[8];
	uint8_t		 arc[2];
	const char	*why;			/* for the log */
};

typedef void standin_cb(void *arg, const struct si_result *);

/*
 * Opens the state key, the store and the HSM client (answering an NC
 * within HSM_PROBE_MS), and loads the advice queue: 0, or -1 with err
 * naming what cannot be used (gatewayd then refuses to start).  Not
 * durable (the lab mode): no store, stand-in off (the router answers 91),
 * the advice queue in memory only; 0.
 */
int	standin_init(struct event_base *, const struct standin_conf *,
	    const struct standin_ops *, char *err, size_t errsz);
void	standin_shutdown(void);
/* The [StandIn] settings changed (reload). */
void	standin_reconfigure(const struct standin_conf *);
int	standin_enabled(void);
/*
 * What a decision entering now is expected to take, in µs, from the work
 * in the pipeline and how fast it has been leaving (base/little.h), and
 * what one takes through an empty pipeline: what admission holds a
 * request's remaining budget against.
 */
uint64_t standin_wait_us(void);
uint64_t standin_base_us(void);
/* Decisions in the pipeline now. */
uint64_t standin_inflight(void);

/*
 * Decides req in stand-in.  deadline: monotonic µs by which the answer
 * must go.  0 and cb exactly once later, or -1 (stand-in off: the caller
 * answers 91 itself).
 */
int	standin_decide(const struct iso_msg *req, const char *link,
	    const struct iso_profile *, const char *reason, uint64_t t0,
	    uint64_t deadline, standin_cb *, void *arg);
/*
 * A scheme advice (0120/0121, 0420/0421): stored durably (a 0420 that
 * reverses a stand-in approval releases its exposure) and queued for the
 * core; cb runs once it is durable (acknowledge it to the scheme) or
 * failed (do not: the scheme repeats it).  -1: stand-in off.
 */
int	standin_advice(const struct iso_msg *, const char *link,
	    const struct iso_profile *, uint64_t t0, standin_cb *, void *arg);
/*
 * An advice (a message TLV in buf[0..len), cap bytes of room) for the
 * queue without a store: it gets the next id (tag 0x1006 added in place)
 * and is sent and retried like any other, but lives in memory only.
 * 0, or -1 (queue full: dropped, logged).
 */
int	standin_queue(uint8_t *buf, size_t len, size_t cap);
/*
 * The same advice appended to the store (the queue a restart sends
 * again), as a decision's advice is; cb(tag, ok) once it is durable (ok
 * 1) or the store failed (0).  Without a store it is queued in memory
 * and cb runs at once.  0, or -1 (cb will not run).
 */
int	standin_queue_durable(const uint8_t *body, size_t len,
	    void (*cb)(uint64_t tag, int ok), uint64_t tag);

/*
 * The operator's force (0 auto, 1 on, 2 off, as the router numbers them)
 * made durable in the store's meta: 0, or -1 with err (no store, or it
 * failed).  standin_force_stored: the one kept, or -1 for none.
 */
int	standin_force_save(int force, char *err, size_t errsz);
int	standin_force_stored(void);

/* Core frames: a SNAPSHOT (corr_id = its version), an ADVICE_ACK. */
void	standin_snapshot(const char *core, uint64_t corr,
	    const uint8_t *body, size_t len);
void	standin_advice_ack(uint64_t id);
/* Periodic: sends the advice queue while a core is up; core_up says
 * whether one is. */
void	standin_tick(int core_up);

/* Operator views (siview.c): `gatewayctl standin` and `saf`, as text or
 * as a JSON object (a new reference), and the metrics. */
void	standin_text(struct evbuffer *);
struct json_t *standin_json(void);
void	standin_saf_text(struct evbuffer *);
/* `gatewayctl saf in pause|resume|replay`: the advice queue to the core
 * (0, or -1 for an unknown word). */
int	standin_saf_control(const char *what);
struct json_t *standin_saf_json(void);
void	standin_metrics(struct evbuffer *);
/* The snapshot held: its version, its age in seconds (UINT64_MAX: none)
 * and whether it is older than MaxSnapshotAge (stand-in declines 91). */
int	standin_snapshot_info(uint64_t *version, uint64_t *age_s);
/* Advices queued and not yet acknowledged. */
uint64_t standin_queue_depth(void);

#endif
