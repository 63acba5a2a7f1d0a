/*
 * cmdcard.c — card and cardholder verification: CVV (CW, CY), PIN
 * verification by Visa PVV (EC) and IBM 3624 offset (EA), and PIN block
 * translation between zone keys (CA, CC).
 *
 * Clear PINs and computed values live in stack buffers wiped before the
 * handler returns.
 */
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "hsm/cmd-int.h"
#include "hsm/cvv.h"
#include "hsm/des.h"
#include "hsm/pin.h"

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

/* Decrypt a PIN block under key and decode a PIN of at most maxlen. */
static const char *
pin_extract(const struct kb_key *key, const char *blockhex, int fmt,
    const char acct[12], long maxlen, char pin[12], size_t *pinlen)
{
	uint8_t b[8];
	int rc;

	if (hex_decode_exact(blockhex, 16, b, 8) == -1 ||
	    hsm_des_decrypt(&key->des, b, b, 8) == -1)
		return E_INPUT;
	rc = hsm_pinblock_decode(fmt, b, acct, pin, pinlen);
	sodium_memzero(b, sizeof b);
	if (rc != HSM_PIN_OK)
		return pin_err(rc);
	return *pinlen > (size_t)maxlen ? E_PINLEN : NULL;
}

/*
 * A decimalisation table hsmd serves: entries 0-9 the digits 0-9 in
 * order, A-F any digit. The table comes from the caller, and one that is
 * not, all zeros say, fixes the natural PIN (0000): the offset is then a
 * guess at the PIN and EA's 00/01 a PIN oracle, 10^4 calls for any PIN
 * block; tables differing in one entry tell which digits the natural PIN
 * holds. A-F differ among the tables issuers use (0123456789012345 and
 * others), so they are left to the caller.
 */
static int
dectab_ok(const char *dectab)
{
	size_t i;

	if (!dec_valid(dectab, 16))
		return 0;
	for (i = 0; i < 10; i++)
		if (dectab[i] != (char)('0' + i))
			return 0;
	return 1;
}

static const struct keyreq KR_ZPK_IN = { "P0", "BDN", LENANY, E_KEYPAR1 };
static const struct keyreq KR_ZPK_OUT = { "P0", "BEN", LENANY, E_KEYPAR2 };
static const struct keyreq KR_CVK_GEN = { "C0", "CGN", LEN16, E_KEYPAR1 };
static const struct keyreq KR_CVK_VER = { "C0", "CVN", LEN16, E_KEYPAR1 };
static const struct keyreq KR_PVK_PVV = { "V0V2", "CVN", LEN16, E_KEYPAR2 };
static const struct keyreq KR_PVK_IBM = { "V0V1", "CVN", LENANY, E_KEYPAR2 };

