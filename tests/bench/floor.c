/*
 * floor.c — the least a relay on the core link contract must do, for
 * bench-relay.sh to set beside gatewayd and haproxy.
 *
 *   floor relay TCPPORT UDPPORT [KEYFILE]
 *	len2 frames from the scheme in; one UDP datagram per message to the
 *	peer; each answer back on the connection it belongs to.  No ISO
 *	8583 parsing, no duplicate check, no deadline, no metrics.
 *   floor peer PROFILE UDPPORT [KEYFILE]
 *	answers each datagram as `scheme-sim core --tcp` answers a frame.
 *
 * Without KEYFILE a datagram is a 4-byte GUE header, the connection's
 * index (u16 BE) and the ISO 8583 message, nothing sealed.  With KEYFILE
 * both ends speak the core link as the contract has it (ARCHITECTURE
 * section 4, tunnel/corefr.c): the relay plays the gateway, sending each
 * message as an AUTH_REQUEST sealed with K_gc whose corr_id is the
 * connection's index; the peer plays the core, answering with an
 * AUTH_RESPONSE sealed with K_cg that echoes it.  Each side opens what it
 * receives with all of the acceptance rules, a replay table of its own
 * included, and drops what fails them.  Loopback only, one process each,
 * epoll; a bench tool, so a write the socket does not take in full is
 * finished by waiting for it.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iso8583/iso8583.h"
#include "scheme-sim/rules.h"
#include "tunnel/corefr.h"
#include "tunnel/gue.h"

#define BATCH		64
#define MAXCONN		64
#define DGRAM_MAX	(ISO_BUF_MAX + 128)
#define RXCAP		(1 << 17)

static uint8_t gue[GUE_HLEN];		/* data frame: C=0, proto 253 */
static int sealed;
static struct core_keys keys;		/* sealed: this side's role */
static struct replay *seen;		/* sealed: what this side took */
static int send_type, recv_type;	/* AUTH_REQUEST or AUTH_RESPONSE */

struct dgram {
	uint8_t		 buf[DGRAM_MAX];
	struct iovec	 iov;
	struct sockaddr_in from;
};

static struct dgram rx[BATCH], tx[BATCH];
static struct mmsghdr rxm[BATCH], txm[BATCH];
static int ntx;

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(2);
}

static void
mmsg_init(void)
{
	int i;

	for (i = 0; i < BATCH; i++) {
		rx[i].iov.iov_base = rx[i].buf;
		rx[i].iov.iov_len = sizeof rx[i].buf;
		rxm[i].msg_hdr.msg_iov = &rx[i].iov;
		rxm[i].msg_hdr.msg_iovlen = 1;
		rxm[i].msg_hdr.msg_name = &rx[i].from;
		rxm[i].msg_hdr.msg_namelen = sizeof rx[i].from;
		tx[i].iov.iov_base = tx[i].buf;
		txm[i].msg_hdr.msg_iov = &tx[i].iov;
		txm[i].msg_hdr.msg_iovlen = 1;
	}
}

static int
udp_socket(uint16_t port, int bind_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, sz = 4 << 20;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	if ((bind_it ? bind(fd, (struct sockaddr *)&a, sizeof a) :
	    connect(fd, (struct sockaddr *)&a, sizeof a)) == -1)
		die(bind_it ? "bind" : "connect");
	return fd;
}

/* Queues one datagram: a core-link frame with corr_id conn, or GUE
 * header || conn || msg. */
static void
tx_add(const struct sockaddr_in *to, uint16_t conn, const uint8_t *msg,
    size_t len)
{
	struct dgram *d = &tx[ntx];
	ssize_t n;

	if (sealed) {
		n = corefr_send(&keys, send_type, conn, 0, msg, len, d->buf,
		    sizeof d->buf);
		if (n < 0)
			return;
	} else {
		if (len > sizeof d->buf - GUE_HLEN - 2)
			return;
		memcpy(d->buf, gue, GUE_HLEN);
		d->buf[GUE_HLEN] = (uint8_t)(conn >> 8);
		d->buf[GUE_HLEN + 1] = (uint8_t)conn;
		memcpy(d->buf + GUE_HLEN + 2, msg, len);
		n = (ssize_t)(GUE_HLEN + 2 + len);
	}
	d->iov.iov_len = (size_t)n;
	txm[ntx].msg_hdr.msg_name = (void *)to;
	txm[ntx].msg_hdr.msg_namelen = to ? sizeof *to : 0;
	ntx++;
}

