/*
 * coresim.c — `scheme-sim core`: the cloud core on the core link
 * (ARCHITECTURE section 4): GUE + sealed frames over UDP, through the
 * tunnel/ frame library.  Answers AUTH_REQUEST by the rules in rules.c,
 * HEARTBEAT with HEARTBEAT_ACK, acks and records ADVICEs, sends
 * OUT_REQUESTs, and injects faults: latency, drops, black-holing.
 *
 * Datagrams are read with recvmmsg and the immediate answers of a batch
 * leave with one sendmmsg, so the simulator stays cheap next to the
 * gateway it is measuring.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "iso8583/iso8583.h"
#include "iso8583/json.h"
#include "iso8583/mti.h"
#include "base/log.h"
#include "scheme-sim/advrec.h"
#include "scheme-sim/coreopts.h"
#include "scheme-sim/delay.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/rules.h"
#include "scheme-sim/snapshot.h"
#include "scheme-sim/txq.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"

#define BATCH		32
#define RXBUF		(COREFR_MAX_DGRAM + 64)
#define TXBUF		2048	/* our answers are small */
#define MAX_OUT_WAIT	256

struct out_wait {
	uint64_t	corr;
	uint64_t	sent_ns;
};

struct coresim {
	struct sim_core_opts	*o;
	struct event_base	*base;
	int			 fd;
	struct event		*rev, *txev, *tick, *sigs[4];
	struct corefr_end	 end;
	uint64_t		 rng;
	int			 blackholed;
	uint64_t		 t0_ns, bh_since_ns;
	int			 bh_auto_done, bh_restore_done;
	struct sockaddr_storage	 gw;
	socklen_t		 gwlen;
	int			 have_gw;
	struct sim_txq		 txq;
	struct sim_advrec	 rec;
	struct sim_snap		*snap;		/* --cards */
	/* OUT_REQUESTs */
	struct iso_msg		*outmsg;	/* [noutreq] */
	uint64_t		 out_corr, next_out_ns;
	int			 out_sent_once;
	struct out_wait		 outw[MAX_OUT_WAIT];
	/* counters */
	uint64_t		 rx, rx_type[11], rejected[COREFR_R_MAX];
	uint64_t		 by_rc[100], answered, dropped, blackholed_n;
	uint64_t		 delayed, advices, advice_dups, out_req, out_resp;
	uint64_t		 bad_body, unexpected, send_err, truncated;
	/* batch buffers */
	uint8_t			 rxb[BATCH][RXBUF];
	struct sockaddr_storage	 rxa[BATCH];
	struct mmsghdr		 rxm[BATCH];
	struct iovec		 rxv[BATCH];
	uint8_t			 txb[BATCH][TXBUF];
	struct sockaddr_storage	 txa[BATCH];
	struct mmsghdr		 txm[BATCH];
	struct iovec		 txv[BATCH];
	int			 ntx;
	uint8_t			 pt[COREFR_HDRLEN + COREFR_MAX_BODY];
	uint8_t			 body[COREFR_MAX_BODY];
	/* Big buffers live here, not on the stack: the build zero-fills
	 * stack variables (-ftrivial-auto-var-init), 16 KiB per answer. */
	uint8_t			 big[COREFR_MAX_DGRAM];
	struct iso_msg		 req;
};

static void
flush_tx(struct coresim *cs)
{
	int i, n, off = 0;

	while (off < cs->ntx) {
		n = sendmmsg(cs->fd, cs->txm + off, (unsigned)(cs->ntx - off), 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			/* Full socket buffer or gone peer: the gateway's
			 * deadline covers a lost answer, like a real WAN. */
			cs->send_err += (uint64_t)(cs->ntx - off);
			break;
		}
		off += n;
	}
	for (i = 0; i < cs->ntx; i++)
		cs->txm[i].msg_hdr.msg_iovlen = 1;
	cs->ntx = 0;
}

static void
arm_txq(struct coresim *cs)
{
	struct sim_txitem *it = sim_txq_peek(&cs->txq);
	uint64_t now, d;
	struct timeval tv;

	if (it == NULL)
		return;
	now = sim_now_ns();
	d = it->due_ns > now ? it->due_ns - now : 0;
	tv.tv_sec = (time_t)(d / 1000000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000000u / 1000u);
	evtimer_add(cs->txev, &tv);
}

