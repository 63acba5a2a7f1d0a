/*
 * scenmain.h — `scheme-sim run`: scenario files run against a gateway
 * link (scenario.h).
 */
#ifndef SIM_SCENMAIN_H
#define SIM_SCENMAIN_H

int	sim_run_main(int argc, char **argv);
void	sim_run_usage(void);

#endif
