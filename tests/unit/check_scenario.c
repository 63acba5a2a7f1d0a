/*
 * check_scenario.c — `scheme-sim run` without a gateway: the loader (the
 * shipped library loads; each mistake is refused naming its case and
 * step), ${variables}, malformed frames made from a good message, and the
 * JUnit and JSON reports.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iso8583/iso8583.h"
#include "scheme-sim/scenrun.h"
#include "scheme-sim/simkey.h"
#include "tests/unit/checkrun.h"

static int
parse(const char *text, char *err, size_t errsz)
{
	struct scen_file sf;
	int rc = scen_parse(&sf, text, strlen(text), err, errsz);

	if (rc == 0)
		scen_file_free(&sf);
	return rc;
}

START_TEST(test_library_loads)
{
	struct scen_file sf;
	char err[512];
	glob_t g;
	size_t i;
	int cases = 0;

	ck_assert_int_eq(glob("scheme-sim/scenarios/*.json", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 10);
	for (i = 0; i < g.gl_pathc; i++) {
		if (scen_load(&sf, g.gl_pathv[i], err, sizeof err) == -1)
			ck_abort_msg("%s", err);
		ck_assert_ptr_nonnull(sf.title);
		cases += sf.ncases;
		scen_file_free(&sf);
	}
	globfree(&g);
	ck_assert_int_ge(cases, 30);
}
END_TEST

START_TEST(test_steps_parsed)
{
	const char *doc = "{\"within\": \"3s\", \"cases\": [{\"name\": \"a\","
	    "\"steps\": ["
	    "{\"send\": {\"as\": \"x\", \"card\": 3, \"entry\": \"chip\","
	    " \"fields\": {\"4\": \"000000000100\"}, \"unset\": [14],"
	    " \"count\": 5, \"split\": 3, \"gap\": \"10ms\"}},"
	    "{\"name\": \"it\", \"expect\": {\"of\": \"x\", \"de39\": [\"00\","
	    " \"05\"], \"fields\": {\"38\": {\"prefix\": \"C\"}, \"55\":"
	    " \"present\", \"52\": \"absent\", \"37\": {\"regex\": \"^S\"}},"
	    " \"save\": {\"code\": \"38\"}}},"
	    "{\"send\": {\"reversal_of\": \"x\"}},"
	    "{\"core_expect\": {\"target\": \"b\", \"counters\":"
	    " {\"auth\": 2, \"advice_dups\": \">=1\"}}}"
	    "], \"finally\": [{\"core\": \"blackhole off\"}]}]}";
	struct scen_file sf;
	const struct scen_step *st;
	char err[256];

	ck_assert_int_eq(scen_parse(&sf, doc, strlen(doc), err, sizeof err),
	    0);
	ck_assert_int_eq(sf.ncases, 1);
	ck_assert_int_eq(sf.cases[0].nsteps, 4);
	ck_assert_int_eq(sf.cases[0].nfin, 1);
	st = sf.cases[0].steps;
	ck_assert_str_eq(st[0].send->card, "3");
	ck_assert_uint_eq(st[0].send->count, 5);
	ck_assert_uint_eq(st[0].send->split, 3);
	ck_assert_uint_eq(st[0].send->gap_ns, 10000000);
	ck_assert_int_eq(st[0].send->nunset, 1);
	ck_assert_str_eq(st[1].label, "it");
	ck_assert_int_eq(st[1].expect->nrc, 2);
	ck_assert_int_eq(st[1].expect->nf, 4);
	ck_assert_uint_eq(st[1].expect->within_ns, 3000000000ull);
	ck_assert_str_eq(st[1].expect->save_var[0], "code");
	ck_assert_int_eq(st[1].expect->save_field[0], 38);
	ck_assert_int_eq(st[2].send->from, SF_REVERSAL);
	ck_assert_int_eq(st[3].nctr, 2);
	ck_assert_int_eq(st[3].ctr[1].at_least, 1);
	ck_assert_str_eq(sf.cases[0].fin[0].text, "blackhole off");
	scen_file_free(&sf);
}
END_TEST

START_TEST(test_link_steps_parsed)
{
	const char *doc = "{\"cases\": [{\"name\": \"a\", \"steps\": ["
	    "{\"key_change\": {\"as\": \"kc\", \"kind\": \"M\", \"key\":"
	    " \"0123456789ABCDEFFEDCBA9876543210\", \"kcv\": \"000000\"}},"
	    "{\"hold\": true},"
	    "{\"answer\": {\"mti\": \"0420\", \"within\": \"7s\"}},"
	    "{\"send\": {\"card\": 0, \"pin\": \"good\", \"mac\": \"bad\","
	    " \"zpk\": \"FEDCBA987654321089ABCDEF01234567\"}}"
	    "]}]}";
	struct scen_file sf;
	const struct scen_step *st;
	char err[256];

	ck_assert_msg(scen_parse(&sf, doc, strlen(doc), err, sizeof err) == 0,
	    "%s", err);
	st = sf.cases[0].steps;
	ck_assert_int_eq(st[0].kind, SK_KEY_CHANGE);
	ck_assert_int_eq(st[0].key->kind, 'M');
	ck_assert_str_eq(st[0].key->as, "kc");
	ck_assert_str_eq(st[0].key->kcv, "000000");
	ck_assert_int_eq(st[1].kind, SK_HOLD);
	ck_assert_int_eq(st[1].on, 1);
	ck_assert_int_eq(st[2].kind, SK_ANSWER);
	ck_assert_str_eq(st[2].mti, "0420");
	ck_assert_str_eq(st[2].rc, "00");
	ck_assert_uint_eq(st[2].ns, 7000000000ull);
	ck_assert_int_eq(st[3].send->mac, SM_BAD);
	ck_assert_str_eq(st[3].send->zpk, "FEDCBA987654321089ABCDEF01234567");
	scen_file_free(&sf);
}
END_TEST

/* The shared key-change and MAC arithmetic: DE48 as gatewayd reads it
 * (the KCV of the well-known test key), a MAC that verifies, and one
 * that does not once a bit of the message changes. */
