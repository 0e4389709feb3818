/* The wake check in the report: wake-up latency by idle length, with
 * C-states as the system sets them and held shallow, per CPU. */
#include "report/view.h"

#include <math.h>
#include <string.h>

#include "lib/util.h"
#include "report/svg.h"

/* Idle lengths shown; the check measures a handful. */
#define WAKE_MAX_IDLE 32

static const struct field wake_metrics[] = {
	{ "p50, worst", "overshoot_p50_worst_us", 1, 0, "us" },
	{ "p99, worst", "overshoot_p99_worst_us", 1, 0, "us" },
	{ "max, worst", "overshoot_max_worst_us", 1, 0, "us" },
	{ "C-state share of p50", "cstate_share_p50_us", 1, 0, "us" },
	{ "C-state share", "cstate_share_pct", 0, 0, "%" },
	{ "burst cold / warm", "burst_cold_warm_ratio", 2, 0, "x" },
	{ "steal, worst CPU", "steal_pct_worst", 1, 0, "%" },
	{ "claimed exit latency", "claimed_exit_latency_us", 0, 0, "us" },
	{ "sleep(0) floor", "floor_sleep0_us", 1, 0, "us" },
	{ "clock read", "floor_clock_read_ns", 0, 0, "ns" },
	{ "samples", "samples", 0, 0, NULL },
};

static const struct {
	const char *run, *label, *dash;
} wake_runs[] = {
	{ "default", "default", "" },
	{ "shallow", "C-states shallow", " dash" },
};

static const struct {
	const char *key, *label, *cls;
} wake_stats[] = {
	{ "p50_us", "p50", "c1" },
	{ "p99_us", "p99", "c2" },
	{ "max_us", "max", "c3" },
};

struct pick {
	double v;
	int idx; /* index in blocks, -1: none */
};

/* The worst CPU's value of key for a run and idle length. */
static struct pick worst_block(const struct jval *blocks, const char *run, double idle, const char *key)
{
	struct pick p = { NAN, -1 };

	for (size_t i = 0; i < json_len(blocks); i++) {
		const struct jval *b = json_at(blocks, i);
		double v = json_num(b, key, NAN);

		if (strcmp(json_str(b, "run", ""), run) != 0 || json_num(b, "idle_us", NAN) != idle || isnan(v))
			continue;
		if (p.idx < 0 || v > p.v) {
			p.v = v;
			p.idx = (int)i;
		}
	}
	return p;
}

/* Distinct idle lengths of the blocks, ascending. */
static int idle_lengths(const struct jval *blocks, double *out, int max)
{
	int n = 0;

	for (size_t i = 0; i < json_len(blocks); i++) {
		double v = json_num(json_at(blocks, i), "idle_us", NAN);
		int k = 0;

		if (!isfinite(v))
			continue;
		while (k < n && out[k] < v)
			k++;
		if ((k < n && out[k] == v) || n == max)
			continue;
		memmove(out + k + 1, out + k, (size_t)(n - k) * sizeof(*out));
		out[k] = v;
		n++;
	}
	return n;
}

/* Worst C-state share of the median for an idle length, from attribution. */
static struct pick worst_share(const struct jval *attr, double idle)
{
	struct pick p = { NAN, -1 };

	for (size_t i = 0; i < json_len(attr); i++) {
		double v = json_num(json_at(attr, i), "share_p50_pct", NAN);

		if (json_num(json_at(attr, i), "idle_us", NAN) == idle && !isnan(v) && (p.idx < 0 || v > p.v)) {
			p.v = v;
			p.idx = (int)i;
		}
	}
	return p;
}

static void pick_cell(FILE *f, const struct jval *arr, struct pick pk, const char *base, const char *key, int dp)
{
	char path[200];

	snprintf(path, sizeof(path), "%s.%d.%s", base, pk.idx, key);
	html_value(f, "td", pk.idx >= 0 ? json_get(json_at(arr, (size_t)pk.idx), key) : NULL, path, dp, 1);
}

