/*
 * scenrun.h — the state of a `scheme-sim run`, shared by its parts: the
 * options (scenmain.c), the steps (scenrun.c), the connection
 * (scenconn.c), the failure, fields as text and variables (scenstate.c),
 * the expects (scenexpect.c), the messages a send builds (scenmsg.c), the
 * faults and actions outside the
 * link (scenact.c: the cores' control sockets, the gateway's commands)
 * and the reports (scenreport.c).
 */
#ifndef SIM_SCENRUN_H
#define SIM_SCENRUN_H

#include <stdint.h>
#include <stdio.h>

#include "hsm/des.h"
#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "scheme-sim/opts.h"
#include "scheme-sim/portfolio.h"
#include "scheme-sim/scenario.h"
#include "scheme-sim/schememsg.h"

#define SCEN_MAX_CORES		8
#define SCEN_MAX_ACTIONS	16
#define SCEN_MAX_SENT		128	/* named sends in one case */
#define SCEN_MAX_VARS		512
#define SCEN_INBOX		2048

struct scen_named {
	char		 name[32];
	const char	*val;		/* a socket path or a command line */
};

enum { SCEN_CONNECT, SCEN_LISTEN };	/* scen_opts.addr.how */

struct scen_opts {
	struct sim_optaddr	 addr;
	const char		*profile, *framing, *portfolio;
	const char		*junit, *json, *case_name;
	const char		*zmk, *mak;	/* clear test keys' files */
	char			 signon_code[4];
	int			 signon;
	int			 quiet;
	uint64_t		 connect_ns;
	struct scen_named	 cores[SCEN_MAX_CORES];
	int			 ncores;
	struct scen_named	 actions[SCEN_MAX_ACTIONS];
	int			 nactions;
};

/* What one case came to. */
struct scen_result {
	const char	*file, *name;
	int		 passed;
	uint64_t	 ns;
	/* A failure: where, and what was expected and got (PANs masked). */
	int		 step;		/* 1-based */
	const char	*kind, *label;
	int		 field;		/* 0: not about one field */
	char		 expected[128], got[128];
	char		 msg[384];
};

/* A send, by its "as" name or unnamed (the last one), and the STANs of
 * its messages (a burst has many). */
struct scen_sent {
	char		 name[32];
	struct iso_msg	*msg;		/* the first message as sent */
	uint32_t	*stans;
	uint32_t	 n;
};

struct scen_in {
	struct iso_msg	 m;
	uint64_t	 at_ns;
	int		 mac_bad;	/* --mak: its MAC is wrong or none */
};

struct scen_var {
	char		*name, *val;
};

struct scen_run {
	const struct scen_opts	*o;
	const struct iso_profile *prof;
	struct framer		 fr;
	struct sim_portfolio	 pf;
	int			 have_pf;
	int			 fd;		/* -1: not connected */
	int			 lfd;		/* --listen's socket, or -1 */
	int			 echo_answer;
	int			 hold;		/* requests kept, not answered */
	int			 mac_mode;	/* enum scen_mac of this send */
	int			 have_zmk, have_mak;
	uint8_t			 zmk[16];
	struct hsm_des		 mak;
	int			 closed;	/* the gateway closed it */
	int			 unreachable;	/* a case could not connect */
	uint8_t			 rbuf[2 * (ISO_BUF_MAX + 64)];
	size_t			 rlen;
	struct scen_in		*in[SCEN_INBOX];
	int			 nin;
	struct scen_sent	 sent[SCEN_MAX_SENT];
	int			 nsent;
	int			 last;		/* the last send, -1: none */
	struct scen_var		 vars[SCEN_MAX_VARS];
	int			 nvars;
	uint32_t		 stan, rrn;
	struct sim_clock	 clk;
	struct scen_result	*res;		/* the case running */
	struct iso_msg		 tx, ans;
	uint8_t			 wire[ISO_BUF_MAX + 64];
};

/* scenrun.c */
int	scen_run_init(struct scen_run *, const struct scen_opts *,
	    char *err, size_t errsz);
