/*
 * zonekey.c — a link's zone keys: key change under the ZMK through hsmd's
 * A6, the KCV check, current and previous kept durably (zonekey.h).
 *
 * The keys are key blocks under the LMK: what is on disk and in memory
 * is no clear key.  The file, <StateDirectory>/zonekeys.<link>, is
 * written aside and renamed over, so a crash leaves the old keys or the
 * new, never half of each.  It also holds the KCVs of the keys each
 * kind used (ZONEKEY_USED_MAX, "zpk-used KCV" lines, oldest first): a
 * captured key change from any rotation back imports fine under the
 * same ZMK, and must not bring a retired key back.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/replace.h"
#include "base/hex.h"
#include "base/log.h"
#include "hsm/client/hsmclient.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "gateway/config.h"
#include "gateway/link.h"
#include "gateway/loopprio.h"
#include "gateway/metrics.h"
#include "gateway/session.h"
#include "gateway/zonekey.h"

/* DE48 of a 161: kind, "X" + 32H, KCV. */
#define DE48_LEN	(1 + 1 + 32 + 6)

struct import {
	char		 link[CFG_NAME_MAX];
	uint64_t	 conn_id;
	char		 kind;		/* 'P' or 'M' */
	char		 kcv[7];	/* as the scheme sent it */
	struct iso_msg	 req;
};

static struct {
	struct hsm_client	*hsm;
	char			 dir[CFG_PATH_MAX];	/* "": memory only */
} Z;


#define ZONEKEY_HSM_TIMEOUT_MS	30

int
zonekey_init(struct event_base *base, const struct config *c,
    void (*replies_done)(void *))
{
	struct hsm_client_opts ho;

	if (c->durability == DURABILITY_FULL)
		snprintf(Z.dir, sizeof Z.dir, "%s", c->state_dir);
	if (c->hsm[0] == '\0')
		return 0;
	hsm_client_opts_default(&ho);
	/* MACs are on every request's way in and every answer's way out:
	 * a slow HSM must cost the request its 91, not its Deadline (the
	 * stand-in's bound).  Two connections so one stuck call does not
	 * hold the rest. */
	ho.connections = 2;
	ho.timeout_ms = ZONEKEY_HSM_TIMEOUT_MS;
	/* A MAC is on the way of an answer, made from the core's urgent
	 * events: its call leaves in their pass, and what a verified MAC
	 * lets through leaves with the replies (replies_done). */
	ho.flush_priority = LOOP_URGENT;
	ho.replies_done = replies_done;
	if ((Z.hsm = hsm_client_new(base, c->hsm, &ho)) == NULL) {
		log_warnx("event=zonekey_hsm_unusable hsm=%s", c->hsm);
		return -1;
	}
	return 0;
}

void
zonekey_flush(void)
{
	if (Z.hsm != NULL)
		hsm_client_flush(Z.hsm);
}

void
zonekey_shutdown(void)
{
	if (Z.hsm != NULL)
		hsm_client_free(Z.hsm);
	Z.hsm = NULL;
}

static void
path_of(const struct link *l, char *p, size_t cap, const char *suffix)
{
	snprintf(p, cap, "%s/zonekeys.%s%s", Z.dir, l->cf.name, suffix);
}

static const struct {
	const char	*word;
	size_t		 off;
} slots[] = {
	{ "zpk", offsetof(struct zone_keys, zpk) },
	{ "zpk-previous", offsetof(struct zone_keys, zpk_prev) },
	{ "mak", offsetof(struct zone_keys, mak) },
	{ "mak-previous", offsetof(struct zone_keys, mak_prev) },
};

static struct zone_key *
slot(struct zone_keys *zk, size_t i)
{
	return (struct zone_key *)(void *)((char *)zk + slots[i].off);
}

/* The KCVs used, per kind: their lines in the file. */
static const struct {
	char		 kind;
	const char	*word;
} useds[] = {
	{ 'P', "zpk-used" },
	{ 'M', "mak-used" },
};

