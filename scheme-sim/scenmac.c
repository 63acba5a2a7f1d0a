/*
 * scenmac.c — the keys `scheme-sim run` shares with the test setup
 * (--zmk, the link's ZMK in clear; --mak, its MAC key in clear) and the
 * MACs on what the run sends and checked on what it gets (simkey.c, as
 * `scheme-sim scheme` does them).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "scheme-sim/scenrun.h"
#include "scheme-sim/simkey.h"

int
scen_link_init(struct scen_run *r, char *err, size_t errsz)
{
	uint8_t k[16];
	int rc;

	if (r->o->zmk != NULL) {
		if (sim_key_line(r->o->zmk, 0, r->zmk) == -1) {
			snprintf(err, errsz, "--zmk %s: no 32-hex-digit key",
			    r->o->zmk);
			return -1;
		}
		r->have_zmk = 1;
	}
	if (r->o->mak == NULL)
		return 0;
	if (sim_key_line(r->o->mak, 0, k) == -1) {
		snprintf(err, errsz, "--mak %s: no 32-hex-digit key",
		    r->o->mak);
		return -1;
	}
	rc = hsm_des_init(&r->mak, k, 16);
	sodium_memzero(k, sizeof k);
	if (rc == -1) {
		snprintf(err, errsz, "--mak %s: not a DES key", r->o->mak);
		return -1;
	}
	r->have_mak = 1;
	return 0;
}

void
scen_link_free(struct scen_run *r)
{
	if (r->have_mak)
		hsm_des_free(&r->mak);
	r->have_mak = 0;
	sodium_memzero(r->zmk, sizeof r->zmk);
}

ssize_t
scen_pack(struct scen_run *r, const struct iso_msg *m, uint8_t *wire,
    size_t cap, char *why, size_t whysz)
{
	struct iso_err ie;
	ssize_t n;

	if (!r->have_mak || !sim_mac_due(m->mti) || r->mac_mode == SM_NONE) {
		if ((n = iso_pack(r->prof, m, wire, cap, &ie)) < 0)
			snprintf(why, whysz, "does not pack: %s", ie.msg);
		return n;
	}
	if ((n = sim_mac_pack(r->prof, &r->mak, m, wire, cap)) < 0) {
		snprintf(why, whysz, "does not pack with a MAC");
		return -1;
	}
	if (r->mac_mode == SM_BAD)
		wire[n - 1] ^= 0x01;	/* a MAC that cannot verify */
	return n;
}

int
scen_mac_check(struct scen_run *r, const uint8_t *wire, size_t len,
    const struct iso_msg *m)
{
	if (!r->have_mak || !sim_mac_due(m->mti) || sim_mac_refusal(m))
		return 0;
	return sim_mac_verify(r->prof, &r->mak, wire, len, m);
}
