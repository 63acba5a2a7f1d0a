/*
 * gatewayctl.c — operator CLI.  A thin dispatcher: the tunnel commands
 * live in tunnel/tunnelctl.c; the daemon's control-socket commands
 * (status, links, cores, standin, reload; --json, -s SOCKET) in
 * gateway/ctlclient.c.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <sodium.h>

#include "base/log.h"
#include "gateway/ctlclient.h"
#include "tunnel/wg/tunnelctl.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: gatewayctl [-v] COMMAND ...\n\ncommands:\n");
	tunnelctl_usage(f);
	fprintf(f, "  [-s SOCKET] [--json] status | links | cores | standin | saf"
	    " | pair |\n      standin force on|off|auto | reload | link NAME "
	    "rekey |\n      saf in|out pause|resume|replay | saf import FILE\n"
	    "                       gatewayd's control socket (default "
	    "/run/gatewayd/control.sock,\n"
	    "                       or $GATEWAYCTL_SOCKET)\n"
	    "  saf export -f CONF FILE\n"
	    "                       a stopped appliance's advice queue (CONF: "
	    "its config)\n"
	    "                       into FILE, sealed under its [Pair] "
	    "KeyFile\n");
}

int
main(int argc, char **argv)
{
	struct rlimit nocore = { 0, 0 };
	int verbose = 0;

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
	/* Everything else is a request to the running daemon. */
	return ctlclient_main(argc, argv);
}
