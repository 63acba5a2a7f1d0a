/*
 * scenmain.c — `scheme-sim run FILE...`: the options (one table parses
 * them and prints --help), the files loaded and checked before anything
 * is sent, the cases run in order, and the reports.  Exit status 0 only
 * when every case passed.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenmain.h"
#include "scheme-sim/scenrun.h"

#define AT(f)	.off = offsetof(struct scen_opts, f)
#define ARR(f)	AT(f), .max = sizeof(((struct scen_opts *)0)->f)

/* NAME=VALUE into the next free row of v. */
static int
add_named(struct scen_named *v, int *n, int max, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0' || *n == max ||
	    (size_t)(eq - arg) >= sizeof v[0].name)
		return -1;
	memcpy(v[*n].name, arg, (size_t)(eq - arg));
	v[*n].name[eq - arg] = '\0';
	v[*n].val = eq + 1;
	(*n)++;
	return 0;
}

static int
set_core(void *v, const char *arg, char *why, size_t whysz)
{
	struct scen_opts *o = v;

	(void)why;
	(void)whysz;
	return add_named(o->cores, &o->ncores, SCEN_MAX_CORES, arg);
}

static int
set_action(void *v, const char *arg, char *why, size_t whysz)
{
	struct scen_opts *o = v;

	(void)why;
	(void)whysz;
	return add_named(o->actions, &o->nactions, SCEN_MAX_ACTIONS, arg);
}

static const struct sim_opt run_opts[] = {
	{ .kind = SIM_OPT_HEADING, .help = "the gateway link:" },
	{ .name = "connect", .arg = "ADDR:PORT", .kind = SIM_OPT_ADDR,
	  AT(addr), .val = SCEN_CONNECT, .why = "want a numeric ADDR:PORT",
	  .help = "the link's Listen address" },
	{ .name = "listen", .arg = "ADDR:PORT", .kind = SIM_OPT_ADDR,
	  AT(addr), .val = SCEN_LISTEN, .why = "want a numeric ADDR:PORT",
	  .help = "or accept the gateway's connections (a\n"
	  "Connect link); \"connect\" steps wait for the next" },
	{ .name = "profile", .arg = "P", .kind = SIM_OPT_STR, AT(profile),
	  .help = "iso87 | iso87hex | mastercard | fps (default iso87)" },
	{ .name = "framing", .arg = "F", .kind = SIM_OPT_STR, AT(framing),
	  .help = "len2 | len4ascii (default len2)" },
	{ .name = "signon-code", .arg = "NNN", .kind = SIM_OPT_DIGITS,
	  ARR(signon_code), .min = 3, .why = "want 3 digits",
	  .help = "DE70 of the sign-on after each connect\n"
	  "(default 061 for mastercard, else 001)" },
	{ .name = "no-signon", .kind = SIM_OPT_CLEAR, AT(signon),
	  .help = "connect without signing on" },
	{ .name = "connect-timeout", .arg = "D", .kind = SIM_OPT_DURATION,
	  AT(connect_ns), .why = "bad duration",
	  .help = "retry connecting for D (default 10s)" },
	{ .name = "portfolio", .arg = "FILE", .kind = SIM_OPT_STR,
	  AT(portfolio),
	  .help = "cards for \"card\" templates and the keys of\n"
	  "their verification data (cards generate)" },
	{ .name = "zmk", .arg = "FILE", .kind = SIM_OPT_STR, AT(zmk),
	  .help = "the link's ZMK in clear (a test key, 32H):\n"
	  "\"key_change\" steps send keys under it" },
	{ .name = "mak", .arg = "FILE", .kind = SIM_OPT_STR, AT(mak),
	  .help = "the link's MAC key in clear (MAC = yes): what\n"
	  "is sent carries a MAC, what comes is checked" },
	{ .kind = SIM_OPT_HEADING, .help = "outside the link:" },
	{ .name = "core", .arg = "NAME=SOCKET", .kind = SIM_OPT_FN,
	  .fn = set_core, .why = "want NAME=SOCKET",
	  .help = "a scheme-sim core's --control socket, for\n"
	  "\"core\" steps (the first is the default);\n"
	  "repeatable" },
	{ .name = "action", .arg = "NAME=COMMAND", .kind = SIM_OPT_FN,
	  .fn = set_action, .why = "want NAME=COMMAND",
	  .help = "the command line (run by /bin/sh) of the action\n"
	  "a scenario names, e.g. gateway-kill; exit\n"
	  "status 0 is success; repeatable" },
	{ .kind = SIM_OPT_HEADING, .help = "what runs and the reports:" },
	{ .name = "case", .arg = "NAME", .kind = SIM_OPT_STR, AT(case_name),
	  .help = "run only the cases of this name" },
	{ .name = "junit", .arg = "FILE", .kind = SIM_OPT_STR, AT(junit),
	  .help = "JUnit XML: a testsuite per file, a testcase\n"
	  "per case" },
	{ .name = "json", .arg = "FILE", .kind = SIM_OPT_STR, AT(json),
	  .help = "the results as JSON" },
	{ .letter = 'q', .kind = SIM_OPT_SET, AT(quiet),
	  .help = "only the summary line (and failures)" },
	SIM_OPT_VERBOSE_ROW,
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab run_optab = SIM_OPTAB("scheme-sim run",
"usage: scheme-sim run (--connect | --listen) ADDR:PORT [options] FILE...\n"
"\n"
"Runs the cases of scenario FILEs (JSON; doc/scheme-sim.md) against a\n"
"gateway link: messages sent and the answers checked, faults on the link,\n"
"on the cores (--core) and on the gateway (--action).  A line per case\n"
"on stdout; exit status 0 when every case passed, 1 when any failed, 2\n"
"when a file or an option is wrong.\n"
"\n", run_opts, 30);

void
sim_run_usage(void)
{
	sim_opts_usage(&run_optab);
}

static int
check(struct scen_opts *o, int argc, int first)
{
	if (o->addr.arg == NULL) {
		fprintf(stderr, "scheme-sim run: --connect or --listen is "
		    "required\n");
		return -1;
	}
	if (first >= argc) {
		fprintf(stderr, "scheme-sim run: no scenario file\n");
		return -1;
	}
	if (o->signon_code[0] == '\0')
		strcpy(o->signon_code, strcmp(o->profile, "mastercard") == 0 ?
		    "061" : "001");
	return 0;
}

/* Every file loaded (and checked), or -1 once one is said wrong. */
static int
load_all(struct scen_file *v, int n, char **paths, const char *only,
    int *ncases)
{
	char err[512];
	int i, j;

	*ncases = 0;
	for (i = 0; i < n; i++) {
		if (scen_load(&v[i], paths[i], err, sizeof err) == -1) {
			fprintf(stderr, "scheme-sim run: %s\n", err);
			while (i-- > 0)
				scen_file_free(&v[i]);
			return -1;
		}
		for (j = 0; j < v[i].ncases; j++)
			if (only == NULL || strcmp(only,
			    v[i].cases[j].name) == 0)
				(*ncases)++;
	}
	return 0;
}

static int
run_all(struct scen_run *r, struct scen_file *v, int n,
    struct scen_result *res, int *nres)
{
	const struct scen_opts *o = r->o;
	int i, j, nf = 0;
	uint64_t t = 0;

	*nres = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].ncases; j++) {
			if (o->case_name != NULL &&
			    strcmp(o->case_name, v[i].cases[j].name) != 0)
				continue;
			scen_run_case(r, &v[i], &v[i].cases[j], &res[*nres]);
			if (!o->quiet || !res[*nres].passed)
				scen_report_line(&res[*nres], stdout);
			fflush(stdout);
			nf += !res[*nres].passed;
			t += res[*nres].ns;
			(*nres)++;
		}
	printf("%d cases: %d passed, %d failed, %.3f s\n", *nres, *nres - nf,
	    nf, (double)t / 1e9);
	return nf;
}

