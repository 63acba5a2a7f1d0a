/*
 * check_hsm_client.c — the HSM client library (hsm/client) against the
 * real hsmd: every typed call, pipelining over two connections, when
 * calls leave and the end of a batch of replies (replies_done); then
 * against a bare socket and a fake HSM: timeouts, a stalled or garbled
 * link, reconnecting.  hsmd's set-up is hsmd-harness.h's.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "tests/unit/hsmd-harness.h"

/* --- client library ------------------------------------------------------- */

struct waiter {
	struct event_base	*base;
	int			 pending;
	struct hsm_result	 last;
	int			 nok, nfail, nother;
};

static void
on_result(const struct hsm_result *r, void *arg)
{
	struct waiter *w = arg;

	w->last = *r;
	if (r->status == HSM_OK)
		w->nok++;
	else if (r->status == HSM_FAIL)
		w->nfail++;
	else
		w->nother++;
	if (--w->pending == 0)
		event_base_loopbreak(w->base);
}

static void
run(struct waiter *w)
{
	struct timeval tv = { 10, 0 };

	if (w->pending > 0) {
		event_base_loopexit(w->base, &tv);
		event_base_dispatch(w->base);
	}
	ck_assert_int_eq(w->pending, 0);
}

static struct hsm_client *
client(struct waiter *w, const char *path, unsigned timeout_ms)
{
	struct hsm_client_opts o;
	char addr[300];
	struct hsm_client *c;

	memset(w, 0, sizeof *w);
	w->base = event_base_new();
	hsm_client_opts_default(&o);
	o.timeout_ms = timeout_ms;
	o.backoff_min_ms = 20;
	o.backoff_max_ms = 100;
	snprintf(addr, sizeof addr, "unix:%s", path);
	c = hsm_client_new(w->base, addr, &o);
	ck_assert_ptr_nonnull(c);
	return c;
}

#define ONE(w, call) do {				\
	(w)->pending = 1;				\
	ck_assert_int_eq((call), 0);			\
	run(w);						\
} while (0)

