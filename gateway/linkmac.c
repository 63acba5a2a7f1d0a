/*
 * linkmac.c — MACs on a link with MAC = yes: every message but network
 * management carries one in its last field (DE64, or DE128 when the
 * message has a secondary bitmap), ISO 9797-1 algorithm 3 with padding
 * method 1 under the link's MAC key (zone keys, kind M), computed and
 * checked by the HSM (M6/M8).  The MAC covers the packed message up to
 * the MAC field, that field's bit set in the bitmap.
 *
 * Outbound: every framed message passes through linkmac_send before it
 * is queued; it goes out once the HSM has answered.  Inbound: a message
 * is handed on only once its MAC verified; one without a MAC or with a
 * bad one is answered with the profile's code (session.c) and counted.
 * Without a MAC key, or with the HSM failing, nothing is sent and
 * nothing is let through: counted and logged.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/hex.h"
#include "base/log.h"
#include "hsm/client/hsmclient.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "gateway/link.h"
#include "gateway/link-int.h"
#include "gateway/linkmac.h"
#include "gateway/metrics.h"
#include "gateway/session.h"
#include "gateway/zonekey.h"

#define MAC_ALG		3	/* ISO 9797-1 algorithm 3 (retail MAC) */
#define MAC_PAD		1	/* padding method 1 */
/* A connection's MACs at the HSM at once.  The HSM client is every
 * link's: one peer sending frames with MACs that fail must not take all
 * of it (1,024 calls) and leave the other links' MACs unchecked.  64 in
 * flight is some 300,000 a second at the HSM's round trip here. */
#define MAC_CHECKS_MAX	64

struct macjob {
	char		 link[CFG_NAME_MAX];
	uint64_t	 conn_id;
	uint64_t	 t0;
	int		 field;		/* 64 or 128 */
	int		 prev;		/* checked under the previous key */
	linkmac_then_fn	*then;		/* inbound: where it goes next */
	struct iso_msg	 m;
	size_t		 len;
	uint8_t		 wire[];
};

static uint8_t scratch[65536];
static struct iso_msg answer;

/* Network management carries no MAC: its key change brings the key. */
static int
macced(const struct link *l, const char *mti)
{
	return l->cf.mac && !(mti[0] == '0' && mti[1] == '8');
}

/* The MAC field a message of these fields carries. */
static int
mac_field(const struct iso_msg *m)
{
	int f;

	for (f = iso_next(m, 64); f != 0; f = iso_next(m, f))
		if (f > 64 && f != 128)
			return 128;
	return iso_has(m, 128) ? 128 : 64;
}

/* The MAC field's length on the wire. */
static size_t
mac_wire_len(const struct link *l)
{
	return l->prof->binenc == ISO_BIN_HEX ? 16 : 8;
}

static struct macjob *
job_new(struct conn *c, const struct iso_msg *m, size_t cap)
{
	struct macjob *j;

	if ((j = calloc(1, sizeof *j + cap)) == NULL)
		return NULL;
	snprintf(j->link, sizeof j->link, "%s", c->link->cf.name);
	j->conn_id = c->id;
	iso_msg_copy(&j->m, m);
	return j;
}

static void
job_free(struct macjob *j)
{
	sodium_memzero(j->wire, j->len);
	sodium_memzero(&j->m, sizeof j->m);
	free(j);
}

/* The job's connection, if it is still there. */
static struct conn *
job_conn(const struct macjob *j)
{
	struct link *l = link_find(j->link);

	return l != NULL ? link_conn(l, j->conn_id) : NULL;
}

static void
generated(const struct hsm_result *r, void *arg)
{
	struct macjob *j = arg;
	struct conn *c = job_conn(j);
	struct iso_err err;
	uint8_t mac[8];
	ssize_t n;

	if (c == NULL)
		goto out;
	if (r->status != HSM_OK || hex_decode_exact(r->u.mac.mac, 16, mac,
	    8) == -1) {
		c->link->mac_failed++;
		log_warnx("event=mac_not_generated link=%s mti=%s status=%s "
		    "error=%s", j->link, j->m.mti, hsm_status_str(r->status),
		    r->error);
		goto out;
	}
	iso_set(&j->m, j->field, mac, 8);
	if ((n = iso_pack(c->link->prof, &j->m, scratch, sizeof scratch,
	    &err)) < 0)
		goto out;
	c->link->mac_sent++;
	conn_send_raw(c, scratch, (size_t)n);
	sodium_memzero(scratch, (size_t)n);
out:
	job_free(j);
}

