/*
 * coresim.h — the state of `scheme-sim core` on the core link, shared by
 * its parts: the run, black-holing and timers (coresim.c), sending with
 * batching and delay (coretx.c), the frames it reads (corerx.c),
 * OUT_REQUESTs (coreout.c), the gateways it knows and their advices
 * (coregw.c), stand-in budget shares (coreshare.c) and the counters'
 * report (corereport.c).
 */
#ifndef SIM_CORESIM_H
#define SIM_CORESIM_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <event2/util.h>

#include "iso8583/iso8583.h"
#include "scheme-sim/advrec.h"
#include "scheme-sim/coreopts.h"
#include "scheme-sim/txq.h"
#include "tunnel/corefr.h"

#define BATCH		32
#define RXBUF		(COREFR_MAX_DGRAM + 64)
#define TXBUF		2048	/* our answers are small */
#define MAX_OUT_WAIT	256
#define CORE_MAX_GW	8	/* gateway addresses known at once */
#define CORE_MAX_ADVSTAT 64	/* (maker, deliverer) pairs counted */
#define CORE_NAMELEN	SIM_ADV_NAMELEN
/* Heard within this, a gateway is live: snapshots wait for its acks. */
#define CORE_GW_LIVE_NS	10000000000ull

struct event_base;
struct event;
struct sim_snap;
struct core_ctl;

struct out_wait {
	uint64_t	corr;
	uint64_t	sent_ns;
};

/* A gateway address that sent an authenticated frame. */
struct core_gw {
	struct sockaddr_storage	 addr;
	socklen_t		 len;
	char			 name[CORE_NAMELEN];	/* "" until known */
	int			 name_final;	/* from its SHARE_ACK */
	uint64_t		 first_ns, last_ns, frames;
};

/* Advices made by gateway `origin` as delivered by `by` (a name, or the
 * deliverer's address while its name is unknown). */
struct core_advstat {
	char			 origin[CORE_NAMELEN];
	char			 by[CORE_NAMELEN];
	uint64_t		 fresh, dup;
};

/* What a gateway's last SHARE_ACK said. */
struct core_share {
	char			 name[CORE_NAMELEN];
	unsigned		 pct;		/* 0x2011 */
	uint64_t		 version;	/* 0x2012 */
	uint64_t		 acks;
};

enum { MOVE_NONE, MOVE_LOWER, MOVE_RAISE, MOVE_DONE, MOVE_ABORTED, MOVE_PROBE };
#define MOVE_PENDING(st)	((st) == MOVE_PROBE || (st) == MOVE_LOWER || \
				 (st) == MOVE_RAISE)

/* A move of shares (coreshare.c): LOWER sends every named gateway
 * min(old, new) as one version, RAISE the new values as the next. */
struct core_move {
	int			 state;
	int			 n;
	char			 name[CORE_MAX_GW][CORE_NAMELEN];
	unsigned		 want[CORE_MAX_GW], low[CORE_MAX_GW];
	uint64_t		 version;	/* of the SHARE being sent */
	uint64_t		 sent_ns;
};

