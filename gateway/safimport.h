/*
 * safimport.h — an export file of a dead appliance's advice queue, put in
 * StateDirectory/import/ by `gatewayctl saf import`, into our queue.
 */
#ifndef GATEWAY_SAFIMPORT_H
#define GATEWAY_SAFIMPORT_H

#include <stddef.h>

struct seal_keyring;

/* state_dir/import/name, opened with ring (the pair's keys): every
 * advice queued, the file renamed name.done; 0 with msg, or -1 with msg
 * (nothing imported). */
int	saf_import_file(const char *state_dir, const struct seal_keyring *ring,
	    const char *name, char *msg, size_t cap);

#endif
