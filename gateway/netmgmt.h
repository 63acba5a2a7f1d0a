/*
 * netmgmt.h — network management (08xx) as the link answers it: sign-on
 * and sign-off, echo and SAF requests, in both the Mastercard DE70 codes
 * (061/062/270, 065/066) and the 001/002/301 set; and the idle echo the
 * link sends.  It builds messages only: the link sends them and keeps
 * the signed-on state.
 */
#ifndef GATEWAY_NETMGMT_H
#define GATEWAY_NETMGMT_H

#include <stdint.h>

struct iso_msg;

enum netmgmt_action {
	NM_NONE,		/* nothing to answer (logged as unexpected) */
	NM_ALIVE,		/* 0810/0830: the answer to our echo */
	NM_SIGN_ON,
	NM_SIGN_OFF,
	NM_ECHO,
	NM_SAF,
	NM_KEY_CHANGE,		/* 161: a new key under the ZMK (zonekey.c) */
	NM_KEY_VERIFY,		/* 163: which key is in use (its KCV) */
	NM_REFUSED		/* answered, but not done (30 or 12) */
};

struct netmgmt_result {
	enum netmgmt_action action;
	const char	*what;		/* for the log: "sign_on", ... */
	const char	*rc;		/* DE39 of the answer */
	char		 code[8];	/* DE70 as received */
};

/* What m asks for; *resp is its answer when r->action is neither NM_NONE
 * nor NM_ALIVE. */
void	netmgmt_answer(const struct iso_msg *m, struct iso_msg *resp,
	    struct netmgmt_result *r);
/* An 0800 of ours with DE70 code, numbered stan (session.c picks the
 * profile's codes). */
void	netmgmt_build(const char *code, uint32_t stan, struct iso_msg *m);

#endif