struct coresim {
	struct sim_core_opts	*o;
	struct event_base	*base;
	int			 fd;
	struct event		*rev, *txev, *tick, *sigs[4];
	struct core_keys	 keys;		/* the core's direction keys */
	struct replay		*seen;		/* what the gateway sent */
	uint64_t		 rng;
	int			 blackholed;
	uint64_t		 t0_ns, bh_since_ns;
	int			 bh_auto_done, bh_restore_done;
	struct sockaddr_storage	 gw;		/* the last heard: OUT_REQUEST */
	socklen_t		 gwlen;
	int			 have_gw;
	struct core_gw		 gws[CORE_MAX_GW];
	int			 ngw;
	struct core_advstat	 advst[CORE_MAX_ADVSTAT];
	int			 nadvst;
	uint64_t		 advst_over;	/* pairs past the table */
	struct core_share	 shares[CORE_MAX_GW];
	int			 nshares;
	struct core_move	 move;
	uint64_t		 share_ver;	/* the last version sent */
	int			 share_opt_done;	/* --share started */
	uint64_t		 share_sent, share_acks;
	struct sim_txq		 txq;
	struct sim_advrec	 rec;
	struct sim_snap		*snap;		/* --cards */
	struct core_ctl		*ctl;		/* --control */
	int			 advice_ack_off;
	/* OUT_REQUESTs */
	struct iso_msg		*outmsg;	/* [noutreq] */
	uint64_t		 out_corr, next_out_ns;
	int			 out_sent_once;
	struct out_wait		 outw[MAX_OUT_WAIT];
	/* counters */
	uint64_t		 rx, rx_type[COREFR_TYPE_MAX + 1];
	uint64_t		 rejected[COREFR_R_MAX];
	uint64_t		 by_rc[100], answered, dropped, blackholed_n;
	uint64_t		 delayed, advices, advice_dups;
	uint64_t		 out_req, out_resp;
	uint64_t		 bad_body, unexpected, send_err, truncated;
	/* batch buffers */
	uint8_t			 rxb[BATCH][RXBUF];
	struct sockaddr_storage	 rxa[BATCH];
	struct mmsghdr		 rxm[BATCH];
	struct iovec		 rxv[BATCH];
	uint8_t			 txb[BATCH][TXBUF];
	struct sockaddr_storage	 txa[BATCH];
	struct mmsghdr		 txm[BATCH];
	struct iovec		 txv[BATCH];
	int			 ntx;
	uint8_t			 pt[COREFR_HDRLEN + COREFR_MAX_BODY];
	uint8_t			 body[COREFR_MAX_BODY];
	/* Big buffers live here, not on the stack: the build zero-fills
	 * stack variables (-ftrivial-auto-var-init), 16 KiB per answer. */
	uint8_t			 big[COREFR_MAX_DGRAM];
	struct iso_msg		 req;
};

/* corectl.c: black-holed (on) or not, logged with why; --control, the
 * test's control socket (0 / -1). */
void	core_set_blackhole(struct coresim *, int on, const char *why);
int	core_ctl_open(struct coresim *, const char *path);
void	core_ctl_close(struct coresim *);

/* coretx.c: a frame now (batched until core_flush_tx) or after delay_ns */
void	core_emit(struct coresim *, int type, uint64_t corr,
	    const uint8_t *body, size_t blen, const struct sockaddr *to,
	    socklen_t tolen, uint64_t delay_ns);
void	core_flush_tx(struct coresim *);
void	core_txq_cb(evutil_socket_t, short, void *);

/* corerx.c: the datagrams waiting on the socket */
void	core_read_cb(evutil_socket_t, short, void *);

/* coregw.c: the gateway that sent a frame, by its address: its index,
 * taken (the least recently heard one's, if all are) on first sight. */
int	core_gw_heard(struct coresim *, const struct sockaddr *, socklen_t);
/* A gateway name as names are written: 1..63 of [A-Za-z0-9._-]. */
int	core_name_ok(const char *);
/* Its name: from its own advices unless final, from a SHARE_ACK final. */
void	core_gw_name(struct coresim *, int gw, const char *name, int final);
/* Its name, else its address. */
const char *core_gw_label(const struct coresim *, int gw, char *buf,
	    size_t cap);
/* The live ones as a mask (bit i: gws[i]). */
uint32_t core_gw_live(const struct coresim *, uint64_t now_ns);
void	core_gw_forget_all(struct coresim *);
void	core_advstat_add(struct coresim *, const char *origin,
	    const char *by, int isnew);

/* coreshare.c: --share and the control socket's share.  Parses
 * "NAME=PCT,NAME=PCT" (0 / -1 with why). */
int	core_share_parse(const char *, struct core_move *, char *why,
	    size_t whysz);
/* Starts a move (0), or says why not (-1); ans either way. */
int	core_share_start(struct coresim *, const char *arg, char *ans,
	    size_t cap);
/* "ok none|done|pending ..." */
void	core_share_status(const struct coresim *, char *ans, size_t cap);
/* "none", "probe", "lower", ... ("?" for none of them) */
const char *core_move_state_name(int state);
void	core_share_tick(struct coresim *, uint64_t now_ns);
void	core_on_share_ack(struct coresim *, int gw,
	    const struct corefr_hdr *, const uint8_t *body);

/* coreout.c: --out-request */
int	core_load_outreqs(struct coresim *);
void	core_send_outreqs(struct coresim *);

/* corereport.c: the counters as text, and as a JSON document.  0 / -1. */
void	core_report_text(const struct coresim *, FILE *);
int	core_report_json(const struct coresim *, const char *path);

#endif
