/*
 * config.c — reading, checking and printing gatewayd's configuration:
 * sections and whole-file rules here, each key in cfgkeys.c's tables,
 * values in cfgval.c.
 *
 * libinih calls handler() once per key; it does not tell us the line, but
 * ini_parse() returns the line of the first key the handler refused, so
 * the handler keeps the first message and the caller adds file and line.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>
#include <sodium.h>

#include "base/cfgvalue.h"
#include "base/log.h"
#include "iso8583/frame.h"
#include "tunnel/corefr.h"
#include "gateway/cfg-int.h"

/* --- the handler ---------------------------------------------------------- */

static void
link_defaults(struct cfg_link *l)
{
	l->framing = FRAME_LEN2;
	l->maxframe = 8192;
	l->frame_hdrlen = -1;
	l->deadline_us = 40000;
	l->reserve_us = 5000;
	l->echo_us = 30000000;
	l->out_timeout_us = 10000000;
	l->out_repeats = 1;
	l->connections = 1;
	l->max_conns = 16;
	/* An idle or slow socket never holds one of MaxConnections long;
	 * a peer that stops reading holds 1 MiB at most. */
	l->first_frame_us = 10000000;
	l->frame_us = 5000000;
	l->echo_misses = 3;
	l->output_cap = 1u << 20;
	l->stall_us = 5000000;
	l->max_inflight = 1024;
	l->mode = -1;
	strcpy(l->profile, "");
}

static void
core_defaults(struct cfg_core *c)
{
	c->priority = 100;
	c->hb_us = 100000;
	c->misses = 3;
	c->recover = 3;
	c->fresh_us = COREFR_FRESH_MS * 1000;
	seal_keyring_init(&c->keys);
}

#define FAIL(...) do {							\
	cfg_error(px, __VA_ARGS__);					\
	return 0;							\
} while (0)

/* The NAME of "[Link NAME]" or "[Core NAME]": a valid name not used by
 * another section of its kind, or NULL after cfg_error. */
static const char *
instance(struct pctx *px, const char *section, const char *kind)
{
	const char *name = section + 5;
	int twice;

	while (*name == ' ')
		name++;
	if (!cfg_valid_name(name)) {
		cfg_error(px, "[%s]: bad %s name", section, kind);
		return NULL;
	}
	twice = kind[0] == 'l' ? config_link(px->c, name) != NULL :
	    config_core(px->c, name) != NULL;
	if (twice) {
		cfg_error(px, "[%s]: %s defined twice", section, kind);
		return NULL;
	}
	return name;
}

/* A new section begins: create its object (sections of one kind and name
 * appearing twice are an error, not a merge). */
static int
new_section(struct pctx *px, const char *section)
{
	struct config *c = px->c;
	const char *name;

	px->link = NULL;
	px->core = NULL;
	px->range = NULL;
	if (strncasecmp(section, "Range ", 6) == 0) {
		for (name = section + 6; *name == ' '; name++)
			;
		return cfg_range_new(px, name);
	}
	if (strncasecmp(section, "Link ", 5) == 0) {
		if ((name = instance(px, section, "link")) == NULL)
			return 0;
		if ((px->link = calloc(1, sizeof *px->link)) == NULL)
			FAIL("out of memory");
		link_defaults(px->link);
		strcpy(px->link->name, name);
		px->link->line = px->sect_line;
		TAILQ_INSERT_TAIL(&c->links, px->link, entry);
	} else if (strncasecmp(section, "Core ", 5) == 0) {
		if ((name = instance(px, section, "core")) == NULL)
			return 0;
		/* its keys: guarded, locked pages */
		if ((px->core = sodium_malloc(sizeof *px->core)) == NULL)
			FAIL("out of memory");
		memset(px->core, 0, sizeof *px->core);
		core_defaults(px->core);
		strcpy(px->core->name, name);
		px->core->line = px->sect_line;
		TAILQ_INSERT_TAIL(&c->cores, px->core, entry);
	} else if (strcasecmp(section, "Pair") == 0) {
		if (c->pair != NULL)
			FAIL("[Pair]: defined twice");
		if ((px->core = sodium_malloc(sizeof *px->core)) == NULL)
			FAIL("out of memory");
		memset(px->core, 0, sizeof *px->core);
		core_defaults(px->core);
		strcpy(px->core->name, "pair");
		px->core->pair = 1;
		px->core->share = 50;
		px->core->takeover_us = 30000000;
		px->core->line = px->sect_line;
		c->pair = px->core;
	} else if (strcasecmp(section, "Gateway") != 0 &&
	    strcasecmp(section, "StandIn") != 0)
		FAIL("[%s]: unknown section", section);
	return 1;
}

