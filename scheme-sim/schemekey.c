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
 *
 * The DE48 and MAC arithmetic is simkey.c's (shared with `scheme-sim run`).
 *
 * With --mak FILE (the clear test MAC key the gateway was given under the
 * ZMK) every message but network management carries DE64 (DE128 with a
 * secondary bitmap), ISO 9797-1 algorithm 3, padding method 1, over the
 * packed message up to the MAC field; every answer's MAC is checked.
 * --bad-mac-every N spoils every Nth MAC sent.
 */
#include <stdio.h>
#include <sys/types.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "hsm/des.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/schemerun.h"
#include "scheme-sim/simkey.h"

int
scheme_key_file(const char *path, uint8_t key[16])
{
	return sim_key_line(path, 0, key);
}

int
scheme_key_change(struct scheme *s, char kind)
{
	uint8_t zmk[16], zpk[16];
	char de48[SIM_DE48_KEY_LEN + 1], kcvhex[7];
	int rc = -1;

	if (sim_key_line(s->zmk_path, 0, zmk) == -1) {
		log_warnx("event=key_change_impossible reason=\"no --zmk\"");
		return -1;
	}
	if (sim_key_line(kind == 'P' ? s->new_zpk_path : s->new_mak_path,
	    kind == 'P' ? s->key_changes : s->mak_changes, zpk) == -1) {
		randombytes_buf(zpk, sizeof zpk);
		hsm_des_parity_fix(zpk, sizeof zpk);
	}
	if (sim_key_de48(zmk, zpk, kind, de48, kcvhex) == 0) {
		sim_clock_update(&s->clk, sim_wall_us());
		if (sim_netmgmt_build(&s->rs, &s->clk, sim_stan(s->nm_stan++), "161",
		    &s->tx) == 0 && iso_set_str(&s->tx, 48, de48) == 0) {
			if (kind == 'P') {
				s->key_changes++;
				memcpy(s->zpk_next, zpk, 16);
				s->zpk_pending = 1;
			} else {
				/* ours once the gateway has taken it */
				s->mak_changes++;
				memcpy(s->mak_next, zpk, 16);
				s->mak_pending = 1;
			}
			log_info("event=key_change_sent kind=%c kcv=%s", kind,
			    kcvhex);
			rc = 0;
		}
	}
	sodium_memzero(zmk, sizeof zmk);
	sodium_memzero(zpk, sizeof zpk);
	return rc;
}

/* The MAC key, from --mak at first use: 0, or -1 (none). */
static int
mak_ready(struct scheme *s)
{
	uint8_t k[16];
	int rc;

	if (s->mak_ready)
		return s->mak_ready > 0 ? 0 : -1;
	s->mak_ready = -1;
	if (sim_key_line(s->mak_path, 0, k) == -1)
		return -1;
	rc = hsm_des_init(&s->mak, k, 16);
	if (rc == 0)
		rc = hsm_des_init(&s->mak_old, k, 16);
	memcpy(s->mak_cur, k, 16);
	sodium_memzero(k, sizeof k);
	if (rc == -1)
		return -1;
	s->mak_ready = 1;
	return 0;
}

static int
macced(const struct scheme *s, const char *mti)
{
	return s->mak_path != NULL && sim_mac_due(mti);
}

ssize_t
scheme_pack(struct scheme *s, const struct iso_msg *m, uint8_t *wire,
    size_t cap)
{
	struct iso_err e;
	ssize_t n;

	if (!macced(s, m->mti))
		return iso_pack(s->rs.prof, m, wire, cap, &e);
	if (mak_ready(s) == -1 ||
	    (n = sim_mac_pack(s->rs.prof, &s->mak, m, wire, cap)) == -1)
		return -1;
	if (s->bad_mac_every && ++s->mac_sent % s->bad_mac_every == 0)
		wire[n - 1] ^= 0x01;
	return n;
}

int
scheme_mac_check(struct scheme *s, const uint8_t *wire, size_t len,
    const struct iso_msg *m)
{
	if (!macced(s, m->mti) || sim_mac_refusal(m))
		return 0;
	if (mak_ready(s) == -1)
		return -1;
	if (sim_mac_verify(s->rs.prof, &s->mak, wire, len, m) == 0)
		return 0;
	/* an answer MACed just before the gateway took the new key */
	if (!s->mak_switched)
		return -1;
	return sim_mac_verify(s->rs.prof, &s->mak_old, wire, len, m);
}

void
scheme_key_taken(struct scheme *s)
{
	if (s->zpk_pending && s->pin) {
		/* PIN blocks from now on under the new ZPK */
		hsm_des_rekey(&s->pin_zpk, s->zpk_next, 16);
		memcpy(s->zpk_cur, s->zpk_next, 16);
		log_info("event=zpk_switched n=%u", s->key_changes);
	}
	s->zpk_pending = 0;
	sodium_memzero(s->zpk_next, sizeof s->zpk_next);
	if (!s->mak_pending || mak_ready(s) == -1)
		return;
	/* the old key stays for the answers still coming under it */
	hsm_des_rekey(&s->mak_old, s->mak_cur, 16);
	hsm_des_rekey(&s->mak, s->mak_next, 16);
	memcpy(s->mak_cur, s->mak_next, 16);
	sodium_memzero(s->mak_next, 16);
	s->mak_pending = 0;
	s->mak_switched = 1;
	log_info("event=mac_key_switched n=%u", s->mak_changes);
}
