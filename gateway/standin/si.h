/*
 * si.h — the stand-in's insides, shared by its steps and nothing else:
 *   facts.c	what the request says (pure parsers)
 *   decide.c	the pipeline, its deadline guard, the answer
 *   verify.c	card verification through the HSM
 *   ledger.c	the jobs that run on the store's threads
 *   snapshot.c	SNAPSHOTs into the cards database
 *   standin.c	start, stop, the advice queue's sender
 *   siview.c	what operators see
 */
#ifndef GATEWAY_SI_H
#define GATEWAY_SI_H

#include <stddef.h>
#include <stdint.h>

#include "base/dlq.h"
#include "base/little.h"
#include "iso8583/txnkey.h"
#include "gateway/standin/cards.h"
#include "gateway/standin/sirules.h"
#include "gateway/standin/standin.h"
#include "gateway/standin/statekey.h"
#include "gateway/standin/store.h"

struct evbuffer;
struct iso_msg;
struct iso_profile;
struct json_t;
struct hsm_client;

#define SI_DKEY_ORDER	7		/* DE7 seconds in the year, DE11 */
#define SI_DKEY_LEN	(1 + SI_DKEY_ORDER + 16) /* kind, order, hash */
#define SI_ADV_ROOM	640		/* decision tags + advice id */
#define STORE_FORMAT	4		/* meta store_format (doc/standin.md) */
#define SI_PEER_DEC	(1ull << 62)	/* a dedup entry's id: the peer's */

enum si_kind { K_AUTH, K_REVERSAL, K_CREDIT, K_ADVICE };
enum si_stage { ST_LOOKUP, ST_HSM, ST_WRITE };
/* The verification steps, in order (verify.c). */
enum si_step { V_CVC1, V_CVC2, V_ARQC, V_PIN, V_DONE };
/* How the card was read (DE22 positions 1-2), so what must be verified. */
enum si_entry { E_MISSING, E_UNKNOWN, E_CHIP, E_STRIPE, E_CNP, E_COF };
/* A step's data in the request. */
enum si_vdata { VD_NONE, VD_OK, VD_MALFORMED };
/* The decision steps of sirules.h, for the advice (tag 0x100A). */
enum si_rule { R_SNAPSHOT, R_CARD, R_EXPIRY, R_VERIFY, R_BLOCKS,
	R_LIMITS, R_SPEND, R_EXPOSURE, R_APPROVED = 8 };

/* As stored in `decisions` (no card data: the card is a keyed hash).
 * STORE_FORMAT in meta names this layout. */
struct dec_rec {
	uint8_t		 hash[STATEKEY_HASHLEN];
	uint64_t	 amount;		/* the card's currency */
	uint64_t	 txn_amount;		/* DE4 */
	uint64_t	 released;		/* by reversals, so far */
	char		 range[RANGE_NAME_MAX];
	uint64_t	 wall_us;
	char		 day[9];
	char		 de39[3];
	char		 de38[7];
	uint8_t		 arpc[8];
	uint8_t		 has_arpc;
	uint8_t		 digest[ISO_TXNDIGEST_LEN];
	uint8_t		 cash;
	uint8_t		 kind;
	uint8_t		 approved;
	uint8_t		 settled;	/* the core acknowledged its advice */
};

struct sidec;
/* Verification's outcome: NULL, or the DE39 of a decline and why. */
typedef void si_verified_fn(struct sidec *, const char *de39,
	    const char *why);

/* One request (or scheme advice) on its way through the stand-in. */
struct sidec {
	struct store_job job;
	int		 kind, stage, step;
	int		 responded, dup, hsm_pending;
	/* the guard answered 91 while the write job was queued or running:
	 * set on the loop, read by the job on the writer (atomics) */
	int		 voided;
	si_verified_fn	*verified;
	standin_cb	*cb;
	void		*arg;
	uint64_t	 t0, deadline;
	uint64_t	 entered_us, ahead;	/* into SI.load */
	struct dlq_ent	 guard;		/* answers 91 before Deadline */
	/* facts (facts.c) */
	char		 mti[5];
	char		 reason[16];
	uint64_t	 amount;		/* DE4 */
	uint64_t	 card_amount;		/* in the card's currency */
	int		 has_amount;
	char		 mcc[5];
	int		 entry;			/* enum si_entry */
	int		 cash;
	char		 cur[4], bill_cur[4];
	uint64_t	 bill_amount;
	char		 country[4], country_a[4];
	uint64_t	 repl_amount;		/* DE95 of a reversal */
	int		 has_repl;	/* -1: DE95 there, unreadable */
	uint8_t		 vd[V_DONE];		/* enum si_vdata */
	struct range	 rng;			/* the card's, copied */
	int		 rule;			/* enum si_rule that decided */
	char		 req_exp[5];
	char		 day[9];
	char		 yymm[5];
	uint8_t		 hash[STATEKEY_HASHLEN];	/* card or account */
	uint8_t		 dkey[SI_DKEY_LEN];		/* duplicate */
	int		 has_dkey;
	uint8_t		 digest[ISO_TXNDIGEST_LEN];	/* of the request */
	uint8_t		 okey[SI_DKEY_LEN];		/* for a later reversal */
	int		 has_okey;
	uint8_t		 rkey[SI_DKEY_LEN];		/* the original's */
	int		 has_rkey;
	/* sensitive, memory only, wiped */
	char		 pan[20];
	char		 svc[4], cvv1[4], cvc2[4];
	char		 pinblock[17];
	char		 link[48];	/* the zone PIN key's link */
	int		 pin_prev;	/* PIN tried under the previous ZPK */
	uint8_t		 arqc[8], atc[2], un[4], psn[2];
	uint8_t		 txdata[64];
	size_t		 txlen;
	int		 has_arqc;
	uint8_t		 arpc[8];			/* from the HSM */
	int		 has_arpc;
	/* looked up */
	int		 card_rc;
	struct card_rec	 card;
	/* decided on the loop before the write (card, HSM, deadline) */
	char		 pre[3];
	const char	*why;
	/* results of the write */
	struct si_result res;
	uint64_t	 id;
	int		 approved;
	uint64_t	 released;
	uint64_t	 exp_released;	/* of the outstanding exposure */
	/* the advice; amended when the scheme was answered 91 first */
	size_t		 advlen, advcap, advout, amendlen;
	uint8_t		*adv, *amended;
};

