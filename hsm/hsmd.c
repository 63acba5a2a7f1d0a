/*
 * hsmd — a software payment HSM speaking a payShield host-command subset.
 *
 *   hsmd [--lmk FILE] [--passphrase-file FILE] -l unix:PATH|tcp:HOST:PORT
 *        [-l ...] [--header-length N] [--max-clients N] [-v]
 *
 * One libevent loop; every frame is answered synchronously in arrival
 * order, so pipelined requests on a connection are answered in order.
 * The LMK comes from --lmk or $CREDENTIALS_DIRECTORY/lmk, its passphrase
 * (if sealed) from --passphrase-file or $CREDENTIALS_DIRECTORY/
 * lmk-passphrase: never from a terminal, so hsmd starts unattended.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "hsm/client/addr.h"
#include "hsm/cmd.h"
#include "hsm/lmk.h"
#include "base/log.h"

#define MAX_LISTEN	8
#define OUT_HIGH	(1024 * 1024)	/* stop reading a client that lags */

struct server {
	struct event_base	*base;
	struct hsm_cmd_ctx	*cmd;
	uint8_t			*reply;		/* 2 + HSM_REPLY_MAX */
	int			 nclients, maxclients;
	struct hsm_addr		 addrs[MAX_LISTEN];
	const char		*specs[MAX_LISTEN];
	int			 naddrs;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hsmd [--lmk FILE] [--passphrase-file FILE] "
	    "-l unix:PATH|tcp:HOST:PORT [-l ...]\n"
	    "            [--header-length N] [--max-clients N] [-v]\n"
	    "\n"
	    "A software payment HSM speaking payShield host commands\n"
	    "(NC B2 A0 BU CW CY EC EA CA CC KQ M6 M8) over 2-byte length\n"
	    "framed connections.\n"
	    "\n"
	    "  --lmk FILE              LMK file (hsmctl lmk init); default\n"
	    "                          $CREDENTIALS_DIRECTORY/lmk\n"
	    "  --passphrase-file FILE  passphrase of a sealed LMK; default\n"
	    "                          $CREDENTIALS_DIRECTORY/lmk-passphrase\n"
	    "  -l, --listen ADDR       unix:PATH or tcp:HOST:PORT (repeatable)\n"
	    "  --header-length N       message header length (default 4)\n"
	    "  --max-clients N         concurrent connections (default 256)\n"
	    "  -v                      more logging (repeat for debug)\n"
	    "  -h, --help              this text\n");
}

static void
conn_close(struct server *s, struct bufferevent *bev)
{
	bufferevent_free(bev);
	s->nclients--;
	log_debug("event=disconnect clients=%d", s->nclients);
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct server *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	uint8_t lenb[2], *frame;
	size_t len, rlen;

	for (;;) {
		if (evbuffer_get_length(out) > OUT_HIGH) {
			/* Resume from conn_write once the client catches up. */
			bufferevent_disable(bev, EV_READ);
			return;
		}
		if (evbuffer_copyout(in, lenb, 2) < 2)
			return;
		len = (size_t)lenb[0] << 8 | lenb[1];
		if (evbuffer_get_length(in) < 2 + len)
			return;
		if ((frame = evbuffer_pullup(in, (ev_ssize_t)(2 + len))) ==
		    NULL) {
			log_warnx("event=pullup-failed");
			conn_close(s, bev);
			return;
		}
		rlen = hsm_cmd_process(s->cmd, frame + 2, len, s->reply + 2,
		    HSM_REPLY_MAX);
		evbuffer_drain(in, 2 + len);
		if (rlen == 0 || rlen > HSM_FRAME_MAX) {
			/* No header and command code: framing is lost. */
			log_warnx("event=short-frame len=%zu action=close", len);
			conn_close(s, bev);
			return;
		}
		s->reply[0] = (uint8_t)(rlen >> 8);
		s->reply[1] = (uint8_t)rlen;
		if (evbuffer_add(out, s->reply, rlen + 2) == -1) {
			log_warnx("event=out-of-memory action=close");
			conn_close(s, bev);
			return;
		}
	}
}

static void
conn_write(struct bufferevent *bev, void *arg)
{
	(void)arg;
	/* Called at the low watermark (0): output drained. */
	if (!(bufferevent_get_enabled(bev) & EV_READ)) {
		bufferevent_enable(bev, EV_READ);
		conn_read(bev, arg);
	}
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & BEV_EVENT_ERROR)
		log_debug("event=conn-error err=\"%s\"",
		    strerror(EVUTIL_SOCKET_ERROR()));
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_close(arg, bev);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct server *s = arg;
	struct bufferevent *bev;
	int one = 1;

	(void)l;
	(void)salen;
	if (s->nclients >= s->maxclients) {
		log_warnx("event=reject reason=max-clients max=%d",
		    s->maxclients);
		evutil_closesocket(fd);
		return;
	}
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		evutil_closesocket(fd);
		return;
	}
	s->nclients++;
	bufferevent_setcb(bev, conn_read, conn_write, conn_event, s);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	log_debug("event=connect clients=%d", s->nclients);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("event=stop signal=%d", (int)sig);
	event_base_loopbreak(arg);
}

