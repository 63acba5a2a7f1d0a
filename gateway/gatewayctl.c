/*
 * gatewayctl.c — operator CLI.  A thin dispatcher: the tunnel commands
 * live in tunnel/tunnelctl.c; the daemon's control-socket commands
 * (status, links, cores, standin, saf, reload) are not written yet.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <sodium.h>

#include "iso8583/log.h"
#include "tunnel/tunnelctl.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: gatewayctl [-v] COMMAND ...\n\ncommands:\n");
	tunnelctl_usage(f);
}

int
main(int argc, char **argv)
{
	static const char *later[] = { "status", "links", "cores", "standin",
	    "saf", "reload", NULL };
	struct rlimit nocore = { 0, 0 };
	int verbose = 0, i;

	/* Key material passes through here: never into a core file. */
	setrlimit(RLIMIT_CORE, &nocore);
	while (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose++;
		argc--;
		argv++;
	}
	log_init("gatewayctl", verbose);
	if (sodium_init() < 0) {
		fprintf(stderr, "gatewayctl: libsodium init failed\n");
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "tunnel") == 0)
		return tunnelctl_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "genkey") == 0)
		return tunnelctl_genkey(argc - 1, argv + 1);
	if (strcmp(argv[1], "pubkey") == 0)
		return tunnelctl_pubkey(argc - 1, argv + 1);
	for (i = 0; later[i] != NULL; i++)
		if (strcmp(argv[1], later[i]) == 0) {
			fprintf(stderr, "gatewayctl: %s: not available yet\n",
			    argv[1]);
			return 1;
		}
	fprintf(stderr, "gatewayctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
