/*
 * outsaf.c — outbound store and forward: a request the core sent to a
 * scheme (OUT_REQUEST) that got no answer in time.  The core was told
 * 91 at the timeout (outreq.c); from here on the gateway makes sure the
 * scheme learns it too:
 *
 *   1. OutRepeats repeats of the request (its MTI's repeat origin: 0201),
 *      one per OutTimeout;
 *   2. then a reversal advice, 0420 with the original data elements in
 *      DE90, sent again every OutTimeout until the scheme acknowledges
 *      it (0430): never dropped;
 *   3. each outcome goes to the core as an ADVICE (tag 0x1005 says which:
 *      out-answered, the scheme answered a repeat; out-late-answer, it
 *      answered after the reversal went; out-reversed, 0430 came).
 *
 * Each entry is kept in the store (database "outsaf", sealed under the
 * state key for its corr_id: it holds the request, card or account data
 * at rest is encrypted; gateway/standin/outrec.h), replaced whole at each
 * step by the store's writer, off the loop: a link that fails many
 * requests at once costs one group commit, not two fsyncs each on the
 * loop that answers the schemes.  Read back at start, so a restart goes
 * on where it stopped; files of the layout before
 * (<StateDirectory>/outsaf.<corr>) are read too, moved into the store,
 * and removed with their entry.  With Durability = none the queue is in
 * memory only.
 */
#include <sys/queue.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "tunnel/corefr.h"
#include "tunnel/tlv.h"
#include "tunnel/tlvmsg.h"
#include "gateway/config.h"
#include "gateway/link.h"
#include "gateway/metrics.h"
#include "gateway/outsaf.h"
#include "gateway/standin/outrec.h"
#include "gateway/standin/standin.h"
#include "gateway/standin/statekey.h"

#define FILE_MAX	(COREFR_MAX_BODY + 256)

struct ent {
	TAILQ_ENTRY(ent) entry;
	char		 link[CFG_NAME_MAX];
	char		 core[CFG_NAME_MAX];
	uint64_t	 corr;
	int		 stage;		/* repeats sent; OutRepeats: reversal */
	int		 reversed;	/* a reversal went (kept in the file:
					   a restart must not forget it) */
	uint64_t	 attempts;
	uint64_t	 next_us;	/* 0: at the next tick */
	int		 late_told;	/* out-late-answer sent to the core */
	/* the outcome's advice on its way into the store: the entry goes
	 * once it is there (a crash before keeps the entry, and the next
	 * step asks the scheme again) */
	int		 settling;
	int		 file;		/* also in a file of the old layout */
	uint64_t	 conn_id;	/* where the last step went: answers
					   come from there (0: none yet) */
	struct iso_msg	 req;
};

static TAILQ_HEAD(, ent) q = TAILQ_HEAD_INITIALIZER(q);
static struct {
	char		 dir[CFG_PATH_MAX];
	char		 gw[CFG_NAME_MAX];
	uint8_t		 key[crypto_secretbox_KEYBYTES];
	int		 paused;
	uint64_t	 depth, answered, reversed, sent;
} O;
static uint8_t fbuf[FILE_MAX], pbuf[FILE_MAX];
static struct iso_msg out;

/* The entry's plaintext into pbuf: its length, or 0. */
static size_t
entry_pack(const struct ent *e)
{
	struct tlv_w w;
	size_t hl;

	hl = (size_t)snprintf((char *)pbuf, sizeof pbuf, "v2 %s %s %" PRIu64
	    " %d %d\n", e->link, e->core, e->corr, e->stage, e->reversed);
	tlv_w_init(&w, pbuf + hl, sizeof pbuf - hl - 1);
	tlv_put_msg(&w, &e->req);
	return w.err ? 0 : hl + w.len;
}

/* The entry into the store, replaced whole, by the store's writer (off
 * the loop: a queue of many is one commit, not a file and two fsyncs
 * each): 0 or -1. */
static int
save(const struct ent *e)
{
	size_t n;
	int rc;

	if (O.dir[0] == '\0')
		return 0;
	if ((n = entry_pack(e)) == 0)
		return -1;
	rc = outrec_saf_put(e->corr, pbuf, n);
	sodium_memzero(pbuf, n);
	return rc;
}

