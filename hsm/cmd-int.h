/*
 * cmd-int.h — the command processor's insides, shared by cmd.c (context
 * and dispatch) and the command families: cmdfield.c (reading a request,
 * writing a reply), cmdkey.c (key blocks: A0, BU), cmdcard.c (CVV and
 * PIN: CW CY EC EA CA CC), cmdemv.c (KQ) and cmdmac.c (M6 M8). Nothing
 * outside hsm/cmd*.c includes it.
 *
 * A handler returns NULL for "00" or the 2-character payShield error
 * code; fields it wrote are dropped on error.
 */
#ifndef HSM_CMD_INT_H
#define HSM_CMD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hsm/cmd.h"
#include "hsm/des.h"
#include "hsm/kbcache.h"
#include "hsm/lmk.h"

#define LMK_ID		"00"	/* hsmd holds one LMK, id 00 */

/* payShield error codes used here (payshield.md section 3). */
#define E_VERIFY	"01"
#define E_MODE		"04"
#define E_SCHEME	"05"
#define E_KEYPAR1	"10"
#define E_KEYPAR2	"11"
#define E_LMKID		"13"
#define E_INPUT		"15"
#define E_PINBLOCK	"20"
#define E_PINFMT	"23"
#define E_PINLEN	"24"
#define E_DECTAB	"25"
#define E_KEYFUNC	"29"
#define E_KEYSCHEME	"26"
#define E_KEYLEN	"27"
#define E_KEYTYPE	"28"
#define E_INTERNAL	"41"
#define E_DISABLED	"68"
#define E_DATALEN	"80"
#define E_ZERODATA	"81"
#define E_KBFORMAT	"83"
#define E_KBAUTH	"A4"
#define E_KBLMK		"A3"
#define E_USAGE		"A6"
#define E_ALG		"A7"
#define E_USEMODE	"A8"
#define E_EXPORT	"AA"
#define E_NOPT		"AB"

/*
 * A key A6 imported: its check value (E_K(0^8), all 8 bytes, so that
 * 4096 keys do not collide by chance) and the usage and mode of use it
 * was imported under. cmdkey.c keeps the last IMPORTS_MAX.
 */
#define IMPORTS_MAX	4096

struct import_seen {
	uint8_t		 kcv[8];
	char		 usage[2];
	char		 mode;
};

struct hsm_cmd_ctx {
	struct kb_cache	*cache;
	size_t		 hdrlen;
	char		 lmk_kcv[LMK_KCV_HEX + 1];
	struct hsm_des	 icc;		/* per-call derived keys (KQ) */
	struct hsm_des	 sk;
	uint8_t		*msgbuf;	/* M6/M8 hex-decoded message */
	const uint8_t	*trailer;	/* 0x19 + trailer, when present */
	size_t		 trailerlen;
	uint64_t	 nok, nerr;
	struct import_seen *imports;	/* ring of IMPORTS_MAX */
	size_t		 nimports, nextimport;
};

/* Request reader. */
struct rd {
	const uint8_t	*p;
	size_t		 n;
};

/* Reply writer; overflow makes the reply an error. */
struct wr {
	uint8_t		*p;
	size_t		 n, cap;
	int		 overflow;
};

typedef const char *cmd_handler(struct hsm_cmd_ctx *, struct rd *,
    struct wr *);
/* One handler for a generate / verify pair (CW/CY, M6/M8). */
typedef const char *cmd_pair_handler(struct hsm_cmd_ctx *, struct rd *,
    struct wr *, int verify);

/* cmdfield.c: fields are taken by their lengths; 0 or -1 (too short or
 * not of the kind asked for). */
void		 cmd_put(struct wr *, const void *, size_t);
void		 cmd_puthex(struct wr *, const uint8_t *, size_t);
int		 cmd_take(struct rd *, size_t, const char **);
int		 cmd_take_digits(struct rd *, size_t, const char **);
int		 cmd_take_hex(struct rd *, size_t, const char **);
int		 cmd_take_num(struct rd *, size_t, int base, long *);
int		 cmd_take_char(struct rd *, char);
int		 cmd_take_until(struct rd *, char delim, size_t min, size_t max,
		    const char **, size_t *);
/* 'S' + key block; NULL or an error code. */
const char	*cmd_take_key(struct rd *, const char **blk, size_t *len);
/* Optional "%" LMK id: none, or ours (00). */
const char	*cmd_take_lmk_id(struct rd *);
/* Optional "%" LMK id, optional 0x19 + trailer, then the end. */
const char	*cmd_take_tail(struct hsm_cmd_ctx *, struct rd *);

/* What a command accepts from a key block. */
struct keyreq {
	const char	*usages;	/* concatenated 2-character usages */
	const char	*modes;		/* accepted modes of use */
	unsigned	 lens;		/* bit 0: 8 bytes, 1: 16, 2: 24 */
	const char	*parity_err;	/* 10 or 11 */
};

#define LEN8	1u
#define LEN16	2u
#define LEN24	4u
#define LENANY	(LEN8 | LEN16 | LEN24)

/* cmdkey.c: the unwrapped key of a block, if req accepts it. */
const char	*cmd_get_key(struct hsm_cmd_ctx *, const char *blk, size_t len,
		    const struct keyreq *, const struct kb_key **);

/* The command families. */
cmd_handler		 cmd_a0, cmd_a6, cmd_bu;		/* cmdkey.c */
cmd_handler		 cmd_ec, cmd_ea, cmd_translate;		/* cmdcard.c */
cmd_pair_handler	 cmd_cvv;				/* cmdcard.c */
cmd_handler		 cmd_kq;				/* cmdemv.c */
cmd_pair_handler	 cmd_mac;				/* cmdmac.c */

#endif
