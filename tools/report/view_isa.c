/* The isa check in the report: the levels, the closest PVE CPU type, and
 * the matrix of extensions by CPU. */
#include "report/view.h"

#include <stdbool.h>
#include <string.h>

#include "lib/util.h"

/* Above this many CPUs the ISA matrix lists only the CPUs that differ,
 * instead of one column per CPU. */
#define ISA_MATRIX_MAX_CPUS 32

static const struct field isa_metrics[] = {
	{ "x86-64 level, CPUID", "level_cpuid", 0, 0, NULL },
	{ "x86-64 level, executes", "level_exec", 0, 0, NULL },
	{ "extensions tested", "extensions", 0, 0, NULL },
	{ "ok", "ok", 0, 0, NULL },
	{ "absent", "absent", 0, 0, NULL },
	{ "fault", "faults", 0, 0, NULL },
	{ "wrong result", "wrong", 0, 0, NULL },
	{ "works, not advertised", "works_unadvertised", 0, 0, NULL },
	{ "not enabled by the OS", "not_os_enabled", 0, 0, NULL },
	{ "CPUs disagree", "inconsistent", 0, 0, NULL },
	{ "CPUs tested", "cpus", 0, 0, NULL },
};

static const struct {
	const char *state, *glyph, *meaning;
} isa_states[] = {
	{ "ok", "\xe2\x9c\x93", "advertised, executes, right" },
	{ "absent", "\xe2\x80\x93", "not advertised, does not work" },
	{ "faults", "\xe2\x9c\x97", "advertised, raises a fault" },
	{ "wrong", "\xe2\x89\xa0", "advertised, wrong result" },
	{ "not-os-enabled", "\xe2\x88\x85", "advertised, the OS did not enable it" },
	{ "works-unadvertised", "?", "not advertised, yet works" },
	{ "inconsistent", "~", "CPUs disagree" },
};

static const char *isa_glyph(const char *state)
{
	for (size_t i = 0; i < ARRAY_SIZE(isa_states); i++)
		if (!strcmp(isa_states[i].state, state))
			return isa_states[i].glyph;
	return "?";
}

/* A state as a CSS class: the known ones, else none. */
static const char *state_class(const char *state)
{
	for (size_t i = 0; i < ARRAY_SIZE(isa_states); i++)
		if (!strcmp(isa_states[i].state, state))
			return isa_states[i].state;
	return "unknown";
}

static void isa_cpu_cells(FILE *f, const struct jval *per_cpu, const struct jval *cpus, bool columns,
			  const char *summary)
{
	if (columns) {
		for (size_t c = 0; per_cpu && c < per_cpu->len; c++) {
			const char *st = per_cpu->items[c]->type == J_STR ? per_cpu->items[c]->str : "?";
			const struct jval *id = cpus && c < cpus->len ? cpus->items[c] : NULL;

			fprintf(f, "<td class=\"st st-%s\" title=\"CPU %.0f: ", state_class(st), json_is(id, J_NUM) ? id->num : (double)c);
			html_escape(f, st);
			fprintf(f, "\">%s</td>", isa_glyph(st));
		}
		return;
	}
	fputs("<td>", f);
	for (size_t c = 0, shown = 0; per_cpu && c < per_cpu->len; c++) {
		const char *st = per_cpu->items[c]->type == J_STR ? per_cpu->items[c]->str : "?";
		const struct jval *id = cpus && c < cpus->len ? cpus->items[c] : NULL;

		if (!strcmp(st, summary))
			continue;
		html_textf(f, "%s%.0f: %s", shown++ ? ", " : "", json_is(id, J_NUM) ? id->num : (double)c, st);
	}
	fputs("</td>", f);
}

/* The header: state and the CPUs first, so a phone shows them unscrolled. */
static void isa_matrix_head(FILE *f, const struct jval *cpus, size_t ncpu, bool columns)
{
	fputs("<div class=\"scroll\"><table class=\"isa\">\n<thead><tr><th>extension</th><th>state</th>", f);
	for (size_t c = 0; columns && c < ncpu; c++) {
		const struct jval *id = cpus && c < cpus->len ? cpus->items[c] : NULL;

		fprintf(f, "<th class=\"st\">CPU %.0f</th>", json_is(id, J_NUM) ? id->num : (double)c);
	}
	fputs(columns ? "" : "<th>CPUs that differ</th>", f);
	fputs("<th>level</th><th>CPUID</th><th>OS</th></tr></thead>\n", f);
}

