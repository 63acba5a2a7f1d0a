/*
 * client-int.h — the request builder client.c lends cmds.c: a request is
 * started with its command code, fields are added (each checked: a bad
 * one fails the whole request), and b_submit sends it or returns -1.
 */
#ifndef HSM_CLIENT_INT_H
#define HSM_CLIENT_INT_H

#include <stddef.h>

#include "hsm/client/hsmclient.h"

void	b_start(struct hsm_client *, const char *code);
void	b_add(struct hsm_client *, const void *, size_t);
void	b_str(struct hsm_client *, const char *);
/* exactly n characters, decimal digits or hex */
void	b_field(struct hsm_client *, const char *, size_t n, int digits);
/* a key block: 'S' and upper-case letters and digits */
void	b_key(struct hsm_client *, const char *);
/* the request is bad: b_submit will refuse it */
void	b_fail(struct hsm_client *);
int	b_submit(struct hsm_client *, enum hsm_kind, hsm_cb *, void *arg);

#endif
