/*
 * tunnelctl.h — the tunnel commands of gatewayctl.  Each takes its own
 * argv (argv[0] is the command name) and returns an exit status.
 */
#ifndef TUNNEL_TUNNELCTL_H
#define TUNNEL_TUNNELCTL_H

#include <stdio.h>

int	tunnelctl_main(int argc, char **argv);	/* tunnel up|down|sync|show */
int	tunnelctl_genkey(int argc, char **argv);
int	tunnelctl_pubkey(int argc, char **argv);
void	tunnelctl_usage(FILE *);

#endif
