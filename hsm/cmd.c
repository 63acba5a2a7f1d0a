/*
 * cmd.c — payShield host commands: the context, the command table and
 * dispatch, and the diagnostic commands NC and B2. The other families
 * are cmdkey.c (A0 BU), cmdcard.c (CW CY EC EA CA CC), cmdemv.c (KQ) and
 * cmdmac.c (M6 M8); cmd-int.h is what they share.
 *
 * Every handler first parses all its fields (by length, never by scanning
 * for delimiters inside data) and the optional LMK id / trailer, then
 * does the crypto.
 *
 * Clear keys never leave the key cache except as per-call derived keys
 * (EMV) held in ctx scratch contexts and stack buffers wiped after use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "hsm/cmd-int.h"
#include "hsm/des.h"
#include "hsm/kbcache.h"

#define CACHE_SLOTS	1024

/* --- NC: diagnostics --------------------------------------------------- */
static const char *
cmd_nc(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *e;

	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	cmd_put(w, ctx->lmk_kcv, LMK_KCV_HEX);
	cmd_put(w, HSM_FIRMWARE, 9);
	return NULL;
}

/* --- B2: echo (length is 4H, as the simulator reads it) ----------------- */
static const char *
cmd_b2(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *data, *e;
	long n;

	if (cmd_take_num(r, 4, 16, &n) == -1)
		return E_INPUT;
	if (cmd_take(r, (size_t)n, &data) == -1)
		return E_DATALEN;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	cmd_put(w, data, (size_t)n);
	return NULL;
}

/* --- dispatch ------------------------------------------------------------ */
/*
 * vset marks the verification set, what a listener serves unless its
 * allow-list says more: commands that only check a value or answer a
 * cryptogram the issuer must answer (KQ's ARPC for an ARQC it verified),
 * and yield neither a key, a value a card carries (CW's CVV, M6's MAC)
 * nor a PIN block under another key (CA, CC). BU is left out: nothing
 * that verifies needs it.
 *
 * genmode is a mode (the first field's character) in which a command of
 * the set generates without verifying: KQ mode 2 answers an ARPC for any
 * ARQC, an encryption oracle under the card's key (enough to derive its
 * session keys). It is served only where the allow-list names it (KQ2),
 * whatever else the list holds; all does.
 */
static const struct {
	char			 code[3];
	cmd_handler		*fn;
	cmd_pair_handler	*pair;		/* when fn is NULL */
	int			 verify;	/* which half of the pair */
	int			 vset;
	char			 genmode;
} commands[] = {
	{ "NC", cmd_nc, NULL, 0, 1, 0 },
	{ "B2", cmd_b2, NULL, 0, 1, 0 },
	{ "A0", cmd_a0, NULL, 0, 0, 0 },
	{ "A6", cmd_a6, NULL, 0, 0, 0 },
	{ "BU", cmd_bu, NULL, 0, 0, 0 },
	{ "CW", NULL, cmd_cvv, 0, 0, 0 },
	{ "CY", NULL, cmd_cvv, 1, 1, 0 },
	{ "EC", cmd_ec, NULL, 0, 1, 0 },
	{ "EA", cmd_ea, NULL, 0, 1, 0 },
	{ "CA", cmd_translate, NULL, 0, 0, 0 },	/* TPK and ZPK share P0 */
	{ "CC", cmd_translate, NULL, 0, 0, 0 },
	{ "KQ", cmd_kq, NULL, 0, 1, '2' },
	{ "M6", NULL, cmd_mac, 0, 0, 0 },
	{ "M8", NULL, cmd_mac, 1, 1, 0 },
};
#define NCOMMANDS	(sizeof commands / sizeof commands[0])

/* An allow-list's bits: command i, and above them its genmode. */
#define MODE_SHIFT	16
_Static_assert(NCOMMANDS <= MODE_SHIFT, "hsm_allow: too many commands");
#define CMD_BIT(i)	((hsm_allow)1 << (i))
#define MODE_BIT(i)	((hsm_allow)1 << (MODE_SHIFT + (i)))

/* The table index of a command code, or -1. */
static int
lookup(const uint8_t code[2])
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (memcmp(commands[i].code, code, 2) == 0)
			return (int)i;
	return -1;
}

