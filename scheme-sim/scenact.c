/*
 * scenact.c — what a scenario does outside the scheme link: commands to
 * a running `scheme-sim core` on its control socket (corectl.c), and the
 * gateway's actions (kill -9, restart, reload, gatewayctl standin force),
 * whose command lines come from the run's --action NAME=COMMAND options
 * so a scenario file names an action and stays portable.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"

#define CTL_WAIT_MS	5000
#define ACTION_WAIT_NS	60000000000ull

static const struct scen_named *
find_named(const struct scen_named *v, int n, const char *name)
{
	int i;

	if (n == 0)
		return NULL;
	if (name == NULL)
		return &v[0];
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* One line to a core's control socket and its one-line answer. */
static int
ctl_call(const char *path, const char *cmd, char *ans, size_t cap)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd p;
	size_t n = 0;
	ssize_t k;
	int fd;

	ans[0] = '\0';
	if (strlen(path) >= sizeof sun.sun_path)
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLIN;
	while (n + 1 < cap && memchr(ans, '\n', n) == NULL) {
		if (poll(&p, 1, CTL_WAIT_MS) <= 0 ||
		    (k = recv(fd, ans + n, cap - 1 - n, 0)) <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	ans[n] = '\0';
	ans[strcspn(ans, "\n")] = '\0';
	return n > 0 ? 0 : -1;
}

int
scen_core_cmd(struct scen_run *r, const char *target, const char *cmd,
    char *ans, size_t cap)
{
	const struct scen_named *c = find_named(r->o->cores, r->o->ncores,
	    target);

	if (c == NULL)
		return scen_fail(r, 0, NULL, NULL, "no core %s (give --core "
		    "NAME=SOCKET)", target ? target : "at all");
	if (ctl_call(c->val, cmd, ans, cap) == -1)
		return scen_fail(r, 0, NULL, NULL, "core %s: no answer on %s",
		    c->name, c->val);
	return 0;
}

void
scen_cores_mark(struct scen_run *r)
{
	char ans[64];
	int i;

	for (i = 0; i < r->o->ncores; i++)
		if (ctl_call(r->o->cores[i].val, "mark", ans, sizeof ans) ==
		    -1)
			log_warnx("event=core_mark_failed core=%s",
			    r->o->cores[i].name);
}

/* name's value in "ok a=1 b=2", or -1. */
static int
counter_of(const char *ans, const char *name, uint64_t *v)
{
	size_t l = strlen(name);
	const char *p = ans;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == ans || p[-1] == ' ') && p[l] == '=') {
			*v = strtoull(p + l + 1, NULL, 10);
			return 0;
		}
		p += l;
	}
	return -1;
}

int
scen_core_expect(struct scen_run *r, const struct scen_step *st)
{
	uint64_t end = sim_now_ns() + st->ns, v = 0;
	char ans[512], want[32], got[32];
	int i, bad;

	for (;;) {
		if (scen_core_cmd(r, st->target, "counters", ans, sizeof ans) ==
		    -1)
			return -1;
		for (bad = -1, i = 0; i < st->nctr && bad == -1; i++) {
			if (counter_of(ans, st->ctr[i].name, &v) == -1)
				return scen_fail(r, 0, NULL, NULL, "core has "
				    "no counter %s: %s", st->ctr[i].name, ans);
			if (st->ctr[i].at_least ? v < st->ctr[i].val :
			    v != st->ctr[i].val)
				bad = i;
		}
		if (bad == -1)
			return 0;
		if (sim_now_ns() >= end)
			break;
		poll(NULL, 0, 50);
	}
	snprintf(want, sizeof want, "%s%llu", st->ctr[bad].at_least ? ">=" :
	    "", (unsigned long long)st->ctr[bad].val);
	snprintf(got, sizeof got, "%llu", (unsigned long long)v);
	return scen_fail(r, 0, want, got, "core %s: %s expected %s, got %s "
	    "within %llu ms", st->target ? st->target : r->o->cores[0].name,
	    st->ctr[bad].name, want, got,
	    (unsigned long long)(st->ns / 1000000));
}

int
scen_action(struct scen_run *r, const char *name)
{
	const struct scen_named *a = find_named(r->o->actions,
	    r->o->nactions, name);
	uint64_t end = sim_now_ns() + ACTION_WAIT_NS;
	pid_t pid;
	int st = 0;

	if (a == NULL)
		return scen_fail(r, 0, NULL, NULL, "no action \"%s\" (give "
		    "--action %s=COMMAND)", name, name);
	fflush(NULL);
	if ((pid = fork()) == -1)
		return scen_fail(r, 0, NULL, NULL, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* Its output is not the report's: onto stderr. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", a->val, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (sim_now_ns() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return scen_fail(r, 0, NULL, NULL, "action %s: still "
			    "running after %llu s", name,
			    (unsigned long long)(ACTION_WAIT_NS / 1000000000));
		}
		poll(NULL, 0, 20);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return scen_fail(r, 0, "0", NULL, "action %s: exit status %d",
		    name, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