/* Builds a frame and sends it now (batched) or after delay_ns. */
static void
emit(struct coresim *cs, int type, uint64_t corr, const uint8_t *body,
    size_t blen, const struct sockaddr *to, socklen_t tolen, uint64_t delay_ns)
{
	uint8_t *tmp = cs->big;
	size_t tmpsz = sizeof cs->big;
	ssize_t n;
	int i;

	if (delay_ns > 0) {
		n = corefr_send(&cs->end, type, corr, 0, body, blen, tmp,
		    tmpsz);
		if (n < 0 || sim_txq_push(&cs->txq, sim_now_ns() + delay_ns,
		    tmp, (size_t)n, to, tolen) == -1) {
			cs->send_err++;
			return;
		}
		cs->delayed++;
		arm_txq(cs);
		return;
	}
	if (cs->ntx == BATCH)
		flush_tx(cs);
	i = cs->ntx;
	n = corefr_send(&cs->end, type, corr, 0, body, blen, cs->txb[i], TXBUF);
	if (n < 0) {
		/* Bigger than a batch slot: send it on its own. */
		n = corefr_send(&cs->end, type, corr, 0, body, blen, tmp,
		    tmpsz);
		if (n < 0 || sendto(cs->fd, tmp, (size_t)n, 0, to, tolen) < 0)
			cs->send_err++;
		return;
	}
	memcpy(&cs->txa[i], to, tolen);
	cs->txv[i].iov_base = cs->txb[i];
	cs->txv[i].iov_len = (size_t)n;
	memset(&cs->txm[i], 0, sizeof cs->txm[i]);
	cs->txm[i].msg_hdr.msg_name = &cs->txa[i];
	cs->txm[i].msg_hdr.msg_namelen = tolen;
	cs->txm[i].msg_hdr.msg_iov = &cs->txv[i];
	cs->txm[i].msg_hdr.msg_iovlen = 1;
	cs->ntx++;
}

static void
txq_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	struct sim_txitem *it;
	uint64_t now = sim_now_ns();

	(void)fd;
	(void)what;
	while ((it = sim_txq_peek(&cs->txq)) != NULL && it->due_ns <= now) {
		it = sim_txq_pop(&cs->txq);
		/* Black-holed meanwhile: a dead core answers nothing. */
		if (!cs->blackholed && sendto(cs->fd, it->buf, it->len, 0,
		    (struct sockaddr *)&it->to, it->tolen) < 0)
			cs->send_err++;
		free(it);
	}
	arm_txq(cs);
}

static void
on_auth(struct coresim *cs, const struct corefr_hdr *h, const uint8_t *body,
    const struct sockaddr *from, socklen_t fromlen)
{
	struct tlv_w w;
	char rc[3], de38[7], mti[5], rmti[5];

	/* Only MTI, PAN and amount matter to the rules: read those three
	 * tags in place rather than building a whole message. */
	if (tlv_find_str(body, h->body_len, TLV_MTI, mti, sizeof mti) == -1 ||
	    sim_rules_decide_tlv(&cs->o->rules, body, h->body_len, mti, rc,
	    de38) == -1 || iso_mti_response(mti, rmti) == -1) {
		cs->bad_body++;
		return;
	}
	tlv_w_init(&w, cs->body, sizeof cs->body);
	tlv_put(&w, TLV_MTI, rmti, 4);
	tlv_put(&w, 39, rc, 2);
	if (de38[0])
		tlv_put(&w, 38, de38, 6);
	if (w.err) {
		cs->bad_body++;
		return;
	}
	if (rc[0] >= '0' && rc[0] <= '9' && rc[1] >= '0' && rc[1] <= '9')
		cs->by_rc[(rc[0] - '0') * 10 + (rc[1] - '0')]++;
	cs->answered++;
	emit(cs, COREFR_AUTH_RESPONSE, h->corr_id, cs->body, w.len, from,
	    fromlen, sim_delay_draw(&cs->o->delay, &cs->rng));
}

