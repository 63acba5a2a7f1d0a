/*
 * gatewayd.c — the daemon: options, start-up, signals, reload, readiness.
 *
 *   gatewayd -f FILE [-d] [-v]   run (-d: foreground, logs to stderr)
 *   gatewayd -n -f FILE          check FILE and print it normalised
 */
#include <sys/resource.h>
#include <sys/time.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/clock.h"
#include "base/cpuslice.h"
#include "base/dlq.h"
#include "base/log.h"
#include "tunnel/seal.h"
#include "gateway/config.h"
#include "gateway/gwconfine.h"
#include "gateway/ctl.h"
#include "gateway/dedup.h"
#include "gateway/loopprio.h"
#include "gateway/metrics.h"
#include "gateway/notify.h"
#include "gateway/outreq.h"
#include "gateway/outsaf.h"
#include "gateway/pair.h"
#include "gateway/router.h"
#include "gateway/standin/standin.h"
#include "gateway/views.h"
#include "gateway/zonekey.h"

/* What main() wires together; only this file sees it whole. */
static struct {
	struct event_base	*base;
	struct config		*conf;
	const char		*conffile;
	uint64_t		 start_us;	/* wall clock */
} gw;


static void __attribute__((noreturn))
usage(int rc)
{
	fprintf(rc ? stderr : stdout,
	    "usage: gatewayd [-dnv] -f file\n"
	    "  -f file  the configuration (INI; see gatewayd.conf.example)\n"
	    "  -d       stay in the foreground, log to stderr\n"
	    "  -n       check the configuration, print it normalised, exit\n"
	    "  -v       more logging (repeat for debug)\n"
	    "Signals: HUP reloads the configuration; TERM and INT stop.\n");
	exit(rc);
}

static int
start_links_cores(void)
{
	struct cfg_link *cl;
	struct cfg_core *cc;
	struct link *l;
	struct core *k;

	TAILQ_FOREACH(cc, &gw.conf->cores, entry)
		if ((k = core_new(cc)) == NULL || core_start(k) == -1)
			return -1;
	TAILQ_FOREACH(cl, &gw.conf->links, entry)
		if ((l = link_new(cl)) == NULL || link_start(l) == -1)
			return -1;
	return 0;
}

/* The stand-in's part of the configuration. */
static void
standin_conf(const struct config *c, struct standin_conf *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", c->name);
	snprintf(s->state_dir, sizeof s->state_dir, "%s", c->state_dir);
	snprintf(s->state_key, sizeof s->state_key, "%s", c->state_key);
	snprintf(s->hsm, sizeof s->hsm, "%s", c->hsm);
	snprintf(s->block_mcc, sizeof s->block_mcc, "%s",
	    c->standin_block_mcc);
	s->mode = c->standin_mode;
	s->durable = c->durability == DURABILITY_FULL;
	s->max_amount = c->standin_max_amount;
	s->exposure_cap = c->standin_exposure_cap;
	s->max_age_s = c->standin_max_age_s;
	s->keep_s = c->standin_keep_s;
	s->store_size = c->standin_store_size;
	s->ranges = c->ranges;
	s->paired = c->pair != NULL;
	s->share = c->pair != NULL ? c->pair->share : 100;
}

/* Links whose section is gone or changed stop; new and changed start. */
static void
reload_links(const struct config *nc, int *added, int *removed,
    int *changed, int *failed)
{
	struct link *l, *ln;
	struct cfg_link *cl;

	for (l = link_first(); l != NULL; l = ln) {
		ln = link_next(l);
		cl = config_link(nc, l->cf.name);
		if (cl != NULL && config_link_same(cl, &l->cf))
			continue;
		*(cl != NULL ? changed : removed) += 1;
		link_free(l);
	}
	TAILQ_FOREACH(cl, &nc->links, entry) {
		if (link_find(cl->name) != NULL)
			continue;
		if (config_link(gw.conf, cl->name) == NULL)
			(*added)++;
		if ((l = link_new(cl)) == NULL || link_start(l) == -1)
			(*failed)++;
	}
}

