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
 * cryptogram the issuer must answer (KQ's ARPC), and yield neither a key,
 * a value a card carries (CW's CVV, M6's MAC) nor a PIN block under
 * another key (CA, CC). BU is left out: nothing that verifies needs it.
 */
static const struct {
	char			 code[3];
	cmd_handler		*fn;
	cmd_pair_handler	*pair;		/* when fn is NULL */
	int			 verify;	/* which half of the pair */
	int			 vset;
} commands[] = {
	{ "NC", cmd_nc, NULL, 0, 1 },
	{ "B2", cmd_b2, NULL, 0, 1 },
	{ "A0", cmd_a0, NULL, 0, 0 },
	{ "A6", cmd_a6, NULL, 0, 0 },
	{ "BU", cmd_bu, NULL, 0, 0 },
	{ "CW", NULL, cmd_cvv, 0, 0 },
	{ "CY", NULL, cmd_cvv, 1, 1 },
	{ "EC", cmd_ec, NULL, 0, 1 },
	{ "EA", cmd_ea, NULL, 0, 1 },
	{ "CA", cmd_translate, NULL, 0, 0 },	/* TPK and ZPK share P0 */
	{ "CC", cmd_translate, NULL, 0, 0 },
	{ "KQ", cmd_kq, NULL, 0, 1 },
	{ "M6", NULL, cmd_mac, 0, 0 },
	{ "M8", NULL, cmd_mac, 1, 1 },
};
#define NCOMMANDS	(sizeof commands / sizeof commands[0])

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
	return (hsm_allow)((1u << NCOMMANDS) - 1);
}

hsm_allow
hsm_allow_verify(void)
{
	hsm_allow a = 0;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].vset)
			a |= (hsm_allow)1 << i;
	return a;
}

int
hsm_allow_parse(const char *s, hsm_allow *out, char *err, size_t errsz)
{
	char tok[16];
	size_t n;
	int i;

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
		if (strcmp(tok, "all") == 0)
			*out |= hsm_allow_all();
		else if (strcmp(tok, "verify") == 0)
			*out |= hsm_allow_verify();
		else if (n == 2 && (i = lookup((const uint8_t *)tok)) >= 0)
			*out |= (hsm_allow)1 << i;
		else {
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
		if (a & ((hsm_allow)1 << i))
			n += (size_t)snprintf(buf + n, bufsz - n, "%s%s",
			    n ? " " : "", commands[i].code);
}

int
hsm_allow_has(hsm_allow a, const char code[2])
{
	int i = lookup((const uint8_t *)code);

	return i >= 0 && (a & ((hsm_allow)1 << i));
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
	int i;

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
	if (refused != NULL)
		*refused = i >= 0 && !(allow & ((hsm_allow)1 << i));
	/* Refused before a field is read: nothing of the request is used. */
	if (i >= 0 && !(allow & ((hsm_allow)1 << i)))
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