static void
path_of(uint64_t corr, char *p, size_t cap)
{
	snprintf(p, cap, "%s/outsaf.%016" PRIx64, O.dir, corr);
}

/* e's memory, wiped (the request holds the PAN). */
static void
ent_free(struct ent *e)
{
	if (e == NULL)
		return;
	sodium_memzero(&e->req, sizeof e->req);
	free(e);
}

static void
drop(struct ent *e)
{
	char path[CFG_PATH_MAX + 64];

	if (O.dir[0] != '\0' && outrec_saf_del(e->corr) == -1)
		log_warnx("event=outsaf_not_deleted corr=%" PRIu64, e->corr);
	if (e->file) {
		path_of(e->corr, path, sizeof path);
		if (unlink(path) == -1)
			log_warn("event=outsaf_unlink path=%s", path);
	}
	TAILQ_REMOVE(&q, e, entry);
	O.depth--;
	ent_free(e);
}

static struct ent *
find(uint64_t corr)
{
	struct ent *e;

	TAILQ_FOREACH(e, &q, entry)
		if (e->corr == corr)
			return e;
	return NULL;
}

/* Plaintext (n bytes, in pbuf) into a new entry: it, or NULL. */
static struct ent *
entry_unpack(size_t n)
{
	struct ent *e;
	size_t hl = 0;
	char *nl;

	pbuf[n] = '\0';
	if ((nl = memchr(pbuf, '\n', n)) != NULL)
		hl = (size_t)(nl - (char *)pbuf) + 1;
	/* v1 did not say whether a reversal went: taken as gone, so a late
	 * answer never settles what the scheme may be reversing. */
	if ((e = calloc(1, sizeof *e)) != NULL)
		e->reversed = 1;
	if (e == NULL || nl == NULL ||
	    (sscanf((char *)pbuf, "v2 %47s %47s %" SCNu64 " %d %d", e->link,
	    e->core, &e->corr, &e->stage, &e->reversed) != 5 &&
	    sscanf((char *)pbuf, "v1 %47s %47s %" SCNu64 " %d", e->link,
	    e->core, &e->corr, &e->stage) != 4) ||
	    tlv_get_msg(pbuf + hl, n - hl, &e->req) == -1) {
		ent_free(e);
		e = NULL;
	}
	sodium_memzero(pbuf, n);
	return e;
}

static void
restored(struct ent *e, const char *from)
{
	TAILQ_INSERT_TAIL(&q, e, entry);
	O.depth++;
	log_info("event=outsaf_restored link=%s corr=%" PRIu64 " stage=%d "
	    "from=%s", e->link, e->corr, e->stage, from);
}

/* One entry of the store at start. */
static int
load_entry(uint64_t corr, const uint8_t *pt, size_t len, void *arg)
{
	struct ent *e = NULL;

	(void)arg;
	if (len < sizeof pbuf) {
		memcpy(pbuf, pt, len);
		e = entry_unpack(len);
	}
	if (e == NULL || e->corr != corr || find(corr) != NULL) {
		log_warnx("event=outsaf_unreadable corr=%" PRIu64, corr);
		ent_free(e);
		return 0;
	}
	restored(e, "store");
	return 0;
}

/*
 * A file of the layout before the store held the queue: its entry, into
 * the store, the file removed when the entry goes.  One that is in the
 * store already (a start since) is the store's, newer.
 */
static void
load_file(const char *name)
{
	char path[CFG_PATH_MAX + 64];
	struct ent *e, *had;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/%s", O.dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, fbuf, sizeof fbuf);
	close(fd);
	if (n < (ssize_t)(crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES) || crypto_secretbox_open_easy(pbuf,
	    fbuf + crypto_secretbox_NONCEBYTES, (size_t)n -
	    crypto_secretbox_NONCEBYTES, fbuf, O.key) == -1 ||
	    (e = entry_unpack((size_t)n - crypto_secretbox_NONCEBYTES -
	    crypto_secretbox_MACBYTES)) == NULL) {
		log_warnx("event=outsaf_unreadable path=%s reason=\"does not "
		    "open under the state key\"", path);
		return;
	}
	if ((had = find(e->corr)) != NULL) {
		had->file = 1;
		ent_free(e);
		return;
	}
	e->file = 1;
	if (save(e) == -1)
		log_warnx("event=outsaf_not_durable corr=%" PRIu64, e->corr);
	restored(e, "file");
}

