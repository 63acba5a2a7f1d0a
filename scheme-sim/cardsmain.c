/*
 * cardsmain.c — `scheme-sim cards`: its subcommands from one table, and
 * `cards list`, the scheme's card list from a portfolio.
 */
#include <stdio.h>

#include "scheme-sim/cardsmain.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/portfolio.h"
#include "scheme-sim/subcmd.h"

static const struct sim_opt list_opts[] = {
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab list_optab = SIM_OPTAB("scheme-sim cards list",
    "usage: scheme-sim cards list PORTFOLIO\n\n"
    "Prints a line per card, PAN YYMM 0 CVC2: the --cards list of\n"
    "scheme-sim scheme.\n\n", list_opts, 16);

static void
list_usage(void)
{
	sim_opts_usage(&list_optab);
}

static int
list_main(int argc, char **argv)
{
	struct sim_portfolio p;
	char err[256];
	size_t i;
	int first;

	if (sim_opts_parse(&list_optab, NULL, argc, argv, &first) == -1)
		return 2;
	if (first >= argc) {
		list_usage();
		return 2;
	}
	if (sim_portfolio_load(&p, argv[first], err, sizeof err) == -1) {
		fprintf(stderr, "scheme-sim cards: %s\n", err);
		return 1;
	}
	for (i = 0; i < p.n; i++)
		printf("%s %s 0 %s\n", p.v[i].pan, p.v[i].exp, p.v[i].cvc2);
	sim_portfolio_free(&p);
	return 0;
}

static const struct sim_subcmd cards_cmds[] = {
	{ "generate", "N --lmk FILE --out FILE [--special]", "",
	    sim_cards_generate, sim_cards_generate_usage, NULL },
	{ "request", "--portfolio FILE --index I [...]", "",
	    sim_cards_request, sim_cards_request_usage, NULL },
	{ "list", "PORTFOLIO", "", list_main, list_usage, NULL },
	{ "tables", "PORTFOLIO", "", sim_cards_tables, sim_cards_tables_usage,
	    NULL },
};

static const struct sim_subcmds cards = SIM_SUBCMDS("scheme-sim cards",
    cards_cmds, 0, "\nscheme-sim cards SUBCOMMAND --help for the options "
    "of each.\n");

void
sim_cards_usage(void)
{
	sim_subcmds_usage(&cards);
}

int
sim_cards_main(int argc, char **argv)
{
	return sim_subcmds_run(&cards, argc, argv);
}
