/*
 * coreopts.h — options of `scheme-sim core`, shared by its two modes:
 * the cloud core on the core link (coresim.c, UDP/GUE/sealed) and the
 * plain framed ISO 8583 peer (coretcp.c, --tcp, the bare-relay floor).
 */
#ifndef SIM_COREOPTS_H
#define SIM_COREOPTS_H

#include <stdint.h>
#include <sys/socket.h>

#include "iso8583/frame.h"
#include "scheme-sim/delay.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/rules.h"
#include "tunnel/seal.h"

#define SIM_MAX_OUTREQ	256

enum { CORE_UDP, CORE_TCP };	/* --listen, --tcp */

struct sim_outreq {
	char		 link[64];
	const char	*file;
};

struct sim_core_opts {
	struct sim_optaddr	 addr;		/* how: CORE_UDP or CORE_TCP */
	const char		*profile, *framing;
	char			 force_rc[3];	/* --rc, "": none */
	const struct iso_profile *prof;
	struct framer		 fr;
	struct seal_keyring	 keys;
	struct sim_rules	 rules;
	struct sim_delay	 delay;
	double			 drop;
	uint64_t		 blackhole_after_ns;
	uint64_t		 blackhole_for_ns;
	uint64_t		 duration_ns;
	uint64_t		 seed;
	const char		*record_path;
	const char		*cards_path;	/* portfolio to push */
	uint64_t		 snap_version;	/* its first version, 0: now */
	const char		*json_path;
	const char		*control_path;	/* corectl.c */
	const char		*share;		/* --share, coreshare.c */
	const char		*out_profile;
	struct sim_outreq	 outreq[SIM_MAX_OUTREQ];
	int			 noutreq;
	uint64_t		 out_every_ns;
	int			 out_on_cmd;	/* only on "out-request" */
	int			 quiet;
};

int	sim_coretcp_run(struct sim_core_opts *);
int	sim_coreudp_run(struct sim_core_opts *);

#endif
