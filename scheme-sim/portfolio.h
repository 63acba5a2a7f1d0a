/*
 * portfolio.h — a test card portfolio shared by both simulators: the core
 * pushes it to the gateway as SNAPSHOT records (key blocks under the
 * HSM's LMK, PVVs, limits, balances), the scheme builds requests whose
 * card verification data (CVC1 in track 2, CVC2 in DE48 SE92, a PIN block
 * under the ZPK, an ARQC from MK-AC) verify against those keys.
 *
 * TEST ONLY: the file holds the clear test keys so the scheme side can
 * compute cryptograms.  `scheme-sim cards generate` forms the key blocks
 * through hsmctl (the only tool that takes clear keys) and writes the file
 * mode 0600.
 *
 *   # comment
 *   clear CVK=HEX PVK=HEX MK-AC=HEX ZPK=HEX
 *   blocks CVK=S...;PVK=S...;MK-AC=S...;ZPK=S...
 *   card PAN YYMM STATUS TXNLIMIT DAILY BALANCE CUR ACCOUNT PIN PVKI PVV
 *        CVV1 CVC2
 */
#ifndef SIM_PORTFOLIO_H
#define SIM_PORTFOLIO_H

#include <stddef.h>
#include <stdint.h>

struct sim_pcard {
	char		 pan[20];
	char		 exp[5];
	char		 status[8];
	uint64_t	 txn_limit, daily;
	int64_t		 balance;
	char		 cur[4];
	char		 account[24];
	char		 pin[7];
	char		 pvki;
	char		 pvv[5];
	char		 cvv1[4];
	char		 cvc2[4];
};

struct sim_portfolio {
	uint8_t		 cvk[16], pvk[16], mkac[16], zpk[16];
	char		 blocks[640];
	struct sim_pcard *v;
	size_t		 n;
};

int	sim_portfolio_load(struct sim_portfolio *, const char *path, char *err,
	    size_t errsz);
void	sim_portfolio_free(struct sim_portfolio *);
/* A card by PAN, or NULL. */
const struct sim_pcard *sim_portfolio_find(const struct sim_portfolio *,
	    const char *pan);

/*
 * SNAPSHOT bodies: cards from *next on, as many as fit in cap bytes, under
 * version; *next advances.  Returns the body length (0: no card left).
 */
size_t	sim_portfolio_snapshot(const struct sim_portfolio *, size_t *next,
	    uint64_t version, uint8_t *out, size_t cap);

/* n bytes as 2n upper-case hex digits and a NUL (clear keys too). */
void	sim_tohex(const uint8_t *, size_t n, char *out);

/* The ISO 9564 format 0 account number of a PAN: its 12 rightmost
 * digits but the check digit, into acct; -1 for a PAN under 13 digits. */
int	sim_pin_account(const char *pan, char acct[13]);

#endif
