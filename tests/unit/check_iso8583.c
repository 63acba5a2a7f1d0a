/*
 * check_iso8583.c — the codec: profiles, field classes, length forms and
 * encodings, bitmaps to 192, errors, the real Mastercard sample, and a
 * property test (random valid messages survive pack then unpack).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/json.h"
#include "tests/unit/checkrun.h"

static uint8_t wire[16384];
static struct iso_msg m, m2;

static size_t
slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "open %s", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static const struct iso_profile *
prof(const char *name)
{
	const struct iso_profile *p = iso_profile_find(name);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void
assert_field(const struct iso_msg *a, int n, const char *want)
{
	char got[1024];

	ck_assert_msg(iso_get_str(a, n, got, sizeof got) == 0, "field %d absent", n);
	ck_assert_str_eq(got, want);
}

/* Fields equal in both messages, same set present. */
static void
assert_same(const struct iso_msg *a, const struct iso_msg *b)
{
	const uint8_t *va, *vb;
	size_t la, lb;
	int n;

	ck_assert_str_eq(a->mti, b->mti);
	for (n = 2; n <= ISO_NFIELDS; n++) {
		va = iso_get(a, n, &la);
		vb = iso_get(b, n, &lb);
		ck_assert_msg((va == NULL) == (vb == NULL), "field %d presence", n);
		if (va == NULL)
			continue;
		ck_assert_msg(la == lb && memcmp(va, vb, la) == 0,
		    "field %d differs", n);
	}
}

START_TEST(sample_mastercard)
{
	static char json[8192];
	const struct iso_profile *p = prof("mastercard");
	struct iso_err e;
	size_t n, jl;
	ssize_t w;
	char err[200];

	n = slurp("tests/data/mastercard-0100-a.bin", wire, sizeof wire);
	ck_assert_uint_eq(n, 427);
	ck_assert_int_eq(iso_unpack(p, &m, wire, n, &e), 0);
	ck_assert_str_eq(m.mti, "0100");
	assert_field(&m, 2, "5321405711399412");
	assert_field(&m, 35, "5321405711399412D23092011562000000495");
	assert_field(&m, 42, "990000031650   ");
	assert_field(&m, 48, "R230200610500001");
	/* The expected decode, read through the CLI's JSON reader. */
	jl = slurp("tests/data/mastercard-0100-a.json", (uint8_t *)json,
	    sizeof json - 1);
	ck_assert_int_eq(iso_json_read(p, json, jl, &m2, err, sizeof err), 0);
	assert_same(&m, &m2);
	/* Byte for byte back. */
	w = iso_pack(p, &m, wire + 8192, 8192, &e);
	ck_assert_int_eq(w, (ssize_t)n);
	ck_assert_mem_eq(wire + 8192, wire, n);
}
END_TEST

START_TEST(sample_cp037_differs_only_in_specials)
{
	const struct iso_profile *p500 = prof("mastercard"),
	    *p037 = prof("mastercard-cp037");
	struct iso_err e;
	size_t n = slurp("tests/data/mastercard-0100-a.bin", wire, sizeof wire);

	ck_assert_int_eq(iso_unpack(p037, &m2, wire, n, &e), 0);
	ck_assert_int_eq(iso_unpack(p500, &m, wire, n, &e), 0);
	assert_same(&m, &m2);	/* no ! [ ] ^ | in the sample */
	iso_msg_init(&m, "0800");
	iso_set_str(&m, 7, "1008053137");
	iso_set_str(&m, 11, "000001");
	iso_set_str(&m, 70, "301");
	iso_set_str(&m, 63, "A!B[C]D^E|F");
	ck_assert_int_gt(iso_pack(p037, &m, wire, sizeof wire, &e), 0);
	ck_assert_int_eq(iso_unpack(p037, &m2, wire, sizeof wire, &e), -1);
}
END_TEST

