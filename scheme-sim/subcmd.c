/*
 * subcmd.c — dispatch and usage from a table of subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/subcmd.h"

void
sim_subcmds_usage(const struct sim_subcmds *t)
{
	char lhs[160];
	size_t i;

	for (i = 0; i < t->n; i++) {
		snprintf(lhs, sizeof lhs, "%s%s %s %s",
		    i ? "       " : "usage: ", t->cmd, t->v[i].name,
		    t->v[i].args);
		sim_help_row(lhs, t->col, t->v[i].what);
	}
	fputs(t->footer, stderr);
}

const struct sim_subcmd *
sim_subcmd_find(const struct sim_subcmds *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

int
sim_subcmds_run(const struct sim_subcmds *t, int argc, char **argv)
{
	const struct sim_subcmd *sc;

	if (argc < 2) {
		sim_subcmds_usage(t);
		return 2;
	}
	if ((sc = sim_subcmd_find(t, argv[1])) == NULL) {
		fprintf(stderr, "%s: unknown subcommand %s\n", t->cmd, argv[1]);
		sim_subcmds_usage(t);
		return 2;
	}
	if (sc->log_as != NULL)
		log_init(sc->log_as, 0);
	return sc->main(argc - 1, argv + 1);
}
