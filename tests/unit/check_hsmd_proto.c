/*
 * check_hsmd_proto.c — hsmd through the real protocol: diagnostics and
 * echo, key blocks (tampering, check values, A0), framing and garbage on
 * the socket, then the client library against hsmd and a fake HSM.
 * The crypto vectors are in check_hsmd_vectors.c; the set-up (LMK, keys
 * formed by hsmctl, hsmd on a unix socket) in hsmd-harness.h.
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

static const char *
kcv(const char *name)
{
	return find_key(name)->kcv;
}

/* --- protocol ----------------------------------------------------------- */

START_TEST(t_nc_b2_unknown)
{
	const char *r;
	size_t n;
	static const uint8_t bin[] = { 'B', '2', '0', '0', '0', '6', 0x00,
	    0x19, ';', '%', 0xff, 'x' };

	r = call("NC");
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	ck_assert_int_eq(memcmp(r + 2, lmkcheck, 16), 0);
	ck_assert_str_eq(r + 18, "0001-HSMD");
	expect(call("B20004ping"), "00ping");
	r = call_b(bin, sizeof bin, &n);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(memcmp(r + 2, bin + 6, 6), 0);
	expect(call("B20005ping"), "80");	/* fewer than announced */
	expect(call("B20003ping"), "15");	/* more than announced */
	expect(call("ZZ"), "68");		/* unknown: ZZ -> Z[ 68 */
	expect(call("XX123"), "68");
}
END_TEST

START_TEST(t_keyblock_negative)
{
	char bad[300];
	size_t n;

	/* Flip one character of the encrypted key, of the MAC, of the header. */
	strcpy(bad, key("cvk"));
	n = strlen(bad);
	bad[40] = bad[40] == '0' ? '1' : '0';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "A4");
	strcpy(bad, key("cvk"));
	bad[n - 1] = bad[n - 1] == '0' ? '1' : '0';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "A4");
	strcpy(bad, key("pvk"));
	bad[6] = 'C';			/* V0 -> C0: usage forged */
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "A4");
	/* Variant-LMK key forms are refused: keys travel as key blocks. */
	expect(callf("CYU%s561%s;8701101", K0, "4123456789012345"), "26");
	/* Truncated: the block is cut short. */
	strcpy(bad, key("cvk"));
	bad[60] = '\0';
	expect(callf("CY%s", bad), "15");
	/* Format errors: block version, header characters. */
	strcpy(bad, key("cvk"));
	bad[1] = '2';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "83");
	strcpy(bad, key("cvk"));
	bad[8] = '*';
	expect(callf("CY%s561%s;8701101", bad, "4123456789012345"), "83");
}
END_TEST

START_TEST(t_kcv_bu_a0)
{
	char want[32], cw[8], kb[300];
	const char *r;

	/* KCV-1 (K0), KCV-2 (single DES), KCV-3 (hsmctl, parity refused). */
	ck_assert_str_eq(kcv("cvk"), "08D7B4");
	ck_assert_str_eq(kcv("tak1s"), "D5D44F");
	ck_assert_str_eq(kcv("badcvk"), "8BAF47");
	expect(callf("BUFFF%s;FFF;001", key("cvk")), "0008D7B4");
	r = callf("BUFFF%s;FFF;000", key("cvk"));
	ck_assert_int_eq(memcmp(r, "0008D7B4", 8), 0);
	ck_assert_uint_eq(strlen(r), 18);
	expect(callf("BU02F%s;001", key("tak1s")), "00D5D44F");
	expect(callf("BUFFF%s;FFF;001", key("badcvk")), "10");

	/* A0 generates a CVK; CW/CY then work with it, its KCV matches BU. */
	r = call("A00FFFS#C0T2C00N00");
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	ck_assert_uint_eq(strlen(r), 2 + 113 + 6);
	memcpy(kb, r + 2, 113);
	kb[113] = '\0';
	snprintf(want, sizeof want, "00%s", r + 2 + 113);
	expect(callf("BUFFF%s;FFF;001", kb), want);
	r = callf("CW%s4123456789012345;8701101", kb);
	ck_assert_int_eq(memcmp(r, "00", 2), 0);
	memcpy(cw, r + 2, 4);
	expect(callf("CY%s%s4123456789012345;8701101", kb, cw), "00");
	expect(call("A00FFFS%00#C0T2C00N00\x19X") + 121, "\x19X");
	expect(call("A00FFFS#Z9T2C00N00"), "A6");
	expect(call("A00FFFS#C0A1C00N00"), "A7");
	expect(call("A00FFFS#C0T2B00N00"), "A8");
	expect(call("A00FFFU#C0T2C00N00"), "26");
	expect(call("A00001S#C0T2C00N00"), "28");
}
END_TEST

/* A6: a ZPK sent under the ZMK (X9.17: TDES-ECB under it) comes back
 * under the LMK with the KCV the key has; a wrong key, usage or form is
 * refused. */
