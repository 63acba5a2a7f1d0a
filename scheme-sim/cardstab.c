/*
 * cardstab.c — the account ranges of a test portfolio: which range card
 * i is issued in (`cards generate`), and `scheme-sim cards tables`, the
 * gateway's stand-in parameter tables for them ([Range NAME] sections to
 * append to gatewayd.conf).  Three products the way an issuer has them:
 * classic with ordinary limits, premium with higher ones, prepaid with
 * no cash, no stored credentials and few uses a day; and `default` for a
 * card in none of them.  The text is fixed, so two runs print the same.
 */
#include <stdio.h>
#include <string.h>

#include "scheme-sim/cardsmain.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/portfolio.h"

/* Cards 0..9 stay classic: the rule tests' special cards are there. */
#define FIXED_CLASSIC	10

static const struct {
	const char	*name, *prefix, *body;
} ranges[] = {
	{ "classic", "541333",
	  "TxnLimit = 50000\n"
	  "DailyCount = 10\n"
	  "DailyAmount = 150000\n"
	  "Cash = yes\n"
	  "CashLimit = 20000\n"
	  "CashDailyAmount = 40000\n"
	  "CredentialOnFile = yes\n"
	  "MccGroup = gambling 7995,7800-7802 block\n"
	  "MccGroup = jewellery 5944 limit 20000\n"
	  "Currencies = 978\n"
	  "ExposureShare = 50\n" },
	{ "premium", "541334",
	  "TxnLimit = 200000\n"
	  "DailyCount = 20\n"
	  "DailyAmount = 500000\n"
	  "Cash = yes\n"
	  "CashLimit = 50000\n"
	  "CashDailyAmount = 100000\n"
	  "CredentialOnFile = yes\n"
	  "MccGroup = gambling 7995,7800-7802 block\n"
	  "MccGroup = travel 3000-3999,4511 limit 150000\n"
	  "Currencies = 978 840\n"
	  "ExposureShare = 30\n" },
	{ "prepaid", "541335",
	  "TxnLimit = 25000\n"
	  "DailyCount = 3\n"
	  "DailyAmount = 50000\n"
	  "Cash = no\n"
	  "CredentialOnFile = no\n"
	  "MccGroup = gambling 7995,7800-7802 block\n"
	  "Countries = 826 GBR\n"
	  "ExposureShare = 10\n" },
};

#define NRANGES	(sizeof ranges / sizeof ranges[0])

static const char default_body[] =
    "TxnLimit = 25000\n"
    "DailyCount = 5\n"
    "DailyAmount = 50000\n"
    "Cash = no\n"
    "CredentialOnFile = yes\n"
    "MccGroup = gambling 7995,7800-7802 block\n"
    "ExposureShare = 10\n";

/* 0..9 classic; then premium, prepaid, classic in turn. */
const char *
sim_card_prefix(size_t i)
{
	static const size_t cycle[] = { 1, 2, 0 };

	if (i < FIXED_CLASSIC)
		return ranges[0].prefix;
	return ranges[cycle[(i - FIXED_CLASSIC) % 3]].prefix;
}

static const struct sim_opt tab_opts[] = {
	SIM_OPT_HELP_ROW,
};

static const struct sim_optab tab_optab = SIM_OPTAB("scheme-sim cards tables",
    "usage: scheme-sim cards tables PORTFOLIO\n\n"
    "Prints gatewayd.conf [Range NAME] sections for the account ranges\n"
    "the portfolio's cards are in (classic 541333, premium 541334,\n"
    "prepaid 541335), and [Range default].  Cards 0-9 are classic; from\n"
    "10 on they cycle premium, prepaid, classic.\n\n", tab_opts, 16);

void
sim_cards_tables_usage(void)
{
	sim_opts_usage(&tab_optab);
}

int
sim_cards_tables(int argc, char **argv)
{
	struct sim_portfolio p;
	char err[256];
	size_t i, r, n[NRANGES] = { 0 };
	int first;

	if (sim_opts_parse(&tab_optab, NULL, argc, argv, &first) == -1)
		return 2;
	if (first >= argc) {
		sim_cards_tables_usage();
		return 2;
	}
	if (sim_portfolio_load(&p, argv[first], err, sizeof err) == -1) {
		fprintf(stderr, "scheme-sim cards: %s\n", err);
		return 1;
	}
	for (i = 0; i < p.n; i++)
		for (r = 0; r < NRANGES; r++)
			if (strncmp(p.v[i].pan, ranges[r].prefix, 6) == 0)
				n[r]++;
	printf("# Stand-in parameter tables for a scheme-sim portfolio of %zu "
	    "cards\n# (scheme-sim cards tables).  Amounts in minor units.\n",
	    p.n);
	for (r = 0; r < NRANGES; r++)
		if (n[r] > 0)
			printf("\n[Range %s]\n# %zu cards\nPrefix = %s\n%s",
			    ranges[r].name, n[r], ranges[r].prefix,
			    ranges[r].body);
	printf("\n[Range default]\n%s", default_body);
	sim_portfolio_free(&p);
	return 0;
}
