/*
 * corerx.c — what `scheme-sim core` reads on the core link: AUTH_REQUEST
 * answered by the rules in rules.c, HEARTBEAT with HEARTBEAT_ACK, ADVICEs
 * acked and recorded, OUT_RESPONSEs recorded, SNAPSHOT_ACKs and
 * SHARE_ACKs (coreshare.c), each kept by the gateway that sent it
 * (coregw.c).  Datagrams are read with recvmmsg, a batch at a time.
 */
#include <string.h>

#include "base/log.h"
#include "iso8583/mti.h"
#include "scheme-sim/coresim.h"
#include "scheme-sim/delay.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/rules.h"
#include "scheme-sim/snapshot.h"
#include "tunnel/tlv.h"

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
	core_emit(cs, COREFR_AUTH_RESPONSE, h->corr_id, cs->body, w.len, from,
	    fromlen, sim_delay_draw(&cs->o->delay, &cs->rng));
}

/* Known by (0x1007, 0x1006), not by corr_id: after a takeover a gateway
 * delivers its dead peer's advices under its own queue ids. */
static void
on_advice(struct coresim *cs, int gw, const struct corefr_hdr *h,
    const uint8_t *body, const struct sockaddr *from, socklen_t fromlen)
{
	struct sim_advinfo in;
	char name[CORE_NAMELEN], fa[64], by[CORE_NAMELEN];
	uint64_t id;
	int isnew;

	if (tlv_check(body, h->body_len) == -1 ||
	    sim_advrec_key(body, h->body_len, h->corr_id, name, &id) == -1) {
		cs->bad_body++;
		return;
	}
	if (id == h->corr_id)
		core_gw_name(cs, gw, name, 0);
	isnew = sim_advrec_seen(&cs->rec, name, id);
	if (isnew == 0)
		cs->advice_dups++;
	cs->advices++;
	in.gateway = name;
	in.advice_id = id;
	in.from = sim_addr_str(from, fa, sizeof fa);
	in.delivered_by = core_gw_label(cs, gw, by, sizeof by);
	core_advstat_add(cs, name, by, isnew != 0);
	sim_advrec_write(&cs->rec, "advice", h->corr_id, isnew == 0, body,
	    h->body_len, 0, &in);
	/* Acked every time, to its sender, echoing the sender's queue id:
	 * the gateway retries until it hears the ack (unless a test's
	 * "advice-ack off" makes it retry). */
	if (!cs->advice_ack_off)
		core_emit(cs, COREFR_ADVICE_ACK, h->corr_id, NULL, 0, from, fromlen, 0);
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
	    h->body_len, lat, NULL);
	log_info("event=out_response corr_id=%llu latency_us=%llu",
	    (unsigned long long)h->corr_id, (unsigned long long)lat);
}

/* A data frame, past the drop: by its type.  gw: the sender's index. */
static void
on_frame(struct coresim *cs, int gw, const struct corefr_hdr *h,
    const uint8_t *body, const struct sockaddr *from, socklen_t fromlen)
{
	switch (h->type) {
	case COREFR_AUTH_REQUEST:
		on_auth(cs, h, body, from, fromlen);
		break;
	case COREFR_ADVICE:
		on_advice(cs, gw, h, body, from, fromlen);
		break;
	case COREFR_OUT_RESPONSE:
		on_out_response(cs, h, body);
		break;
	case COREFR_SNAPSHOT_ACK:
		if (cs->snap == NULL || !sim_snap_ack(cs->snap, gw,
		    h->corr_id))
			cs->unexpected++;
		break;
	case COREFR_SHARE_ACK:
		core_on_share_ack(cs, gw, h, body);
		break;
	default:
		cs->unexpected++;
		break;
	}
}

static void
handle(struct coresim *cs, const uint8_t *d, size_t len,
    const struct sockaddr *from, socklen_t fromlen)
{
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	int gw;

	cs->rx++;
	if (cs->blackholed) {
		cs->blackholed_n++;
		return;
	}
	if (corefr_recv(&cs->keys, cs->seen, COREFR_FRESH_MS, d, len, &h,
	    cs->pt, sizeof cs->pt, &body, &why) == -1) {
		cs->rejected[why < COREFR_R_MAX ? why : 0]++;
		return;
	}
	if (h.type <= COREFR_TYPE_MAX)
		cs->rx_type[h.type]++;
	gw = core_gw_heard(cs, from, fromlen);
	memcpy(&cs->gw, from, fromlen);
	cs->gwlen = fromlen;
	cs->have_gw = 1;
	if (h.type == COREFR_HEARTBEAT) {
		core_emit(cs, COREFR_HEARTBEAT_ACK, h.corr_id, NULL, 0, from,
		    fromlen, 0);
		return;
	}
	if (cs->o->drop > 0 && sim_rng_unit(&cs->rng) < cs->o->drop) {
		cs->dropped++;
		return;
	}
	on_frame(cs, gw, &h, body, from, fromlen);
}

void
core_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coresim *cs = arg;
	int n, i, rounds;

	(void)what;
	/* A few batches per wakeup, then let timers run. */
	for (rounds = 0; rounds < 8; rounds++) {
		for (i = 0; i < BATCH; i++) {
			cs->rxv[i].iov_base = cs->rxb[i];
			cs->rxv[i].iov_len = RXBUF;
			memset(&cs->rxm[i].msg_hdr, 0,
			    sizeof cs->rxm[i].msg_hdr);
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
		core_flush_tx(cs);
		if (n < BATCH)
			break;
	}
}
