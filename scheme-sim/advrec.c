/*
 * advrec.c — advice records as JSON lines.  Values come off the wire and
 * are written as jansson escapes them; the PAN goes through mask_pan and
 * nothing sensitive (track data, PIN block, DE55) is written at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "iso8583/mask.h"
#include "scheme-sim/advrec.h"
#include "scheme-sim/jsonout.h"
#include "scheme-sim/parse.h"
#include "tunnel/tlv.h"

/* Issue 13's stand-in metadata; tunnel/tlv.h names them once the
 * gateway side lands, with these values. */
#ifndef TLV_STANDIN_STEP
#define TLV_STANDIN_STEP	0x100A	/* the decision step, "0".."7" */
#endif
#ifndef TLV_STANDIN_RANGE
#define TLV_STANDIN_RANGE	0x100B	/* the parameter table's name */
#endif
#ifndef TLV_STANDIN_RELEASED
#define TLV_STANDIN_RELEASED	0x100C	/* a reversal's release, decimal */
#endif

int
sim_advrec_open(struct sim_advrec *r, const char *path)
{
	memset(r, 0, sizeof *r);
	r->cap = 1024;
	if ((r->slots = calloc(r->cap, sizeof *r->slots)) == NULL)
		return -1;
	if (path != NULL && (r->f = fopen(path, "a")) == NULL) {
		log_warn("event=record_open_failed path=%s", path);
		free(r->slots);
		r->slots = NULL;
		return -1;
	}
	return 0;
}

void
sim_advrec_close(struct sim_advrec *r)
{
	if (r->f)
		fclose(r->f);
	free(r->slots);
	memset(r, 0, sizeof *r);
}

void
sim_advrec_flush(struct sim_advrec *r)
{
	if (r->f)
		fflush(r->f);
}

int
sim_advrec_key(const uint8_t *body, size_t len, uint64_t corr_id,
    char gw[SIM_ADV_NAMELEN], uint64_t *id)
{
	const uint8_t *v;
	uint16_t vl;

	gw[0] = '\0';
	*id = corr_id;
	if (tlv_find(body, len, TLV_GATEWAY, &v, &vl) == 1 &&
	    tlv_find_str(body, len, TLV_GATEWAY, gw, SIM_ADV_NAMELEN) == -1)
		return -1;
	if (tlv_find(body, len, TLV_ADVICE_ID, &v, &vl) == 1 &&
	    tlv_find_u64(body, len, TLV_ADVICE_ID, id) == -1)
		return -1;
	return 0;
}

static size_t
slot(uint32_t gw, uint64_t id, size_t cap)
{
	uint64_t h = (id ^ ((uint64_t)gw << 56)) * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 17) & (cap - 1);
}

static int
grow(struct sim_advrec *r)
{
	struct sim_advslot *old = r->slots, *nv;
	size_t oldcap = r->cap, i, j;

	if ((nv = calloc(oldcap * 2, sizeof *nv)) == NULL)
		return -1;
	r->slots = nv;
	r->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].used) {
			for (j = slot(old[i].gw, old[i].id, r->cap);
			    nv[j].used; j = (j + 1) & (r->cap - 1))
				;
			nv[j] = old[i];
		}
	free(old);
	return 0;
}

/* The gateway name's index, taken on first sight; -1 when all are. */
static int
name_index(struct sim_advrec *r, const char *gw)
{
	int i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], gw) == 0)
			return i;
	if (r->nnames == SIM_ADV_NAMES)
		return -1;
	snprintf(r->names[i], sizeof r->names[i], "%s", gw);
	return r->nnames++;
}

int
sim_advrec_seen(struct sim_advrec *r, const char *gw, uint64_t id)
{
	size_t j;
	int g;

	if ((g = name_index(r, gw)) == -1 ||
	    ((r->n + 1) * 2 > r->cap && grow(r) == -1)) {
		r->unique++;
		if (r->undetected++ == 0)
			log_warnx("event=advice_dedup_unchecked gateways=%d "
			    "reason=\"no room: repeats from here on are not "
			    "told apart (advice_undetected in the report)\"",
			    r->nnames);
		return -1;
	}
	for (j = slot((uint32_t)g, id, r->cap); r->slots[j].used;
	    j = (j + 1) & (r->cap - 1))
		if (r->slots[j].id == id && r->slots[j].gw == (uint32_t)g) {
			r->dups++;
			return 0;
		}
	r->slots[j].id = id;
	r->slots[j].gw = (uint32_t)g;
	r->slots[j].used = 1;
	r->n++;
	r->unique++;
	return 1;
}