static void wake_table(FILE *f, const struct jval *d, const double *idle, int n, const char *name)
{
	const struct jval *blocks = json_arr(d, "blocks"), *attr = json_arr(d, "attribution");
	char base[120], abase[120], lab[32];

	snprintf(base, sizeof(base), "tests.%s.data.blocks", name);
	snprintf(abase, sizeof(abase), "tests.%s.data.attribution", name);
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th rowspan=\"2\">idle</th><th colspan=\"3\">default (us)</th>"
	      "<th colspan=\"3\">C-states shallow (us)</th><th rowspan=\"2\">C-state share<br>of p50 (%)</th></tr>\n"
	      "<tr><th>p50</th><th>p99</th><th>max</th><th>p50</th><th>p99</th><th>max</th></tr></thead>\n", f);
	for (int i = 0; i < n; i++) {
		svg_tick_us(lab, sizeof(lab), idle[i]);
		fprintf(f, "<tr><th>%s</th>", lab);
		for (size_t r = 0; r < ARRAY_SIZE(wake_runs); r++)
			for (size_t s = 0; s < ARRAY_SIZE(wake_stats); s++)
				pick_cell(f, blocks, worst_block(blocks, wake_runs[r].run, idle[i], wake_stats[s].key), base,
					  wake_stats[s].key, 1);
		pick_cell(f, attr, worst_share(attr, idle[i]), abase, "share_p50_pct", 0);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n<p class=\"note\">Overshoot of an absolute-deadline sleep after each idle length: "
	      "the worst CPU per cell.</p>\n", f);
}

static const struct field wake_block_cols[] = {
	{ "n", "n", 0, 0, NULL },
	{ "p50", "p50_us", 1, 0, "us" },
	{ "p99", "p99_us", 1, 0, "us" },
	{ "p99.9", "p999_us", 1, 0, "us" },
	{ "max", "max_us", 1, 0, "us" },
	{ "burst cold/warm", "burst.ratio_p50", 2, 0, NULL },
	{ "steal", "steal_ms", 0, 0, "ms" },
};

