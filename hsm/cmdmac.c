/*
 * cmdmac.c — M6 / M8: generate and verify a MAC (ISO 9797-1 algorithms 1
 * and 3) over text or hex input, whole or in parts.
 */
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "hsm/cmd-int.h"
#include "hsm/des.h"

/* --- M6 / M8: generate / verify a MAC ------------------------------------ */
const char *
cmd_mac(struct hsm_cmd_ctx *ctx, struct rd *r, struct wr *w, int verify)
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

	if (cmd_take(r, 1, &mode) == -1 || cmd_take(r, 1, &ifmt) == -1 ||
	    cmd_take(r, 1, &size) == -1 || cmd_take(r, 1, &alg) == -1 ||
	    cmd_take(r, 1, &pad) == -1 || cmd_take(r, 3, &type) == -1)
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
	if ((e = cmd_take_key(r, &blk, &blen)) != NULL)
		return e;
	if ((*mode == '2' || *mode == '3') && cmd_take_hex(r, 16, &ivh) == -1)
		return E_INPUT;
	if (cmd_take_num(r, 4, 16, &mlen) == -1)
		return E_INPUT;
	if (cmd_take(r, (size_t)mlen, &msg) == -1)
		return "06";
	maclen = *size == '0' ? 4 : 8;
	if (verify && cmd_take_hex(r, 2 * maclen, &mach) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;

	if (*ifmt == '1') {
		if (mlen % 2 != 0)
			return "06";
		dlen = (size_t)mlen / 2;
		if (hex_decode_exact(msg, (size_t)mlen, ctx->msgbuf,
		    dlen) == -1)
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
	if ((e = cmd_get_key(ctx, blk, blen, &kr, &k)) != NULL)
		return e;
	if (ivh != NULL)
		hex_decode_exact(ivh, 16, iv, 8);
	else
		memcpy(iv, zero, 8);
	if (hsm_des_mac(&k->des, *alg - '0', *pad - '0', iv, data, dlen, final,
	    mac) == -1)
		return E_INTERNAL;
	if (!final)
		cmd_puthex(w, mac, 8);	/* chaining value for the next part */
	else if (!verify)
		cmd_puthex(w, mac, maclen);
	else {
		hex_decode_exact(mach, 2 * maclen, want, maclen);
		if (sodium_memcmp(mac, want, maclen) != 0)
			return E_VERIFY;
	}
	return NULL;
}
