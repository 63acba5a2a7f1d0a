/*
 * opts.c — option tables: getopt_long's arrays and the help are both made
 * from the rows, and the value of each option is parsed by its kind.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/log.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/parse.h"

#define SIM_OPTS_MAX	64	/* rows in one table */
#define LONG_ONLY	256	/* getopt_long value of row i: LONG_ONLY + i */

void
sim_help_row(const char *lhs, int col, const char *text)
{
	const char *nl;
	int at;

	at = fprintf(stderr, "%s", lhs);
	if (text == NULL || *text == '\0') {
		fputc('\n', stderr);
		return;
	}
	for (;;) {
		/* Past the column already: two spaces, then the text. */
		fprintf(stderr, "%*s", at < col ? col - at : 2, "");
		nl = strchr(text, '\n');
		fprintf(stderr, "%.*s\n",
		    nl ? (int)(nl - text) : (int)strlen(text), text);
		if (nl == NULL)
			return;
		text = nl + 1;
		at = 0;
	}
}

static void
usage_row(const struct sim_optab *t, const struct sim_opt *o)
{
	char lhs[80];
	int n = 0;

	if (o->kind == SIM_OPT_HEADING) {
		fprintf(stderr, "%s\n", o->help);
		return;
	}
	n = snprintf(lhs, sizeof lhs, "  ");
	if (o->letter)
		n += snprintf(lhs + n, sizeof lhs - (size_t)n, "-%c%s",
		    o->letter, o->name ? ", " : "");
	if (o->name)
		n += snprintf(lhs + n, sizeof lhs - (size_t)n, "--%s", o->name);
	if (o->arg)
		snprintf(lhs + n, sizeof lhs - (size_t)n, " %s", o->arg);
	sim_help_row(lhs, t->col, o->help);
}

void
sim_opts_usage(const struct sim_optab *t)
{
	size_t i;

	fputs(t->about, stderr);
	for (i = 0; i < t->n; i++)
		usage_row(t, &t->v[i]);
}

int
sim_opts_bad(const struct sim_optab *t, const char *name, const char *val,
    const char *why)
{
	fprintf(stderr, "%s: --%s %s: %s\n", t->cmd, name, val, why);
	return -1;
}

/* getopt_long's long options and short letters for the table. */
static void
getopt_arrays(const struct sim_optab *t, struct option *lo, char *so)
{
	const struct sim_opt *o;
	size_t i, nl = 0, ns = 0;

	if (t->n > SIM_OPTS_MAX)
		fatalx("%s: %zu option rows, at most %d", t->cmd, t->n,
		    SIM_OPTS_MAX);
	for (i = 0; i < t->n; i++) {
		o = &t->v[i];
		if (o->kind == SIM_OPT_HEADING)
			continue;
		if (o->letter) {
			so[ns++] = o->letter;
			if (o->arg)
				so[ns++] = ':';
		}
		if (o->name == NULL)
			continue;
		lo[nl].name = o->name;
		lo[nl].has_arg = o->arg ? required_argument : no_argument;
		lo[nl].flag = NULL;
		lo[nl].val = o->letter ? o->letter : LONG_ONLY + (int)i;
		nl++;
	}
	memset(&lo[nl], 0, sizeof lo[nl]);
	so[ns] = '\0';
}

/* The row getopt_long's answer ch stands for, or NULL (an error). */
static const struct sim_opt *
row_of(const struct sim_optab *t, int ch)
{
	size_t i;

	if (ch >= LONG_ONLY)
		return &t->v[ch - LONG_ONLY];
	for (i = 0; i < t->n; i++)
		if (t->v[i].kind != SIM_OPT_HEADING && t->v[i].letter == ch)
			return &t->v[i];
	return NULL;
}

static int
in_range(const struct sim_opt *o, uint64_t v)
{
	return v >= o->min && (o->max == 0 || v <= o->max);
}

/* SIM_OPT_DIGITS and SIM_OPT_TEXT: a NUL-terminated copy in char[max]. */
static int
store_chars(const struct sim_opt *o, char *dst, const char *arg)
{
	size_t len = strlen(arg);

	if (len < o->min || len >= o->max ||
	    (o->kind == SIM_OPT_DIGITS && !dec_valid(arg, len)))
		return -1;
	memcpy(dst, arg, len + 1);
	return 0;
}

static int
store_addr(const struct sim_opt *o, struct sim_optaddr *a, const char *arg)
{
	if (sim_parse_addr(arg, &a->ss, &a->len) == -1)
		return -1;
	a->arg = arg;
	a->how = o->val;
	return 0;
}

static int
store(const struct sim_optab *t, const struct sim_opt *o, void *opts,
    const char *arg, char *why, size_t whysz)
{
	/* opts is NULL for a table of no values (cards list: --help). */
	char *at = opts != NULL ? (char *)opts + o->off : NULL;
	uint64_t v;

	switch (o->kind) {
	case SIM_OPT_STR:
		*(const char **)(void *)at = arg;
		return 0;
	case SIM_OPT_COUNT:
		if (sim_parse_count(arg, &v) == -1 || !in_range(o, v))
			return -1;
		*(uint64_t *)(void *)at = v;
		return 0;
	case SIM_OPT_DURATION:
		if (sim_parse_duration(arg, &v) == -1 || !in_range(o, v))
			return -1;
		*(uint64_t *)(void *)at = v;
		return 0;
	case SIM_OPT_DIGITS:
	case SIM_OPT_TEXT:
		return store_chars(o, at, arg);
	case SIM_OPT_CHAR:
		if (strlen(arg) != 1)
			return -1;
		*at = arg[0];
		return 0;
	case SIM_OPT_ADDR:
		return store_addr(o, (struct sim_optaddr *)(void *)at, arg);
	case SIM_OPT_SET:
	case SIM_OPT_CLEAR:
		*(int *)(void *)at = o->kind == SIM_OPT_SET;
		return 0;
	case SIM_OPT_FN:
		return o->fn(opts, arg, why, whysz);
	case SIM_OPT_VERBOSE:
		log_setverbose(1);
		return 0;
	case SIM_OPT_HELP:
		sim_opts_usage(t);
		exit(0);
	case SIM_OPT_HEADING:
		break;
	}
	return -1;
}

int
sim_opts_parse(const struct sim_optab *t, void *opts, int argc, char **argv,
    int *first)
{
	struct option lo[SIM_OPTS_MAX + 1];
	char so[2 * SIM_OPTS_MAX + 1], why[256];
	const struct sim_opt *o;
	int ch;

	getopt_arrays(t, lo, so);
	optind = 1;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if ((o = row_of(t, ch)) == NULL) {
			sim_opts_usage(t);
			return -1;
		}
		snprintf(why, sizeof why, "%s", o->why ? o->why : "bad value");
		if (store(t, o, opts, optarg, why, sizeof why) == -1)
			return sim_opts_bad(t, o->name, optarg, why);
	}
	*first = optind;
	return 0;
}