/* The same for cores. */
static void
reload_cores(const struct config *nc, int *added, int *removed,
    int *changed, int *failed)
{
	struct core *k, *kn;
	struct cfg_core *cc;

	for (k = core_first(); k != NULL; k = kn) {
		kn = core_next(k);
		cc = config_core(nc, k->cf.name);
		if (cc != NULL && config_core_same(cc, &k->cf))
			continue;
		*(cc != NULL ? changed : removed) += 1;
		core_free(k);
	}
	TAILQ_FOREACH(cc, &nc->cores, entry) {
		if (core_find(cc->name) != NULL)
			continue;
		if (config_core(gw.conf, cc->name) == NULL)
			(*added)++;
		if ((k = core_new(cc)) == NULL || core_start(k) == -1)
			(*failed)++;
	}
}

/*
 * Applies a new config: links and cores that are gone are stopped, new
 * ones started, changed ones restarted; the untouched ones keep their
 * connections, sessions and health.  ControlSocket, Metrics, StoreSize,
 * CpuSlice and the pair link need a restart (the last three say so).
 */
static int
gw_reload(char *msg, size_t cap)
{
	struct standin_conf sc;
	struct config *nc;
	char err[512];
	int added = 0, removed = 0, changed = 0, failed = 0;

	if ((nc = config_load(gw.conffile, 0, err, sizeof err)) == NULL) {
		log_warnx("event=reload_failed reason=\"%s\"", err);
		snprintf(msg, cap, "%s", err);
		return -1;
	}
	reload_links(nc, &added, &removed, &changed, &failed);
	reload_cores(nc, &added, &removed, &changed, &failed);
	if ((nc->pair == NULL) != (gw.conf->pair == NULL) ||
	    (nc->pair != NULL && !config_core_same(nc->pair, gw.conf->pair)))
		log_warnx("event=reload_pair_unchanged reason=\"the pair "
		    "link (Peer, Address, Bind, keys, timers) changes at the "
		    "next start; Share now, unless the core set one\"");
	if (nc->standin_store_size != gw.conf->standin_store_size)
		log_warnx("event=reload_store_size_unchanged reason=\"StoreSize "
		    "changes at the next start\"");
	if (nc->cpu_slice_us != gw.conf->cpu_slice_us)
		log_warnx("event=reload_cpu_slice_unchanged slice_us=%u "
		    "reason=\"CpuSlice changes at the next start: the threads "
		    "keep the slice they started with\"",
		    gw.conf->cpu_slice_us);
	if (dedup_init(nc->dedup_max, nc->dedup_us) == -1)
		log_warnx("event=dedup_resize_failed entries=%u reason=\"out of "
		    "memory: the table keeps its size\"",
		    (unsigned)nc->dedup_max);
	log_ratelimit(nc->log_rate);
	config_free(gw.conf);
	gw.conf = nc;
	router_reconfigure(nc);
	views_configure(nc, gw.start_us);
	standin_conf(nc, &sc);
	standin_reconfigure(&sc);
	snprintf(msg, cap, "added=%d removed=%d changed=%d failed=%d", added,
	    removed, changed, failed);
	log_info("event=reloaded %s", msg);
	return failed ? -1 : 0;
}

/* A planned stop signs the links off first, and waits up to a second
 * (50 looks, 20 ms apart) for the schemes' answers. */
#define SIGNOFF_LOOKS	50
static struct event *signoff_ev;

static void
signoff_wait(evutil_socket_t fd, short ev, void *arg)
{
	static int looks;
	struct timeval tv = { 0, 20000 };

	(void)fd;
	(void)ev;
	if (link_signoffs_pending() == 0 || ++looks >= SIGNOFF_LOOKS) {
		log_info("event=signed_off unanswered=%d",
		    link_signoffs_pending());
		event_base_loopbreak(gw.base);
		return;
	}
	evtimer_add(arg, &tv);
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct timeval tv = { 0, 20000 };
	int n;

	char msg[512];

	(void)ev;
	(void)arg;
	if (sig == SIGHUP) {
		log_info("event=sighup");
		gw_reload(msg, sizeof msg);
		return;
	}
	log_info("event=shutdown signal=%d", (int)sig);
	notify_send("STOPPING=1");
	/* A second signal meanwhile stops at once. */
	if (signoff_ev == NULL && (n = link_sign_off_all()) > 0) {
		log_info("event=signing_off connections=%d", n);
		signoff_ev = evtimer_new(gw.base, signoff_wait,
		    event_self_cbarg());
		if (signoff_ev != NULL && evtimer_add(signoff_ev, &tv) == 0)
			return;
	}
	event_base_loopbreak(gw.base);
}

