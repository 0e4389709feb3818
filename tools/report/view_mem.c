/* The mem check in the report: the phases, the time to touch each block,
 * the fill throughput and MemTotal over time. */
#include "report/view.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lib/util.h"
#include "report/svg.h"

static const struct field mem_metrics[] = {
	{ "filled", "filled_mib", 0, 0, "MiB" },
	{ "fill", "fill_gibps", 3, 0, "GiB/s" },
	{ "verify", "verify_gibps", 3, 0, "GiB/s" },
	{ "fill + verify", "tested_gibps", 3, 0, "GiB/s" },
	{ "worst 2 MiB block", "worst_block_ms", 1, 0, "ms" },
	{ "stalls", "stalls", 0, 0, NULL },
	{ "mismatches", "mismatches", 0, 0, NULL },
	{ "MemTotal", "memtotal_kib", 0, 1024, "MiB" },
	{ "MemAvailable", "memavailable_kib", 0, 1024, "MiB" },
	{ "MemTotal drop", "memtotal_drop_kib", 0, 1024, "MiB" },
	{ "ballooned", "balloon_kib", 0, 1024, "MiB" },
	{ "balloon inflated", "balloon_inflated_kib", 0, 1024, "MiB" },
	{ "PSI full, max", "psi_full_max_pct", 1, 0, "%" },
	{ "major faults", "pgmajfault", 0, 0, NULL },
	{ "OOM-killed", "oom_killed", 0, 0, NULL },
	{ "given back", "yielded_mib", 0, 0, "MiB" },
};

/* Rows of the phase table: a label, the object below data, and its keys. */
static const struct {
	const char *label, *obj, *bytes, *seconds, *gibps, *stopped_by;
} mem_phases[] = {
	{ "fill", "fill", "bytes", "seconds", "gibps", "stopped_by" },
	{ "hold (MiB given back)", "hold", "yielded_bytes", "seconds", NULL, NULL },
	{ "churn: refill", "churn", "refilled_bytes", NULL, "gibps", "stopped_by" },
};

static void mem_row(FILE *f, const char *label, const struct jval *o, const char *path, const char *const keys[4])
{
	static const int dp[] = { 0, 2, 3 };
	static const double scale[] = { 1048576, 1, 1 };
	char p[200];

	fputs("<tr><th>", f);
	html_escape(f, label);
	fputs("</th>", f);
	for (int k = 0; k < 3; k++) {
		snprintf(p, sizeof(p), "%s.%s", path, keys[k] ? keys[k] : "");
		html_value(f, "td", keys[k] ? json_get(o, keys[k]) : NULL, p, dp[k], scale[k]);
	}
	html_value(f, "td", keys[3] ? json_get(o, keys[3]) : NULL, "", 0, 1);
	fputs("</tr>\n", f);
}

static void mem_phase_table(FILE *f, const struct jval *d, const char *name)
{
	const struct jval *passes = json_arr(json_get(d, "verify"), "passes");
	char path[160];

	fputs("<div class=\"scroll\"><table class=\"phases\">\n<thead><tr><th>phase</th><th>MiB</th><th>seconds</th><th>GiB/s</th>"
	      "<th>stopped by / mismatches</th></tr></thead>\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(mem_phases); i++) {
		const char *const keys[4] = { mem_phases[i].bytes, mem_phases[i].seconds, mem_phases[i].gibps,
					      mem_phases[i].stopped_by };
		const struct jval *o = json_get(d, mem_phases[i].obj);

		if (!o)
			continue;
		snprintf(path, sizeof(path), "tests.%s.data.%s", name, mem_phases[i].obj);
		mem_row(f, mem_phases[i].label, o, path, keys);
	}
	for (size_t i = 0; i < json_len(passes); i++) {
		const char *const keys[4] = { "bytes", "seconds", "gibps", NULL };
		char label[160];

		snprintf(label, sizeof(label), "verify: %s", json_str(json_at(passes, i), "name", "?"));
		snprintf(path, sizeof(path), "tests.%s.data.verify.passes.%zu", name, i);
		mem_row(f, label, json_at(passes, i), path, keys);
	}
	fputs("</table></div>\n", f);
}

static const struct field mem_block_fields[] = {
	{ "median", "median_us", 0, 0, "us" },
	{ "p99", "p99_us", 0, 0, "us" },
	{ "max", "max_us", 0, 0, "us" },
	{ "stall threshold", "stall_threshold_us", 0, 0, "us" },
	{ "stalls", "stalls", 0, 0, NULL },
	{ "blocks", "count", 0, 0, NULL },
};

static void mem_blocks(FILE *f, const struct jval *blocks, const char *name)
{
	char path[200];

	if (!blocks)
		return;
	fputs("<h3>Time to touch each fresh 2 MiB block</h3>\n<div class=\"kv\">\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(mem_block_fields); i++) {
		const struct field *fd = &mem_block_fields[i];

		snprintf(path, sizeof(path), "tests.%s.data.blocks.%s", name, fd->key);
		html_el(f, "<div><span class=\"k\">", fd->label, "</span>");
		html_value(f, "span", json_get(blocks, fd->key), path, fd->dp, 1);
		if (fd->unit)
			html_el(f, "<span class=\"u\"> ", fd->unit, "</span>");
		fputs("</div>\n", f);
	}
	fputs("</div>\n", f);
}

