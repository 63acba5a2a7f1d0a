/*
 * cardsmain.h — `scheme-sim cards generate|request|list|tables`: the test
 * card portfolio (portfolio.h) made, used for requests, and listed for the
 * scheme side.
 */
#ifndef SIM_CARDSMAIN_H
#define SIM_CARDSMAIN_H

#include <stddef.h>

int	sim_cards_main(int argc, char **argv);
void	sim_cards_usage(void);

/* cardsgen.c, cardsreq.c, cardstab.c; argv[0] is the subcommand's
 * name. */
int	sim_cards_generate(int argc, char **argv);
void	sim_cards_generate_usage(void);
int	sim_cards_request(int argc, char **argv);
void	sim_cards_request_usage(void);
int	sim_cards_tables(int argc, char **argv);
void	sim_cards_tables_usage(void);
/* The account range prefix (6 digits) of the portfolio's card i. */
const char *sim_card_prefix(size_t i);

#endif
