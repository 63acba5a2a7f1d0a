/*
 * scenparse.h — the parts of the scenario loader (scenario.c: the file,
 * its cases and steps; scenfields.c: the send and expect steps and the
 * scheme-link steps) and the checks they share.  Private to the loader.
 */
#ifndef SIM_SCENPARSE_H
#define SIM_SCENPARSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "scheme-sim/scenario.h"

/* Where an error is: set before each step is read. */
struct scen_where {
	char	*err;
	size_t	 errsz;
	int	 ci, si;	/* -1: not in one */
	const char *cname;
};

/* An error naming the case and step: -1. */
int	scen_bad(struct scen_where *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Each key of obj must be one of the names (NULL-terminated). */
int	scen_only_keys(struct scen_where *, json_t *obj, const char *what,
	    const char *const *names);
/* A string member, or NULL; -1 if present and not a string. */
int	scen_opt_str(struct scen_where *, json_t *obj, const char *key,
	    const char **out);
/* A duration member ("2s", "150ms"), or def. */
int	scen_opt_dur(struct scen_where *, json_t *obj, const char *key,
	    uint64_t def, uint64_t *out);
/* A data element number, 2..192 (as a JSON key); -1. */
int	scen_field_no(struct scen_where *, const char *k);
int	scen_is_digits(const char *s, size_t lo, size_t hi);

/* scenfields.c */
int	scen_parse_send(struct scen_where *, json_t *obj, struct scen_send *);
int	scen_parse_expect(struct scen_where *, json_t *obj, uint64_t def_ns,
	    struct scen_expect *);
/* {"kind": "P"|"M", "key": 32H, "kcv": 6H, "as": NAME} */
int	scen_parse_key_change(struct scen_where *, json_t *obj,
	    struct scen_keychg *);
/* {"mti": MTI, "de39": RC, "within": D} */
int	scen_parse_answer(struct scen_where *, json_t *obj, uint64_t def_ns,
	    struct scen_step *);

#endif
