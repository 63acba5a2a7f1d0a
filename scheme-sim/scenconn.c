/*
 * scenconn.c — the runner's connection to the gateway link: connect
 * (retrying while the gateway starts) and sign on, framed writes (whole,
 * or in pieces with a gap), and reads with poll(2) until a deadline.
 * What the gateway sends is answered when the scheme must (its 0800s,
 * unless a case says "echo": "ignore"; requests it relays from the core,
 * unless a case says "hold") and kept in the inbox for the expects.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "iso8583/mti.h"
#include "scheme-sim/conn.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"

#define WRITE_WAIT_NS	5000000000ull
#define SIGNON_WAIT_NS	5000000000ull

void
scen_conn_close(struct scen_run *r)
{
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	r->rlen = 0;
}

/* Every byte written, or -1 with why (the connection closed on an
 * error). */
static int
write_raw(struct scen_run *r, const uint8_t *b, size_t len, const char **why)
{
	uint64_t end = sim_now_ns() + WRITE_WAIT_NS;
	struct pollfd p;
	ssize_t n;

	while (len > 0) {
		if (r->fd == -1) {
			*why = "not connected";
			return -1;
		}
		n = send(r->fd, b, len, MSG_NOSIGNAL);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			*why = strerror(errno);
			scen_conn_close(r);
			r->closed = 1;
			return -1;
		}
		if (sim_now_ns() >= end) {
			*why = "the gateway reads nothing";
			return -1;
		}
		p.fd = r->fd;
		p.events = POLLOUT;
		poll(&p, 1, 50);
	}
	return 0;
}

int
scen_write(struct scen_run *r, const uint8_t *b, size_t len)
{
	const char *why;

	if (write_raw(r, b, len, &why) == -1)
		return scen_fail(r, 0, NULL, NULL, "write: %s", why);
	return 0;
}

/* m packed (with its MAC where due) and framed into r->wire; its
 * length, or -1 with why. */
static ssize_t
frame_msg(struct scen_run *r, const struct iso_msg *m, char *why,
    size_t whysz)
{
	size_t pl = frame_prefix_len(&r->fr) + r->fr.hdrlen;
	ssize_t n;
	int h;

	if ((n = scen_pack(r, m, r->wire + pl, sizeof r->wire - pl, why,
	    whysz)) < 0)
		return -1;
	if ((h = frame_header(&r->fr, (size_t)n, r->wire, pl)) < 0) {
		snprintf(why, whysz, "does not frame");
		return -1;
	}
	return (ssize_t)h + n;
}

/* The scheme's answer to a message of the gateway's.  Its failure is
 * logged, not the case's: the steps say what they expect. */
void
scen_answer(struct scen_run *r, const struct iso_msg *req, const char *rc)
{
	char err[200];
	const char *why = err;
	ssize_t len;

	if (sim_answer_build(req, rc, &r->ans) == -1 ||
	    (len = frame_msg(r, &r->ans, err, sizeof err)) == -1 ||
	    write_raw(r, r->wire, (size_t)len, &why) == -1)
		log_warnx("event=answer_failed mti=%s reason=\"%s\"",
		    req->mti, why);
}

/* What the gateway sent: answered if the scheme must, and kept for the
 * expects (a request or an advice only when "hold" keeps it unanswered;
 * network management answered and kept: a case may expect the gateway's
 * sign-on or sign-off). */
static void
on_msg(struct scen_run *r, const uint8_t *b, size_t len)
{
	struct scen_in *in;
	struct iso_err ie;
	int kind;

	if ((in = malloc(sizeof *in)) == NULL)
		return;
	if (iso_unpack(r->prof, &in->m, b, len, &ie) == -1) {
		log_warnx("event=undecodable field=%d offset=%zu reason=\"%s\"",
		    ie.field, ie.offset, ie.msg);
		free(in);
		return;
	}
	in->at_ns = sim_now_ns();
	in->mac_bad = scen_mac_check(r, b, len, &in->m) == -1;
	kind = iso_mti_kind(in->m.mti);
	if (kind == ISO_MTI_NETMGMT && in->m.mti[2] == '0' && r->echo_answer)
		scen_answer(r, &in->m, "00");
	else if ((kind == ISO_MTI_REQUEST || kind == ISO_MTI_ADVICE) &&
	    !r->hold) {
		scen_answer(r, &in->m, "00");
		free(in);
		return;
	}
	if (r->nin == SCEN_INBOX) {
		log_warnx("event=inbox_full mti=%s", in->m.mti);
		free(in);
		return;
	}
	r->in[r->nin++] = in;
}

/* Reads for up to wait_ns (0: what is there now).  -1: not connected,
 * or the gateway closed the connection meanwhile. */
