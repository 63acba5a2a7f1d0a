/*
 * schemerun.h — the state of one `scheme-sim scheme` run, shared by its
 * parts: options (schemeopts.c), connections and sign-on (schemeconn.c),
 * sending and pacing (schemetx.c), answers (schemerx.c) and the run and
 * its report (schemesim.c).
 */
#ifndef SIM_SCHEMERUN_H
#define SIM_SCHEMERUN_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <event2/util.h>

#include "hsm/des.h"
#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "scheme-sim/cards.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/pacer.h"
#include "scheme-sim/pending.h"
#include "scheme-sim/schememsg.h"
#include "scheme-sim/stats.h"

#define MAX_CONNS	64
#define MAX_PHASES	16
#define MAX_LOGGED	10	/* detailed lines per error class */
#define MAX_GWS		2	/* appliances: --connect A [--connect B] */
#define DOUBLE_SLOTS	4096	/* answered retransmissions remembered */

enum { SCHEME_CONNECT, SCHEME_LISTEN };

struct event_base;
struct event;
struct sim_conn;

struct scheme;

struct sconn {
	struct sim_conn	*c;		/* NULL while redialling */
	struct scheme	*s;
	int		 id;
	int		 gw;		/* index in scheme.gws */
	int		 signed_on;
	int		 dead;
	/* With two appliances a lost connection is redialled: */
	uint64_t	 backoff_ns;	/* 0: not yet tried */
	struct event	*retry;		/* the back-off timer */
	struct event	*dial;		/* the connect in progress */
};

/* One appliance (--connect), with what it was sent and answered. */
struct sgw {
	char			 name[48];	/* NAME=, or the address */
	struct sim_optaddr	 addr;
	uint64_t		 sent;		/* retransmissions too */
	uint64_t		 answered;
	uint64_t		 by_rc[SIM_RC_N];
	uint64_t		 rc_other;
	uint64_t		 timeouts;
	uint64_t		 losses;	/* connections lost */
};

/* A retransmitted request answered: a second answer to it is a double. */
struct sdone {
	uint32_t	stan;		/* 0: free */
	char		rrn[13];
	char		rc[3];
};

/* What schemegw.c calls back into (schemesim.c fills it in): sending and
 * the connections' callbacks live in the files above it. */
struct scheme_gw_ops {
	int		(*send)(struct scheme *, struct sconn *,
			    const struct iso_msg *);
	sim_conn_msg_fn	 msg;
	sim_conn_close_fn close;
};

struct scheme {
	/* options, as given */
	struct sim_optaddr	 addr;		/* how: SCHEME_CONNECT/LISTEN */
	struct sgw		 gws[MAX_GWS];	/* --connect, in order */
	int			 ngws;
	const struct scheme_gw_ops *gwops;
	const char		*profile, *framing, *cards_path, *mti;
	const char		*frame_header;	/* --frame-header HEX */
	uint8_t			 frame_hdr[32];
	const char		*expect_list, *json_path, *approvals_path;
	const char		*answers_path, *portfolio_path;
	uint64_t		 conns_opt;	/* --conns */
	uint64_t		 rate, inflight_cap, count, duration_ns;
	uint64_t		 timeout_ns, deadline_ns, tick_ns;
	uint64_t		 connect_timeout_ns;
	uint64_t		 advice_every;
	int			 signon;
	int			 signoff;	/* --signoff at the end */
	int			 echo_silent;	/* --echo-silent */
	uint64_t		 hold_ns;	/* --hold after the load */
	const char		*zmk_path;	/* --zmk: clear test ZMK */
	const char		*new_zpk_path;	/* --new-zpk: keys in turn */
	uint64_t		 key_change_ns;	/* --key-change-at */
	unsigned		 key_changes;	/* sent so far */
	uint64_t		 hold_out;	/* --hold-out: left unanswered */
	uint64_t		 held_out;
	const char		*mak_path;	/* --mak: MACs under it */
	uint64_t		 bad_mac_every;	/* --bad-mac-every */
	uint64_t		 mac_sent, mac_bad;
	int			 mak_ready;	/* 1 ready, -1 none */
	struct hsm_des		 mak, mak_old;	/* current, before */
	/* --new-mak / --mak-change-at: a MAC key change mid-load */
	const char		*new_mak_path;
	uint64_t		 mak_change_ns;
	unsigned		 mak_changes;
	int			 mak_pending, mak_switched;
	uint8_t			 mak_next[16], mak_cur[16];
	/* --pin: DE52 under the ZPK in use (the portfolio's, then each
	 * key change's once answered 00) */
	int			 pin;
	const char		*zpk_path;	/* --zpk: instead of the
						 * portfolio's */
	int			 zpk_pending;
	struct hsm_des		 pin_zpk;
	uint8_t			 zpk_cur[16], zpk_next[16];
	int			 kernel_ts;
	int			 progress;	/* -1: by --duration */
	char			 answer_rc[3];
	char			 signon_code[4];
	char			 core_mark;
	char			 phase_names[MAX_PHASES][32];
	int			 nphase_names;
	/* what the options make */
	int			 nconns;
	uint64_t		 refill_batch;
	uint8_t			 expect[SIM_RC_N];
	FILE			*approvals;	/* --record-approvals */
	FILE			*answers;	/* --record-answers */
	struct framer		 fr;
	struct sim_reqspec	 rs;
	struct sim_cards	 cards;
	struct sim_vcard	*vcards;	/* --portfolio */
	struct hsm_des		*arqc_key;