START_TEST(t_client_calls)
{
	struct waiter w;
	struct hsm_client *c = client(&w, sockpath, 2000);
	uint8_t panpsn[8], atc[2], un[4], data[40], arqc[8], arc[2];
	char pb[17], out[17], mac[20];
	const uint8_t *msg = (const uint8_t *)"Now is the time for all ";
	struct hsm_client_stats st;
	int i;

	ONE(&w, hsm_diagnostics(c, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ck_assert_str_eq(w.last.u.diag.lmk_check, lmkcheck);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);

	ONE(&w, hsm_verify_cvv(c, key("cvk"), "4123456789012345", "8701",
	    "101", "561", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ONE(&w, hsm_verify_cvv(c, key("cvk"), "4123456789012345", "8701",
	    "101", "562", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);
	ONE(&w, hsm_verify_cvv(c, key("pvk"), "4123456789012345", "8701",
	    "101", "561", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_ERROR);
	ck_assert_str_eq(w.last.error, "A6");
	/* Bad arguments are refused before anything is sent. */
	ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"), "41234;67", "8701",
	    "101", "561", on_result, &w), -1);
	ck_assert_int_eq(hsm_verify_cvv(c, "U0123", "4123456789012345",
	    "8701", "101", "561", on_result, &w), -1);

	iso0("4524", "233445566778", ZPKA, pb);
	ONE(&w, hsm_verify_pin_pvv(c, key("zpka"), key("pvk"), pb, "01",
	    "233445566778", '3', "4021", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ONE(&w, hsm_verify_pin_pvv(c, key("zpka"), key("pvk"), pb, "01",
	    "233445566778", '3', "4022", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);

	iso0("1234", "123456767788", ZPKA, pb);
	ONE(&w, hsm_verify_pin_ibm(c, key("zpka"), key("pvk"), pb, "01", 4,
	    "123456767788", "0123456789012345", "11223344556N",
	    "8821FFFFFFFF", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);

	hex_decode_exact("3456789012345600", 16, panpsn, 8);
	hex_decode_exact("001C", 4, atc, 2);
	hex_decode_exact("ABCDEF12", 8, un, 4);
	hex_decode_exact("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA0000322000080", 80, data, 40);
	hex_decode_exact("24CCF3DEE3158C70", 16, arqc, 8);
	hex_decode_exact("0010", 4, arc, 2);
	ONE(&w, hsm_verify_arqc(c, key("mkac"), 1, panpsn, atc, un, data, 40,
	    arqc, arc, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ck_assert(w.last.u.arqc.has_arpc);
	hex_encode(w.last.u.arqc.arpc, 8, out);
	out[16] = '\0';
	ck_assert_str_eq(out, "73F6BBF389A6586C");
	arqc[7] ^= 1;
	ONE(&w, hsm_verify_arqc(c, key("mkac"), 1, panpsn, atc, un, data, 40,
	    arqc, NULL, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);

	ONE(&w, hsm_mac_generate(c, key("tak"), 3, 1, 4, msg, 24, on_result,
	    &w));
	ck_assert_str_eq(w.last.u.mac.mac, "A1C72E74");
	ONE(&w, hsm_mac_generate(c, key("tak"), 3, 1, 8, msg, 24, on_result,
	    &w));
	ck_assert_str_eq(w.last.u.mac.mac, "A1C72E74EA3FA9B6");
	strcpy(mac, w.last.u.mac.mac);
	ONE(&w, hsm_mac_verify(c, key("tak"), 3, 1, msg, 24, mac, on_result,
	    &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ONE(&w, hsm_mac_verify(c, key("tak"), 3, 1, msg, 23, mac, on_result,
	    &w));
	ck_assert_int_eq(w.last.status, HSM_FAIL);

	iso0("1234", "401234567890", ZPKA, pb);
	ONE(&w, hsm_translate_pin(c, 0, key("zpka"), key("zpkb"), pb, "01",
	    "01", "401234567890", on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_OK);
	ck_assert_int_eq(w.last.u.pin.pinlen, 4);
	dec_pinblock(ZPKB, w.last.u.pin.pinblock, out);
	ck_assert_str_eq(out, "041274EDCBA9876F");

	/* Pipelined: 1024 calls in flight over two connections (512 each,
	 * the default limit); the next one is refused, not queued. */
	w.pending = 1024;
	w.nok = w.nfail = w.nother = 0;
	for (i = 0; i < 1024; i++)
		ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"),
		    "4123456789012345", "8701", "101", i % 8 ? "561" : "000",
		    on_result, &w), 0);
	ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"), "4123456789012345",
	    "8701", "101", "561", on_result, &w), -1);
	run(&w);
	ck_assert_int_eq(w.nok, 896);
	ck_assert_int_eq(w.nfail, 128);
	ck_assert_int_eq(w.nother, 0);
	hsm_client_stats(c, &st);
	ck_assert_uint_eq(st.inflight, 0);
	ck_assert_uint_eq(st.timeouts, 0);

	hsm_client_free(c);
	event_base_free(w.base);
}
END_TEST

/* --- when calls leave, and the end of a batch of replies ----------------- */

struct batches {
	struct waiter	*w;
	int		 hooks;		/* replies_done calls */
	int		 seen;		/* results seen at the last one */
	int		 empty;		/* hooks with no new result */
};

static void
on_replies_done(void *arg)
{
	struct batches *b = arg;
	int done = b->w->nok + b->w->nfail + b->w->nother;

	b->hooks++;
	if (done == b->seen)
		b->empty++;
	b->seen = done;
}

/* replies_done runs once per read that handed out results, after them. */
START_TEST(t_client_replies_done)
{
	struct hsm_client_opts o;
	struct waiter w;
	struct batches b = { &w, 0, 0, 0 };
	struct hsm_client *c;
	char addr[300];
	int i;

	memset(&w, 0, sizeof w);
	w.base = event_base_new();
	hsm_client_opts_default(&o);
	o.timeout_ms = 5000;
	o.replies_done = on_replies_done;
	o.replies_arg = &b;
	snprintf(addr, sizeof addr, "unix:%s", sockpath);
	ck_assert_ptr_nonnull(c = hsm_client_new(w.base, addr, &o));
	w.pending = 300;
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(hsm_verify_cvv(c, key("cvk"),
		    "4123456789012345", "8701", "101", "561", on_result, &w),
		    0);
	run(&w);
	ck_assert_int_eq(w.nok, 300);
	ck_assert_int_ge(b.hooks, 1);
	ck_assert_int_le(b.hooks, 300);
	ck_assert_int_eq(b.empty, 0);
	ck_assert_int_eq(b.seen, 300);	/* the last hook after the last result */
	hsm_client_free(c);
	event_base_free(w.base);
}
END_TEST

/* Bytes waiting on the HSM's side of the connection, without blocking. */
static ssize_t
peek_sent(int fd, uint8_t *buf, size_t cap)
{
	return recv(fd, buf, cap, MSG_DONTWAIT);
}

/*
 * A call is not written as it is made: the calls of a loop pass leave
 * together at its end (the flush event), or at once on
 * hsm_client_flush.  Checked on a bare listening socket.
 */
START_TEST(t_client_flush)
{
	struct sockaddr_un sun;
	struct hsm_client_opts o;
	struct waiter w;
	struct hsm_client *c;
	char path[100], addr[300];
	uint8_t buf[256];
	int lfd, fd;

	snprintf(path, sizeof path, "%s/flush.sock", tmpdir);
	unlink(path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	ck_assert_int_ne(lfd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	memset(&w, 0, sizeof w);
	w.base = event_base_new();
	hsm_client_opts_default(&o);
	o.connections = 1;
	snprintf(addr, sizeof addr, "unix:%s", path);
	ck_assert_ptr_nonnull(c = hsm_client_new(w.base, addr, &o));
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);
	ck_assert_int_ne(fd = accept(lfd, NULL, NULL), -1);

	ck_assert_int_eq(hsm_diagnostics(c, on_result, &w), 0);
	ck_assert_int_eq(hsm_diagnostics(c, on_result, &w), 0);
	ck_assert_int_eq(peek_sent(fd, buf, sizeof buf), -1);
	hsm_client_flush(c);
	/* both calls in one write: 2 + "0000NC", 2 + "0001NC" */
	ck_assert_int_eq(peek_sent(fd, buf, sizeof buf), 16);
	ck_assert_int_eq(memcmp(buf, "\x00\x06" "0000NC" "\x00\x06" "0001NC",
	    16), 0);

	ck_assert_int_eq(hsm_diagnostics(c, on_result, &w), 0);
	ck_assert_int_eq(peek_sent(fd, buf, sizeof buf), -1);
	event_base_loop(w.base, EVLOOP_NONBLOCK);	/* one pass */
	ck_assert_int_eq(peek_sent(fd, buf, sizeof buf), 8);
	ck_assert_int_eq(memcmp(buf, "\x00\x06" "0002NC", 8), 0);

	/* the replies, in one write: each call answered, in order */
	w.pending = 3;
	for (int i = 0; i < 3; i++) {
		char r[80];

		snprintf(r, sizeof r, "%04dND00%s0007-E000", i, lmkcheck);
		buf[0] = 0;
		buf[1] = (uint8_t)strlen(r);
		memcpy(buf + 2, r, strlen(r));
		ck_assert_int_eq(write(fd, buf, 2 + strlen(r)),
		    (ssize_t)(2 + strlen(r)));
	}
	run(&w);
	ck_assert_int_eq(w.nok, 3);
	ck_assert_str_eq(w.last.u.diag.lmk_check, lmkcheck);
	hsm_client_free(c);
	close(fd);
	close(lfd);
	unlink(path);
	event_base_free(w.base);
}
END_TEST

/* A fake HSM on its own socket: mode 0 never answers, 1 answers garbage. */
struct fake {
	int			 mode;
	int			 accepted;
	struct bufferevent	*bev[16];
};

static void
fake_read(struct bufferevent *bev, void *arg)
{
	struct fake *f = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (f->mode == 1) {
		evbuffer_drain(in, evbuffer_get_length(in));
		bufferevent_write(bev, "\x00\x06" "XXXXYY", 8);
	}
}

static void
fake_event(struct bufferevent *bev, short what, void *arg)
{
	struct fake *f = arg;
	int i;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		for (i = 0; i < 16; i++)
			if (f->bev[i] == bev)
				f->bev[i] = NULL;
		bufferevent_free(bev);
	}
}

static void
fake_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct fake *f = arg;
	struct bufferevent *bev;

	(void)sa;
	(void)len;
	f->accepted++;
	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, fake_read, NULL, fake_event, f);
	bufferevent_enable(bev, EV_READ);
	for (int i = 0; i < 16; i++)
		if (f->bev[i] == NULL) {
			f->bev[i] = bev;
			break;
		}
}

static struct evconnlistener *
fake_listen(struct event_base *base, const char *path, struct fake *f)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	return evconnlistener_new_bind(base, fake_accept, f,
	    LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&sun, sizeof sun);
}

static void
spin(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

START_TEST(t_client_faults)
{
	struct waiter w;
	struct hsm_client *c;
	struct evconnlistener *l;
	struct fake f;
	char path[100];
	struct hsm_client_stats st;

	memset(&f, 0, sizeof f);
	/* Nothing listening: health down, calls refused, no callback. */
	snprintf(path, sizeof path, "%s/fake.sock", tmpdir);
	unlink(path);
	c = client(&w, path, 100);
	spin(w.base, 100);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_DOWN);
	/* The fake HSM appears: the client reconnects by itself. */
	l = fake_listen(w.base, path, &f);
	ck_assert_ptr_nonnull(l);
	spin(w.base, 300);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);
	/* It never answers: the call times out, the stalled link is reset. */
	ONE(&w, hsm_diagnostics(c, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_TIMEOUT);
	hsm_client_stats(c, &st);
	ck_assert_uint_eq(st.timeouts, 1);
	spin(w.base, 300);
	ck_assert_int_eq(hsm_client_health(c), HSM_HEALTH_UP);
	/* Garbage answers: protocol error, link reset. */
	f.mode = 1;
	ONE(&w, hsm_diagnostics(c, on_result, &w));
	ck_assert_int_eq(w.last.status, HSM_PROTO);
	/* The HSM goes away: outstanding calls fail, health goes down. */
	evconnlistener_free(l);
	unlink(path);
	spin(w.base, 300);
	ck_assert_int_ne(hsm_client_health(c), HSM_HEALTH_UP);
	hsm_client_free(c);
	for (int i = 0; i < 16; i++)
		if (f.bev[i] != NULL)
			bufferevent_free(f.bev[i]);
	event_base_free(w.base);
}
END_TEST

START_TEST(t_client_reply_parser)
{
	struct hsm_result r;

	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0001CZ00",
	    8, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_OK);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0001CZ01",
	    8, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_FAIL);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0002CZ00",
	    8, "0001", 4, &r), -1);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CY, (const uint8_t *)"0001CX00",
	    8, "0001", 4, &r), -1);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_M6_4,
	    (const uint8_t *)"0001M700C57E4295", 16, "0001", 4, &r), 0);
	ck_assert_str_eq(r.u.mac.mac, "C57E4295");
	ck_assert_int_eq(hsm_reply_parse(HSM_K_M6_4,
	    (const uint8_t *)"0001M700C57E429", 15, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_PROTO);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_CC,
	    (const uint8_t *)"0001CD000614D3E09CD3B6456E01", 28, "0001", 4,
	    &r), 0);
	ck_assert_int_eq(r.u.pin.pinlen, 6);
	ck_assert_int_eq(hsm_reply_parse(HSM_K_KQ1,
	    (const uint8_t *)"0001KR0112345678", 16, "0001", 4, &r), 0);
	ck_assert_int_eq(r.status, HSM_FAIL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hsm-client");
	TCase *cl = tcase_create("client");

	tcase_set_timeout(cl, 60);
	tcase_add_test(cl, t_client_calls);
	tcase_add_test(cl, t_client_replies_done);
	tcase_add_test(cl, t_client_flush);
	tcase_add_test(cl, t_client_faults);
	tcase_add_test(cl, t_client_reply_parser);
	suite_add_tcase(s, cl);
	return s;
}

int
main(void)
{
	return hsmd_suite_main("check_hsm_client", suite);
}
