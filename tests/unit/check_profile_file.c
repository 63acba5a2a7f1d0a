/*
 * check_profile_file.c — profiles as files: every compiled-in profile
 * exports to a file that loads back equal and packs the shipped samples
 * to the same bytes; a file's mistakes are refused naming the line,
 * key or field; a profile only a file describes (BCD lengths, EBCDIC,
 * hex binary) works in the codec.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/profile-file.h"
#include "tests/unit/checkrun.h"

static const char *names[] = { "iso87", "iso87hex", "mastercard",
    "mastercard-cp037", "fps" };

static struct iso_profile *
load(const char *text, char *err, size_t errsz)
{
	return iso_profile_load_text("t.json", text, strlen(text), err, errsz);
}

static char *
export(const struct iso_profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(iso_profile_export(p, f), 0);
	fclose(f);
	return buf;
}

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

/* The samples: a file and the profile it is in; the fuzz seeds start
 * with a byte choosing the profile, as fuzz_unpack reads them. */
static const struct {
	const char	*path, *profile;
	size_t		 skip;
} samples[] = {
	{ "tests/data/mastercard-0100-a.bin", "mastercard", 0 },
	{ "tests/data/iso87-0100-b.bin", "iso87", 0 },
	{ "tests/fuzz/corpus/fuzz_unpack/fps-0200", "fps", 1 },
	{ "tests/fuzz/corpus/fuzz_unpack/iso87-0200", "iso87", 1 },
	{ "tests/fuzz/corpus/fuzz_unpack/iso87hex-0200", "iso87hex", 1 },
	{ "tests/fuzz/corpus/fuzz_unpack/mastercard-cp037",
	    "mastercard-cp037", 1 },
};

START_TEST(export_round_trips)
{
	static uint8_t wire[8192], a[8192], b[8192];
	static struct iso_msg ma, mb;
	const struct iso_profile *c = iso_profile_find(names[_i]);
	struct iso_profile *f;
	struct iso_err e;
	char err[300], *text;
	size_t len, n, i;
	ssize_t wa, wb;

	text = export(c, &len);
	f = iso_profile_load_text(names[_i], text, len, err, sizeof err);
	ck_assert_msg(f != NULL, "%s", err);
	ck_assert(iso_profile_equal(c, f));
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		if (strcmp(samples[i].profile, names[_i]) != 0)
			continue;
		n = slurp(samples[i].path, wire, sizeof wire) - samples[i].skip;
		ck_assert_int_eq(iso_unpack(c, &ma, wire + samples[i].skip, n,
		    &e), 0);
		ck_assert_int_eq(iso_unpack(f, &mb, wire + samples[i].skip, n,
		    &e), 0);
		wa = iso_pack(c, &ma, a, sizeof a, &e);
		wb = iso_pack(f, &mb, b, sizeof b, &e);
		ck_assert_int_gt(wa, 0);
		ck_assert_int_eq(wa, wb);
		ck_assert_mem_eq(a, b, (size_t)wa);
		/* and across: unpacked by one, packed by the other */
		wb = iso_pack(f, &ma, b, sizeof b, &e);
		ck_assert_int_eq(wa, wb);
		ck_assert_mem_eq(a, b, (size_t)wa);
	}
	iso_profile_free(f);
	free(text);
}
END_TEST

