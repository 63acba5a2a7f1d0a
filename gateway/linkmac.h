/*
 * linkmac.h — MACs (DE64/DE128) on a link with MAC = yes, through the
 * HSM under the link's MAC key (linkmac.c).
 */
#ifndef GATEWAY_LINKMAC_H
#define GATEWAY_LINKMAC_H

#include <stddef.h>
#include <stdint.h>

struct conn;
struct iso_msg;

typedef void linkmac_then_fn(struct conn *, struct iso_msg *, uint64_t t0);

/* A packed message about to be framed: 1 when it needs a MAC and was
 * taken (sent later by conn_send_raw, or not at all), 0 to send as is. */
int	linkmac_send(struct conn *, const uint8_t *, size_t);
/* A message received as w: 1 when its MAC is checked (then runs once it
 * verified; a bad one is answered), 0 when it carries none to check. */
int	linkmac_receive(struct conn *, const uint8_t *w, size_t len,
	    const struct iso_msg *, uint64_t t0, linkmac_then_fn *then);

#endif