START_TEST(error_names_field_and_offset)
{
	const struct iso_profile *p = prof("iso87");
	struct iso_err e;
	/* 0100, bitmap with DE2 and DE35; DE35 says 41 (> 37). */
	uint8_t msg[128] = "0100";
	size_t o = 4;

	memcpy(msg + o, "\x40\x00\x00\x00\x20\x00\x00\x00", 8);
	o += 8;
	memcpy(msg + o, "164111111111111111", 18);
	o += 18;
	memcpy(msg + o, "41", 2);
	o += 2;
	memset(msg + o, '1', 41);
	o += 41;
	ck_assert_int_eq(iso_unpack(p, &m, msg, o, &e), -1);
	ck_assert_str_eq(e.msg, "field 35: length 41 exceeds maximum 37 at offset 30");
	ck_assert_int_eq(e.field, 35);
	ck_assert_uint_eq(e.offset, 30);
}
END_TEST

START_TEST(error_paths)
{
	const struct iso_profile *p = prof("iso87"), *mc = prof("mastercard"),
	    *hx = prof("iso87hex");
	struct iso_err e;

	/* MTI */
	ck_assert_int_eq(iso_unpack(p, &m, (const uint8_t *)"01", 2, &e), -1);
	ck_assert_int_eq(e.field, 0);
	ck_assert_int_eq(iso_unpack(p, &m, (const uint8_t *)"01A0\0\0\0\0\0\0\0\0",
	    12, &e), -1);
	ck_assert_str_eq(e.msg, "MTI: not 4 digits at offset 2");
	/* bitmap truncated */
	ck_assert_int_eq(iso_unpack(p, &m, (const uint8_t *)"0100\x20", 5, &e), -1);
	ck_assert_int_eq(e.field, -1);
	/* secondary bitmap truncated */
	ck_assert_int_eq(iso_unpack(p, &m,
	    (const uint8_t *)"0100\x80\0\0\0\0\0\0\0\0\0", 14, &e), -1);
	ck_assert_int_eq(e.field, 1);
	/* hex bitmap not hex */
	ck_assert_int_eq(iso_unpack(hx, &m,
	    (const uint8_t *)"0800G000000000000000", 20, &e), -1);
	/* DE3 n with a letter */
	ck_assert_int_eq(iso_unpack(p, &m,
	    (const uint8_t *)"0100\x20\0\0\0\0\0\0\0" "00A000", 18, &e), -1);
	ck_assert_int_eq(e.field, 3);
	ck_assert_uint_eq(e.offset, 14);
	/* length prefix with a space or sign */
	ck_assert_int_eq(iso_unpack(p, &m,
	    (const uint8_t *)"0100\x40\0\0\0\0\0\0\0" " 41234", 18, &e), -1);
	ck_assert_str_eq(e.msg, "field 2: length prefix is not a decimal length at offset 12");
	ck_assert_int_eq(iso_unpack(p, &m,
	    (const uint8_t *)"0100\x40\0\0\0\0\0\0\0" "+41234", 18, &e), -1);
	/* truncated value */
	ck_assert_int_eq(iso_unpack(p, &m,
	    (const uint8_t *)"0100\x40\0\0\0\0\0\0\0" "161234", 18, &e), -1);
	ck_assert_str_eq(e.msg, "field 2: truncated: needs 16 bytes, 4 left at offset 12");
	/* trailing bytes */
	ck_assert_int_eq(iso_unpack(p, &m,
	    (const uint8_t *)"0100\x20\0\0\0\0\0\0\0" "000000XX", 20, &e), -1);
	ck_assert_int_eq(e.field, -1);
	ck_assert_uint_eq(e.offset, 18);
	/* mastercard: empty LL field refused (prefixes run 01..99) */
	{
		uint8_t mm[] = { 0xF0, 0xF1, 0xF0, 0xF0, 0x40, 0, 0, 0, 0, 0, 0,
		    0, 0xF0, 0xF0 };
		ck_assert_int_eq(iso_unpack(mc, &m, mm, sizeof mm, &e), -1);
		ck_assert_int_eq(e.field, 2);
	}
	/* pack: fixed field of the wrong length, field 1 and 65 not settable */
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 3, "00000");
	ck_assert_int_eq(iso_pack(p, &m, wire, sizeof wire, &e), -1);
	ck_assert_int_eq(e.field, 3);
	ck_assert_int_eq(iso_validate(p, &m, &e), -1);
	ck_assert_int_eq(iso_set_str(&m, 1, "x"), -1);
	ck_assert_int_eq(iso_set_str(&m, 65, "x"), -1);
	ck_assert_int_eq(iso_set_str(&m, 193, "x"), -1);
	/* pack into a buffer too small */
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 3, "000000");
	ck_assert_int_eq(iso_pack(p, &m, wire, 15, &e), -1);
	ck_assert_int_eq(iso_pack(p, &m, wire, 18, &e), 18);
	/* bad MTI on pack */
	iso_msg_init(&m, "01X0");
	ck_assert_int_eq(iso_pack(p, &m, wire, sizeof wire, &e), -1);
	ck_assert_int_eq(e.field, 0);
}
END_TEST

