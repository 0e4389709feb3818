/* report.html: escaping, figures identical to report.json, the charts, and
 * reports with parts missing. The reports are recorded runs of this build
 * VM and synthetic ones (tests/unit/data/report/make-synthetic.py,
 * make-burnin-synthetic.py). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"
#include "report/html.h"

#define DATA "tests/unit/data/report/"

static const char *const reports[] = {
	DATA "kvm-quick-pass.json",
	DATA "kvm-quick-warn.json",
	DATA "synthetic-full.json",
	DATA "burnin-vm-warn.json",
	DATA "burnin-host-synthetic.json",
};

struct page {
	struct jval *rep;
	char *html;
	size_t len;
};

static void page_load(struct page *p, const char *path)
{
	char err[300];

	p->rep = report_load(path, err, sizeof(err));
	if (!p->rep)
		fail_msg("%s", err);
	p->html = render_html(p->rep, &p->len);
	assert_non_null(p->html);
	assert_int_equal(strlen(p->html), p->len);
}

static void page_free(struct page *p)
{
	json_free(p->rep);
	free(p->html);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *s = hay; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

/* A data-path ("tests.wake.data.blocks.3.p99_us") resolved in the report. */
static const struct jval *resolve(const struct jval *v, const char *path)
{
	char key[128];

	while (v && *path) {
		size_t n = strcspn(path, ".");

		assert_true(n < sizeof(key));
		memcpy(key, path, n);
		key[n] = '\0';
		if (v->type == J_ARR) {
			char *end;
			unsigned long i = strtoul(key, &end, 10);

			v = *end || i >= v->len ? NULL : v->items[i];
		} else {
			v = json_get(v, key);
		}
		path += n + (path[n] == '.');
	}
	return v;
}

/* The quoted value of attr in the tag around s, into buf. */
static const char *attr(const char *tag, const char *name, char *buf, size_t size)
{
	char pat[40];
	const char *s, *end = strchr(tag, '>');

	snprintf(pat, sizeof(pat), " %s=\"", name);
	s = strstr(tag, pat);
	if (!s || s > end)
		return NULL;
	s += strlen(pat);
	snprintf(buf, size, "%.*s", (int)(strchr(s, '"') - s), s);
	return buf;
}

/* Checks one tagged figure: the raw value is the report's, and the shown
 * text is that value (divided by data-scale) rounded to its decimals. */
static void check_figure(const struct jval *rep, const char *tag)
{
	char path[300], raw[64], scale[32], want[64];
	const char *text = strchr(tag, '>') + 1;
	const struct jval *v;
	double shown, s = 1;
	int dp = 0;

	assert_non_null(attr(tag, "data-path", path, sizeof(path)));
	assert_non_null(attr(tag, "data-value", raw, sizeof(raw)));
	if (attr(tag, "data-scale", scale, sizeof(scale)))
		s = atof(scale);
	v = resolve(rep, path);
	if (!v || v->type != J_NUM)
		fail_msg("data-path %s is not a number in the report", path);
	/* Exactly the report's number, independent of how the page formats it. */
	if (strtod(raw, NULL) != v->num) {
		snprintf(want, sizeof(want), "%.17g", v->num);
		fail_msg("%s: data-value %s, report %s", path, raw, want);
	}
	shown = strtod(text, NULL);
	if (strchr(text, '.') && strchr(text, '.') < strchr(text, '<'))
		dp = (int)(strcspn(strchr(text, '.') + 1, "<"));
	if (fabs(shown - v->num / s) > 0.5 * pow(10, -dp) * (1 + 1e-9) + 1e-12)
		fail_msg("%s: shows %.*s for %s / %g", path, (int)strcspn(text, "<"), text, raw, s);
}

static int check_all_figures(const struct page *p)
{
	int n = 0;

	for (const char *s = p->html; (s = strstr(s, " data-path=\"")) != NULL; s++, n++) {
		const char *tag = s;

		while (tag > p->html && *tag != '<')
			tag--;
		check_figure(p->rep, tag);
	}
	return n;
}

