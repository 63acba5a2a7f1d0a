/*
 * admit.h — admission: a request that cannot be answered within its
 * deadline any more, or would wait behind a queue past it, is answered
 * DE39 91 at once rather than late (doc/architecture.md section 3,
 * "Overload").
 */
#ifndef GATEWAY_ADMIT_H
#define GATEWAY_ADMIT_H

#include <stdint.h>

struct conn;
struct iso_msg;

/*
 * Before a request goes to stand-in (t0: its arrival at the host, from
 * the kernel; now: the loop's clock): 0 to go on, or -1 when it was
 * answered 91 here (not remembered for duplicates, as link_admit's).
 */
int	admit_standin(struct conn *, const struct iso_msg *, uint64_t t0,
	    uint64_t now);

#endif