static void
tx_flush(int fd)
{
	int off = 0, n;

	while (off < ntx) {
		n = sendmmsg(fd, txm + off, (unsigned)(ntx - off), 0);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n == -1 && errno == EAGAIN) {
			struct pollfd p = { fd, POLLOUT, 0 };
			poll(&p, 1, 100);
			continue;
		}
		break;
	}
	ntx = 0;
}

/* Opens datagram i of the receive batch: conn index and message.  Sealed,
 * every acceptance rule applies, and the type must be the one expected. */
static int
rx_open(int i, unsigned len, uint8_t *pt, size_t cap, uint16_t *conn,
    const uint8_t **msg, size_t *mlen)
{
	struct corefr_hdr h;
	enum corefr_reject why;

	if (sealed) {
		if (corefr_recv(&keys, seen, COREFR_FRESH_MS, rx[i].buf, len,
		    &h, pt, cap, msg, &why) == -1 || h.type != recv_type ||
		    h.corr_id > UINT16_MAX)
			return -1;
		*conn = (uint16_t)h.corr_id;
		*mlen = h.body_len;
		return 0;
	}
	if (len < GUE_HLEN + 2 || memcmp(rx[i].buf, gue, GUE_HLEN) != 0)
		return -1;
	*conn = (uint16_t)(rx[i].buf[GUE_HLEN] << 8 | rx[i].buf[GUE_HLEN + 1]);
	*msg = rx[i].buf + GUE_HLEN + 2;
	*mlen = len - GUE_HLEN - 2;
	return 0;
}

/* --- relay ---------------------------------------------------------------- */

struct rconn {
	int	 fd;
	uint8_t	*in;
	size_t	 inlen;
	uint8_t	*out;
	size_t	 outlen;
};

static struct rconn conns[MAXCONN];
static int relay_ufd;

static void
write_all(struct rconn *c)
{
	size_t off = 0;
	ssize_t n;

	while (off < c->outlen) {
		n = write(c->fd, c->out + off, c->outlen - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EAGAIN) {
			struct pollfd p = { c->fd, POLLOUT, 0 };
			poll(&p, 1, 100);
			continue;
		}
		break;
	}
	c->outlen = 0;
}

static void
relay_read(int ci)
{
	struct rconn *c = &conns[ci];
	size_t used = 0, len;
	ssize_t n;

	n = read(c->fd, c->in + c->inlen, RXCAP - c->inlen);
	if (n <= 0) {
		if (n == -1 && errno == EAGAIN)
			return;
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->inlen += (size_t)n;
	while (c->inlen - used >= 2) {
		len = (size_t)c->in[used] << 8 | c->in[used + 1];
		if (c->inlen - used < 2 + len)
			break;
		if (ntx == BATCH)
			tx_flush(relay_ufd);
		tx_add(NULL, (uint16_t)ci, c->in + used + 2, len);
		used += 2 + len;
	}
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
}

static void
relay_answers(int ufd)
{
	uint8_t pt[DGRAM_MAX];
	const uint8_t *msg;
	size_t mlen;
	uint16_t ci;
	int i, n, k;

	n = recvmmsg(ufd, rxm, BATCH, MSG_DONTWAIT, NULL);
	for (i = 0; i < n; i++) {
		if (rx_open(i, rxm[i].msg_len, pt, sizeof pt, &ci, &msg,
		    &mlen) == -1 || ci >= MAXCONN || conns[ci].fd < 0 ||
		    conns[ci].outlen + 2 + mlen > RXCAP)
			continue;
		conns[ci].out[conns[ci].outlen++] = (uint8_t)(mlen >> 8);
		conns[ci].out[conns[ci].outlen++] = (uint8_t)mlen;
		memcpy(conns[ci].out + conns[ci].outlen, msg, mlen);
		conns[ci].outlen += mlen;
	}
	for (k = 0; k < MAXCONN; k++)
		if (conns[k].outlen > 0)
			write_all(&conns[k]);
}

static void __attribute__((noreturn))
relay(uint16_t tport, uint16_t uport)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event ev, evs[BATCH];
	int lfd, ufd, ep, one = 1, i, n, fd, k;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(tport);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) == -1 ||
	    listen(lfd, 64) == -1)
		die("listen");
	relay_ufd = ufd = udp_socket(uport, 0);
	if ((ep = epoll_create1(0)) == -1)
		die("epoll");
	ev.events = EPOLLIN;
	ev.data.u32 = 1u << 16;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.u32 = 2u << 16;
	epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
	for (k = 0; k < MAXCONN; k++)
		conns[k].fd = -1;
	for (;;) {
		if ((n = epoll_wait(ep, evs, BATCH, -1)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			uint32_t tag = evs[i].data.u32;

			if (tag == 2u << 16) {
				relay_answers(ufd);
			} else if (tag == 1u << 16) {
				if ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK)) == -1)
					continue;
				for (k = 0; k < MAXCONN && conns[k].fd >= 0;
				    k++)
					;
				if (k == MAXCONN) {
					close(fd);
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof one);
				conns[k].fd = fd;
				conns[k].inlen = conns[k].outlen = 0;
				if (conns[k].in == NULL &&
				    ((conns[k].in = malloc(RXCAP)) == NULL ||
				    (conns[k].out = malloc(RXCAP)) == NULL))
					die("malloc");
				ev.events = EPOLLIN;
				ev.data.u32 = (uint32_t)k;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			} else if (conns[tag].fd >= 0) {
				relay_read((int)tag);
			}
		}
		tx_flush(ufd);
	}
}

