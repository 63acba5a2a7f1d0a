/*
 * cfg-int.h — the configuration reader's insides, shared by config.c
 * (sections, whole-file checks, loading), cfgkeys.c (the table of every
 * key: its type, range, default's place and how it prints) and cfgval.c
 * (the value parsers).  Nothing outside the reader includes it.
 */
#ifndef GATEWAY_CFG_INT_H
#define GATEWAY_CFG_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/config.h"

struct pctx {
	struct config	*c;
	int		 nokeys;
	int		 sectno;		/* count of section changes */
	struct cfg_link	*link;
	struct cfg_core	*core;
	struct range	*range;
	char		 err[256];
	int		 failed;
	int		 line;			/* of the line being parsed */
	int		 sect_line;		/* of the last [section] */
	int		 partial;		/* last read ended mid-line */
	int		 fail_line;
	int		 sect_seen;		/* [headers] read so far */
	/* input: a FILE or a string */
	FILE		*fp;
	const char	*str;
};

/* The first error wins; messages may be truncated to fit. */
void	cfg_error(struct pctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* A T_FUNC parser's refusal: the error said, 0 returned. */
#define FAILED(px, ...)	(cfg_error((px), __VA_ARGS__), 0)

enum cfg_section { SECT_GATEWAY, SECT_LINK, SECT_CORE, SECT_STANDIN,
	SECT_PAIR };

/* Sets a key of the section object sect from v: 1, 0 after cfg_error (a
 * bad value), or -1 when the section has no such key. */
int	cfg_key_set(struct pctx *, enum cfg_section, void *sect,
	    const char *key, const char *v);
/* Prints every key of sect that has something to say, in table order. */
void	cfg_keys_print(FILE *, enum cfg_section, const void *sect);

/* cfgrange.c: a new [Range NAME] (1, or 0 after cfg_error), and one of
 * its keys (as cfg_key_set). */
int	cfg_range_new(struct pctx *, const char *name);
int	cfg_range_key(struct pctx *, const char *key, const char *v);

/* cfglink.c: SignOn, MAC, ZMKFile (T_FUNC parsers and printers) */
int	cfg_set_sign_on(struct pctx *, void *, const char *);
void	cfg_print_sign_on(FILE *, const void *);
int	cfg_set_mac(struct pctx *, void *, const char *);
void	cfg_print_mac(FILE *, const void *);
int	cfg_set_zmk_file(struct pctx *, void *, const char *);
void	cfg_print_zmk_file(FILE *, const void *);
int	cfg_set_zpk_file(struct pctx *, void *, const char *);
int	cfg_set_profile_file(struct pctx *, void *, const char *);
int	cfg_set_frame_header(struct pctx *, void *, const char *);
void	cfg_print_frame_header(FILE *, const void *);
void	cfg_print_zpk_file(FILE *, const void *);

/* cfgcore.c: a core's (and the pair's) Address, Bind, KeyFile */
int	cfg_set_address(struct pctx *, void *, const char *);
void	cfg_print_address(FILE *, const void *);
int	cfg_set_bind(struct pctx *, void *, const char *);
void	cfg_print_bind(FILE *, const void *);
int	cfg_set_keyfile(struct pctx *, void *, const char *);
void	cfg_print_keyfiles(FILE *, const void *);

/* cfgval.c */
int	cfg_u64(const char *, uint64_t max, uint64_t *);
int	cfg_valid_name(const char *);
int	cfg_copy_str(char *dst, size_t cap, const char *v);

#endif
