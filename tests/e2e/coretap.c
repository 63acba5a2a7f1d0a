/*
 * coretap.c — e2e helper: a recording tap on the core link, protocol v2.
 * Used by test-corelink-*.sh; the Makefile builds it into build/e2e/.
 *
 *   coretap KEYFILE COREPORT LISTENPORT [LISTENPORT ...]
 *
 * It sits where gatewayd believes its cores are: for each LISTENPORT (a
 * [Core] Address = 127.0.0.1:LISTENPORT) it relays datagrams both ways
 * to the real core (scheme-sim core) on 127.0.0.1:COREPORT, through an
 * upstream socket of its own per port, so the core answers each port on
 * its own.  Nothing is changed on the way.  With KEYFILE it opens what
 * passes and prints one line per data frame (heartbeats are not shown):
 *
 *   gw P TYPE corr=N [de39=RC body=HASH] [held=V]	gateway to core
 *   core P TYPE corr=N cap=I				core to gateway
 *
 * keeping every core frame ("capture" I, from 0).  It reads commands on
 * stdin, one a line, and answers each with a line starting "ok" or "err":
 *
 *   replay I P		capture I again, byte for byte, from P
 *   reseal I P		capture I sealed anew as the core: a new session,
 *			seq and sent_ms; the same type, corr_id, budget
 *			and body (the core retrying)
 *   snap I P V PAN ST	a new SNAPSHOT, version and corr_id V, holding
 *			the card record of PAN from capture I with its
 *			status set to ST
 *   arm P MODE		the next AUTH_REQUEST through P is not relayed;
 *			instead: good (a valid AUTH_RESPONSE, DE39 00,
 *			DE38 TAP001), stale (the same with sent_ms 60 s
 *			old), reflect (the request itself, sent back),
 *			other (the good answer from port "xP"), hold
 *
 * P is a LISTENPORT's index (0, 1, ...): sent from that port to the
 * gateway socket last heard on it.  "xP" sends to the same gateway
 * socket from two other local sources instead (127.0.0.1 and 127.0.0.2,
 * ephemeral ports), which gatewayd's connected core socket never sees.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "iso8583/mti.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"

#define MAXPORTS	4
#define MAXCAPS		512
#define PTCAP		(COREFR_HDRLEN + COREFR_MAX_BODY)

enum arm { ARM_NONE, ARM_GOOD, ARM_STALE, ARM_REFLECT, ARM_OTHER, ARM_HOLD };
static const char *const arm_names[] = {
	"none", "good", "stale", "reflect", "other", "hold"
};

struct port {
	int			lfd;	/* at the core's address, for gatewayd */
	int			ufd;	/* connected to the real core */
	struct sockaddr_in	gw;
	int			have_gw;
	enum arm		arm;
};

struct capture {
	int			port;
	size_t			len;
	uint8_t			*dgram;
	struct corefr_hdr	h;
	uint8_t			*body;	/* h.body_len bytes */
};

static volatile sig_atomic_t stop;
static struct port ports[MAXPORTS];
static int nports;
static struct capture caps[MAXCAPS];
static int ncaps;
static struct core_keys core, gw;
static uint64_t session, seq;
static uint8_t pt[PTCAP], dg[COREFR_MAX_DGRAM + 1], out[COREFR_MAX_DGRAM];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
udp(const char *addr, uint16_t port, int connect_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd;

	inet_pton(AF_INET, addr, &a.sin_addr);
	a.sin_port = htons(port);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    (connect_it ? connect(fd, (struct sockaddr *)&a, sizeof a) :
	    bind(fd, (struct sockaddr *)&a, sizeof a)) == -1) {
		fprintf(stderr, "coretap: %s:%u: %s\n", addr, port,
		    strerror(errno));
		exit(2);
	}
	return fd;
}

/* A frame sealed as the core, in our own session, sent_ms as given. */
static size_t
seal_core(int type, uint64_t corr, uint32_t budget, uint64_t sent_ms,
    const uint8_t *body, size_t blen)
{
	struct corefr_hdr h;
	ssize_t n;

	memset(&h, 0, sizeof h);
	h.type = (uint8_t)type;
	h.session = session;
	h.seq = ++seq;
	h.sent_ms = sent_ms;
	h.corr_id = corr;
	h.budget_us = budget;
	if ((n = corefr_build(&core.seal, &h, body, blen, out,
	    sizeof out)) < 0) {
		fprintf(stderr, "coretap: cannot seal a %zu-byte body\n", blen);
		exit(2);
	}
	return (size_t)n;
}

