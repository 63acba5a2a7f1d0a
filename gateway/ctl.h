/*
 * ctl.h — the control socket (unix stream, ControlSocket).  Protocol: the
 * client sends one line, "COMMAND [ARG...] [--json]\n" (at most 256
 * bytes), the daemon answers with text (or one JSON object) and closes.
 * Commands: status, links, cores, standin, saf, standin force
 * on|off|auto,
 * reload.
 */
#ifndef GATEWAY_CTL_H
#define GATEWAY_CTL_H

#include <sys/types.h>

#include <stddef.h>

struct event_base;

#define CTL_LINE_MAX	256

/* `reload`: re-reads the config; 0 or -1, with a message either way. */
typedef int ctl_reload_fn(char *msg, size_t cap);

/* group: members may use the socket too (-1: its owner and root only). */
int	ctl_start(struct event_base *, const char *path, gid_t group,
	    ctl_reload_fn *);
void	ctl_stop(void);

#endif