/* Minimal sd_notify: one datagram to $NOTIFY_SOCKET, if set. */
static void
notify_ready(void)
{
	const char *p = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (p == NULL || (*p != '/' && *p != '@') ||
	    strlen(p) >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, p, strlen(p));
	if (*p == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	(void)sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    len);
	close(fd);
}

static struct lmk *
load_lmk(const char *path, const char *ppfile)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char lmkpath[4096], pppath[4096], *pp = NULL;
	struct lmk *l;
	size_t pplen = 0;
	int sealed;

	if (path == NULL) {
		if (creds == NULL)
			fatalx("msg=\"no --lmk and no $CREDENTIALS_DIRECTORY\"");
		snprintf(lmkpath, sizeof lmkpath, "%s/lmk", creds);
		path = lmkpath;
	}
	if ((sealed = lmk_file_sealed(path)) == -1)
		fatalx("lmk=%s msg=\"unreadable or not an LMK file\"", path);
	if (sealed) {
		if (ppfile == NULL && creds != NULL) {
			snprintf(pppath, sizeof pppath, "%s/lmk-passphrase",
			    creds);
			ppfile = pppath;
		}
		if (ppfile == NULL)
			fatalx("lmk=%s msg=\"sealed LMK: give --passphrase-file "
			    "or the lmk-passphrase credential\"", path);
		if ((pp = lmk_read_passphrase(ppfile, &pplen)) == NULL)
			fatal("passphrase-file=%s", ppfile);
	}
	l = lmk_load(path, pp, pplen);
	if (pp != NULL)
		sodium_free(pp);
	if (l == NULL)
		fatalx("lmk=%s msg=\"cannot load LMK\"", path);
	return l;
}

static struct evconnlistener *
listen_on(struct server *s, const struct hsm_addr *a)
{
	struct evconnlistener *l;
	mode_t old;

	if (a->is_unix)
		unlink(a->path);	/* a stale socket from a previous run */
	old = umask(0117);		/* socket 0660: owner and group */
	l = evconnlistener_new_bind(s->base, on_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    512, (const struct sockaddr *)&a->ss, (int)a->len);
	umask(old);
	return l;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "lmk", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "header-length", required_argument, NULL, 'H' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct server s;
	struct evconnlistener *ls[MAX_LISTEN];
	struct event *sigs[2];
	struct rlimit rl = { 0, 0 };
	const char *lmkpath = NULL, *ppfile = NULL;
	char kcv[LMK_KCV_HEX + 1];
	struct lmk *lmk;
	long hdrlen = 4;
	int ch, i, verbose = 0;
	char *end;

	memset(&s, 0, sizeof s);
	s.maxclients = 256;
	log_init("hsmd", 0);
	while ((ch = getopt_long(argc, argv, "l:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			lmkpath = optarg;
			break;
		case 'p':
			ppfile = optarg;
			break;
		case 'l':
			if (s.naddrs == MAX_LISTEN)
				fatalx("msg=\"too many -l\" max=%d", MAX_LISTEN);
			if (hsm_addr_parse(optarg, &s.addrs[s.naddrs]) == -1)
				fatalx("listen=%s msg=\"bad address\"", optarg);
			s.specs[s.naddrs++] = optarg;
			break;
		case 'H':
			hdrlen = strtol(optarg, &end, 10);
			if (*end != '\0' || hdrlen < 0 || hdrlen > 255)
				fatalx("header-length=%s msg=\"0-255\"", optarg);
			break;
		case 'm':
			s.maxclients = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || s.maxclients < 1)
				fatalx("max-clients=%s", optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || s.naddrs == 0) {
		usage(stderr);
		return 2;
	}
	log_setverbose(verbose);

	/* Keys must not reach a core file or a debugger of the same uid. */
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		fatalx("msg=\"sodium_init failed\"");

	lmk = load_lmk(lmkpath, ppfile);
	if (lmk_check_value(lmk, kcv) == -1 ||
	    (s.cmd = hsm_cmd_new(lmk, (size_t)hdrlen)) == NULL)
		fatalx("msg=\"cannot set up the command processor\"");
	lmk_free(lmk);		/* the key cache holds its own locked copy */
	if ((s.reply = malloc(2 + HSM_REPLY_MAX)) == NULL)
		fatal("malloc");

	if ((s.base = event_base_new()) == NULL)
		fatalx("msg=\"event_base_new failed\"");
	for (i = 0; i < s.naddrs; i++)
		if ((ls[i] = listen_on(&s, &s.addrs[i])) == NULL)
			fatal("listen=%s", s.specs[i]);
	sigs[0] = evsignal_new(s.base, SIGTERM, on_signal, s.base);
	sigs[1] = evsignal_new(s.base, SIGINT, on_signal, s.base);
	evsignal_add(sigs[0], NULL);
	evsignal_add(sigs[1], NULL);

	log_info("event=ready lmk-check=%s listeners=%d header-length=%ld",
	    kcv, s.naddrs, hdrlen);
	notify_ready();
	event_base_dispatch(s.base);

	for (i = 0; i < s.naddrs; i++) {
		evconnlistener_free(ls[i]);
		if (s.addrs[i].is_unix)
			unlink(s.addrs[i].path);
	}
	event_free(sigs[0]);
	event_free(sigs[1]);
	event_base_free(s.base);
	hsm_cmd_free(s.cmd);
	free(s.reply);
	return 0;
}
