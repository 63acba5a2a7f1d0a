/*
 * ctl.c — the control socket: one command line in, one answer out.  The
 * commands are a table; what they show is views.c's, what they change
 * (stand-in force, reload) is done here.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <jansson.h>

#include "base/log.h"
#include "gateway/ctl.h"
#include "gateway/link.h"
#include "gateway/outsaf.h"
#include "gateway/pair.h"
#include "gateway/router.h"
#include "gateway/standin/standin.h"
#include "gateway/views.h"
#include "gateway/zonekey.h"

#define CTL_ARGS	8

static struct event_base *base;
static struct evconnlistener *lis;
static char sockpath[108];
static ctl_reload_fn *reload;
static struct ucred peer;	/* of the command being run (SO_PEERCRED) */
static gid_t ctl_gid = (gid_t)-1;	/* ControlGroup, -1: none */

/* Whether the peer may use the socket: root, our own uid, or a member of
 * ControlGroup (its primary group or one of its others, SO_PEERGROUPS).
 * The socket's mode already says so; this holds even if the mode is
 * changed by hand. */
static int
peer_allowed(int fd, const struct ucred *uc)
{
	gid_t g[64];
	socklen_t len = sizeof g;
	size_t i;

	if (uc->uid == 0 || uc->uid == geteuid())
		return 1;
	if (ctl_gid == (gid_t)-1)
		return 0;
	if (uc->gid == ctl_gid)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == -1)
		return 0;
	for (i = 0; i < len / sizeof g[0]; i++)
		if (g[i] == ctl_gid)
			return 1;
	return 0;
}

static void
cmd_force(struct evbuffer *b, int json, char **argv)
{
	static const struct {
		const char	*word;
		enum router_force f;
	} words[] = {
		{ "on", FORCE_ON }, { "off", FORCE_OFF }, { "auto", FORCE_AUTO },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(argv[2], words[i].word) == 0)
			break;
	if (i == sizeof words / sizeof words[0]) {
		evbuffer_add_printf(b, "error: standin force on|off|auto\n");
		return;
	}
	/* Durable first: a force that would not survive a restart is
	 * refused, unless there is no store at all (the lab mode). */
	if (standin_force_save((int)words[i].f, err, sizeof err) == -1 &&
	    standin_enabled()) {
		log_warnx("event=standin_force_refused value=%s uid=%ld pid=%ld "
		    "error=\"%s\"", words[i].word, (long)peer.uid,
		    (long)peer.pid, err);
		evbuffer_add_printf(b, "error: not stored: %s\n", err);
		return;
	}
	router_set_force(words[i].f);
	log_info("event=standin_force value=%s uid=%ld pid=%ld", words[i].word,
	    (long)peer.uid, (long)peer.pid);
	view_standin(b, json);
}

/* {"ok":true,"result":msg} or {"ok":false,"error":msg} */
static void
emit_result(struct evbuffer *b, int ok, const char *msg)
{
	json_t *j;
	char *s;

	j = json_pack("{s:b,s:s}", "ok", ok, ok ? "result" : "error", msg);
	s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) :
	    NULL;
	evbuffer_add_printf(b, "%s\n", s != NULL ? s : "{\"ok\":false}");
	free(s);
	json_decref(j);
}

static void
cmd_reload(struct evbuffer *b, int json, char **argv)
{
	char msg[512];
	int rc;

	(void)argv;
	rc = reload(msg, sizeof msg);
	log_info("event=reload_requested uid=%ld pid=%ld result=%s",
	    (long)peer.uid, (long)peer.pid, rc == 0 ? "ok" : "refused");
	if (!json) {
		evbuffer_add_printf(b, rc == -1 ? "error: %s\n" :
		    "reloaded: %s\n", msg);
		return;
	}
	emit_result(b, rc == 0, msg);
}

/* link NAME rekey: ask the scheme for a new ZPK (162), logged with the
 * caller. */
static void
cmd_link(struct evbuffer *b, int json, char **argv)
{
	struct link *l;
	char err[200];
	int rc = -1;

	if (strcmp(argv[2], "rekey") != 0) {
		evbuffer_add_printf(b, "error: want link NAME rekey\n");
		return;
	}
	if ((l = link_find(argv[1])) == NULL)
		snprintf(err, sizeof err, "no link %s", argv[1]);
	else
		rc = zonekey_rekey(l, err, sizeof err);
	log_info("event=rekey_requested link=%s uid=%ld pid=%ld result=%s",
	    argv[1], (long)peer.uid, (long)peer.pid, rc == 0 ? "sent" : err);
	if (json)
		evbuffer_add_printf(b, "{\"ok\":%s}\n", rc == 0 ? "true" :
		    "false");
	else if (rc == 0)
		evbuffer_add_printf(b, "key request (162) sent on %s\n",
		    argv[1]);
	else
		evbuffer_add_printf(b, "error: %s\n", err);
}

/* saf in|out pause|resume|replay: the advice queue to the core or the
 * outbound one to the schemes, logged with the caller. */
static void
cmd_saf(struct evbuffer *b, int json, char **argv)
{
	int in = strcmp(argv[1], "in") == 0, rc = 0;

	if (!in && strcmp(argv[1], "out") != 0)
		rc = -1;
	else if (in)
		rc = standin_saf_control(argv[2]);
	else if (strcmp(argv[2], "pause") == 0)
		outsaf_pause(1);
	else if (strcmp(argv[2], "resume") == 0)
		outsaf_pause(0);
	else if (strcmp(argv[2], "replay") == 0)
		outsaf_replay();
	else
		rc = -1;
	if (rc == -1) {
		evbuffer_add_printf(b, "error: want saf in|out "
		    "pause|resume|replay\n");
		return;
	}
	log_info("event=%s_%s uid=%ld pid=%ld", in ? "saf" : "outsaf",
	    argv[2], (long)peer.uid, (long)peer.pid);
	view_saf(b, json);
}