/* A key of the current section, or its "unknown key" error. */
static int
set_key(struct pctx *px, const char *section, const char *key,
    const char *v)
{
	int rc;

	if (px->link != NULL) {
		if ((rc = cfg_key_set(px, SECT_LINK, px->link, key, v)) == -1)
			FAIL("unknown key %s in [Link %s]", key, px->link->name);
	} else if (px->core != NULL && px->core->pair) {
		if ((rc = cfg_key_set(px, SECT_PAIR, px->core, key, v)) == -1)
			FAIL("unknown key %s in [Pair]", key);
	} else if (px->core != NULL) {
		if ((rc = cfg_key_set(px, SECT_CORE, px->core, key, v)) == -1)
			FAIL("unknown key %s in [Core %s]", key, px->core->name);
	} else if (px->range != NULL) {
		if ((rc = cfg_range_key(px, key, v)) == -1)
			FAIL("unknown key %s in [Range %s]", key,
			    px->range->name);
	} else if (strcasecmp(section, "Gateway") == 0) {
		if ((rc = cfg_key_set(px, SECT_GATEWAY, px->c, key, v)) == -1)
			FAIL("unknown key %s in [Gateway]", key);
	} else if ((rc = cfg_key_set(px, SECT_STANDIN, px->c, key, v)) == -1)
		FAIL("unknown key %s in [StandIn]", key);
	return rc;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct pctx *px = user;
	char v[1024];

	if (px->failed)
		return 0;
	if (strlen(value) >= sizeof v)
		FAIL("%s: value too long", key);
	strcpy(v, value);
	cfgvalue_strip(v);
	/* A section starts at each [header] line the reader saw, even when
	 * it repeats the previous name (inih would merge those silently). */
	if (*section == '\0')
		FAIL("%s: key outside any section", key);
	if (px->sect_seen != px->sectno) {
		px->sectno = px->sect_seen;
		if (*section == '\0')
			FAIL("%s: key outside any section", key);
		if (!new_section(px, section))
			return 0;
	}
	if (v[0] == '\0')
		FAIL("%s: empty value", key);
	return set_key(px, section, key, v);
}

static void
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	TAILQ_INIT(&c->links);
	TAILQ_INIT(&c->cores);
	strcpy(c->name, "gatewayd");
	strcpy(c->state_dir, "/var/lib/gatewayd");
	strcpy(c->control, "/run/gatewayd/control.sock");
	c->dedup_us = 60000000;
	c->dedup_max = 200000;
	c->log_rate = LOG_RATE_DEFAULT;
	c->standin_mode = STANDIN_AUTO;
	c->standin_max_age_s = 24 * 3600;
	c->standin_keep_s = 35 * 86400;
	c->standin_store_size = STANDIN_STORE_SIZE_DEFAULT;
}

/* [Pair]: both ends named, the peer not ourselves, an address each way. */
static int
pair_check(const struct config *c, char *err, size_t errsz)
{
	const struct cfg_core *k = c->pair;
	const char *why = NULL;

	if (k->peer[0] == '\0')
		why = "Peer is required";
	else if (strcmp(k->peer, c->name) == 0)
		why = "Peer is this appliance's own [Gateway] Name";
	else if (strcmp(c->name, "gatewayd") == 0)
		why = "[Gateway] Name is required (unique per appliance)";
	else if (k->addr.len == 0)
		why = "Address is required (the peer's pair link)";
	else if (!k->has_bind)
		why = "Bind is required (where the peer sends to)";
	else if (k->nkeyfiles == 0)
		why = "KeyFile is required";
	else if (c->durability == DURABILITY_NONE)
		why = "needs a store to keep the peer's advices and the share "
		    "(Durability = none has none)";
	if (why == NULL)
		return 0;
	snprintf(err, errsz, "%s:%d: [Pair]: %s", c->file, k->line, why);
	return -1;
}