int
outsaf_init(const struct config *c, char *err, size_t errsz)
{
	struct statekey *k;
	struct dirent *d;
	DIR *dir;

	snprintf(O.gw, sizeof O.gw, "%s", c->name);
	if (c->durability != DURABILITY_FULL)
		return 0;
	if ((k = statekey_load(c->state_key, err, errsz)) == NULL)
		return -1;
	statekey_subkey(k, "gatewayd outbound saf v1", O.key);
	statekey_free(k);
	snprintf(O.dir, sizeof O.dir, "%s", c->state_dir);
	if (outrec_saf_load(load_entry, NULL) == -1) {
		snprintf(err, errsz, "the outbound saf in the store cannot be "
		    "read");
		return -1;
	}
	if ((dir = opendir(O.dir)) == NULL)
		return 0;	/* made later by the store */
	while ((d = readdir(dir)) != NULL)
		if (strncmp(d->d_name, "outsaf.", 7) == 0 &&
		    strchr(d->d_name + 7, '.') == NULL)
			load_file(d->d_name);
	closedir(dir);
	return 0;
}

void
outsaf_shutdown(void)
{
	struct ent *e;

	while ((e = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, e, entry);
		ent_free(e);
	}
	sodium_memzero(O.key, sizeof O.key);
}

void
outsaf_add(const char *link, const char *core, uint64_t corr,
    const struct iso_msg *req, uint64_t conn_id)
{
	struct ent *e;

	/* Queued before: a start that found its request still in flight
	 * (outreq.c restore_one) after the entry was durable. */
	if (find(corr) != NULL)
		return;
	if ((e = calloc(1, sizeof *e)) == NULL) {
		log_warn("event=outsaf_not_queued corr=%" PRIu64, corr);
		return;
	}
	snprintf(e->link, sizeof e->link, "%s", link);
	snprintf(e->core, sizeof e->core, "%s", core);
	e->corr = corr;
	e->conn_id = conn_id;
	iso_msg_copy(&e->req, req);
	if (save(e) == -1)
		log_warnx("event=outsaf_not_durable corr=%" PRIu64, corr);
	TAILQ_INSERT_TAIL(&q, e, entry);
	O.depth++;
	log_info("event=outsaf_queued link=%s corr=%" PRIu64 " mti=%s", link,
	    corr, req->mti);
}

/* The reversal of e's request: 0420, its data elements, DE90. */
static int
reversal(const struct ent *e, struct iso_msg *r)
{
	static const int keep[] = { 2, 3, 4, 7, 11, 12, 13, 32, 33, 37, 41,
	    42, 49 };
	char de7[11] = "", de11[7] = "", de32[12] = "", de33[12] = "";
	char de90[43];
	size_t i;

	iso_msg_init(r, "0420");
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		iso_copy_field(r, &e->req, keep[i]);
	iso_get_str(&e->req, 7, de7, sizeof de7);
	iso_get_str(&e->req, 11, de11, sizeof de11);
	iso_get_str(&e->req, 32, de32, sizeof de32);
	iso_get_str(&e->req, 33, de33, sizeof de33);
	snprintf(de90, sizeof de90, "%.4s%06ld%010lld%011lld%011lld",
	    e->req.mti, strtol(de11, NULL, 10), strtoll(de7, NULL, 10),
	    strtoll(de32, NULL, 10), strtoll(de33, NULL, 10));
	return iso_set_str(r, 90, de90);
}

