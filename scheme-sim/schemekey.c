/*
 * schemekey.c — `scheme-sim scheme` as the scheme that issues zone keys:
 * an 0800 key change (DE70 161) with a new ZPK under the ZMK it shares
 * with the test setup (--zmk FILE, the clear test ZMK in hex), at
 * --key-change-at into the load and whenever the gateway asks for one
 * (0800 162).  DE48 carries gatewayd's form (gateway/zonekey.h): 'P',
 * "X" + the key TDES-ECB-encrypted under the ZMK (32H), its KCV (6H).
 * The keys are the lines of --new-zpk FILE in turn (a test then knows
 * the clear ZPK to form PIN blocks), random once they run out.
 * Test keys only: they are read in clear.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "base/log.h"
#include "hsm/des.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/schemerun.h"

/* The n-th hex key line of path (16 bytes), 0; -1 when there is none. */
static int
key_line(const char *path, unsigned n, uint8_t out[16])
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
scheme_key_change(struct scheme *s)
{
	uint8_t zmk[16], zpk[16], enc[16], kcv[8];
	char de48[48], kcvhex[7];
	int rc = -1;

	if (key_line(s->zmk_path, 0, zmk) == -1) {
		log_warnx("event=key_change_impossible reason=\"no --zmk\"");
		return -1;
	}
	if (key_line(s->new_zpk_path, s->key_changes, zpk) == -1) {
		randombytes_buf(zpk, sizeof zpk);
		hsm_des_parity_fix(zpk, sizeof zpk);
	}
	if (hsm_tdes_ecb(zmk, 16, 1, zpk, enc, 16) == 0 &&
	    hsm_des_kcv_clear(zpk, 16, kcv) == 0) {
		de48[0] = 'P';
		de48[1] = 'X';
		hex_encode(enc, 16, de48 + 2);
		hex_encode(kcv, 3, de48 + 34);
		de48[40] = '\0';
		memcpy(kcvhex, de48 + 34, 6);
		kcvhex[6] = '\0';
		sim_clock_update(&s->clk, sim_wall_us());
		if (sim_netmgmt_build(&s->rs, &s->clk, ++s->nm_stan, "161",
		    &s->tx) == 0 && iso_set_str(&s->tx, 48, de48) == 0) {
			s->key_changes++;
			log_info("event=key_change_sent n=%u kcv=%s",
			    s->key_changes, kcvhex);
			rc = 0;
		}
	}
	sodium_memzero(zmk, sizeof zmk);
	sodium_memzero(zpk, sizeof zpk);
	return rc;
}