/* saf import NAME: an export file the operator put in the state
 * directory's import/ (gatewayctl saf import FILE does). */
static void
cmd_saf_import(struct evbuffer *b, int json, char **argv)
{
	char msg[512];
	int rc;

	rc = pair_import(argv[2], msg, sizeof msg);
	log_info("event=saf_import file=%s uid=%ld pid=%ld ok=%d msg=\"%s\"",
	    argv[2], (long)peer.uid, (long)peer.pid, rc == 0, msg);
	if (json)
		emit_result(b, rc == 0, msg);
	else
		evbuffer_add_printf(b, "%s%s\n", rc == 0 ? "" : "error: ", msg);
}

/* The commands: their words, how many, and what answers them. */
static const struct ctl_cmd {
	const char	*word0, *word1;		/* word1 NULL: any */
	int		 argc;
	void		(*view)(struct evbuffer *, int json);
	void		(*act)(struct evbuffer *, int json, char **argv);
} cmds[] = {
	{ "status", NULL, 1, view_status, NULL },
	{ "links", NULL, 1, view_links, NULL },
	{ "cores", NULL, 1, view_cores, NULL },
	{ "standin", NULL, 1, view_standin, NULL },
	{ "saf", NULL, 1, view_saf, NULL },
	{ "pair", NULL, 1, view_pair, NULL },
	{ "standin", "force", 3, NULL, cmd_force },
	{ "reload", NULL, 1, NULL, cmd_reload },
	{ "link", NULL, 3, NULL, cmd_link },
	{ "saf", "import", 3, NULL, cmd_saf_import },
	{ "saf", NULL, 3, NULL, cmd_saf },
};

static void
run(struct evbuffer *b, char *line)
{
	char *argv[CTL_ARGS], *p, *save = NULL;
	int argc = 0, json = 0, i, j;
	const struct ctl_cmd *c;
	size_t k;

	for (p = line; argc < CTL_ARGS && (argv[argc] = strtok_r(p,
	    " \t\r\n", &save)) != NULL; p = NULL)
		argc++;
	for (i = j = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	if (argc == 0) {
		evbuffer_add_printf(b, "error: empty command\n");
		return;
	}
	for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
		c = &cmds[k];
		if (c->argc != argc || strcmp(c->word0, argv[0]) != 0 ||
		    (c->word1 != NULL && strcmp(c->word1, argv[1]) != 0))
			continue;
		if (c->view != NULL)
			c->view(b, json);
		else
			c->act(b, json, argv);
		return;
	}
	evbuffer_add_printf(b, "error: unknown command\n");
}

static void
ctl_write_done(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void
ctl_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	bufferevent_free(bev);
}

static void
ctl_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	char line[CTL_LINE_MAX + 1];
	struct evbuffer_ptr pos;
	socklen_t len;
	size_t n;

	(void)arg;
	pos = evbuffer_search(in, "\n", 1, NULL);
	if (pos.pos < 0) {
		if (evbuffer_get_length(in) > CTL_LINE_MAX)
			bufferevent_free(bev);	/* not a command */
		return;
	}
	n = (size_t)pos.pos;
	if (n > CTL_LINE_MAX) {
		bufferevent_free(bev);
		return;
	}
	evbuffer_remove(in, line, n + 1);
	line[n] = '\0';
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, ctl_write_done, ctl_event, NULL);
	memset(&peer, 0, sizeof peer);
	peer.pid = -1;
	peer.uid = (uid_t)-1;
	len = sizeof peer;
	if (getsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_PEERCRED, &peer,
	    &len) == -1) {
		peer.pid = -1;
		peer.uid = (uid_t)-1;
	}
	if (!peer_allowed(bufferevent_getfd(bev), &peer)) {
		log_warnx("event=control_refused uid=%ld pid=%ld reason=\"not "
		    "root, not gatewayd's user, not in ControlGroup\"",
		    (long)peer.uid, (long)peer.pid);
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "error: permission denied\n");
		return;
	}
	run(bufferevent_get_output(bev), line);
}

static void
ctl_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct bufferevent *bev;
	struct timeval tv = { 5, 0 };

	(void)l;
	(void)sa;
	(void)salen;
	(void)arg;
	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, ctl_read, NULL, ctl_event, NULL);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

int
ctl_start(struct event_base *b, const char *path, gid_t group,
    ctl_reload_fn *fn)
{
	struct sockaddr_un sun;
	mode_t old;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return -1;
	strcpy(sun.sun_path, path);
	snprintf(sockpath, sizeof sockpath, "%s", path);
	reload = fn;
	base = b;
	unlink(path);
	/* Owner only (and ControlGroup below): the socket can take the core
	 * out of service. */
	old = umask(0077);
	lis = evconnlistener_new_bind(base, ctl_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (lis == NULL) {
		log_warn("event=control_socket path=%s", path);
		return -1;
	}
	ctl_gid = group;
	if (group != (gid_t)-1 && (chown(path, (uid_t)-1, group) == -1 ||
	    chmod(path, 0660) == -1)) {
		log_warn("event=control_socket path=%s group=%ld", path,
		    (long)group);
		return -1;
	}
	return 0;
}

void
ctl_stop(void)
{
	if (lis != NULL) {
		evconnlistener_free(lis);
		unlink(sockpath);
	}
	lis = NULL;
}
