/*
 * cmdemv.c — KQ: EMV ARQC verification and ARPC generation.
 *
 * The ICC master key and session key are derived per call into the
 * context's scratch schedules (locked memory) and stack buffers, and
 * wiped before the handler returns.
 */
#include <string.h>

#include <sodium.h>

#include "hsm/cmd-int.h"
#include "hsm/des.h"
#include "hsm/emv.h"

static const struct keyreq KR_MKAC = { "E0", "XN", LEN16, E_KEYPAR1 };

/* --- KQ: ARQC verification / ARPC generation ----------------------------- */
const char *
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

	if (cmd_take(r, 1, &mode) == -1 || cmd_take(r, 1, &scheme) == -1)
		return E_INPUT;
	if (*mode != '0' && *mode != '1' && *mode != '2')
		return E_MODE;		/* 3, 4 need MK-SMI: not supported */
	/* 0 static, 1 MasterCard SKD; 2 = hsmd's EMV CSK (never a payShield) */
	if (*scheme != '0' && *scheme != '1' && *scheme != '2')
		return E_SCHEME;
	if ((e = cmd_take_key(r, &blk, &blen)) != NULL)
		return e;
	if (cmd_take(r, 8, &panpsn) == -1 || cmd_take(r, 2, &atc) == -1 ||
	    cmd_take(r, 4, &un) == -1)
		return E_INPUT;
	if (*mode != '2') {
		if (cmd_take_num(r, 2, 16, &dlen) == -1)
			return E_INPUT;
		if (cmd_take(r, (size_t)dlen, &data) == -1)
			return E_DATALEN;
		if (cmd_take_char(r, ';') == -1)
			return E_INPUT;
	}
	if (cmd_take(r, 8, &arqc) == -1)
		return E_INPUT;
	if (*mode != '0' && cmd_take(r, 2, &arc) == -1)
		return E_INPUT;
	if ((e = cmd_take_tail(ctx, r)) != NULL)
		return e;
	if (*mode != '2') {
		if (dlen == 0)
			return E_ZERODATA;
		/* The host pads; we MAC as is. */
		if (dlen % 8 != 0)
			return E_DATALEN;
	}
	if ((e = cmd_get_key(ctx, blk, blen, &KR_MKAC, &mk)) != NULL)
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
		cmd_put(w, arpc, 8);
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