/* A mistake is refused with where it is. */
START_TEST(errors_name_where)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "{\n \"profile\": \"x\",\n \"charset\": ascii\n}",
		    "t.json:3:" },
		{ "{\"profile\": \"x\", \"lenght_prefix\": \"bcd\"}",
		    "unknown key \"lenght_prefix\"" },
		{ "{\"charset\": \"ascii\"}", "\"profile\"" },
		{ "{\"profile\": \"x\", \"charset\": \"utf8\"}",
		    "\"charset\" must be one of ascii, ebcdic500, ebcdic037" },
		{ "{\"profile\": \"x\", \"fields\": {\"35\": {\"name\": \"T2\", "
		    "\"class\": \"q\", \"length\": \"LL\", \"max\": 37}}}",
		    "field 35: \"class\" must be one of" },
		{ "{\"profile\": \"x\", \"fields\": {\"35\": {\"name\": \"T2\", "
		    "\"class\": \"z\", \"length\": \"LL\", \"max\": 137}}}",
		    "field 35: \"max\" 137 does not fit a LL prefix" },
		{ "{\"profile\": \"x\", \"length_prefix\": \"binary\", "
		    "\"fields\": {\"35\": {\"name\": \"T2\", \"class\": \"z\", "
		    "\"length\": \"LL\", \"max\": 256}}}",
		    "at most 255" },
		{ "{\"profile\": \"x\", \"binary\": \"hex\", \"fields\": "
		    "{\"55\": {\"name\": \"ICC\", \"class\": \"b\", \"length\": "
		    "\"LLL\", \"max\": 500}}}", "at most 999 hex digits" },
		{ "{\"profile\": \"x\", \"fields\": {\"65\": {\"name\": \"B\", "
		    "\"class\": \"b\", \"length\": \"fixed\", \"max\": 8}}}",
		    "\"65\" is not a data element" },
		{ "{\"profile\": \"x\", \"fields\": {\"2\": {\"name\": \"P\", "
		    "\"class\": \"n\", \"max\": 19}}}",
		    "field 2: \"class\" and \"length\" are required" },
		{ "{\"profile\": \"x\", \"fields\": {\"2\": {\"name\": \"P\", "
		    "\"class\": \"n\", \"length\": \"LL\", \"max\": 19, "
		    "\"mask\": \"half\"}}}", "field 2: \"mask\" must be" },
		{ "{\"profile\": \"x\", \"base\": \"visa\"}",
		    "\"base\" must name a compiled-in profile" },
		{ "{\"profile\": \"x\", \"header\": \"ABC\"}", "\"header\"" },
		{ "{\"profile\": \"x\", \"framing\": \"len3\"}", "\"framing\"" },
		{ "{\"profile\": \"x\", \"fields\": {\"4\": {\"name\": \"A\", "
		    "\"class\": \"n\", \"length\": \"fixed\", \"max\": 0}}}",
		    "field 4: \"max\" must be at least 1" },
		/* a base's fields are checked against the file's encodings:
		 * LL of 99 characters at most... */
		{ "{\"profile\": \"x\", \"base\": \"iso87\", \"binary\": "
		    "\"hex\", \"fields\": {\"44\": {\"name\": \"R\", "
		    "\"class\": \"b\", \"length\": \"LL\", \"max\": 50}}}",
		    "field 44: \"max\" 50 does not fit a LL prefix in chars "
		    "(at most 99 hex digits)" },
		/* ...and binary LLL holds 65535: this one loads */
		{ "{\"profile\": \"x\", \"base\": \"iso87\", \"length_prefix\": "
		    "\"binary\", \"binary\": \"hex\"}", "(loads)" },
	};
	struct iso_profile *p;
	char err[300];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0] - 1; i++) {
		err[0] = '\0';
		p = load(cases[i].text, err, sizeof err);
		ck_assert_msg(p == NULL, "case %zu loaded", i);
		ck_assert_msg(strstr(err, cases[i].want) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
		ck_assert_msg(strncmp(err, "t.json:", 7) == 0, "case %zu: %s",
		    i, err);
	}
	p = load(cases[i].text, err, sizeof err);
	ck_assert_msg(p != NULL, "%s", err);
	iso_profile_free(p);
	ck_assert_ptr_null(iso_profile_load_file("/nonexistent/p.json", err,
	    sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/p.json"));
}
END_TEST

/* A scheme no compiled-in profile describes: EBCDIC text and MTI, BCD
 * length prefixes, LLLL, a header template; based on iso87. */
START_TEST(new_scheme_from_a_file)
{
	static const char text[] =
	    "{ \"profile\": \"acme\", \"base\": \"iso87\",\n"
	    "  \"charset\": \"ebcdic037\", \"length_prefix\": \"bcd\",\n"
	    "  \"framing\": \"len4ascii\", \"header\": \"16010200\",\n"
	    "  \"fields\": {\n"
	    "   \"48\": {\"name\": \"Acme data\", \"class\": \"ans\", "
	    "\"length\": \"LLLL\", \"max\": 2000},\n"
	    "   \"2\": {\"name\": \"PAN\", \"class\": \"n\", \"length\": \"LL\","
	    " \"max\": 19, \"mask\": \"pan\"} } }\n";
	static uint8_t wire[4096];
	static struct iso_msg m, m2;
	static char big[1500];
	struct iso_profile *p;
	struct iso_err e;
	char err[300];
	ssize_t w;

	p = load(text, err, sizeof err);
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_str_eq(p->name, "acme");
	ck_assert_int_eq(p->hdrlen, 4);
	ck_assert_int_eq(p->header[0], 0x16);
	ck_assert_int_eq(p->framing, 1);
	ck_assert_int_eq(iso_fdef(p, 48)->form, ISO_LLLL);
	ck_assert_int_eq(iso_fdef(p, 2)->mask, ISO_MASK_PAN);
	ck_assert_str_eq(iso_fdef(p, 3)->name, "Processing code");
	memset(big, 'x', sizeof big);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, "4761739001010010");
	iso_set_str(&m, 3, "000000");
	iso_set(&m, 48, big, sizeof big);
	w = iso_pack(p, &m, wire, sizeof wire, &e);
	ck_assert_msg(w > 0, "%s", e.msg);
	ck_assert_int_eq(wire[0], 0xF0);	/* EBCDIC MTI */
	ck_assert_int_eq(wire[12], 0x16);	/* BCD LL of 16 digits */
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), 0);
	ck_assert_int_eq(iso_get_str(&m2, 2, big, sizeof big), 0);
	ck_assert_str_eq(big, "4761739001010010");
	iso_profile_free(p);
}
END_TEST

