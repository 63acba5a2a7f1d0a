/*
 * range.h — the stand-in's parameter tables (ARCHITECTURE section 6), as
 * Visa STIP and Mastercard Stand-In keep them: one table per account
 * range, found by the longest PAN prefix, with its own limits, cash and
 * credential-on-file permissions, MCC groups, countries, currencies and
 * share of the appliance-wide exposure cap.  A range named "default"
 * (no prefix) applies when none matches; without one, the built-in
 * default permits everything within the card's and the appliance's
 * limits.
 *
 * The values are parsed here (the configuration reader calls these for
 * each `[Range NAME]` key) so that the reader, `gatewayd -n` and the
 * rules agree on one meaning.  Pure: no I/O but range_print.
 */
#ifndef GATEWAY_RANGE_H
#define GATEWAY_RANGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RANGE_MAX		32
#define RANGE_NAME_MAX		32
#define RANGE_PREFIX_MAX	16
#define RANGE_PAN_MAX		20
#define RANGE_MCCG_MAX		8
#define RANGE_SPAN_MAX		16
#define RANGE_COUNTRY_MAX	32
#define RANGE_CUR_MAX		16

/* An MCC group: spans of MCCs, blocked or with their own limit. */
struct range_mccg {
	char		 name[RANGE_NAME_MAX];
	int		 nspan;
	uint16_t	 lo[RANGE_SPAN_MAX], hi[RANGE_SPAN_MAX];
	int		 block;
	uint64_t	 limit;			/* per transaction; 0: none */
};

struct range {
	char		 name[RANGE_NAME_MAX];
	int		 nprefix;
	char		 prefix[RANGE_PREFIX_MAX][RANGE_PAN_MAX];
	uint64_t	 txn_limit;		/* 0: none, as every limit */
	uint64_t	 daily_count;		/* approvals per card per day */
	uint64_t	 daily_amount;
	int		 cash;			/* DE3 01 allowed */
	uint64_t	 cash_limit;
	uint64_t	 cash_daily_amount;
	int		 cof;			/* DE22 10x allowed */
	int		 nmccg;
	struct range_mccg mccg[RANGE_MCCG_MAX];
	int		 ncountry;		/* 0: any */
	char		 country[RANGE_COUNTRY_MAX][4];	/* "826", "GBR" */
	int		 ncur;			/* foreign ones allowed */
	char		 cur[RANGE_CUR_MAX][4];
	unsigned	 share;			/* % of ExposureCap */
	int		 line;			/* in the config */
};

struct range_table {
	int		 n;
	struct range	 r[RANGE_MAX];
};

/* The built-in default: everything permitted, 100% share. */
void	range_init(struct range *, const char *name);

/*
 * Value parsers: 0, or -1 with a message naming the offending item in
 * err.  Prefix lines and MccGroup lines add up; Countries and Currencies
 * replace.
 */
int	range_add_prefixes(struct range *, const char *list, char *err,
	    size_t errsz);
int	range_add_mccg(struct range *, const char *line, char *err,
	    size_t errsz);
int	range_set_countries(struct range *, const char *list, char *err,
	    size_t errsz);
int	range_set_currencies(struct range *, const char *list, char *err,
	    size_t errsz);
/* Whole-table checks (a prefix in two ranges, a default with a prefix,
 * a range without one): 0, or -1 with err and *line the config line of
 * the range at fault. */
int	range_table_check(const struct range_table *, int *line, char *err,
	    size_t errsz);

/* The range for pan: longest prefix, else "default", else the built-in
 * default (never NULL). */
const struct range *range_match(const struct range_table *, const char *pan);

/* The MCC group mcc ("5411") is in, or NULL. */
const struct range_mccg *range_mccg_find(const struct range *,
	    const char *mcc);
int	range_has_country(const struct range *, const char *code);
int	range_has_currency(const struct range *, const char *cur);

/* The share of cap this range may use: cap * share / 100, exactly. */
uint64_t range_share_of(const struct range *, uint64_t cap);

/* As the config is written: the [Range NAME] section, normalised. */
void	range_print(FILE *, const struct range *);

#endif