int
sim_run_main(int argc, char **argv)
{
	struct scen_opts o = { .profile = "iso87", .framing = "len2",
	    .signon = 1, .connect_ns = 10000000000ull };
	struct scen_file *files = NULL;
	struct scen_result *res = NULL;
	struct scen_run *r = NULL;
	char err[512];
	int first, nfiles = 0, ncases, nres = 0, rc = 2, nf;

	if (sim_opts_parse(&run_optab, &o, argc, argv, &first) == -1 ||
	    check(&o, argc, first) == -1)
		return 2;
	if (sodium_init() < 0)
		return 2;
	nfiles = argc - first;
	if ((files = calloc((size_t)nfiles, sizeof *files)) == NULL ||
	    load_all(files, nfiles, argv + first, o.case_name, &ncases) == -1) {
		free(files);
		return 2;
	}
	if (ncases == 0) {
		fprintf(stderr, "scheme-sim run: no case%s%s\n",
		    o.case_name ? " named " : "", o.case_name ? o.case_name :
		    "");
		goto out;
	}
	if ((res = calloc((size_t)ncases, sizeof *res)) == NULL ||
	    (r = malloc(sizeof *r)) == NULL)
		goto out;
	if (scen_run_init(r, &o, err, sizeof err) == -1) {
		fprintf(stderr, "scheme-sim run: %s\n", err);
		free(r);
		r = NULL;
		goto out;
	}
	nf = run_all(r, files, nfiles, res, &nres);
	rc = nf ? 1 : 0;
	if (o.junit && scen_report_junit(res, nres, o.junit) == -1) {
		log_warn("event=junit_failed path=%s", o.junit);
		rc = 2;
	}
	if (o.json && scen_report_json(res, nres, o.json) == -1) {
		log_warn("event=json_failed path=%s", o.json);
		rc = 2;
	}
	scen_run_free(r);
out:
	free(r);
	free(res);
	while (nfiles-- > 0)
		scen_file_free(&files[nfiles]);
	free(files);
	return rc;
}
