/*
 * siauth.h — the stand-in authoriser's pipeline on the event loop
 * (ARCHITECTURE sections 6-8), tying together the store (store.c), the
 * snapshot (cards.c), the rules (sirules.c), the HSM client and the
 * advice queue (saf.c):
 *
 *   request -> read job: card record + durable duplicate look-up
 *           -> rules 1-2 on the loop
 *           -> HSM: CVC1 (DE35), CVC2 (DE48 SE92), ARQC (DE55, ARPC
 *              back in DE55 tag 91), PIN (DE52)
 *           -> write job (group commit): rules 4-7 against the durable
 *              counters, decision + exposure + dedup + advice in one
 *              transaction
 *           -> response, once durable.
 *
 * Until the write job is queued a deadline guard answers 91 at the
 * request's deadline (the decision is still recorded, as 91).  Once
 * queued the answer waits for durability: an approval is never sent
 * before it is on disk.
 */
#ifndef GATEWAY_SIAUTH_H
#define GATEWAY_SIAUTH_H

#include <stddef.h>
#include <stdint.h>

struct iso_msg;
struct iso_profile;
struct core;
struct corefr_hdr;
struct evbuffer;
struct event_base;
struct config;

struct si_result {
	char		 de39[3];
	char		 de38[7];		/* "" unless approved */
	int		 has_arpc;
	uint8_t		 arpc[8];
	uint8_t		 arc[2];
	const char	*why;			/* for the log */
};

typedef void siauth_cb(void *arg, const struct si_result *);

/* Opens the store, the state key, the HSM client, loads the SAF.  0, or
 * -1 with err set: stand-in then answers 91 (the placeholder). */
int	siauth_init(struct event_base *, const struct config *, char *err,
	    size_t errsz);
void	siauth_shutdown(void);
/* The [StandIn] settings changed (reload). */
void	siauth_reconfigure(const struct config *);
int	siauth_enabled(void);

/*
 * Decides req in stand-in.  deadline: monotonic µs by which the answer
 * must go.  Returns 0 and calls cb exactly once later, or -1 (stand-in
 * not available: the caller answers 91 itself).
 */
int	siauth_decide(const struct iso_msg *req, const char *link,
	    const struct iso_profile *, const char *reason, uint64_t t0,
	    uint64_t deadline, siauth_cb *, void *arg);
/*
 * A scheme advice (0120/0121, 0420/0421): stored durably (a 0420 that
 * reverses a stand-in approval releases its exposure) and queued for the
 * core; cb runs once it is durable (then acknowledge it to the scheme) or
 * failed (then do not: the scheme repeats it).  -1: not available.
 */
int	siauth_advice(const struct iso_msg *m, const char *link,
	    const struct iso_profile *, uint64_t t0, siauth_cb *, void *arg);

/* Core frames: SNAPSHOT and ADVICE_ACK. */
void	siauth_core_frame(struct core *, const struct corefr_hdr *,
	    const uint8_t *body, size_t len);
/* Periodic (the router's timer): SAF sending. */
void	siauth_tick(void);

void	siauth_metrics(struct evbuffer *);
void	siauth_ctl_saf(struct evbuffer *, int json);
void	siauth_ctl_standin(struct evbuffer *, int json);

#endif
