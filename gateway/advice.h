/*
 * advice.h — a scheme's advices: durable, then acknowledged, then on to
 * the core (advice.c).  Handed to the links by the router.
 */
#ifndef GATEWAY_ADVICE_H
#define GATEWAY_ADVICE_H

#include <stdint.h>

struct conn;
struct iso_msg;

/* The gateway's name for the advices, and Durability = none. */
void	advice_configure(const char *name, int lab);
/* Stores m, acknowledges it once durable (lab mode: at once). */
void	advice_scheme(struct conn *, struct iso_msg *, uint64_t t0);

#endif
