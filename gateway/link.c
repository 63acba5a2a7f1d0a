/*
 * link.c — scheme links: TCP listeners (AllowFrom) and connectors (with
 * backoff), length framing, network management, and every other message
 * handed to the link handlers by its kind (iso8583/mti.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "iso8583/mask.h"
#include "iso8583/mti.h"
#include "iso8583/profile-file.h"
#include "gateway/link.h"
#include "gateway/link-int.h"
#include "gateway/linkmac.h"
#include "gateway/metrics.h"
#include "gateway/msgclass.h"
#include "gateway/netmgmt.h"
#include "gateway/session.h"
#include "gateway/zonekey.h"

static int link_dispatch(struct conn *, const uint8_t *, size_t,
    uint64_t);
static void dispatch(struct conn *, struct iso_msg *, uint64_t);
static void slot_schedule(struct link_slot *);
static void read_done(struct link *);

static const struct link_handlers *hand;
static const struct linkio_hooks io_hooks = { link_dispatch,
    linkmac_send, session_connected, slot_schedule, read_done };
static struct iso_msg rxmsg, nm;

static void
read_done(struct link *l)
{
	hand->read_done(l);
}

void
link_init(struct event_base *b, const struct link_handlers *handlers)
{
	linkio_init(b, &io_hooks);
	hand = handlers;
}

/*
 * A message that does not unpack: answer DE39 30 when the MTI is that of
 * a request or advice and it was read, echoing what was read before the
 * bad field; otherwise only count and log it.
 */
static void
format_error(struct conn *c, const struct iso_err *err)
{
	static struct iso_msg resp;
	char cls, fn;

	c->link->bad_msgs++;
	log_warnx("event=bad_message link=%s conn=%llu field=%d offset=%zu "
	    "reason=\"%s\"", c->link->cf.name, (unsigned long long)c->id,
	    err->field, err->offset, err->msg);
	if (err->field == 0)
		return;
	/* Requests and advices of any class get a 30; responses none. */
	cls = rxmsg.mti[1];
	fn = rxmsg.mti[2];
	if (cls < '1' || cls > '8' || (fn != '0' && fn != '2'))
		return;
	/* Fields after the bad one were never read; nor was its MAC
	 * checked: not MACed. */
	if (iso_response_init(&resp, &rxmsg, "30", err->field) == 0 &&
	    conn_send_unmaced(c, &resp) == 0)
		metrics_request(c->link->cf.name, rxmsg.mti, "30", PATH_LOCAL, 0);
}

/* A key is taken only on a session the scheme has signed on (where the
 * link has sessions, SignOn = yes): before, the connection is no one's
 * yet, and the key in use stays. */
static void
key_change_refused(struct conn *c, const struct iso_msg *m)
{
	const char *rc = session_codes(c->link->cf.profile)->gated_rc;

	c->link->gated++;
	log_warnx("event=key_change_refused link=%s conn=%llu rc=%s "
	    "reason=\"not signed on\"", c->link->cf.name,
	    (unsigned long long)c->id, rc);
	link_answer(c, m, rc, 0);
}

static void
on_netmgmt(struct conn *c, const struct iso_msg *m)
{
	struct netmgmt_result r;
	struct link *l = c->link;

	netmgmt_answer(m, &nm, &r);
	switch (r.action) {
	case NM_NONE:
		log_warnx("event=unexpected_netmgmt link=%s mti=%s",
		    l->cf.name, m->mti);
		metrics_request(l->cf.name, m->mti, "unmatched", PATH_LOCAL, 0);
		return;
	case NM_KEY_CHANGE:
		if (l->cf.sign_on && !c->signed_on) {
			key_change_refused(c, m);
			return;
		}
		/* answered once the HSM has imported the key */
		zonekey_change(c, m);
		return;
	case NM_KEY_VERIFY:
		zonekey_verify(l, &nm);
		break;
	case NM_ALIVE:
		/* A session message's answer, or our echo's (or any 0810:
		 * the line is alive). */
		if (session_answer(c, m))
			return;
		if (c->echo_sent_us != 0) {
			l->echo_ok++;
			c->echo_sent_us = 0;
		}
		return;
	default:
		break;
	}
	/* The answer first: the SAF request a sign-on sends follows it. */
	if (conn_send_msg(c, &nm) == 0)
		metrics_request(l->cf.name, m->mti, r.rc, PATH_LOCAL, 0);
	if (r.action == NM_SIGN_ON || r.action == NM_SIGN_OFF)
		session_scheme(c, r.action == NM_SIGN_ON);
	log_info("event=netmgmt link=%s conn=%llu code=%s action=%s rc=%s "
	    "signed_on=%d", l->cf.name, (unsigned long long)c->id, r.code,
	    r.what, r.rc, l->signed_on);
}

