/*
 * advrec.c — advice records as JSON lines.  Values come off the wire, so
 * every string is escaped; the PAN goes through mask_pan and nothing
 * sensitive (track data, PIN block, DE55) is written at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "iso8583/mask.h"
#include "scheme-sim/advrec.h"
#include "scheme-sim/parse.h"
#include "tunnel/tlv.h"

int
sim_advrec_open(struct sim_advrec *r, const char *path)
{
	memset(r, 0, sizeof *r);
	r->cap = 1024;
	if ((r->ids = calloc(r->cap, sizeof *r->ids)) == NULL)
		return -1;
	if (path != NULL && (r->f = fopen(path, "a")) == NULL) {
		log_warn("event=record_open_failed path=%s", path);
		free(r->ids);
		r->ids = NULL;
		return -1;
	}
	return 0;
}

void
sim_advrec_close(struct sim_advrec *r)
{
	if (r->f)
		fclose(r->f);
	free(r->ids);
	memset(r, 0, sizeof *r);
}

void
sim_advrec_flush(struct sim_advrec *r)
{
	if (r->f)
		fflush(r->f);
}

static size_t
slot(uint64_t id, size_t cap)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static int
grow(struct sim_advrec *r)
{
	uint64_t *old = r->ids, *nv;
	size_t oldcap = r->cap, i, j;

	if ((nv = calloc(oldcap * 2, sizeof *nv)) == NULL)
		return -1;
	r->ids = nv;
	r->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i] != 0) {
			for (j = slot(old[i], r->cap); nv[j] != 0;
			    j = (j + 1) & (r->cap - 1))
				;
			nv[j] = old[i];
		}
	free(old);
	return 0;
}

int
sim_advrec_seen(struct sim_advrec *r, uint64_t id)
{
	size_t j;

	if (id == 0) {
		if (r->has_zero)
			goto dup;
		r->has_zero = 1;
		r->unique++;
		return 1;
	}
	if ((r->n + 1) * 2 > r->cap && grow(r) == -1)
		return -1;
	for (j = slot(id, r->cap); r->ids[j] != 0; j = (j + 1) & (r->cap - 1))
		if (r->ids[j] == id)
			goto dup;
	r->ids[j] = id;
	r->n++;
	r->unique++;
	return 1;
dup:
	r->dups++;
	return 0;
}

static void
json_str(FILE *f, const uint8_t *v, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		if (v[i] == '"' || v[i] == '\\')
			fprintf(f, "\\%c", v[i]);
		else if (v[i] < 0x20 || v[i] >= 0x7f)
			fprintf(f, "\\u%04x", v[i]);
		else
			fputc(v[i], f);
	}
	fputc('"', f);
}

static void
field(FILE *f, const char *name, const uint8_t *body, size_t len, uint16_t tag)
{
	const uint8_t *v;
	uint16_t vl;

	if (tlv_find(body, len, tag, &v, &vl) != 1)
		return;
	fprintf(f, ",\"%s\":", name);
	json_str(f, v, vl);
}

void
sim_advrec_write(struct sim_advrec *r, const char *kind, uint64_t corr_id,
    int dup, const uint8_t *body, size_t len, uint64_t extra_us)
{
	const uint8_t *v;
	uint16_t vl;
	char pan[24], masked[32];

	if (r->f == NULL)
		return;
	fprintf(r->f, "{\"ts_us\":%llu,\"kind\":\"%s\",\"corr_id\":%llu",
	    (unsigned long long)sim_wall_us(), kind,
	    (unsigned long long)corr_id);
	if (strcmp(kind, "advice") == 0)
		fprintf(r->f, ",\"advice_id\":%llu,\"dup\":%s",
		    (unsigned long long)corr_id, dup ? "true" : "false");
	else
		fprintf(r->f, ",\"latency_us\":%llu",
		    (unsigned long long)extra_us);
	field(r->f, "advice_id_tag", body, len, TLV_ADVICE_ID);
	field(r->f, "link", body, len, TLV_LINK);
	field(r->f, "gateway", body, len, TLV_GATEWAY);
	field(r->f, "mti", body, len, TLV_MTI);
	if (tlv_find(body, len, 2, &v, &vl) == 1 && vl < sizeof pan) {
		memcpy(pan, v, vl);
		pan[vl] = '\0';
		mask_pan(pan, vl, masked, sizeof masked);
		fprintf(r->f, ",\"pan\":");
		json_str(r->f, (const uint8_t *)masked, strlen(masked));
	}
	field(r->f, "amount", body, len, 4);
	field(r->f, "currency", body, len, 49);
	field(r->f, "de7", body, len, 7);
	field(r->f, "stan", body, len, 11);
	field(r->f, "rrn", body, len, 37);
	field(r->f, "acquirer", body, len, 32);
	field(r->f, "de38", body, len, 38);
	field(r->f, "de39", body, len, 39);
	field(r->f, "standin_de39", body, len, TLV_STANDIN_DE39);
	field(r->f, "standin_reason", body, len, TLV_STANDIN_REASON);
	field(r->f, "recv_time_us", body, len, TLV_RECV_TIME);
	fputs("}\n", r->f);
}
