/* Reports from other machines: report.txt and report.html read the report
 * through lib/json.h's typed accessors, so a member of the wrong type is
 * shown as not known instead of crashing the renderer (issue 18: each file
 * under tests/unit/data/report/mistyped/ made `triage report` or
 * `triage report --html` die with SIGSEGV before). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/util.h"
#include "lib/verdict.h"
#include "report/report.h"
#include "report/view.h"

#define DATA "tests/unit/data/report/"

/* A report with one member of the wrong type, and what each page must say
 * about it: the path that is not known, in the text and in the page. */
static const struct {
	const char *file;
	const char *text;	/* in report.txt; NULL: the text does not show that part */
	const char *html;	/* in report.html */
	const char *wrong;	/* what report.html said before: that the part is empty */
} mistyped[] = {
	{ "verdict-top-string", "not known: verdict.top is a string, not an array",
	  "Not known: <code>verdict.top</code> in report.json is a string, not an array.",
	  "<p>Nothing: no check failed or warned" },
	{ "tests-string", "not known: tests is a string, not an object",
	  "Not known: <code>tests</code> in report.json is a string, not an object.", "No check ran." },
	{ "tests-array", "not known: tests is an array, not an object",
	  "Not known: <code>tests</code> in report.json is an array, not an object.", "No check ran." },
	{ "findings-string", "not known: tests.mem.findings is a string, not an array",
	  "Not known: <code>tests.mem.findings</code> in report.json is a string, not an array.",
	  "<td class=\"n\">0</td>" },
	{ "problems-string", "not known: run.problems is a string, not an array",
	  "Not known: <code>run.problems</code> in report.json is a string, not an array.",
	  "None: every option was understood." },
	{ "per-cpu-string", NULL, "<td class=\"na\" colspan=\"2\">not known</td>", NULL },
	{ "cpus-string", NULL, "Not known: <code>tests.isa.data.cpus</code> in report.json is a string, not an array.",
	  NULL },
	{ "host-vms-string", "not known: tests.host.data.vms is a string, not an array",
	  "Not known: <code>tests.host.data.vms</code> in report.json is a string, not an array.", "No VM configs found" },
	{ "host-states-object", "not known: tests.host.data.cstates.states is an object, not an array",
	  "Not known: <code>tests.host.data.cstates.states</code> in report.json is an object, not an array.",
	  "C-states (intel_idle): none" },
	{ "host-lacks-string", NULL, "<div><b>lacks</b> <span class=\"na\">not known</span></div>", "<b>lacks 0" },
};

static const char *const valid[] = {
	DATA "kvm-quick-pass.json", DATA "kvm-quick-warn.json", DATA "synthetic-full.json",
	DATA "burnin-vm-warn.json", DATA "burnin-host-synthetic.json", DATA "host-v4.json",
	DATA "guest-v2aes.json", DATA "minimal.json", DATA "host-cluster.json", DATA "postmortem-join.json",
	DATA "autopsy-throttled.json", /* tests/autopsy/check's throttled case, then `triage report --json` */
	DATA "postmortem-record.json",
};

static struct jval *load(const char *path)
{
	char err[300];
	struct jval *rep = report_load(path, err, sizeof(err));

	if (!rep)
		fail_msg("%s", err);
	return rep;
}