/*
 * Why allow does not serve a request for command i whose fields are r
 * (HSM_REFUSED_CMD or _MODE), or 0. An unknown command is not refused
 * here: dispatch answers it 68 as payShield does.
 */
static int
refusal(hsm_allow allow, int i, const struct rd *r)
{
	if (i < 0)
		return 0;
	if (!(allow & CMD_BIT(i)))
		return HSM_REFUSED_CMD;
	if (commands[i].genmode != 0 && r->n > 0 &&
	    r->p[0] == (uint8_t)commands[i].genmode && !(allow & MODE_BIT(i)))
		return HSM_REFUSED_MODE;
	return 0;
}

static const char *
dispatch(struct hsm_cmd_ctx *ctx, int i, struct rd *r, struct wr *w)
{
	if (i < 0)
		return E_DISABLED;	/* unknown: payshield.md leaves it open */
	if (commands[i].fn == NULL)
		return commands[i].pair(ctx, r, w, commands[i].verify);
	return commands[i].fn(ctx, r, w);
}

/* --- allow-lists ------------------------------------------------------- */
hsm_allow
hsm_allow_all(void)
{
	hsm_allow a = 0;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		a |= CMD_BIT(i) | (commands[i].genmode ? MODE_BIT(i) : 0);
	return a;
}

hsm_allow
hsm_allow_verify(void)
{
	hsm_allow a = 0;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].vset)
			a |= CMD_BIT(i);
	return a;
}

/* One token of an allow-list into *out; -1 if it is none. */
static int
allow_token(const char *tok, size_t n, hsm_allow *out)
{
	int i;

	if (strcmp(tok, "all") == 0) {
		*out |= hsm_allow_all();
		return 0;
	}
	if (strcmp(tok, "verify") == 0) {
		*out |= hsm_allow_verify();
		return 0;
	}
	if ((n != 2 && n != 3) || (i = lookup((const uint8_t *)tok)) == -1)
		return -1;
	if (n == 3 && (commands[i].genmode == 0 ||
	    tok[2] != commands[i].genmode))
		return -1;
	/* KQ2 names a mode of KQ: it brings KQ. */
	*out |= CMD_BIT(i) | (n == 3 ? MODE_BIT(i) : 0);
	return 0;
}

int
hsm_allow_parse(const char *s, hsm_allow *out, char *err, size_t errsz)
{
	char tok[16];
	size_t n;

	*out = 0;
	for (;;) {
		s += strspn(s, " \t,");
		if (*s == '\0')
			break;
		n = strcspn(s, " \t,");
		if (n >= sizeof tok) {
			snprintf(err, errsz, "%.*s: not a command code",
			    (int)n, s);
			return -1;
		}
		memcpy(tok, s, n);
		tok[n] = '\0';
		s += n;
		if (allow_token(tok, n, out) == -1) {
			snprintf(err, errsz, "%s: neither verify, all nor a "
			    "command hsmd implements", tok);
			return -1;
		}
	}
	if (*out == 0) {
		snprintf(err, errsz, "no command allowed");
		return -1;
	}
	return 0;
}

void
hsm_allow_format(hsm_allow a, char *buf, size_t bufsz)
{
	hsm_allow v = hsm_allow_verify();
	size_t i, n = 0;

	buf[0] = '\0';
	if (a == hsm_allow_all()) {
		snprintf(buf, bufsz, "all");
		return;
	}
	if ((a & v) == v) {
		n = (size_t)snprintf(buf, bufsz, "verify");
		a &= ~v;
	}
	for (i = 0; i < NCOMMANDS && n + 4 < bufsz; i++)
		if (a & CMD_BIT(i))
			n += (size_t)snprintf(buf + n, bufsz - n, "%s%s",
			    n ? " " : "", commands[i].code);
	for (i = 0; i < NCOMMANDS && n + 5 < bufsz; i++)
		if (a & MODE_BIT(i))
			n += (size_t)snprintf(buf + n, bufsz - n, "%s%s%c",
			    n ? " " : "", commands[i].code,
			    commands[i].genmode);
}

int
hsm_allow_has(hsm_allow a, const char code[2])
{
	int i = lookup((const uint8_t *)code);

	return i >= 0 && (a & CMD_BIT(i));
}