/* Sends to port p's gateway from p, or (other) from two other sources. */
static int
send_to(int p, int other, const uint8_t *b, size_t n)
{
	static const char *const srcs[] = { "127.0.0.1", "127.0.0.2" };
	struct port *pp = &ports[p];
	size_t i;
	int fd;

	if (!pp->have_gw)
		return -1;
	if (!other)
		return sendto(pp->lfd, b, n, 0, (struct sockaddr *)&pp->gw,
		    sizeof pp->gw) == (ssize_t)n ? 0 : -1;
	for (i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		fd = udp(srcs[i], 0, 0);
		if (sendto(fd, b, n, 0, (struct sockaddr *)&pp->gw,
		    sizeof pp->gw) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* The short hash a body is printed as. */
static void
body_hash(const uint8_t *b, size_t len, char hex[17])
{
	uint8_t h[8];

	crypto_generichash(h, sizeof h, b, len, NULL, 0);
	sodium_bin2hex(hex, 17, h, sizeof h);
}

/* The armed answer to AUTH_REQUEST h (body b), instead of relaying. */
static void
armed(int p, const struct corefr_hdr *h, const uint8_t *b,
    const uint8_t *d, size_t n)
{
	char mti[5] = "", rmti[5] = "0110";
	uint8_t body[64];
	struct tlv_w w;
	enum arm a = ports[p].arm;
	size_t m;
	int rc = 0;

	ports[p].arm = ARM_NONE;
	if (tlv_find_str(b, h->body_len, TLV_MTI, mti, sizeof mti) == 0)
		iso_mti_response(mti, rmti);
	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, rmti);
	tlv_put_str(&w, 39, "00");
	tlv_put_str(&w, 38, "TAP001");
	m = seal_core(COREFR_AUTH_RESPONSE, h->corr_id, 0, corefr_now_ms() -
	    (a == ARM_STALE ? 60000 : 0), body, w.len);
	if (a == ARM_GOOD || a == ARM_STALE)
		rc = send_to(p, 0, out, m);
	else if (a == ARM_OTHER)
		rc = send_to(p, 1, out, m);
	else if (a == ARM_REFLECT)
		rc = send_to(p, 0, d, n);
	printf("armed %d %s corr=%llu %s\n", p, arm_names[a],
	    (unsigned long long)h->corr_id, rc == 0 ? "sent" : "failed");
}

/* What the gateway sent on port p: shown, relayed (or armed). */
static void
from_gw(int p)
{
	struct port *pp = &ports[p];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	struct corefr_hdr h;
	const uint8_t *b;
	enum corefr_reject why;
	char hex[17], rc[3];
	uint64_t held;
	ssize_t n;

	while ((n = recvfrom(pp->lfd, dg, sizeof dg, MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fl)) >= 0) {
		fl = sizeof from;
		pp->gw = from;
		pp->have_gw = 1;
		if (corefr_open(&core.open, NULL, 0, 0, dg, (size_t)n, &h, pt,
		    sizeof pt, &b, &why) == -1) {
			printf("gw %d unopened reason=%s\n", p,
			    corefr_reject_name(why));
			send(pp->ufd, dg, (size_t)n, 0);
			continue;
		}
		if (h.type == COREFR_AUTH_REQUEST && pp->arm != ARM_NONE) {
			armed(p, &h, b, dg, (size_t)n);
			continue;
		}
		send(pp->ufd, dg, (size_t)n, 0);
		if (h.type == COREFR_HEARTBEAT)
			continue;
		printf("gw %d %s corr=%llu", p, corefr_type_name(h.type),
		    (unsigned long long)h.corr_id);
		if (h.type == COREFR_OUT_RESPONSE) {
			if (tlv_find_str(b, h.body_len, 39, rc, sizeof rc))
				strcpy(rc, "-");
			body_hash(b, h.body_len, hex);
			printf(" de39=%s body=%s", rc, hex);
		}
		if (h.type == COREFR_SNAPSHOT_ACK &&
		    tlv_find_u64(b, h.body_len, TLV_SNAP_VERSION, &held) == 0)
			printf(" held=%llu", (unsigned long long)held);
		printf("\n");
	}
}

static void
capture(int p, const uint8_t *d, size_t n, const struct corefr_hdr *h,
    const uint8_t *b)
{
	struct capture *c;

	if (ncaps == MAXCAPS) {
		printf("core %d %s corr=%llu cap=none\n", p,
		    corefr_type_name(h->type), (unsigned long long)h->corr_id);
		return;
	}
	c = &caps[ncaps];
	if ((c->dgram = malloc(n)) == NULL ||
	    (c->body = malloc(h->body_len + 1)) == NULL)
		exit(2);
	memcpy(c->dgram, d, n);
	memcpy(c->body, b, h->body_len);
	c->len = n;
	c->h = *h;
	c->port = p;
	printf("core %d %s corr=%llu cap=%d\n", p, corefr_type_name(h->type),
	    (unsigned long long)h->corr_id, ncaps++);
}

/* What the core sent to port p: relayed, shown and kept. */
static void
from_core(int p)
{
	struct port *pp = &ports[p];
	struct corefr_hdr h;
	const uint8_t *b;
	enum corefr_reject why;
	ssize_t n;

	while ((n = recv(pp->ufd, dg, sizeof dg, MSG_DONTWAIT)) >= 0 ||
	    errno == ECONNREFUSED) {
		if (n < 0 || !pp->have_gw || (size_t)n > COREFR_MAX_DGRAM)
			continue;
		send_to(p, 0, dg, (size_t)n);
		if (corefr_open(&gw.open, NULL, 0, 0, dg, (size_t)n, &h, pt,
		    sizeof pt, &b, &why) == -1) {
			printf("core %d unopened reason=%s\n", p,
			    corefr_reject_name(why));
			continue;
		}
		if (h.type != COREFR_HEARTBEAT_ACK &&
		    h.type != COREFR_HEARTBEAT)
			capture(p, dg, (size_t)n, &h, b);
	}
}

/* The card record of pan in body, status set to st, as a nested TLV in
 * w.  0, or -1 when body holds no record of pan. */
static int
card_record(const uint8_t *body, size_t len, const char *pan,
    const char *st, struct tlv_w *w)
{
	static uint8_t rec[COREFR_MAX_BODY];
	struct tlv_r r, cr;
	struct tlv_w rw;
	const uint8_t *v, *cv;
	uint16_t tag, vl, ctag, cvl;
	char p[32];

	tlv_r_init(&r, body, len);
	while (tlv_next(&r, &tag, &v, &vl) == 1) {
		if (tag != TLV_SNAP_CARD || tlv_find_str(v, vl, 0x2001, p,
		    sizeof p) == -1 || strcmp(p, pan) != 0)
			continue;
		tlv_w_init(&rw, rec, sizeof rec);
		tlv_r_init(&cr, v, vl);
		while (tlv_next(&cr, &ctag, &cv, &cvl) == 1)
			if (ctag != 0x2002)
				tlv_put(&rw, ctag, cv, cvl);
		tlv_put_str(&rw, 0x2002, st);
		return rw.err ? -1 : tlv_put(w, TLV_SNAP_CARD, rec, rw.len);
	}
	return -1;
}

/* "3" or "x3": the port index and whether from other sources; -1. */
static int
parse_port(const char *s, int *other)
{
	char *end;
	long p;

	*other = s[0] == 'x';
	p = strtol(s + *other, &end, 10);
	if (*end != '\0' || end == s + *other || p < 0 || p >= nports)
		return -1;
	return (int)p;
}

static const struct capture *
parse_cap(const char *s)
{
	char *end;
	long i = strtol(s, &end, 10);

	if (*end != '\0' || end == s || i < 0 || i >= ncaps)
		return NULL;
	return &caps[i];
}

static int
cmd_snap(const struct capture *c, int p, int other, char **av)
{
	static uint8_t body[COREFR_MAX_BODY];
	struct tlv_w w;
	uint64_t v;
	char *end;
	size_t n;

	v = strtoull(av[0], &end, 10);
	if (*end != '\0' || c->h.type != COREFR_SNAPSHOT)
		return -1;
	tlv_w_init(&w, body, sizeof body);
	tlv_put_u64(&w, TLV_SNAP_VERSION, v);
	if (card_record(c->body, c->h.body_len, av[1], av[2], &w) == -1 ||
	    w.err)
		return -1;
	n = seal_core(COREFR_SNAPSHOT, v, 0, corefr_now_ms(), body, w.len);
	return send_to(p, other, out, n);
}

/* One command line, split into words; its answer printed. */
static void
command(char **av, int ac)
{
	const struct capture *c = NULL;
	int p = -1, other = 0, rc = -1;
	size_t n;

	if (ac == 3 && strcmp(av[0], "arm") == 0 &&
	    (p = parse_port(av[1], &other)) >= 0 && !other) {
		for (n = 1; n < sizeof arm_names / sizeof arm_names[0]; n++)
			if (strcmp(av[2], arm_names[n]) == 0) {
				ports[p].arm = (enum arm)n;
				rc = 0;
			}
	} else if (ac >= 3 && (c = parse_cap(av[1])) != NULL &&
	    (p = parse_port(av[2], &other)) >= 0) {
		if (ac == 3 && strcmp(av[0], "replay") == 0)
			rc = send_to(p, other, c->dgram, c->len);
		else if (ac == 3 && strcmp(av[0], "reseal") == 0) {
			n = seal_core(c->h.type, c->h.corr_id, c->h.budget_us,
			    corefr_now_ms(), c->body, c->h.body_len);
			rc = send_to(p, other, out, n);
		} else if (ac == 6 && strcmp(av[0], "snap") == 0)
			rc = cmd_snap(c, p, other, av + 3);
	}
	printf("%s %s", rc == 0 ? "ok" : "err", ac > 0 ? av[0] : "-");
	for (n = 1; n < (size_t)ac; n++)
		printf(" %s", av[n]);
	printf("\n");
}

/* Complete lines from stdin; 0 once it is closed. */
static int
commands(void)
{
	static char buf[1024];
	static size_t len;
	char *nl, *av[8], *save, *w;
	ssize_t n;
	int ac;

	if ((n = read(0, buf + len, sizeof buf - 1 - len)) <= 0)
		return n < 0 && errno == EINTR;
	len += (size_t)n;
	buf[len] = '\0';
	while ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		ac = 0;
		for (w = strtok_r(buf, " \t", &save); w != NULL && ac < 8;
		    w = strtok_r(NULL, " \t", &save))
			av[ac++] = w;
		if (ac > 0)
			command(av, ac);
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	if (len == sizeof buf - 1)
		len = 0;		/* a line too long: dropped */
	return 1;
}

static void
keys_load(const char *path)
{
	struct seal_keyring conf;
	char err[256];

	seal_keyring_init(&conf);
	if (seal_keyring_add_file(&conf, path, err, sizeof err) == -1) {
		fprintf(stderr, "coretap: %s\n", err);
		exit(2);
	}
	if (core_keys_derive(&core, &conf, ROLE_CORE) == -1 ||
	    core_keys_derive(&gw, &conf, ROLE_GATEWAY) == -1)
		exit(2);
	seal_keyring_clear(&conf);
	randombytes_buf(&session, sizeof session);
}

static void
loop(void)
{
	struct pollfd pf[2 * MAXPORTS + 1];
	int i, in = 1;

	while (!stop) {
		for (i = 0; i < nports; i++) {
			pf[2 * i] = (struct pollfd){ ports[i].lfd, POLLIN, 0 };
			pf[2 * i + 1] = (struct pollfd){ ports[i].ufd, POLLIN,
			    0 };
		}
		pf[2 * nports] = (struct pollfd){ in ? 0 : -1, POLLIN, 0 };
		if (poll(pf, (nfds_t)(2 * nports + 1), 100) == -1 &&
		    errno != EINTR)
			break;
		for (i = 0; i < nports; i++) {
			from_gw(i);
			from_core(i);
		}
		if (in && pf[2 * nports].revents)
			in = commands();
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int i;

	if (argc < 4 || argc - 3 > MAXPORTS || seal_init() == -1) {
		fprintf(stderr, "usage: coretap KEYFILE COREPORT LISTENPORT "
		    "[LISTENPORT ...] (at most %d)\n", MAXPORTS);
		return 2;
	}
	keys_load(argv[1]);
	for (i = 3; i < argc; i++, nports++) {
		ports[nports].lfd = udp("127.0.0.1", (uint16_t)atoi(argv[i]),
		    0);
		ports[nports].ufd = udp("127.0.0.1", (uint16_t)atoi(argv[2]),
		    1);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	loop();
	core_keys_clear(&core);
	core_keys_clear(&gw);
	return 0;
}