static void
on_advice(struct coresim *cs, const struct corefr_hdr *h, const uint8_t *body,
    const struct sockaddr *from, socklen_t fromlen)
{
	int isnew;

	if (tlv_check(body, h->body_len) == -1) {
		cs->bad_body++;
		return;
	}
	isnew = sim_advrec_seen(&cs->rec, h->corr_id);
	if (isnew == 0)
		cs->advice_dups++;
	cs->advices++;
	sim_advrec_write(&cs->rec, "advice", h->corr_id, isnew == 0, body,
	    h->body_len, 0);
	/* Acked every time: the gateway retries until it hears the ack. */
	emit(cs, COREFR_ADVICE_ACK, h->corr_id, NULL, 0, from, fromlen, 0);
}

static void
on_out_response(struct coresim *cs, const struct corefr_hdr *h,
    const uint8_t *body)
{
	uint64_t lat = 0;
	int i;

	for (i = 0; i < MAX_OUT_WAIT; i++)
		if (cs->outw[i].corr == h->corr_id && cs->outw[i].sent_ns) {
			lat = (sim_now_ns() - cs->outw[i].sent_ns) / 1000u;
			cs->outw[i].sent_ns = 0;
			break;
		}
	cs->out_resp++;
	sim_advrec_write(&cs->rec, "out_response", h->corr_id, 0, body,
	    h->body_len, lat);
	log_info("event=out_response corr_id=%llu latency_us=%llu",
	    (unsigned long long)h->corr_id, (unsigned long long)lat);
}

static void
handle(struct coresim *cs, const uint8_t *d, size_t len,
    const struct sockaddr *from, socklen_t fromlen)
{
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;

	cs->rx++;
	if (cs->blackholed) {
		cs->blackholed_n++;
		return;
	}
	if (corefr_recv(&cs->end, d, len, &h, cs->pt, sizeof cs->pt, &body,
	    &why) == -1) {
		cs->rejected[why < COREFR_R_MAX ? why : 0]++;
		return;
	}
	if (h.type <= 10)
		cs->rx_type[h.type]++;
	memcpy(&cs->gw, from, fromlen);
	cs->gwlen = fromlen;
	cs->have_gw = 1;
	if (h.type == COREFR_HEARTBEAT) {
		emit(cs, COREFR_HEARTBEAT_ACK, h.corr_id, NULL, 0, from,
		    fromlen, 0);
		return;
	}
	if (cs->o->drop > 0 && sim_rng_unit(&cs->rng) < cs->o->drop) {
		cs->dropped++;
		return;
	}
	switch (h.type) {
	case COREFR_AUTH_REQUEST:
		on_auth(cs, &h, body, from, fromlen);
		break;
	case COREFR_ADVICE:
		on_advice(cs, &h, body, from, fromlen);
		break;
	case COREFR_OUT_RESPONSE:
		on_out_response(cs, &h, body);
		break;
	case COREFR_SNAPSHOT_ACK:
		if (cs->snap != NULL && sim_snap_ack(cs->snap, h.corr_id))
			break;
		cs->unexpected++;
		break;
	default:
		cs->unexpected++;
		break;
	}
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	int n, i, rounds;

	(void)what;
	/* A few batches per wakeup, then let timers run. */
	for (rounds = 0; rounds < 8; rounds++) {
		for (i = 0; i < BATCH; i++) {
			cs->rxv[i].iov_base = cs->rxb[i];
			cs->rxv[i].iov_len = RXBUF;
			memset(&cs->rxm[i].msg_hdr, 0, sizeof cs->rxm[i].msg_hdr);
			cs->rxm[i].msg_hdr.msg_name = &cs->rxa[i];
			cs->rxm[i].msg_hdr.msg_namelen = sizeof cs->rxa[i];
			cs->rxm[i].msg_hdr.msg_iov = &cs->rxv[i];
			cs->rxm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, cs->rxm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (cs->rxm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				cs->truncated++;
				continue;
			}
			handle(cs, cs->rxb[i], cs->rxm[i].msg_len,
			    (struct sockaddr *)&cs->rxa[i],
			    cs->rxm[i].msg_hdr.msg_namelen);
		}
		flush_tx(cs);
		if (n < BATCH)
			break;
	}
}