static void
send_echo(struct conn *c)
{
	netmgmt_build(session_codes(c->link->cf.profile)->echo,
	    link_stan(c->link), &nm);
	if (conn_send_msg(c, &nm) == 0) {
		c->echo_sent_us = now_us();
		c->link->echo_sent++;
	}
}

static void
unhandled(struct conn *c, const struct iso_msg *m, const char *what,
    const char *why)
{
	char line[512];

	mask_line(c->link->prof, m, line, sizeof line);
	log_warnx("event=unexpected_message link=%s conn=%llu class=\"%s\" "
	    "reason=%s %s", c->link->cf.name, (unsigned long long)c->id, what,
	    why, line);
}

/*
 * By the MTI's class and function (msgclass.c): nothing is dropped.  A
 * request on a connection the profile wants signed on gets the profile's
 * refusal; advices are stored whatever the session (storing is always
 * safe, and the scheme would only repeat them).
 */
static void
dispatch(struct conn *c, struct iso_msg *m, uint64_t t0)
{
	const char *what;
	int repeat;
	enum msg_route r = msgclass_route(m->mti, &what, &repeat);

	if ((r == ROUTE_REQUEST || r == ROUTE_FORWARD) && session_gated(c)) {
		c->link->gated++;
		link_answer(c, m,
		    session_codes(c->link->cf.profile)->gated_rc, 0);
		return;
	}
	switch (r) {
	case ROUTE_NETMGMT:
		on_netmgmt(c, m);
		return;
	case ROUTE_REQUEST:
		hand->request(c, m, t0);
		return;
	case ROUTE_FORWARD:
		hand->forward(c, m, t0);
		return;
	case ROUTE_ADVICE:
		hand->advice(c, m, t0);
		return;
	case ROUTE_RESPONSE:
		if (hand->response(c, m))
			return;
		metrics_request(c->link->cf.name, m->mti, "unmatched",
		    PATH_LOCAL, 0);
		unhandled(c, m, what, "answers_nothing_sent");
		return;
	case ROUTE_UNKNOWN:
		break;
	}
	c->link->unhandled++;
	unhandled(c, m, what, "no_route");
	if (iso_mti_response(m->mti, (char[5]){ 0 }) == 0)
		link_answer(c, m, "12", 0);
	else
		metrics_request(c->link->cf.name, m->mti, "unanswerable",
		    PATH_LOCAL, 0);
}

