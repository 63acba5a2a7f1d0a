/*
 * scheme-sim — plays the scheme and the cloud core around gatewayd.
 *   scheme-sim scheme ...   load, checks, latency report
 *   scheme-sim core ...     the core on the core link, or a plain ISO peer
 *   scheme-sim cards ...    the test card portfolio both sides share
 *   scheme-sim run FILE...  scenario files: cases, faults, reports
 */
#include <string.h>

#include "scheme-sim/cardsmain.h"
#include "scheme-sim/coremain.h"
#include "scheme-sim/scenmain.h"
#include "scheme-sim/schemesim.h"
#include "scheme-sim/subcmd.h"

static int	help_main(int, char **);
static void	top_usage(void);

static const struct sim_subcmd subcmds[] = {
	{ "scheme", "[options]", "play a scheme towards a gateway link",
	    sim_scheme_main, sim_scheme_usage, "scheme-sim" },
	{ "core", "[options]", "play the cloud core (or --tcp: a plain\n"
	    "ISO 8583 peer)", sim_core_main, sim_core_usage,
	    "scheme-sim-core" },
	{ "cards", "generate|request|list ...", "test portfolio",
	    sim_cards_main, sim_cards_usage, "scheme-sim-cards" },
	{ "run", "[options] FILE...", "run scenario files against a gateway\n"
	    "link (JUnit, JSON)", sim_run_main, sim_run_usage,
	    "scheme-sim-run" },
	{ "help", "[scheme|core|cards|run]", "", help_main, top_usage, NULL },
};

static const struct sim_subcmds top = SIM_SUBCMDS("scheme-sim", subcmds, 37,
    "\nscheme-sim SUBCOMMAND --help for the options of each.\n");

static void
top_usage(void)
{
	sim_subcmds_usage(&top);
}

/* `help [SUBCOMMAND]`: that subcommand's help, else this one's. */
static int
help_main(int argc, char **argv)
{
	const struct sim_subcmd *sc;

	if (argc > 1 && (sc = sim_subcmd_find(&top, argv[1])) != NULL)
		sc->usage();
	else
		top_usage();
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0))
		return help_main(argc - 1, argv + 1);
	return sim_subcmds_run(&top, argc, argv);
}
