/*
 * reply.c — payShield reply parsing for the client (hsmclient.h).
 * Kept apart from client.c so the fuzzer drives it without sockets.
 */
#include <string.h>

#include "base/hex.h"
#include "hsm/client/hsmclient.h"

static const char codes[][3] = {
	[HSM_K_NC] = "ND", [HSM_K_CY] = "CZ", [HSM_K_EC] = "ED",
	[HSM_K_EA] = "EB", [HSM_K_KQ0] = "KR", [HSM_K_KQ1] = "KR",
	[HSM_K_M6_4] = "M7", [HSM_K_M6_8] = "M7", [HSM_K_M8] = "M9",
	[HSM_K_CA] = "CB", [HSM_K_CC] = "CD", [HSM_K_A6] = "A7",
};

static int
alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

int
hsm_reply_parse(enum hsm_kind kind, const uint8_t *body, size_t len,
    const char *hdr, size_t hdrlen, struct hsm_result *r)
{
	const char *f;
	size_t n, i;

	memset(r, 0, sizeof *r);
	if ((unsigned)kind > HSM_K_A6 || len < hdrlen + 4 ||
	    memcmp(body, hdr, hdrlen) != 0 ||
	    memcmp(body + hdrlen, codes[kind], 2) != 0)
		return -1;
	memcpy(r->error, body + hdrlen + 2, 2);
	if (!alnum(r->error[0]) || !alnum(r->error[1])) {
		r->status = HSM_PROTO;
		return 0;
	}
	f = (const char *)body + hdrlen + 4;
	n = len - hdrlen - 4;
	/* EA's 02 is a warning (PVK not single length): still verified. */
	if (memcmp(r->error, "00", 2) != 0 &&
	    !(kind == HSM_K_EA && memcmp(r->error, "02", 2) == 0)) {
		/* Error replies may carry extra data (KR 01 diagnostics). */
		r->status = memcmp(r->error, "01", 2) == 0 ? HSM_FAIL :
		    HSM_ERROR;
		return 0;
	}
	r->status = HSM_OK;
	switch (kind) {
	case HSM_K_NC:
		if (n != 25 || !hex_valid(f, 16, 1))
			goto proto;
		memcpy(r->u.diag.lmk_check, f, 16);
		memcpy(r->u.diag.firmware, f + 16, 9);
		break;
	case HSM_K_CY:
	case HSM_K_EC:
	case HSM_K_EA:
	case HSM_K_KQ0:
	case HSM_K_M8:
		if (n != 0)
			goto proto;
		break;
	case HSM_K_KQ1:
		if (n != 8)
			goto proto;
		memcpy(r->u.arqc.arpc, f, 8);
		r->u.arqc.has_arpc = 1;
		break;
	case HSM_K_M6_4:
	case HSM_K_M6_8:
		if (n != (kind == HSM_K_M6_4 ? 8u : 16u) || !hex_valid(f, n, 0))
			goto proto;
		memcpy(r->u.mac.mac, f, n);
		break;
	case HSM_K_CA:
	case HSM_K_CC:
		if (n != 20 || !dec_valid(f, 2) ||
		    !hex_valid(f + 2, 16, 0) || !dec_valid(f + 18, 2))
			goto proto;
		r->u.pin.pinlen = (f[0] - '0') * 10 + (f[1] - '0');
		memcpy(r->u.pin.pinblock, f + 2, 16);
		memcpy(r->u.pin.format, f + 18, 2);
		break;
	case HSM_K_A6:
		/* 'S' + block, then the KCV: parsed from the end. */
		if (n < 1 + 16 + 6 || n - 6 > HSM_KEYBLOCK_MAX ||
		    f[0] != 'S' || !hex_valid(f + n - 6, 6, 1))
			goto proto;
		for (i = 1; i < n - 6; i++)
			if (!alnum(f[i]))
				goto proto;
		memcpy(r->u.key.block, f, n - 6);
		memcpy(r->u.key.kcv, f + n - 6, 6);
		break;
	}
	return 0;
proto:
	memset(&r->u, 0, sizeof r->u);
	r->status = HSM_PROTO;
	return 0;
}
