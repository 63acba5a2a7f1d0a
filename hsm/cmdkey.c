/*
 * cmdkey.c — the key blocks of host commands: finding the key a command
 * may use (every family goes through cmd_get_key), A0 generating one, A6
 * importing one from under a ZMK, and BU giving its check value.
 */
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "base/log.h"
#include "hsm/cmd-int.h"
#include "hsm/des.h"
#include "hsm/keyblock.h"

static const struct keyreq KR_ANY = { NULL, NULL, LENANY, E_KEYPAR1 };

const char *
cmd_get_key(struct hsm_cmd_ctx *ctx, const char *blk, size_t len,
    const struct keyreq *req, const struct kb_key **out)
{
	const struct kb_key *k;
	const char *u;
	unsigned bit;
	int rc;

	if (blk[0] != '1')
		return E_KBFORMAT;	/* 'S' blocks under an AES LMK */
	rc = kb_cache_get(ctx->cache, blk, len, &k);
	if (rc == KB_EAUTH)
		return E_KBAUTH;
	if (rc == KB_EFORMAT)
		return E_KBFORMAT;
	if (rc != KB_OK)
		return E_INTERNAL;
	if (memcmp(k->h.lmkid, LMK_ID, 2) != 0)
		return E_KBLMK;
	if (req->usages != NULL) {
		for (u = req->usages; *u; u += 2)
			if (memcmp(u, k->h.usage, 2) == 0)
				break;
		if (*u == '\0')
			return E_USAGE;
	}
	if (k->des.len == 0)
		return E_ALG;
	if (req->modes != NULL && strchr(req->modes, k->h.mode) == NULL)
		return E_USEMODE;
	bit = k->des.len == 8 ? LEN8 : k->des.len == 16 ? LEN16 : LEN24;
	if ((req->lens & bit) == 0)
		return E_KEYLEN;
	if (!k->parity_ok)
		return req->parity_err;
	*out = k;
	return NULL;
}

/* --- A0: generate a key (mode 0, key-block LMK) ------------------------- */

/* Which modes of use make sense for each usage hsmd can generate. */
static const struct {
	char		 usage[3];
	const char	*modes;
} usages[] = {
	{ "C0", "CGVN" }, { "V0", "CGVN" }, { "V1", "CGVN" },
	{ "V2", "CGVN" }, { "P0", "BDEN" }, { "K0", "BDEN" },
	{ "E0", "XN" }, { "M1", "CGVN" }, { "M3", "CGVN" },
};

/* The modes of use that go with a usage, or NULL for one hsmd does not
 * form. */
static const char *
usage_modes(const char *usage)
{
	size_t i;

	for (i = 0; i < sizeof usages / sizeof usages[0]; i++)
		if (memcmp(usages[i].usage, usage, 2) == 0)
			return usages[i].modes;
	return NULL;
}

