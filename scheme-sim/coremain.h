/*
 * coremain.h — `scheme-sim core` entry point and help.
 */
#ifndef SIM_COREMAIN_H
#define SIM_COREMAIN_H

int	sim_core_main(int argc, char **argv);
void	sim_core_usage(void);

#endif
