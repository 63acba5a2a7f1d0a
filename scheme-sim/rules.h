/*
 * rules.h — how the simulated core decides: decline PANs on a list (05),
 * decline amounts over a limit (51), approve the rest (00) with an
 * approval code that starts with a mark ('C'), so the scheme side can
 * tell core approvals from stand-in ones.
 */
#ifndef SIM_RULES_H
#define SIM_RULES_H

#include <stddef.h>
#include <stdint.h>

struct iso_msg;

struct sim_rules {
	uint64_t	 decline_over;	/* 0: no limit */
	char		**pans;		/* sorted */
	size_t		 npans;
	char		 mark;		/* first character of DE38 */
	const char	*force_rc;	/* answer everything with this */
	uint64_t	 approvals;	/* numbers the approval codes */
};

void	sim_rules_init(struct sim_rules *);
/* A PAN (12..19 digits) or a file of PANs, one a line.  0 / -1 (err). */
int	sim_rules_add_pans(struct sim_rules *, const char *arg, char *err,
	    size_t errsz);
void	sim_rules_free(struct sim_rules *);
/*
 * Decides on a request: rc (2 chars + NUL) and, on approval, an approval
 * code (6 chars + NUL, else empty).  Advices and reversals are approved
 * without a code.  Returns 0, or -1 when the MTI is not a request.
 */
int	sim_rules_decide(struct sim_rules *, const struct iso_msg *req,
	    char rc[3], char de38[7]);

/*
 * The whole answer of a plain ISO 8583 peer (core --tcp, the bench's
 * floor peer): a sign-on or echo (0800) gets 00; a request gets the
 * rules' decision and approval code.  1 netmgmt answered, 0 request
 * answered, -1 nothing to answer (a response, or it does not build).
 */
int	sim_core_answer(struct sim_rules *, const struct iso_msg *req,
	    struct iso_msg *resp);

/* The same from a message TLV body (the core link): reads tags 2 and 4
 * in place.  mti is the request's. */
int	sim_rules_decide_tlv(struct sim_rules *, const uint8_t *body,
	    size_t len, const char *mti, char rc[3], char de38[7]);

#endif
