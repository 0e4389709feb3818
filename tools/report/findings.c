/* The findings of report.html: a card per finding with its evidence (each
 * number tagged with its path), its advice, and the "What to look at first"
 * section built from verdict.top. */
#include "report/html.h"

#include <stdlib.h>
#include <string.h>

/* Compact JSON of a nested value, escaped. */
static void compact_json(FILE *f, const struct jval *v)
{
	size_t len;
	char *buf = json_to_string(v, 0, &len);

	fputs("<code>", f);
	html_escape(f, buf);
	fputs("</code>", f);
	free(buf);
}

static bool all_scalars(const struct jval *a)
{
	for (size_t i = 0; i < json_len(a); i++)
		if (json_is(json_at(a, i), J_ARR) || json_is(json_at(a, i), J_OBJ))
			return false;
	return true;
}

static void evidence(FILE *f, const struct jval *ev, const char *path);

/* A list: plain values joined with their paths, objects as nested lists. */
static void evidence_list(FILE *f, const struct jval *v, const char *path)
{
	bool plain = all_scalars(v);

	for (size_t i = 0; i < json_len(v); i++) {
		char p[300];

		snprintf(p, sizeof(p), "%s.%zu", path, i);
		if (plain)
			html_value(f, "span", json_at(v, i), p, DP_RAW, 1);
		else if (json_is(json_at(v, i), J_OBJ))
			evidence(f, json_at(v, i), p);
		else
			compact_json(f, json_at(v, i));
		fputs(plain && i + 1 < json_len(v) ? ", " : "", f);
	}
	if (!json_len(v))
		fputs("none", f);
}

/* One evidence value: numbers raw and tagged, log lines as a block, lists
 * of plain values joined, objects as nested lists. */
static void evidence_value(FILE *f, const char *key, const struct jval *v, const char *path)
{
	if (!json_is(v, J_ARR) && !json_is(v, J_OBJ)) {
		html_value(f, "dd", v, path, DP_RAW, 1);
		return;
	}
	fputs("<dd>", f);
	if (json_is(v, J_ARR) && !strcmp(key, "lines")) {
		for (size_t i = 0; i < json_len(v); i++) {
			fputs("<pre>", f);
			html_escape(f, json_as_str(json_at(v, i), ""));
			fputs("</pre>", f);
		}
	} else if (json_is(v, J_OBJ)) {
		evidence(f, v, path);
	} else {
		evidence_list(f, v, path);
	}
	fputs("</dd>", f);
}

static void evidence(FILE *f, const struct jval *ev, const char *path)
{
	if (!json_is(ev, J_OBJ) || !json_len(ev))
		return;
	fputs("<dl class=\"ev\">", f);
	for (size_t i = 0; i < json_len(ev); i++) {
		char p[256];

		snprintf(p, sizeof(p), "%s.%s", path, json_key(ev, i));
		fputs("<dt>", f);
		html_escape(f, json_key(ev, i));
		fputs("</dt>", f);
		evidence_value(f, json_key(ev, i), json_at(ev, i), p);
	}
	fputs("</dl>\n", f);
}

void html_finding_card(FILE *f, const char *test, const struct jval *item, const struct jval *full, const char *path)
{
	const char *sev = json_str(item, "severity", "?"), *advice = json_str(item, "advice", NULL);

	fprintf(f, "<div class=\"finding %s\">", html_status_class(sev));
	html_badge(f, sev);
	fputs(" <strong>", f);
	html_escape(f, json_str(item, "summary", ""));
	fputs("</strong>\n<div class=\"id\">", f);
	html_textf(f, "%s%s%s", test ? test : "", test ? " \xc2\xb7 " : "", json_str(item, "id", ""));
	fputs("</div>\n", f);
	if (full)
		evidence(f, json_get(full, "evidence"), path);
	if (advice) {
		fputs("<p class=\"advice\"><b>Advice:</b> ", f);
		html_escape(f, advice);
		fputs("</p>", f);
	}
	fputs("</div>\n", f);
}

/* The finding a verdict.top entry came from, and its path. */
static const struct jval *top_source(const struct jval *rep, const struct jval *t, char *path, size_t size)
{
	const char *test = json_str(t, "test", ""), *id = json_str(t, "id", "");
	const struct jval *list;

	if (!strcmp(test, "kernel_log")) {
		list = json_arr(rep, "kernel_log");
		snprintf(path, size, "kernel_log");
	} else {
		list = json_arr(json_get(json_get(rep, "tests"), test), "findings");
		snprintf(path, size, "tests.%s.findings", test);
	}
	for (size_t i = 0; i < json_len(list); i++) {
		const struct jval *fd = json_at(list, i);

		if (!strcmp(json_str(fd, "id", ""), id) &&
		    !strcmp(json_str(fd, "summary", ""), json_str(t, "summary", ""))) {
			size_t n = strlen(path);

			snprintf(path + n, size - n, ".%zu.evidence", i);
			return fd;
		}
	}
	return NULL;
}

void html_top_findings(FILE *f, const struct jval *rep)
{
	const struct jval *top = json_path(rep, "verdict.top");

	fputs("<section id=\"top\">\n<h2>What to look at first</h2>\n", f);
	if (html_not_known(f, top, J_ARR, "verdict.top"))
		top = NULL;
	else if (!json_len(top))
		fputs("<p>Nothing: no check failed or warned, and the kernel log is clean.</p>\n", f);
	for (size_t i = 0; i < json_len(top); i++) {
		char path[256];
		const struct jval *src = top_source(rep, json_at(top, i), path, sizeof(path));

		html_finding_card(f, json_str(json_at(top, i), "test", NULL), json_at(top, i), src, path);
	}
	fputs("</section>\n", f);
}
