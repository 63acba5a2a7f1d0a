/*
 * bench_hsmd.c — hsmd throughput: CY (CVV verify) and KQ (M/Chip ARQC
 * verify + ARPC) with 8 concurrent pipelined clients over the unix socket.
 *
 * Starts build/bin/hsmd on a fresh LMK, keeps BATCH*2 requests in flight
 * on each of 8 connections for SECONDS, counts replies (all must be 00).
 * Then the same CY load through the client library (one event loop,
 * 8 connections) to show what gatewayd would see.
 * Prints "hsmd CY: N/s", "hsmd KQ: N/s", "hsmclient CY: N/s".
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "base/hex.h"
#include "hsm/client/hsmclient.h"
#include "hsm/keyblock.h"
#include "hsm/lmk.h"
#include "tests/unit/hsmd-proc.h"

#define CLIENTS	8
#define BATCH	32
#define SECONDS	3.0

static char dir[] = "/tmp/bench_hsmd.XXXXXX";
static char sock[128];
static pid_t hsmd;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
writeall(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct cl {
	int	 fd;
	uint8_t	 in[1 << 16];
	size_t	 inlen;
	long	 got, since_batch, bad;
};

/* Run one command for SECONDS; returns replies per second. */
static double
run_raw(const uint8_t *req, size_t reqlen, const char *okcode)
{
	static struct cl c[CLIENTS];
	struct pollfd pfd[CLIENTS];
	uint8_t *batch;
	size_t blen = 0, off, n;
	double t0, t1 = 0, el;
	long total = 0, bad = 0, warm = 0;
	int i, stop = 0, warmed = 0;
	ssize_t r;

	batch = malloc(BATCH * (reqlen + 2));
	for (i = 0; i < BATCH; i++) {
		batch[blen++] = (uint8_t)(reqlen >> 8);
		batch[blen++] = (uint8_t)reqlen;
		memcpy(batch + blen, req, reqlen);
		blen += reqlen;
	}
	for (i = 0; i < CLIENTS; i++) {
		memset(&c[i], 0, sizeof c[i]);
		if ((c[i].fd = unix_connect(sock)) == -1) {
			perror("connect");
			exit(1);
		}
		pfd[i].fd = c[i].fd;
		pfd[i].events = POLLIN;
		/* Two batches in flight per client. */
		writeall(c[i].fd, batch, blen);
		writeall(c[i].fd, batch, blen);
	}
	t0 = now();
	while (!stop) {
		if (poll(pfd, CLIENTS, 1000) <= 0)
			break;
		for (i = 0; i < CLIENTS; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			r = read(c[i].fd, c[i].in + c[i].inlen,
			    sizeof c[i].in - c[i].inlen);
			if (r <= 0) {
				fprintf(stderr, "bench: hsmd closed\n");
				exit(1);
			}
			c[i].inlen += (size_t)r;
			off = 0;
			while (c[i].inlen - off >= 2) {
				n = (size_t)c[i].in[off] << 8 | c[i].in[off + 1];
				if (c[i].inlen - off < 2 + n)
					break;
				if (n < 8 || memcmp(c[i].in + off + 8, okcode,
				    2) != 0)
					c[i].bad++;
				c[i].got++;
				c[i].since_batch++;
				off += 2 + n;
			}
			memmove(c[i].in, c[i].in + off, c[i].inlen - off);
			c[i].inlen -= off;
			while (c[i].since_batch >= BATCH) {
				c[i].since_batch -= BATCH;
				writeall(c[i].fd, batch, blen);
			}
		}
		el = now() - t0;
		if (!warmed && el > 0.3) {
			warmed = 1;
			for (i = 0; i < CLIENTS; i++)
				warm += c[i].got;
			t1 = now();
		}
		if (el > SECONDS + 0.3)
			stop = 1;
	}
	el = now() - t1;
	for (i = 0; i < CLIENTS; i++) {
		total += c[i].got;
		bad += c[i].bad;
		close(c[i].fd);
	}
	free(batch);
	if (bad != 0) {
		fprintf(stderr, "bench: %ld replies were not %s\n", bad, okcode);
		exit(1);
	}
	return (double)(total - warm) / el;
}

/* The same CY load through the client library. */
struct libstate {
	struct hsm_client	*c;
	struct event_base	*base;
	const char		*cvk;
	long			 done, bad;
	int			 stop;
};

static void lib_next(struct libstate *);

static void
lib_cb(const struct hsm_result *r, void *arg)
{
	struct libstate *s = arg;

	s->done++;
	if (r->status != HSM_OK)
		s->bad++;
	if (!s->stop)
		lib_next(s);
}