/* A whole frame read: 1 when it unpacked (a valid frame), else 0. */
static int
link_dispatch(struct conn *c, const uint8_t *msg, size_t len, uint64_t t0)
{
	struct iso_err err;

	if (iso_unpack(c->link->prof, &rxmsg, msg, len, &err) == -1) {
		format_error(c, &err);
		return 0;
	}
	/* A frame that unpacks proves a peer speaking the protocol: it may
	 * keep its slot, and its line is alive whatever echoes say. */
	c->proven = 1;
	c->echo_missed = 0;
	/* On a MAC link it goes on once its MAC verified. */
	if (!linkmac_receive(c, msg, len, &rxmsg, t0, dispatch))
		dispatch(c, &rxmsg, t0);
	/* Card data does not linger in the buffers once handled: the next
	 * frame may be shorter than this one. */
	sodium_memzero(rxmsg.buf, rxmsg.used);
	return 1;
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct link *l = arg;
	struct conn *c;
	char peer[64];
	int one = 1;

	(void)lis;
	(void)salen;
	addr_text(sa, peer, sizeof peer);
	if (!config_allowed(&l->cf, sa)) {
		/* Closed at once, before reading a byte from it. */
		l->refused++;
		log_warnx("event=connection_refused link=%s peer=%s "
		    "reason=not_in_allowfrom", l->cf.name, peer);
		close(fd);
		return;
	}
	if (l->nconns >= l->cf.max_conns) {
		l->refused++;
		log_warnx("event=connection_refused link=%s peer=%s "
		    "reason=max_connections", l->cf.name, peer);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if ((c = conn_new(l, fd, sa)) == NULL) {
		log_warn("event=accept_failed link=%s", l->cf.name);
		close(fd);
		return;
	}
	event_add(c->rd, NULL);
	l->accepted++;
	log_info("event=link_accepted link=%s conn=%llu peer=%s", l->cf.name,
	    (unsigned long long)c->id, peer);
}

static void
slot_connect(evutil_socket_t fd, short ev, void *arg)
{
	struct link_slot *s = arg;
	struct link *l = s->link;
	struct conn *c;

	(void)fd;
	(void)ev;
	if ((fd = socket(l->cf.addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("event=connect_failed link=%s", l->cf.name);
		slot_schedule(s);
		return;
	}
	if ((c = conn_new(l, fd, (struct sockaddr *)&l->cf.addr.ss)) == NULL) {
		close(fd);
		slot_schedule(s);
		return;
	}
	c->slot = s->idx;
	s->conn = c;
	s->connecting = 1;
	if (connect(fd, (struct sockaddr *)&l->cf.addr.ss, l->cf.addr.len) ==
	    -1 && errno != EINPROGRESS) {
		/* conn_close reschedules */
		conn_close(c, strerror(errno));
		return;
	}
	/* Done (or refused) when the socket turns writable. */
	event_add(c->wr, NULL);
}

static void
slot_schedule(struct link_slot *s)
{
	struct timeval tv;

	if (s->backoff_ms == 0)
		s->backoff_ms = BACKOFF_MIN_MS;
	tv.tv_sec = s->backoff_ms / 1000;
	tv.tv_usec = (s->backoff_ms % 1000) * 1000;
	evtimer_add(s->retry, &tv);
	s->backoff_ms *= 2;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
}

static void
link_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct link *l = arg;
	struct conn *c, *next;
	uint64_t now = now_us();

	(void)fd;
	(void)ev;
	for (c = TAILQ_FIRST(&l->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->slot >= 0 && l->slots[c->slot].connecting)
			continue;
		if (limit_check(c, now) == -1)
			continue;
		session_tick(c, now);
		if (l->cf.echo_us > 0 && c->echo_sent_us == 0 &&
		    now - c->last_rx_us >= l->cf.echo_us)
			send_echo(c);
	}
	hand->tick(l);
}

int
link_sign_off_all(void)
{
	struct link *l;
	struct conn *c;
	int n = 0;

	for (l = link_first(); l != NULL; l = link_next(l))
		TAILQ_FOREACH(c, &l->conns, entry)
			n += session_sign_off(c);
	return n;
}

int
link_signoffs_pending(void)
{
	struct link *l;
	struct conn *c;
	int n = 0;

	for (l = link_first(); l != NULL; l = link_next(l))
		TAILQ_FOREACH(c, &l->conns, entry)
			if (c->session == SESS_SIGNING_OFF &&
			    c->nm_sent_us != 0)
				n++;
	return n;
}

/* The link's own copy of its ProfileFile, the file the config was
 * checked against (a file changed since needs a reload to be used). */
static struct iso_profile *
link_profile_file(const struct cfg_link *cf)
{
	struct iso_profile *p;
	uint8_t digest[16];
	char err[300];

	if ((p = cfg_profile_file(cf->profile_file, digest, err,
	    sizeof err)) == NULL) {
		log_warnx("event=link_refused link=%s reason=\"ProfileFile: "
		    "%s\"", cf->name, err);
		return NULL;
	}
	if (memcmp(digest, cf->profile_digest, sizeof digest) != 0) {
		iso_profile_free(p);
		log_warnx("event=link_refused link=%s reason=\"ProfileFile %s "
		    "changed since the config was read: reload\"", cf->name,
		    cf->profile_file);
		return NULL;
	}
	return p;
}

struct link *
link_new(const struct cfg_link *cf)
{
	struct link *l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	l->cf = *cf;
	TAILQ_INIT(&l->conns);
	if (cf->profile_file[0] != '\0') {
		if ((l->own_prof = link_profile_file(cf)) == NULL) {
			free(l);
			return NULL;
		}
		l->prof = l->own_prof;
	} else if ((l->prof = iso_profile_find(cf->profile)) == NULL) {
		free(l);
		return NULL;
	}
	l->fr.kind = (uint8_t)cf->framing;
	l->fr.max = cf->maxframe;
	/* FrameHeader, else the profile's header template */
	if (l->cf.frame_hdrlen >= 0) {
		l->fr.hdrlen = (uint16_t)l->cf.frame_hdrlen;
		l->fr.hdr = l->cf.frame_hdr;
	} else {
		l->fr.hdrlen = l->prof->hdrlen;
		l->fr.hdr = l->prof->header;
	}
	linkset_add(l);
	zonekey_load(l);
	return l;
}

int
link_start(struct link *l)
{
	struct timeval tv = { 0, 100000 };
	int i;

	if (l->cf.mode == LINK_LISTEN) {
		l->lis = evconnlistener_new_bind(link_base, accept_cb, l,
		    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE |
		    LEV_OPT_CLOSE_ON_EXEC, 128,
		    (struct sockaddr *)&l->cf.addr.ss, (int)l->cf.addr.len);
		if (l->lis == NULL) {
			log_warn("event=listen_failed link=%s addr=%s",
			    l->cf.name, l->cf.addr.text);
			return -1;
		}
		log_info("event=link_listening link=%s addr=%s", l->cf.name,
		    l->cf.addr.text);
	} else {
		l->slots = calloc((size_t)l->cf.connections, sizeof *l->slots);
		if (l->slots == NULL)
			return -1;
		for (i = 0; i < l->cf.connections; i++) {
			l->slots[i].link = l;
			l->slots[i].idx = i;
			l->slots[i].retry = evtimer_new(link_base, slot_connect,
			    &l->slots[i]);
			if (l->slots[i].retry == NULL)
				return -1;
			slot_connect(-1, 0, &l->slots[i]);
		}
	}
	if ((l->tick = event_new(link_base, -1, EV_PERSIST, link_tick, l))
	    == NULL)
		return -1;
	evtimer_add(l->tick, &tv);
	return 0;
}

void
link_free(struct link *l)
{
	struct conn *c;
	int i;

	hand->gone(l);
	linkset_remove(l);
	if (l->lis != NULL)
		evconnlistener_free(l->lis);
	if (l->slots != NULL)
		for (i = 0; i < l->cf.connections; i++) {
			if (l->slots[i].retry != NULL)
				event_free(l->slots[i].retry);
			l->slots[i].retry = NULL;
		}
	while ((c = TAILQ_FIRST(&l->conns)) != NULL) {
		/* no reconnect: detach from the slot first */
		c->slot = -1;
		/* A planned close: signed off first, as far as one write
		 * takes it (a removed link waits for nobody); a write that
		 * fails has closed c already. */
		if (session_sign_off(c) && conn_flush(c) == -1)
			continue;
		conn_close(c, "link removed");
	}
	free(l->slots);
	if (l->tick != NULL)
		event_free(l->tick);
	iso_profile_free(l->own_prof);
	free(l);
}
