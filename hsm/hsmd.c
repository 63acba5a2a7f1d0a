/*
 * hsmd — a software payment HSM speaking a payShield host-command subset.
 *
 *   hsmd [--lmk FILE] [--passphrase-file FILE] [--insecure-test-lmk]
 *        [--config FILE] [-l ADDR[,allow=..][,mode=..][,peers=..]] ...
 *        [--header-length N] [--max-clients N] [-n] [-v]
 *
 * One libevent loop; every frame is answered synchronously in arrival
 * order, so pipelined requests on a connection are answered in order.
 * The LMK comes from --lmk or $CREDENTIALS_DIRECTORY/lmk, its passphrase
 * from --passphrase-file or $CREDENTIALS_DIRECTORY/lmk-passphrase: never
 * from a terminal, so hsmd starts unattended. An unsealed LMK is refused
 * unless --insecure-test-lmk says this is a test.
 *
 * Each listener serves its allow-list (hsmdconf.h); the default is the
 * verification set, so the socket gatewayd uses never generates a CVV,
 * a MAC, a key or an ARPC for an ARQC it did not verify (KQ mode 2, only
 * where the list names KQ2). A refused command is answered with error
 * 68 and logged with the listener and the peer (SO_PEERCRED uid/pid on
 * unix sockets, the address on tcp), at most RL_LINES such lines a
 * second.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <libgen.h>
#include <time.h>
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
#include "hsm/hsmdconf.h"
#include "hsm/lmk.h"
#include "base/confine.h"
#include "base/log.h"

#define OUT_HIGH	(1024 * 1024)	/* stop reading a client that lags */
#define RL_LINES	10		/* refusal lines a second, in all */

struct server;

struct listener {
	struct server		*s;
	const struct hsmd_listener *cf;
	struct hsm_addr		 addr;
	struct evconnlistener	*ev;
};

struct conn {
	struct listener		*l;
	struct bufferevent	*bev;
	char			 peer[80];	/* for log lines */
	uint64_t		 nrefused;
};

struct server {
	struct event_base	*base;
	struct hsm_cmd_ctx	*cmd;
	uint8_t			*reply;		/* 2 + HSM_REPLY_MAX */
	size_t			 hdrlen;
	int			 nclients, maxclients;
	struct hsmd_conf	 conf;
	struct listener		 ls[HSMD_MAX_LISTEN];
	time_t			 rl_sec;	/* refusal-line rate limit */
	unsigned		 rl_n;
	uint64_t		 rl_dropped;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hsmd [--lmk FILE] [--passphrase-file FILE] "
	    "[--insecure-test-lmk]\n"
	    "            [--config FILE] [-l ADDR[,OPTION=VALUE...]] ...\n"
	    "            [--header-length N] [--max-clients N] [-n] [-v]\n"
	    "\n"
	    "A software payment HSM speaking payShield host commands\n"
	    "(NC B2 A0 BU CW CY EC EA CA CC KQ M6 M8) over 2-byte length\n"
	    "framed connections. Each listener serves only its allow-list;\n"
	    "the default is the verification set NC B2 CY EC EA KQ M8,\n"
	    "KQ in modes 0 and 1 (mode 2 needs KQ2 in the list). Other\n"
	    "commands are answered with error 68 and logged.\n"
	    "\n"
	    "  --lmk FILE              LMK file (hsmctl lmk init); default\n"
	    "                          $CREDENTIALS_DIRECTORY/lmk\n"
	    "  --passphrase-file FILE  passphrase of a sealed LMK; default\n"
	    "                          $CREDENTIALS_DIRECTORY/lmk-passphrase\n"
	    "  --insecure-test-lmk     accept an unsealed LMK (tests only;\n"
	    "                          otherwise it is refused)\n"
	    "  --config FILE           listeners: [Listener NAME] sections\n"
	    "                          with Address, Allow, Mode, Peers\n"
	    "  -l, --listen ADDR       unix:PATH or tcp:HOST:PORT (repeatable),\n"
	    "                          optionally followed by ,allow=SET\n"
	    "                          (verify, all, codes, KQ2: allow=CY,EC),\n"
	    "                          ,mode=OCTAL (unix; default 0660, 0600\n"
	    "                          beyond verify), ,peers=ADDR[/N],...\n"
	    "                          (required for tcp), ,name=NAME\n"
	    "  -n                      check the listeners, print them\n"
	    "                          normalised, exit\n"
	    "  --header-length N       message header length (default 4)\n"
	    "  --max-clients N         concurrent connections (default 256)\n"
	    "  -v                      more logging (repeat for debug)\n"
	    "  -h, --help              this text\n");
}

