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
	{ "CPUID only", "untested", 0, 0, NULL },
	{ "turned off by the kernel", "kernel_cleared", 0, 0, NULL },
	{ "CPUID and kernel differ", "kernel_disagreements", 0, 0, NULL },
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
	{ "untested", "\xc2\xb7", "advertised, not executed (CPUID only)" },
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

/* The number of the c-th CPU tested: data.cpus[c], else c. */
static double cpu_number(const struct jval *cpus, size_t c)
{
	return json_is(cpus, J_ARR) ? json_as_num(json_at(cpus, c), (double)c) : (double)c;
}

static void isa_cpu_cells(FILE *f, const struct jval *per_cpu, const struct jval *cpus, size_t ncpu, bool columns,
			  const char *summary)
{
	if (per_cpu && !json_is(per_cpu, J_ARR)) {
		if (!columns)
			fputs("<td class=\"na\">not known</td>", f);
		else if (ncpu)
			fprintf(f, "<td class=\"na\" colspan=\"%zu\">not known</td>", ncpu);
		return;
	}
	if (columns) {
		for (size_t c = 0; c < json_len(per_cpu); c++) {
			const char *st = json_as_str(json_at(per_cpu, c), "?");

			fprintf(f, "<td class=\"st st-%s\" title=\"CPU %.0f: ", state_class(st), cpu_number(cpus, c));
			html_escape(f, st);
			fprintf(f, "\">%s</td>", isa_glyph(st));
		}
		return;
	}
	fputs("<td>", f);
	for (size_t c = 0, shown = 0; c < json_len(per_cpu); c++) {
		const char *st = json_as_str(json_at(per_cpu, c), "?");

		if (!strcmp(st, summary))
			continue;
		html_textf(f, "%s%.0f: %s", shown++ ? ", " : "", cpu_number(cpus, c), st);
	}
	fputs("</td>", f);
}

/* The header: state and the CPUs first, so a phone shows them unscrolled. */
static void isa_matrix_head(FILE *f, const struct jval *cpus, size_t ncpu, bool columns)
{
	fputs("<div class=\"scroll\"><table class=\"isa\">\n<thead><tr><th>extension</th><th>state</th>", f);
	for (size_t c = 0; columns && c < ncpu; c++)
		fprintf(f, "<th class=\"st\">CPU %.0f</th>", cpu_number(cpus, c));
	fputs(columns ? "" : "<th>CPUs that differ</th>", f);
	fputs("<th>level</th><th>CPUID</th><th>OS</th></tr></thead>\n", f);
}

static void isa_matrix_row(FILE *f, const struct jval *e, const char *path, const struct jval *cpus, size_t ncpu,
			   bool columns)
{
	const char *st = json_str(e, "state", "?");

	html_el(f, "<tr><th>", json_str(e, "name", "?"), "</th>");
	fprintf(f, "<td class=\"state st-%s\">", state_class(st));
	html_escape(f, st);
	fputs("</td>", f);
	isa_cpu_cells(f, json_get(e, "per_cpu"), cpus, ncpu, columns, st);
	html_value(f, "td", json_get(e, "level"), path, 0, 1);
	html_value(f, "td", json_get(e, "advertised"), "", 0, 1);
	html_value(f, "td", json_get(e, "os_enabled"), "", 0, 1);
	fputs("</tr>\n", f);
}

static void isa_matrix(FILE *f, const struct jval *exts, const struct jval *cpus, const char *name)
{
	size_t ncpu = 0;
	bool columns;
	char path[200];

	/* The CPUs of the first extension that lists them: all list the same. */
	for (size_t i = 0; i < json_len(exts) && !ncpu; i++)
		ncpu = json_len(json_arr(json_at(exts, i), "per_cpu"));
	columns = ncpu <= ISA_MATRIX_MAX_CPUS;

	snprintf(path, sizeof(path), "tests.%s.data.cpus", name);
	html_not_known(f, cpus, J_ARR, path);
	isa_matrix_head(f, cpus, ncpu, columns);
	for (size_t i = 0; i < json_len(exts); i++) {
		snprintf(path, sizeof(path), "tests.%s.data.extensions.%zu.level", name, i);
		isa_matrix_row(f, json_at(exts, i), path, cpus, ncpu, columns);
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
	if (json_is(pve, J_OBJ)) {
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
	const struct jval *d = json_get(test, "data"), *exts = json_arr(d, "extensions");
	char path[160];

	isa_levels(f, d, name);
	snprintf(path, sizeof(path), "tests.%s.data.extensions", name);
	if (html_not_known(f, json_get(d, "extensions"), J_ARR, path) || !json_len(exts))
		return;
	fputs("<h3>Extensions by CPU</h3>\n", f);
	isa_matrix(f, exts, json_get(d, "cpus"), name);
}

const struct check_view isa_view = { "isa", isa_metrics, ARRAY_SIZE(isa_metrics), isa_html, NULL };