static struct zone_used *
used_of(struct zone_keys *zk, char kind)
{
	return kind == 'P' ? &zk->zpk_used : &zk->mak_used;
}

/* 1 when the link used a key of this KCV, else 0. */
static int
used_has(const struct zone_used *u, const char *kcv)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (memcmp(u->kcv[i], kcv, 6) == 0)
			return 1;
	return 0;
}

/* kcv is used from now on: the newest, the oldest dropped when full
 * (the current key is always the newest, so never the one dropped). */
static void
used_add(struct zone_used *u, const char *kcv)
{
	if (used_has(u, kcv))
		return;
	if (u->n == ZONEKEY_USED_MAX) {
		memmove(u->kcv[0], u->kcv[1],
		    (ZONEKEY_USED_MAX - 1) * sizeof u->kcv[0]);
		u->n--;
	}
	memcpy(u->kcv[u->n], kcv, 6);
	u->kcv[u->n++][6] = '\0';
}

/*
 * A file from before the list, or one an older gatewayd rewrote: the
 * keys it holds are used, at least.  Not ZPKFile's key: its 000000 is
 * no KCV (first_zpk), and a new key of KCV 000000 must not be refused
 * for it.
 */
static void
used_seed(struct zone_used *u, const struct zone_key *k)
{
	if (k->blk[0] != '\0' && strcmp(k->kcv, "000000") != 0)
		used_add(u, k->kcv);
}

/* A "zpk-used KCV" line: 0 when it was one (kept if it reads), else -1. */
static int
load_used(struct link *l, const char *line)
{
	char word[16], kcv[8];
	size_t i;

	if (sscanf(line, "%15s %7s", word, kcv) != 2)
		return -1;
	for (i = 0; i < sizeof useds / sizeof useds[0]; i++)
		if (strcmp(word, useds[i].word) == 0) {
			if (strlen(kcv) == 6 && hex_valid(kcv, 6, 1))
				used_add(used_of(&l->zk, useds[i].kind), kcv);
			return 0;
		}
	return -1;
}

/*
 * ZPKFile: the key agreed when the link was set up, in force until the
 * scheme's first key change (a key the state directory holds from a
 * change replaces it below).  Its KCV is not known here (the gateway's
 * hsmd listener does not serve BU): 000000, which a 163 answers.
 */
static void
first_zpk(struct link *l)
{
	if (l->cf.zpk[0] == '\0')
		return;
	snprintf(l->zk.zpk.blk, sizeof l->zk.zpk.blk, "%s", l->cf.zpk);
	memcpy(l->zk.zpk.kcv, "000000", 7);
}

/* The keys a change left in the state directory, over ZPKFile's. */
static void
load_durable(struct link *l)
{
	char path[CFG_PATH_MAX + 64], line[CFG_KEYBLOCK_MAX + 64];
	char word[16], blk[CFG_KEYBLOCK_MAX], kcv[8];
	unsigned long long since;
	struct zone_key *k;
	size_t i;
	FILE *f;

	if (Z.dir[0] == '\0')
		return;
	path_of(l, path, sizeof path, "");
	if ((f = fopen(path, "re")) == NULL) {
		if (errno != ENOENT)
			log_warn("event=zonekeys_unreadable link=%s path=%s",
			    l->cf.name, path);
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (load_used(l, line) == 0)
			continue;
		if (sscanf(line, "%15s %259s %7s %llu", word, blk, kcv,
		    &since) != 4 || blk[0] != 'S' || strlen(kcv) != 6)
			continue;
		for (i = 0; i < sizeof slots / sizeof slots[0]; i++)
			if (strcmp(word, slots[i].word) == 0) {
				k = slot(&l->zk, i);
				snprintf(k->blk, sizeof k->blk, "%s", blk);
				memcpy(k->kcv, kcv, 7);
				k->since_wall_us = since;
			}
	}
	fclose(f);
	/* Oldest first: the previous, then the current. */
	used_seed(&l->zk.zpk_used, &l->zk.zpk_prev);
	used_seed(&l->zk.zpk_used, &l->zk.zpk);
	used_seed(&l->zk.mak_used, &l->zk.mak_prev);
	used_seed(&l->zk.mak_used, &l->zk.mak);
	log_info("event=zonekeys_loaded link=%s zpk_kcv=%s mak_kcv=%s "
	    "zpk_used=%zu mak_used=%zu", l->cf.name,
	    l->zk.zpk.kcv[0] ? l->zk.zpk.kcv : "-",
	    l->zk.mak.kcv[0] ? l->zk.mak.kcv : "-", l->zk.zpk_used.n,
	    l->zk.mak_used.n);
}