/* Whole-config checks that no single key can make. */
static int
config_check(struct config *c, char *err, size_t errsz)
{
	struct cfg_link *l;
	struct cfg_core *k;
	char m[200];
	int line;

	TAILQ_FOREACH(l, &c->links, entry) {
		if (l->mode == -1) {
			snprintf(err, errsz, "%s:%d: [Link %s]: Listen or "
			    "Connect is required", c->file, l->line, l->name);
			return -1;
		}
		if (l->profile[0] == '\0') {
			snprintf(err, errsz, "%s:%d: [Link %s]: Profile or "
			    "ProfileFile is required", c->file, l->line,
			    l->name);
			return -1;
		}
		if (l->reserve_us >= l->deadline_us) {
			snprintf(err, errsz, "%s:%d: [Link %s]: StandInReserve "
			    "must be less than Deadline", c->file, l->line,
			    l->name);
			return -1;
		}
		if (l->mode == LINK_LISTEN && l->nallow == 0 &&
		    !l->allow_any) {
			snprintf(err, errsz, "%s:%d: [Link %s]: AllowFrom is "
			    "required on a Listen link (AllowFrom = any to "
			    "accept every address)", c->file, l->line, l->name);
			return -1;
		}
		if ((l->nallow > 0 || l->allow_any) &&
		    l->mode == LINK_CONNECT) {
			snprintf(err, errsz, "%s:%d: [Link %s]: AllowFrom is "
			    "for Listen links", c->file, l->line, l->name);
			return -1;
		}
	}
	TAILQ_FOREACH(k, &c->cores, entry) {
		if (k->addr.len == 0) {
			snprintf(err, errsz, "%s:%d: [Core %s]: Address is "
			    "required", c->file, k->line, k->name);
			return -1;
		}
		if (k->nkeyfiles == 0) {
			snprintf(err, errsz, "%s:%d: [Core %s]: KeyFile is "
			    "required", c->file, k->line, k->name);
			return -1;
		}
	}
	if (c->pair != NULL && pair_check(c, err, errsz) == -1)
		return -1;
	if (range_table_check(&c->ranges, &line, m, sizeof m) == -1) {
		/* m names the range; file and line go first, as for a key */
		snprintf(err, errsz, "%s:%d: %s", c->file, line, m);
		return -1;
	}
	if (c->durability == DURABILITY_FULL && c->state_key[0] == '\0') {
		snprintf(err, errsz, "%s: [Gateway]: StateKeyFile is required "
		    "(Durability = none runs without a store, for a lab)",
		    c->file);
		return -1;
	}
	return 0;
}

static struct config *
finish(struct config *c, struct pctx *px, int rv, char *err, size_t errsz)
{
	if (rv == -1) {
		snprintf(err, errsz, "%s: %s", c->file, strerror(errno));
		config_free(c);
		return NULL;
	}
	if (rv == -2) {
		snprintf(err, errsz, "%s: out of memory", c->file);
		config_free(c);
		return NULL;
	}
	if (rv > 0 || px->failed) {
		/* rv is the line of the first refused key; a syntax error
		 * (no '=' or unclosed '[') has no message of ours. */
		snprintf(err, errsz, "%s:%d: %s", c->file,
		    px->failed ? px->fail_line : rv,
		    px->failed ? px->err : "syntax error");
		config_free(c);
		return NULL;
	}
	if (config_check(c, err, errsz) == -1) {
		config_free(c);
		return NULL;
	}
	return c;
}

/*
 * Our own line reader, so the handler knows the exact line it is on:
 * inih only reports the line of the first error, not of each key.
 */
static char *
reader(char *buf, int size, void *stream)
{
	struct pctx *px = stream;
	const char *nl, *p;
	size_t n;

	if (px->fp != NULL) {
		if (fgets(buf, size, px->fp) == NULL)
			return NULL;
	} else {
		if (px->str == NULL || *px->str == '\0')
			return NULL;
		nl = strchr(px->str, '\n');
		n = nl ? (size_t)(nl - px->str) + 1 : strlen(px->str);
		if (n > (size_t)size - 1)
			n = (size_t)size - 1;
		memcpy(buf, px->str, n);
		buf[n] = '\0';
		px->str += n;
	}
	/* a line longer than the buffer continues on the next call */
	n = strlen(buf);
	if (!px->partial)
		px->line++;
	px->partial = n > 0 && buf[n - 1] != '\n';
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '[') {
		px->sect_line = px->line;
		px->sect_seen++;
	}
	return buf;
}

