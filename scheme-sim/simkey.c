/*
 * simkey.c — a test scheme's side of zone keys and MACs (simkey.h),
 * computed in the clear with libhsm's DES so that a test knows what the
 * gateway must get through its HSM.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "hsm/des.h"
#include "iso8583/iso8583.h"
#include "scheme-sim/simkey.h"

int
sim_key_line(const char *path, unsigned n, uint8_t out[16])
{
	char line[128];
	unsigned i = 0;
	FILE *f;
	int rc = -1;

	if (path == NULL || (f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, " \r\n")] = '\0';
		if (strlen(line) != 32)
			continue;
		if (i++ == n) {
			rc = hex_decode_exact(line, 32, out, 16);
			break;
		}
	}
	sodium_memzero(line, sizeof line);
	fclose(f);
	return rc;
}

int
sim_key_de48(const uint8_t zmk[16], const uint8_t key[16], char kind,
    char de48[SIM_DE48_KEY_LEN + 1], char kcv[7])
{
	uint8_t enc[16], k[8];

	if (hsm_tdes_ecb(zmk, 16, 1, key, enc, 16) == -1 ||
	    hsm_des_kcv_clear(key, 16, k) == -1)
		return -1;
	de48[0] = kind;
	de48[1] = 'X';
	hex_encode(enc, 16, de48 + 2);
	hex_encode(k, 3, de48 + 34);
	de48[SIM_DE48_KEY_LEN] = '\0';
	memcpy(kcv, de48 + 34, 6);
	kcv[6] = '\0';
	return 0;
}

int
sim_mac_due(const char *mti)
{
	return !(mti[0] == '0' && mti[1] == '8');
}

static size_t
mac_wire_len(const struct iso_profile *p)
{
	return p->binenc == ISO_BIN_HEX ? 16 : 8;
}

ssize_t
sim_mac_pack(const struct iso_profile *p, const struct hsm_des *mak,
    const struct iso_msg *m, uint8_t *wire, size_t cap)
{
	static struct iso_msg mm;
	static const uint8_t zero[8], iv[8];
	size_t ml = mac_wire_len(p);
	struct iso_err e;
	uint8_t mac[8];
	ssize_t n;
	int f, field = 64;

	iso_msg_copy(&mm, m);
	for (f = iso_next(&mm, 64); f != 0; f = iso_next(&mm, f))
		if (f > 64 && f != 128)
			field = 128;
	iso_unset(&mm, 64);
	iso_unset(&mm, 128);
	iso_set(&mm, field, zero, 8);
	n = iso_pack(p, &mm, wire, cap, &e);
	sodium_memzero(&mm, sizeof mm);
	if (n < (ssize_t)ml || hsm_des_mac(mak, 3, HSM_PAD_ISO1, iv, wire,
	    (size_t)n - ml, 1, mac) == -1)
		return -1;
	if (ml == 16)
		hex_encode(mac, 8, wire + n - 16);
	else
		memcpy(wire + n - 8, mac, 8);
	return n;
}

int
sim_mac_verify(const struct iso_profile *p, const struct hsm_des *mak,
    const uint8_t *wire, size_t len, const struct iso_msg *m)
{
	static const uint8_t iv[8];
	size_t n, ml = mac_wire_len(p);
	const uint8_t *got;
	uint8_t mac[8];

	if (((got = iso_get(m, 128, &n)) == NULL &&
	    (got = iso_get(m, 64, &n)) == NULL) || n != 8 || len < ml ||
	    hsm_des_mac(mak, 3, HSM_PAD_ISO1, iv, wire, len - ml, 1, mac) ==
	    -1)
		return -1;
	return sodium_memcmp(mac, got, 8) == 0 ? 0 : -1;
}

int
sim_mac_refusal(const struct iso_msg *m)
{
	char de39[4] = "";

	return !iso_has(m, 64) && !iso_has(m, 128) &&
	    (m->mti[2] == '1' || m->mti[2] == '3') &&
	    iso_get_str(m, 39, de39, sizeof de39) == 0 &&
	    (strcmp(de39, "63") == 0 || strcmp(de39, "30") == 0);
}
