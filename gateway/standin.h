/*
 * standin.h — the stand-in authoriser.  For now (issue 4) it has no card
 * data and no HSM: every decision is DE39 91 (issuer unavailable).  The
 * point of this stage is that the scheme always gets an answer in time;
 * the real checks (ARCHITECTURE section 6) come with the stand-in issue.
 */
#ifndef GATEWAY_STANDIN_H
#define GATEWAY_STANDIN_H

struct iso_msg;

/* Sets DE39 (and any decision fields) in resp for request req. */
void	standin_decide(const struct iso_msg *req, struct iso_msg *resp,
	    const char *reason);

#endif