/* Each class accepts its set and refuses the rest, on pack and unpack. */
START_TEST(field_classes)
{
	const struct iso_profile *p = prof("iso87");
	struct iso_err e;
	static const struct { int field; const char *val; int ok; } cases[] = {
		{ 3, "123456", 1 }, { 3, "12345A", 0 },
		{ 37, "ABC 123def45", 1 }, { 37, "ABC-123def45", 0 },	/* an */
		{ 41, "T-01 #/!", 1 }, { 41, "T-01\x01#/!", 0 },	/* ans */
		{ 34, "1234-5678", 1 }, { 34, "1234A", 0 },		/* ns */
		{ 35, "4111111111111111=2512", 1 },
		{ 35, "4111111111111111D2512", 1 },
		{ 35, "4111111111111111^2512", 0 },			/* z */
		{ 28, "C00001000", 1 }, { 28, "X00001000", 0 },
		{ 28, "C0000100A", 0 },					/* x+n */
		{ 48, "R\x00\x01\xff", 1 },				/* any */
	};
	size_t i;
	ssize_t w;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		iso_msg_init(&m, "0100");
		iso_set(&m, cases[i].field, cases[i].val,
		    cases[i].field == 48 ? 4 : strlen(cases[i].val));
		w = iso_pack(p, &m, wire, sizeof wire, &e);
		ck_assert_msg((w > 0) == cases[i].ok, "case %zu pack", i);
		if (!cases[i].ok) {
			ck_assert_int_eq(e.field, cases[i].field);
			continue;
		}
		ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), 0);
		assert_same(&m, &m2);
	}
}
END_TEST

/* Lengths as characters (ASCII and EBCDIC), BCD and binary; LL to LLLL. */
START_TEST(length_forms_and_encodings)
{
	static struct iso_profile t;
	static const uint8_t lenencs[] = { ISO_LEN_CHARS, ISO_LEN_BCD,
	    ISO_LEN_BIN };
	static const uint8_t charsets[] = { ISO_CS_ASCII, ISO_CS_EBCDIC500 };
	static const uint8_t forms[] = { ISO_LL, ISO_LLL, ISO_LLLL };
	static const size_t plen[3][3] = { { 2, 3, 4 }, { 1, 2, 2 }, { 1, 2, 2 } };
	struct iso_err e;
	char val[120];
	size_t li, ci, fi;
	ssize_t w;

	memset(val, 'x', sizeof val);
	for (li = 0; li < 3; li++)
		for (ci = 0; ci < 2; ci++)
			for (fi = 0; fi < 3; fi++) {
				t = *prof("iso87");
				t.lenenc = lenencs[li];
				t.charset = charsets[ci];
				t.f[104].form = forms[fi];
				t.f[104].max = 99;
				iso_msg_init(&m, "0100");
				iso_set(&m, 104, val, 57);
				w = iso_pack(&t, &m, wire, sizeof wire, &e);
				ck_assert_int_eq(w, 4 + 16 + (ssize_t)plen[li][fi] + 57);
				if (li == 1)	/* BCD 57 */
					ck_assert_uint_eq(wire[20 + plen[li][fi] - 1], 0x57);
				if (li == 2)
					ck_assert_uint_eq(wire[20 + plen[li][fi] - 1], 57);
				ck_assert_int_eq(iso_unpack(&t, &m2, wire, (size_t)w, &e), 0);
				assert_same(&m, &m2);
				/* one byte short is refused */
				ck_assert_int_eq(iso_unpack(&t, &m2, wire,
				    (size_t)w - 1, &e), -1);
				ck_assert_int_eq(e.field, 104);
			}
	/* BCD nibble above 9 */
	t = *prof("iso87");
	t.lenenc = ISO_LEN_BCD;
	ck_assert_int_eq(iso_unpack(&t, &m, (const uint8_t *)
	    "0100\x40\0\0\0\0\0\0\0\x1A", 13, &e), -1);
	ck_assert_int_eq(e.field, 2);
}
END_TEST

