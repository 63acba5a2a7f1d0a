/*
 * conn.h — one framed ISO 8583 TCP connection on a libevent loop.
 * Reads whole frames (iso8583/frame.h) and hands each message to a
 * callback; writes are buffered and flushed in batches, so a burst of
 * requests or answers costs one write(2), not one per message.
 */
#ifndef SIM_CONN_H
#define SIM_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "iso8583/frame.h"

struct event_base;
struct sim_conn;

/* now_ns: the monotonic time the bytes were read. */
typedef void (*sim_conn_msg_fn)(struct sim_conn *, const uint8_t *msg,
    size_t len, uint64_t now_ns, void *arg);
/* The connection is dead (peer closed, framing lost, I/O error).  The
 * callback must not free it: it may be running inside the connection's own
 * read loop.  Free it later (a timer, or at exit). */
typedef void (*sim_conn_close_fn)(struct sim_conn *, const char *why,
    void *arg);

struct sim_conn *sim_conn_new(struct event_base *, int fd,
	    const struct framer *, sim_conn_msg_fn, sim_conn_close_fn,
	    void *arg);
void	sim_conn_free(struct sim_conn *);
/* Queues one message with its frame prefix; flushed at the end of the
 * current read callback or by sim_conn_flush.  0 / -1 (too big, dead). */
int	sim_conn_send(struct sim_conn *, const uint8_t *msg, size_t len);
int	sim_conn_flush(struct sim_conn *);
size_t	sim_conn_pending(const struct sim_conn *);	/* unwritten bytes */
/* Take each read's time from the kernel's receive timestamp (when the
 * bytes arrived) instead of the clock after the read.  0 / -1. */
int	sim_conn_rx_timestamps(struct sim_conn *);
/* Reads that carried a kernel timestamp. */
uint64_t sim_conn_rx_timestamps_used(const struct sim_conn *);
int	sim_conn_fd(const struct sim_conn *);
int	sim_conn_id(const struct sim_conn *);
void	sim_conn_set_id(struct sim_conn *, int);

/* Blocking connect with retries until timeout_ns (the peer may still be
 * starting); returns a non-blocking TCP_NODELAY socket or -1. */
int	sim_tcp_connect(const struct sockaddr *, socklen_t,
	    uint64_t timeout_ns);
/* A connect that does not block the loop: a non-blocking socket whose
 * connect is under way (wait for it to be writable), or -1. */
int	sim_tcp_connect_start(const struct sockaddr *, socklen_t);
/* Once writable: 0 (connected, TCP_NODELAY set) or -1 with errno. */
int	sim_tcp_connect_done(int fd);
/* A non-blocking listening socket (SO_REUSEADDR) or -1. */
int	sim_tcp_listen(const struct sockaddr *, socklen_t);
/* Sets O_NONBLOCK and TCP_NODELAY on an accepted socket. */
int	sim_tcp_tune(int fd);

#endif