void
zonekey_load(struct link *l)
{
	first_zpk(l);
	load_durable(l);
	/* Said, not silent: stand-in then declines every PIN (55). */
	if (Z.hsm != NULL && l->zk.zpk.blk[0] == '\0')
		log_warnx("event=no_zpk link=%s reason=\"no ZPKFile and no key "
		    "change yet: stand-in cannot verify a PIN from this link "
		    "and declines it\"", l->cf.name);
}

/* The keys durable: replaced whole (base/replace.h).  0 or -1. */
static int
save(struct link *l)
{
	char path[CFG_PATH_MAX + 64], buf[sizeof slots / sizeof slots[0] *
	    (16 + CFG_KEYBLOCK_MAX + 8 + 24) + sizeof useds / sizeof useds[0] *
	    ZONEKEY_USED_MAX * (16 + 8)];
	const struct zone_key *k;
	const struct zone_used *u;
	size_t i, j, n = 0;
	int rc;

	if (Z.dir[0] == '\0')
		return 0;
	path_of(l, path, sizeof path, "");
	for (i = 0; i < sizeof slots / sizeof slots[0]; i++) {
		k = slot(&l->zk, i);
		if (k->blk[0] != '\0')
			n += (size_t)snprintf(buf + n, sizeof buf - n,
			    "%s %s %s %llu\n", slots[i].word, k->blk, k->kcv,
			    (unsigned long long)k->since_wall_us);
	}
	/* After the keys: a gatewayd from before the list skips these
	 * lines, and one from after reads the keys whatever follows. */
	for (i = 0; i < sizeof useds / sizeof useds[0]; i++) {
		u = used_of(&l->zk, useds[i].kind);
		for (j = 0; j < u->n && n < sizeof buf; j++)
			n += (size_t)snprintf(buf + n, sizeof buf - n,
			    "%s %s\n", useds[i].word, u->kcv[j]);
	}
	if ((rc = n < sizeof buf ? file_replace(path, buf, n) : -1) == -1)
		log_warn("event=zonekeys_unwritable path=%s", path);
	sodium_memzero(buf, sizeof buf);
	return rc;
}

/* The 0810 of a 161, on the connection it came on if it is still up. */
static void
answer(struct import *im, const char *rc)
{
	struct link *l = link_find(im->link);
	struct conn *c;

	if (l == NULL || (c = link_conn(l, im->conn_id)) == NULL) {
		log_warnx("event=key_change_unanswered link=%s rc=%s "
		    "reason=\"connection gone\"", im->link, rc);
		return;
	}
	if (strcmp(rc, "00") != 0)
		l->zk.refused++;
	link_answer(c, &im->req, rc, 0);
}

/* The request's copy holds the key under the ZMK: wiped with it. */
static void
import_free(struct import *im)
{
	sodium_memzero(im, sizeof *im);
	free(im);
}

/*
 * A 161 is safe to receive twice: a key the HSM found to be the one in
 * use (its KCV) is answered 00 and changes nothing (a repeat, an 0801, a
 * retransmission once the first is answered), and the key before it, or
 * any the link used before that, is refused (63): a replayed old change
 * must not roll the link's key back to one retired, perhaps because it
 * leaked.  why says which; NULL: a new key.
 */
