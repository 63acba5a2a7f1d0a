/*
 * netmgmt.c — 0800/0810 handling.
 */
#include <string.h>
#include <time.h>
#include <stdio.h>

#include "base/log.h"
#include "iso8583/mti.h"
#include "gateway/gw.h"
#include "gateway/metrics.h"
#include "gateway/netmgmt.h"

static struct iso_msg nm;

static void
update_link_state(struct link *l)
{
	struct conn *c;

	l->signed_on = 0;
	TAILQ_FOREACH(c, &l->conns, entry)
		if (c->signed_on)
			l->signed_on = 1;
}

void
netmgmt_handle(struct conn *c, const struct iso_msg *m)
{
	char code[8] = "";
	const char *rc = "00", *what = "unknown";

	if (strcmp(m->mti, "0810") == 0 || strcmp(m->mti, "0830") == 0) {
		/* The answer to our echo (or sign-on): the line is alive. */
		if (c->echo_sent_us != 0) {
			c->link->echo_ok++;
			c->echo_sent_us = 0;
		}
		return;
	}
	if (strcmp(m->mti, "0800") != 0 && strcmp(m->mti, "0801") != 0 &&
	    strcmp(m->mti, "0820") != 0) {
		log_warnx("event=unexpected_netmgmt link=%s mti=%s",
		    c->link->cf.name, m->mti);
		return;
	}
	if (iso_get_str(m, 70, code, sizeof code) == -1) {
		rc = "30";
		what = "missing_de70";
	} else if (strcmp(code, "001") == 0 || strcmp(code, "061") == 0 ||
	    strcmp(code, "066") == 0) {
		c->signed_on = 1;
		what = "sign_on";
	} else if (strcmp(code, "002") == 0 || strcmp(code, "062") == 0 ||
	    strcmp(code, "065") == 0) {
		c->signed_on = 0;
		what = "sign_off";
	} else if (strcmp(code, "301") == 0 || strcmp(code, "270") == 0) {
		what = "echo";
	} else if (strcmp(code, "060") == 0 || strcmp(code, "363") == 0) {
		what = "saf";
	} else {
		/* Key change (161/162) needs the HSM: not supported yet. */
		rc = "12";
		what = "unsupported";
	}
	update_link_state(c->link);
	iso_response_init(&nm, m, rc, 0);
	log_info("event=netmgmt link=%s conn=%llu code=%s action=%s rc=%s "
	    "signed_on=%d", c->link->cf.name, (unsigned long long)c->id, code,
	    what, rc, c->link->signed_on);
	if (conn_send_msg(c, &nm) == 0)
		metrics_request(c->link->cf.name, m->mti, rc, PATH_LOCAL, 0);
}

void
netmgmt_echo(struct conn *c)
{
	char de7[16], de11[8];
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	snprintf(de7, sizeof de7, "%02d%02d%02d%02d%02d", tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(de11, sizeof de11, "%06u", link_next_stan(c->link));
	iso_msg_init(&nm, "0800");
	iso_set_str(&nm, 7, de7);
	iso_set_str(&nm, 11, de11);
	/* Mastercard's echo code, or the generic one. */
	iso_set_str(&nm, 70, strncmp(c->link->cf.profile, "mastercard", 10)
	    == 0 ? "270" : "301");
	if (conn_send_msg(c, &nm) == 0) {
		c->echo_sent_us = now_us();
		c->link->echo_sent++;
	}
}
