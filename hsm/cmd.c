/*
 * cmd.c — payShield host commands: NC B2 A0 BU CW CY EC EA CA CC KQ M6 M8.
 *
 * Every handler first parses all its fields (by length, never by scanning
 * for delimiters inside data) and the optional LMK id / trailer, then
 * does the crypto. A handler returns NULL for "00" or the 2-character
 * payShield error code; fields it wrote are dropped on error.
 *
 * Clear keys never leave the key cache except as per-call derived keys
 * (EMV) held in ctx scratch contexts and stack buffers wiped after use.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hsm/cmd.h"
#include "hsm/cvv.h"
#include "hsm/des.h"
#include "hsm/emv.h"
#include "base/hex.h"
#include "hsm/kbcache.h"
#include "hsm/keyblock.h"
#include "hsm/pin.h"
#include "base/log.h"

#define CACHE_SLOTS	1024
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

static void
put(struct wr *w, const void *d, size_t n)
{
	if (w->overflow || w->cap - w->n < n) {
		w->overflow = 1;
		return;
	}
	memcpy(w->p + w->n, d, n);
	w->n += n;
}

static void
puthex(struct wr *w, const uint8_t *d, size_t n)
{
	if (w->overflow || w->cap - w->n < 2 * n) {
		w->overflow = 1;
		return;
	}
	hex_encode(d, n, (char *)w->p + w->n);
	w->n += 2 * n;
}

static int
take(struct rd *r, size_t n, const char **out)
{
	if (r->n < n)
		return -1;
	*out = (const char *)r->p;
	r->p += n;
	r->n -= n;
	return 0;
}

static int
take_digits(struct rd *r, size_t n, const char **out)
{
	return take(r, n, out) == -1 || !dec_valid(*out, n) ? -1 : 0;
}

static int
take_hex(struct rd *r, size_t n, const char **out)
{
	return take(r, n, out) == -1 || !hex_valid(*out, n, 0) ? -1 : 0;
}

static int
take_num(struct rd *r, size_t n, int base, long *v)
{
	const char *s;

	if (take(r, n, &s) == -1 || (*v = num_parse(s, n, base)) < 0)
		return -1;
	return 0;
}

static int
take_char(struct rd *r, char c)
{
	if (r->n < 1 || r->p[0] != (uint8_t)c)
		return -1;
	r->p++;
	r->n--;
	return 0;
}

/* Up to max digits ended by delim (consumed); the PAN fields. */
static int
take_until(struct rd *r, char delim, size_t min, size_t max,
    const char **out, size_t *len)
{
	size_t i;

	for (i = 0; i < r->n && i <= max; i++)
		if (r->p[i] == (uint8_t)delim)
			break;
	if (i >= r->n || i > max || i < min || !dec_valid(
	    (const char *)r->p, i))
		return -1;
	*out = (const char *)r->p;
	*len = i;
	r->p += i + 1;
	r->n -= i + 1;
	return 0;
}

/* 'S' + key block: the 4-digit length after the version says how much. */
static const char *
take_key(struct rd *r, const char **blk, size_t *len)
{
	long v;

	if (r->n < 1)
		return E_INPUT;
	if (r->p[0] != 'S')
		return E_KEYSCHEME;	/* only key blocks travel */
	if (r->n < 6)
		return E_INPUT;
	if ((v = num_parse((const char *)r->p + 2, 4, 10)) < KB_HDR_LEN)
		return E_KBFORMAT;
	if (r->n < 1 + (size_t)v)
		return E_INPUT;
	*blk = (const char *)r->p + 1;
	*len = (size_t)v;
	r->p += 1 + (size_t)v;
	r->n -= 1 + (size_t)v;
	return NULL;
}

