/*
 * simkey.h — what a test scheme shares with the gateway's keys, used by
 * `scheme-sim scheme` (schemekey.c) and `scheme-sim run` (scenkey.c): a
 * key change's DE48 under a clear test ZMK (gatewayd's form,
 * gateway/zonekey.h: kind, "X" + the key TDES-ECB-encrypted under the
 * ZMK as 32H, its KCV as 6H), and MACs over packed messages (ISO 9797-1
 * algorithm 3, padding method 1, DE64, or DE128 with a secondary
 * bitmap).  Test keys only: they are read in clear.
 */
#ifndef SIM_SIMKEY_H
#define SIM_SIMKEY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hsm_des;
struct iso_msg;
struct iso_profile;

#define SIM_DE48_KEY_LEN	40	/* kind, X, 32H, 6H */

/* The n-th line of path that is a 32-hex-digit key, into out: 0, or -1
 * when there is none (or no path). */
int	sim_key_line(const char *path, unsigned n, uint8_t out[16]);
/* DE48 of a 161 carrying key of kind ('P' or 'M') under zmk, with its
 * KCV as 6H into kcv (also DE48's tail): 0 / -1. */
int	sim_key_de48(const uint8_t zmk[16], const uint8_t key[16], char kind,
	    char de48[SIM_DE48_KEY_LEN + 1], char kcv[7]);
/* Messages that carry a MAC: all but network management (08xx). */
int	sim_mac_due(const char *mti);
/* m packed with its MAC under mak into wire: the length, or -1. */
ssize_t	sim_mac_pack(const struct iso_profile *, const struct hsm_des *mak,
	    const struct iso_msg *m, uint8_t *wire, size_t cap);
/* Whether the MAC that ends the packed wire (m, as unpacked) is the one
 * mak makes: 0 yes, -1 no or none. */
int	sim_mac_verify(const struct iso_profile *, const struct hsm_des *mak,
	    const uint8_t *wire, size_t len, const struct iso_msg *m);
/* 1 when m is the unMACed refusal of a bad MAC (63) or of a frame that
 * did not unpack (30): a gateway does not MAC fields no one vouched
 * for, so such an answer is taken without one. */
int	sim_mac_refusal(const struct iso_msg *m);

#endif