struct hsm_cmd_ctx *
hsm_cmd_new(const struct lmk *lmk, size_t hdrlen)
{
	static const uint8_t zero[16];
	struct hsm_cmd_ctx *ctx;

	/* Locked memory: the scratch schedules hold per-call derived keys. */
	if (sodium_init() < 0 || (ctx = sodium_malloc(sizeof *ctx)) == NULL)
		return NULL;
	memset(ctx, 0, sizeof *ctx);
	ctx->hdrlen = hdrlen;
	if ((ctx->cache = kb_cache_new(lmk->key, LMK_LEN, CACHE_SLOTS)) ==
	    NULL || (ctx->msgbuf = malloc(HSM_FRAME_MAX)) == NULL ||
	    (ctx->imports = calloc(IMPORTS_MAX, sizeof *ctx->imports)) ==
	    NULL ||
	    lmk_check_value(lmk, ctx->lmk_kcv) == -1 ||
	    hsm_des_init(&ctx->icc, zero, 16) == -1 ||
	    hsm_des_init(&ctx->sk, zero, 16) == -1) {
		hsm_cmd_free(ctx);
		return NULL;
	}
	return ctx;
}

void
hsm_cmd_free(struct hsm_cmd_ctx *ctx)
{
	if (ctx == NULL)
		return;
	kb_cache_free(ctx->cache);
	hsm_des_free(&ctx->icc);
	hsm_des_free(&ctx->sk);
	free(ctx->msgbuf);
	free(ctx->imports);
	sodium_free(ctx);
}

void
hsm_cmd_stats(const struct hsm_cmd_ctx *ctx, uint64_t *ok, uint64_t *errors)
{
	*ok = ctx->nok;
	*errors = ctx->nerr;
}

size_t
hsm_cmd_process(struct hsm_cmd_ctx *ctx, const uint8_t *req, size_t len,
    uint8_t *out, size_t outsz)
{
	return hsm_cmd_process_allow(ctx, hsm_allow_all(), req, len, out,
	    outsz, NULL);
}

size_t
hsm_cmd_process_allow(struct hsm_cmd_ctx *ctx, hsm_allow allow,
    const uint8_t *req, size_t len, uint8_t *out, size_t outsz, int *refused)
{
	struct rd r;
	struct wr w;
	const char *e;
	size_t base;
	uint8_t code[2];
	int i, why;

	/* Before any early return: the caller reads it for every frame. */
	if (refused != NULL)
		*refused = 0;
	if (len < ctx->hdrlen + 2 || outsz < HSM_REPLY_MAX)
		return 0;
	memcpy(out, req, ctx->hdrlen);
	code[0] = req[ctx->hdrlen];
	code[1] = (uint8_t)(req[ctx->hdrlen + 1] + 1);
	out[ctx->hdrlen] = code[0];
	out[ctx->hdrlen + 1] = code[1];
	base = ctx->hdrlen + 4;
	r.p = req + ctx->hdrlen + 2;
	r.n = len - ctx->hdrlen - 2;
	w.p = out;
	w.n = base;
	w.cap = outsz - 64;	/* room for the trailer */
	w.overflow = 0;
	ctx->trailer = NULL;
	ctx->trailerlen = 0;
	i = lookup(req + ctx->hdrlen);
	why = refusal(allow, i, &r);
	if (refused != NULL)
		*refused = why;
	/* Refused before a field is read (a mode: but its first character):
	 * nothing else of the request is used. */
	if (why != 0)
		e = E_DISABLED;
	else
		e = dispatch(ctx, i, &r, &w);
	if (e == NULL && w.overflow)
		e = E_INPUT;
	if (e != NULL) {
		w.n = base;
		ctx->nerr++;
		log_debug("cmd=%.2s err=%s", (const char *)req + ctx->hdrlen,
		    e);
	} else {
		e = "00";
		ctx->nok++;
	}
	memcpy(out + ctx->hdrlen + 2, e, 2);
	if (ctx->trailer != NULL) {
		memcpy(out + w.n, ctx->trailer, ctx->trailerlen);
		w.n += ctx->trailerlen;
	}
	return w.n;
}
