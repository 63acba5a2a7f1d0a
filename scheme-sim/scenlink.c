/*
 * scenlink.c — the scheme-link steps of `scheme-sim run`: the key change
 * a "key_change" step sends (0800 161, DE48 under --zmk, simkey.c) with
 * the run's keys switched with it, and the "answer" step for a message
 * "hold" kept unanswered.  The keys and MACs themselves are scenmac.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/scenrun.h"
#include "scheme-sim/simkey.h"

int
scen_step_key_change(struct scen_run *r, const struct scen_keychg *k)
{
	char de48[SIM_DE48_KEY_LEN + 1], kcv[7], name[48];
	uint8_t key[16];
	int rc = -1;

	if (!r->have_zmk)
		return scen_fail(r, 0, NULL, NULL, "key_change: the run has "
		    "no --zmk");
	if (k->kind == 'P' && !r->have_pf)
		return scen_fail(r, 0, NULL, NULL, "key_change: a ZPK for "
		    "the run's PIN blocks needs --portfolio");
	if (hex_decode_exact(k->key, 32, key, 16) == -1 ||
	    sim_key_de48(r->zmk, key, k->kind, de48, kcv) == -1) {
		rc = scen_fail(r, 0, NULL, NULL, "key_change: not a key");
		goto out;
	}
	/* A deliberately wrong KCV: the gateway must refuse the key. */
	if (k->kcv != NULL)
		memcpy(de48 + 34, k->kcv, 6);
	sim_clock_update(&r->clk, sim_wall_us());
	r->stan = r->stan % 999999u + 1u;
	if (sim_netmgmt_build(NULL, &r->clk, r->stan, "161", &r->tx) == -1 ||
	    iso_set_str(&r->tx, 48, de48) == -1) {
		rc = scen_fail(r, 0, NULL, NULL, "key_change: not built");
		goto out;
	}
	if (scen_remember(r, k->as, &r->tx, 1) == -1)
		goto out;
	r->sent[r->last].stans[r->sent[r->last].n++] = r->stan;
	if (k->as != NULL) {
		snprintf(name, sizeof name, "%s.kcv", k->as);
		if (scen_vars_of(r, k->as, &r->tx) == -1 ||
		    scen_var_set(r, name, kcv) == -1)
			goto out;
	}
	if (scen_send_msg(r, &r->tx, 1, 0) == -1)
		goto out;
	/* The run's key from now on: the steps after this one are formed
	 * under it (an expect on the 0810 says whether the gateway took
	 * it). */
	if (k->kcv == NULL && k->kind == 'P')
		memcpy(r->pf.zpk, key, 16);
	else if (k->kcv == NULL && r->have_mak)
		hsm_des_rekey(&r->mak, key, 16);
	else if (k->kcv == NULL && hsm_des_init(&r->mak, key, 16) == 0)
		r->have_mak = 1;	/* MACs from now on */
	rc = 0;
out:
	sodium_memzero(key, sizeof key);
	return rc;
}

/* The oldest kept message with the step's MTI, answered and taken out
 * of the inbox; within the step's time. */
int
scen_step_answer(struct scen_run *r, const struct scen_step *st)
{
	uint64_t end = sim_now_ns() + st->ns;
	int i;

	for (;;) {
		for (i = 0; i < r->nin; i++)
			if (strcmp(r->in[i]->m.mti, st->mti) == 0)
				break;
		if (i < r->nin)
			break;
		if (sim_now_ns() >= end)
			return scen_fail(r, 0, st->mti, "nothing", "answer: no "
			    "%s came within %llu ms", st->mti,
			    (unsigned long long)(st->ns / 1000000));
		if (scen_rx_poll(r, end - sim_now_ns()) == -1 && r->fd == -1)
			return scen_fail(r, 0, st->mti, "closed", "answer: the "
			    "connection is closed, no %s came", st->mti);
	}
	scen_answer(r, &r->in[i]->m, st->rc);
	free(r->in[i]);
	memmove(&r->in[i], &r->in[i + 1], (size_t)(r->nin - i - 1) *
	    sizeof r->in[0]);
	r->nin--;
	return 0;
}
