/*
 * coreinject.c — e2e helper: an attacker on the core path, protocol v2.
 * Used by test-core-garbage.sh; the Makefile builds it into build/e2e/.
 *
 *   coreinject KEYFILE LISTENPORT COREPORT GWSTART_MS
 *
 * It sits where the gateway believes the core is (the gateway's [Core]
 * Address is 127.0.0.1:LISTENPORT) and relays datagrams both ways to the
 * real core on 127.0.0.1:COREPORT, keeping a copy of the last one the
 * core sent.  gatewayd's core socket is connected to that address, so
 * only datagrams from it reach the frame parser: this is the one place
 * an attacker's datagrams can come from.
 *
 * On SIGUSR1 it sends the gateway, from there, one datagram for each way
 * a frame can be refused (GWSTART_MS, the wall clock in ms just before
 * gatewayd started, makes the before_start one), one valid AUTH_RESPONSE
 * for a corr_id nobody asked (accepted, counted late), that frame again
 * and the captured core frame again (both replays), and the valid frame
 * once more from another local port (which the kernel never delivers to
 * a connected socket: "source" stays 0).  Then it prints
 *
 *   coreinject: sent gue=N key=N ... replay=N source=0 late=1 undelivered=1
 *
 * the count of each reject reason gatewayd should show, and relays on
 * until SIGTERM.  With KEYFILE it can seal as the core (K_cg) and, for
 * the reflected frame, as the gateway (K_gc).
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

#include "tunnel/corefr.h"
#include "tunnel/tlv.h"

static volatile sig_atomic_t attack_now, stop;
static int gwfd, corefd;
static struct sockaddr_in gwaddr;	/* the gateway, once it has sent */
static int have_gw;
static uint8_t captured[COREFR_MAX_DGRAM];
static size_t captured_len;

static struct core_keys core, gw, stranger;
static uint64_t session, seq;
/* What each injected datagram should come to: a reason, COREFR_R_NONE
 * (taken), or COREFR_R_MAX (never delivered). */
static int counts[COREFR_R_MAX + 1];

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		attack_now = 1;
	else
		stop = 1;
}

static int
udp(uint16_t port, int bind_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    (bind_it ? bind(fd, (struct sockaddr *)&a, sizeof a) :
	    connect(fd, (struct sockaddr *)&a, sizeof a)) == -1) {
		perror("coreinject: socket");
		exit(2);
	}
	return fd;
}

/* Sends one hostile datagram to the gateway, counting what it should
 * come to there. */
static void
inject(int fd, const uint8_t *b, size_t n, enum corefr_reject why)
{
	if (sendto(fd, b, n, 0, (struct sockaddr *)&gwaddr,
	    sizeof gwaddr) != (ssize_t)n)
		perror("coreinject: sendto");
	counts[why]++;
	usleep(2000);
}

/* A frame of our session, sealed with ring's first key: header as given
 * (version too), GUE bytes g0 g1. */
static size_t
forge(const struct seal_keyring *ring, uint8_t g0, uint8_t g1,
    uint8_t version, uint8_t type, uint64_t sent_ms, const uint8_t *body,
    size_t blen, uint8_t *out)
{
	static uint8_t pt[COREFR_HDRLEN + 256];
	struct corefr_hdr h;
	ssize_t n;

	memset(&h, 0, sizeof h);
	h.version = version;
	h.type = type;
	h.session = session;
	h.seq = ++seq;
	h.sent_ms = sent_ms;
	h.corr_id = 0x7fff0000 + seq;		/* nobody asked for these */
	h.body_len = (uint32_t)blen;
	corefr_hdr_encode(&h, pt);
	memcpy(pt + COREFR_HDRLEN, body, blen);
	out[0] = g0;
	out[1] = g1;
	out[2] = out[3] = 0;
	n = seal_seal(ring, out, pt, COREFR_HDRLEN + blen, out + GUE_HLEN,
	    COREFR_MAX_DGRAM - GUE_HLEN);
	if (n < 0)
		exit(2);
	return GUE_HLEN + (size_t)n;
}

/* One datagram per reject reason the gateway can give here. */
static void
attack_rejects(const uint8_t *body, size_t blen, uint64_t gw_start)
{
	static uint8_t d[COREFR_MAX_DGRAM];
	uint64_t now = corefr_now_ms();
	size_t n;

	randombytes_buf(d, 20);					/* gue */
	inject(gwfd, d, 20, COREFR_R_GUE);
	n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE, now, body,
	    blen, d);
	d[3] = 0x80;						/* flags */
	inject(gwfd, d, n, COREFR_R_GUE);
	n = forge(&core.seal, 0, 253, 2, COREFR_HEARTBEAT_ACK, now, NULL, 0,
	    d);							/* C=0 */
	inject(gwfd, d, n, COREFR_R_GUE);
	n = forge(&stranger.seal, 0, 253, 2, COREFR_AUTH_RESPONSE, now, body,
	    blen, d);
	inject(gwfd, d, n, COREFR_R_KEY);
	n = forge(&gw.seal, 0, 253, 2, COREFR_AUTH_RESPONSE, now, body, blen,
	    d);							/* K_gc */
	inject(gwfd, d, n, COREFR_R_KEY);
	n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE, now, body,
	    blen, d);
	d[n - 20] ^= 1;						/* tampered */
	inject(gwfd, d, n, COREFR_R_AUTH);
	n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE, now, body,
	    blen, d);
	d[0] = 0x20;						/* AD */
	d[1] = GUE_CTYPE_HEARTBEAT;
	inject(gwfd, d, n, COREFR_R_AUTH);
	n = forge(&core.seal, 0, 253, 3, COREFR_AUTH_RESPONSE, now, body,
	    blen, d);
	inject(gwfd, d, n, COREFR_R_VERSION);
	n = forge(&core.seal, 0, 253, 2, COREFR_TYPE_MAX + 1, now, body,
	    blen, d);						/* type */
	inject(gwfd, d, n, COREFR_R_VERSION);
	n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE, now - 60000,
	    body, blen, d);
	inject(gwfd, d, n, COREFR_R_STALE);
	/* fresh by a margin, yet sealed before gatewayd began */
	if (gw_start > 1000 && now - (gw_start - 1000) < COREFR_FRESH_MS -
	    5000) {
		n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE,
		    gw_start - 1000, body, blen, d);
		inject(gwfd, d, n, COREFR_R_BEFORE_START);
	}
}

