/*
 * schememsg.c — request building and response checking.  The values of
 * the echoed fields are computed by one function (req_value) both when a
 * request is built and when its response is checked, so the two can
 * never disagree about what was sent; the request itself is not kept.
 * Numbers are formatted by hand: this runs 50,000 times a second.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iso8583/emv.h"
#include "iso8583/iso8583.h"
#include "iso8583/mti.h"
#include "scheme-sim/parse.h"
#include "scheme-sim/mchip.h"
#include "scheme-sim/schememsg.h"

/* Zero-padded decimal of exactly width digits (the low ones). */
static void
fmt_u(char *out, int width, uint64_t v)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[width] = '\0';
}

void
sim_clock_update(struct sim_clock *c, uint64_t wall_us)
{
	time_t t = (time_t)(wall_us / 1000000u);
	struct tm g, l;

	if ((uint64_t)t == c->sec && c->de7[0] != '\0')
		return;
	c->sec = (uint64_t)t;
	gmtime_r(&t, &g);
	localtime_r(&t, &l);
	fmt_u(c->de7, 2, (uint64_t)g.tm_mon + 1);
	fmt_u(c->de7 + 2, 2, (uint64_t)g.tm_mday);
	fmt_u(c->de7 + 4, 2, (uint64_t)g.tm_hour);
	fmt_u(c->de7 + 6, 2, (uint64_t)g.tm_min);
	fmt_u(c->de7 + 8, 2, (uint64_t)g.tm_sec);
	fmt_u(c->de12, 2, (uint64_t)l.tm_hour);
	fmt_u(c->de12 + 2, 2, (uint64_t)l.tm_min);
	fmt_u(c->de12 + 4, 2, (uint64_t)l.tm_sec);
	fmt_u(c->de13, 2, (uint64_t)l.tm_mon + 1);
	fmt_u(c->de13 + 2, 2, (uint64_t)l.tm_mday);
}

void
sim_req_prepare(const struct sim_reqspec *rs, const struct sim_clock *clk,
    uint64_t seq, const char *mti, int conn, struct sim_pending *p)
{
	const struct sim_card *card;

	p->card = (uint32_t)(seq % rs->cards->n);
	card = &rs->cards->v[p->card];
	p->amount = card->amount ? card->amount :
	    rs->amount + rs->amount_step * (seq % 10);
	p->conn = conn;
	memcpy(p->de7, clk->de7, sizeof p->de7);
	memcpy(p->de12, clk->de12, sizeof p->de12);
	memcpy(p->de13, clk->de13, sizeof p->de13);
	memcpy(p->mti, mti, 5);
}

/*
 * The value of an echoed field of request seq, fitted to the profile's
 * fixed length (numbers zero-padded on the left, text space-padded on the
 * right).  Returns the length, or -1 if the request does not carry it.
 */
static int
req_value(const struct sim_reqspec *rs, const struct sim_pending *p,
    uint64_t seq, int f, char *out, size_t cap)
{
	const struct iso_fdef *d = iso_fdef(rs->prof, f);
	const char *s = NULL;
	char tmp[32];
	size_t len, max;

	switch (f) {
	case 2:
		s = rs->cards->v[p->card].pan;
		break;
	case 3:
		s = rs->de3;
		break;
	case 4:
		fmt_u(tmp, 12, p->amount);
		s = tmp;
		break;
	case 7:
		s = p->de7;
		break;
	case 11:
		fmt_u(tmp, 6, sim_stan(seq));
		s = tmp;
		break;
	case 12:
		s = p->de12;
		break;
	case 13:
		s = p->de13;
		break;
	case 14:
		s = rs->cards->v[p->card].exp;
		break;
	case 18:
		s = rs->de18;
		break;
	case 22:
		s = sim_req_de22(rs, seq);
		break;
	case 32:
		s = rs->de32;
		break;
	case 37:
		memcpy(tmp, rs->rrn_prefix, 4);
		fmt_u(tmp + 4, 8, seq);
		s = tmp;
		break;
	case 41:
		memcpy(tmp, "SIMT", 4);
		fmt_u(tmp + 4, 4, (uint64_t)p->conn);
		s = tmp;
		break;
	case 42:
		s = rs->de42;
		break;
	case 49:
		s = rs->de49;
		break;
	default:
		return -1;
	}
	if (d == NULL)
		return -1;
	len = strlen(s);
	max = d->max;
	if (d->form != ISO_FIXED || len == max) {
		if (len >= cap)
			return -1;
		memcpy(out, s, len + 1);
		return (int)len;
	}
	if (max >= cap)
		return -1;
	if (len > max) {
		/* Numbers keep their low digits, text its start. */
		if (d->cls == ISO_N)
			memcpy(out, s + (len - max), max);
		else
			memcpy(out, s, max);
	} else if (d->cls == ISO_N) {
		memset(out, '0', max - len);
		memcpy(out + (max - len), s, len);
	} else {
		memcpy(out, s, len);
		memset(out + len, ' ', max - len);
	}
	out[max] = '\0';
	return (int)max;
}

static int
put(const struct sim_reqspec *rs, const struct sim_pending *p, uint64_t seq,
    int f, struct iso_msg *m)
{
	char v[64];
	int n;

	if ((n = req_value(rs, p, seq, f, v, sizeof v)) < 0)
		return -1;
	return iso_set(m, f, v, (size_t)n);
}