START_TEST(t_a6_import)
{
	uint8_t zmk[16], zpk[16], enc[16];
	char hex[33], kb[300], want[32];
	const char *r;

	ck_assert_int_eq(hex_decode_exact(K0, 32, zmk, 16), 0);
	ck_assert_int_eq(hex_decode_exact(ZPKA, 32, zpk, 16), 0);
	ck_assert_int_eq(hsm_tdes_ecb(zmk, 16, 1, zpk, enc, 16), 0);
	hex_encode(enc, 16, hex);
	hex[32] = '\0';
	r = callf("A6FFF%sX%sS#P0B00E00", key("zmk"), hex);
	ck_assert_int_eq(memcmp(r, "00S", 3), 0);
	ck_assert_uint_eq(strlen(r), 2 + 113 + 6);
	ck_assert_str_eq(r + 2 + 113, kcv("zpka"));
	memcpy(kb, r + 2, 113);
	kb[113] = '\0';
	snprintf(want, sizeof want, "00%s", kcv("zpka"));
	expect(callf("BUFFF%s;FFF;001", kb), want);
	/* the ZMK slot holds a ZPK: usage refused */
	expect(callf("A6FFF%sX%sS#P0B00E00", key("zpkb"), hex), "A6");
	/* a key the ZMK does not decrypt to odd parity */
	hex[0] = hex[0] == '0' ? '1' : '0';
	expect(callf("A6FFF%sX%sS#P0B00E00", key("zmk"), hex), "11");
	expect(callf("A6FFF%sX%sS#C0V00E00", key("zmk"), hex), "A6");
	expect(callf("A6FFF%sU%sS#P0B00E00", key("zmk"), hex), "26");
	expect(callf("A6001%sX%sS#P0B00E00", key("zmk"), hex), "28");
	sodium_memzero(zpk, sizeof zpk);
}
END_TEST

START_TEST(t_framing)
{
	uint8_t buf[70000], big[65535];
	int fd, r, i;
	char hdr[5];

	/* Pipelining: 200 requests in one write, answered in order. */
	fd = unix_connect(sockpath);
	ck_assert_int_ne(fd, -1);
	{
		uint8_t *p = buf;

		for (i = 0; i < 200; i++) {
			char b[64];
			int n = snprintf(b, sizeof b, "%04dB20004%04d", i, i);

			*p++ = 0;
			*p++ = (uint8_t)n;
			memcpy(p, b, (size_t)n);
			p += n;
		}
		ck_assert_int_eq(write(fd, buf, (size_t)(p - buf)),
		    p - buf);
	}
	for (i = 0; i < 200; i++) {
		r = recv_frame(fd, buf, sizeof buf);
		ck_assert_int_eq(r, 4 + 4 + 4);
		snprintf(hdr, sizeof hdr, "%04u", (unsigned)i % 10000);
		ck_assert_int_eq(memcmp(buf, hdr, 4), 0);
		ck_assert_int_eq(memcmp(buf + 4, "B300", 4), 0);
		ck_assert_int_eq(memcmp(buf + 8, hdr, 4), 0);
	}
	/* Largest frame: an answer, not a crash; connection survives. */
	memset(big, 'A', sizeof big);
	memcpy(big, "0000CY", 6);
	send_frame(fd, big, sizeof big);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(r, 8);
	ck_assert_int_eq(memcmp(buf, "0000CZ26", 8), 0);
	memcpy(big, "0000B2FFFF", 10);
	send_frame(fd, big, sizeof big);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0000B380", 8), 0);
	/* Garbage: random frames all get a reply with the header echoed. */
	for (i = 0; i < 2000; i++) {
		size_t n = 6 + randombytes_uniform(200);

		randombytes_buf(big, n);
		memcpy(big, "9999", 4);
		if (i % 2)
			memcpy(big + 4, (const char *[]){ "KQ", "M6", "CY",
			    "EA", "A0", "BU", "CC", "EC" }[i % 8 / 1], 2);
		send_frame(fd, big, n);
		r = recv_frame(fd, buf, sizeof buf);
		ck_assert_int_ge(r, 8);
		ck_assert_int_eq(memcmp(buf, "9999", 4), 0);
	}
	/* Still alive. */
	send_frame(fd, (const uint8_t *)"0001NC", 6);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0001ND00", 8), 0);
	/* A frame too short to hold a command code: connection closed. */
	send_frame(fd, (const uint8_t *)"00", 2);
	ck_assert_int_eq(recv_frame(fd, buf, sizeof buf), -1);
	close(fd);
	/* A truncated frame followed by a hang-up: hsmd carries on. */
	fd = unix_connect(sockpath);
	ck_assert_int_eq(write(fd, "\x01\x00" "0000CY", 8), 8);
	close(fd);
	fd = unix_connect(sockpath);
	send_frame(fd, (const uint8_t *)"0002NC", 6);
	r = recv_frame(fd, buf, sizeof buf);
	ck_assert_int_eq(memcmp(buf, "0002ND00", 8), 0);
	close(fd);
}
END_TEST

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
	    "123456767788", "1234567890123456", "11223344556N",
	    "7710FFFFFFFF", on_result, &w));
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
	Suite *s = suite_create("hsmd-proto");
	TCase *v = tcase_create("protocol");
	TCase *cl = tcase_create("client");

	tcase_set_timeout(v, 60);
	tcase_set_timeout(cl, 60);
	tcase_add_test(v, t_nc_b2_unknown);
	tcase_add_test(v, t_keyblock_negative);
	tcase_add_test(v, t_kcv_bu_a0);
	tcase_add_test(v, t_a6_import);
	tcase_add_test(v, t_framing);
	tcase_add_test(cl, t_client_calls);
	tcase_add_test(cl, t_client_faults);
	tcase_add_test(cl, t_client_reply_parser);
	suite_add_tcase(s, v);
	suite_add_tcase(s, cl);
	return s;
}

int
main(void)
{
	return hsmd_suite_main("check_hsmd_proto", suite);
}