START_TEST(test_simkey)
{
	static const uint8_t zmk[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB,
	    0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10 };
	const struct iso_profile *p = iso_profile_find("iso87");
	struct iso_msg m, back;
	struct iso_err ie;
	struct hsm_des mak;
	uint8_t wire[512];
	char de48[SIM_DE48_KEY_LEN + 1], kcv[7];
	ssize_t n;

	ck_assert_int_eq(sim_key_de48(zmk, zmk, 'P', de48, kcv), 0);
	ck_assert_int_eq(de48[0], 'P');
	ck_assert_int_eq(de48[1], 'X');
	ck_assert_str_eq(kcv, "08D7B4");
	ck_assert_str_eq(de48 + 34, kcv);
	ck_assert(!sim_mac_due("0800"));
	ck_assert(sim_mac_due("0200"));
	ck_assert_int_eq(hsm_des_init(&mak, zmk, 16), 0);
	iso_msg_init(&m, "0200");
	iso_set_str(&m, 11, "000001");
	iso_set_str(&m, 41, "TERM0001");
	n = sim_mac_pack(p, &mak, &m, wire, sizeof wire);
	ck_assert_int_gt(n, 8);
	ck_assert_int_eq(iso_unpack(p, &back, wire, (size_t)n, &ie), 0);
	ck_assert(iso_has(&back, 64));
	ck_assert_int_eq(sim_mac_verify(p, &mak, wire, (size_t)n, &back), 0);
	wire[n - 9] ^= 0x01;
	ck_assert_int_eq(sim_mac_verify(p, &mak, wire, (size_t)n, &back), -1);
	/* an unMACed refusal (63, 30) is taken as such; nothing else */
	iso_msg_init(&back, "0210");
	iso_set_str(&back, 39, "63");
	ck_assert_int_eq(sim_mac_refusal(&back), 1);
	iso_set_str(&back, 39, "00");
	ck_assert_int_eq(sim_mac_refusal(&back), 0);
	iso_set_str(&back, 39, "63");
	iso_set(&back, 64, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8);
	ck_assert_int_eq(sim_mac_refusal(&back), 0);
	iso_msg_init(&back, "0200");
	iso_set_str(&back, 39, "63");
	ck_assert_int_eq(sim_mac_refusal(&back), 0);
	hsm_des_free(&mak);
}
END_TEST

