/*
 * scenreport.c — what a `scheme-sim run` reports: a line per case on
 * stdout, JUnit XML for CI systems (one testsuite per file, one testcase
 * per case; a failure names the step, the field, what was expected and
 * what came, PANs masked already by the runner) and a JSON document.
 */
#include <stdio.h>
#include <string.h>

#include "scheme-sim/jsonout.h"
#include "scheme-sim/scenrun.h"

static void
where(const struct scen_result *r, char *out, size_t cap)
{
	if (r->step == 0)
		snprintf(out, cap, "%s", r->kind ? r->kind : "setup");
	else
		snprintf(out, cap, "step %d (%s%s%s%s)", r->step, r->kind,
		    r->label ? " \"" : "", r->label ? r->label : "",
		    r->label ? "\"" : "");
}

void
scen_report_line(const struct scen_result *r, FILE *f)
{
	char w[128];

	fprintf(f, "%s  %-48s %7.3f s  %s", r->passed ? "PASS" : "FAIL",
	    r->name, (double)r->ns / 1e9, r->file);
	if (!r->passed) {
		where(r, w, sizeof w);
		fprintf(f, "\n      %s: %s", w, r->msg);
	}
	fputc('\n', f);
}

/* Text for XML: the five entities; control characters as '?'. */
static void
xml_put(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc((unsigned char)*s < 0x20 && *s != '\n' ? '?' :
			    *s, f);
		}
}

static void
junit_case(FILE *f, const struct scen_result *r, const char *suite)
{
	char w[128], fld[16];

	fputs("    <testcase classname=\"", f);
	xml_put(f, suite);
	fputs("\" name=\"", f);
	xml_put(f, r->name);
	fprintf(f, "\" time=\"%.3f\"", (double)r->ns / 1e9);
	if (r->passed) {
		fputs("/>\n", f);
		return;
	}
	where(r, w, sizeof w);
	fputs(">\n      <failure type=\"", f);
	xml_put(f, r->kind ? r->kind : "setup");
	fputs("\" message=\"", f);
	xml_put(f, w);
	fputs(": ", f);
	xml_put(f, r->msg);
	fputs("\">", f);
	xml_put(f, w);
	fputs("\n", f);
	if (r->field) {
		snprintf(fld, sizeof fld, "DE%d", r->field);
		fputs("field: ", f);
		xml_put(f, fld);
		fputs("\n", f);
	}
	if (r->expected[0] || r->got[0]) {
		fputs("expected: ", f);
		xml_put(f, r->expected);
		fputs("\ngot: ", f);
		xml_put(f, r->got);
		fputs("\n", f);
	}
	xml_put(f, r->msg);
	fputs("</failure>\n    </testcase>\n", f);
}

/* The suite of results [i, j): one file's cases. */
static void
junit_suite(FILE *f, const struct scen_result *v, int i, int j)
{
	char suite[256], *dot;
	const char *base = strrchr(v[i].file, '/');
	double t = 0;
	int k, nf = 0;

	snprintf(suite, sizeof suite, "%s", base ? base + 1 : v[i].file);
	if ((dot = strrchr(suite, '.')) != NULL)
		*dot = '\0';
	for (k = i; k < j; k++) {
		nf += !v[k].passed;
		t += (double)v[k].ns / 1e9;
	}
	fputs("  <testsuite name=\"", f);
	xml_put(f, suite);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
	    "time=\"%.3f\" file=\"", j - i, nf, t);
	xml_put(f, v[i].file);
	fputs("\">\n", f);
	for (k = i; k < j; k++)
		junit_case(f, &v[k], suite);
	fputs("  </testsuite>\n", f);
}

int
scen_report_junit(const struct scen_result *v, int n, const char *path)
{
	double t = 0;
	int i, j, nf = 0;
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		nf += !v[i].passed;
		t += (double)v[i].ns / 1e9;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"scheme-sim run\" tests=\"%d\" "
	    "failures=\"%d\" errors=\"0\" time=\"%.3f\">\n", n, nf, t);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(v[j].file, v[i].file) == 0;
		    j++)
			;
		junit_suite(f, v, i, j);
	}
	fputs("</testsuites>\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

static json_t *
json_case(const struct scen_result *r)
{
	char w[128];
	json_t *c, *fl;

	c = json_pack("{s:o, s:s, s:b, s:o}", "file",
	    sim_json_bytes(r->file, strlen(r->file)), "name", r->name,
	    "passed", r->passed, "seconds",
	    sim_json_fixed((double)r->ns / 1e9, 3));
	if (c == NULL || r->passed)
		return c;
	where(r, w, sizeof w);
	/* What came off the wire may be any bytes: Latin-1 strings. */
	fl = json_pack("{s:i, s:s, s:o, s:o, s:o, s:o}", "step", r->step,
	    "kind", r->kind ? r->kind : "setup", "where",
	    sim_json_bytes(w, strlen(w)), "message",
	    sim_json_bytes(r->msg, strlen(r->msg)), "expected",
	    sim_json_bytes(r->expected, strlen(r->expected)), "got",
	    sim_json_bytes(r->got, strlen(r->got)));
	if (fl != NULL && r->label)
		json_object_set_new(fl, "label", json_string(r->label));
	if (fl != NULL && r->field)
		json_object_set_new(fl, "field", json_integer(r->field));
	json_object_set_new(c, "failure", fl ? fl : json_null());
	return c;
}

int
scen_report_json(const struct scen_result *v, int n, const char *path)
{
	json_t *doc, *cases;
	int i, nf = 0;

	if ((cases = json_array()) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		nf += !v[i].passed;
		json_array_append_new(cases, json_case(&v[i]));
	}
	doc = json_pack("{s:i, s:i, s:i, s:o}", "cases", n, "passed", n - nf,
	    "failed", nf, "results", cases);
	return doc ? sim_json_save(path, doc) : -1;
}