/* Numeric values and the MTI in packed BCD: two digits a byte, an odd
 * count behind a zero nibble, LL counting digits. */
START_TEST(bcd_numeric_values)
{
	static const char text[] =
	    "{ \"profile\": \"bcd\", \"base\": \"iso87\", "
	    "\"numeric\": \"bcd\", \"length_prefix\": \"bcd\" }";
	static const uint8_t want[] = {
		0x01, 0x00,				/* MTI */
		0x60, 0x00, 0x04, 0x00, 0, 0, 0, 0,	/* DE2 3 22 */
		0x15, 0x04, 0x76, 0x17, 0x39, 0x00, 0x10, 0x10, 0x01,
		0x00, 0x00, 0x00,			/* DE3 */
		0x00, 0x51,				/* DE22 051 */
	};
	static uint8_t wire[256];
	static struct iso_msg m, m2;
	struct iso_profile *p;
	struct iso_err e;
	char err[300];
	ssize_t w;

	p = load(text, err, sizeof err);
	ck_assert_msg(p != NULL, "%s", err);
	iso_msg_init(&m, "0100");
	iso_set_str(&m, 2, "476173900101001");	/* 15 digits: padded */
	iso_set_str(&m, 3, "000000");
	iso_set_str(&m, 22, "051");
	w = iso_pack(p, &m, wire, sizeof wire, &e);
	ck_assert_msg(w > 0, "%s", e.msg);
	ck_assert_int_eq(w, (ssize_t)sizeof want);
	ck_assert_mem_eq(wire, want, sizeof want);
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), 0);
	ck_assert_str_eq(m2.mti, "0100");
	ck_assert_int_eq(iso_get_str(&m2, 2, err, sizeof err), 0);
	ck_assert_str_eq(err, "476173900101001");
	ck_assert_int_eq(iso_get_str(&m2, 22, err, sizeof err), 0);
	ck_assert_str_eq(err, "051");
	/* packs back the same, checked or not */
	ck_assert_int_eq(iso_pack(p, &m2, wire + 128, 128, &e), w);
	ck_assert_mem_eq(wire + 128, want, sizeof want);
	/* a nibble above 9, a pad that is not zero, a letter to pack */
	wire[20] = 0x0A;
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), -1);
	ck_assert_int_eq(e.field, 3);
	wire[20] = 0x00;
	wire[11] = 0x94;
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), -1);
	ck_assert_int_eq(e.field, 2);
	wire[0] = 0x0F;
	ck_assert_int_eq(iso_unpack(p, &m2, wire, (size_t)w, &e), -1);
	ck_assert_int_eq(e.field, 0);
	iso_set_str(&m, 3, "00000A");
	ck_assert_int_eq(iso_pack(p, &m, wire, sizeof wire, &e), -1);
	ck_assert_int_eq(e.field, 3);
	iso_profile_free(p);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("profile_file");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, export_round_trips, 0,
	    (int)(sizeof names / sizeof names[0]));
	tcase_add_test(tc, errors_name_where);
	tcase_add_test(tc, new_scheme_from_a_file);
	tcase_add_test(tc, bcd_numeric_values);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(suite());
}
