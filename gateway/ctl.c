/*
 * ctl.c — control socket server.
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

#include "base/log.h"
#include "gateway/ctl.h"
#include "gateway/dedup.h"
#include "gateway/gw.h"
#include "gateway/siauth.h"

static struct evconnlistener *lis;
static char sockpath[108];
static ctl_reload_fn *reload;

size_t	router_advice_depth(void);

static const char *
force_name(int f)
{
	return f == FORCE_ON ? "on" : f == FORCE_OFF ? "off" : "auto";
}

/* Whether requests go to stand-in now, and why. */
static const char *
standin_state(void)
{
	if (gw.force == FORCE_ON || (gw.force == FORCE_AUTO &&
	    gw.conf->standin_mode == STANDIN_FORCE))
		return "forced";
	if (core_best() == NULL)
		return "active";	/* no healthy core */
	return "idle";
}

/* JSON strings here are config names and fixed words; escape anyway. */
static void
jstr(struct evbuffer *b, const char *s)
{
	evbuffer_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			evbuffer_add_printf(b, "\\u%04x", *s);
		else
			evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

static void
cmd_links(struct evbuffer *b, int json)
{
	struct link *l;
	struct conn *c;
	int first = 1, cf;

	if (json)
		evbuffer_add_printf(b, "{\"links\":[");
	else
		evbuffer_add_printf(b, "%-20s %-7s %-22s %-10s %-8s %5s %8s "
		    "%8s\n", "LINK", "MODE", "ADDRESS", "PROFILE", "SIGNED",
		    "CONNS", "REFUSED", "BADMSG");
	TAILQ_FOREACH(l, &gw.links, entry) {
		if (!json) {
			evbuffer_add_printf(b, "%-20s %-7s %-22s %-10s %-8s "
			    "%5d %8llu %8llu\n", l->cf.name,
			    l->cf.mode == LINK_LISTEN ? "listen" : "connect",
			    l->cf.addr.text, l->cf.profile,
			    l->signed_on ? "yes" : "no", l->nconns,
			    (unsigned long long)l->refused,
			    (unsigned long long)l->bad_msgs);
			TAILQ_FOREACH(c, &l->conns, entry)
				evbuffer_add_printf(b, "  conn %llu peer=%s "
				    "signed_on=%s rx=%llu tx=%llu\n",
				    (unsigned long long)c->id, c->peer,
				    c->signed_on ? "yes" : "no",
				    (unsigned long long)c->rx_frames,
				    (unsigned long long)c->tx_frames);
			continue;
		}
		evbuffer_add_printf(b, "%s{\"name\":", first ? "" : ",");
		first = 0;
		jstr(b, l->cf.name);
		evbuffer_add_printf(b, ",\"mode\":\"%s\",\"address\":",
		    l->cf.mode == LINK_LISTEN ? "listen" : "connect");
		jstr(b, l->cf.addr.text);
		evbuffer_add_printf(b, ",\"profile\":");
		jstr(b, l->cf.profile);
		evbuffer_add_printf(b, ",\"signed_on\":%s,\"connections\":%d,"
		    "\"accepted\":%llu,\"refused\":%llu,\"bad_messages\":%llu,"
		    "\"bad_frames\":%llu,\"echo_sent\":%llu,\"echo_ok\":%llu,"
		    "\"conns\":[", l->signed_on ? "true" : "false", l->nconns,
		    (unsigned long long)l->accepted,
		    (unsigned long long)l->refused,
		    (unsigned long long)l->bad_msgs,
		    (unsigned long long)l->bad_frames,
		    (unsigned long long)l->echo_sent,
		    (unsigned long long)l->echo_ok);
		cf = 1;
		TAILQ_FOREACH(c, &l->conns, entry) {
			evbuffer_add_printf(b, "%s{\"id\":%llu,\"peer\":",
			    cf ? "" : ",", (unsigned long long)c->id);
			cf = 0;
			jstr(b, c->peer);
			evbuffer_add_printf(b, ",\"signed_on\":%s,\"rx\":%llu,"
			    "\"tx\":%llu}", c->signed_on ? "true" : "false",
			    (unsigned long long)c->rx_frames,
			    (unsigned long long)c->tx_frames);
		}
		evbuffer_add_printf(b, "]}");
	}
	if (json)
		evbuffer_add_printf(b, "]}\n");
}

static void
cmd_cores(struct evbuffer *b, int json)
{
	struct core *k, *best = core_best();
	uint64_t rej;
	int first = 1, j;

	if (json)
		evbuffer_add_printf(b, "{\"cores\":[");
	else
		evbuffer_add_printf(b, "%-16s %-22s %4s %-8s %-6s %9s %9s "
		    "%8s\n", "CORE", "ADDRESS", "PRIO", "STATE", "ACTIVE",
		    "RTT_US", "HB_OK", "REJECTED");
	TAILQ_FOREACH(k, &gw.cores, entry) {
		rej = 0;
		for (j = 1; j < COREFR_R_MAX; j++)
			rej += k->rejected[j];
		if (!json) {
			evbuffer_add_printf(b, "%-16s %-22s %4d %-8s %-6s %9llu "
			    "%9llu %8llu\n", k->cf.name, k->cf.addr.text,
			    k->cf.priority, core_state_name(k->state),
			    k == best ? "yes" : "no",
			    (unsigned long long)k->rtt_us,
			    (unsigned long long)k->hb_ok,
			    (unsigned long long)rej);
			continue;
		}
		evbuffer_add_printf(b, "%s{\"name\":", first ? "" : ",");
		first = 0;
		jstr(b, k->cf.name);
		evbuffer_add_printf(b, ",\"address\":");
		jstr(b, k->cf.addr.text);
		evbuffer_add_printf(b, ",\"priority\":%d,\"state\":\"%s\","
		    "\"active\":%s,\"rtt_us\":%llu,\"heartbeats_sent\":%llu,"
		    "\"heartbeats_ok\":%llu,\"downs\":%llu,\"tx\":%llu,"
		    "\"rx\":%llu,\"keys\":%d,\"rejected\":{",
		    k->cf.priority, core_state_name(k->state),
		    k == best ? "true" : "false",
		    (unsigned long long)k->rtt_us,
		    (unsigned long long)k->hb_sent,
		    (unsigned long long)k->hb_ok,
		    (unsigned long long)k->downs, (unsigned long long)k->tx,
		    (unsigned long long)k->rx, k->cf.keys.n);
		for (j = 1; j < COREFR_R_MAX; j++)
			evbuffer_add_printf(b, "%s\"%s\":%llu", j > 1 ? "," : "",
			    corefr_reject_name(j),
			    (unsigned long long)k->rejected[j]);
		evbuffer_add_printf(b, "}}");
	}
	if (json)
		evbuffer_add_printf(b, "]}\n");
}

static void
cmd_standin(struct evbuffer *b, int json)
{
	if (json && siauth_enabled()) {
		evbuffer_add_printf(b, "{\"standin\":\"%s\",\"force\":\"%s\","
		    "\"mode\":\"%s\",\"authoriser\":", standin_state(),
		    force_name(gw.force),
		    gw.conf->standin_mode == STANDIN_AUTO ? "auto" :
		    gw.conf->standin_mode == STANDIN_FORCE ? "force" : "off");
		siauth_ctl_standin(b, 1);
		evbuffer_add_printf(b, "}\n");
	} else if (siauth_enabled()) {
		evbuffer_add_printf(b, "standin: %s (force %s)\n",
		    standin_state(), force_name(gw.force));
		siauth_ctl_standin(b, 0);
	} else if (json)
		evbuffer_add_printf(b, "{\"standin\":\"%s\",\"force\":\"%s\","
		    "\"mode\":\"%s\",\"decision\":\"91\"}\n", standin_state(),
		    force_name(gw.force),
		    gw.conf->standin_mode == STANDIN_AUTO ? "auto" :
		    gw.conf->standin_mode == STANDIN_FORCE ? "force" : "off");
	else
		evbuffer_add_printf(b, "standin: %s (force %s)\n"
		    "decisions: DE39 91 only (no card data yet)\n",
		    standin_state(), force_name(gw.force));
}

static void
cmd_status(struct evbuffer *b, int json)
{
	struct link *l;
	struct core *k, *best = core_best();
	int nl = 0, ns = 0, nk = 0, nu = 0;

	TAILQ_FOREACH(l, &gw.links, entry) {
		nl++;
		ns += l->signed_on;
	}
	TAILQ_FOREACH(k, &gw.cores, entry) {
		nk++;
		nu += k->state == CORE_UP;
	}
	if (json) {
		evbuffer_add_printf(b, "{\"name\":");
		jstr(b, gw.conf->name);
		evbuffer_add_printf(b, ",\"pid\":%d,\"uptime_s\":%llu,"
		    "\"links\":%d,\"links_signed_on\":%d,\"cores\":%d,"
		    "\"cores_up\":%d,\"active_core\":", (int)getpid(),
		    (unsigned long long)((wall_us() - gw.start_us) / 1000000),
		    nl, ns, nk, nu);
		if (best)
			jstr(b, best->cf.name);
		else
			evbuffer_add_printf(b, "null");
		evbuffer_add_printf(b, ",\"standin\":\"%s\",\"inflight\":%llu,"
		    "\"late_answers\":%llu,\"duplicates\":%llu,"
		    "\"dedup_entries\":%zu,\"advice_queue\":%zu}\n",
		    standin_state(), (unsigned long long)gw.inflight,
		    (unsigned long long)gw.late, (unsigned long long)gw.dups,
		    dedup_count(), router_advice_depth());
		return;
	}
	evbuffer_add_printf(b, "gateway %s pid %d up %llus\n"
	    "links: %d (%d signed on)\ncores: %d (%d up), active %s\n"
	    "standin: %s\ninflight: %llu  late answers: %llu  duplicates: "
	    "%llu  advice queue: %zu\n", gw.conf->name, (int)getpid(),
	    (unsigned long long)((wall_us() - gw.start_us) / 1000000), nl, ns,
	    nk, nu, best ? best->cf.name : "none", standin_state(),
	    (unsigned long long)gw.inflight, (unsigned long long)gw.late,
	    (unsigned long long)gw.dups, router_advice_depth());
}

static void
run(struct evbuffer *b, char *line)
{
	char *argv[8], *p, *save = NULL;
	int argc = 0, json = 0, i, j;
	char msg[512];

	for (p = line; argc < 8 && (argv[argc] = strtok_r(p, " \t\r\n",
	    &save)) != NULL; p = NULL)
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
	if (strcmp(argv[0], "status") == 0 && argc == 1)
		cmd_status(b, json);
	else if (strcmp(argv[0], "links") == 0 && argc == 1)
		cmd_links(b, json);
	else if (strcmp(argv[0], "cores") == 0 && argc == 1)
		cmd_cores(b, json);
	else if (strcmp(argv[0], "standin") == 0 && argc == 1)
		cmd_standin(b, json);
	else if (strcmp(argv[0], "saf") == 0 && argc == 1)
		siauth_ctl_saf(b, json);
	else if (strcmp(argv[0], "standin") == 0 && argc == 3 &&
	    strcmp(argv[1], "force") == 0) {
		if (strcmp(argv[2], "on") == 0)
			gw.force = FORCE_ON;
		else if (strcmp(argv[2], "off") == 0)
			gw.force = FORCE_OFF;
		else if (strcmp(argv[2], "auto") == 0)
			gw.force = FORCE_AUTO;
		else {
			evbuffer_add_printf(b, "error: standin force "
			    "on|off|auto\n");
			return;
		}
		log_info("event=standin_force value=%s", force_name(gw.force));
		cmd_standin(b, json);
	} else if (strcmp(argv[0], "reload") == 0 && argc == 1) {
		if (reload(msg, sizeof msg) == -1) {
			if (json) {
				evbuffer_add_printf(b, "{\"ok\":false,"
				    "\"error\":");
				jstr(b, msg);
				evbuffer_add_printf(b, "}\n");
			} else
				evbuffer_add_printf(b, "error: %s\n", msg);
			return;
		}
		if (json) {
			evbuffer_add_printf(b, "{\"ok\":true,\"result\":");
			jstr(b, msg);
			evbuffer_add_printf(b, "}\n");
		} else
			evbuffer_add_printf(b, "reloaded: %s\n", msg);
	} else
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
	bev = bufferevent_socket_new(gw.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, ctl_read, NULL, ctl_event, NULL);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

int
ctl_start(const char *path, ctl_reload_fn *fn)
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
	unlink(path);
	/* Owner only: the socket can take the core out of service. */
	old = umask(0077);
	lis = evconnlistener_new_bind(gw.base, ctl_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (lis == NULL) {
		log_warn("event=control_socket path=%s", path);
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