	/* state */
	struct event_base	*base;
	struct event		*tick, *sigs[3];
	struct sconn		 conns[MAX_CONNS];
	int			 nlive;
	int			 rr;
	struct sim_pending_ring	 ring;
	struct sim_pacer	 pacer;
	struct sim_clock	 clk;
	uint32_t		 nm_stan;
	int			 phase;		/* "started" once >= 0 */
	struct sim_stats	*ph;		/* [MAX_PHASES] */
	struct sim_stats	*iv;		/* this second */
	struct sim_stats	 before;	/* sign-on, before phase 0 */
	uint64_t		 t0_ns, next_progress_ns;
	uint64_t		 sent_total;
	int			 stopping;	/* no more sends */
	uint64_t		 stop_ns;
	int			 failed_setup;
	/* failover between two appliances */
	struct event		*failover_ev;
	int			 orphans;	/* requests waiting for a link */
	uint64_t		 failovers, double_answers, double_mismatch;
	struct sdone		*done;		/* [DOUBLE_SLOTS] */
	uint64_t		 logged_mismatch, logged_decode, logged_unexp;
	struct iso_msg		 tx, rx, ans;
	/* Not on the stack: it would be zero-filled per send. */
	uint8_t			 wire[ISO_BUF_MAX + 512];
};

/* schemeopts.c: the command line into s.  0, or -1 (said). */
int	scheme_opts(struct scheme *, int argc, char **argv);

/* schemeconn.c */
int	scheme_setup_conns(struct scheme *);
int	scheme_signon_all(struct scheme *);
/* schemekey.c: s->tx becomes an 0800 161 with the next ZPK (kind 'P')
 * or MAC key ('M') under the ZMK (the caller sends it): 0 or -1. */
int	scheme_key_change(struct scheme *, char kind);
/* The first key (32 hex digits) of a test key file: 0 or -1. */
int	scheme_key_file(const char *path, uint8_t key[16]);
/* The gateway answered a key change 00: the new key is ours. */
void	scheme_key_taken(struct scheme *);
/* m packed into wire, with its MAC under --mak where one is due: the
 * length, or -1. */
ssize_t	scheme_pack(struct scheme *, const struct iso_msg *, uint8_t *wire,
	    size_t cap);
/* 0 when m (as received in wire) carries no MAC to check or a good one,
 * -1 when its MAC is missing or bad. */
int	scheme_mac_check(struct scheme *, const uint8_t *wire, size_t len,
	    const struct iso_msg *);

/* schemetx.c */
struct sim_stats *scheme_cur(struct scheme *);	/* this phase's counts */
int	scheme_send(struct scheme *, struct sconn *, const struct iso_msg *);
/* p (may be NULL): the request that expired. */
void	scheme_count_expired(struct scheme *, const struct sim_pending *p);
void	scheme_new_phase(struct scheme *, uint64_t now);
void	scheme_arm_tick(struct scheme *, uint64_t ns);
/* --signoff: an 0800 sign-off on every live connection, flushed. */
void	scheme_signoff_all(struct scheme *);
void	scheme_tick_cb(evutil_socket_t, short, void *);
void	scheme_refill(struct scheme *);
void	scheme_finish(struct scheme *);

/* schemegw.c: two appliances.  --connect [NAME=]HOST:PORT; the run's
 * events (0 / -1); a lost connection (its requests sent again on one
 * that is up, then redialled); requests whose link is down resent;
 * the answers of one request (1: a second answer, counted); the
 * per-appliance report, text and JSON (a json_t * to add). */
int	scheme_gw_opt(void *, const char *arg, char *why, size_t whysz);
int	scheme_gw_setup(struct scheme *, const struct scheme_gw_ops *);
void	scheme_gw_lost(struct scheme *, struct sconn *);
void	scheme_failover(struct scheme *);
void	scheme_gw_answered(struct scheme *, struct sconn *,
	    const struct sim_pending *);
int	scheme_gw_double(struct scheme *, uint32_t stan);
void	scheme_gw_report(struct scheme *, FILE *);
void	*scheme_gw_json(struct scheme *);
void	scheme_gw_free(struct scheme *);

/* schemerx.c: what a connection reads, and its end */
void	scheme_conn_msg(struct sim_conn *, const uint8_t *msg, size_t len,
	    uint64_t now, void *arg);
void	scheme_conn_close(struct sim_conn *, const char *why, void *arg);

#endif