/* The next step of e on c: a repeat, or the reversal (again). */
static void
step(struct ent *e, struct link *l, uint64_t now)
{
	struct conn *c = NULL;
	int repeat;

	/* Where the request went, while that connection lives: its
	 * answers come from there, and the scheme knows the exchange. */
	if (e->conn_id != 0)
		c = link_conn(l, e->conn_id);
	if (c == NULL)
		c = link_pick_conn(l);

	/* The link down: at the first tick it is up again, not a whole
	 * OutTimeout after it. */
	if (c == NULL)
		return;
	e->next_us = now + l->cf.out_timeout_us;
	/* Once a reversal went, only reversals: a reload that raises
	 * OutRepeats does not send the original again. */
	repeat = !e->reversed && e->stage < l->cf.out_repeats;
	if (repeat) {
		iso_msg_copy(&out, &e->req);
		out.mti[3] = (char)(out.mti[3] | 1);	/* 0200 -> 0201 */
	} else if (reversal(e, &out) == -1) {
		sodium_memzero(&out, sizeof out);
		return;
	}
	if (conn_send_msg(c, &out) == -1) {
		sodium_memzero(&out, sizeof out);	/* it holds the PAN */
		return;
	}
	e->attempts++;
	e->conn_id = c->id;
	O.sent++;
	if (repeat) {
		e->stage++;
		save(e);
	} else if (!e->reversed) {
		e->reversed = 1;
		save(e);
	}
	log_info("event=outsaf_sent link=%s corr=%" PRIu64 " what=%s mti=%s "
	    "attempt=%" PRIu64, e->link, e->corr, repeat ? "repeat" :
	    "reversal", out.mti, e->attempts);
	sodium_memzero(&out, sizeof out);
}

void
outsaf_tick(struct link *l)
{
	struct ent *e;
	uint64_t now = now_us();

	if (O.paused)
		return;
	TAILQ_FOREACH(e, &q, entry)
		if (strcmp(e->link, l->cf.name) == 0 && !e->settling &&
		    now >= e->next_us)
			step(e, l, now);
}

/* The outcome's advice is in the store (ok) or is not: the entry goes,
 * or stays to be settled again. */
static void
settled(uint64_t corr, int ok)
{
	struct ent *e;

	if ((e = find(corr)) == NULL || !e->settling)
		return;
	e->settling = 0;
	if (ok)
		drop(e);
}

/*
 * The outcome to the core, as an advice retried until acknowledged;
 * final: durable first (the entry goes once it is), else an
 * out-late-answer, which leaves the entry to its reversal.
 */
static void
tell_core(struct ent *e, struct link *l, const struct iso_msg *m,
    const char *outcome, int final)
{
	static uint8_t body[COREFR_MAX_BODY];
	char de39[3] = "";
	struct tlv_w w;
	uint64_t corr;

	iso_get_str(m, 39, de39, sizeof de39);
	tlv_w_init(&w, body, sizeof body - 16);
	tlv_put_msg_kept(&w, l->prof, m);
	tlv_put_str(&w, TLV_LINK, e->link);
	tlv_put_str(&w, TLV_STANDIN_REASON, outcome);
	tlv_put_str(&w, TLV_GATEWAY, O.gw);
	log_info("event=outsaf_outcome link=%s corr=%" PRIu64 " outcome=%s "
	    "mti=%s rc=%s", e->link, e->corr, outcome, m->mti,
	    de39[0] ? de39 : "-");
	metrics_request(e->link, e->req.mti, outcome, PATH_OUT, 0);
	/* Last: without a store settled() runs at once and drops e. */
	corr = e->corr;
	if (final)
		e->settling = 1;
	if (w.err || (final ? standin_queue_durable(body, w.len, settled,
	    corr) : standin_queue(body, w.len, sizeof body)) == -1) {
		e->settling = 0;
		log_warnx("event=outsaf_outcome_not_queued corr=%" PRIu64
		    " outcome=%s", corr, outcome);
	}
	sodium_memzero(body, sizeof body);
}

