/*
 * schemesim.h — `scheme-sim scheme`: plays a card or payment scheme
 * towards a gateway link (sign-on, echo answers, authorisation load,
 * response checks, latency report).
 */
#ifndef SIM_SCHEMESIM_H
#define SIM_SCHEMESIM_H

int	sim_scheme_main(int argc, char **argv);
void	sim_scheme_usage(void);

#endif