START_TEST(hex_profile)
{
	const struct iso_profile *p = prof("iso87hex");
	struct iso_err e;
	uint8_t pin[8] = { 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0 };
	uint8_t icc[3] = { 0x9F, 0x36, 0x00 };
	ssize_t w;

	iso_msg_init(&m, "0100");
	iso_set(&m, 52, pin, 8);
	iso_set(&m, 55, icc, 3);
	w = iso_pack(p, &m, wire, sizeof wire, &e);
	ck_assert_int_eq(w, 4 + 16 + 16 + 3 + 6);
	ck_assert_mem_eq(wire + 4, "0000000000001200", 16);
	ck_assert_mem_eq(wire + 20, "123456789ABCDEF0", 16);
	ck_assert_mem_eq(wire + 36, "0069F3600", 9);	/* LLL counts hex chars */
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), 0);
	assert_same(&m, &m2);
	wire[40] = 'G';
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), -1);
	ck_assert_int_eq(e.field, 55);
	/* odd hex length */
	memcpy(wire + 36, "005", 3);
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w - 1, &e), -1);
}
END_TEST

START_TEST(bitmaps_to_192)
{
	static const char *names[] = { "iso87", "iso87hex", "mastercard", "fps" };
	static const int fields[] = { 2, 63, 64, 66, 100, 127, 128, 129, 150, 192 };
	struct iso_err e;
	size_t i, j;
	ssize_t w;
	uint8_t mac[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	for (i = 0; i < 4; i++) {
		const struct iso_profile *p = prof(names[i]);
		iso_msg_init(&m, "0200");
		for (j = 0; j < sizeof fields / sizeof fields[0]; j++) {
			int n = fields[j];
			if (n == 64 || n == 128)
				iso_set(&m, n, mac, 8);
			else if (n == 2)
				iso_set_str(&m, n, "4111111111111111");
			else if (n == 66)
				iso_set_str(&m, n, "1");
			else if (n == 100)
				iso_set_str(&m, n, "123456");
			else
				iso_set_str(&m, n, "abc");
		}
		w = iso_pack(p, &m, wire, sizeof wire, &e);
		ck_assert_msg(w > 0, "%s: %s", names[i], e.msg);
		ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), 0);
		assert_same(&m, &m2);
		ck_assert(!iso_has(&m2, 1) && !iso_has(&m2, 65));
	}
	/* only primary: no secondary bitmap on the wire */
	iso_msg_init(&m, "0800");
	iso_set_str(&m, 11, "000001");
	ck_assert_int_eq(iso_pack(prof("iso87"), &m, wire, sizeof wire, &e), 4 + 8 + 6);
	ck_assert_uint_eq(wire[4], 0x00);
}
END_TEST

START_TEST(set_replaces_and_unset)
{
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 39, "05");
	iso_set_str(&m, 39, "00");
	assert_field(&m, 39, "00");
	iso_unset(&m, 39);
	ck_assert(!iso_has(&m, 39));
	iso_set_str(&m, 11, "123456");
	iso_msg_init(&m2, "0110");
	ck_assert_int_eq(iso_copy_field(&m2, &m, 11), 0);
	ck_assert_int_eq(iso_copy_field(&m2, &m, 12), 0);
	assert_field(&m2, 11, "123456");
	ck_assert(!iso_has(&m2, 12));
	iso_set_str(&m, 37, "RRN000000001");
	iso_msg_copy(&m2, &m);
	assert_same(&m, &m2);
}
END_TEST