/* DE55 as a chip card would send it: enough EMV tags that a core or a
 * stand-in has something real-looking to read; the cryptogram is noise. */
static int
put_emv(const struct sim_pending *p, uint64_t seq, struct iso_msg *m)
{
	uint8_t b[160], v[8];
	size_t n = 0;
	ssize_t k;
	uint64_t x = seq * 0x9E3779B97F4A7C15ull;
	int i;

#define EMV(tag, val, len) do {						\
	k = emv_put(b + n, sizeof b - n, (tag), (val), (len));		\
	if (k < 0)							\
		return -1;						\
	n += (size_t)k;							\
} while (0)
	for (i = 0; i < 8; i++)
		v[i] = (uint8_t)(x >> (8 * i));
	EMV(0x9F26, v, 8);				/* ARQC */
	EMV(0x9F27, "\x80", 1);
	EMV(0x9F10, "\x01\x10\xA0\x40\x03\x22\x00\x00", 8);
	EMV(0x9F37, v + 2, 4);				/* unpredictable no. */
	v[0] = (uint8_t)(seq >> 8);
	v[1] = (uint8_t)seq;
	EMV(0x9F36, v, 2);				/* ATC */
	EMV(0x95, "\x00\x00\x00\x80\x00", 5);
	EMV(0x9A, "\x25\x01\x01", 3);
	EMV(0x9C, "\x00", 1);
	sim_amount_bcd(p->amount, v);
	EMV(0x9F02, v, 6);
	EMV(0x5F2A, "\x08\x26", 2);
	EMV(0x82, "\x19\x80", 2);
	EMV(0x9F1A, "\x08\x26", 2);
	EMV(0x9F33, "\xE0\x08\xC8", 3);
#undef EMV
	return iso_set(m, 55, b, n);
}

int
sim_req_build(const struct sim_reqspec *rs, const struct sim_pending *p,
    uint64_t seq, struct iso_msg *m)
{
	static const int fields[] = { 2, 3, 4, 7, 11, 12, 13, 14, 18, 22, 32,
	    37, 41, 42, 49 };
	size_t i;

	iso_msg_init(m, p->mti);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (put(rs, p, seq, fields[i], m) == -1)
			return -1;
	if (rs->vcards != NULL)
		return sim_req_vdata(rs, p, seq, m);
	if (rs->emv && put_emv(p, seq, m) == -1)
		return -1;
	if (rs->cards->v[p->card].cvc2[0] != '\0') {
		char de48[16];
		int n = snprintf(de48, sizeof de48, "R92%02zu%s",
		    strlen(rs->cards->v[p->card].cvc2),
		    rs->cards->v[p->card].cvc2);
		if (iso_set(m, 48, de48, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

int
sim_resp_check(const struct sim_reqspec *rs, const struct sim_pending *p,
    uint64_t seq, const struct iso_msg *resp, int *bad)
{
	char want[5], v[64];
	const uint8_t *got;
	const int *echo;
	size_t i, glen, necho;
	int n, f;

	if (iso_mti_response(p->mti, want) == -1 ||
	    strcmp(resp->mti, want) != 0) {
		*bad = 0;
		return -1;
	}
	echo = iso_echo_fields(p->mti, &necho);
	for (i = 0; i < necho; i++) {
		f = echo[i];
		if ((n = req_value(rs, p, seq, f, v, sizeof v)) < 0)
			continue;	/* not in this request */
		got = iso_get(resp, f, &glen);
		if (got == NULL || glen != (size_t)n || memcmp(got, v, glen)) {
			*bad = f;
			return -1;
		}
	}
	return 0;
}

int
sim_netmgmt_build(const struct sim_reqspec *rs, const struct sim_clock *clk,
    uint32_t stan, const char *code, struct iso_msg *m)
{
	char s[8];

	(void)rs;
	fmt_u(s, 6, stan);
	iso_msg_init(m, "0800");
	if (iso_set_str(m, 7, clk->de7) == -1 || iso_set_str(m, 11, s) == -1 ||
	    iso_set_str(m, 70, code) == -1)
		return -1;
	return 0;
}

int
sim_answer_build(const struct iso_msg *req, const char *rc,
    struct iso_msg *resp)
{
	/* Sensitive or request-only data never goes back. */
	static const int skip[] = { 35, 36, 45, 52, 55, 64, 96, 128, 39 };
	char mti[5];
	size_t i;
	int f, drop;

	if (iso_mti_response(req->mti, mti) == -1)
		return -1;
	iso_msg_init(resp, mti);
	for (f = iso_next(req, 0); f != 0; f = iso_next(req, f)) {
		drop = 0;
		for (i = 0; i < sizeof skip / sizeof skip[0]; i++)
			if (skip[i] == f)
				drop = 1;
		if (!drop && iso_copy_field(resp, req, f) == -1)
			return -1;
	}
	return iso_set_str(resp, 39, rc);
}

int
sim_get_u64(const struct iso_msg *m, int field, uint64_t *out)
{
	const uint8_t *v;
	size_t len;

	if ((v = iso_get(m, field, &len)) == NULL)
		return -1;
	return sim_parse_dec(v, len, out);
}