/* The text joined into one line: the 80-column text wraps long sentences. */
static char *unwrapped(const char *text)
{
	char *out = strdup(text), *o = out;

	assert_non_null(out);
	for (const char *s = text; *s; s++) {
		if (*s == '\n' && s[1] == ' ') {
			while (s[1] == ' ')
				s++;
			*o++ = ' ';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static void test_mistyped_members_not_known(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mistyped) / sizeof(mistyped[0]); i++) {
		char path[200];
		struct jval *rep;
		char *text, *html, *flat;
		size_t tlen, hlen;

		snprintf(path, sizeof(path), DATA "mistyped/%s.json", mistyped[i].file);
		rep = load(path);
		text = render_text(rep, &tlen);
		html = render_html(rep, &hlen);
		assert_int_equal(strlen(text), tlen);
		assert_int_equal(strlen(html), hlen);
		flat = unwrapped(text);
		if (mistyped[i].text && !strstr(flat, mistyped[i].text))
			fail_msg("%s: report.txt lacks \"%s\":\n%s", mistyped[i].file, mistyped[i].text, text);
		if (!strstr(html, mistyped[i].html))
			fail_msg("%s: report.html lacks \"%s\"", mistyped[i].file, mistyped[i].html);
		/* A part that is not known is never claimed to be empty. */
		if (mistyped[i].wrong && strstr(html, mistyped[i].wrong))
			fail_msg("%s: report.html says \"%s\"", mistyped[i].file, mistyped[i].wrong);
		free(flat);
		free(text);
		free(html);
		json_free(rep);
	}
}

/* The reports that vmtriage writes never show "not known". */
static void test_valid_reports_all_known(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct jval *rep = load(valid[i]);
		size_t len;
		char *text = render_text(rep, &len), *html = render_html(rep, &len);

		if (strstr(text, "not known") || strstr(html, "ot known"))
			fail_msg("%s: \"not known\" in a report written by vmtriage", valid[i]);
		free(text);
		free(html);
		json_free(rep);
	}
}

/* Every member of every object, in turn, given each other type: neither
 * renderer crashes (ASan and UBSan watch) and each returns a whole page. */
static const char *const other_types[] = { "null", "\"x\"", "7", "true", "[]", "[\"a\",1]", "{}", "{\"k\":\"v\"}" };

static int retype_walk(struct jval *root, struct jval *v, int budget)
{
	for (size_t i = 0; budget > 0 && (v->type == J_OBJ || v->type == J_ARR) && i < v->len; i++) {
		struct jval *orig = v->items[i];

		for (size_t k = 0; k < sizeof(other_types) / sizeof(other_types[0]); k++) {
			struct jval *repl = json_parse(other_types[k], strlen(other_types[k]), NULL, 0);
			size_t len;
			char *text, *html;

			assert_non_null(repl);
			if (repl->type == orig->type) {
				json_free(repl);
				continue;
			}
			v->items[i] = repl;
			text = render_text(root, &len);
			assert_int_equal(strlen(text), len);
			html = render_html(root, &len);
			assert_non_null(strstr(html, "</html>\n"));
			free(text);
			free(html);
			v->items[i] = orig;
			json_free(repl);
			budget--;
		}
		/* Arrays of many alike elements: the first two stand for the rest. */
		if (v->type == J_OBJ || i < 2)
			budget = retype_walk(root, orig, budget);
	}
	return budget;
}

static void test_every_member_retyped(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct jval *rep = load(valid[i]);

		retype_walk(rep, rep, 300);
		json_free(rep);
	}
}

/* The accessors themselves: a string's len is its bytes and its items are
 * NULL, so only a container counts and only in range is there an element. */
static void test_typed_accessors(void **state)
{
	(void)state;
	const char *in = "{\"s\":\"abc\",\"a\":[1,\"two\",true],\"o\":{\"k\":false},\"n\":null}";
	struct jval *v = json_parse(in, strlen(in), NULL, 0);
	const struct jval *s = json_get(v, "s"), *a = json_get(v, "a"), *o = json_get(v, "o");

	assert_non_null(v);
	assert_int_equal(json_len(s), 0);
	assert_null(json_at(s, 0));
	assert_int_equal(json_len(a), 3);
	assert_int_equal(json_len(o), 1);
	assert_int_equal(json_len(NULL), 0);
	assert_null(json_at(a, 3));
	assert_string_equal(json_as_str(json_at(a, 1), "?"), "two");
	assert_string_equal(json_as_str(json_at(a, 0), "?"), "?");
	assert_true(json_as_num(json_at(a, 0), 0) == 1);
	assert_true(json_as_num(json_at(a, 1), -1) == -1);
	assert_true(json_is_true(json_at(a, 2)));
	assert_false(json_true(o, "k"));
	assert_false(json_true(v, "s"));
	assert_ptr_equal(json_arr(v, "a"), a);
	assert_null(json_arr(v, "s"));
	assert_null(json_arr(v, "o"));
	assert_ptr_equal(json_obj(v, "o"), o);
	assert_null(json_obj(v, "a"));
	assert_null(json_obj(v, "missing"));
	assert_string_equal(json_key(o, 0), "k");
	assert_null(json_key(o, 1));
	assert_null(json_key(a, 0));
	assert_true(json_is(json_get(v, "n"), J_NULL));
	assert_false(json_is(NULL, J_NULL));
	assert_string_equal(json_type_name(J_STR), "a string");
	assert_string_equal(json_type_name(J_ARR), "an array");
	json_free(v);
}