static bool has_figure(const char *html, const char *path)
{
	char pat[300];

	snprintf(pat, sizeof(pat), "data-path=\"%s\"", path);
	return strstr(html, pat) != NULL;
}

static void test_escape(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	html_escape(f, "<script>alert('x') & \"q\"</script>\x01\ttab\n");
	html_escape(f, NULL);
	fclose(f);
	assert_string_equal(buf, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;q&quot;&lt;/script&gt;&#xFFFD;\ttab\n");
	free(buf);
}

static void test_raw_number(void **state)
{
	(void)state;
	char b[48];

	html_raw_number(b, sizeof(b), 24684084);
	assert_string_equal(b, "24684084");
	html_raw_number(b, sizeof(b), 52.94054021);
	assert_string_equal(b, "52.94054021");
	html_raw_number(b, sizeof(b), 0.214);
	assert_string_equal(b, "0.214");
}

/* Every tagged figure of every report equals report.json; the pages have
 * many of them. */
static void test_figures_match(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		struct page p;

		page_load(&p, reports[i]);
		assert_true(check_all_figures(&p) > 150);
		page_free(&p);
	}
}

/* Every numeric metric of every check is a tagged figure on the page. */
static void assert_metrics_shown(const struct page *p)
{
	const struct jval *tests = json_get(p->rep, "tests");

	for (size_t t = 0; t < tests->len; t++) {
		const struct jval *m = json_get(tests->items[t], "metrics");
		char path[200];

		for (size_t k = 0; k < m->len; k++) {
			snprintf(path, sizeof(path), "tests.%s.metrics.%s", tests->keys[t], m->keys[k]);
			if (m->items[k]->type == J_NUM && !has_figure(p->html, path))
				fail_msg("%s is not on the page", path);
		}
	}
}

/* The verdict, its counts and every numeric metric of every check. */
static void test_key_figures_present(void **state)
{
	(void)state;
	struct page p;

	page_load(&p, DATA "synthetic-full.json");
	assert_non_null(strstr(p.html, "<div class=\"verdict bg-fail\" id=\"verdict\"><b>FAIL</b>"));
	assert_true(has_figure(p.html, "verdict.findings.fail"));
	assert_true(has_figure(p.html, "verdict.findings.warn"));
	assert_true(has_figure(p.html, "verdict.findings.info"));
	assert_true(has_figure(p.html, "verdict.exit_code"));
	assert_true(has_figure(p.html, "run.duration_s"));
	assert_metrics_shown(&p);
	assert_true(has_figure(p.html, "tests.wake.data.blocks.10.p99_us"));
	assert_true(has_figure(p.html, "tests.mem.data.fill.gibps"));
	assert_true(has_figure(p.html, "tests.isa.findings.0.evidence.cpu"));
	assert_true(has_figure(p.html, "kernel_log.0.evidence.count"));
	page_free(&p);
}

