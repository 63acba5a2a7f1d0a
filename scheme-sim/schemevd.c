/*
 * schemevd.c — `scheme-sim scheme --portfolio`: load whose every request
 * carries valid card verification data for its POS entry mode, so a
 * gateway in stand-in verifies each one at the HSM: chip (DE22 051) a
 * real ARQC over the request's amount and currency, stripe (901) track 2
 * with the card's CVC1, ecom (812) the CVC2 in DE48 SE92.  What a card
 * always sends is made once, at load (its ICC key, track 2, SE92); per
 * request only the session key and the MAC are computed, on one scratch
 * key that is re-keyed, never allocated.  With --pin every request also
 * carries the card's PIN (ISO 9564 format 0, made once) in DE52 under the
 * ZPK in use, which a key change (schemekey.c) replaces.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hsm/pin.h"
#include "iso8583/iso8583.h"
#include "scheme-sim/mchip.h"
#include "scheme-sim/portfolio.h"
#include "scheme-sim/schememsg.h"

struct sim_vcard {
	uint8_t		 icc[16];	/* ICC master key (option A) */
	char		 de35[40];	/* PAN=YYMM 101 CVC1 0000000 */
	char		 de48[12];	/* R9203 CVC2 */
	uint8_t		 de35len, de48len;
	uint8_t		 pinblk[8];	/* clear ISO 0 block */
};

static const char *const de22s[] = {
	[SIM_ENTRY_CHIP] = "051", [SIM_ENTRY_STRIPE] = "901",
	[SIM_ENTRY_ECOM] = "812",
};

int
sim_entry_parse(const char *name)
{
	static const char *const names[] = { [SIM_ENTRY_CHIP] = "chip",
	    [SIM_ENTRY_STRIPE] = "stripe", [SIM_ENTRY_ECOM] = "ecom",
	    [SIM_ENTRY_MIX] = "mix" };
	int i;

	for (i = SIM_ENTRY_CHIP; i <= SIM_ENTRY_MIX; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int
sim_req_entry(const struct sim_reqspec *rs, uint64_t seq)
{
	if (rs->entry != SIM_ENTRY_MIX)
		return rs->entry;
	return SIM_ENTRY_CHIP + (int)(seq % 3);
}

const char *
sim_req_de22(const struct sim_reqspec *rs, uint64_t seq)
{
	if (rs->vcards == NULL)
		return rs->de22;
	return de22s[sim_req_entry(rs, seq)];
}

/* A portfolio card's fixed data; its entry in the card list. */
static int
vcard_make(const struct hsm_des *mkac, const struct sim_pcard *pc,
    struct sim_card *c, struct sim_vcard *v)
{
	char acct[13];
	int n;

	memcpy(c->pan, pc->pan, sizeof c->pan);
	memcpy(c->exp, pc->exp, sizeof c->exp);
	n = snprintf(v->de35, sizeof v->de35, "%s=%s101%s0000000", pc->pan,
	    pc->exp, pc->cvv1);
	if (n <= 0 || (size_t)n >= sizeof v->de35)
		return -1;
	v->de35len = (uint8_t)n;
	n = snprintf(v->de48, sizeof v->de48, "R9203%s", pc->cvc2);
	if (n != 8)
		return -1;
	v->de48len = (uint8_t)n;
	if (sim_pin_account(pc->pan, acct) == -1 ||
	    hsm_pinblock_encode(0, pc->pin[0] ?
	    pc->pin : "1234", pc->pin[0] ? strlen(pc->pin) : 4, acct,
	    v->pinblk) == -1)
		return -1;
	return sim_mchip_icc_key(mkac, pc->pan, v->icc);
}

int
sim_vcards_load(const char *path, struct sim_cards *cards,
    struct sim_vcard **vp, struct hsm_des **kp, uint8_t zpk[16], char *err,
    size_t errsz)
{
	struct sim_portfolio p;
	struct sim_vcard *v = NULL;
	struct hsm_des *k;
	size_t i;

	if (sim_portfolio_load(&p, path, err, errsz) == -1)
		return -1;
	memset(cards, 0, sizeof *cards);
	cards->v = calloc(p.n, sizeof *cards->v);
	v = calloc(p.n, sizeof *v);
	k = calloc(1, sizeof *k);
	if (cards->v == NULL || v == NULL || k == NULL ||
	    hsm_des_init(k, p.mkac, 16) == -1) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto bad;
	}
	cards->n = cards->cap = p.n;
	memcpy(zpk, p.zpk, 16);
	for (i = 0; i < p.n; i++)
		if (vcard_make(k, &p.v[i], &cards->v[i], &v[i]) == -1) {
			snprintf(err, errsz, "%s: card %zu: bad data", path, i);
			goto bad;
		}
	sim_portfolio_free(&p);
	*vp = v;
	*kp = k;
	return 0;
bad:
	sim_portfolio_free(&p);
	sim_vcards_free(v, cards->n, k);
	sim_cards_free(cards);
	return -1;
}

void
sim_vcards_free(struct sim_vcard *v, size_t n, struct hsm_des *k)
{
	if (v != NULL) {
		sodium_memzero(v, n * sizeof *v);
		free(v);
	}
	if (k != NULL) {
		if (k->enc != NULL)
			hsm_des_free(k);
		free(k);
	}
}

/* DE55 with a real ARQC: the ATC counts the card's uses, the
 * unpredictable number comes from the sequence number. */
static int
put_chip(const struct sim_reqspec *rs, const struct sim_pending *p,
    uint64_t seq, struct iso_msg *m)
{
	struct sim_emvtx tx = { .amount = p->amount, .country = 826 };
	uint64_t use = seq / rs->cards->n + 1;
	uint64_t x = seq * 0x9E3779B97F4A7C15ull;
	uint8_t mac[8], b[128];
	ssize_t n;

	tx.currency = (uint16_t)((rs->de49[0] - '0') * 100 +
	    (rs->de49[1] - '0') * 10 + (rs->de49[2] - '0'));
	tx.atc[0] = (uint8_t)(use >> 8);
	tx.atc[1] = (uint8_t)use;
	memcpy(tx.un, &x, 4);
	if (sim_mchip_arqc(rs->arqc_key, rs->vcards[p->card].icc, &tx,
	    mac) == -1 ||
	    (n = sim_mchip_de55(&tx, mac, SIM_DE55_GOOD, b, sizeof b)) < 0)
		return -1;
	return iso_set(m, 55, b, (size_t)n);
}

int
sim_req_vdata(const struct sim_reqspec *rs, const struct sim_pending *p,
    uint64_t seq, struct iso_msg *m)
{
	const struct sim_vcard *v = &rs->vcards[p->card];
	uint8_t pb[8];
	int rc = -1;

	switch (sim_req_entry(rs, seq)) {
	case SIM_ENTRY_CHIP:
		rc = put_chip(rs, p, seq, m);
		break;
	case SIM_ENTRY_STRIPE:
		rc = iso_set(m, 35, v->de35, v->de35len);
		break;
	case SIM_ENTRY_ECOM:
		rc = iso_set(m, 48, v->de48, v->de48len);
		break;
	}
	if (rc == -1 || rs->pin_zpk == NULL)
		return rc;
	if (hsm_des_encrypt(rs->pin_zpk, v->pinblk, pb, 8) == -1)
		return -1;
	return iso_set(m, 52, pb, 8);
}