/*
 * Whether one more refusal line may be logged this second; *dropped is
 * then how many were not, since the last one that was.
 */
static int
rl_take(struct server *s, uint64_t *dropped)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != s->rl_sec) {
		s->rl_sec = ts.tv_sec;
		s->rl_n = 0;
	}
	if (s->rl_n >= RL_LINES) {
		s->rl_dropped++;
		return 0;
	}
	s->rl_n++;
	*dropped = s->rl_dropped;
	s->rl_dropped = 0;
	return 1;
}

/* why: HSM_REFUSED_CMD, or _MODE (then code[2] is the mode refused). */
static void
log_refused(struct conn *c, const uint8_t *code, int why)
{
	uint64_t dropped;
	int mode = why == HSM_REFUSED_MODE;

	c->nrefused++;
	/* code is one of the table's, the mode its genmode: printable. */
	if (rl_take(c->l->s, &dropped))
		log_warnx("event=refused listener=%s cmd=%.2s%s%.1s %s err=68 "
		    "refused-on-conn=%llu suppressed=%llu", c->l->cf->name,
		    (const char *)code, mode ? " mode=" : "",
		    mode ? (const char *)code + 2 : "", c->peer,
		    (unsigned long long)c->nrefused,
		    (unsigned long long)dropped);
}

static void
conn_close(struct conn *c)
{
	struct server *s = c->l->s;
	uint64_t dropped;

	bufferevent_free(c->bev);
	s->nclients--;
	/* A peer that was refused is always summed up: its count is
	 * what the rate-limited refusal lines may have left out. */
	if (c->nrefused > 0) {
		dropped = s->rl_dropped;
		s->rl_dropped = 0;
		log_info("event=disconnect listener=%s %s refused=%llu "
		    "suppressed=%llu", c->l->cf->name, c->peer,
		    (unsigned long long)c->nrefused,
		    (unsigned long long)dropped);
	} else
		log_debug("event=disconnect listener=%s clients=%d",
		    c->l->cf->name, s->nclients);
	free(c);
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct server *s = c->l->s;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	uint8_t lenb[2], *frame;
	size_t len, rlen;

	for (;;) {
		int refused = 0;	/* this frame's, never the last one's */

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
			conn_close(c);
			return;
		}
		rlen = hsm_cmd_process_allow(s->cmd, c->l->cf->allow, frame + 2,
		    len, s->reply + 2, HSM_REPLY_MAX, &refused);
		/* A short frame holds no command code to name. */
		if (refused && rlen != 0)
			log_refused(c, frame + 2 + s->hdrlen, refused);
		evbuffer_drain(in, 2 + len);
		if (rlen == 0 || rlen > HSM_FRAME_MAX) {
			/* No header and command code: framing is lost. */
			log_warnx("event=short-frame len=%zu action=close", len);
			conn_close(c);
			return;
		}
		s->reply[0] = (uint8_t)(rlen >> 8);
		s->reply[1] = (uint8_t)rlen;
		if (evbuffer_add(out, s->reply, rlen + 2) == -1) {
			log_warnx("event=out-of-memory action=close");
			conn_close(c);
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
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_close(arg);
}

/* Who is on the other end, for log lines: never secret. */
static void
peer_name(int fd, const struct sockaddr *sa, char *buf, size_t bufsz)
{
	char ip[INET6_ADDRSTRLEN];
	struct ucred uc;
	socklen_t len = sizeof uc;
	int port;

	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)sa;

			inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
			port = ntohs(s4->sin_port);
		} else {
			const struct sockaddr_in6 *s6 = (const void *)sa;

			inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
			port = ntohs(s6->sin6_port);
		}
		snprintf(buf, bufsz, "peer=%s port=%d", ip, port);
	} else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0)
		snprintf(buf, bufsz, "uid=%u pid=%d", (unsigned)uc.uid,
		    (int)uc.pid);
	else
		snprintf(buf, bufsz, "uid=? pid=?");
}