static void wake_blocks(FILE *f, const struct jval *blocks, const char *name)
{
	char path[200], lab[32];

	fprintf(f, "<details><summary>Every CPU and idle length (%zu blocks)</summary>\n<div class=\"scroll\"><table>\n"
		   "<thead><tr><th>run</th><th>CPU</th><th>idle</th>", json_len(blocks));
	for (size_t k = 0; k < ARRAY_SIZE(wake_block_cols); k++)
		fprintf(f, "<th>%s%s%s</th>", wake_block_cols[k].label, wake_block_cols[k].unit ? " " : "",
			wake_block_cols[k].unit ? wake_block_cols[k].unit : "");
	fputs("</tr></thead>\n", f);
	for (size_t i = 0; i < json_len(blocks); i++) {
		const struct jval *b = json_at(blocks, i);

		svg_tick_us(lab, sizeof(lab), json_num(b, "idle_us", 0));
		html_el(f, "<tr><td>", json_str(b, "run", "?"), "</td>");
		fprintf(f, "<td>%.0f</td><td>%s</td>", json_num(b, "cpu", -1), lab);
		for (size_t k = 0; k < ARRAY_SIZE(wake_block_cols); k++) {
			snprintf(path, sizeof(path), "tests.%s.data.blocks.%zu.%s", name, i, wake_block_cols[k].key);
			html_value(f, "td", json_path(b, wake_block_cols[k].key), path, wake_block_cols[k].dp, 1);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n</details>\n", f);
}

static void wake_series(const struct plot *p, const struct jval *blocks, const double *idle, int n, size_t r, size_t s)
{
	double xs[WAKE_MAX_IDLE], ys[WAKE_MAX_IDLE];
	char cls[48], tip[128], lab[32];

	for (int i = 0; i < n; i++) {
		xs[i] = i;
		ys[i] = worst_block(blocks, wake_runs[r].run, idle[i], wake_stats[s].key).v;
	}
	snprintf(cls, sizeof(cls), "%s%s", wake_stats[s].cls, wake_runs[r].dash);
	svg_polyline(p, xs, ys, n, cls);
	snprintf(cls, sizeof(cls), "%s", wake_stats[s].cls);
	for (int i = 0; i < n; i++) {
		svg_tick_us(lab, sizeof(lab), idle[i]);
		snprintf(tip, sizeof(tip), "%s %s after %s idle: %.1f us", wake_runs[r].label, wake_stats[s].label, lab, ys[i]);
		svg_point(p, xs[i], ys[i], cls, tip);
	}
}

/* The smallest and largest positive value the chart shows. */
static void wake_range(const struct jval *blocks, const double *idle, int n, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = 0;
	for (size_t r = 0; r < ARRAY_SIZE(wake_runs); r++)
		for (size_t s = 0; s < ARRAY_SIZE(wake_stats); s++)
			for (int i = 0; i < n; i++) {
				double v = worst_block(blocks, wake_runs[r].run, idle[i], wake_stats[s].key).v;

				if (isfinite(v) && v > 0) {
					*lo = fmin(*lo, v);
					*hi = fmax(*hi, v);
				}
			}
}

static void wake_legend(FILE *f)
{
	char cls[32];

	fputs("<p class=\"legend\">", f);
	for (size_t s = 0; s < ARRAY_SIZE(wake_stats); s++) {
		snprintf(cls, sizeof(cls), "sw %s", wake_stats[s].cls);
		svg_legend_item(f, cls, wake_stats[s].label);
	}
	svg_legend_item(f, "sw", "solid: default");
	svg_legend_item(f, "sw dash", "dashed: C-states held shallow");
	fputs("</p>\n", f);
}

static void chart_wake(FILE *f, const struct jval *blocks, const double *idle, int n)
{
	struct plot p = { .f = f };
	double lo, hi;

	wake_range(blocks, idle, n, &lo, &hi);
	if (!(hi > 0))
		return;
	svg_axis_log(&p.y, lo, hi);
	p.y.tick = svg_tick_us;
	p.x = (struct axis){ .lo = -0.5, .hi = n - 0.5, .tick = svg_tick_us };
	svg_open(f, "chart-wake", "Wake-up latency by idle length",
		 "Overshoot of a timed sleep after each idle length, worst CPU, in microseconds on a log scale: "
		 "p50, p99 and max; solid lines with C-states as the system sets them, dashed with C-states held "
		 "shallow.");
	svg_axis_y(&p, "wake-up overshoot (log scale)");
	svg_axis_x_cats(&p, idle, n, "idle length before the wake-up");
	for (size_t r = 0; r < ARRAY_SIZE(wake_runs); r++)
		for (size_t s = 0; s < ARRAY_SIZE(wake_stats); s++)
			wake_series(&p, blocks, idle, n, r, s);
	svg_close(f, "Wake-up latency (us, log scale) by idle length: default and with C-states held shallow.");
	wake_legend(f);
}

static void wake_env(FILE *f, const struct jval *env)
{
	const struct jval *sh = json_get(env, "shallow");

	if (!env)
		return;
	fputs("<p class=\"note\">", f);
	html_textf(f, "cpuidle %s (governor %s); clocksource %s (%s). ", json_str(json_get(env, "cpuidle"), "driver", "none"),
	           json_str(json_get(env, "cpuidle"), "governor", "none"), json_str(json_get(env, "clocksource"), "current", "?"),
	           json_str(json_get(env, "clocksource"), "trust", "?"));
	if (json_true(sh, "held"))
		html_textf(f, "C-states held shallow through %s.", json_str(sh, "how", "?"));
	else
		html_textf(f, "C-states could not be held shallow: %s.", json_str(sh, "reason", "no reason given"));
	fputs("</p>\n", f);
}

static void wake_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data"), *blocks = json_arr(d, "blocks");
	double idle[WAKE_MAX_IDLE];
	int n = idle_lengths(blocks, idle, WAKE_MAX_IDLE);
	char path[160];

	wake_env(f, json_get(d, "env"));
	snprintf(path, sizeof(path), "tests.%s.data.blocks", name);
	if (html_not_known(f, json_get(d, "blocks"), J_ARR, path) || !n)
		return;
	fputs("<h3>Wake-up latency by idle length</h3>\n", f);
	wake_table(f, d, idle, n, name);
	chart_wake(f, blocks, idle, n);
	wake_blocks(f, blocks, name);
}

const struct check_view wake_view = { "wake", wake_metrics, ARRAY_SIZE(wake_metrics), wake_html, NULL };