/* ---- the reader's side of the checks' schema fragments ----
 *
 * While the renderers run, json_get_hook records every (object, key) they
 * look up. Each key read below tests.NAME.metrics or tests.NAME.data must
 * be declared in schema/checks/NAME.schema.json: a key renamed in a view
 * (or in the check, and then in the fragment) fails here. */

struct read {
	const struct jval *obj;
	char key[64]; /* a copy: json_path passes a key of its own on the stack */
};

static struct {
	struct read *v;
	size_t n, cap;
} reads;

static void record_read(const struct jval *obj, const char *key)
{
	if (reads.n == reads.cap) {
		reads.cap = reads.cap ? 2 * reads.cap : 4096;
		reads.v = realloc(reads.v, reads.cap * sizeof(*reads.v));
		assert_non_null(reads.v);
	}
	reads.v[reads.n].obj = obj;
	snprintf(reads.v[reads.n++].key, sizeof(reads.v[0].key), "%s", key);
}

/* An object of the report and where it is, array indices as "[]". */
struct place {
	const struct jval *obj;
	char path[240];
};

static struct {
	struct place *v;
	size_t n, cap;
} places;

static void map_objects(const struct jval *v, const char *path)
{
	char sub[240];

	if (json_is(v, J_OBJ)) {
		if (places.n == places.cap) {
			places.cap = places.cap ? 2 * places.cap : 1024;
			places.v = realloc(places.v, places.cap * sizeof(*places.v));
			assert_non_null(places.v);
		}
		places.v[places.n].obj = v;
		snprintf(places.v[places.n++].path, sizeof(places.v[0].path), "%s", path);
	}
	for (size_t i = 0; i < json_len(v); i++) {
		if (json_is(v, J_OBJ))
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", json_key(v, i));
		else
			snprintf(sub, sizeof(sub), "%s.[]", path);
		map_objects(json_at(v, i), sub);
	}
}

static int place_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct place *)a)->obj, y = (uintptr_t)((const struct place *)b)->obj;

	return x < y ? -1 : x > y;
}

/* After map_objects and one sort: where obj is, or NULL. */
static const char *place_of(const struct jval *obj)
{
	struct place key = { .obj = obj };
	const struct place *p = bsearch(&key, places.v, places.n, sizeof(key), place_cmp);

	return p ? p->path : NULL;
}

static struct jval *fragment(const char *check)
{
	char path[200], err[200];
	size_t len;
	char *text;
	struct jval *frag;

	snprintf(path, sizeof(path), "schema/checks/%s.schema.json", check);
	text = read_file(path, 1 << 20, &len);
	if (!text)
		return NULL;
	frag = json_parse(text, len, err, sizeof(err));
	free(text);
	if (!frag)
		fail_msg("%s: %s", path, err);
	return frag;
}

/* Whether a path below tests.NAME ("data.fill.chunk_gibps",
 * "data.blocks.[].p99_us") is declared in the check's fragment. A key may
 * hold dots itself ("data.cstates.cmdline.intel_idle.max_cstate"): the
 * longest key the fragment has at each level is taken. */