static void fill_bar(const struct plot *p, int i, double gibps, bool refill)
{
	double w = (svg_px(p, 1) - svg_px(p, 0)) * 0.8;
	char tip[96];

	if (!isfinite(gibps))
		return;
	snprintf(tip, sizeof(tip), "chunk %d%s: %.3f GiB/s", i + 1, refill ? " (refill)" : "", gibps);
	fprintf(p->f, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
		refill ? " refill" : "", svg_px(p, i) - w / 2, svg_py(p, gibps), w, svg_py(p, 0) - svg_py(p, gibps));
	html_escape(p->f, tip);
	fputs("</title></rect>\n", p->f);
}

static void chart_fill(FILE *f, const struct jval *fill)
{
	const struct jval *refill = json_arr(fill, "chunk_refill"), *mib = json_arr(fill, "chunk_mib");
	struct plot p = { .f = f };
	char xlabel[64] = "chunk";
	int n;
	double *g = svg_numbers(json_get(fill, "chunk_gibps"), 1, &n), *number = xcalloc((size_t)n + 1, sizeof(double));

	if (n >= 1) {
		p.x = (struct axis){ .lo = -0.5, .hi = n - 0.5 };
		svg_axis_lin(&p.y, 0, svg_max_of(g, n) > 0 ? svg_max_of(g, n) : 1);
		svg_open(f, "chart-fill", "Memory fill throughput per chunk",
			 "Bars: GiB/s of first-touch writes for each chunk, in fill order; orange bars are chunks "
			 "refilled during churn.");
		svg_axis_y(&p, "fill throughput (GiB/s)");
		for (int i = 0; i < n; i++) {
			number[i] = i + 1;
			fill_bar(&p, i, g[i], json_is_true(json_at(refill, (size_t)i)));
		}
		if (json_is(json_at(mib, 0), J_NUM))
			snprintf(xlabel, sizeof(xlabel), "chunk (%.0f MiB each)",
				 json_as_num(json_at(mib, 0), 0));
		svg_axis_x_cats(&p, number, n, xlabel);
		svg_close(f, "Memory fill throughput per chunk (GiB/s). A short bar is a chunk the host was slow to back.");
		fputs("<p class=\"legend\">", f);
		svg_legend_item(f, "sq bar", "first fill");
		svg_legend_item(f, "sq bar refill", "refill during churn");
		fputs("</p>\n", f);
	}
	free(g);
	free(number);
}

static const struct {
	const char *key, *label, *cls;
	double scale; /* to MiB */
} mem_lines[] = {
	{ "memtotal_kib", "MemTotal", "c1", 1024 },
	{ "memavailable_kib", "MemAvailable", "c4", 1024 },
	{ "held_mib", "held by the test", "c2", 1 },
	{ "balloon_kib", "ballooned", "c3", 1024 },
};

static void mem_legend(FILE *f, const int *ny, int n)
{
	fputs("<p class=\"legend\">", f);
	for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++) {
		char cls[32];

		snprintf(cls, sizeof(cls), "sw %s", mem_lines[k].cls);
		if (ny[k] >= n)
			svg_legend_item(f, cls, mem_lines[k].label);
	}
	fputs("</p>\n", f);
}

static void chart_memtotal(FILE *f, const struct jval *samples)
{
	struct plot p = { .f = f };
	double *ys[ARRAY_SIZE(mem_lines)], hi = 0;
	int n, ny[ARRAY_SIZE(mem_lines)];
	double *t = svg_numbers(json_get(samples, "t_s"), 1, &n);

	for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++) {
		ys[k] = svg_numbers(json_get(samples, mem_lines[k].key), mem_lines[k].scale, &ny[k]);
		hi = fmax(hi, svg_max_of(ys[k], ny[k] < n ? ny[k] : n));
	}
	if (n >= 2 && hi > 0) {
		svg_axis_lin(&p.x, 0, svg_max_of(t, n));
		svg_axis_lin(&p.y, 0, hi);
		svg_open(f, "chart-memtotal", "MemTotal over time",
			 "Lines: MemTotal, MemAvailable, the memory held by the test and the balloon size, in MiB, "
			 "sampled during the mem check. A falling MemTotal is the host taking memory back.");
		svg_axis_y(&p, "MiB");
		svg_axis_x_lin(&p, "time since the start of the check (s)");
		for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++)
			if (ny[k] >= n)
				svg_polyline(&p, t, ys[k], n, mem_lines[k].cls);
		svg_close(f, "MemTotal, MemAvailable, held and ballooned memory over time (MiB).");
		mem_legend(f, ny, n);
	}
	for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++)
		free(ys[k]);
	free(t);
}

static void mem_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data");

	if (!json_len(json_obj(test, "data")))
		return;
	fputs("<h3>Fill, verify, hold</h3>\n", f);
	mem_phase_table(f, d, name);
	mem_blocks(f, json_get(d, "blocks"), name);
	chart_fill(f, json_get(d, "fill"));
	chart_memtotal(f, json_get(d, "samples"));
}

const struct check_view mem_view = { "mem", mem_metrics, ARRAY_SIZE(mem_metrics), mem_html, NULL };
