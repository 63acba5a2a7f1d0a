/*
 * cmds.c — the host commands the client sends (hsmclient.h), each built
 * field by field with client.c's request builder (client-int.h), which
 * checks every field's length and class before anything is sent.
 */
#include <stdio.h>
#include <string.h>

#include "base/hex.h"
#include "hsm/client/client-int.h"
#include "hsm/client/hsmclient.h"

int
hsm_verify_cvv(struct hsm_client *cl, const char *cvk, const char *pan,
    const char *expiry, const char *svc, const char *cvv, hsm_cb *cb,
    void *arg)
{
	size_t n = pan == NULL ? 0 : strlen(pan);

	b_start(cl, "CY");
	b_key(cl, cvk);
	b_field(cl, cvv, 3, 1);
	if (n == 0 || n > 19)
		b_fail(cl);
	b_field(cl, pan, n, 1);
	b_str(cl, ";");
	b_field(cl, expiry, 4, 1);
	b_field(cl, svc, 3, 1);
	return b_submit(cl, HSM_K_CY, cb, arg);
}

int
hsm_verify_pin_pvv(struct hsm_client *cl, const char *zpk, const char *pvk,
    const char *pinblock, const char *format, const char *account, char pvki,
    const char *pvv, hsm_cb *cb, void *arg)
{
	char k[2] = { pvki, '\0' };

	b_start(cl, "EC");
	b_key(cl, zpk);
	b_key(cl, pvk);
	b_field(cl, pinblock, 16, 0);
	b_field(cl, format, 2, 1);
	b_field(cl, account, 12, 1);
	b_field(cl, k, 1, 1);
	b_field(cl, pvv, 4, 1);
	return b_submit(cl, HSM_K_EC, cb, arg);
}

int
hsm_verify_pin_ibm(struct hsm_client *cl, const char *zpk, const char *pvk,
    const char *pinblock, const char *format, int minlen, const char *account,
    const char *dectab, const char *valdata, const char *offset, hsm_cb *cb,
    void *arg)
{
	char ml[3];
	size_t i;

	if (minlen < 4 || minlen > 12 || valdata == NULL ||
	    strlen(valdata) != 12)
		return -1;
	for (i = 0; i < 12; i++)
		if (valdata[i] != 'N' && !hex_valid(valdata + i, 1, 0))
			return -1;
	snprintf(ml, sizeof ml, "%02d", minlen);
	b_start(cl, "EA");
	b_key(cl, zpk);
	b_key(cl, pvk);
	b_str(cl, "12");
	b_field(cl, pinblock, 16, 0);
	b_field(cl, format, 2, 1);
	b_str(cl, ml);
	b_field(cl, account, 12, 1);
	b_field(cl, dectab, 16, 1);
	b_add(cl, valdata, 12);
	b_field(cl, offset, 12, 0);
	return b_submit(cl, HSM_K_EA, cb, arg);
}

int
hsm_verify_arqc(struct hsm_client *cl, const char *mkac, int scheme,
    const uint8_t panpsn[8], const uint8_t atc[2], const uint8_t un[4],
    const uint8_t *txdata, size_t txlen, const uint8_t arqc[8],
    const uint8_t *arc, hsm_cb *cb, void *arg)
{
	char h[3], m[2];

	/* Scheme 2 (EMV CSK) exists only in hsmd; never send it elsewhere. */
	if ((scheme != 0 && scheme != 1) || txlen == 0 || txlen > 255 ||
	    txdata == NULL)
		return -1;
	b_start(cl, "KQ");
	m[0] = arc != NULL ? '1' : '0';
	m[1] = (char)('0' + scheme);
	b_add(cl, m, 2);
	b_key(cl, mkac);
	b_add(cl, panpsn, 8);
	b_add(cl, atc, 2);
	b_add(cl, un, 4);
	hex_encode((const uint8_t[]){ (uint8_t)txlen }, 1, h);
	b_add(cl, h, 2);
	b_add(cl, txdata, txlen);
	b_str(cl, ";");
	b_add(cl, arqc, 8);
	if (arc != NULL)
		b_add(cl, arc, 2);
	return b_submit(cl, arc != NULL ? HSM_K_KQ1 : HSM_K_KQ0, cb, arg);
}