static void
on_accept(struct evconnlistener *ev, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct listener *l = arg;
	struct server *s = l->s;
	struct conn *c;
	uint64_t dropped;
	char peer[80];
	int one = 1, tcp;

	(void)ev;
	(void)salen;
	tcp = sa->sa_family == AF_INET || sa->sa_family == AF_INET6;
	peer_name(fd, sa, peer, sizeof peer);
	/* tcp carries no credentials: the Peers list is all there is. */
	if (tcp && !hsmd_peer_ok(l->cf, sa)) {
		if (rl_take(s, &dropped))
			log_warnx("event=reject reason=peer-not-allowed "
			    "listener=%s %s suppressed=%llu", l->cf->name,
			    peer, (unsigned long long)dropped);
		evutil_closesocket(fd);
		return;
	}
	if (s->nclients >= s->maxclients) {
		log_warnx("event=reject reason=max-clients max=%d",
		    s->maxclients);
		evutil_closesocket(fd);
		return;
	}
	if (tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if ((c = calloc(1, sizeof *c)) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c->l = l;
	memcpy(c->peer, peer, sizeof c->peer);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	s->nclients++;
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	log_debug("event=connect listener=%s %s clients=%d", l->cf->name, peer,
	    s->nclients);
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
load_lmk(const char *path, const char *ppfile, int *insecure)
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
	if (sealed)
		*insecure = 0;	/* the ready line says only what is true */
	if (!sealed && !*insecure)
		fatalx("lmk=%s msg=\"the LMK is not sealed: seal it (hsmctl "
		    "lmk init --passphrase-file) or, in a test, give "
		    "--insecure-test-lmk\"", path);
	if (!sealed)
		log_warnx("event=insecure-test-lmk lmk=%s msg=\"UNSEALED LMK "
		    "accepted (--insecure-test-lmk): for tests only, never "
		    "with real keys\"", path);
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

static int
listen_on(struct server *s, struct listener *l)
{
	const struct hsm_addr *a = &l->addr;
	mode_t old = 0;

	if (a->is_unix) {
		unlink(a->path);	/* a stale socket from a previous run */
		/* The socket file is born with the listener's Mode. */
		old = umask((mode_t)(0777 & ~l->cf->mode));
	}
	l->ev = evconnlistener_new_bind(s->base, on_accept, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    512, (const struct sockaddr *)&a->ss, (int)a->len);
	if (a->is_unix)
		umask(old);
	return l->ev == NULL ? -1 : 0;
}

/* Resolve every listener's address; exits with the listener named. */
static void
resolve(struct server *s)
{
	const struct hsmd_listener *cf;
	int i;

	for (i = 0; i < s->conf.n; i++) {
		cf = &s->conf.l[i];
		s->ls[i].s = s;
		s->ls[i].cf = cf;
		if (hsm_addr_parse(cf->addr, &s->ls[i].addr) == 0)
			continue;
		if (cf->line > 0)
			fprintf(stderr, "hsmd: %s:%d: [Listener %s]: Address: "
			    "%s: bad or unresolvable\n", s->conf.file,
			    cf->line, cf->name, cf->addr);
		else
			fprintf(stderr, "hsmd: -l %s: bad or unresolvable "
			    "address\n", cf->addr);
		exit(1);
	}
}

static void
harden(void)
{
	struct rlimit rl = { 0, 0 };

	/* Keys must not reach a core file or a debugger of the same uid. */
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		fatalx("msg=\"sodium_init failed\"");
}

/*
 * Once the LMK is loaded and the listeners bound, hsmd needs no file but
 * its unix sockets' directories (to remove the sockets at stop), and
 * only the system calls of its loop (and a socket for the readiness
 * notification).  Landlock, then seccomp: anything else kills it.
 */
static void
confine(struct server *s)
{
	static const char *const extra[] = { "unlink", "socket", "connect",
	    NULL };
	static const char *const *const sets[] = { confine_sys_base, extra,
	    NULL };
	static char dirs[HSMD_MAX_LISTEN][256];
	struct confine_path p[HSMD_MAX_LISTEN];
	char err[256] = "";
	size_t n = 0;
	int i, abi;

	for (i = 0; i < s->conf.n && n < HSMD_MAX_LISTEN; i++) {
		if (!s->ls[i].addr.is_unix)
			continue;
		snprintf(dirs[n], sizeof dirs[n], "%s", s->ls[i].addr.path);
		p[n].path = dirname(dirs[n]);
		p[n++].write = 1;
	}
	if (confine_files(p, n, &abi, err, sizeof err) == -1 ||
	    confine_syscalls(sets, err, sizeof err) == -1)
		fatalx("event=confine msg=\"%s\"", err);
	if (abi == 0)
		log_warnx("event=confine_files_unavailable msg=\"this kernel "
		    "has no Landlock: files are NOT confined (seccomp still "
		    "is)\"");
	log_info("event=confined seccomp=on landlock_abi=%d", abi);
}

/* Bind every listener, each saying what it serves. */
static void
listen_all(struct server *s)
{
	char allow[200];
	int i;

	for (i = 0; i < s->conf.n; i++) {
		if (listen_on(s, &s->ls[i]) == -1)
			fatal("listener=%s address=%s", s->conf.l[i].name,
			    s->conf.l[i].addr);
		hsm_allow_format(s->conf.l[i].allow, allow, sizeof allow);
		log_info("event=listening listener=%s address=%s allow=\"%s\"",
		    s->conf.l[i].name, s->conf.l[i].addr, allow);
	}
}

/* The listeners from --config and -l, checked; exits on an error. */
static void
add_listener(struct server *s, int which, const char *arg)
{
	char err[600];
	int rc;

	if (which == 'c')
		rc = hsmd_conf_load(&s->conf, arg, err, sizeof err);
	else
		rc = hsmd_conf_add_arg(&s->conf, arg, err, sizeof err);
	if (rc == -1) {
		fprintf(stderr, "hsmd: %s\n", err);
		exit(1);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "lmk", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "insecure-test-lmk", no_argument, NULL, 'I' },
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "header-length", required_argument, NULL, 'H' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct server s;
	struct event *sigs[2];
	const char *lmkpath = NULL, *ppfile = NULL;
	char kcv[LMK_KCV_HEX + 1], err[600];
	struct lmk *lmk;
	long hdrlen = 4;
	int ch, i, verbose = 0, check = 0, insecure = 0;
	char *end;

	memset(&s, 0, sizeof s);
	s.maxclients = 256;
	hsmd_conf_init(&s.conf);
	log_init("hsmd", 0);
	log_nonblocking();	/* a stalled journald must not hold replies */
	while ((ch = getopt_long(argc, argv, "l:nvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			lmkpath = optarg;
			break;
		case 'p':
			ppfile = optarg;
			break;
		case 'I':
			insecure = 1;
			break;
		case 'c':
		case 'l':
			add_listener(&s, ch, optarg);
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
		case 'n':
			check = 1;
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
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (hsmd_conf_check(&s.conf, err, sizeof err) == -1) {
		fprintf(stderr, "hsmd: %s\n", err);
		return s.conf.n == 0 ? 2 : 1;
	}
	resolve(&s);
	if (check) {
		hsmd_conf_print(&s.conf, stdout);
		return 0;
	}
	log_setverbose(verbose);

	harden();

	lmk = load_lmk(lmkpath, ppfile, &insecure);
	s.hdrlen = (size_t)hdrlen;
	if (lmk_check_value(lmk, kcv) == -1 ||
	    (s.cmd = hsm_cmd_new(lmk, (size_t)hdrlen)) == NULL)
		fatalx("msg=\"cannot set up the command processor\"");
	lmk_free(lmk);		/* the key cache holds its own locked copy */
	if ((s.reply = malloc(2 + HSM_REPLY_MAX)) == NULL)
		fatal("malloc");

	if ((s.base = event_base_new()) == NULL)
		fatalx("msg=\"event_base_new failed\"");
	listen_all(&s);
	sigs[0] = evsignal_new(s.base, SIGTERM, on_signal, s.base);
	sigs[1] = evsignal_new(s.base, SIGINT, on_signal, s.base);
	evsignal_add(sigs[0], NULL);
	evsignal_add(sigs[1], NULL);

	confine(&s);
	log_info("event=ready lmk-check=%s listeners=%d header-length=%ld%s",
	    kcv, s.conf.n, hdrlen, insecure ? " insecure-test-lmk=yes" : "");
	notify_ready();
	event_base_dispatch(s.base);

	for (i = 0; i < s.conf.n; i++) {
		evconnlistener_free(s.ls[i].ev);
		if (s.ls[i].addr.is_unix)
			unlink(s.ls[i].addr.path);
	}
	event_free(sigs[0]);
	event_free(sigs[1]);
	event_base_free(s.base);
	hsm_cmd_free(s.cmd);
	free(s.reply);
	return 0;
}