/* What a record carries of the frame's message, by TLV tag, in order. */
static const struct {
	const char	*key;
	uint16_t	 tag;
} fields[] = {
	{ "advice_id_tag", TLV_ADVICE_ID },
	{ "link", TLV_LINK },
	{ "gateway", TLV_GATEWAY },
	{ "mti", TLV_MTI },
	{ "pan", 2 },			/* masked */
	{ "amount", 4 },
	{ "currency", 49 },
	{ "de7", 7 },
	{ "stan", 11 },
	{ "rrn", 37 },
	{ "acquirer", 32 },
	{ "de38", 38 },
	{ "de39", 39 },
	{ "standin_de39", TLV_STANDIN_DE39 },
	{ "standin_reason", TLV_STANDIN_REASON },
	{ "standin_step", TLV_STANDIN_STEP },
	{ "standin_range", TLV_STANDIN_RANGE },
	{ "standin_released", TLV_STANDIN_RELEASED },
	{ "recv_time_us", TLV_RECV_TIME },
};

/* The PAN only masked; a field the body lacks is left out.  0 / -1. */
static int
add_field(json_t *doc, const char *key, uint16_t tag, const uint8_t *body,
    size_t len)
{
	const uint8_t *v;
	uint16_t vl;
	char pan[24], masked[32];
	int rc;

	if (tlv_find(body, len, tag, &v, &vl) != 1)
		return 0;
	if (tag != 2)
		return json_object_set_new(doc, key, sim_json_bytes(v, vl));
	if (vl >= sizeof pan)
		return 0;
	memcpy(pan, v, vl);
	pan[vl] = '\0';
	mask_pan(pan, vl, masked, sizeof masked);
	sodium_memzero(pan, sizeof pan);
	rc = json_object_set_new(doc, key, json_string(masked));
	sodium_memzero(masked, sizeof masked);
	return rc;
}

/* Who made an advice and who delivered it; "gateway" is set after the
 * body's fields, so it is there ("") when the body has no 0x1007.  Names
 * come off the wire: written as the body's values are. */
static int
add_info(json_t *doc, const struct sim_advinfo *in)
{
	return json_object_set_new(doc, "gateway", sim_json_bytes(in->gateway,
	    strlen(in->gateway))) ||
	    json_object_set_new(doc, "from", json_string(in->from)) ||
	    json_object_set_new(doc, "delivered_by",
	    sim_json_bytes(in->delivered_by, strlen(in->delivered_by)));
}

void
sim_advrec_write(struct sim_advrec *r, const char *kind, uint64_t corr_id,
    int dup, const uint8_t *body, size_t len, uint64_t extra_us,
    const struct sim_advinfo *info)
{
	json_t *doc;
	size_t i;
	int err;

	if (r->f == NULL)
		return;
	doc = json_pack("{s:I, s:s, s:I}", "ts_us", (json_int_t)sim_wall_us(),
	    "kind", kind, "corr_id", (json_int_t)corr_id);
	err = doc == NULL;
	if (!err && info != NULL)
		err = sim_json_set_u64(doc, "advice_id", info->advice_id) ||
		    json_object_set_new(doc, "dup", json_boolean(dup));
	else if (!err)
		err = sim_json_set_u64(doc, "latency_us", extra_us);
	for (i = 0; !err && i < sizeof fields / sizeof fields[0]; i++)
		err = add_field(doc, fields[i].key, fields[i].tag, body, len);
	if (!err && info != NULL)
		err = add_info(doc, info);
	if (err) {
		json_decref(doc);
		doc = NULL;
	}
	if (sim_json_print(r->f, doc) == -1)
		log_warnx("event=record_failed kind=%s corr_id=%llu", kind,
		    (unsigned long long)corr_id);
}