/* Optional "%" LMK id, optional 0x19 + trailer, then the end. */
static const char *
take_tail(struct hsm_cmd_ctx *ctx, struct rd *r)
{
	const char *id;

	if (r->n >= 1 && r->p[0] == '%') {
		r->p++;
		r->n--;
		if (take_digits(r, 2, &id) == -1)
			return E_INPUT;
		if (memcmp(id, LMK_ID, 2) != 0)
			return E_LMKID;
	}
	if (r->n >= 1 && r->p[0] == 0x19) {
		if (r->n > 33)
			return E_INPUT;
		ctx->trailer = r->p;
		ctx->trailerlen = r->n;
		r->n = 0;
	}
	return r->n == 0 ? NULL : E_INPUT;
}

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

static const char *
get_key(struct hsm_cmd_ctx *ctx, const char *blk, size_t len,
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

/* payShield PIN block format codes -> ISO 9564-1 format numbers. */
static int
pin_format(const char code[2])
{
	if (memcmp(code, "01", 2) == 0)
		return 0;
	if (memcmp(code, "05", 2) == 0)
		return 1;
	if (memcmp(code, "47", 2) == 0)
		return 3;
	return -1;
}

static const char *
pin_err(int rc)
{
	return rc == HSM_PIN_ELEN ? E_PINLEN : rc == HSM_PIN_EFORMAT ?
	    E_PINFMT : E_PINBLOCK;
}

/* Decrypt a PIN block under key and decode it. */
static const char *
pin_extract(const struct kb_key *key, const char *blockhex, int fmt,
    const char acct[12], char pin[12], size_t *pinlen)
{
	uint8_t b[8];
	int rc;

	if (hex_decode_exact(blockhex, 16, b, 8) == -1 ||
	    hsm_des_decrypt(&key->des, b, b, 8) == -1)
		return E_INPUT;
	rc = hsm_pinblock_decode(fmt, b, acct, pin, pinlen);
	sodium_memzero(b, sizeof b);
	return rc == HSM_PIN_OK ? NULL : pin_err(rc);
}

static const struct keyreq KR_ZPK_IN = { "P0", "BDN", LENANY, E_KEYPAR1 };
static const struct keyreq KR_ZPK_OUT = { "P0", "BEN", LENANY, E_KEYPAR2 };
static const struct keyreq KR_CVK_GEN = { "C0", "CGN", LEN16, E_KEYPAR1 };
static const struct keyreq KR_CVK_VER = { "C0", "CVN", LEN16, E_KEYPAR1 };
static const struct keyreq KR_PVK_PVV = { "V0V2", "CVN", LEN16, E_KEYPAR2 };
static const struct keyreq KR_PVK_IBM = { "V0V1", "CVN", LENANY, E_KEYPAR2 };
static const struct keyreq KR_MKAC = { "E0", "XN", LEN16, E_KEYPAR1 };
static const struct keyreq KR_ANY = { NULL, NULL, LENANY, E_KEYPAR1 };

/* --- NC: diagnostics --------------------------------------------------- */
static const char *
cmd_nc(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *e;

	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	put(w, ctx->lmk_kcv, LMK_KCV_HEX);
	put(w, HSM_FIRMWARE, 9);
	return NULL;
}

/* --- B2: echo (length is 4H, as the simulator reads it) ----------------- */
static const char *
cmd_b2(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *data, *e;
	long n;

	if (take_num(r, 4, 16, &n) == -1)
		return E_INPUT;
	if (take(r, (size_t)n, &data) == -1)
		return E_DATALEN;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	put(w, data, (size_t)n);
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

static const char *
cmd_a0(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *mode, *type, *scheme, *usage, *alg, *use, *kvn, *exp;
	const char *nopt, *id, *e = NULL;
	char hdr[KB_HDR_LEN], blk[256];
	uint8_t key[24], kcv[8];
	size_t i, keylen;

	if (take(r, 1, &mode) == -1 || take(r, 3, &type) == -1 ||
	    take(r, 1, &scheme) == -1)
		return E_INPUT;
	if (*mode != '0')
		return E_INPUT;		/* export and derive modes: not here */
	if (memcmp(type, "FFF", 3) != 0)
		return E_KEYTYPE;
	if (*scheme != 'S')
		return E_KEYSCHEME;
	if (take_char(r, '%') == 0) {
		if (take_digits(r, 2, &id) == -1)
			return E_INPUT;
		if (memcmp(id, LMK_ID, 2) != 0)
			return E_LMKID;
	}
	if (take_char(r, '#') == -1 || take(r, 2, &usage) == -1 ||
	    take(r, 2, &alg) == -1 || take(r, 1, &use) == -1 ||
	    take_digits(r, 2, &kvn) == -1 || take(r, 1, &exp) == -1 ||
	    take_digits(r, 2, &nopt) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	for (i = 0; i < sizeof usages / sizeof usages[0]; i++)
		if (memcmp(usages[i].usage, usage, 2) == 0)
			break;
	if (i == sizeof usages / sizeof usages[0])
		return E_USAGE;
	if (memcmp(alg, "T2", 2) == 0)
		keylen = 16;
	else if (memcmp(alg, "T3", 2) == 0)
		keylen = 24;
	else if (memcmp(alg, "D1", 2) == 0)
		keylen = 8;
	else
		return E_ALG;
	if (strchr(usages[i].modes, *use) == NULL || *use == '\0')
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
	put(w, "S", 1);
	put(w, blk, strlen(blk));
	puthex(w, kcv, 3);
	return NULL;
}

/* --- BU: key check value ------------------------------------------------ */
static const char *
cmd_bu(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *code, *flag, *blk, *type, *kcvtype = NULL, *e;
	const struct kb_key *k;
	size_t len;

	if (take(r, 2, &code) == -1 || take(r, 1, &flag) == -1)
		return E_INPUT;
	if ((e = take_key(r, &blk, &len)) != NULL)
		return e;
	if (memcmp(code, "FF", 2) == 0 &&
	    (take_char(r, ';') == -1 || take(r, 3, &type) == -1))
		return E_INPUT;
	if (take_char(r, ';') == 0 && (take_char(r, '0') == -1 ||
	    take_char(r, '0') == -1 || take(r, 1, &kcvtype) == -1 ||
	    (*kcvtype != '0' && *kcvtype != '1')))
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	if (*flag != 'F' && *flag != '0' && *flag != '1' && *flag != '2')
		return E_INPUT;
	if ((e = get_key(ctx, blk, len, &KR_ANY, &k)) != NULL)
		return e;
	puthex(w, k->kcv, kcvtype != NULL && *kcvtype == '1' ? 3 : 8);
	return NULL;
}

/* --- CW / CY: generate / verify CVV ------------------------------------- */
static const char *
cvv_common(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w, int verify)
{
	const char *blk, *cvv = NULL, *pan, *exp, *svc, *e;
	const struct kb_key *k;
	size_t len, panlen;
	char calc[3];

	if ((e = take_key(r, &blk, &len)) != NULL)
		return e;
	if (verify && take_digits(r, 3, &cvv) == -1)
		return E_INPUT;
	if (take_until(r, ';', 1, 19, &pan, &panlen) == -1 ||
	    take_digits(r, 4, &exp) == -1 || take_digits(r, 3, &svc) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	if ((e = get_key(ctx, blk, len, verify ? &KR_CVK_VER : &KR_CVK_GEN,
	    &k)) != NULL)
		return e;
	if (hsm_cvv(&k->des, pan, panlen, exp, svc, calc) == -1)
		return E_INPUT;
	if (!verify)
		put(w, calc, 3);
	else if (sodium_memcmp(calc, cvv, 3) != 0)
		e = E_VERIFY;
	sodium_memzero(calc, sizeof calc);
	return e;
}

static const char *
cmd_cw(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	return cvv_common(ctx, r, w, 0);
}

static const char *
cmd_cy(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	return cvv_common(ctx, r, w, 1);
}

/* --- EC: verify an interchange PIN by the Visa PVV ----------------------- */
static const char *
cmd_ec(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *zblk, *pblk, *pb, *fmt, *acct, *pvki, *pvv, *e;
	const struct kb_key *zpk, *pvk;
	size_t zlen, plen, pinlen = 0;
	char pin[12], calc[4];
	int f;

	(void)w;
	if ((e = take_key(r, &zblk, &zlen)) != NULL ||
	    (e = take_key(r, &pblk, &plen)) != NULL)
		return e;
	if (take_hex(r, 16, &pb) == -1 || take_digits(r, 2, &fmt) == -1 ||
	    take_digits(r, 12, &acct) == -1 || take_digits(r, 1, &pvki) == -1 ||
	    take_digits(r, 4, &pvv) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	if ((f = pin_format(fmt)) == -1)
		return E_PINFMT;
	if ((e = get_key(ctx, zblk, zlen, &KR_ZPK_IN, &zpk)) != NULL ||
	    (e = get_key(ctx, pblk, plen, &KR_PVK_PVV, &pvk)) != NULL)
		return e;
	if ((e = pin_extract(zpk, pb, f, acct, pin, &pinlen)) == NULL) {
		/* The 11 account digits: the field less its first digit. */
		if (hsm_pvv(&pvk->des, acct + 1, *pvki, pin, calc) == -1)
			e = E_INTERNAL;
		else if (sodium_memcmp(calc, pvv, 4) != 0)
			e = E_VERIFY;
	}
	sodium_memzero(pin, sizeof pin);
	sodium_memzero(calc, sizeof calc);
	return e;
}

/* --- EA: verify an interchange PIN by the IBM 3624 offset ---------------- */
static const char *
cmd_ea(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *zblk, *pblk, *pb, *fmt, *acct, *dectab, *val, *off, *e;
	const struct kb_key *zpk, *pvk;
	size_t zlen, plen, pinlen = 0, i, nn = 0, ndig;
	char pin[12], nat[12], vb[16];
	long maxlen, chklen;
	int f;

	(void)w;
	if ((e = take_key(r, &zblk, &zlen)) != NULL ||
	    (e = take_key(r, &pblk, &plen)) != NULL)
		return e;
	if (take_num(r, 2, 10, &maxlen) == -1 || take_hex(r, 16, &pb) == -1 ||
	    take_digits(r, 2, &fmt) == -1 || take_num(r, 2, 10, &chklen) == -1 ||
	    take_digits(r, 12, &acct) == -1 || take(r, 16, &dectab) == -1 ||
	    take(r, 12, &val) == -1 || take_hex(r, 12, &off) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	if (maxlen < 4 || maxlen > 12 || chklen < 4 || chklen > 12)
		return E_INPUT;
	if ((f = pin_format(fmt)) == -1)
		return E_PINFMT;
	if (!dec_valid(dectab, 16))
		return E_DECTAB;	/* LMK-encrypted tables: not supported */
	/* Validation data: hex digits and exactly one N (-> 5 acct digits). */
	for (i = 0; i < 12; i++) {
		if (val[i] == 'N') {
			nn++;
			continue;
		}
		if (!hex_valid(val + i, 1, 0))
			return E_INPUT;
	}
	if (nn != 1)
		return E_INPUT;
	for (i = 0, nn = 0; i < 12; i++) {
		if (val[i] == 'N') {
			memcpy(vb + nn, acct + 7, 5);
			nn += 5;
		} else
			vb[nn++] = val[i];
	}
	/* Offset: digits left-justified, then F. */
	for (ndig = 0; ndig < 12 && off[ndig] >= '0' && off[ndig] <= '9';
	    ndig++)
		;
	for (i = ndig; i < 12; i++)
		if (off[i] != 'F' && off[i] != 'f')
			return E_INPUT;
	if (ndig < (size_t)chklen)
		return E_INPUT;
	if ((e = get_key(ctx, zblk, zlen, &KR_ZPK_IN, &zpk)) != NULL ||
	    (e = get_key(ctx, pblk, plen, &KR_PVK_IBM, &pvk)) != NULL)
		return e;
	if ((e = pin_extract(zpk, pb, f, acct, pin, &pinlen)) != NULL)
		goto out;
	if (pinlen > (size_t)maxlen) {
		e = E_PINLEN;
		goto out;
	}
	if (pinlen < (size_t)chklen) {
		e = E_VERIFY;		/* shorter than the minimum: wrong PIN */
		goto out;
	}
	if (hsm_ibm_natural(&pvk->des, vb, dectab, pinlen, nat) == -1) {
		e = E_INTERNAL;
		goto out;
	}
	/* Natural + offset (mod 10, no carry) against the PIN, check length. */
	for (i = 0; i < (size_t)chklen; i++)
		nat[i] = (char)('0' + (nat[i] - '0' + off[i] - '0') % 10);
	if (sodium_memcmp(nat, pin, (size_t)chklen) != 0)
		e = E_VERIFY;
out:
	sodium_memzero(pin, sizeof pin);
	sodium_memzero(nat, sizeof nat);
	return e;
}

/* --- CA / CC: translate a PIN block -------------------------------------- */
static const char *
translate(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *sblk, *dblk, *pb, *sfmt, *dfmt, *acct, *e;
	const struct kb_key *src, *dst;
	size_t slen, dlen, pinlen = 0;
	char pin[12], lenstr[2];
	uint8_t out[8];
	long maxlen;
	int sf, df, rc;

	if ((e = take_key(r, &sblk, &slen)) != NULL ||
	    (e = take_key(r, &dblk, &dlen)) != NULL)
		return e;
	if (take_num(r, 2, 10, &maxlen) == -1 || take_hex(r, 16, &pb) == -1 ||
	    take_digits(r, 2, &sfmt) == -1 || take_digits(r, 2, &dfmt) == -1 ||
	    take_digits(r, 12, &acct) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	if (maxlen < 4 || maxlen > 12)
		return E_INPUT;
	if ((sf = pin_format(sfmt)) == -1 || (df = pin_format(dfmt)) == -1)
		return E_PINFMT;
	if ((e = get_key(ctx, sblk, slen, &KR_ZPK_IN, &src)) != NULL ||
	    (e = get_key(ctx, dblk, dlen, &KR_ZPK_OUT, &dst)) != NULL)
		return e;
	if ((e = pin_extract(src, pb, sf, acct, pin, &pinlen)) != NULL)
		goto out;
	if (pinlen > (size_t)maxlen) {
		e = E_PINLEN;
		goto out;
	}
	if ((rc = hsm_pinblock_encode(df, pin, pinlen, acct, out)) !=
	    HSM_PIN_OK) {
		e = pin_err(rc);
		goto out;
	}
	if (hsm_des_encrypt(&dst->des, out, out, 8) == -1) {
		e = E_INTERNAL;
		goto out;
	}
	lenstr[0] = (char)('0' + pinlen / 10);
	lenstr[1] = (char)('0' + pinlen % 10);
	put(w, lenstr, 2);
	puthex(w, out, 8);
	put(w, dfmt, 2);
out:
	sodium_memzero(pin, sizeof pin);
	sodium_memzero(out, sizeof out);
	return e;
}

static const char *
cmd_ca(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	return translate(ctx, r, w);	/* TPK and ZPK share usage P0 */
}

static const char *
cmd_cc(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	return translate(ctx, r, w);
}

/* --- KQ: ARQC verification / ARPC generation ----------------------------- */
static const char *
cmd_kq(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	static const uint8_t zero[16];
	const char *mode, *scheme, *blk, *panpsn, *atc, *un, *data = NULL;
	const char *arqc, *arc = NULL, *e;
	const struct kb_key *mk;
	const struct hsm_des *ack, *arpck;
	uint8_t icc[16], sk[16], rr[8], calc[8], arpc[8];
	size_t blen;
	long dlen = 0;

	if (take(r, 1, &mode) == -1 || take(r, 1, &scheme) == -1)
		return E_INPUT;
	if (*mode != '0' && *mode != '1' && *mode != '2')
		return E_MODE;		/* 3, 4 need MK-SMI: not supported */
	/* 0 static, 1 MasterCard SKD; 2 = hsmd's EMV CSK (never a payShield) */
	if (*scheme != '0' && *scheme != '1' && *scheme != '2')
		return E_SCHEME;
	if ((e = take_key(r, &blk, &blen)) != NULL)
		return e;
	if (take(r, 8, &panpsn) == -1 || take(r, 2, &atc) == -1 ||
	    take(r, 4, &un) == -1)
		return E_INPUT;
	if (*mode != '2') {
		if (take_num(r, 2, 16, &dlen) == -1)
			return E_INPUT;
		if (take(r, (size_t)dlen, &data) == -1)
			return E_DATALEN;
		if (take_char(r, ';') == -1)
			return E_INPUT;
	}
	if (take(r, 8, &arqc) == -1)
		return E_INPUT;
	if (*mode != '0' && take(r, 2, &arc) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;
	if (*mode != '2') {
		if (dlen == 0)
			return E_ZERODATA;
		if (dlen % 8 != 0)
			return E_DATALEN;	/* the host pads; we MAC as is */
	}
	if ((e = get_key(ctx, blk, blen, &KR_MKAC, &mk)) != NULL)
		return e;

	e = E_INTERNAL;
	if (hsm_emv_icc_mk(&mk->des, (const uint8_t *)panpsn, icc) == -1 ||
	    hsm_des_rekey(&ctx->icc, icc, 16) == -1)
		goto out;
	ack = arpck = &ctx->icc;
	if (*scheme != '0') {
		memcpy(rr, atc, 2);
		memset(rr + 2, 0, 6);
		if (*scheme == '1')
			memcpy(rr + 4, un, 4);
		if (hsm_emv_session_key(&ctx->icc, rr, sk) == -1 ||
		    hsm_des_rekey(&ctx->sk, sk, 16) == -1)
			goto out;
		ack = &ctx->sk;
		if (*scheme == '2')
			arpck = &ctx->sk;
	}
	if (*mode != '2') {
		if (hsm_des_mac(ack, HSM_MAC_ALG3, HSM_PAD_NONE, zero,
		    (const uint8_t *)data, (size_t)dlen, 1, calc) == -1)
			goto out;
		if (sodium_memcmp(calc, arqc, 8) != 0) {
			e = E_VERIFY;
			goto out;
		}
	}
	if (*mode != '0') {
		if (hsm_emv_arpc1(arpck, (const uint8_t *)arqc,
		    (const uint8_t *)arc, arpc) == -1)
			goto out;
		put(w, arpc, 8);
	}
	e = NULL;
out:
	/* Leave no derived key in the scratch schedules either. */
	hsm_des_rekey(&ctx->icc, zero, 16);
	hsm_des_rekey(&ctx->sk, zero, 16);
	sodium_memzero(icc, sizeof icc);
	sodium_memzero(sk, sizeof sk);
	return e;
}

/* --- M6 / M8: generate / verify a MAC ------------------------------------ */
static const char *
mac_common(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w, int verify)
{
	static const uint8_t zero[8];
	const char *mode, *ifmt, *size, *alg, *pad, *type, *blk, *ivh = NULL;
	const char *msg, *mach = NULL, *e;
	const struct kb_key *k;
	struct keyreq kr;
	uint8_t iv[8], mac[8], want[8];
	const uint8_t *data;
	size_t blen, dlen, maclen;
	long mlen;
	int final;

	if (take(r, 1, &mode) == -1 || take(r, 1, &ifmt) == -1 ||
	    take(r, 1, &size) == -1 || take(r, 1, &alg) == -1 ||
	    take(r, 1, &pad) == -1 || take(r, 3, &type) == -1)
		return E_INPUT;
	if (*mode < '0' || *mode > '3' || (verify && *mode != '0' &&
	    *mode != '3'))
		return "02";
	if (*ifmt < '0' || *ifmt > '2')
		return "03";
	if ((*size != '0' && *size != '1') || (*alg != '1' && *alg != '3'))
		return "04";
	if (*pad < '0' || *pad > '2')
		return "09";
	if (memcmp(type, "FFF", 3) != 0 && memcmp(type, "003", 3) != 0 &&
	    memcmp(type, "008", 3) != 0)
		return "05";
	if ((e = take_key(r, &blk, &blen)) != NULL)
		return e;
	if ((*mode == '2' || *mode == '3') && take_hex(r, 16, &ivh) == -1)
		return E_INPUT;
	if (take_num(r, 4, 16, &mlen) == -1)
		return E_INPUT;
	if (take(r, (size_t)mlen, &msg) == -1)
		return "06";
	maclen = *size == '0' ? 4 : 8;
	if (verify && take_hex(r, 2 * maclen, &mach) == -1)
		return E_INPUT;
	if ((e = take_tail(ctx, r)) != NULL)
		return e;

	if (*ifmt == '1') {
		if (mlen % 2 != 0)
			return "06";
		dlen = (size_t)mlen / 2;
		if (hex_decode_exact(msg, (size_t)mlen, ctx->msgbuf, dlen) == -1)
			return E_INPUT;
		data = ctx->msgbuf;
	} else {
		data = (const uint8_t *)msg;
		dlen = (size_t)mlen;
	}
	final = *mode == '0' || *mode == '3';
	if ((!final || *pad == '0') && (dlen % 8 != 0 || dlen == 0))
		return "06";
	kr.usages = *alg == '1' ? "M1" : "M3";
	kr.modes = verify ? "CVN" : "CGN";
	kr.lens = *alg == '1' ? LENANY : LEN16;
	kr.parity_err = E_KEYPAR1;
	if ((e = get_key(ctx, blk, blen, &kr, &k)) != NULL)
		return e;
	if (ivh != NULL)
		hex_decode_exact(ivh, 16, iv, 8);
	else
		memcpy(iv, zero, 8);
	if (hsm_des_mac(&k->des, *alg - '0', *pad - '0', iv, data, dlen, final,
	    mac) == -1)
		return E_INTERNAL;
	if (!final)
		puthex(w, mac, 8);	/* chaining value for the next part */
	else if (!verify)
		puthex(w, mac, maclen);
	else {
		hex_decode_exact(mach, 2 * maclen, want, maclen);
		if (sodium_memcmp(mac, want, maclen) != 0)
			return E_VERIFY;
	}
	return NULL;
}

static const char *
cmd_m6(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	return mac_common(ctx, r, w, 0);
}

static const char *
cmd_m8(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	return mac_common(ctx, r, w, 1);
}

/* --- dispatch ------------------------------------------------------------ */
static const struct {
	char		  code[3];
	const char	*(*fn)(struct hsm_cmd_ctx *, struct rd *, struct wr *);
} commands[] = {
	{ "NC", cmd_nc }, { "B2", cmd_b2 }, { "A0", cmd_a0 },
	{ "BU", cmd_bu }, { "CW", cmd_cw }, { "CY", cmd_cy },
	{ "EC", cmd_ec }, { "EA", cmd_ea }, { "CA", cmd_ca },
	{ "CC", cmd_cc }, { "KQ", cmd_kq }, { "M6", cmd_m6 },
	{ "M8", cmd_m8 },
};

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
	    hsm_des_init(&ctx->icc, zero, 16) == -1) {
		hsm_cmd_free(ctx);
		return NULL;
	}
	if (hsm_des_init(&ctx->sk, zero, 16) == -1) {
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
	struct rd r;
	struct wr w;
	const char *e = E_DISABLED;
	size_t i, base;
	uint8_t code[2];

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
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (memcmp(commands[i].code, req + ctx->hdrlen, 2) == 0) {
			e = commands[i].fn(ctx, &r, &w);
			break;
		}
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