/* Each mistake is refused, and the error says where and what. */
START_TEST(test_mistakes_refused)
{
	static const struct {
		const char *doc, *says;
	} v[] = {
		{ "{\"cases\": [", "line 1" },
		{ "[]", "want a JSON object" },
		{ "{\"cases\": []}", "1..256 cases" },
		{ "{\"cases\": [{\"steps\": [{\"wait\": \"1s\"}]}]}",
		  "case 1 \"\": no \"name\"" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"wait\": \"1s\"}]},"
		  "{\"name\": \"a\", \"steps\": [{\"wait\": \"1s\"}]}]}",
		  "a second case" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"wait\": \"1s\"},"
		  "{\"sned\": {}}]}]}", "case 1 \"a\" step 2: unknown step "
		  "\"sned\"" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"wait\": \"x\"}]}]}",
		  "wait: want a duration" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"wait\": \"1s\","
		  " \"echo\": \"answer\"}]}]}", "two kinds" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"mti\":"
		  " \"01000\"}}]}]}", "not 4 digits" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"fields\":"
		  " {\"1\": \"x\"}}}]}]}", "not a field number" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"cvc2\":"
		  " \"maybe\"}}]}]}", "want good, bad" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"fields\":"
		  " {}, \"colour\": 1}}]}]}", "unknown key \"colour\"" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"expect\": {\"de39\":"
		  " \"000\"}}]}]}", "want 2 characters" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"expect\": {\"any\":"
		  " true}}]}]}", "\"any\" needs an mti" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"expect\": {\"fields\":"
		  " {\"38\": {\"like\": \"C\"}}}}]}]}", "field 38" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"repeat_of\":"
		  " \"x\", \"card\": 1}}]}]}", "takes no template" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"malformed\":"
		  " {\"kind\": \"mti\"}}]}]}", "want length, bitmap or field" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"core_expect\":"
		  " {\"counters\": {\"auth\": \"lots\"}}}]}]}", "want N or" },
		{ "{\"cases\": [{\"name\": \"a\", \"name\": \"b\", \"steps\": []}]}",
		  "duplicate" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"key_change\":"
		  " {\"kind\": \"Z\", \"key\": \"00\"}}]}]}", "want P (ZPK) or M" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"key_change\":"
		  " {\"kind\": \"P\", \"key\": \"0123\"}}]}]}", "key: want 32 hex" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"key_change\":"
		  " {\"kind\": \"P\", \"key\": \"0123456789ABCDEFFEDCBA9876543210\","
		  " \"kcv\": \"XYZ\"}}]}]}", "kcv: want 6 hex" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"hold\": \"yes\"}]}]}",
		  "hold: want true or false" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"answer\":"
		  " {\"de39\": \"00\"}}]}]}", "answer: mti" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"mac\":"
		  " \"maybe\"}}]}]}", "want good, bad or none" },
		{ "{\"cases\": [{\"name\": \"a\", \"steps\": [{\"send\": {\"zpk\":"
		  " \"00\"}}]}]}", "zpk: want 32 hex" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		err[0] = '\0';
		ck_assert_msg(parse(v[i].doc, err, sizeof err) == -1,
		    "accepted: %s", v[i].doc);
		ck_assert_msg(strstr(err, v[i].says) != NULL,
		    "%s: said \"%s\", want \"%s\"", v[i].doc, err, v[i].says);
	}
}
END_TEST

static struct scen_run *
new_run(struct scen_result *res)
{
	struct scen_run *r = calloc(1, sizeof *r);

	ck_assert_ptr_nonnull(r);
	memset(res, 0, sizeof *res);
	r->res = res;
	r->fd = -1;
	r->prof = iso_profile_find("iso87");
	r->fr.kind = FRAME_LEN2;
	r->fr.max = ISO_BUF_MAX;
	return r;
}

static void
free_run(struct scen_run *r)
{
	int i;

	for (i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
		free(r->vars[i].val);
	}
	free(r);
}

START_TEST(test_variables)
{
	struct scen_result res;
	struct scen_run *r = new_run(&res);
	char out[64];

	ck_assert_int_eq(scen_var_set(r, "a.11", "000123"), 0);
	ck_assert_int_eq(scen_var_set(r, "code", "C00001"), 0);
	ck_assert_int_eq(scen_var_set(r, "code", "C00002"), 0);
	ck_assert_int_eq(scen_subst(r, "${a.11}-${code}!", out, sizeof out),
	    0);
	ck_assert_str_eq(out, "000123-C00002!");
	ck_assert_int_eq(scen_subst(r, "no vars", out, sizeof out), 0);
	ck_assert_str_eq(out, "no vars");
	ck_assert_int_eq(scen_subst(r, "${nope}", out, sizeof out), -1);
	ck_assert_ptr_nonnull(strstr(res.msg, "no variable \"nope\""));
	res.msg[0] = '\0';
	ck_assert_int_eq(scen_subst(r, "${a.11", out, sizeof out), -1);
	ck_assert_ptr_nonnull(strstr(res.msg, "without"));
	res.msg[0] = '\0';
	ck_assert_int_eq(scen_subst(r, "${a.11}${a.11}", out, 8), -1);
	free_run(r);
}
END_TEST

/* A good 0100 packed, then each kind of damage: what the gateway reads. */
START_TEST(test_malformed)
{
	struct scen_result res;
	struct scen_run *r = new_run(&res);
	struct iso_msg m, back;
	struct iso_err ie;
	uint8_t out[1024];
	size_t len;

	iso_msg_init(&m, "0100");
	ck_assert_int_eq(iso_set_str(&m, 2, "5413335500000104"), 0);
	ck_assert_int_eq(iso_set_str(&m, 4, "000000001000"), 0);
	ck_assert_int_eq(iso_set_str(&m, 11, "000042"), 0);
	ck_assert_int_eq(iso_set_str(&m, 41, "TERM0001"), 0);

	ck_assert_int_eq(scen_malform(r, SB_FIELD, &m, out, sizeof out, &len),
	    0);
	ck_assert_uint_eq((size_t)(out[0] << 8 | out[1]), len - 2);
	ck_assert_int_eq(iso_unpack(r->prof, &back, out + 2, len - 2, &ie),
	    -1);
	ck_assert_int_eq(ie.field, 41);

	ck_assert_int_eq(scen_malform(r, SB_BITMAP, &m, out, sizeof out,
	    &len), 0);
	ck_assert_int_eq(iso_unpack(r->prof, &back, out + 2, len - 2, &ie),
	    -1);
	ck_assert_int_eq(ie.field, 64);	/* announced, not there */

	ck_assert_int_eq(scen_malform(r, SB_LENGTH, &m, out, sizeof out,
	    &len), 0);
	ck_assert_uint_eq(out[0], 0xff);
	ck_assert_uint_eq(out[1], 0xff);

	/* A hex bitmap and ASCII length prefixes. */
	r->prof = iso_profile_find("iso87hex");
	r->fr.kind = FRAME_LEN4ASCII;
	ck_assert_int_eq(scen_malform(r, SB_BITMAP, &m, out, sizeof out,
	    &len), 0);
	ck_assert_int_eq(iso_unpack(r->prof, &back, out + 4, len - 4, &ie),
	    -1);
	ck_assert_int_eq(ie.field, 64);
	ck_assert_int_eq(scen_malform(r, SB_LENGTH, &m, out, sizeof out,
	    &len), 0);
	ck_assert_int_eq(memcmp(out, "9999", 4), 0);
	free_run(r);
}
END_TEST

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_reports)
{
	struct scen_result v[3];
	char path[] = "/tmp/check_scenario.XXXXXX";
	const char *t;
	int fd;

	memset(v, 0, sizeof v);
	v[0] = (struct scen_result){ .file = "lib/a.json", .name = "one",
	    .passed = 1, .ns = 1500000 };
	v[1] = (struct scen_result){ .file = "lib/a.json", .name = "two <&>",
	    .passed = 0, .ns = 2000000, .step = 2, .kind = "expect",
	    .label = "the \"answer\"", .field = 39 };
	snprintf(v[1].expected, sizeof v[1].expected, "00");
	snprintf(v[1].got, sizeof v[1].got, "05");
	snprintf(v[1].msg, sizeof v[1].msg, "0110 DE39: expected 00, got 05");
	v[2] = (struct scen_result){ .file = "lib/b.json", .name = "three",
	    .passed = 1 };
	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	ck_assert_int_eq(scen_report_junit(v, 3, path), 0);
	t = slurp(path);
	ck_assert_ptr_nonnull(strstr(t, "<testsuites name=\"scheme-sim run\" "
	    "tests=\"3\" failures=\"1\""));
	ck_assert_ptr_nonnull(strstr(t, "<testsuite name=\"a\" tests=\"2\" "
	    "failures=\"1\""));
	ck_assert_ptr_nonnull(strstr(t, "<testsuite name=\"b\" tests=\"1\""));
	ck_assert_ptr_nonnull(strstr(t, "name=\"two &lt;&amp;&gt;\""));
	ck_assert_ptr_nonnull(strstr(t, "message=\"step 2 (expect &quot;the "
	    "&quot;answer&quot;&quot;): 0110 DE39: expected 00, got 05\""));
	ck_assert_ptr_nonnull(strstr(t, "field: DE39\nexpected: 00\ngot: 05"));
	ck_assert_int_eq(scen_report_json(v, 3, path), 0);
	t = slurp(path);
	ck_assert_ptr_nonnull(strstr(t, "\"failed\":1"));
	ck_assert_ptr_nonnull(strstr(t, "\"field\":39"));
	ck_assert_ptr_nonnull(strstr(t, "\"seconds\":0.002"));
	unlink(path);
}
END_TEST

static Suite *
scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_library_loads);
	tcase_add_test(tc, test_steps_parsed);
	tcase_add_test(tc, test_link_steps_parsed);
	tcase_add_test(tc, test_simkey);
	tcase_add_test(tc, test_mistakes_refused);
	tcase_add_test(tc, test_variables);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_reports);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(scenario_suite());
}
