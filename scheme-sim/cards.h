/*
 * cards.h — the card list the scheme simulator draws from: built-in
 * synthetic test cards (Luhn-valid, test BINs) or a file, one card a line:
 *     PAN [EXPIRY_YYMM [AMOUNT_MINOR [CVC2]]]   (# starts a comment)
 * A per-card amount overrides the load's amount for that card.
 */
#ifndef SIM_CARDS_H
#define SIM_CARDS_H

#include <stddef.h>
#include <stdint.h>

struct sim_card {
	char		pan[20];	/* NUL-terminated digits, 12..19 */
	char		exp[5];		/* YYMM */
	uint64_t	amount;		/* 0: use the load's amount */
	char		cvc2[5];	/* "": none; else sent in DE48 SE92 */
};

struct sim_cards {
	struct sim_card	*v;
	size_t		 n, cap;
};

int	sim_cards_builtin(struct sim_cards *);
/* On error, err names the line and what is wrong. */
int	sim_cards_load(struct sim_cards *, const char *path, char *err,
	    size_t errsz);
void	sim_cards_free(struct sim_cards *);
int	sim_luhn_ok(const char *pan);
/* Appends the Luhn check digit to a PAN body of len digits (out holds
 * len + 2 bytes). */
void	sim_luhn_complete(const char *body, size_t len, char *out);

#endif
