/*
 * opts.h — the options of a scheme-sim subcommand from one table: the
 * same rows drive getopt_long and print --help, so the help cannot name
 * an option that is not parsed, nor miss one that is (the way
 * wireguard-tools drives its subcommands from one table).
 *
 * A row names the option, its value and its help line, and says how the
 * value is parsed and where it is stored: at an offset in the options
 * structure the caller passes, or by a function of its own.
 */
#ifndef SIM_OPTS_H
#define SIM_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum sim_opt_kind {
	SIM_OPT_HEADING,	/* not an option: a heading in the help */
	SIM_OPT_STR,		/* const char *: the argument itself */
	SIM_OPT_COUNT,		/* uint64_t: k/m suffixes, within min..max */
	SIM_OPT_DURATION,	/* uint64_t ns: "40ms", within min..max */
	SIM_OPT_DIGITS,		/* char[max]: min to max - 1 digits */
	SIM_OPT_TEXT,		/* char[max]: min to max - 1 characters */
	SIM_OPT_CHAR,		/* char: exactly one character */
	SIM_OPT_ADDR,		/* struct sim_optaddr: numeric HOST:PORT */
	SIM_OPT_SET,		/* int: 1 */
	SIM_OPT_CLEAR,		/* int: 0 */
	SIM_OPT_FN,		/* fn parses and stores */
	SIM_OPT_VERBOSE,	/* more logging */
	SIM_OPT_HELP		/* the help on stderr, then exit 0 */
};

/* SIM_OPT_ADDR: the address, and which row gave it (the row's val). */
struct sim_optaddr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*arg;	/* as given; NULL: none was */
	int			 how;
};

/* Parses arg into opts: 0, or -1 with why (preset to the row's) said. */
typedef int sim_opt_fn(void *opts, const char *arg, char *why, size_t whysz);

struct sim_opt {
	const char		*name;	/* --name; NULL: the letter only */
	char			 letter; /* -letter; 0: the name only */
	const char		*arg;	/* the value's name; NULL: takes none */
	const char		*help;	/* '\n' continues on the next line */
	enum sim_opt_kind	 kind;
	size_t			 off;	/* where the value goes in opts */
	uint64_t		 min, max; /* COUNT, DURATION (max 0: none),
					 * DIGITS, TEXT (max: array size) */
	const char		*why;	/* what is wrong with a bad value */
	sim_opt_fn		*fn;
	int			 val;	/* ADDR: stored as its how */
};

struct sim_optab {
	const char		*cmd;	/* "scheme-sim scheme", for messages */
	const char		*about;	/* usage lines and what it does */
	const struct sim_opt	*v;
	size_t			 n;
	int			 col;	/* where the help lines start */
};

/* The rows every table ends with. */
#define SIM_OPT_VERBOSE_ROW \
	{ .letter = 'v', .kind = SIM_OPT_VERBOSE, .help = "more logging" }
#define SIM_OPT_HELP_ROW \
	{ .name = "help", .letter = 'h', .kind = SIM_OPT_HELP, \
	  .help = "this text" }

/* Every row for the length of a table. */
#define SIM_OPTAB(cmd, about, rows, col) \
	{ (cmd), (about), (rows), sizeof(rows) / sizeof((rows)[0]), (col) }

/* The about text, then a line or more per row, on stderr. */
void	sim_opts_usage(const struct sim_optab *);
/* One help line on stderr: lhs, then text from column col, where each
 * '\n' of text starts a line again. */
void	sim_help_row(const char *lhs, int col, const char *text);
/*
 * Parses the options of argv (argv[0] the subcommand) into opts, which
 * holds its defaults already; *first is the index of the first operand.
 * 0, or -1 once the error has been said.
 */
int	sim_opts_parse(const struct sim_optab *, void *opts, int argc,
	    char **argv, int *first);
/* "CMD: --name val: why" on stderr; returns -1. */
int	sim_opts_bad(const struct sim_optab *, const char *name,
	    const char *val, const char *why);

#endif