/* --- OUT_REQUEST -------------------------------------------------------- */

static int
load_outreqs(struct coresim *cs)
{
	const struct iso_profile *p;
	char err[160], *buf;
	FILE *f;
	long sz;
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
		const char *path = cs->o->outreq[i].file;
		if ((f = fopen(path, "r")) == NULL) {
			log_warn("event=out_request_file path=%s", path);
			return -1;
		}
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		rewind(f);
		if (sz <= 0 || sz > 65536 || (buf = malloc((size_t)sz + 1)) == NULL) {
			fclose(f);
			log_warnx("event=out_request_file path=%s reason=size", path);
			return -1;
		}
		if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
			free(buf);
			fclose(f);
			return -1;
		}
		fclose(f);
		buf[sz] = '\0';
		if (iso_json_read(p, buf, (size_t)sz, &cs->outmsg[i], err,
		    sizeof err) == -1) {
			log_warnx("event=out_request_file path=%s reason=\"%s\"",
			    path, err);
			free(buf);
			return -1;
		}
		free(buf);
	}
	return 0;
}

static void
send_outreqs(struct coresim *cs)
{
	struct tlv_w w;
	struct iso_msg *m;
	char stan[8], de7[11];
	time_t t = time(NULL);
	struct tm g;
	int i, f;

	if (!cs->have_gw || cs->blackholed)
		return;
	gmtime_r(&t, &g);
	snprintf(de7, sizeof de7, "%02d%02d%02d%02d%02d", g.tm_mon + 1,
	    g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec);
	for (i = 0; i < cs->o->noutreq; i++) {
		cs->out_corr++;
		/* Fresh keys each time, so the scheme sees new requests. */
		snprintf(stan, sizeof stan, "%06llu",
		    (unsigned long long)(cs->out_corr % 999999 + 1));
		m = &cs->req;
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
			continue;
		}
		cs->outw[cs->out_corr % MAX_OUT_WAIT].corr = cs->out_corr;
		cs->outw[cs->out_corr % MAX_OUT_WAIT].sent_ns = sim_now_ns();
		emit(cs, COREFR_OUT_REQUEST, cs->out_corr, cs->body, w.len,
		    (struct sockaddr *)&cs->gw, cs->gwlen, 0);
		cs->out_req++;
		log_info("event=out_request link=%s corr_id=%llu mti=%s",
		    cs->o->outreq[i].link, (unsigned long long)cs->out_corr,
		    m->mti);
	}
	flush_tx(cs);
}

/* --- control ------------------------------------------------------------ */

static void
set_blackhole(struct coresim *cs, int on, const char *why)
{
	if (cs->blackholed == on)
		return;
	cs->blackholed = on;
	cs->bh_since_ns = sim_now_ns();
	log_info("event=%s reason=%s", on ? "blackhole_on" : "blackhole_off", why);
}

static void
snap_send(void *arg, uint64_t version, const uint8_t *body, size_t len)
{
	struct coresim *cs = arg;

	emit(cs, COREFR_SNAPSHOT, version, body, len,
	    (struct sockaddr *)&cs->gw, cs->gwlen, 0);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	struct sim_core_opts *o = cs->o;
	uint64_t now = sim_now_ns();

	(void)fd;
	(void)what;
	if (o->blackhole_after_ns && !cs->bh_auto_done &&
	    now - cs->t0_ns >= o->blackhole_after_ns) {
		cs->bh_auto_done = 1;
		set_blackhole(cs, 1, "timer");
	}
	if (o->blackhole_for_ns && cs->blackholed && !cs->bh_restore_done &&
	    cs->bh_auto_done && now - cs->bh_since_ns >= o->blackhole_for_ns) {
		cs->bh_restore_done = 1;
		set_blackhole(cs, 0, "timer");
	}
	if (o->noutreq > 0 && cs->have_gw) {
		if (!cs->out_sent_once) {
			cs->out_sent_once = 1;
			cs->next_out_ns = now + o->out_every_ns;
			send_outreqs(cs);
		} else if (o->out_every_ns && now >= cs->next_out_ns) {
			cs->next_out_ns += o->out_every_ns;
			send_outreqs(cs);
		}
	}
	if (cs->snap != NULL && cs->have_gw && !cs->blackholed) {
		sim_snap_tick(cs->snap, now, snap_send, cs);
		flush_tx(cs);
	}
	if (o->duration_ns && now - cs->t0_ns >= o->duration_ns)
		event_base_loopbreak(cs->base);
	sim_advrec_flush(&cs->rec);
}