static bool declared(const struct jval *node, const char *path)
{
	char seg[128];
	const char *ref = json_str(node, "$ref", NULL);

	/* A part in a fragment of its own ("$ref": "record.schema.json"). */
	if (ref && *path && strstr(ref, ".schema.json")) {
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(strstr(ref, ".schema.json") - ref), ref);
		struct jval *sub = fragment(name);
		bool ok = sub && declared(sub, path);
		json_free(sub);
		return ok;
	}
	if (!*path)
		return node != NULL;
	for (size_t n = strlen(path); node && n > 0; n--) {
		const struct jval *next;

		if (path[n] != '.' && path[n] != '\0')
			continue;
		snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
		next = strcmp(seg, "[]") ? json_get(json_obj(node, "properties"), seg) : json_obj(node, "items");
		if (next && declared(next, path + n + (path[n] == '.')))
			return true;
	}
	return false;
}

/* The keys read below tests.NAME.metrics and .data that no fragment
 * declares, as "tests.NAME.PATH" lines into bad; how many. */
static int undeclared_reads(char *bad, size_t size)
{
	struct jval *frag = NULL; /* the fragment of check frag_name, kept across reads */
	char *frag_name = NULL;
	int n = 0;

	*bad = '\0';
	qsort(places.v, places.n, sizeof(*places.v), place_cmp);
	for (size_t i = 0; i < reads.n; i++) {
		const char *at = place_of(reads.v[i].obj);
		char check[64], rest[400];
		int used = 0;

		if (!at || sscanf(at, "tests.%63[^.].%n", check, &used) != 1 || !used ||
		    (strncmp(at + used, "metrics", 7) && strncmp(at + used, "data", 4)))
			continue;
		snprintf(rest, sizeof(rest), "%s.%s", at + used, reads.v[i].key);
		if (!frag_name || strcmp(frag_name, check)) {
			json_free(frag);
			free(frag_name);
			frag = fragment(check);
			frag_name = strdup(check);
		}
		if (!frag || !declared(frag, rest)) {
			size_t len = strlen(bad);

			snprintf(bad + len, size - len, "tests.%s.%s%s\n", check, rest, frag ? "" : " (no fragment)");
			n++;
		}
	}
	json_free(frag);
	free(frag_name);
	return n;
}

static void reads_reset(void)
{
	free(reads.v);
	free(places.v);
	memset(&reads, 0, sizeof(reads));
	memset(&places, 0, sizeof(places));
}

static void test_reads_declared_in_fragments(void **state)
{
	(void)state;
	reads_reset();
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct jval *rep = load(valid[i]);
		size_t len, before;
		char *text, *html, bad[4000];

		reads.n = places.n = 0;
		json_get_hook = record_read;
		text = render_text(rep, &len);
		html = render_html(rep, &len);
		json_get_hook = NULL;
		before = reads.n;
		map_objects(rep, "");
		if (undeclared_reads(bad, sizeof(bad)))
			fail_msg("%s: the renderers read keys that schema/checks/ does not declare:\n%s", valid[i], bad);
		/* The fixtures with checks exercise the views: they read a lot. */
		if (json_len(json_obj(rep, "tests")))
			assert_true(before > 100);
		free(text);
		free(html);
		json_free(rep);
	}
	reads_reset();
}

/* The check above can fail: a key the fragment does not have is named. */
static void test_undeclared_read_named(void **state)
{
	(void)state;
	const char *in = "{\"tests\":{\"mem\":{\"data\":{\"fill\":{\"chunk_gibps\":[1]}}}}}";
	struct jval *rep = json_parse(in, strlen(in), NULL, 0);
	const struct jval *fill = json_path(rep, "tests.mem.data.fill");
	char bad[400];

	reads_reset();
	map_objects(rep, "");
	record_read(fill, "chunk_gibps");
	assert_int_equal(undeclared_reads(bad, sizeof(bad)), 0);
	record_read(fill, "chunk_gibs");
	assert_int_equal(undeclared_reads(bad, sizeof(bad)), 1);
	assert_string_equal(bad, "tests.mem.data.fill.chunk_gibs\n");
	json_free(rep);
	reads_reset();

	/* a key with dots of its own, the kernel parameter's name */
	in = "{\"tests\":{\"host\":{\"data\":{\"cstates\":{\"cmdline\":{}}}}}}";
	rep = json_parse(in, strlen(in), NULL, 0);
	map_objects(rep, "");
	record_read(json_path(rep, "tests.host.data.cstates.cmdline"), "intel_idle.max_cstate");
	assert_int_equal(undeclared_reads(bad, sizeof(bad)), 0);
	record_read(json_path(rep, "tests.host.data.cstates.cmdline"), "intel_idle.max");
	assert_int_equal(undeclared_reads(bad, sizeof(bad)), 1);
	assert_string_equal(bad, "tests.host.data.cstates.cmdline.intel_idle.max\n");
	json_free(rep);
	reads_reset();
}

