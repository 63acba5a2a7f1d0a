/*
 * rules.c — the simulated core's decision rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/rules.h"
#include "scheme-sim/schememsg.h"
#include "tunnel/tlv.h"

void
sim_rules_init(struct sim_rules *r)
{
	memset(r, 0, sizeof *r);
	r->mark = 'C';
}

static int
is_pan(const char *s)
{
	size_t n = strlen(s);

	return n >= 12 && n <= 19 && dec_valid(s, n);
}

static int
add_pan(struct sim_rules *r, const char *pan)
{
	char **nv;

	if ((nv = reallocarray(r->pans, r->npans + 1, sizeof *nv)) == NULL)
		return -1;
	r->pans = nv;
	if ((r->pans[r->npans] = strdup(pan)) == NULL)
		return -1;
	r->npans++;
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A line of a PAN list: its first word, if any, is a PAN. */
static int
pan_line(void *arg, char *line, char *why, size_t whysz)
{
	char *p = line + strspn(line, " \t");

	p[strcspn(p, " \t\r\n,")] = '\0';
	if (*p == '\0')
		return 0;
	if (!is_pan(p)) {
		snprintf(why, whysz, "not a PAN (12 to 19 digits)");
		return -1;
	}
	if (add_pan(arg, p) == -1) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	return 0;
}

int
sim_rules_add_pans(struct sim_rules *r, const char *arg, char *err,
    size_t errsz)
{
	if (is_pan(arg)) {
		if (add_pan(r, arg) == -1) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
	} else if (sim_parse_list(arg, pan_line, r, err, errsz) == -1)
		return -1;
	qsort(r->pans, r->npans, sizeof *r->pans, cmp);
	return 0;
}

void
sim_rules_free(struct sim_rules *r)
{
	size_t i;

	for (i = 0; i < r->npans; i++)
		free(r->pans[i]);
	free(r->pans);
	r->pans = NULL;
	r->npans = 0;
}

/* pan: NULL if absent; amount_ok: DE4 present and numeric. */
static int
decide(struct sim_rules *r, const char *req_mti, const char *pan,
    int amount_ok, uint64_t amount, char rc[3], char de38[7])
{
	char mti[5];
	const char *key = pan;

	de38[0] = '\0';
	if (iso_mti_response(req_mti, mti) == -1)	/* not a request */
		return -1;
	if (r->force_rc != NULL) {
		memcpy(rc, r->force_rc, 3);
		return 0;
	}
	/* Advices (x2x) cannot be declined; reversals (04xx) always
	 * succeed at the core. */
	if (req_mti[2] == '2' || req_mti[1] == '4') {
		memcpy(rc, "00", 3);
		return 0;
	}
	if (r->npans > 0 && pan != NULL &&
	    bsearch(&key, r->pans, r->npans, sizeof *r->pans, cmp) != NULL) {
		memcpy(rc, "05", 3);
		return 0;
	}
	if (r->decline_over && amount_ok && amount > r->decline_over) {
		memcpy(rc, "51", 3);
		return 0;
	}
	memcpy(rc, "00", 3);
	r->approvals++;
	snprintf(de38, 7, "%c%05llu", r->mark,
	    (unsigned long long)(r->approvals % 100000));
	return 0;
}

int
sim_rules_decide(struct sim_rules *r, const struct iso_msg *req, char rc[3],
    char de38[7])
{
	char pan[24];
	uint64_t amount = 0;
	int have_pan, amount_ok;

	have_pan = iso_get_str(req, 2, pan, sizeof pan) == 0;
	amount_ok = sim_get_u64(req, 4, &amount) == 0;
	return decide(r, req->mti, have_pan ? pan : NULL, amount_ok, amount,
	    rc, de38);
}

int
sim_rules_decide_tlv(struct sim_rules *r, const uint8_t *body, size_t len,
    const char *mti, char rc[3], char de38[7])
{
	char pan[24], num[24];
	uint64_t amount = 0;
	int have_pan, amount_ok;

	have_pan = tlv_find_str(body, len, 2, pan, sizeof pan) == 0;
	amount_ok = tlv_find_str(body, len, 4, num, sizeof num) == 0 &&
	    sim_parse_dec(num, strlen(num), &amount) == 0;
	return decide(r, mti, have_pan ? pan : NULL, amount_ok, amount, rc,
	    de38);
}

int
sim_core_answer(struct sim_rules *r, const struct iso_msg *req,
    struct iso_msg *resp)
{
	char rc[3], de38[7];

	if (strcmp(req->mti, "0800") == 0)
		return sim_answer_build(req, "00", resp) == 0 ? 1 : -1;
	if (sim_rules_decide(r, req, rc, de38) == -1 ||
	    sim_answer_build(req, rc, resp) == -1 ||
	    (de38[0] && iso_set_str(resp, 38, de38) == -1))
		return -1;
	return 0;
}