static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct coresim *cs = arg;

	(void)what;
	switch (sig) {
	case SIGUSR1:
		set_blackhole(cs, !cs->blackholed, "SIGUSR1");
		break;
	case SIGUSR2:
		set_blackhole(cs, 0, "SIGUSR2");
		break;
	default:
		event_base_loopbreak(cs->base);
	}
}

static void
report(struct coresim *cs, FILE *f, int json)
{
	int i, first = 1;

	if (json) {
		fprintf(f, "{\"received\":%llu,\"auth_requests\":%llu,"
		    "\"answered\":%llu,\"by_rc\":{",
		    (unsigned long long)cs->rx,
		    (unsigned long long)cs->rx_type[COREFR_AUTH_REQUEST],
		    (unsigned long long)cs->answered);
		for (i = 0; i < 100; i++)
			if (cs->by_rc[i]) {
				fprintf(f, "%s\"%02d\":%llu", first ? "" : ",", i,
				    (unsigned long long)cs->by_rc[i]);
				first = 0;
			}
		fprintf(f, "},\"heartbeats\":%llu,\"advices\":%llu,"
		    "\"advice_unique\":%llu,\"advice_dups\":%llu,"
		    "\"out_requests\":%llu,\"out_responses\":%llu,"
		    "\"dropped\":%llu,\"blackholed\":%llu,\"delayed\":%llu,"
		    "\"bad_body\":%llu,\"unexpected\":%llu,\"send_errors\":%llu,"
		    "\"rejected\":{",
		    (unsigned long long)cs->rx_type[COREFR_HEARTBEAT],
		    (unsigned long long)cs->advices,
		    (unsigned long long)cs->rec.unique,
		    (unsigned long long)cs->advice_dups,
		    (unsigned long long)cs->out_req,
		    (unsigned long long)cs->out_resp,
		    (unsigned long long)cs->dropped,
		    (unsigned long long)cs->blackholed_n,
		    (unsigned long long)cs->delayed,
		    (unsigned long long)cs->bad_body,
		    (unsigned long long)cs->unexpected,
		    (unsigned long long)cs->send_err);
		for (i = 1; i < COREFR_R_MAX; i++)
			fprintf(f, "%s\"%s\":%llu", i > 1 ? "," : "",
			    corefr_reject_name(i),
			    (unsigned long long)cs->rejected[i]);
		fprintf(f, "}}\n");
		return;
	}
	fprintf(f, "scheme-sim core: received=%llu auth_requests=%llu "
	    "answered=%llu heartbeats=%llu advices=%llu (unique=%llu dups=%llu) "
	    "out_requests=%llu out_responses=%llu dropped=%llu blackholed=%llu "
	    "delayed=%llu bad_body=%llu unexpected=%llu send_errors=%llu\n",
	    (unsigned long long)cs->rx,
	    (unsigned long long)cs->rx_type[COREFR_AUTH_REQUEST],
	    (unsigned long long)cs->answered,
	    (unsigned long long)cs->rx_type[COREFR_HEARTBEAT],
	    (unsigned long long)cs->advices, (unsigned long long)cs->rec.unique,
	    (unsigned long long)cs->advice_dups,
	    (unsigned long long)cs->out_req, (unsigned long long)cs->out_resp,
	    (unsigned long long)cs->dropped,
	    (unsigned long long)cs->blackholed_n,
	    (unsigned long long)cs->delayed, (unsigned long long)cs->bad_body,
	    (unsigned long long)cs->unexpected,
	    (unsigned long long)cs->send_err);
	fprintf(f, "  DE39:");
	for (i = 0; i < 100; i++)
		if (cs->by_rc[i])
			fprintf(f, " %02d=%llu", i, (unsigned long long)cs->by_rc[i]);
	fprintf(f, "\n  rejected:");
	for (i = 1; i < COREFR_R_MAX; i++)
		fprintf(f, " %s=%llu", corefr_reject_name(i),
		    (unsigned long long)cs->rejected[i]);
	fprintf(f, "\n");
}