void	scen_run_free(struct scen_run *);
/* Runs one case into res (0 whatever its outcome; -1 setup broke). */
void	scen_run_case(struct scen_run *, const struct scen_file *,
	    const struct scen_case *, struct scen_result *);

/* scenstate.c: the failure of the step running: fills r->res (the
 * first failure of a case only); returns -1. */
int	scen_fail(struct scen_run *, int field, const char *expected,
	    const char *got, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* A field's value as text (b-class as hex), clear or masked for a
 * report; "" when absent. */
void	scen_field_text(const struct scen_run *, const struct iso_msg *,
	    int field, int clear, char *out, size_t cap);
/* DE11's value, 0 without one. */
uint32_t scen_msg_stan(const struct iso_msg *);
/* ${name} replaced in s; a variable set.  0 / -1 (said). */
int	scen_subst(struct scen_run *, const char *s, char *out, size_t cap);
int	scen_var_set(struct scen_run *, const char *name, const char *val);

/* scenconn.c: a new connection (retrying for within_ns), signed on
 * unless --no-signon; closing it; bytes written, or a message framed
 * and written (in pieces with gap_ns between them): 0 / -1 (said). */
int	scen_conn_open(struct scen_run *, uint64_t within_ns);
void	scen_conn_close(struct scen_run *);
int	scen_write(struct scen_run *, const uint8_t *, size_t);
int	scen_send_msg(struct scen_run *, const struct iso_msg *,
	    uint32_t pieces, uint64_t gap_ns);
/* What the gateway sent for up to wait_ns (0: what is there now), read
 * and answered or kept.  -1: not connected, or closed meanwhile. */
int	scen_rx_poll(struct scen_run *, uint64_t wait_ns);
/* Reads until the monotonic time t (time passes if not connected). */
void	scen_rx_until(struct scen_run *, uint64_t t);

/* scenstate.c: the send's message remembered for expects, as "as" (or
 * unnamed). */
int	scen_remember(struct scen_run *, const char *as,
	    const struct iso_msg *, uint32_t n);
/* The scheme's answer to req with DE39 rc (failures logged). */
void	scen_answer(struct scen_run *, const struct iso_msg *req,
	    const char *rc);

/* scenmac.c: keys from --zmk and --mak; m packed (with its MAC where
 * due) into wire: its length, or -1 with why; the MAC of what came
 * checked (0 good or not due).  scenlink.c: the key_change and answer
 * steps. */
int	scen_link_init(struct scen_run *, char *err, size_t errsz);
void	scen_link_free(struct scen_run *);
ssize_t	scen_pack(struct scen_run *, const struct iso_msg *m, uint8_t *wire,
	    size_t cap, char *why, size_t whysz);
int	scen_mac_check(struct scen_run *, const uint8_t *wire, size_t len,
	    const struct iso_msg *m);
int	scen_step_key_change(struct scen_run *, const struct scen_keychg *);
int	scen_step_answer(struct scen_run *, const struct scen_step *);

/* scenexpect.c */
int	scen_step_expect(struct scen_run *, const struct scen_expect *);

/* scenmsg.c: message k of a send (k counts a burst) into m.  0 / -1
 * (said). */
int	scen_build(struct scen_run *, const struct scen_send *, uint32_t k,
	    struct iso_msg *m);
/* Sets NAME.N for each field of m and NAME.mti. */
int	scen_vars_of(struct scen_run *, const char *prefix,
	    const struct iso_msg *m);
/* The wire bytes of a malformed frame of kind bad for m into out. */
int	scen_malform(struct scen_run *, int bad, const struct iso_msg *m,
	    uint8_t *out, size_t cap, size_t *len);

/* scenact.c */
int	scen_core_cmd(struct scen_run *, const char *target, const char *cmd,
	    char *answer, size_t cap);
/* "mark" to every core: its counters count from the case's start. */
void	scen_cores_mark(struct scen_run *);
int	scen_core_expect(struct scen_run *, const struct scen_step *);
int	scen_action(struct scen_run *, const char *name);

/* scenreport.c */
void	scen_report_line(const struct scen_result *, FILE *);
int	scen_report_junit(const struct scen_result *, int n, const char *path);
int	scen_report_json(const struct scen_result *, int n, const char *path);

#endif
