/*
 * gatewayctl.c — the control CLI: a thin dispatcher.  WireGuard commands
 * (tunnel, genkey, pubkey) belong to the tunnel code (tunnelctl_main);
 * everything else talks to gatewayd's control socket (ctlclient.c).
 */
#include <stddef.h>
#include <string.h>
#include <stdio.h>

#include "gateway/ctlclient.h"

/* Weak until the tunnel branch is merged: then tunnel/tunnelctl.c
 * provides it and this declaration can lose the attribute. */
int	tunnelctl_main(int, char **) __attribute__((weak));

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "tunnel") == 0 ||
	    strcmp(argv[1], "genkey") == 0 || strcmp(argv[1], "pubkey") == 0)) {
		if (tunnelctl_main == NULL) {
			fprintf(stderr, "gatewayctl: %s: built without tunnel "
			    "support\n", argv[1]);
			return 2;
		}
		return tunnelctl_main(argc, argv);
	}
	return ctlclient_main(argc, argv);
}