/* Reads the lines of fp, or else of str, into a new config named name. */
static struct config *
parse(const char *name, FILE *fp, const char *str, int nokeys, char *err,
    size_t errsz)
{
	struct config *c;
	struct pctx px;
	int rv;

	if (sodium_init() < 0 || (c = malloc(sizeof *c)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	config_init(c);
	snprintf(c->file, sizeof c->file, "%s", name);
	memset(&px, 0, sizeof px);
	px.c = c;
	px.nokeys = nokeys;
	px.fp = fp;
	px.str = str;
	rv = ini_parse_stream(reader, &px, handler, &px);
	return finish(c, &px, rv, err, errsz);
}

struct config *
config_load(const char *path, int nokeys, char *err, size_t errsz)
{
	struct config *c;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	c = parse(path, fp, NULL, nokeys, err, errsz);
	fclose(fp);
	return c;
}

struct config *
config_parse_string(const char *text, const char *name, int nokeys,
    char *err, size_t errsz)
{
	return parse(name, NULL, text, nokeys, err, errsz);
}

void
config_free(struct config *c)
{
	struct cfg_link *l;
	struct cfg_core *k;

	if (c == NULL)
		return;
	while ((l = TAILQ_FIRST(&c->links)) != NULL) {
		TAILQ_REMOVE(&c->links, l, entry);
		free(l);
	}
	while ((k = TAILQ_FIRST(&c->cores)) != NULL) {
		TAILQ_REMOVE(&c->cores, k, entry);
		seal_keyring_clear(&k->keys);
		sodium_free(k);
	}
	if (c->pair != NULL) {
		seal_keyring_clear(&c->pair->keys);
		sodium_free(c->pair);
	}
	free(c);
}

int
config_control_gid(const struct config *c, gid_t *gid, char *err,
    size_t errsz)
{
	struct group *g;

	*gid = (gid_t)-1;
	if (c->control_group[0] == '\0')
		return 0;
	if ((g = getgrnam(c->control_group)) == NULL) {
		snprintf(err, errsz, "%s: ControlGroup: no group named %s",
		    c->file, c->control_group);
		return -1;
	}
	*gid = g->gr_gid;
	return 0;
}

struct cfg_link *
config_link(const struct config *c, const char *name)
{
	struct cfg_link *l;

	TAILQ_FOREACH(l, &c->links, entry)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

struct cfg_core *
config_core(const struct config *c, const char *name)
{
	struct cfg_core *k;

	TAILQ_FOREACH(k, &c->cores, entry)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

int
config_link_same(const struct cfg_link *a, const struct cfg_link *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->profile, b->profile) == 0 && a->mode == b->mode &&
	    strcmp(a->addr.text, b->addr.text) == 0 &&
	    a->nallow == b->nallow &&
	    memcmp(a->allow, b->allow, sizeof a->allow[0] * (size_t)a->nallow)
	    == 0 && a->framing == b->framing && a->maxframe == b->maxframe &&
	    a->deadline_us == b->deadline_us && a->reserve_us == b->reserve_us &&
	    a->echo_us == b->echo_us && a->out_timeout_us == b->out_timeout_us &&
	    a->out_repeats == b->out_repeats &&
	    a->connections == b->connections && a->max_conns == b->max_conns &&
	    a->allow_any == b->allow_any &&
	    a->first_frame_us == b->first_frame_us &&
	    a->frame_us == b->frame_us && a->echo_misses == b->echo_misses &&
	    a->output_cap == b->output_cap && a->stall_us == b->stall_us &&
	    a->max_inflight == b->max_inflight && a->sign_on == b->sign_on &&
	    a->mac == b->mac &&
	    strcmp(a->zmk_file, b->zmk_file) == 0 &&
	    strcmp(a->zmk, b->zmk) == 0 &&
	    strcmp(a->zpk_file, b->zpk_file) == 0 &&
	    strcmp(a->zpk, b->zpk) == 0 &&
	    strcmp(a->profile_file, b->profile_file) == 0 &&
	    a->frame_hdrlen == b->frame_hdrlen &&
	    memcmp(a->frame_hdr, b->frame_hdr, sizeof a->frame_hdr) == 0 &&
	    memcmp(a->profile_digest, b->profile_digest,
	    sizeof a->profile_digest) == 0;
}

int
config_core_same(const struct cfg_core *a, const struct cfg_core *b)
{
	int i;

	if (strcmp(a->name, b->name) != 0 ||
	    strcmp(a->addr.text, b->addr.text) != 0 ||
	    a->has_bind != b->has_bind ||
	    (a->has_bind && strcmp(a->bind.text, b->bind.text) != 0) ||
	    a->priority != b->priority || a->hb_us != b->hb_us ||
	    a->misses != b->misses || a->recover != b->recover ||
	    a->fresh_us != b->fresh_us ||
	    a->pair != b->pair || strcmp(a->peer, b->peer) != 0 ||
	    a->share != b->share || a->takeover_us != b->takeover_us ||
	    a->keys.n != b->keys.n)
		return 0;
	for (i = 0; i < a->keys.n; i++)
		if (a->keys.k[i].id != b->keys.k[i].id)
			return 0;
	return 1;
}

void
config_print(const struct config *c, FILE *f)
{
	const struct cfg_link *l;
	const struct cfg_core *k;
	int i;

	fprintf(f, "[Gateway]\n");
	cfg_keys_print(f, SECT_GATEWAY, c);
	TAILQ_FOREACH(l, &c->links, entry) {
		fprintf(f, "\n[Link %s]\n", l->name);
		cfg_keys_print(f, SECT_LINK, l);
	}
	TAILQ_FOREACH(k, &c->cores, entry) {
		fprintf(f, "\n[Core %s]\n", k->name);
		cfg_keys_print(f, SECT_CORE, k);
	}
	if (c->pair != NULL) {
		fprintf(f, "\n[Pair]\n");
		cfg_keys_print(f, SECT_PAIR, c->pair);
	}
	fprintf(f, "\n[StandIn]\n");
	cfg_keys_print(f, SECT_STANDIN, c);
	for (i = 0; i < c->ranges.n; i++) {
		fputc('\n', f);
		range_print(f, &c->ranges.r[i]);
	}
}
