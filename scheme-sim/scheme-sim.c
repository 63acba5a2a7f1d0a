/*
 * scheme-sim — plays the scheme and the cloud core around gatewayd.
 *   scheme-sim scheme ...   load, checks, latency report
 *   scheme-sim core ...     the core on the core link, or a plain ISO peer
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "scheme-sim/coremain.h"
#include "scheme-sim/portfolio.h"
#include "scheme-sim/schemesim.h"

static void
usage(void)
{
	fprintf(stderr,
"usage: scheme-sim scheme [options]   play a scheme towards a gateway link\n"
"       scheme-sim core [options]     play the cloud core (or --tcp: a plain\n"
"                                     ISO 8583 peer)\n"
"       scheme-sim cards generate|request|list ...  test portfolio\n"
"       scheme-sim help [scheme|core]\n"
"\n"
"scheme-sim SUBCOMMAND --help for the options of each.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "scheme") == 0) {
		log_init("scheme-sim", 0);
		return sim_scheme_main(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "core") == 0) {
		log_init("scheme-sim-core", 0);
		return sim_core_main(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "cards") == 0) {
		log_init("scheme-sim-cards", 0);
		return sim_cards_main(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		if (argc > 2 && strcmp(argv[2], "scheme") == 0)
			sim_scheme_usage();
		else if (argc > 2 && strcmp(argv[2], "core") == 0)
			sim_core_usage();
		else
			usage();
		return 0;
	}
	fprintf(stderr, "scheme-sim: unknown subcommand %s\n", argv[1]);
	usage();
	return 2;
}
