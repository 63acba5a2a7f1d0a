/*
 * hsmdconf.h — hsmd's listeners: each one an address, the commands it
 * serves, who may connect. From a config file (hsmd --config) and from
 * -l on the command line; hsmd -n prints the result in the form the
 * file reads back.
 *
 *   [Listener NAME]
 *   Address = unix:PATH | tcp:HOST:PORT       required
 *   Allow   = verify | all | codes ...        default verify
 *   Mode    = 0660                            unix only; default 0660 for
 *                                             a verify-only listener, else
 *                                             0600
 *   Peers   = ADDR[/PREFIX], ...              tcp only, required for tcp
 *
 * -l takes ADDR[,allow=SET][,mode=OCTAL][,peers=P[,P...]][,name=NAME];
 * a piece without '=' continues the list before it (allow=CY,EC). Such
 * a listener is named l1, l2, ... in -l order unless name= says.
 *
 * Addresses are checked for form here and resolved by hsmd (hsm_addr).
 */
#ifndef HSM_HSMDCONF_H
#define HSM_HSMDCONF_H

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>

#include "base/net.h"
#include "hsm/cmd.h"

#define HSMD_MAX_LISTEN	8
#define HSMD_MAX_PEERS	16
#define HSMD_NAME_MAX	32

struct hsmd_listener {
	char		 name[HSMD_NAME_MAX];
	char		 addr[256];
	int		 is_unix;
	hsm_allow	 allow;		/* 0 until set: verify by default */
	int		 mode;		/* unix socket file mode; -1 unset */
	struct net_prefix peers[HSMD_MAX_PEERS];
	int		 npeers;
	int		 line;		/* 0: from -l */
	unsigned	 seen;		/* keys given, against repeats */
};

struct hsmd_conf {
	char			 file[256];
	struct hsmd_listener	 l[HSMD_MAX_LISTEN];
	int			 n;
	int			 nargs;		/* -l so far, for l1, l2 */
};

void	hsmd_conf_init(struct hsmd_conf *);
/* Adds the listeners of a file; 0, or -1 and "FILE:LINE: message". */
int	hsmd_conf_load(struct hsmd_conf *, const char *path, char *err,
	    size_t errsz);
/* Adds one -l listener; 0, or -1 and a message naming it. */
int	hsmd_conf_add_arg(struct hsmd_conf *, const char *spec, char *err,
	    size_t errsz);
/*
 * Whole-config rules, then defaults filled in: at least one listener,
 * Address required, tcp needs Peers, Peers only on tcp, Mode only on
 * unix, no address twice.
 */
int	hsmd_conf_check(struct hsmd_conf *, char *err, size_t errsz);
void	hsmd_conf_print(const struct hsmd_conf *, FILE *);
/* 1 if the address (AF_INET, AF_INET6, v4-mapped) is in the Peers. */
int	hsmd_peer_ok(const struct hsmd_listener *, const struct sockaddr *);

#endif