static const char *
same_key(const struct link *l, char kind, const char *kcv, const char **why)
{
	const struct zone_key *cur = kind == 'P' ? &l->zk.zpk : &l->zk.mak;
	const struct zone_key *prev = kind == 'P' ? &l->zk.zpk_prev :
	    &l->zk.mak_prev;
	const struct zone_used *used = kind == 'P' ? &l->zk.zpk_used :
	    &l->zk.mak_used;

	*why = "repeat";
	if (cur->blk[0] != '\0' && memcmp(cur->kcv, kcv, 6) == 0)
		return "00";
	*why = "previous_key";
	if (prev->blk[0] != '\0' && memcmp(prev->kcv, kcv, 6) == 0)
		return "63";
	*why = "retired_key";
	if (used_has(used, kcv))
		return "63";
	return NULL;
}

static void
imported(const struct hsm_result *r, void *arg)
{
	struct import *im = arg;
	struct link *l = link_find(im->link);
	struct zone_key *cur, *prev, old;
	struct zone_used *used, was;
	const char *rc = "00", *why;

	if (l != NULL)
		l->zk.busy = 0;
	if (r->status != HSM_OK) {
		log_warnx("event=key_change_refused link=%s kind=%c "
		    "reason=hsm status=%s error=%s", im->link, im->kind,
		    hsm_status_str(r->status), r->error);
		rc = "96";
	} else if (sodium_memcmp(r->u.key.kcv, im->kcv, 6) != 0) {
		/* Not the key the scheme meant: the old one stays. */
		log_warnx("event=key_change_refused link=%s kind=%c "
		    "reason=kcv_mismatch sent=%s got=%s", im->link, im->kind,
		    im->kcv, r->u.key.kcv);
		rc = "63";
	} else if (l != NULL && (rc = same_key(l, im->kind,
	    r->u.key.kcv, &why)) != NULL) {
		if (rc[0] == '0')
			log_info("event=key_change_repeat link=%s kind=%c "
			    "kcv=%s rc=%s", im->link, im->kind, im->kcv, rc);
		else
			log_warnx("event=key_change_refused link=%s kind=%c "
			    "kcv=%s rc=%s reason=%s", im->link, im->kind,
			    im->kcv, rc, why);
	} else if (l != NULL) {
		rc = "00";
		cur = im->kind == 'P' ? &l->zk.zpk : &l->zk.mak;
		prev = im->kind == 'P' ? &l->zk.zpk_prev : &l->zk.mak_prev;
		used = used_of(&l->zk, im->kind);
		old = *prev;
		was = *used;
		*prev = *cur;
		snprintf(cur->blk, sizeof cur->blk, "%s", r->u.key.block);
		memcpy(cur->kcv, r->u.key.kcv, 7);
		cur->since_wall_us = wall_us();
		used_add(used, cur->kcv);
		if (save(l) == -1) {
			/* Not durable: not in use either. */
			*cur = *prev;
			*prev = old;
			*used = was;
			rc = "96";
		} else {
			l->zk.changes++;
			log_info("event=key_changed link=%s kind=%s kcv=%s "
			    "previous=%s durable=%s", l->cf.name, im->kind ==
			    'P' ? "zpk" : "mak", cur->kcv, prev->kcv[0] ?
			    prev->kcv : "-", Z.dir[0] ? "yes" : "no");
		}
	}
	answer(im, rc);
	import_free(im);
}

