/*
 * sistate.c — the stand-in's state, shared by its files (si.h).  Defined
 * on its own so that no file calls up into standin.c to reach it.
 */
#include "gateway/standin/si.h"

struct si_state SI;