/* --- CW / CY: generate / verify CVV ------------------------------------- */
const char *
cmd_cvv(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w, int verify)
{
	const char *blk, *cvv = NULL, *pan, *exp, *svc, *e;
	const struct kb_key *k;
	size_t len, panlen;
	char calc[3];

	if ((e = cmd_take_key(r, &blk, &len)) != NULL)
		return e;
	if (verify && cmd_take_digits(r, 3, &cvv) == -1)
		return E_INPUT;
	if (cmd_take_until(r, ';', 1, 19, &pan, &panlen) == -1 ||
	    cmd_take_digits(r, 4, &exp) == -1 ||
	    cmd_take_digits(r, 3, &svc) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if ((e = cmd_get_key(ctx, blk, len, verify ? &KR_CVK_VER :
	    &KR_CVK_GEN, &k)) != NULL)
		return e;
	if (hsm_cvv(&k->des, pan, panlen, exp, svc, calc) == -1)
		return E_INPUT;
	if (!verify)
		cmd_put(w, calc, 3);
	else if (sodium_memcmp(calc, cvv, 3) != 0)
		e = E_VERIFY;
	sodium_memzero(calc, sizeof calc);
	return e;
}

/* --- EC: verify an interchange PIN by the Visa PVV ----------------------- */
const char *
cmd_ec(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *zblk, *pblk, *pb, *fmt, *acct, *pvki, *pvv, *e;
	const struct kb_key *zpk, *pvk;
	size_t zlen, plen, pinlen = 0;
	char pin[12], calc[4];
	int f;

	(void)w;
	if ((e = cmd_take_key(r, &zblk, &zlen)) != NULL ||
	    (e = cmd_take_key(r, &pblk, &plen)) != NULL)
		return e;
	if (cmd_take_hex(r, 16, &pb) == -1 ||
	    cmd_take_digits(r, 2, &fmt) == -1 ||
	    cmd_take_digits(r, 12, &acct) == -1 ||
	    cmd_take_digits(r, 1, &pvki) == -1 ||
	    cmd_take_digits(r, 4, &pvv) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if ((f = pin_format(fmt)) == -1)
		return E_PINFMT;
	if ((e = cmd_get_key(ctx, zblk, zlen, &KR_ZPK_IN, &zpk)) != NULL ||
	    (e = cmd_get_key(ctx, pblk, plen, &KR_PVK_PVV, &pvk)) != NULL)
		return e;
	if ((e = pin_extract(zpk, pb, f, acct, 12, pin, &pinlen)) == NULL) {
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
const char *
cmd_ea(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *zblk, *pblk, *pb, *fmt, *acct, *dectab, *val, *off, *e;
	const struct kb_key *zpk, *pvk;
	size_t zlen, plen, pinlen = 0, i, nn = 0, ndig;
	char pin[12], nat[12], vb[16];
	long maxlen, chklen;
	int f;

	(void)w;
	if ((e = cmd_take_key(r, &zblk, &zlen)) != NULL ||
	    (e = cmd_take_key(r, &pblk, &plen)) != NULL)
		return e;
	if (cmd_take_num(r, 2, 10, &maxlen) == -1 ||
	    cmd_take_hex(r, 16, &pb) == -1 ||
	    cmd_take_digits(r, 2, &fmt) == -1 ||
	    cmd_take_num(r, 2, 10, &chklen) == -1 ||
	    cmd_take_digits(r, 12, &acct) == -1 ||
	    cmd_take(r, 16, &dectab) == -1 || cmd_take(r, 12, &val) == -1 ||
	    cmd_take_hex(r, 12, &off) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if (maxlen < 4 || maxlen > 12 || chklen < 4 || chklen > 12)
		return E_INPUT;
	if ((f = pin_format(fmt)) == -1)
		return E_PINFMT;
	/* LMK-encrypted tables: not supported; clear ones: 0-9 in order. */
	if (!dectab_ok(dectab))
		return E_DECTAB;
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
	if ((e = cmd_get_key(ctx, zblk, zlen, &KR_ZPK_IN, &zpk)) != NULL ||
	    (e = cmd_get_key(ctx, pblk, plen, &KR_PVK_IBM, &pvk)) != NULL)
		return e;
	if ((e = pin_extract(zpk, pb, f, acct, maxlen, pin, &pinlen)) != NULL)
		goto out;
	if (pinlen < (size_t)chklen) {
		e = E_VERIFY;	/* shorter than the minimum: wrong PIN */
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
const char *
cmd_translate(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w)
{
	const char *sblk, *dblk, *pb, *sfmt, *dfmt, *acct, *e;
	const struct kb_key *src, *dst;
	size_t slen, dlen, pinlen = 0;
	char pin[12], lenstr[2];
	uint8_t out[8];
	long maxlen;
	int sf, df, rc;

	if ((e = cmd_take_key(r, &sblk, &slen)) != NULL ||
	    (e = cmd_take_key(r, &dblk, &dlen)) != NULL)
		return e;
	if (cmd_take_num(r, 2, 10, &maxlen) == -1 ||
	    cmd_take_hex(r, 16, &pb) == -1 ||
	    cmd_take_digits(r, 2, &sfmt) == -1 ||
	    cmd_take_digits(r, 2, &dfmt) == -1 ||
	    cmd_take_digits(r, 12, &acct) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if (maxlen < 4 || maxlen > 12)
		return E_INPUT;
	if ((sf = pin_format(sfmt)) == -1 || (df = pin_format(dfmt)) == -1)
		return E_PINFMT;
	if ((e = cmd_get_key(ctx, sblk, slen, &KR_ZPK_IN, &src)) != NULL ||
	    (e = cmd_get_key(ctx, dblk, dlen, &KR_ZPK_OUT, &dst)) != NULL)
		return e;
	if ((e = pin_extract(src, pb, sf, acct, maxlen, pin, &pinlen)) !=
	    NULL)
		goto out;
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
	cmd_put(w, lenstr, 2);
	cmd_puthex(w, out, 8);
	cmd_put(w, dfmt, 2);
out:
	sodium_memzero(pin, sizeof pin);
	sodium_memzero(out, sizeof out);
	return e;
}
