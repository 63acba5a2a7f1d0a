/*
 * fakegw.c — e2e helper: a pair (or more) of gateways as the core sees
 * them, without gatewayd.  Used by test-core-pair.sh; the Makefile builds
 * it into build/e2e/.
 *
 *   fakegw KEYFILE COREPORT NGW
 *
 * NGW UDP sockets (1..4) on 127.0.0.1, each an ephemeral port of its
 * own: gateway P (0, 1, ...) is socket P.  Frames are sealed as a gateway
 * (K_gc) and sent to the core on 127.0.0.1:COREPORT.  Every data frame
 * the core sends is printed
 *
 *   rx P TYPE corr=N [shares=NAME=PCT;...]
 *
 * Commands on stdin, one a line, each answered "ok CMD ..." or "err ...":
 *
 *   advice P CORR NAME ID	an ADVICE with corr_id CORR, 0x1007 NAME
 *				and 0x1006 ID ("-": the tag left out)
 *   hb P			a HEARTBEAT
 *   shareack P CORR NAME PCT VERSION
 *				a SHARE_ACK as given
 *   autoshare P NAME PCT	from now on P is gateway NAME holding PCT
 *				at version 0, and answers every SHARE: a
 *				newer version naming it is taken; the ack
 *				says what it holds ("tx P SHARE_ACK corr=N
 *				share=S version=V" is printed)
 *   noshare P			P stops answering SHAREs
 *   autosnap P			P acknowledges every SNAPSHOT (0x200B: its
 *				version)
 *
 * Each socket sends a HEARTBEAT every second, as a gateway does.
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

#define MAXGW	4
#define PTCAP	(COREFR_HDRLEN + COREFR_MAX_BODY)

struct fgw {
	int		 fd;
	int		 autoshare, autosnap;
	char		 name[64];
	unsigned	 pct;
	uint64_t	 version;
};

static struct fgw gws[MAXGW];
static int ngw;
static struct sockaddr_in core_addr;
static struct core_keys keys;
static struct replay *seen;
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
send_frame(int p, int type, uint64_t corr, const uint8_t *body, size_t len)
{
	static uint8_t d[COREFR_MAX_DGRAM];
	ssize_t n;

	n = corefr_send(&keys, type, corr, 0, body, len, d, sizeof d);
	if (n < 0 || sendto(gws[p].fd, d, (size_t)n, 0,
	    (struct sockaddr *)&core_addr, sizeof core_addr) != n)
		return -1;
	return 0;
}

static int
share_ack(int p, uint64_t corr, const char *name, unsigned pct,
    uint64_t version)
{
	uint8_t body[256];
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_GATEWAY, name);
	tlv_put_u64(&w, TLV_SHARE, pct);
	tlv_put_u64(&w, TLV_SHARE_VERSION, version);
	return w.err ? -1 : send_frame(p, COREFR_SHARE_ACK, corr, body, w.len);
}

/* NAME's value in "NAME=PCT;NAME=PCT": 1 and *pct, or 0. */
static int
share_for(const char *list, const char *name, unsigned *pct)
{
	size_t nl = strlen(name);
	const char *s = list;

	while (s != NULL && *s != '\0') {
		if (strncmp(s, name, nl) == 0 && s[nl] == '=') {
			*pct = (unsigned)strtoul(s + nl + 1, NULL, 10);
			return 1;
		}
		if ((s = strchr(s, ';')) != NULL)
			s++;
	}
	return 0;
}

static void
on_share(int p, const struct corefr_hdr *h, const char *list)
{
	struct fgw *g = &gws[p];
	unsigned pct;

	if (!g->autoshare)
		return;
	if (h->corr_id > g->version && share_for(list, g->name, &pct)) {
		g->pct = pct;
		g->version = h->corr_id;
	}
	if (share_ack(p, h->corr_id, g->name, g->pct, g->version) == 0)
		printf("tx %d SHARE_ACK corr=%llu share=%u version=%llu\n", p,
		    (unsigned long long)h->corr_id, g->pct,
		    (unsigned long long)g->version);
}

static void
snap_ack(int p, uint64_t version)
{
	uint8_t body[64];
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_u64(&w, TLV_SNAP_VERSION, version);
	if (!w.err)
		send_frame(p, COREFR_SNAPSHOT_ACK, version, body, w.len);
}

static void
receive(int p)
{
	static uint8_t d[COREFR_MAX_DGRAM], pt[PTCAP];
	struct corefr_hdr h;
	const uint8_t *body;
	enum corefr_reject why;
	char list[512] = "";
	ssize_t n;

	while ((n = recv(gws[p].fd, d, sizeof d, MSG_DONTWAIT)) > 0) {
		if (corefr_recv(&keys, seen, COREFR_FRESH_MS, d, (size_t)n,
		    &h, pt, sizeof pt, &body, &why) == -1) {
			printf("rx %d rejected %s\n", p,
			    corefr_reject_name(why));
			continue;
		}
		if (h.type == COREFR_HEARTBEAT_ACK)
			continue;
		printf("rx %d %s corr=%llu", p, corefr_type_name(h.type),
		    (unsigned long long)h.corr_id);
		if (h.type == COREFR_SHARE && tlv_find_str(body, h.body_len,
		    TLV_SHARES, list, sizeof list) == 0)
			printf(" shares=%s", list);
		printf("\n");
		if (h.type == COREFR_SHARE)
			on_share(p, &h, list);
		if (h.type == COREFR_SNAPSHOT && gws[p].autosnap)
			snap_ack(p, h.corr_id);
	}
}