/* The stand-in's state: one per process, on the event loop. */
struct si_state {
	struct standin_conf	 conf;
	const struct standin_ops *ops;
	struct store		*st;
	struct statekey		*key;
	struct hsm_client	*hsm;
	struct sirules_cfg	 rules;
	const struct iso_profile *fps;		/* account-based, not cards */
	uint8_t			 digest_key[32];	/* from the state key */
	uint64_t		 exposure;	/* mirror, from the last write */
	uint64_t		 approvals, approved_amount, reversals,
				 released_amount;
	uint64_t		 settled_amount;	/* since start */
	uint64_t		 pruned_decisions, pruned_keys;	/* since start */
	uint64_t		 snapshot_version, snapshot_cards;
	uint64_t		 snapshot_wall_us;	/* applied at */
	uint64_t		 stale_91;
	int			 force_stored;	/* -1: none */
	uint64_t		 peer_held;	/* the peer's advices kept */
	uint64_t		 peer_refused;	/* not the peer's advice */
	uint64_t		 dup_peer;	/* duplicates of a peer decision */
	uint64_t		 imported;	/* advices from export files */
	uint64_t		 saf_base_id;	/* ids go on from it (0: from 1,
						   a store made before) */
	uint32_t		 share;		/* the pair share in force, % */
	uint64_t		 share_version;	/* 0: the config's */
	uint64_t		 decided, map_full, store_errors, hsm_91,
				 deadline_91, dup_durable, late_durable,
				 snapshot_bad, snapshot_old, voids;
	/* decisions and advices in the pipeline, for admission */
	struct little		 load;
	int			 up;
};

extern struct si_state SI;

/* facts.c */
void	si_utc_day(uint64_t wall_us, char day[9], char yymm[5]);
int	si_amount(const struct iso_msg *, int field, uint64_t *);
int	si_track2(struct sidec *, const char *t2);
/* DE55 and DE52 into the sidec: their enum si_vdata. */
int	si_emv(struct sidec *, const uint8_t *de55, size_t len);
int	si_pinblock(struct sidec *, const uint8_t *de52, size_t len);
void	si_orig_key(const char *link, const char *mti2, const char *de11,
	    const char *de7, const char *de32, uint8_t out[SI_DKEY_LEN]);
void	si_reversal_key(struct sidec *, const struct iso_msg *);
void	si_dup_key(struct sidec *, const struct iso_profile *,
	    const char *link, const struct iso_msg *);
/* The facts of an authorisation (card) or an FPS credit (account). */
void	si_auth_facts(struct sidec *, const struct iso_msg *);
void	si_credit_facts(struct sidec *, const struct iso_msg *);

/* verify.c: runs the verification steps from d->step, then done. */
void	si_verify(struct sidec *, si_verified_fn *done);

/* ledger.c: a range's key in the exposure database: kind 'E' (its
 * outstanding exposure; day NULL), 'c' or 'a' (its approvals' count or
 * amount on day).  out has room for 2 + 8 + RANGE_NAME_MAX. */
size_t	si_range_key(char kind, const char *day, const char *name,
	    uint8_t *out);

/* decide.c: seconds since the snapshot was applied, UINT64_MAX none. */
uint64_t si_snapshot_age(void);

/* rangeview.c: the parameter tables with today's counters. */
void	si_ranges_text(struct evbuffer *);
struct json_t *si_ranges_json(void);

/* share.c: the share at start (0, or -1 with err), after a reload */
int	si_share_load(char *err, size_t errsz);
void	si_share_reconfigure(void);

/* peer.c: a peer decision (its id with SI_PEER_DEC) in a job. */
int	si_peer_decision(struct store_txn *, uint64_t id, struct dec_rec *);

/* ledger.c: run on the store's threads; d is the job's argument. */
int	si_lookup_run(struct store_txn *, void *d);
int	si_decide_run(struct store_txn *, void *d);
int	si_amend_run(struct store_txn *, void *d);
struct saf_settled;
/* The core acknowledged advice id: the approval it carries (if any, and
 * once) leaves the outstanding exposure; s->amount grows by what left. */
int	si_settle_run(struct store_txn *, uint64_t id, struct saf_settled *s);

/* prune.c: decisions older than KeepDecisions leave the store. */
void	si_prune_tick(uint64_t now);
void	si_prune_reset(void);
/* Approvals from id on were settled: the next job looks there again. */
void	si_prune_settled(uint64_t id);

#endif
