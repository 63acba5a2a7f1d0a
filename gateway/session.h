/*
 * session.h — a scheme connection's session (doc/architecture.md,
 * "Session control"): the gateway's sign-on after a Connect slot comes
 * up (SignOn = yes), retried until the scheme agrees; the scheme's own
 * sign-on and sign-off; the request for the scheme's stored advices
 * after a sign-on where the profile has one; sign-off before a planned
 * close; and whether requests are let through.  The DE70 codes are the
 * profile's (session_codes).
 */
#ifndef GATEWAY_SESSION_H
#define GATEWAY_SESSION_H

#include <stdint.h>

struct conn;
struct iso_msg;

enum session_state {
	SESS_DOWN,		/* not signed on, nothing asked */
	SESS_SIGNING_ON,	/* our 0800 sign-on waits for its 0810 */
	SESS_SIGNED_ON,
	SESS_SIGNING_OFF,	/* our 0800 sign-off sent: closing */
	SESS_SIGNED_OFF		/* the scheme signed us off */
};

/* A profile's network management codes (DE70). */
struct session_codes {
	const char	*profile;	/* name, or prefix ending in '*' */
	const char	*sign_on, *sign_off, *echo;
	const char	*saf;		/* stored advices request, or NULL */
	int		 gated;		/* requests need a signed-on conn */
	const char	*gated_rc;	/* their answer when it is not */
	const char	*mac_rc;	/* the answer to a bad or missing MAC */
};

const struct session_codes *session_codes(const char *profile);
const char *session_state_name(int);

/* A Connect slot's socket is up. */
void	session_connected(struct conn *);
/* Every link tick: sign-on retries and unanswered session messages. */
void	session_tick(struct conn *, uint64_t now);
/* An 0810 (0830): 1 when it answered a session message of ours (and was
 * taken), 0 when it is something else's (an echo's). */
int	session_answer(struct conn *, const struct iso_msg *);
/* The scheme signed this connection on (on = 1) or off (0). */
void	session_scheme(struct conn *, int on);
/* 1 when a request on c is to be refused: SignOn = yes, the profile
 * gates traffic, and c is not signed on. */
int	session_gated(const struct conn *);
/* Another 0800 of ours (162 key request, ...), its 0810 logged: 0, or
 * -1 when one is outstanding already or it could not be sent. */
int	session_ask(struct conn *, const char *code);
/* Before a planned close: 1 when a sign-off was sent (its answer may be
 * waited for), 0 when none was due. */
int	session_sign_off(struct conn *);

#endif