int
out_same_txn(const char *de11, const char *de7, const struct iso_msg *m)
{
	char m11[16] = "", m7[16] = "";

	iso_get_str(m, 11, m11, sizeof m11);
	iso_get_str(m, 7, m7, sizeof m7);
	/* An answer that leaves DE7 out does not match a request that had
	 * one: DE11 alone is six digits anyone on the line can guess. */
	return strcmp(de11, m11) == 0 &&
	    (de7[0] == '\0' || strcmp(de7, m7) == 0);
}

/* An 0430 that refuses the reversal (a format error, a bad MAC...) is
 * not the scheme taking it: it goes again at the next step. */
static int
reversal_taken(const struct link *l, const struct ent *e,
    const struct iso_msg *m)
{
	char de39[4] = "";

	iso_get_str(m, 39, de39, sizeof de39);
	if (strcmp(de39, "00") == 0)
		return 1;
	log_warnx("event=outsaf_reversal_refused link=%s corr=%" PRIu64
	    " rc=%s reason=\"pursued: the next step sends it again\"",
	    l->cf.name, e->corr, de39[0] ? de39 : "none");
	return 0;
}

int
outsaf_answer(struct conn *c, const struct iso_msg *m)
{
	char e11[16] = "", e7[16] = "", resp[5];
	struct link *l = c->link;
	struct ent *e;

	TAILQ_FOREACH(e, &q, entry) {
		if (strcmp(e->link, l->cf.name) != 0 || e->settling ||
		    e->conn_id != c->id)
			continue;
		iso_get_str(&e->req, 11, e11, sizeof e11);
		iso_get_str(&e->req, 7, e7, sizeof e7);
		if (!out_same_txn(e11, e7, m))
			continue;
		if (strcmp(m->mti, "0430") == 0) {
			if (!e->reversed)
				continue;	/* no reversal of ours went */
			if (!reversal_taken(l, e, m))
				return 1;
			O.reversed++;
			tell_core(e, l, m, "out-reversed", 1);
			return 1;
		}
		if (iso_mti_response(e->req.mti, resp) == -1 ||
		    strcmp(resp, m->mti) != 0)
			continue;
		if (!e->reversed) {
			/* No reversal went yet: the answer settles it. */
			O.answered++;
			tell_core(e, l, m, "out-answered", 1);
		} else if (!e->late_told) {
			/* The reversal is out: it still has to be taken. */
			e->late_told = 1;
			tell_core(e, l, m, "out-late-answer", 0);
		}
		return 1;
	}
	return 0;
}

void
outsaf_pause(int on)
{
	O.paused = on;
}

void
outsaf_replay(void)
{
	struct ent *e;

	TAILQ_FOREACH(e, &q, entry)
		e->next_us = 0;
}

json_t *
outsaf_json(void)
{
	json_t *a = json_array();
	struct ent *e;

	TAILQ_FOREACH(e, &q, entry)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:s,s:i,s:I}",
		    "link", e->link, "core", e->core, "corr",
		    (json_int_t)e->corr, "mti", e->req.mti, "stage", e->stage,
		    "attempts", (json_int_t)e->attempts));
	return json_pack("{s:I,s:b,s:b,s:I,s:I,s:I,s:o}", "depth",
	    (json_int_t)O.depth, "paused", O.paused, "durable",
	    O.dir[0] != '\0', "sent", (json_int_t)O.sent, "answered",
	    (json_int_t)O.answered, "reversed", (json_int_t)O.reversed,
	    "entries", a);
}

void
outsaf_text(struct evbuffer *b)
{
	struct ent *e;

	evbuffer_add_printf(b, "outbound: depth=%" PRIu64 " paused=%s "
	    "durable=%s sent=%" PRIu64 " answered=%" PRIu64 " reversed=%"
	    PRIu64 "\n", O.depth, O.paused ? "yes" : "no", O.dir[0] ? "yes" :
	    "no", O.sent, O.answered, O.reversed);
	TAILQ_FOREACH(e, &q, entry)
		evbuffer_add_printf(b, "  corr=%" PRIu64 " link=%s mti=%s "
		    "stage=%d attempts=%" PRIu64 "\n", e->corr, e->link,
		    e->req.mti, e->stage, e->attempts);
}

uint64_t
outsaf_depth(void)
{
	return O.depth;
}