void
zonekey_change(struct conn *c, const struct iso_msg *m)
{
	struct link *l = c->link;
	struct import *im;
	char de48[DE48_LEN + 2], key[40], usage[3];
	const char *rc = NULL;

	if ((im = calloc(1, sizeof *im)) == NULL)
		return;		/* not answered: the scheme repeats it */
	snprintf(im->link, sizeof im->link, "%s", l->cf.name);
	im->conn_id = c->id;
	iso_msg_copy(&im->req, m);
	if (iso_get_str(m, 48, de48, sizeof de48) == -1 ||
	    strlen(de48) != DE48_LEN || (de48[0] != 'P' && de48[0] != 'M') ||
	    de48[1] != 'X' || !hex_valid(de48 + 2, 32, 1) ||
	    !hex_valid(de48 + 34, 6, 1))
		rc = "30";
	else if (l->cf.zmk[0] == '\0')
		rc = "12";
	else if (Z.hsm == NULL || l->zk.busy)
		rc = "96";
	if (rc != NULL) {
		log_warnx("event=key_change_refused link=%s rc=%s reason=%s",
		    l->cf.name, rc, rc[1] == '0' ? "bad_de48" : rc[1] == '2' ?
		    "no_zmk" : "hsm_or_busy");
		answer(im, rc);
		import_free(im);
		sodium_memzero(de48, sizeof de48);
		return;
	}
	im->kind = de48[0];
	memcpy(im->kcv, de48 + 34, 6);
	memcpy(key, de48 + 1, 33);
	key[33] = '\0';
	sodium_memzero(de48, sizeof de48);
	/* ZPK: PIN blocks both ways; MAC key: ISO 9797-1 alg. 3, both. */
	snprintf(usage, sizeof usage, "%s", im->kind == 'P' ? "P0" : "M3");
	if (hsm_import_key(Z.hsm, l->cf.zmk, key, usage, im->kind == 'P' ?
	    'B' : 'C', imported, im) == -1) {
		log_warnx("event=key_change_refused link=%s rc=96 "
		    "reason=hsm_call", l->cf.name);
		sodium_memzero(key, sizeof key);
		answer(im, "96");
		import_free(im);
		return;
	}
	sodium_memzero(key, sizeof key);
	l->zk.busy = 1;
	log_info("event=key_change link=%s kind=%c kcv=%s", l->cf.name,
	    im->kind, im->kcv);
}

void
zonekey_verify(struct link *l, struct iso_msg *r)
{
	char v[8];

	snprintf(v, sizeof v, "P%s", l->zk.zpk.kcv[0] ? l->zk.zpk.kcv :
	    "000000");
	iso_set_str(r, 48, v);
}

int
zonekey_rekey(struct link *l, char *err, size_t errsz)
{
	struct conn *c = link_pick_conn(l);

	if (l->cf.zmk[0] == '\0') {
		snprintf(err, errsz, "link %s has no ZMKFile", l->cf.name);
		return -1;
	}
	if (c == NULL || !c->signed_on) {
		snprintf(err, errsz, "link %s has no signed-on connection",
		    l->cf.name);
		return -1;
	}
	if (session_ask(c, "162") == -1) {
		snprintf(err, errsz, "link %s: another session message is "
		    "outstanding, or the send failed", l->cf.name);
		return -1;
	}
	log_info("event=key_requested link=%s conn=%llu", l->cf.name,
	    (unsigned long long)c->id);
	return 0;
}

const char *
zonekey_prev(const struct zone_key *cur, const struct zone_key *prev)
{
	uint64_t now = wall_us();

	if (prev->blk[0] == '\0' || now < cur->since_wall_us ||
	    now - cur->since_wall_us > ZONEKEY_PREV_GRACE_US)
		return NULL;
	return prev->blk;
}

const char *
zonekey_zpk(const char *name, int prev)
{
	struct link *l = link_find(name);

	if (l == NULL)
		return NULL;
	if (prev)
		return zonekey_prev(&l->zk.zpk, &l->zk.zpk_prev);
	return l->zk.zpk.blk[0] != '\0' ? l->zk.zpk.blk : NULL;
}

struct hsm_client *
zonekey_hsm(void)
{
	return Z.hsm;
}
