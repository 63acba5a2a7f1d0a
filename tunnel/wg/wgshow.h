/*
 * wgshow.h — print devices for people (like wg show) or for programs
 * (--json).  Private and preshared keys are never printed.
 */
#ifndef TUNNEL_WGSHOW_H
#define TUNNEL_WGSHOW_H

#include <stdio.h>
#include <time.h>

#include "tunnel/wg/wgctl.h"

void	wg_show_text(FILE *, const struct wg_device *, enum wg_backend,
	    time_t now);
void	wg_show_json(FILE *, const struct wg_device *, enum wg_backend,
	    time_t now);

#endif