/* A flood that stopped is still reported, within a second or two. */
static void
on_log_flush(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	log_ratelimit_flush();
}

static void
on_watchdog(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	notify_send("WATCHDOG=1");
}

/* Options: the config file, and what to do with it. */
static const char *
parse_args(int argc, char **argv, int *check, int *fg, int *verbose)
{
	const char *file = NULL;
	int ch;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		usage(0);
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			*fg = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			*check = 1;
			break;
		case 'v':
			(*verbose)++;
			break;
		default:
			usage(2);
		}
	}
	if (file == NULL || optind != argc)
		usage(2);
	return file;
}

/* What the MAC checks of an HSM read let through (requests for the core,
 * answers, the calls they made) leaves in this pass. */
static void
hsm_replies_done(void *arg)
{
	(void)arg;
	router_flush_now();
}

/*
 * Start-up, in order: the loop and its deadline queue; duplicate
 * detection; the router and the views; the stand-in (its store, or the
 * queue in memory without one); links and cores with the router as
 * their handlers; the control socket; the metrics page and its sources.
 */
static void
start(void)
{
	struct standin_conf sc;
	gid_t gid;
	int f;
	char err[256];

	/* libevent's own timers keep its coarse clock (4 ms steps here):
	 * beats, echoes and retries.  Request deadlines run on dlq's
	 * precise timerfd, which costs no system call per loop pass. */
	if ((gw.base = event_base_new()) == NULL ||
	    event_base_priority_init(gw.base, LOOP_PRIORITIES) == -1 ||
	    dlq_init(gw.base) == -1)
		fatalx("event_base_new");
	if (dedup_init(gw.conf->dedup_max, gw.conf->dedup_us) == -1)
		fatalx("dedup table");
	log_ratelimit(gw.conf->log_rate);
	router_init(gw.base, gw.conf);
	if (zonekey_init(gw.base, gw.conf, hsm_replies_done) == -1)
		fatalx("zone keys: HSM client");
	views_configure(gw.conf, gw.start_us);
	standin_conf(gw.conf, &sc);
	/* /etc/group is out of reach once confined */
	if (config_control_gid(gw.conf, &gid, err, sizeof err) == -1)
		fatalx("%s", err);
	if (gw.conf->no_confine)
		log_warnx("event=not_confined reason=\"Confine = no in %s: no "
		    "Landlock, no seccomp\"", gw.conf->file);
	if (!gw.conf->no_confine && gw_confine_files(gw.conf, err, sizeof err) == -1) {
		log_warnx("event=start_refused reason=\"%s\"", err);
		exit(1);
	}
	/* Nothing falls back to a weaker mode: a store, state key or HSM
	 * the config names that cannot be used stops the start. */
	if (standin_init(gw.base, &sc, &router_standin, err, sizeof err) ==
	    -1) {
		log_warnx("event=start_refused reason=\"%s\" hint=\"fix it; "
		    "Durability = none runs without a store, for a lab\"",
		    err);
		exit(1);
	}
	if (outsaf_init(gw.conf, err, sizeof err) == -1) {
		log_warnx("event=start_refused reason=\"outbound saf: %s\"",
		    err);
		exit(1);
	}
	/* A failure is logged and fails closed (OUT_REQUESTs refused for
	 * FreshWindow): authorisations go on. */
	(void)outreq_restore(gw.conf);
	/* An operator's force outlives a restart; it is said at start so a
	 * forgotten one is seen. */
	if ((f = standin_force_stored()) != -1) {
		router_set_force((enum router_force)f);
		log_info("event=standin_force_restored value=%s", f == FORCE_ON ?
		    "on" : f == FORCE_OFF ? "off" : "auto");
	}
	link_init(gw.base, &router_link);
	if (core_init(gw.base, &router_core, gw.start_us / 1000) == -1)
		fatalx("core link replay state");
	if (start_links_cores() == -1)
		fatalx("could not start links and cores (see above)");
	if (pair_start(gw.conf) == -1)
		fatalx("could not start the pair link (see above)");
	if (ctl_start(gw.base, gw.conf->control, gid, gw_reload) == -1)
		fatalx("control socket %s", gw.conf->control);
	metrics_source(views_metrics);
	metrics_source(standin_metrics);
	metrics_source(pair_metrics);
	if (metrics_start(gw.base, gw.conf->has_metrics ? &gw.conf->metrics :
	    NULL) == -1)
		fatalx("metrics %s", gw.conf->metrics.text);
	if (!gw.conf->no_confine && gw_confine_syscalls(err, sizeof err) == -1) {
		log_warnx("event=start_refused reason=\"%s\"", err);
		exit(1);
	}
}

