/*
 * coreout.c — `scheme-sim core --out-request LINK:FILE`: requests the core
 * sends through the gateway to a scheme link, read once from the iso8583
 * CLI's JSON form and sent with a fresh DE7 and DE11 each time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "iso8583/json.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/parse.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"

/* The file whole, NUL-terminated, up to 64 KiB; NULL if it cannot be. */
static char *
read_small(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long sz;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("event=out_request_file path=%s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 && sz <= 65536 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) != NULL) {
		if (fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
			buf[sz] = '\0';
			*len = (size_t)sz;
		} else {
			free(buf);
			buf = NULL;
		}
	} else
		log_warnx("event=out_request_file path=%s reason=size", path);
	fclose(f);
	return buf;
}

int
core_load_outreqs(struct coresim *cs)
{
	const struct iso_profile *p;
	const char *path;
	char err[160], *buf;
	size_t len;
	int i;

	if (cs->o->noutreq == 0)
		return 0;
	p = iso_profile_find(cs->o->out_profile ? cs->o->out_profile : "iso87");
	if (p == NULL) {
		log_warnx("event=bad_option option=out-profile");
		return -1;
	}
	cs->outmsg = calloc((size_t)cs->o->noutreq, sizeof *cs->outmsg);
	if (cs->outmsg == NULL)
		return -1;
	for (i = 0; i < cs->o->noutreq; i++) {
		path = cs->o->outreq[i].file;
		if ((buf = read_small(path, &len)) == NULL)
			return -1;
		if (iso_json_read(p, buf, len, &cs->outmsg[i], err,
		    sizeof err) == -1) {
			log_warnx("event=out_request_file path=%s "
			    "reason=\"%s\"", path, err);
			free(buf);
			return -1;
		}
		free(buf);
	}
	return 0;
}

/* OUT_REQUEST i with a new correlation id, STAN and DE7. */
static void
send_outreq(struct coresim *cs, int i, const char *de7)
{
	struct iso_msg *m = &cs->req;
	struct tlv_w w;
	char stan[8];
	int f;

	cs->out_corr++;
	/* Fresh keys each time, so the scheme sees new requests. */
	snprintf(stan, sizeof stan, "%06llu",
	    (unsigned long long)(cs->out_corr % 999999 + 1));
	iso_msg_init(m, cs->outmsg[i].mti);
	for (f = iso_next(&cs->outmsg[i], 0); f != 0;
	    f = iso_next(&cs->outmsg[i], f))
		if (f != 7 && f != 11)
			iso_copy_field(m, &cs->outmsg[i], f);
	iso_set_str(m, 11, stan);
	iso_set_str(m, 7, de7);
	tlv_w_init(&w, cs->body, sizeof cs->body);
	tlv_put_str(&w, TLV_LINK, cs->o->outreq[i].link);
	tlv_put_msg(&w, m);
	if (w.err) {
		log_warnx("event=out_request_too_big link=%s",
		    cs->o->outreq[i].link);
		return;
	}
	cs->outw[cs->out_corr % MAX_OUT_WAIT].corr = cs->out_corr;
	cs->outw[cs->out_corr % MAX_OUT_WAIT].sent_ns = sim_now_ns();
	core_emit(cs, COREFR_OUT_REQUEST, cs->out_corr, cs->body, w.len,
	    (struct sockaddr *)&cs->gw, cs->gwlen, 0);
	cs->out_req++;
	log_info("event=out_request link=%s corr_id=%llu mti=%s de11=%s de7=%s",
	    cs->o->outreq[i].link, (unsigned long long)cs->out_corr, m->mti,
	    stan, de7);
}

void
core_send_outreqs(struct coresim *cs)
{
	char de7[11];
	time_t t = time(NULL);
	struct tm g;
	int i;

	if (!cs->have_gw || cs->blackholed)
		return;
	gmtime_r(&t, &g);
	snprintf(de7, sizeof de7, "%02d%02d%02d%02d%02d", g.tm_mon + 1,
	    g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec);
	for (i = 0; i < cs->o->noutreq; i++)
		send_outreq(cs, i, de7);
	core_flush_tx(cs);
}