/* --- peer ----------------------------------------------------------------- */

static void __attribute__((noreturn))
peer(const struct iso_profile *prof, uint16_t uport)
{
	static struct iso_msg req, resp;
	struct sim_rules rules;
	uint8_t pt[DGRAM_MAX], wire[ISO_BUF_MAX + 512];
	const uint8_t *msg;
	struct iso_err e;
	struct pollfd p;
	size_t mlen;
	ssize_t w;
	uint16_t ci;
	int fd, i, n;

	sim_rules_init(&rules);
	fd = udp_socket(uport, 1);
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		for (i = 0; i < BATCH; i++)
			rxm[i].msg_hdr.msg_namelen = sizeof rx[i].from;
		if ((n = recvmmsg(fd, rxm, BATCH, MSG_DONTWAIT, NULL)) <= 0) {
			poll(&p, 1, -1);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (rx_open(i, rxm[i].msg_len, pt, sizeof pt, &ci, &msg,
			    &mlen) == -1 ||
			    iso_unpack(prof, &req, msg, mlen, &e) == -1)
				continue;
			if (sim_core_answer(&rules, &req, &resp) == -1 ||
			    (w = iso_pack(prof, &resp, wire, sizeof wire,
			    &e)) < 0)
				continue;
			tx_add(&rx[i].from, ci, wire, (size_t)w);
		}
		tx_flush(fd);
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: floor relay TCPPORT UDPPORT [KEYFILE]\n"
	    "       floor peer PROFILE UDPPORT [KEYFILE]\n");
	exit(2);
}

/* Both directions' keys from KEYFILE for this side's role, and a replay
 * table from now. */
static void
keys_load(const char *path, enum core_role role)
{
	struct seal_keyring conf;
	char err[256];

	if (seal_init() == -1)
		die("sodium");
	seal_keyring_init(&conf);
	if (seal_keyring_add_file(&conf, path, err, sizeof err) == -1) {
		fprintf(stderr, "floor: %s\n", err);
		exit(2);
	}
	if (core_keys_derive(&keys, &conf, role) == -1 ||
	    (seen = replay_new(corefr_now_ms())) == NULL)
		die("keys");
	seal_keyring_clear(&conf);
	send_type = role == ROLE_GATEWAY ? COREFR_AUTH_REQUEST :
	    COREFR_AUTH_RESPONSE;
	recv_type = role == ROLE_GATEWAY ? COREFR_AUTH_RESPONSE :
	    COREFR_AUTH_REQUEST;
	sealed = 1;
}

int
main(int argc, char **argv)
{
	const struct iso_profile *prof;
	int isrelay;

	if (argc < 3)
		usage();
	isrelay = strcmp(argv[1], "relay") == 0;
	if (!isrelay && strcmp(argv[1], "peer") != 0)
		usage();
	if (argc == 5)
		keys_load(argv[4], isrelay ? ROLE_GATEWAY : ROLE_CORE);
	else if (argc != 4)
		usage();
	gue_encode(gue, 0, GUE_PROTO_FRAME);
	mmsg_init();
	if (isrelay)
		relay((uint16_t)atoi(argv[2]), (uint16_t)atoi(argv[3]));
	if ((prof = iso_profile_find(argv[2])) == NULL) {
		fprintf(stderr, "floor: unknown profile %s\n", argv[2]);
		return 2;
	}
	peer(prof, (uint16_t)atoi(argv[3]));
}
