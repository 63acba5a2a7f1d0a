/*
 * scenario.h — `scheme-sim run`: scenario files (JSON, read with jansson)
 * loaded into plain structures (scenario.c), run step by step against a
 * gateway link (scenrun.c, scenmsg.c, scenact.c) and reported as JUnit
 * XML, JSON and a summary (scenreport.c).  doc/scheme-sim.md has the
 * format.
 *
 * Strings point into the parsed JSON document, which the file keeps
 * until scen_file_free.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SCEN_MAX_CASES	256
#define SCEN_MAX_STEPS	256
#define SCEN_MAX_FIELDS	32	/* per send or expect */
#define SCEN_MAX_RC	16	/* DE39 values one expect accepts */
#define SCEN_MAX_BURST	1000

enum scen_kind {
	SK_SEND, SK_EXPECT, SK_WAIT, SK_CONNECT, SK_DISCONNECT, SK_ECHO,
	SK_MALFORMED, SK_CORE, SK_CORE_EXPECT, SK_ACTION, SK_KEY_CHANGE,
	SK_HOLD, SK_ANSWER, SK_NKINDS
};

/* How a send builds on an earlier one. */
enum scen_from { SF_NONE, SF_DUPLICATE, SF_REPEAT, SF_REVERSAL };

/* A field check of an expect. */
enum scen_check { SC_EQUALS, SC_PREFIX, SC_REGEX, SC_PRESENT, SC_ABSENT };

/* Malformed frames. */
enum scen_bad { SB_LENGTH, SB_BITMAP, SB_FIELD };

struct scen_fval {
	int		 field;
	int		 how;		/* enum scen_check (expect only) */
	const char	*val;		/* may hold ${var}; NULL: none */
};

/* A message to send: a template (card, entry, fields) or an earlier
 * send repeated, duplicated or reversed. */
struct scen_send {
	const char	*as;		/* name for later steps, or NULL */
	const char	*mti;		/* NULL: 0100, or by from */
	const char	*card;		/* portfolio index or a PAN; NULL */
	const char	*entry;		/* chip, ecom, ...; NULL */
	const char	*vd[4];		/* cvc2 track2 arqc pin: good|bad|.. */
	const char	*amount;	/* DE4 in minor units; NULL: 1000 */
	int		 from;		/* enum scen_from */
	const char	*of;		/* the send it builds on */
	struct scen_fval f[SCEN_MAX_FIELDS];
	int		 nf;
	int		 unset[SCEN_MAX_FIELDS];
	int		 nunset;
	uint32_t	 count;		/* a burst: count requests, own STANs */
	uint32_t	 split;		/* write in this many pieces */
	uint64_t	 gap_ns;	/* between the pieces */
	const char	*zpk;		/* PIN block under this clear ZPK */
	int		 mac;		/* enum scen_mac (with --mak) */
};

/* A send's MAC where the run MACs (--mak). */
enum scen_mac { SM_GOOD, SM_BAD, SM_NONE };

/* SK_KEY_CHANGE: an 0800 161 with a key under the run's --zmk. */
struct scen_keychg {
	const char	*as;		/* name of the send, or NULL */
	char		 kind;		/* 'P' ZPK, 'M' MAC key */
	const char	*key;		/* clear, 32H */
	const char	*kcv;		/* sent instead of the key's; NULL */
};

struct scen_expect {
	const char	*of;		/* NULL: the last send */
	const char	*mti;		/* NULL: the response MTI of of's */
	int		 any;		/* not an answer: the first with mti */
	int		 closed;	/* the gateway closes the connection */
	const char	*rc[SCEN_MAX_RC];
	int		 nrc;
	struct scen_fval f[SCEN_MAX_FIELDS];
	int		 nf;
	const char	*save_var[SCEN_MAX_FIELDS];
	int		 save_field[SCEN_MAX_FIELDS];
	int		 nsave;
	uint64_t	 within_ns;
};

struct scen_counter {
	const char	*name;
	uint64_t	 val;
	int		 at_least;	/* ">=N" rather than N */
};

struct scen_step {
	int		 kind;		/* enum scen_kind */
	const char	*label;		/* "name" of the step, or NULL */
	struct scen_send  *send;	/* SK_SEND, SK_MALFORMED's message */
	struct scen_expect *expect;	/* SK_EXPECT */
	uint64_t	 ns;		/* SK_WAIT; SK_CONNECT, SK_CORE_EXPECT,
					 * SK_ANSWER: within */
	int		 on;		/* SK_ECHO: answer echoes; SK_HOLD */
	int		 bad;		/* SK_MALFORMED: enum scen_bad */
	const char	*target;	/* SK_CORE*: core name; NULL: first */
	const char	*text;		/* SK_CORE: the command; SK_ACTION */
	struct scen_counter ctr[8];	/* SK_CORE_EXPECT */
	int		 nctr;
	struct scen_keychg *key;	/* SK_KEY_CHANGE */
	const char	*mti, *rc;	/* SK_ANSWER: what, with what DE39 */
};

struct scen_case {
	const char	*name;
	const char	*about;
	struct scen_step *steps;
	int		 nsteps;
	struct scen_step *fin;		/* "finally": run whatever happened */
	int		 nfin;
};

struct scen_file {
	const char	*path;
	const char	*title;
	uint64_t	 within_ns;	/* default for expects */
	struct scen_case *cases;
	int		 ncases;
	json_t		*doc;
};

/* Parses a scenario document (text of len bytes).  0, or -1 with err
 * naming the case and step ("case 2 \"x\" step 3: ..."). */
int	scen_parse(struct scen_file *, const char *text, size_t len,
	    char *err, size_t errsz);
/* The same from a file; path is kept as given. */
int	scen_load(struct scen_file *, const char *path, char *err,
	    size_t errsz);
void	scen_file_free(struct scen_file *);
const char *scen_kind_name(int kind);

#endif
