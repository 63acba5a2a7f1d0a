/*
 * coresim.h — the state of `scheme-sim core` on the core link, shared by
 * its parts: the run, black-holing and timers (coresim.c), sending with
 * batching and delay (coretx.c), the frames it reads (corerx.c),
 * OUT_REQUESTs (coreout.c) and the counters' report (corereport.c).
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

struct event_base;
struct event;
struct sim_snap;
struct core_ctl;

struct out_wait {
	uint64_t	corr;
	uint64_t	sent_ns;
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
	struct sockaddr_storage	 gw;
	socklen_t		 gwlen;
	int			 have_gw;
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
	uint64_t		 rx, rx_type[11], rejected[COREFR_R_MAX];
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

/* coreout.c: --out-request */
int	core_load_outreqs(struct coresim *);
void	core_send_outreqs(struct coresim *);

/* corereport.c: the counters as text, and as a JSON document.  0 / -1. */
void	core_report_text(const struct coresim *, FILE *);
int	core_report_json(const struct coresim *, const char *path);

#endif
