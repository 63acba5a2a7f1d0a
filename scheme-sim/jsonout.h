/*
 * jsonout.h — how scheme-sim writes JSON (run reports, the core's
 * counters, advice records, `cards request`): documents built with
 * jansson, written compact on one line, ASCII only.  Scripts read these
 * with python3, so integers stay integers and a figure printed with a
 * fixed number of decimals keeps exactly those.
 */
#ifndef SIM_JSONOUT_H
#define SIM_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* A real as printf's "%.*f" shows it (12.3 stays 12.3, 4 becomes 4.0). */
json_t	*sim_json_fixed(double v, int decimals);
/* A string of bytes off the wire, each byte the Latin-1 character. */
json_t	*sim_json_bytes(const void *, size_t);
/* fields["key"] = v as sim_json_bytes makes it.  0 / -1. */
int	sim_json_set(json_t *fields, const char *key, const char *v);
/* obj[key] = v as an integer.  0 / -1. */
int	 sim_json_set_u64(json_t *obj, const char *key, uint64_t v);
/* Writes doc and a newline to f, or to the file path (created or
 * truncated), and releases doc.  0 / -1. */
int	 sim_json_print(FILE *f, json_t *doc);
int	 sim_json_save(const char *path, json_t *doc);

#endif
