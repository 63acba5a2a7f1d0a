/*
 * advrec.h — the simulated core's record of what the gateway told it:
 * one JSON line per ADVICE received (and per OUT_RESPONSE), with the PAN
 * masked, and the set of advices seen so repeats are flagged
 * ("dup":true) — the tests check that no approval is missing from the
 * core's view and none is counted twice.  An advice is known by the
 * gateway that made it and that gateway's advice id (tags 0x1007 and
 * 0x1006): a pair of gateways may deliver each other's advices, under
 * their own queue ids (the frame's corr_id).
 */
#ifndef SIM_ADVREC_H
#define SIM_ADVREC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_ADV_NAMES	64	/* gateway names told apart */
#define SIM_ADV_NAMELEN	64	/* a name's room, NUL included */

struct sim_advslot {
	uint64_t	 id;
	uint32_t	 gw;		/* index in names */
	uint32_t	 used;
};

struct sim_advrec {
	FILE		*f;
	struct sim_advslot *slots;	/* open addressing */
	size_t		 cap, n;
	char		 names[SIM_ADV_NAMES][SIM_ADV_NAMELEN];
	int		 nnames;
	uint64_t	 unique, dups;
	uint64_t	 undetected;	/* counted unique, not checked:
					   no room for the name or id */
};

/* What the core knows of one ADVICE besides its body. */
struct sim_advinfo {
	const char	*gateway;	/* 0x1007, "" when absent */
	uint64_t	 advice_id;	/* 0x1006, else the corr_id */
	const char	*from;		/* the sender's address */
	const char	*delivered_by;	/* the sender's name, else from */
};

int	sim_advrec_open(struct sim_advrec *, const char *path);	/* NULL: none */
void	sim_advrec_close(struct sim_advrec *);
/* An advice's identity: (0x1007, 0x1006), "" and corr_id for a tag the
 * body lacks.  -1 when a tag is there but unusable (a name too long or
 * holding a NUL, an id not decimal). */
int	sim_advrec_key(const uint8_t *body, size_t len, uint64_t corr_id,
	    char gw[SIM_ADV_NAMELEN], uint64_t *id);
/* Notes an advice; 1 if it was new, 0 if a repeat, -1 on no memory or
 * too many gateway names (then it cannot tell, and says new). */
int	sim_advrec_seen(struct sim_advrec *, const char *gw, uint64_t id);
/* One line for a frame body (message TLV): kind "advice" with info, or
 * "out_response" with info NULL and extra_us its latency. */
void	sim_advrec_write(struct sim_advrec *, const char *kind,
	    uint64_t corr_id, int dup, const uint8_t *body, size_t len,
	    uint64_t extra_us, const struct sim_advinfo *info);
void	sim_advrec_flush(struct sim_advrec *);

#endif