START_TEST(next_walks_present_fields)
{
	static const int want[] = { 2, 7, 64, 66, 128, 129, 192 };
	size_t i = 0;
	int f;

	iso_msg_init(&m, "0100");
	ck_assert_int_eq(iso_next(&m, 0), 0);
	for (i = sizeof want / sizeof want[0]; i > 0; i--)
		iso_set_str(&m, want[i - 1], "1");
	i = 0;
	for (f = iso_next(&m, 0); f != 0; f = iso_next(&m, f)) {
		ck_assert_uint_lt(i, sizeof want / sizeof want[0]);
		ck_assert_int_eq(f, want[i++]);
	}
	ck_assert_uint_eq(i, sizeof want / sizeof want[0]);
	ck_assert_int_eq(iso_next(&m, 192), 0);
}
END_TEST

/* Property test: random valid messages pack then unpack to the same
 * fields, per profile. */
static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void
random_value(const struct iso_fdef *d, uint8_t *v, size_t len)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ";
	static const char special[] = " -/.#*,()";
	size_t i;

	for (i = 0; i < len; i++) {
		switch (d->cls) {
		case ISO_N:
			v[i] = (uint8_t)('0' + rnd() % 10);
			break;
		case ISO_A:
			v[i] = (uint8_t)alpha[rnd() % (sizeof alpha - 1)];
			break;
		case ISO_AN:
			v[i] = rnd() % 2 ? (uint8_t)('0' + rnd() % 10) :
			    (uint8_t)alpha[rnd() % (sizeof alpha - 1)];
			break;
		case ISO_ANS:
			v[i] = (uint8_t)(0x20 + rnd() % 95);
			break;
		case ISO_NS:
			v[i] = rnd() % 2 ? (uint8_t)('0' + rnd() % 10) :
			    (uint8_t)special[rnd() % (sizeof special - 1)];
			break;
		case ISO_Z:
			v[i] = i == len / 2 ? 'D' : (uint8_t)('0' + rnd() % 10);
			break;
		case ISO_XN:
			v[i] = i == 0 ? (rnd() % 2 ? 'C' : 'D') :
			    (uint8_t)('0' + rnd() % 10);
			break;
		default:
			v[i] = (uint8_t)rnd();
		}
	}
}

START_TEST(property_roundtrip)
{
	static const char *names[] = { "iso87", "iso87hex", "mastercard",
	    "mastercard-cp037", "fps" };
	struct iso_err e;
	uint8_t v[1000];
	size_t i, total;
	int iter, n;
	ssize_t w;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct iso_profile *p = prof(names[i]);
		for (iter = 0; iter < 400; iter++) {
			iso_msg_init(&m, "0100");
			m.mti[1] = (char)('0' + rnd() % 9);
			total = 0;
			for (n = 2; n <= ISO_NFIELDS; n++) {
				const struct iso_fdef *d = iso_fdef(p, n);
				size_t len;
				if (d == NULL || rnd() % 6 != 0)
					continue;
				len = d->form == ISO_FIXED ? d->max :
				    (p->empty_ok ? 0 : 1) + rnd() %
				    ((d->max > 60 ? 60 : d->max) + (p->empty_ok ? 1 : 0));
				if (total + len > 3000)
					break;
				random_value(d, v, len);
				ck_assert_int_eq(iso_set(&m, n, v, len), 0);
				total += len;
			}
			w = iso_pack(p, &m, wire, sizeof wire, &e);
			ck_assert_msg(w > 0, "%s: %s", names[i], e.msg);
			ck_assert_msg(iso_unpack(p, &m2, wire, (size_t)w, &e) == 0,
			    "%s: %s", names[i], e.msg);
			assert_same(&m, &m2);
		}
	}
}
END_TEST

/* Pack skips the checks unpack made, and only those: a field set since,
 * or a message unpacked under another profile, is checked again.  And
 * what unpacks packs back the same, empty bitmaps included. */