/*
 * The CPU group gatewayd shares its CPUs in: "cpu_weight=N" (its cgroup
 * v2 weight, CPUWeight= in the unit), else "autogroup_nice=N" (its
 * session's autogroup), else "" (neither known).  *ok is 0 when the
 * group has no more than a default share.
 */
static void
sched_group(char *buf, size_t len, int *ok)
{
	char line[512], path[600], *cg;
	FILE *f;
	int v;

	*ok = 1;
	buf[0] = path[0] = '\0';
	if ((f = fopen("/proc/self/cgroup", "re")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "0::", 3) == 0) {
				cg = line + 3;
				cg[strcspn(cg, "\n")] = '\0';
				snprintf(path, sizeof path,
				    "/sys/fs/cgroup%s/cpu.weight", cg);
				break;
			}
		fclose(f);
		if (path[0] != '\0' && (f = fopen(path, "re")) != NULL) {
			if (fscanf(f, "%d", &v) == 1) {
				snprintf(buf, len, " cpu_weight=%d", v);
				*ok = v > 100;
			}
			fclose(f);
			if (buf[0] != '\0')
				return;
		}
	}
	if ((f = fopen("/proc/self/autogroup", "re")) != NULL) {
		if (fscanf(f, "%*s nice %d", &v) == 1) {
			snprintf(buf, len, " autogroup_nice=%d", v);
			*ok = v < 0;
		}
		fclose(f);
	}
}

/*
 * The deadline holds against other work on the CPU only when gatewayd
 * runs before it: the unit gives it Nice=-20 (set by systemd before the
 * sandbox forbids changing it) and CPUWeight=10000 (nice orders threads
 * within one CPU group only, and each service is a group: at the default
 * weight another service's busy loop kept the loop waiting for the CPU
 * 200 ms at nice -20).  At normal priority a busy process beside it kept
 * the loop off the CPU for up to 200 ms; a real-time policy did better
 * until gatewayd itself was the busy one (twice its saturation): the
 * kernel's RT throttle then stopped it for 50 ms and more at a time.
 * CpuSlice asks for a shorter slice (base/cpuslice.h): at the kernel's
 * a wake-up of the loop beside a busy process waits out that process's
 * slice (EEVDF).  Not the default: it trades peak throughput for it
 * (doc/performance.md).
 * Said at start, and warned when missing, so a weaker mode is never
 * silent.
 */
static void
sched_report(uint32_t slice)
{
	int pol = sched_getscheduler(0), nice, group_ok;
	char group[64];

	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		nice = 0;
	sched_group(group, sizeof group, &group_ok);
	if (pol == SCHED_OTHER && nice < 0 && group_ok) {
		log_info("event=scheduling policy=other nice=%d%s "
		    "slice_us=%u", nice, group, slice);
		return;
	}
	log_warnx("event=scheduling policy=%s nice=%d%s slice_us=%u "
	    "reason=\"%s\" hint=\"Nice=-20 and CPUWeight=10000 in the unit "
	    "(gatewayd.service)\"",
	    pol == SCHED_OTHER ? "other" : pol == SCHED_FIFO ? "fifo" :
	    pol == SCHED_RR ? "rr" : "batch-or-idle", nice, group,
	    slice,
	    pol != SCHED_OTHER ? "a real-time or background policy: the "
	    "kernel throttles or starves it" : nice >= 0 ? "normal "
	    "priority: other work on this CPU can delay answers past their "
	    "deadline" : "a default CPU share: another service's work can "
	    "take half the CPU whatever the nice");
}

