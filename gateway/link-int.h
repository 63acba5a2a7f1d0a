/*
 * link-int.h — what link.c (links, accept, connect, network management),
 * linkio.c (a connection's reads, writes and life) and linklimit.c (the
 * limits one peer is held to) share.  Nothing outside them includes it.
 */
#ifndef GATEWAY_LINK_INT_H
#define GATEWAY_LINK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/link-t.h"

struct event_base;
struct sockaddr;

/* One read admits at most this much (about 16 requests) per loop pass,
 * while the core reader drains up to 128 answers: admitting faster than
 * answers drain lets them queue past the deadline under overload (at
 * 45,000/s, 128 KiB reads gave 2,000-5,000 stand-in 91s a run; 4 KiB and
 * 16 KiB reads none). */
#define READ_MAX	4096
/* Reads in one pass while the socket holds LINK_QUEUED_BEHIND more: what
 * they hold is shed at once, so catching up costs little. */
#define READS_BEHIND	8

/* A Connect slot's reconnects. */
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000

extern struct event_base *link_base;

/*
 * Calls go one way, link.c -> linklimit.c -> linkio.c (no circle between
 * files): what linkio.c must tell link.c goes through these hooks.
 */
struct linkio_hooks {
	/* A whole frame read: 1 when it unpacked (a valid frame), else 0. */
	int	(*frame)(struct conn *, const uint8_t *, size_t, uint64_t t0);
	/* A packed message for a MAC link: 1 when taken (linkmac.c). */
	int	(*send_mac)(struct conn *, const uint8_t *, size_t);
	/* A Connect slot's socket is up (its session may begin). */
	void	(*connected)(struct conn *);
	/* A Connect slot's connection closed: dial again, later. */
	void	(*slot_closed)(struct link_slot *);
	/* The frames of one read event are handled. */
	void	(*read_done)(struct link *);
};

/* linkio.c */
void	linkio_init(struct event_base *, const struct linkio_hooks *);
void	addr_text(const struct sockaddr *, char *, size_t);
void	link_update_signed_on(struct link *);
/* The link's next STAN (DE11) for a message of ours, 1..999999. */
uint32_t link_stan(struct link *);
struct conn *conn_new(struct link *, int fd, const struct sockaddr *);
void	conn_close(struct conn *, const char *why);
/* The same, for a limit: a warning naming it. */
void	conn_limit_close(struct conn *, const char *why);
/* Frames and queues a packed message as it is (no MAC step): 0 or -1. */
int	conn_send_raw(struct conn *, const uint8_t *, size_t);
/* Writes what is queued now, as far as the socket takes it: 0, or -1
 * when that closed c. */
int	conn_flush(struct conn *);
/* A Connect slot's socket is up: reads start. */
void	conn_connected(struct conn *);

/* linkset.c: on and off the list of running links */
void	linkset_add(struct link *);
void	linkset_remove(struct link *);

/* linklimit.c */
/* Every tick: -1 when a limit closed c. */
int	limit_check(struct conn *, uint64_t now);

#endif