const char *
cmd_a0(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *mode, *type, *scheme, *usage, *alg, *use, *kvn, *exp;
	const char *nopt, *modes, *e = NULL;
	char hdr[KB_HDR_LEN], blk[256];
	uint8_t key[24], kcv[8];
	size_t keylen;

	if (cmd_take(r, 1, &mode) == -1 || cmd_take(r, 3, &type) == -1 ||
	    cmd_take(r, 1, &scheme) == -1)
		return E_INPUT;
	if (*mode != '0')
		return E_INPUT;		/* export and derive modes: not here */
	if (memcmp(type, "FFF", 3) != 0)
		return E_KEYTYPE;
	if (*scheme != 'S')
		return E_KEYSCHEME;
	if ((e = cmd_take_lmk_id(r)) != NULL)
		return e;
	if (cmd_take_char(r, '#') == -1 || cmd_take(r, 2, &usage) == -1 ||
	    cmd_take(r, 2, &alg) == -1 || cmd_take(r, 1, &use) == -1 ||
	    cmd_take_digits(r, 2, &kvn) == -1 || cmd_take(r, 1, &exp) == -1 ||
	    cmd_take_digits(r, 2, &nopt) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if ((modes = usage_modes(usage)) == NULL)
		return E_USAGE;
	if (memcmp(alg, "T2", 2) == 0)
		keylen = 16;
	else if (memcmp(alg, "T3", 2) == 0)
		keylen = 24;
	else if (memcmp(alg, "D1", 2) == 0)
		keylen = 8;
	else
		return E_ALG;
	if (strchr(modes, *use) == NULL || *use == '\0')
		return E_USEMODE;
	if (*exp != 'E' && *exp != 'N' && *exp != 'S')
		return E_EXPORT;
	if (memcmp(nopt, "00", 2) != 0)
		return E_NOPT;

	memcpy(hdr, "10000", 5);
	memcpy(hdr + 5, usage, 2);
	hdr[7] = alg[0];
	hdr[8] = *use;
	memcpy(hdr + 9, kvn, 2);
	hdr[11] = *exp;
	memcpy(hdr + 12, "00" LMK_ID, 4);
	randombytes_buf(key, keylen);
	hsm_des_parity_fix(key, keylen);
	if (kb_cache_wrap(ctx->cache, hdr, key, keylen, blk, sizeof blk) !=
	    KB_OK || hsm_des_kcv_clear(key, keylen, kcv) == -1)
		e = E_INTERNAL;
	sodium_memzero(key, sizeof key);
	if (e != NULL)
		return e;
	cmd_put(w, "S", 1);
	cmd_put(w, blk, strlen(blk));
	cmd_puthex(w, kcv, 3);
	return NULL;
}

/* --- A6: import a key from under a ZMK --------------------------------- */

/* A ZMK unwraps; only working keys a link receives are imported. */
static const struct keyreq KR_ZMK = { "K0", "BDN", LEN16 | LEN24, E_KEYPAR1 };
static const char import_usages[] = "P0M1M3";

/*
 * Whether A6 may import the key of check value kcv under usage and mode:
 * 1 if it did so before (nothing to note), 0 if it never imported it, -1
 * (logged) if it imported it under another usage or mode since hsmd
 * started. X9.17 carries no usage, so the caller names it: a ZPK from a
 * scheme imported again as a MAC key would make M6 (or M8) an
 * encryption oracle under the ZPK, enough to form the PIN block of every
 * PIN of an account and find the one a captured block holds. A key
 * dropped from the ring (IMPORTS_MAX imports later) is forgotten.
 */
static int
import_seen(const struct hsm_cmd_ctx *ctx, const uint8_t kcv[8],
    const char *usage, char mode)
{
	const struct import_seen *p;
	char hex[7];
	size_t i;

	for (i = 0; i < ctx->nimports; i++) {
		p = &ctx->imports[i];
		if (memcmp(p->kcv, kcv, 8) != 0)
			continue;
		if (memcmp(p->usage, usage, 2) == 0 && p->mode == mode)
			return 1;
		/* The 6H KCV, as A6 answers it; usage and mode checked. */
		hex_encode(kcv, 3, hex);
		hex[6] = '\0';
		log_warnx("event=hsm_import_refused reason=other_usage kcv=%s "
		    "usage=%.2s mode=%c imported_usage=%.2s imported_mode=%c "
		    "err=%s", hex, usage, mode, p->usage, p->mode, E_KEYFUNC);
		return -1;
	}
	return 0;
}

/* Remember an import, dropping the oldest once the ring is full. */
static void
import_note(struct hsm_cmd_ctx *ctx, const uint8_t kcv[8],
    const char *usage, char mode)
{
	struct import_seen *p = &ctx->imports[ctx->nextimport];

	memcpy(p->kcv, kcv, 8);
	memcpy(p->usage, usage, 2);
	p->mode = mode;
	ctx->nextimport = (ctx->nextimport + 1) % IMPORTS_MAX;
	if (ctx->nimports < IMPORTS_MAX)
		ctx->nimports++;
}

/* The imported key under the LMK, as an S block of blksz at most. */
static const char *
import_wrap(struct hsm_cmd_ctx *ctx, const char *usage, char mode,
    const char *kvn, char exp, const uint8_t *key, size_t keylen, char *blk,
    size_t blksz)
{
	char hdr[KB_HDR_LEN];

	memcpy(hdr, "10000", 5);
	memcpy(hdr + 5, usage, 2);
	hdr[7] = 'T';
	hdr[8] = mode;
	memcpy(hdr + 9, kvn, 2);
	hdr[11] = exp;
	memcpy(hdr + 12, "00" LMK_ID, 4);
	return kb_cache_wrap(ctx->cache, hdr, key, keylen, blk, blksz) ==
	    KB_OK ? NULL : E_INTERNAL;
}

/*
 * A6 FFF ZMK(S block) KEY(X + 32H | Y + 48H: ANSI X9.17, TDES-ECB of the
 * key under the ZMK) S [%00] #usage(2) mode(1) kvn(2) exportability(1)
 * nopt(2): the key under the LMK (S block) and its KCV (6H).  The key
 * must have odd parity (11 otherwise): a wrong ZMK shows there first.
 * A key imported before under another usage or mode: 29.
 */
const char *
cmd_a6(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *type, *zblk, *form, *khex, *scheme, *usage, *use, *kvn;
	const char *exp, *nopt, *e = NULL, *u, *modes;
	const struct kb_key *zmk;
	char blk[256];
	uint8_t enc[24], key[24], kcv[8];
	size_t zlen, keylen;
	int seen = 0;

	if (cmd_take(r, 3, &type) == -1)
		return E_INPUT;
	if (memcmp(type, "FFF", 3) != 0)
		return E_KEYTYPE;
	if ((e = cmd_take_key(r, &zblk, &zlen)) != NULL)
		return e;
	if (cmd_take(r, 1, &form) == -1)
		return E_INPUT;
	if (*form != 'X' && *form != 'Y')
		return E_KEYSCHEME;
	keylen = *form == 'X' ? 16 : 24;
	if (cmd_take_hex(r, keylen * 2, &khex) == -1 ||
	    cmd_take(r, 1, &scheme) == -1)
		return E_INPUT;
	if (*scheme != 'S')
		return E_KEYSCHEME;
	if ((e = cmd_take_lmk_id(r)) != NULL)
		return e;
	if (cmd_take_char(r, '#') == -1 || cmd_take(r, 2, &usage) == -1 ||
	    cmd_take(r, 1, &use) == -1 || cmd_take_digits(r, 2, &kvn) == -1 ||
	    cmd_take(r, 1, &exp) == -1 || cmd_take_digits(r, 2, &nopt) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	for (u = import_usages; *u; u += 2)
		if (memcmp(u, usage, 2) == 0)
			break;
	if (*u == '\0')
		return E_USAGE;
	if ((modes = usage_modes(usage)) == NULL)
		return E_USAGE;
	if (*use == '\0' || strchr(modes, *use) == NULL)
		return E_USEMODE;
	if (*exp != 'E' && *exp != 'N' && *exp != 'S')
		return E_EXPORT;
	if (memcmp(nopt, "00", 2) != 0)
		return E_NOPT;
	if ((e = cmd_get_key(ctx, zblk, zlen, &KR_ZMK, &zmk)) != NULL)
		return e;
	if (hex_decode_exact(khex, keylen * 2, enc, keylen) == -1 ||
	    hsm_des_decrypt(&zmk->des, enc, key, keylen) == -1 ||
	    hsm_des_kcv_clear(key, keylen, kcv) == -1)
		e = E_INTERNAL;
	else if (!hsm_des_parity_ok(key, keylen))
		e = E_KEYPAR2;
	else if ((seen = import_seen(ctx, kcv, usage, *use)) == -1)
		e = E_KEYFUNC;
	else
		e = import_wrap(ctx, usage, *use, kvn, *exp, key, keylen, blk,
		    sizeof blk);
	sodium_memzero(key, sizeof key);
	sodium_memzero(enc, sizeof enc);
	if (e != NULL)
		return e;
	if (!seen)
		import_note(ctx, kcv, usage, *use);
	cmd_put(w, "S", 1);
	cmd_put(w, blk, strlen(blk));
	cmd_puthex(w, kcv, 3);
	return NULL;
}

/* --- BU: key check value ------------------------------------------------ */
const char *
cmd_bu(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *code, *flag, *blk, *type, *kcvtype = NULL, *e;
	const struct kb_key *k;
	size_t len;

	if (cmd_take(r, 2, &code) == -1 || cmd_take(r, 1, &flag) == -1)
		return E_INPUT;
	if ((e = cmd_take_key(r, &blk, &len)) != NULL)
		return e;
	if (memcmp(code, "FF", 2) == 0 &&
	    (cmd_take_char(r, ';') == -1 || cmd_take(r, 3, &type) == -1))
		return E_INPUT;
	if (cmd_take_char(r, ';') == 0 && (cmd_take_char(r, '0') == -1 ||
	    cmd_take_char(r, '0') == -1 || cmd_take(r, 1, &kcvtype) == -1 ||
	    (*kcvtype != '0' && *kcvtype != '1')))
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if (*flag != 'F' && *flag != '0' && *flag != '1' && *flag != '2')
		return E_INPUT;
	if ((e = cmd_get_key(ctx, blk, len, &KR_ANY, &k)) != NULL)
		return e;
	cmd_puthex(w, k->kcv, kcvtype != NULL && *kcvtype == '1' ? 3 : 8);
	return NULL;
}