static void test_escaped_markup(void **state)
{
	(void)state;
	struct page p;

	page_load(&p, DATA "synthetic-full.json");
	/* No script at all; the report's markup shows as text. */
	assert_null(strstr(p.html, "<script"));
	assert_null(strstr(p.html, "<b>bold"));
	assert_null(strstr(p.html, "<core>"));
	assert_true(count(p.html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 3);
	assert_non_null(strstr(p.html, "&lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(p.html, "&quot;x86-64-v2-AES&quot; &amp; restart"));
	assert_non_null(strstr(p.html, "QEMU &quot;Standard&quot; &amp; Co"));
	page_free(&p);
}

/* One self-contained file: nothing is loaded from anywhere. */
static void test_self_contained(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		struct page p;

		page_load(&p, reports[i]);
		assert_null(strstr(p.html, "http:"));
		assert_null(strstr(p.html, "https:"));
		assert_null(strstr(p.html, " src="));
		assert_null(strstr(p.html, "url("));
		assert_null(strstr(p.html, "@import"));
		assert_int_equal(count(p.html, " href=\""), count(p.html, " href=\"#"));
		assert_non_null(strstr(p.html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
		assert_non_null(strstr(p.html, "default-src 'none'"));
		assert_true(strncmp(p.html, "<!DOCTYPE html>\n", 16) == 0);
		assert_non_null(strstr(p.html, "</html>\n"));
		page_free(&p);
	}
}

static void test_charts(void **state)
{
	(void)state;
	static const char *const ids[] = { "chart-wake", "chart-fill", "chart-memtotal" };
	struct page p;

	page_load(&p, DATA "kvm-quick-warn.json");
	assert_int_equal(count(p.html, "<svg "), 3);
	assert_int_equal(count(p.html, "</svg>"), 3);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "<title id=\"%s-t\">", ids[i]);
		assert_non_null(strstr(p.html, pat));
		snprintf(pat, sizeof(pat), "<desc id=\"%s-d\">", ids[i]);
		assert_non_null(strstr(p.html, pat));
	}
	/* Six wake series (2 runs x p50, p99, max), four memory lines. */
	assert_int_equal(count(p.html, "<polyline class=\"ln c"), 6 + 4);
	assert_int_equal(count(p.html, "<polyline class=\"ln c1 dash\""), 1);
	assert_true(count(p.html, "<rect class=\"bar") == (int)json_path(p.rep, "tests.mem.data.fill.chunk_gibps")->len);
	/* Axes carry labels and units. */
	assert_non_null(strstr(p.html, ">wake-up overshoot (log scale)</text>"));
	assert_non_null(strstr(p.html, ">100ms</text>"));
	assert_non_null(strstr(p.html, ">fill throughput (GiB/s)</text>"));
	assert_non_null(strstr(p.html, ">time since the start of the check (s)</text>"));
	assert_non_null(strstr(p.html, ">idle length before the wake-up</text>"));
	page_free(&p);
}

/* A hot host: the stressor table, the failure line, both charts. */
static void test_burnin_host(void **state)
{
	(void)state;
	static const char *const ids[] = { "chart-burnin-temp", "chart-burnin-freq" };
	const struct jval *sng;
	struct page p;

	page_load(&p, DATA "burnin-host-synthetic.json");
	assert_metrics_shown(&p);
	/* One row per stressor, its figures tagged, the one that miscompared marked. */
	assert_non_null(strstr(p.html, "<table class=\"stressors\">"));
	sng = json_path(p.rep, "tests.burnin.data.stress_ng.stressors");
	for (size_t i = 0; i < sng->len; i++) {
		char path[120];

		snprintf(path, sizeof(path), "tests.burnin.data.stress_ng.stressors.%zu.bogo_ops_per_s", i);
		assert_true(has_figure(p.html, path));
	}
	assert_non_null(strstr(p.html, "<tr class=\"bad\"><th>vecfp<span class=\"what\">floating point on vectors"));
	assert_int_equal(count(p.html, "<tr class=\"bad\">"), 1);
	assert_non_null(strstr(p.html, "<dt>miscompare</dt><dd><pre>stress-ng: fail:  [4242] vecfp: floating point "
				       "&lt;vector&gt; addition"));
	/* Temperature, then frequency with CPU use on a second axis. */
	assert_int_equal(count(p.html, "<svg "), 2);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "<title id=\"%s-t\">", ids[i]);
		assert_non_null(strstr(p.html, pat));
		snprintf(pat, sizeof(pat), "<desc id=\"%s-d\">", ids[i]);
		assert_non_null(strstr(p.html, pat));
	}
	assert_int_equal(count(p.html, "<polyline class=\"ln c"), 3);
	assert_int_equal(count(p.html, "<line class=\"ln c3 dash\""), 1);
	assert_non_null(strstr(p.html, ">temperature (\xc2\xb0" "C)</text>"));
	assert_non_null(strstr(p.html, ">CPUs busy (%)</text>"));
	assert_non_null(strstr(p.html, ">time since the start of the load (min)</text>"));
	assert_non_null(strstr(p.html, "critical, coretemp Package id 0: 100 \xc2\xb0" "C"));
	assert_non_null(strstr(p.html, "Each point merges 8 samples"));
	/* The health table: sensors, throttling, EDAC per controller. */
	assert_true(has_figure(p.html, "tests.burnin.data.health.sensors.2.crit_c"));
	assert_true(has_figure(p.html, "tests.burnin.data.health.throttle.package_ms"));
	assert_true(has_figure(p.html, "tests.burnin.data.health.edac.controllers.0.ue_after"));
	assert_true(has_figure(p.html, "tests.burnin.data.isa.rounds"));
	assert_null(strstr(p.html, "not measured"));
	page_free(&p);
}

