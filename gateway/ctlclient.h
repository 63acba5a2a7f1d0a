/*
 * ctlclient.h — gatewayctl's control-socket client.
 */
#ifndef GATEWAY_CTLCLIENT_H
#define GATEWAY_CTLCLIENT_H

#include <stddef.h>

int	ctlclient_main(int argc, char **argv);
#define CTL_DEFAULT_SOCK	"/run/gatewayd/control.sock"

/* ctlask.c: connected to sock with line (len bytes) sent, the
 * descriptor; or -1, said on stderr. */
int	ctl_dial(const char *sock, const char *line, size_t len);
/* One command to the daemon at sock (NULL: the default), its answer in
 * out: the length, or -1 (said on stderr). */
int	ctlclient_ask(const char *sock, const char *cmd, char *out,
	    size_t cap);

/* safctl.c: `saf export -f CONF FILE` (argv[0] "export") from a stopped
 * appliance's store; `saf import FILE` into the running one at sock. */
int	safctl_export(int argc, char **argv);
int	safctl_import(const char *sock, int argc, char **argv);

#endif