static int
mac_common(struct hsm_client *cl, int verify, const char *key, int alg,
    int pad, size_t mac_len, const uint8_t *data, size_t len,
    const char *mac_hex, hsm_cb *cb, void *arg)
{
	char f[5], l[5];

	if ((alg != 1 && alg != 3) || pad < 0 || pad > 2 ||
	    (mac_len != 4 && mac_len != 8) || len > 0xffff ||
	    (len != 0 && data == NULL))
		return -1;
	b_start(cl, verify ? "M8" : "M6");
	f[0] = '0';				/* mode: only block */
	f[1] = '0';				/* input: binary */
	f[2] = mac_len == 4 ? '0' : '1';
	f[3] = (char)('0' + alg);
	f[4] = (char)('0' + pad);
	b_add(cl, f, 5);
	b_str(cl, "FFF");
	b_key(cl, key);
	snprintf(l, sizeof l, "%04zX", len);
	b_add(cl, l, 4);
	if (len)
		b_add(cl, data, len);
	if (verify)
		b_field(cl, mac_hex, 2 * mac_len, 0);
	return b_submit(cl, verify ? HSM_K_M8 : mac_len == 4 ? HSM_K_M6_4 :
	    HSM_K_M6_8, cb, arg);
}

int
hsm_mac_generate(struct hsm_client *cl, const char *key, int alg, int pad,
    size_t mac_len, const uint8_t *data, size_t len, hsm_cb *cb, void *arg)
{
	return mac_common(cl, 0, key, alg, pad, mac_len, data, len, NULL, cb,
	    arg);
}

int
hsm_mac_verify(struct hsm_client *cl, const char *key, int alg, int pad,
    const uint8_t *data, size_t len, const char *mac_hex, hsm_cb *cb,
    void *arg)
{
	size_t n = mac_hex == NULL ? 0 : strlen(mac_hex);

	return mac_common(cl, 1, key, alg, pad, n / 2, data, len, mac_hex, cb,
	    arg);
}

int
hsm_translate_pin(struct hsm_client *cl, int from_tpk, const char *src_key,
    const char *dst_key, const char *pinblock, const char *src_format,
    const char *dst_format, const char *account, hsm_cb *cb, void *arg)
{
	b_start(cl, from_tpk ? "CA" : "CC");
	b_key(cl, src_key);
	b_key(cl, dst_key);
	b_str(cl, "12");
	b_field(cl, pinblock, 16, 0);
	b_field(cl, src_format, 2, 1);
	b_field(cl, dst_format, 2, 1);
	b_field(cl, account, 12, 1);
	return b_submit(cl, from_tpk ? HSM_K_CA : HSM_K_CC, cb, arg);
}

int
hsm_import_key(struct hsm_client *cl, const char *zmk, const char *key_x917,
    const char *usage, char mode, hsm_cb *cb, void *arg)
{
	size_t n = key_x917 == NULL ? 0 : strlen(key_x917);
	char tail[16];

	b_start(cl, "A6");
	b_str(cl, "FFF");
	b_key(cl, zmk);
	if (n == 0 || (key_x917[0] != 'X' && key_x917[0] != 'Y') ||
	    usage == NULL || strlen(usage) != 2 || mode < 'A' || mode > 'Z')
		b_fail(cl);
	else {
		b_str(cl, key_x917[0] == 'X' ? "X" : "Y");
		b_field(cl, key_x917 + 1, key_x917[0] == 'X' ? 32 : 48, 0);
		b_str(cl, "S");
		snprintf(tail, sizeof tail, "#%.2s%c00N00", usage, mode);
		b_str(cl, tail);
	}
	return b_submit(cl, HSM_K_A6, cb, arg);
}

int
hsm_diagnostics(struct hsm_client *cl, hsm_cb *cb, void *arg)
{
	b_start(cl, "NC");
	return b_submit(cl, HSM_K_NC, cb, arg);
}
