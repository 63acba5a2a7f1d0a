/*
 * ctlclient.h — gatewayctl's control-socket client.
 */
#ifndef GATEWAY_CTLCLIENT_H
#define GATEWAY_CTLCLIENT_H

int	ctlclient_main(int argc, char **argv);
/* One command to the daemon at sock (NULL: the default), its answer in
 * out: the length, or -1 (said on stderr). */
int	ctlclient_ask(const char *sock, const char *cmd, char *out,
	    size_t cap);

/* safctl.c: `saf export -f CONF FILE` (argv[0] "export") from a stopped
 * appliance's store; `saf import FILE` into the running one at sock. */
int	safctl_export(int argc, char **argv);
int	safctl_import(const char *sock, int argc, char **argv);

#endif
