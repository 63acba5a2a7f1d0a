/*
 * wgconf.h — the wg-quick style tunnel file: [Interface] and any number
 * of [Peer] sections.  Parsed and fully validated before anything is
 * applied; errors read "FILE:LINE: Key: reason".
 *
 * Parsed by hand rather than with libinih: Debian's libinih is built
 * without INI_CALL_HANDLER_ON_NEW_SECTION (two [Peer] sections in a row
 * look like one), passes no line numbers to the handler, cuts lines at
 * 200 bytes, and treats ';' and indented lines differently from wg-quick.
 */
#ifndef TUNNEL_WGCONF_H
#define TUNNEL_WGCONF_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wg/wg.h"

#define WG_TABLE_OFF	(-1L)	/* Table = off: no routes */
#define WG_TABLE_AUTO	0L	/* main table */

struct wg_config {
	char			 ifname[IFNAMSIZ];
	struct wg_device	 dev;	/* flags has REPLACE_PEERS etc. */
	struct wg_allowedip	*addrs;	/* Address = (host bits kept) */
	size_t			 naddrs, addrs_cap;
	uint32_t		 mtu;	/* 0: leave as is */
	long			 table;
};

/* Interface name from FILE's basename: /etc/x/wg0.conf -> wg0. */
int	wg_config_ifname(char out[IFNAMSIZ], const char *path);

/* Read, check the mode when the file holds keys, parse, validate. */
int	wg_config_load(struct wg_config *, const char *path,
	    char *err, size_t errlen);

/*
 * Parse a buffer.  name is used in errors; basedir resolves relative
 * key file paths; file_mode is the file's st_mode (so inline keys in a
 * group/other readable file are refused); ifname may be NULL.
 */
int	wg_config_parse(struct wg_config *, const char *name, const char *buf,
	    size_t len, const char *basedir, unsigned int file_mode,
	    char *err, size_t errlen);

void	wg_config_free(struct wg_config *);

#endif