int
sim_coreudp_run(struct sim_core_opts *o)
{
	struct coresim *cs;
	struct event_config *cfg;
	struct timeval tv100 = { 0, 100000 };
	static const int sigs[4] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2 };
	int i, rc = 0, bufsz = 4 * 1024 * 1024;
	char a[64];
	FILE *jf;

	if ((cs = calloc(1, sizeof *cs)) == NULL)
		return 2;
	cs->o = o;
	cs->fd = -1;
	sim_txq_init(&cs->txq);
	corefr_end_init(&cs->end, &o->keys);
	sim_rng_seed(&cs->rng, o->seed ? o->seed : sim_wall_us() ^ (uint64_t)getpid());
	sim_addr_str((struct sockaddr *)&o->addr, a, sizeof a);
	if (sim_advrec_open(&cs->rec, o->record_path) == -1 ||
	    load_outreqs(cs) == -1) {
		rc = 2;
		goto out;
	}
	if (o->cards_path != NULL) {
		char serr[256];

		if ((cs->snap = sim_snap_open(o->cards_path,
		    sim_wall_us() / 1000, serr, sizeof serr)) == NULL) {
			log_warnx("event=cards_failed reason=\"%s\"", serr);
			rc = 2;
			goto out;
		}
	}
	cs->fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (cs->fd == -1 || bind(cs->fd, (struct sockaddr *)&o->addr,
	    o->addrlen) == -1) {
		log_warn("event=bind_failed addr=%s", a);
		rc = 2;
		goto out;
	}
	/* Bursts of 50k/s must not overflow the default 208 KiB buffers. */
	setsockopt(cs->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	setsockopt(cs->fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	/* Precise timers only to inject latency: in that mode libevent
	 * re-arms a timerfd on every loop pass, a quarter of the system
	 * calls of an undelayed core. */
	cfg = event_config_new();
	if (o->delay.kind != SIM_D_NONE)
		event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	cs->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (cs->base == NULL) {
		rc = 2;
		goto out;
	}
	cs->rev = event_new(cs->base, cs->fd, EV_READ | EV_PERSIST, read_cb, cs);
	cs->txev = evtimer_new(cs->base, txq_cb, cs);
	cs->tick = event_new(cs->base, -1, EV_PERSIST, tick_cb, cs);
	event_add(cs->rev, NULL);
	event_add(cs->tick, &tv100);
	for (i = 0; i < 4; i++) {
		cs->sigs[i] = evsignal_new(cs->base, sigs[i], sig_cb, cs);
		evsignal_add(cs->sigs[i], NULL);
	}
	cs->t0_ns = sim_now_ns();
	log_info("event=listening mode=core addr=%s keys=%d key_id=%08x",
	    a, o->keys.n, o->keys.n ? o->keys.k[0].id : 0);
	event_base_dispatch(cs->base);

	if (!o->quiet)
		report(cs, stdout, 0);
	if (o->json_path) {
		if ((jf = fopen(o->json_path, "w")) == NULL) {
			log_warn("event=json_failed path=%s", o->json_path);
			rc = 2;
		} else {
			report(cs, jf, 1);
			fclose(jf);
		}
	}
out:
	for (i = 0; i < 4; i++)
		if (cs->sigs[i])
			event_free(cs->sigs[i]);
	if (cs->rev)
		event_free(cs->rev);
	if (cs->txev)
		event_free(cs->txev);
	if (cs->tick)
		event_free(cs->tick);
	if (cs->base)
		event_base_free(cs->base);
	if (cs->fd != -1)
		close(cs->fd);
	sim_txq_free(&cs->txq);
	sim_advrec_close(&cs->rec);
	sim_snap_free(cs->snap);
	free(cs->outmsg);
	free(cs);
	return rc;
}
