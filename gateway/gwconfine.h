/*
 * gwconfine.h — gatewayd's Landlock and seccomp (gwconfine.c).
 */
#ifndef GATEWAY_GWCONFINE_H
#define GATEWAY_GWCONFINE_H

#include <stddef.h>

struct config;

struct gw_confinement {
	int	landlock_abi;		/* 0: not confined (no Landlock) */
	int	seccomp;
};

/* Before the store starts: 0, or -1 with err (gatewayd does not start). */
int	gw_confine_files(const struct config *, char *err, size_t errsz);
/* When start-up is done: 0, or -1 with err. */
int	gw_confine_syscalls(char *err, size_t errsz);
const struct gw_confinement *gw_confinement(void);

#endif