static void
lib_next(struct libstate *s)
{
	if (hsm_verify_cvv(s->c, s->cvk, "4123456789012345", "8701", "101",
	    "561", lib_cb, s) == -1)
		s->bad++;
}

static void
lib_stop(evutil_socket_t fd, short what, void *arg)
{
	struct libstate *s = arg;

	(void)fd;
	(void)what;
	s->stop = 1;
	event_base_loopexit(s->base, NULL);
}

static double
run_lib(const char *cvk)
{
	struct hsm_client_opts o;
	struct libstate s;
	struct event *ev;
	struct timeval tv = { (long)SECONDS, 0 }, warm = { 0, 300000 };
	char addr[160];
	double t0;
	long base;
	int i;

	memset(&s, 0, sizeof s);
	s.base = event_base_new();
	s.cvk = cvk;
	hsm_client_opts_default(&o);
	o.connections = CLIENTS;
	o.timeout_ms = 5000;
	snprintf(addr, sizeof addr, "unix:%s", sock);
	s.c = hsm_client_new(s.base, addr, &o);
	for (i = 0; i < CLIENTS * 2 * BATCH; i++)
		lib_next(&s);
	event_base_loopexit(s.base, &warm);
	event_base_dispatch(s.base);
	base = s.done;
	t0 = now();
	ev = evtimer_new(s.base, lib_stop, &s);
	evtimer_add(ev, &tv);
	event_base_dispatch(s.base);
	t0 = now() - t0;
	base = s.done - base;
	/* Drain what is still in flight. */
	while (hsm_client_health(s.c) != HSM_HEALTH_DOWN) {
		struct hsm_client_stats st;

		hsm_client_stats(s.c, &st);
		if (st.inflight == 0)
			break;
		event_base_loop(s.base, EVLOOP_ONCE);
	}
	event_free(ev);
	hsm_client_free(s.c);
	event_base_free(s.base);
	if (s.bad != 0) {
		fprintf(stderr, "bench: %ld client calls failed\n", s.bad);
		exit(1);
	}
	return (double)base / t0;
}

static void
wrap(const struct lmk *l, const char *hdr, const char *hex, char *out)
{
	uint8_t k[16];

	hex_decode_exact(hex, 32, k, 16);
	out[0] = 'S';
	if (kb_wrap(l->key, LMK_LEN, hdr, k, 16, out + 1, 200) != KB_OK)
		exit(1);
}

static void
cleanup(void)
{
	hsmd_stop(&hsmd, dir, "bench");
}

int
main(void)
{
	const char *K0 = "0123456789ABCDEFFEDCBA9876543210";
	char lmkpath[128], logpath[160], cvk[200], mk[200];
	uint8_t req[512], data[40];
	struct lmk *l;
	size_t n;
	double cy, kq, lib;

	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	atexit(cleanup);
	snprintf(lmkpath, sizeof lmkpath, "%s/lmk", dir);
	snprintf(sock, sizeof sock, "%s/hsm.sock", dir);
	if ((l = lmk_generate()) == NULL || lmk_save(l, lmkpath, NULL, 0))
		return 1;
	wrap(l, "10000C0TC00N0000", K0, cvk);
	wrap(l, "10000E0TX00N0000", K0, mk);
	lmk_free(l);

	snprintf(logpath, sizeof logpath, "%s/hsmd.log", dir);
	if (hsmd_start(&hsmd, "build/bin", lmkpath, sock, logpath) == -1) {
		fprintf(stderr, "bench: hsmd did not start (run make)\n");
		return 1;
	}

	/* CY: CVV-1. */
	n = (size_t)snprintf((char *)req, sizeof req,
	    "0000CY%s5614123456789012345;8701101", cvk);
	cy = run_raw(req, n, "00");
	printf("hsmd CY: %.0f/s\n", cy);

	/* KQ mode 1 scheme 1: the M/Chip CVN 16 vector (ARQC + ARPC). */
	n = (size_t)snprintf((char *)req, sizeof req, "0000KQ11%s", mk);
	hex_decode_exact("3456789012345600001CABCDEF12", 28, req + n, 14);
	n += 14;
	memcpy(req + n, "28", 2);
	n += 2;
	hex_decode_exact("000000009999000000000000012480000000000124209906"
	    "00ABCDEF121800001CA0000322000080", 80, data, 40);
	memcpy(req + n, data, 40);
	n += 40;
	req[n++] = ';';
	hex_decode_exact("24CCF3DEE3158C700010", 20, req + n, 10);
	n += 10;
	kq = run_raw(req, n, "00");
	printf("hsmd KQ: %.0f/s\n", kq);

	lib = run_lib(cvk);
	printf("hsmclient CY: %.0f/s (client library, %d connections, one "
	    "event loop)\n", lib, CLIENTS);
	return 0;
}