START_TEST(pack_checks_what_unpack_did_not)
{
	const struct iso_profile *p = prof("iso87"), *fps = prof("fps");
	static struct iso_msg c;
	struct iso_err e;
	size_t n = slurp("tests/data/iso87-0100-b.bin", wire, sizeof wire);
	static uint8_t out[4096];
	ssize_t w;

	ck_assert_int_eq(iso_unpack(p, &m, wire, n, &e), 0);
	w = iso_pack(p, &m, out, sizeof out, &e);
	ck_assert_int_eq(w, (ssize_t)n);
	ck_assert_mem_eq(out, wire, n);
	/* a bad value set by hand after unpack is refused */
	iso_msg_copy(&c, &m);
	iso_set_str(&c, 41, "TERM\x01" "001");
	ck_assert_int_eq(iso_pack(p, &c, out, sizeof out, &e), -1);
	ck_assert_int_eq(e.field, 41);
	iso_msg_copy(&c, &m);
	iso_set_str(&c, 3, "00000A");
	ck_assert_int_eq(iso_pack(p, &c, out, sizeof out, &e), -1);
	ck_assert_int_eq(e.field, 3);
	/* a good one is packed */
	iso_set_str(&c, 3, "200000");
	ck_assert_int_gt(iso_pack(p, &c, out, sizeof out, &e), 0);
	/* DE48 is any byte in iso87, ans in fps: checked again under fps */
	iso_msg_init(&c, "0100");
	iso_set(&c, 48, "R\x01", 2);
	w = iso_pack(p, &c, out, sizeof out, &e);
	ck_assert_int_gt(w, 0);
	ck_assert_int_eq(iso_unpack(p, &c, out, (size_t)w, &e), 0);
	ck_assert_int_eq(iso_pack(fps, &c, out, sizeof out, &e), -1);
	ck_assert_int_eq(e.field, 48);
	/* an empty secondary or tertiary bitmap packs back as it came */
	ck_assert_int_eq(iso_unpack(p, &c, (const uint8_t *)"0400\x80\0\0\0"
	    "\0\0\0\0\0\0\0\0\0\0\0\0", 20, &e), 0);
	ck_assert_int_eq(iso_next(&c, 0), 0);
	ck_assert_int_eq(iso_pack(p, &c, out, sizeof out, &e), 20);
	ck_assert_mem_eq(out, "0400\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	ck_assert_int_eq(iso_unpack(p, &c, (const uint8_t *)"0400\x80\0\0\0"
	    "\0\0\0\0\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 28, &e), 0);
	ck_assert_int_eq(iso_pack(p, &c, out, sizeof out, &e), 28);
	ck_assert_uint_eq(out[12], 0x80);
	/* a failed unpack leaves nothing marked */
	ck_assert_int_eq(iso_unpack(p, &c, wire, n - 1, &e), -1);
	ck_assert_ptr_null(c.checked_by);
}
END_TEST

START_TEST(json_errors)
{
	const struct iso_profile *p = prof("iso87");
	char err[200];
	static const char *bad[] = {
		"", "{", "{\"mti\":\"010\"}", "{\"fields\":{}}",
		"{\"mti\":\"0100\",\"fields\":{\"1\":\"x\"}}",
		"{\"mti\":\"0100\",\"fields\":{\"65\":\"x\"}}",
		"{\"mti\":\"0100\",\"fields\":{\"52\":\"XYZ\"}}",
		"{\"mti\":\"0100\",\"fields\":{\"3\":\"1\",\"3\":\"2\"}}",
		"{\"mti\":\"0100\",\"fields\":{\"3\":\"\\u0100\"}}",
		"{\"mti\":\"0100\"} x",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(iso_json_read(p, bad[i], strlen(bad[i]), &m, err,
		    sizeof err) == -1, "accepted %s", bad[i]);
	ck_assert_int_eq(iso_json_read(p, "{ \"mti\" : \"0800\", \"fields\" : "
	    "{ \"70\" : \"301\", \"48\":\"\\u0000\\u00e9\" } }", 68, &m, err,
	    sizeof err), 0);
	assert_field(&m, 70, "301");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("iso8583");
	TCase *tc = tcase_create("codec");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sample_mastercard);
	tcase_add_test(tc, sample_cp037_differs_only_in_specials);
	tcase_add_test(tc, error_names_field_and_offset);
	tcase_add_test(tc, error_paths);
	tcase_add_test(tc, field_classes);
	tcase_add_test(tc, length_forms_and_encodings);
	tcase_add_test(tc, hex_profile);
	tcase_add_test(tc, bitmaps_to_192);
	tcase_add_test(tc, set_replaces_and_unset);
	tcase_add_test(tc, next_walks_present_fields);
	tcase_add_test(tc, property_roundtrip);
	tcase_add_test(tc, json_errors);
	tcase_add_test(tc, pack_checks_what_unpack_did_not);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(suite());
}