int
scen_rx_poll(struct scen_run *r, uint64_t wait_ns)
{
	struct pollfd p;
	size_t off, total;
	ssize_t n;
	char err[128];
	int rc;

	if (r->fd == -1)
		return -1;
	p.fd = r->fd;
	p.events = POLLIN;
	if (poll(&p, 1, (int)((wait_ns + 999999) / 1000000)) <= 0)
		return 0;
	n = recv(r->fd, r->rbuf + r->rlen, sizeof r->rbuf - r->rlen, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		scen_conn_close(r);
		r->closed = 1;
		return -1;
	}
	if (n < 0)
		return 0;
	r->rlen += (size_t)n;
	while ((rc = frame_parse(&r->fr, r->rbuf, r->rlen, &off, &total, err,
	    sizeof err)) == 1) {
		on_msg(r, r->rbuf + off, total - off);
		memmove(r->rbuf, r->rbuf + total, r->rlen - total);
		r->rlen -= total;
	}
	if (rc == -1) {
		log_warnx("event=framing_lost reason=\"%s\"", err);
		scen_conn_close(r);
		r->closed = 1;
		return -1;
	}
	return 0;
}

/* Reads until t (what the gateway sends meanwhile is answered). */
void
scen_rx_until(struct scen_run *r, uint64_t t)
{
	uint64_t now;

	while ((now = sim_now_ns()) < t)
		if (scen_rx_poll(r, t - now) == -1 && r->fd == -1) {
			/* Nothing to read: just let the time pass. */
			poll(NULL, 0, (int)((t - now + 999999) / 1000000));
			return;
		}
}

int
scen_send_msg(struct scen_run *r, const struct iso_msg *m, uint32_t pieces,
    uint64_t gap_ns)
{
	char err[200];
	ssize_t n;
	size_t len, at, step;

	if ((n = frame_msg(r, m, err, sizeof err)) == -1)
		return scen_fail(r, 0, NULL, NULL, "%s", err);
	len = (size_t)n;
	if (pieces <= 1)
		return scen_write(r, r->wire, len);
	/* Slow writes: the frame in pieces, a gap between them.  Nothing is
	 * read meanwhile: an answer written now would land inside the
	 * frame. */
	step = (len + pieces - 1) / pieces;
	for (at = 0; at < len; at += step) {
		if (at > 0)
			poll(NULL, 0, (int)((gap_ns + 999999) / 1000000));
		if (scen_write(r, r->wire + at, len - at < step ? len - at :
		    step) == -1)
			return -1;
	}
	return 0;
}

/* --- connect and sign on ------------------------------------------------ */

static int
signon(struct scen_run *r)
{
	uint64_t end = sim_now_ns() + SIGNON_WAIT_NS;
	char rc[3];
	int i;

	sim_clock_update(&r->clk, sim_wall_us());
	r->stan = r->stan % 999999u + 1u;
	if (sim_netmgmt_build(NULL, &r->clk, r->stan, r->o->signon_code,
	    &r->tx) == -1 || scen_send_msg(r, &r->tx, 1, 0) == -1)
		return scen_fail(r, 0, NULL, NULL, "sign-on not sent");
	while (sim_now_ns() < end) {
		for (i = 0; i < r->nin; i++)
			if (strcmp(r->in[i]->m.mti, "0810") == 0)
				break;
		if (i < r->nin) {
			if (iso_get_str(&r->in[i]->m, 39, rc, sizeof rc) == -1)
				strcpy(rc, "");
			free(r->in[i]);
			memmove(&r->in[i], &r->in[i + 1],
			    (size_t)(r->nin - i - 1) * sizeof r->in[0]);
			r->nin--;
			if (strcmp(rc, "00") == 0)
				return 0;
			return scen_fail(r, 39, "00", rc, "sign-on refused");
		}
		if (scen_rx_poll(r, end - sim_now_ns()) == -1)
			return scen_fail(r, 0, NULL, NULL, "sign-on: the "
			    "gateway closed the connection");
	}
	return scen_fail(r, 0, NULL, NULL, "sign-on: no 0810");
}

/* --listen: the gateway's next connection, within within_ns. */
static int
accept_one(struct scen_run *r, uint64_t within_ns)
{
	struct pollfd p = { .fd = r->lfd, .events = POLLIN };
	uint64_t end = sim_now_ns() + within_ns, now;
	int fd;

	while ((now = sim_now_ns()) < end) {
		if (poll(&p, 1, (int)((end - now + 999999) / 1000000)) <= 0)
			continue;
		if ((fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		if (sim_tcp_tune(fd) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

int
scen_conn_open(struct scen_run *r, uint64_t within_ns)
{
	int fd;

	scen_conn_close(r);
	r->closed = 0;
	if (r->lfd != -1)
		fd = accept_one(r, within_ns);
	else
		fd = sim_tcp_connect((const struct sockaddr *)&r->o->addr.ss,
		    r->o->addr.len, within_ns);
	if (fd == -1)
		return scen_fail(r, 0, NULL, NULL, "%s %s", r->lfd != -1 ?
		    "no connection from the gateway on" : "cannot connect to",
		    r->o->addr.arg);
	r->fd = fd;
	return r->o->signon ? signon(r) : 0;
}
