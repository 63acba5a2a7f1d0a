/*
 * admit.h — admission: a request that cannot be answered within its
 * deadline any more, or would wait behind a queue past it, is answered
 * DE39 91 at once rather than late (doc/architecture.md section 3,
 * "Overload").
 */
#ifndef GATEWAY_ADMIT_H
#define GATEWAY_ADMIT_H

#include <stdint.h>

struct link;
struct iso_msg;

/*
 * Before a request goes to stand-in (t0: its arrival at the host, from
 * the kernel; now: the loop's clock): NULL to go on, or why it is to be
 * answered 91 at once ("shed-old", "shed-busy"), counted on l.
 */
const char *admit_standin(struct link *l, const struct iso_msg *,
	    uint64_t t0, uint64_t now);

#endif