int
linkmac_send(struct conn *c, const uint8_t *w, size_t len)
{
	struct link *l = c->link;
	const char *mak = l->zk.mak.blk;
	struct iso_err err;
	struct macjob *j;
	static const uint8_t zero[8];
	ssize_t n;

	if (iso_unpack(l->prof, &answer, w, len, &err) == -1) {
		/* Never sent without its MAC: dropped, counted, said. */
		l->mac_failed++;
		log_warnx("event=mac_not_generated link=%s reason=\"%s\"",
		    l->cf.name, err.msg);
		return 1;
	}
	if (!macced(l, answer.mti))
		return 0;
	if ((j = job_new(c, &answer, len + 64)) == NULL)
		return 1;
	sodium_memzero(&answer, sizeof answer);
	j->field = mac_field(&j->m);
	iso_set(&j->m, j->field, zero, 8);
	if ((n = iso_pack(l->prof, &j->m, j->wire, len + 64, &err)) < 0 ||
	    (size_t)n < mac_wire_len(l)) {
		job_free(j);
		return 1;
	}
	j->len = (size_t)n;
	if (mak[0] == '\0' || zonekey_hsm() == NULL ||
	    hsm_mac_generate(zonekey_hsm(), mak, MAC_ALG, MAC_PAD, 8, j->wire,
	    j->len - mac_wire_len(l), generated, j) == -1) {
		l->mac_failed++;
		log_warnx("event=mac_not_generated link=%s mti=%s reason=%s",
		    l->cf.name, j->m.mti, mak[0] == '\0' ? "no_mac_key" :
		    "hsm");
		job_free(j);
	}
	return 1;
}

/* A MAC that did not verify: the profile's answer, not MACed (it echoes
 * fields no one has vouched for). */
static void
refuse(struct conn *c, const struct iso_msg *m, const char *why)
{
	struct link *l = c->link;
	const char *rc = session_codes(l->cf.profile)->mac_rc;
	char resp_mti[5];

	l->mac_bad++;
	log_warnx("event=mac_refused link=%s conn=%llu mti=%s reason=%s rc=%s",
	    l->cf.name, (unsigned long long)c->id, m->mti, why, rc);
	if (iso_mti_response(m->mti, resp_mti) == 0)
		link_refuse_unmaced(c, m, rc);
}

/* A MAC that could not be checked here (no MAC key, no HSM, the HSM
 * failing): a local fault, not the scheme's: nothing is sent or let
 * through (the scheme repeats or times out), and it is counted apart. */
static void
unchecked(struct conn *c, const struct iso_msg *m, const char *why)
{
	struct link *l = c->link;

	l->mac_failed++;
	log_warnx("event=mac_unchecked link=%s conn=%llu mti=%s reason=%s",
	    l->cf.name, (unsigned long long)c->id, m->mti, why);
}

static void verified(const struct hsm_result *, void *);

/* A message MACed just before a key change: once more under the key
 * before, within its grace (zonekey_prev).  0 when asked. */
static int
retry_prev(struct link *l, struct macjob *j)
{
	const uint8_t *mac;
	const char *blk;
	char hex[17];
	size_t n;

	if ((blk = zonekey_prev(&l->zk.mak, &l->zk.mak_prev)) == NULL ||
	    (mac = iso_get(&j->m, j->field, &n)) == NULL || n != 8)
		return -1;
	hex_encode(mac, 8, hex);
	hex[16] = '\0';
	j->prev = 1;
	return hsm_mac_verify(zonekey_hsm(), blk, MAC_ALG,
	    MAC_PAD, j->wire, j->len - mac_wire_len(l), hex, verified, j);
}

static void
verified(const struct hsm_result *r, void *arg)
{
	struct macjob *j = arg;
	struct conn *c = job_conn(j);

	if (c == NULL)
		goto out;
	if (r->status == HSM_FAIL && !j->prev && retry_prev(c->link, j) == 0)
		return;		/* the job goes on */
	c->mac_checks--;
	if (r->status == HSM_OK) {
		c->link->mac_ok++;
		j->then(c, &j->m, j->t0);
	} else if (r->status == HSM_FAIL)
		refuse(c, &j->m, "bad_mac");
	else
		unchecked(c, &j->m, "hsm");
out:
	job_free(j);
}

int
linkmac_receive(struct conn *c, const uint8_t *w, size_t len,
    const struct iso_msg *m, uint64_t t0, linkmac_then_fn *then)
{
	struct link *l = c->link;
	const char *mak = l->zk.mak.blk;
	const uint8_t *mac;
	struct macjob *j;
	char hex[17];
	size_t ml = mac_wire_len(l), n;
	int field;

	if (!macced(l, m->mti))
		return 0;
	field = iso_has(m, 128) ? 128 : 64;
	if ((mac = iso_get(m, field, &n)) == NULL || n != 8 || len < ml) {
		refuse(c, m, "no_mac");
		return 1;
	}
	if (mak[0] == '\0' || zonekey_hsm() == NULL) {
		unchecked(c, m, mak[0] == '\0' ? "no_mac_key" : "no_hsm");
		return 1;
	}
	if (c->mac_checks >= MAC_CHECKS_MAX) {
		unchecked(c, m, "busy");
		return 1;	/* not answered: the scheme repeats it */
	}
	if ((j = job_new(c, m, len)) == NULL)
		return 1;	/* not answered: the scheme repeats it */
	memcpy(j->wire, w, len);
	j->len = len;
	j->t0 = t0;
	j->then = then;
	j->field = field;
	hex_encode(mac, 8, hex);
	hex[16] = '\0';
	if (hsm_mac_verify(zonekey_hsm(), mak, MAC_ALG, MAC_PAD, j->wire,
	    len - ml, hex, verified, j) == -1) {
		unchecked(c, m, "hsm");
		job_free(j);
	} else
		c->mac_checks++;
	return 1;
}
