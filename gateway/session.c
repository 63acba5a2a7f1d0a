/*
 * session.c — a scheme connection's session: sign-on, sign-off, the
 * stored advices request, and the gate on requests (session.h).
 *
 * Only one session message of ours is outstanding per connection; its
 * 0810 is told from an echo's by DE11.  Echo supervision itself (idle
 * echo, EchoMisses) stays with the link and its limits: a connection
 * closed for unanswered echoes loses its session with it, and a Connect
 * slot signs on again once it has reconnected.
 */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "gateway/link.h"
#include "gateway/link-int.h"
#include "gateway/metrics.h"
#include "gateway/netmgmt.h"
#include "gateway/session.h"

/* An unanswered sign-on is sent again after this; a refused one too. */
#define SIGNON_RETRY_US	2000000u
/* How long a session 0800 of ours may stay unanswered. */
#define NM_WAIT_US	5000000u

/*
 * Mastercard's codes (payments reference: 061/062 group sign-on/off,
 * 270 echo, 060 SAF session request) and the 001/002/301 set of other
 * networks.  A Mastercard issuer that is not signed on is not sent
 * traffic; FPS likewise.  The generic test profiles do not gate.  A
 * bad MAC is answered 63 (ISO 8583:1987 "security violation").
 */
static const struct session_codes table[] = {
	{ "mastercard*", "061", "062", "270", "060", 1, "91", "63" },
	{ "fps", "001", "002", "301", NULL, 1, "91", "63" },
	{ "*", "001", "002", "301", NULL, 0, "91", "63" },
};

static int send_nm(struct conn *, const char *, uint64_t);

static const char *const state_names[] = {
	[SESS_DOWN] = "down", [SESS_SIGNING_ON] = "signing_on",
	[SESS_SIGNED_ON] = "signed_on", [SESS_SIGNING_OFF] = "signing_off",
	[SESS_SIGNED_OFF] = "signed_off",
};

static struct iso_msg nm;

const struct session_codes *
session_codes(const char *profile)
{
	size_t i, n;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		n = strlen(table[i].profile);
		if (table[i].profile[n - 1] == '*' ?
		    strncmp(profile, table[i].profile, n - 1) == 0 :
		    strcmp(profile, table[i].profile) == 0)
			return &table[i];
	}
	return &table[i - 1];
}

const char *
session_state_name(int s)
{
	if (s < 0 || s > SESS_SIGNED_OFF)
		return "?";
	return state_names[s];
}

static void
set_state(struct conn *c, enum session_state s, const char *why)
{
	struct link *l = c->link;

	if (c->session == (int)s)
		return;
	log_info("event=session link=%s conn=%llu peer=%s from=%s to=%s "
	    "reason=%s", l->cf.name, (unsigned long long)c->id, c->peer,
	    session_state_name(c->session), session_state_name(s), why);
	c->session = s;
	c->signed_on = s == SESS_SIGNED_ON;
	link_update_signed_on(l);
}

int
session_ask(struct conn *c, const char *code)
{
	if (c->nm_sent_us != 0)
		return -1;	/* one session message at a time */
	return send_nm(c, code, now_us());
}

/* Sends our 0800 with DE70 code: 0 or -1. */
static int
send_nm(struct conn *c, const char *code, uint64_t now)
{
	c->nm_stan = link_stan(c->link);
	netmgmt_build(code, c->nm_stan, &nm);
	if (conn_send_msg(c, &nm) == -1)
		return -1;
	c->nm_sent_us = now;
	memcpy(c->nm_code, code, 4);
	return 0;
}

static void
sign_on(struct conn *c, uint64_t now)
{
	const struct session_codes *sc = session_codes(c->link->cf.profile);

	c->signon_due_us = now + SIGNON_RETRY_US;
	if (send_nm(c, sc->sign_on, now) == -1)
		return;
	c->link->sign_on_sent++;
	set_state(c, SESS_SIGNING_ON, "sign_on_sent");
}

/* After any sign-on: the scheme's stored advices, where it has them. */
static void
ask_saf(struct conn *c, uint64_t now)
{
	const struct session_codes *sc = session_codes(c->link->cf.profile);

	if (sc->saf == NULL || send_nm(c, sc->saf, now) == -1)
		return;
	c->link->saf_requests++;
	log_info("event=saf_requested link=%s conn=%llu code=%s",
	    c->link->cf.name, (unsigned long long)c->id, sc->saf);
}

void
session_connected(struct conn *c)
{
	if (c->link->cf.sign_on)
		sign_on(c, now_us());
}

void
session_tick(struct conn *c, uint64_t now)
{
	struct link *l = c->link;

	if (c->nm_sent_us != 0 && now - c->nm_sent_us > NM_WAIT_US) {
		log_warnx("event=session_unanswered link=%s conn=%llu code=%s",
		    l->cf.name, (unsigned long long)c->id, c->nm_code);
		c->nm_sent_us = 0;
		if (c->session == SESS_SIGNING_ON)
			set_state(c, SESS_DOWN, "sign_on_unanswered");
	}
	/* Connect slots sign on, again after a refusal or silence; the
	 * scheme's own sign-off is its word: not argued with. */
	if (l->cf.sign_on && c->slot >= 0 && c->session == SESS_DOWN &&
	    c->nm_sent_us == 0 && now >= c->signon_due_us)
		sign_on(c, now);
}

int
session_answer(struct conn *c, const struct iso_msg *m)
{
	struct link *l = c->link;
	char de11[8], rc[3] = "";
	uint64_t stan;

	if (c->nm_sent_us == 0 || iso_get_str(m, 11, de11, sizeof de11) == -1)
		return 0;
	stan = strtoull(de11, NULL, 10);
	if (stan != c->nm_stan)
		return 0;
	c->nm_sent_us = 0;
	iso_get_str(m, 39, rc, sizeof rc);
	log_info("event=session_answered link=%s conn=%llu code=%s rc=%s",
	    l->cf.name, (unsigned long long)c->id, c->nm_code,
	    rc[0] ? rc : "-");
	if (c->session == SESS_SIGNING_ON) {
		if (strcmp(rc, "00") != 0) {
			l->sign_on_refused++;
			log_warnx("event=sign_on_refused link=%s conn=%llu "
			    "rc=%s", l->cf.name, (unsigned long long)c->id,
			    rc[0] ? rc : "-");
			set_state(c, SESS_DOWN, "sign_on_refused");
			return 1;
		}
		l->sign_on_ok++;
		set_state(c, SESS_SIGNED_ON, "sign_on_answered");
		ask_saf(c, now_us());
	}
	return 1;
}

void
session_scheme(struct conn *c, int on)
{
	if (on) {
		c->link->scheme_sign_ons++;
		if (c->session == SESS_SIGNED_ON)
			return;
		set_state(c, SESS_SIGNED_ON, "scheme_sign_on");
		ask_saf(c, now_us());
		return;
	}
	c->link->scheme_sign_offs++;
	set_state(c, SESS_SIGNED_OFF, "scheme_sign_off");
}

int
session_gated(const struct conn *c)
{
	return c->link->cf.sign_on && !c->signed_on &&
	    session_codes(c->link->cf.profile)->gated;
}

int
session_sign_off(struct conn *c)
{
	const struct session_codes *sc = session_codes(c->link->cf.profile);

	if (!c->link->cf.sign_on || c->session != SESS_SIGNED_ON)
		return 0;
	if (send_nm(c, sc->sign_off, now_us()) == -1)
		return 0;
	c->link->sign_off_sent++;
	set_state(c, SESS_SIGNING_OFF, "sign_off_sent");
	return 1;
}