/* Every metric a view labels is one its check's fragment declares. */
static void test_view_metrics_declared(void **state)
{
	(void)state;
	static const char *const checks[] = { "isa", "mem", "wake", "burnin", "host", "postmortem", "autopsy" };

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const struct check_view *cv = check_view_find(checks[i]);
		struct jval *frag = fragment(checks[i]);
		char path[200];

		assert_non_null(cv);
		if (!frag)
			fail_msg("schema/checks/%s.schema.json is missing", checks[i]);
		for (size_t k = 0; k < cv->nmetrics; k++) {
			snprintf(path, sizeof(path), "metrics.%s", cv->metrics[k].key);
			if (!declared(frag, path))
				fail_msg("view %s labels metric %s, which schema/checks/%s.schema.json does not declare",
					 checks[i], cv->metrics[k].key, checks[i]);
		}
		json_free(frag);
	}
}

/* ---- a check's own JSON as a report ---- */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/vmtriage-test-report.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* What `triage host -o host.json` writes is read as a report of that one
 * check: the check itself below tests, the verdict from its status, its
 * failures then its warnings first, its findings counted. */
static void test_check_json_as_report(void **state)
{
	struct jval *fixture = load(DATA "host-cluster.json"), *rep;
	const struct jval *check = json_path(fixture, "tests.host"), *fl = json_arr(check, "findings"), *top;
	char *text = json_to_string(check, 2, NULL), *path = write_temp(text), *a, *b, err[300];
	int counts[3] = { 0 };
	size_t len;

	(void)state;
	rep = report_load(path, err, sizeof(err));
	if (!rep)
		fail_msg("%s", err);
	assert_string_equal(json_str(rep, "schema", ""), "vmtriage/1");
	a = json_to_string(json_path(rep, "tests.host"), 0, NULL);
	b = json_to_string(check, 0, NULL);
	assert_string_equal(a, b); /* the check unchanged */
	assert_string_equal(json_str(json_get(rep, "verdict"), "status", ""), "fail");
	assert_true(json_num(json_get(rep, "verdict"), "exit_code", -1) == 1);
	for (size_t i = 0; i < json_len(fl); i++) {
		const char *sev = json_str(json_at(fl, i), "severity", "");

		counts[!strcmp(sev, "fail") ? 0 : !strcmp(sev, "warn") ? 1 : 2]++;
	}
	assert_true(counts[0] >= 1 && counts[1] >= 5);
	assert_true(json_num(json_path(rep, "verdict.findings"), "fail", -1) == counts[0]);
	assert_true(json_num(json_path(rep, "verdict.findings"), "warn", -1) == counts[1]);
	assert_true(json_num(json_path(rep, "verdict.findings"), "info", -1) == counts[2]);
	top = json_path(rep, "verdict.top");
	/* As many as docs/report.md and the schema say (lib/verdict), failures first. */
	assert_int_equal(json_len(top), counts[0] + counts[1] < VERDICT_TOP_MAX ? counts[0] + counts[1] : VERDICT_TOP_MAX);
	assert_true(VERDICT_TOP_MAX == 10);
	assert_string_equal(json_str(json_at(top, 0), "severity", ""), "fail");
	assert_string_equal(json_str(json_at(top, 0), "id", ""), "vm.cpu-beyond-node");
	assert_string_equal(json_str(json_at(top, 0), "test", ""), "host");
	assert_string_equal(json_str(json_at(top, json_len(top) - 1), "severity", ""), "warn");
	/* both renderers show the check's view: the VM table and its fixes */
	free(a);
	a = render_text(rep, &len);
	assert_non_null(strstr(a, "VERDICT: FAIL"));
	assert_non_null(strstr(a, "cluster-safe CPU type: x86-64-v3"));
	assert_null(strstr(a, "bare metal")); /* no system facts: none claimed */
	free(b);
	b = render_html(rep, &len);
	assert_non_null(strstr(b, "<code>--cpu x86-64-v3</code>"));
	assert_non_null(strstr(b, "<section id=\"check-host\">"));
	free(a);
	free(b);
	json_free(rep);
	unlink(path);
	free(path);
	free(text);
	json_free(fixture);
}