/* CpuSlice for this thread and every one started later: the slice in
 * force, 0 when the kernel keeps its own (warned). */
static uint32_t
apply_cpu_slice(uint32_t slice)
{
	char why[128];

	if (slice > 0 && cpuslice_set(slice, why, sizeof why) != 1) {
		log_warnx("event=cpu_slice slice_us=%u applied=no "
		    "reason=\"%s\"", slice, why);
		return 0;
	}
	return slice;
}

/* Orderly exit, so leak checkers see a clean heap. */
static void
stop(void)
{
	struct link *l;
	struct core *k;

	if (signoff_ev != NULL)
		event_free(signoff_ev);
	ctl_stop();
	metrics_stop();
	pair_stop();
	standin_shutdown();
	while ((l = link_first()) != NULL)
		link_free(l);
	while ((k = core_first()) != NULL)
		core_free(k);
	core_shutdown();
	zonekey_shutdown();
	outsaf_shutdown();
	router_shutdown();
	dedup_shutdown();
	dlq_shutdown();
	config_free(gw.conf);
	event_base_free(gw.base);
}

int
main(int argc, char **argv)
{
	const char *file;
	int check = 0, fg = 0, verbose = 0;
	struct event *sigs[3], *wd = NULL, *lf;
	struct timeval sec = { 1, 0 };
	struct rlimit rl = { 0, 0 };
	char err[512];
	uint64_t wd_us;
	size_t i;
	gid_t gid;

	file = parse_args(argc, argv, &check, &fg, &verbose);
	log_init("gatewayd", verbose);
	if (seal_init() == -1)
		fatalx("libsodium init failed");
	if ((gw.conf = config_load(file, 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "gatewayd: %s\n", err);
		return 1;
	}
	if (check) {
		if (config_control_gid(gw.conf, &gid, err, sizeof err) == -1) {
			fprintf(stderr, "gatewayd: %s\n", err);
			config_free(gw.conf);
			return 1;
		}
		config_print(gw.conf, stdout);
		config_free(gw.conf);
		return 0;
	}
	/* Key material must never reach a core file. */
	setrlimit(RLIMIT_CORE, &rl);
	if (!fg && daemon(1, 1) == -1)
		fatal("daemon");
	gw.conffile = file;
	gw.start_us = wall_us();
	signal(SIGPIPE, SIG_IGN);
	log_nonblocking();	/* a stalled journald must not hold the loop */
	/* before seccomp, which forbids asking */
	sched_report(apply_cpu_slice(gw.conf->cpu_slice_us));
	start();
	sigs[0] = evsignal_new(gw.base, SIGTERM, on_signal, NULL);
	sigs[1] = evsignal_new(gw.base, SIGINT, on_signal, NULL);
	sigs[2] = evsignal_new(gw.base, SIGHUP, on_signal, NULL);
	for (i = 0; i < 3; i++)
		evsignal_add(sigs[i], NULL);
	if ((wd_us = notify_watchdog_us()) > 0) {
		struct timeval tv = { (time_t)(wd_us / 1000000),
		    (suseconds_t)(wd_us % 1000000) };
		wd = event_new(gw.base, -1, EV_PERSIST, on_watchdog, NULL);
		evtimer_add(wd, &tv);
	}
	if ((lf = event_new(gw.base, -1, EV_PERSIST, on_log_flush, NULL)) ==
	    NULL || evtimer_add(lf, &sec) == -1)
		fatalx("log flush timer");
	log_info("event=started name=%s links=%s pid=%d", gw.conf->name,
	    link_first() == NULL ? "none" : "yes", (int)getpid());
	notify_send("READY=1\nSTATUS=serving");
	event_base_dispatch(gw.base);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	if (wd != NULL)
		event_free(wd);
	event_free(lf);
	stop();
	return 0;
}