/* A valid frame, taken once; then it, and what the core sent last, are
 * replayed; then it comes from another port. */
static void
attack_replays(const uint8_t *body, size_t blen)
{
	static uint8_t d[COREFR_MAX_DGRAM];
	int other;
	size_t n;

	n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE,
	    corefr_now_ms(), body, blen, d);
	inject(gwfd, d, n, COREFR_R_NONE);
	inject(gwfd, d, n, COREFR_R_REPLAY);
	inject(gwfd, captured, captured_len, COREFR_R_REPLAY);
	other = udp(0, 1);
	n = forge(&core.seal, 0, 253, 2, COREFR_AUTH_RESPONSE,
	    corefr_now_ms(), body, blen, d);
	inject(other, d, n, COREFR_R_MAX);
	close(other);
}

static void
attack(uint64_t gw_start)
{
	uint8_t body[64];
	struct tlv_w w;
	int i;

	if (!have_gw || captured_len == 0) {
		fprintf(stderr, "coreinject: no traffic seen to attack\n");
		exit(1);
	}
	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, "0110");
	tlv_put_str(&w, 39, "00");
	attack_rejects(body, w.len, gw_start);
	attack_replays(body, w.len);
	printf("coreinject: sent");
	for (i = COREFR_R_GUE; i < COREFR_R_MAX; i++)
		printf(" %s=%d", corefr_reject_name(i), counts[i]);
	printf(" late=%d undelivered=%d\n", counts[COREFR_R_NONE],
	    counts[COREFR_R_MAX]);
	fflush(stdout);
}

/* Moves what is waiting on either socket on to the other side. */
static void
relay(void)
{
	static uint8_t b[COREFR_MAX_DGRAM + 1];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n;

	while ((n = recvfrom(gwfd, b, sizeof b, MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fl)) >= 0) {
		gwaddr = from;
		have_gw = 1;
		send(corefd, b, (size_t)n, 0);
		fl = sizeof from;
	}
	while ((n = recv(corefd, b, sizeof b, MSG_DONTWAIT)) >= 0) {
		if (!have_gw || (size_t)n > sizeof captured)
			continue;
		sendto(gwfd, b, (size_t)n, 0, (struct sockaddr *)&gwaddr,
		    sizeof gwaddr);
		memcpy(captured, b, (size_t)n);
		captured_len = (size_t)n;
	}
}

static void
keys_load(const char *path)
{
	struct seal_keyring conf;
	uint8_t k[SEAL_KEYLEN];
	char err[256];

	seal_keyring_init(&conf);
	if (seal_keyring_add_file(&conf, path, err, sizeof err) == -1) {
		fprintf(stderr, "coreinject: %s\n", err);
		exit(2);
	}
	if (core_keys_derive(&core, &conf, ROLE_CORE) == -1 ||
	    core_keys_derive(&gw, &conf, ROLE_GATEWAY) == -1)
		exit(2);
	seal_keyring_clear(&conf);
	randombytes_buf(k, sizeof k);
	if (seal_keyring_add(&conf, k) == -1 ||
	    core_keys_derive(&stranger, &conf, ROLE_CORE) == -1)
		exit(2);
	sodium_memzero(k, sizeof k);
	seal_keyring_clear(&conf);
	randombytes_buf(&session, sizeof session);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct pollfd p[2];

	if (argc != 5 || seal_init() == -1) {
		fprintf(stderr, "usage: coreinject KEYFILE LISTENPORT "
		    "COREPORT GWSTART_MS\n");
		return 2;
	}
	keys_load(argv[1]);
	gwfd = udp((uint16_t)atoi(argv[2]), 1);
	corefd = udp((uint16_t)atoi(argv[3]), 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	p[0] = (struct pollfd){ .fd = gwfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = corefd, .events = POLLIN };
	while (!stop) {
		if (poll(p, 2, 100) == -1 && errno != EINTR)
			break;
		relay();
		if (attack_now) {
			attack_now = 0;
			attack(strtoull(argv[4], NULL, 10));
		}
	}
	core_keys_clear(&core);
	core_keys_clear(&gw);
	return 0;
}
