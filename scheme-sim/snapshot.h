/*
 * snapshot.h — `scheme-sim core --cards FILE`: the portfolio pushed to the
 * gateway as SNAPSHOT frames (ARCHITECTURE section 4), each with its own
 * version (the frame's corr_id), re-sent every 500 ms until its
 * SNAPSHOT_ACK echoes the version.
 */
#ifndef SIM_SNAPSHOT_H
#define SIM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct sim_snap;

typedef void sim_snap_send_fn(void *arg, uint64_t version,
	    const uint8_t *body, size_t len);

struct sim_snap *sim_snap_open(const char *portfolio, uint64_t version_base,
	    char *err, size_t errsz);
void	sim_snap_free(struct sim_snap *);
/* Sends what is due (a bounded number per call). */
void	sim_snap_tick(struct sim_snap *, uint64_t now_ns, sim_snap_send_fn *,
	    void *arg);
/* A SNAPSHOT_ACK: 1 when it acknowledged one of ours. */
int	sim_snap_ack(struct sim_snap *, uint64_t version);
void	sim_snap_counts(const struct sim_snap *, uint64_t *frames,
	    uint64_t *acked, uint64_t *cards, uint64_t *sent);

#endif