static int
advice(int p, const char *corr, const char *name, const char *id)
{
	uint8_t body[256];
	struct tlv_w w;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, "0120");
	tlv_put_str(&w, 11, corr);
	tlv_put_str(&w, 39, "00");
	if (strcmp(name, "-") != 0)
		tlv_put_str(&w, TLV_GATEWAY, name);
	if (strcmp(id, "-") != 0)
		tlv_put_str(&w, TLV_ADVICE_ID, id);
	return w.err ? -1 : send_frame(p, COREFR_ADVICE,
	    strtoull(corr, NULL, 10), body, w.len);
}

static int
run(char **av, int ac)
{
	int p;

	if (ac < 2 || (p = atoi(av[1])) < 0 || p >= ngw)
		return -1;
	if (strcmp(av[0], "advice") == 0 && ac == 5)
		return advice(p, av[2], av[3], av[4]);
	if (strcmp(av[0], "hb") == 0 && ac == 2)
		return send_frame(p, COREFR_HEARTBEAT, 1, NULL, 0);
	if (strcmp(av[0], "shareack") == 0 && ac == 6)
		return share_ack(p, strtoull(av[2], NULL, 10), av[3],
		    (unsigned)atoi(av[4]), strtoull(av[5], NULL, 10));
	if (strcmp(av[0], "autoshare") == 0 && ac == 4) {
		gws[p].autoshare = 1;
		snprintf(gws[p].name, sizeof gws[p].name, "%s", av[2]);
		gws[p].pct = (unsigned)atoi(av[3]);
		gws[p].version = 0;
		return 0;
	}
	if (strcmp(av[0], "autosnap") == 0 && ac == 2) {
		gws[p].autosnap = 1;
		return 0;
	}
	if (strcmp(av[0], "noshare") == 0 && ac == 2) {
		gws[p].autoshare = 0;
		return 0;
	}
	return -1;
}

/* Complete lines from stdin; 0 once it is closed. */
static int
commands(void)
{
	static char buf[1024];
	static size_t len;
	char *nl, *av[8], *save, *w;
	ssize_t n;
	int ac, i;

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
		if (ac > 0) {
			printf("%s", run(av, ac) == 0 ? "ok" : "err");
			for (i = 0; i < ac; i++)
				printf(" %s", av[i]);
			printf("\n");
		}
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	if (len == sizeof buf - 1)
		len = 0;
	return 1;
}

static void
setup(const char *keyfile, const char *port, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct seal_keyring conf;
	char err[256];
	int i;

	seal_keyring_init(&conf);
	if (seal_keyring_add_file(&conf, keyfile, err, sizeof err) == -1) {
		fprintf(stderr, "fakegw: %s\n", err);
		exit(2);
	}
	if (core_keys_derive(&keys, &conf, ROLE_GATEWAY) == -1 ||
	    (seen = replay_new(corefr_now_ms())) == NULL)
		exit(2);
	seal_keyring_clear(&conf);
	core_addr.sin_family = AF_INET;
	core_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	core_addr.sin_port = htons((uint16_t)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++, ngw++)
		if ((gws[i].fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
		    bind(gws[i].fd, (struct sockaddr *)&a, sizeof a) == -1) {
			perror("fakegw: socket");
			exit(2);
		}
}

int
main(int argc, char **argv)
{
	struct pollfd pf[MAXGW + 1];
	struct sigaction sa;
	uint64_t next_hb = 0, now;
	int i, in = 1;

	if (argc != 4 || atoi(argv[3]) < 1 || atoi(argv[3]) > MAXGW ||
	    seal_init() == -1) {
		fprintf(stderr, "usage: fakegw KEYFILE COREPORT NGW (1..%d)\n",
		    MAXGW);
		return 2;
	}
	setup(argv[1], argv[2], atoi(argv[3]));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		for (i = 0; i < ngw; i++)
			pf[i] = (struct pollfd){ gws[i].fd, POLLIN, 0 };
		pf[ngw] = (struct pollfd){ in ? 0 : -1, POLLIN, 0 };
		if (poll(pf, (nfds_t)ngw + 1, 100) == -1 && errno != EINTR)
			break;
		if ((now = corefr_now_ms()) >= next_hb) {
			next_hb = now + 1000;
			for (i = 0; i < ngw; i++)
				send_frame(i, COREFR_HEARTBEAT, now, NULL, 0);
		}
		for (i = 0; i < ngw; i++)
			receive(i);
		if (in && pf[ngw].revents)
			in = commands();
		fflush(stdout);
	}
	core_keys_clear(&keys);
	replay_free(seen);
	return 0;
}