/* A guest: no sensors and no counters, so null metrics and no temperature
 * chart, each saying why. */
static void test_burnin_vm(void **state)
{
	(void)state;
	const struct jval *m;
	struct page p;
	int nulls = 0;

	page_load(&p, DATA "burnin-vm-warn.json");
	assert_metrics_shown(&p);
	m = json_path(p.rep, "tests.burnin.metrics");
	for (size_t k = 0; k < m->len; k++)
		nulls += m->items[k]->type == J_NULL;
	assert_true(nulls > 0);
	assert_int_equal(count(p.html, "<span class=\"na\">not measured</span>"), nulls);
	assert_false(has_figure(p.html, "tests.burnin.metrics.temp_max_c"));
	assert_non_null(strstr(p.html, "<table class=\"stressors\">"));
	assert_true(has_figure(p.html, "tests.burnin.data.stress_ng.stressors.4.bogo_ops"));
	assert_int_equal(count(p.html, "<svg "), 1);
	assert_null(strstr(p.html, "chart-burnin-temp"));
	assert_non_null(strstr(p.html, "<title id=\"chart-burnin-freq-t\">"));
	assert_non_null(strstr(p.html, "No temperature chart: this is a virtual machine"));
	assert_int_equal(count(p.html, "not available on this machine"), 3);
	assert_non_null(strstr(p.html, ">time since the start of the load (s)</text>"));
	page_free(&p);
}

/* Only the schema, or checks without data: the page says what there is. */
static void test_parts_missing(void **state)
{
	(void)state;
	struct page p;

	page_load(&p, DATA "minimal.json");
	assert_null(strstr(p.html, "<svg"));
	assert_non_null(strstr(p.html, "No check ran."));
	assert_non_null(strstr(p.html, "The report has no system facts."));
	assert_non_null(strstr(p.html, "</html>\n"));
	page_free(&p);

	page_load(&p, DATA "synthetic-full.json");
	assert_non_null(strstr(p.html, "id=\"check-burnin\""));
	assert_non_null(strstr(p.html, "crashed: killed by signal 11 (Segmentation fault) &lt;core&gt;"));
	assert_non_null(strstr(p.html, "Written to /dev/vdb (label TRIAGE, vfat)"));
	assert_non_null(strstr(p.html, "triage.mem.percent=200: out of range &lt;10..95&gt;; ignored"));
	/* The disagreeing CPU and the fault show in the ISA matrix. */
	assert_non_null(strstr(p.html, "<td class=\"st st-faults\" title=\"CPU 1: faults\">"));
	assert_non_null(strstr(p.html, "<td class=\"state st-inconsistent\">inconsistent</td>"));
	page_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_raw_number),
		cmocka_unit_test(test_figures_match),
		cmocka_unit_test(test_key_figures_present),
		cmocka_unit_test(test_escaped_markup),
		cmocka_unit_test(test_self_contained),
		cmocka_unit_test(test_charts),
		cmocka_unit_test(test_burnin_host),
		cmocka_unit_test(test_burnin_vm),
		cmocka_unit_test(test_parts_missing),
	};
	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