/* Anything else is refused with the reason. */
static void test_check_json_refused(void **state)
{
	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "[1,2]", "the JSON is not an object" },
		{ "{\"name\":\"host\"}", "no \"schema\" member, and not a check's JSON either" },
		{ "{\"name\":\"host\",\"status\":\"pass\"}", "no \"schema\" member, and not a check's JSON either" },
		{ "{\"name\":\"Host!\",\"status\":\"pass\",\"metrics\":{}}", "whose name \"Host!\" is not a check's name" },
		{ "{\"name\":\"host\",\"status\":\"great\",\"findings\":[]}",
		  "whose status \"great\" is none of pass, warn, fail, skip, error" },
		{ "{\"schema\":\"other/2\",\"name\":\"host\",\"status\":\"pass\",\"metrics\":{}}",
		  "its schema is \"other/2\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = write_temp(bad[i].json), err[400];
		struct jval *rep = report_load(path, err, sizeof(err));

		if (rep)
			fail_msg("%s: read as a report", bad[i].json);
		if (!strstr(err, bad[i].why) || !strstr(err, path) || !strstr(err, "not a vmtriage/1 report"))
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].json, err, bad[i].why);
		unlink(path);
		free(path);
	}
	/* a skipped check is a pass of the report, as triage run ranks it */
	{
		char *path = write_temp("{\"name\":\"wake\",\"status\":\"skip\",\"reason\":\"no\",\"metrics\":{}}"), err[300];
		struct jval *rep = report_load(path, err, sizeof(err));

		assert_non_null(rep);
		assert_string_equal(json_str(json_get(rep, "verdict"), "status", ""), "pass");
		assert_int_equal(json_len(json_path(rep, "verdict.top")), 0);
		json_free(rep);
		unlink(path);
		free(path);
	}
}

/* The post-mortem's view: each trap's instruction and verdict, and what
 * will fail next, in both renderings (a report `triage run` wrote with
 * isa's AVX2 fault injected and tests/postmortem/make-join-root's root). */
static void test_postmortem_view(void **state)
{
	(void)state;
	struct jval *rep = load(DATA "postmortem-join.json");
	size_t len;
	char *text = render_text(rep, &len), *html = render_html(rep, &len);

	assert_non_null(strstr(text, "-> vpbroadcastb (avx2), bytes c4 e2 7d 78 c0 at\n"));
	assert_non_null(strstr(text, "What will fail next on this vCPU (Rocky Linux 10.0"));
	assert_non_null(strstr(text, "/usr/local/bin/bun: needs avx2, FAILS here"));
	assert_non_null(strstr(text, "3 times in 2 boot(s)"));
	assert_non_null(strstr(html, "<code>vpbroadcastb</code> (avx2) <code>c4 e2 7d 78 c0</code> at /usr/bin/avx2prog+0x1040"));
	assert_non_null(strstr(html, "<h3>What will fail next on this vCPU</h3>"));
	assert_non_null(strstr(html, "died at mov, base x86-64"));
	free(text);
	free(html);
	json_free(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_accessors),
		cmocka_unit_test(test_mistyped_members_not_known),
		cmocka_unit_test(test_valid_reports_all_known),
		cmocka_unit_test(test_every_member_retyped),
		cmocka_unit_test(test_reads_declared_in_fragments),
		cmocka_unit_test(test_undeclared_read_named),
		cmocka_unit_test(test_view_metrics_declared),
		cmocka_unit_test(test_check_json_as_report),
		cmocka_unit_test(test_check_json_refused),
		cmocka_unit_test(test_postmortem_view),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
