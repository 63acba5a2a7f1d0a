/*
 * subcmd.h — a command's subcommands from one table (scheme-sim scheme,
 * core, cards; cards generate, request, list): the same rows dispatch and
 * print the usage.
 */
#ifndef SIM_SUBCMD_H
#define SIM_SUBCMD_H

#include <stddef.h>

struct sim_subcmd {
	const char	*name;
	const char	*args;		/* what follows the name in the usage */
	const char	*what;		/* what it does; '\n' continues */
	int		(*main)(int argc, char **argv);	/* argv[0]: name */
	void		(*usage)(void);
	const char	*log_as;	/* program name in log lines, or NULL */
};

struct sim_subcmds {
	const char		*cmd;		/* "scheme-sim cards" */
	const struct sim_subcmd	*v;
	size_t			 n;
	int			 col;		/* where "what" starts */
	const char		*footer;
};

#define SIM_SUBCMDS(cmd, rows, col, footer) \
	{ (cmd), (rows), sizeof(rows) / sizeof((rows)[0]), (col), (footer) }

void	sim_subcmds_usage(const struct sim_subcmds *);
/* The row called name, or NULL. */
const struct sim_subcmd *sim_subcmd_find(const struct sim_subcmds *,
	    const char *name);
/* Runs the subcommand argv[1] names on argv + 1, and returns its exit
 * status; the usage and 2 when there is none. */
int	sim_subcmds_run(const struct sim_subcmds *, int argc, char **argv);

#endif
