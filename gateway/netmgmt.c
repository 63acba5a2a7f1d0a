/*
 * netmgmt.c — 0800/0810: what a network management message asks, its
 * answer, and the 0800s we send (echo, sign-on, sign-off, SAF request).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "gateway/netmgmt.h"

static const struct {
	const char	*code;		/* DE70 */
	enum netmgmt_action action;
	const char	*what;
} codes[] = {
	{ "001", NM_SIGN_ON, "sign_on" },
	{ "061", NM_SIGN_ON, "sign_on" },
	{ "066", NM_SIGN_ON, "sign_on" },
	{ "002", NM_SIGN_OFF, "sign_off" },
	{ "062", NM_SIGN_OFF, "sign_off" },
	{ "065", NM_SIGN_OFF, "sign_off" },
	{ "301", NM_ECHO, "echo" },
	{ "270", NM_ECHO, "echo" },
	{ "060", NM_SAF, "saf" },
	{ "363", NM_SAF, "saf" },
	{ "161", NM_KEY_CHANGE, "key_change" },
	{ "163", NM_KEY_VERIFY, "key_verify" },
};

void
netmgmt_answer(const struct iso_msg *m, struct iso_msg *resp,
    struct netmgmt_result *r)
{
	size_t i;

	memset(r, 0, sizeof *r);
	r->action = NM_NONE;
	r->what = "unknown";
	r->rc = "00";
	if (strcmp(m->mti, "0810") == 0 || strcmp(m->mti, "0830") == 0) {
		r->action = NM_ALIVE;
		return;
	}
	if (strcmp(m->mti, "0800") != 0 && strcmp(m->mti, "0801") != 0 &&
	    strcmp(m->mti, "0820") != 0)
		return;
	r->action = NM_REFUSED;
	if (iso_get_str(m, 70, r->code, sizeof r->code) == -1) {
		r->rc = "30";
		r->what = "missing_de70";
	} else {
		/* 162 (the scheme asks us for a key): we do not issue
		 * keys, the scheme does. */
		r->rc = "12";
		r->what = "unsupported";
		for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
			if (strcmp(r->code, codes[i].code) == 0) {
				r->action = codes[i].action;
				r->what = codes[i].what;
				r->rc = "00";
				break;
			}
	}
	iso_response_init(resp, m, r->rc, 0);
}

void
netmgmt_build(const char *code, uint32_t stan, struct iso_msg *m)
{
	char de7[16], de11[8];
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	snprintf(de7, sizeof de7, "%02d%02d%02d%02d%02d", tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(de11, sizeof de11, "%06u", stan % 1000000u);
	iso_msg_init(m, "0800");
	iso_set_str(m, 7, de7);
	iso_set_str(m, 11, de11);
	iso_set_str(m, 70, code);
}
