/*
 * snapshot.h — `scheme-sim core --cards FILE`: the portfolio pushed to the
 * gateway as SNAPSHOT frames (ARCHITECTURE section 4), each with its own
 * version (the frame's corr_id), re-sent every 500 ms until its
 * SNAPSHOT_ACK echoes the version.  Several gateways (a pair) each get
 * every frame and each one's acks are kept apart, by the caller's index
 * of that gateway (0..31): a frame is done once every gateway the last
 * tick knew of has acknowledged it.
 */
#ifndef SIM_SNAPSHOT_H
#define SIM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct sim_snap;

typedef void sim_snap_send_fn(void *arg, int gw, uint64_t version,
	    const uint8_t *body, size_t len);

struct sim_snap *sim_snap_open(const char *portfolio, uint64_t version_base,
	    char *err, size_t errsz);
void	sim_snap_free(struct sim_snap *);
/* Sends what is due to the gateways in the mask `known` (bit i: index
 * i), a bounded number of frames per call. */
void	sim_snap_tick(struct sim_snap *, uint64_t now_ns, uint32_t known,
	    sim_snap_send_fn *, void *arg);
/* A SNAPSHOT_ACK from gateway gw: 1 when it acknowledged one of ours. */
int	sim_snap_ack(struct sim_snap *, int gw, uint64_t version);
/* Gateway index gw is someone else from now on: its acks are dropped. */
void	sim_snap_forget(struct sim_snap *, int gw);
/* acked: the frames every known gateway acknowledged. */
void	sim_snap_counts(const struct sim_snap *, uint64_t *frames,
	    uint64_t *acked, uint64_t *cards, uint64_t *sent);
/* The frames gateway gw acknowledged. */
uint64_t sim_snap_gw_acked(const struct sim_snap *, int gw);

#endif