static void isa_matrix_row(FILE *f, const struct jval *e, const char *path, const struct jval *cpus, bool columns)
{
	const char *st = json_str(e, "state", "?");

	html_el(f, "<tr><th>", json_str(e, "name", "?"), "</th>");
	fprintf(f, "<td class=\"state st-%s\">", state_class(st));
	html_escape(f, st);
	fputs("</td>", f);
	isa_cpu_cells(f, json_get(e, "per_cpu"), cpus, columns, st);
	html_value(f, "td", json_get(e, "level"), path, 0, 1);
	html_value(f, "td", json_get(e, "advertised"), "", 0, 1);
	html_value(f, "td", json_get(e, "os_enabled"), "", 0, 1);
	fputs("</tr>\n", f);
}

static void isa_matrix(FILE *f, const struct jval *exts, const struct jval *cpus, const char *name)
{
	const struct jval *first = json_get(exts->items[0], "per_cpu");
	size_t ncpu = first && first->type == J_ARR ? first->len : 0;
	bool columns = ncpu <= ISA_MATRIX_MAX_CPUS;
	char path[200];

	isa_matrix_head(f, cpus, ncpu, columns);
	for (size_t i = 0; i < exts->len; i++) {
		snprintf(path, sizeof(path), "tests.%s.data.extensions.%zu.level", name, i);
		isa_matrix_row(f, exts->items[i], path, cpus, columns);
	}
	fputs("</table></div>\n<p class=\"legend\">", f);
	for (size_t i = 0; i < ARRAY_SIZE(isa_states); i++)
		fprintf(f, "<span>%s %s: %s</span>", isa_states[i].glyph, isa_states[i].state, isa_states[i].meaning);
	fputs("</p>\n", f);
}

static void isa_levels(FILE *f, const struct jval *d, const char *name)
{
	const struct jval *lv = json_get(d, "levels"), *pve = json_get(d, "pve");
	char path[160];

	if (!lv && !pve)
		return;
	fputs("<div class=\"scroll\"><table class=\"facts\">\n", f);
	if (lv) {
		snprintf(path, sizeof(path), "tests.%s.data.levels.cpuid", name);
		fputs("<tr><th>x86-64 level by CPUID</th>", f);
		html_value(f, "td", json_get(lv, "cpuid"), path, 0, 1);
		fputs("</tr>\n<tr><th>missing for the next</th><td>", f);
		html_names(f, json_get(lv, "cpuid_missing_for_next"));
		snprintf(path, sizeof(path), "tests.%s.data.levels.exec", name);
		fputs("</td></tr>\n<tr><th>x86-64 level by execution</th>", f);
		html_value(f, "td", json_get(lv, "exec"), path, 0, 1);
		fputs("</tr>\n<tr><th>missing for the next</th><td>", f);
		html_names(f, json_get(lv, "exec_missing_for_next"));
		fputs("</td></tr>\n", f);
	}
	if (pve && pve->type == J_OBJ) {
		html_el(f, "<tr><th>closest PVE CPU type</th><td>", json_str(pve, "closest", "none"), "</td></tr>\n");
		html_el(f, "<tr><th>richest generic type</th><td>", json_str(pve, "generic", "none"), "</td></tr>\n");
		html_el(f, "<tr><th>richest named model</th><td>", json_str(pve, "model", "none"), "</td></tr>\n");
		fputs("<tr><th>beyond that type</th><td>", f);
		html_names(f, json_get(pve, "beyond"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void isa_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data"), *exts = json_get(d, "extensions");

	isa_levels(f, d, name);
	if (!exts || exts->type != J_ARR || !exts->len)
		return;
	fputs("<h3>Extensions by CPU</h3>\n", f);
	isa_matrix(f, exts, json_get(d, "cpus"), name);
}

const struct check_view isa_view = { "isa", isa_metrics, ARRAY_SIZE(isa_metrics), isa_html, NULL };
