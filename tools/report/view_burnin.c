/* The burnin check in the report: stress-ng's stressors and how it ended,
 * the plan, temperature and frequency over time, and the hardware's health
 * counters. */
#include "report/view.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"
#include "report/svg.h"

#define DEG_C "\xc2\xb0" "C"

static const struct field burnin_metrics[] = {
	{ "planned", "duration_planned_s", 0, 0, "s" },
	{ "under load", "load_s", 1, 0, "s" },
	{ "stressors", "stressors", 0, 0, NULL },
	{ "instances of each", "instances", 0, 0, NULL },
	{ "bogo ops", "bogo_ops", 0, 0, NULL },
	{ "stress-ng exit code", "stress_ng_exit", 0, 0, NULL },
	{ "miscompares", "miscompares", 0, 0, NULL },
	{ "stressor failures", "stressor_failures", 0, 0, NULL },
	{ "ISA rounds", "isa_rounds", 0, 0, NULL },
	{ "ISA rounds failed", "isa_rounds_failed", 0, 0, NULL },
	{ "wake-up p99, worst", "wake_p99_us", 1, 0, "us" },
	{ "wake-up max, worst", "wake_max_us", 1, 0, "us" },
	{ "temperature at start", "temp_start_c", 1, 0, DEG_C },
	{ "temperature, max", "temp_max_c", 1, 0, DEG_C },
	{ "frequency, mean", "freq_avg_mhz", 0, 0, "MHz" },
	{ "frequency, lowest", "freq_min_mhz", 0, 0, "MHz" },
	{ "CPU busy, max", "cpu_busy_max_pct", 0, 0, "%" },
	{ "throttle events", "throttle_events", 0, 0, NULL },
	{ "machine checks", "machine_checks", 0, 0, NULL },
	{ "EDAC corrected", "edac_ce", 0, 0, NULL },
	{ "EDAC uncorrected", "edac_ue", 0, 0, NULL },
};

/* The temperature axis spans at least this many degrees, so a steady
 * sensor draws a flat line instead of its last digit's noise (and the
 * ticks of a tiny span stay apart). */
#define TEMP_AXIS_MIN_SPAN_C 10.0

static const struct field burnin_stressor_cols[] = {
	{ "bogo ops", "bogo_ops", 0, 0, NULL },
	{ "bogo ops/s", "bogo_ops_per_s", 1, 0, NULL },
	{ "wall", "wall_s", 1, 0, "s" },
	{ "CPU per instance", "cpu_pct", 1, 0, "%" },
	{ "miscompares", "miscompares", 0, 0, NULL },
	{ "failures", "failures", 0, 0, NULL },
	{ "signals", "signals", 0, 0, NULL },
};

static bool any_positive(const struct jval *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (json_num(o, keys[i], 0) > 0)
			return true;
	return false;
}

/* A stress-ng stressor by name, and its index; NULL if stress-ng gave no
 * metrics for it. */
static const struct jval *sng_result(const struct jval *list, const char *name, size_t *idx)
{
	for (size_t i = 0; i < json_len(list); i++)
		if (!strcmp(json_str(json_at(list, i), "name", ""), name)) {
			*idx = i;
			return json_at(list, i);
		}
	return NULL;
}

static void burnin_stressor_row(FILE *f, const char *sname, const char *what, const struct jval *r, size_t idx,
				const char *name)
{
	static const char *const bad[] = { "miscompares", "failures", "signals" };
	char path[200];

	fprintf(f, "<tr%s><th>", r && any_positive(r, bad, ARRAY_SIZE(bad)) ? " class=\"bad\"" : "");
	html_escape(f, sname);
	if (what)
		html_el(f, "<span class=\"what\">", what, "</span>");
	fputs("</th>", f);
	for (size_t k = 0; k < ARRAY_SIZE(burnin_stressor_cols); k++) {
		snprintf(path, sizeof(path), "tests.%s.data.stress_ng.stressors.%zu.%s", name, idx,
			 burnin_stressor_cols[k].key);
		html_value(f, "td", r ? json_get(r, burnin_stressor_cols[k].key) : NULL, path, burnin_stressor_cols[k].dp, 1);
	}
	fputs("</tr>\n", f);
}

/* The plan's stressors in order with stress-ng's figures for each, then any
 * stressor stress-ng reported that the plan does not name. */
static void burnin_stressors(FILE *f, const struct jval *plan, const struct jval *results, const char *name)
{
	const struct jval *ps = json_arr(plan, "stressors");
	size_t idx;

	if (!json_len(ps) && !json_len(results))
		return;
	fputs("<div class=\"scroll\"><table class=\"stressors\">\n<thead><tr><th>stressor</th>", f);
	for (size_t k = 0; k < ARRAY_SIZE(burnin_stressor_cols); k++) {
		const char *unit = burnin_stressor_cols[k].unit;

		fprintf(f, "<th>%s%s%s%s</th>", burnin_stressor_cols[k].label, unit ? " (" : "", unit ? unit : "",
			unit ? ")" : "");
	}
	fputs("</tr></thead>\n", f);
	for (size_t i = 0; i < json_len(ps); i++) {
		const char *sname = json_str(json_at(ps, i), "name", "?");
		const struct jval *r = sng_result(results, sname, &idx);

		burnin_stressor_row(f, sname, json_str(json_at(ps, i), "what", NULL), r, r ? idx : 0, name);
	}
	for (size_t i = 0; i < json_len(results); i++) {
		const char *sname = json_str(json_at(results, i), "name", "?");

		if (!sng_result(ps, sname, &idx))
			burnin_stressor_row(f, sname, NULL, json_at(results, i), i, name);
	}
	fputs("</table></div>\n", f);
}

/* Version, exit status and anything unusual about how stress-ng ended. */
static void burnin_sng_status(FILE *f, const struct jval *sng, const char *name)
{
	const char *problem = json_str(sng, "yaml_problem", NULL);
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.stress_ng", name);
	fputs("<p>", f);
	html_textf(f, "stress-ng %s (%s) ended with exit code ", json_str(sng, "version", "of unknown version"),
	           json_str(sng, "path", "?"));
	html_inline_fig(f, sng, "exit_code", base, 0, "");
	html_textf(f, ": %s.", json_str(sng, "exit_meaning", "no meaning given"));
	if (json_true(sng, "interrupted"))
		fputs(" It was interrupted before the planned end.", f);
	if (json_true(sng, "killed"))
		fputs(" It did not stop in time and was killed.", f);
	if (problem)
		html_textf(f, " Its metrics could not be read: %s.", problem);
	fputs("</p>\n", f);
}

/* How the load was chosen: instances, memory per vm instance, what was
 * left out and why, the ISA check before the load. */
static void burnin_plan_notes(FILE *f, const struct jval *plan, const char *name)
{
	const struct jval *bad = json_get(plan, "advertised_not_executed");
	const char *dropped = json_str(plan, "dropped", NULL), *tun = json_str(plan, "glibc_tunables", NULL);
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.plan", name);
	fputs("<p class=\"note\">", f);
	fputs("Each stressor ran as ", f);
	html_inline_fig(f, plan, "instances", base, 0, json_num(plan, "instances", 0) == 1 ? " instance" : " instances");
	if (json_is(json_get(plan, "vm_bytes"), J_NUM) && json_num(plan, "vm_bytes", 0) > 0) {
		char path[200];

		snprintf(path, sizeof(path), "%s.vm_bytes", base);
		fputs("; vm: ", f);
		html_value(f, "span", json_get(plan, "vm_bytes"), path, 0, 1048576);
		fputs(" MiB per instance", f);
	}
	html_textf(f, ". Before the load, triage isa said %s; advertised but not executed right: ",
	           json_str(plan, "isa_before", "nothing"));
	html_names(f, bad);
	html_textf(f, ". Samplers beside the load: %s.", json_str(plan, "samplers", "none"));
	fputs("</p>\n", f);
	if (dropped)
		html_el(f, "<p><b>Left out:</b> ", dropped, "</p>\n");
	if (tun)
		html_el(f, "<p><b>glibc steered off them:</b> <code>GLIBC_TUNABLES=", tun, "</code></p>\n");
}

static void burnin_log(FILE *f, const struct jval *plan, const struct jval *sng)
{
	const struct jval *tail = json_get(sng, "log_tail");
	size_t n = json_is(tail, J_ARR) ? json_len(tail) : 0;

	fprintf(f, "<details><summary>The command and the last %zu of %.0f log lines</summary>\n", n,
		json_num(sng, "log_lines", (double)n));
	html_el(f, "<pre>", json_str(plan, "command", "(command not recorded)"), "</pre>\n<pre>");
	for (size_t i = 0; i < n; i++)
		html_textf(f, "%s\n", json_as_str(json_at(tail, i), ""));
	fputs("</pre>\n</details>\n", f);
}

static void burnin_failures(FILE *f, const struct jval *fails)
{
	if (!json_is(fails, J_ARR) || !json_len(fails))
		return;
	fprintf(f, "<h3>What stress-ng reported as failed (%zu line%s)</h3>\n<dl class=\"ev\">", json_len(fails),
		json_len(fails) == 1 ? "" : "s");
	for (size_t i = 0; i < json_len(fails); i++) {
		html_el(f, "<dt>", json_str(json_at(fails, i), "kind", "?"), "</dt>");
		html_el(f, "<dd><pre>", json_str(json_at(fails, i), "line", ""), "</pre></dd>");
	}
	fputs("</dl>\n", f);
}

/* The burn-in's time axis: seconds, minutes or hours, whichever keeps the
 * tick labels short. */
struct burnin_time {
	double *t;
	int n;
	const char *label;
	double stride;
};

static void burnin_time_axis(struct burnin_time *bt, const struct jval *samples)
{
	double end, unit = 1;

	bt->t = svg_numbers(json_get(samples, "t_s"), 1, &bt->n);
	end = svg_max_of(bt->t, bt->n);
	bt->label = "time since the start of the load (s)";
	if (end > 3 * 3600) {
		unit = 3600;
		bt->label = "time since the start of the load (h)";
	} else if (end > 15 * 60) {
		unit = 60;
		bt->label = "time since the start of the load (min)";
	}
	for (int i = 0; i < bt->n; i++)
		bt->t[i] /= unit;
	bt->stride = json_num(samples, "stride", 1);
}

/* The sensor that got hottest: its critical temperature is the line the
 * temperature chart is measured against. */
static const struct jval *hottest_sensor(const struct jval *sensors)
{
	const struct jval *best = NULL;

	for (size_t i = 0; i < json_len(sensors); i++)
		if (json_is(json_get(json_at(sensors, i), "max_c"), J_NUM) &&
		    (!best || json_num(json_at(sensors, i), "max_c", 0) > json_num(best, "max_c", 0)))
			best = json_at(sensors, i);
	return best;
}

static void chart_burnin_temp(FILE *f, const struct jval *health, const struct burnin_time *bt)
{
	const struct jval *hot = hottest_sensor(json_arr(health, "sensors"));
	double crit = json_is(json_get(hot, "crit_c"), J_NUM) ? json_num(hot, "crit_c", NAN) : NAN, lo, hi;
	struct plot p = { .f = f };
	int n;
	double *temp = svg_numbers(json_path(health, "samples.temp_c"), 1, &n);
	char lab[160];

	n = n < bt->n ? n : bt->n;
	if (n < 2 || !svg_finite_range(temp, n, &lo, &hi)) {
		html_el(f, "<p class=\"note\">No temperature chart: ",
		        json_str(health, "sensors_unavailable", "no temperature was read during the load"), ".</p>\n");
		free(temp);
		return;
	}
	svg_axis_lin(&p.x, 0, svg_max_of(bt->t, n));
	svg_axis_lin(&p.y, lo, fmax(isfinite(crit) ? fmax(hi, crit) : hi, lo + TEMP_AXIS_MIN_SPAN_C));
	svg_open(f, "chart-burnin-temp", "Temperature over time",
		 "Solid line: the temperature of the hottest sensor at each sample, in degrees Celsius, over the "
		 "burn-in; dashed line: the critical temperature of the sensor that got hottest.");
	svg_axis_y(&p, "temperature (" DEG_C ")");
	svg_axis_x_lin(&p, bt->label);
	if (isfinite(crit))
		svg_hline(&p, crit, "c3 dash");
	svg_polyline(&p, bt->t, temp, n, "c2");
	svg_close(f, "The hottest sensor's temperature under load (" DEG_C ").");
	fputs("<p class=\"legend\">", f);
	svg_legend_item(f, "sw c2", "hottest sensor");
	if (isfinite(crit)) {
		snprintf(lab, sizeof(lab), "critical, %s%s%s: %.0f " DEG_C, json_str(hot, "name", "?"),
			 json_str(hot, "label", NULL) ? " " : "", json_str(hot, "label", ""), crit);
		svg_legend_item(f, "sw dash c3", lab);
	}
	fputs("</p>\n", f);
	free(temp);
}

static void chart_burnin_freq(FILE *f, const struct jval *health, const struct burnin_time *bt)
{
	struct plot p = { .f = f, .right_axis = true }, q;
	int nf, nb, n;
	double *freq = svg_numbers(json_path(health, "samples.freq_mhz"), 1, &nf);
	double *busy = svg_numbers(json_path(health, "samples.cpu_busy_pct"), 1, &nb), lo, hi;
	char lab[96];

	n = nf < bt->n ? nf : bt->n;
	if (nb < n)
		n = nb;
	if (n < 2 || !svg_finite_range(freq, n, &lo, &hi)) {
		fputs("<p class=\"note\">No frequency chart: the CPU frequency was not read during the load.</p>\n", f);
		free(freq);
		free(busy);
		return;
	}
	svg_axis_lin(&p.x, 0, svg_max_of(bt->t, n));
	svg_axis_lin(&p.y, 0, hi > 0 ? hi : 1);
	q = p;
	q.y = (struct axis){ .lo = 0, .hi = 100, .step = 20 };
	svg_open(f, "chart-burnin-freq", "CPU frequency and use over time",
		 "Solid blue line: the mean clock frequency of the CPUs in MHz, left axis; green line: how busy "
		 "the CPUs were in percent, right axis; both over the burn-in. A frequency that drops while the "
		 "CPUs stay busy is throttling.");
	svg_axis_y(&p, "CPU frequency (MHz)");
	svg_axis_y_right(&q, "CPUs busy (%)");
	svg_axis_x_lin(&p, bt->label);
	svg_polyline(&q, bt->t, busy, n, "c4");
	svg_polyline(&p, bt->t, freq, n, "c1");
	svg_close(f, "Mean CPU frequency (MHz, left) and CPU use (%, right) under load.");
	fputs("<p class=\"legend\">", f);
	snprintf(lab, sizeof(lab), "frequency, mean of the CPUs (from %s)", json_str(health, "freq_source", "?"));
	svg_legend_item(f, "sw c1", lab);
	svg_legend_item(f, "sw c4", "CPUs busy");
	fputs("</p>\n", f);
	free(freq);
	free(busy);
}

static void burnin_charts(FILE *f, const struct jval *health)
{
	struct burnin_time bt;

	if (!json_get(health, "samples"))
		return;
	burnin_time_axis(&bt, json_get(health, "samples"));
	fputs("<h3>Temperature and frequency over time</h3>\n", f);
	chart_burnin_temp(f, health, &bt);
	chart_burnin_freq(f, health, &bt);
	if (bt.stride > 1)
		fprintf(f, "<p class=\"note\">Each point merges %.0f samples: the highest temperature, the mean "
			   "frequency and use.</p>\n", bt.stride);
	free(bt.t);
}

static void burnin_sensors(FILE *f, const struct jval *sensors, const char *name)
{
	static const char *const keys[] = { "start_c", "max_c", "crit_c" };
	char path[200];

	if (!json_is(sensors, J_ARR) || !json_len(sensors))
		return;
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>sensor</th><th>start</th><th>max</th><th>critical</th>"
	      "<th>source</th></tr></thead>\n", f);
	for (size_t i = 0; i < json_len(sensors); i++) {
		const struct jval *s = json_at(sensors, i);
		const char *label = json_str(s, "label", NULL);

		fputs("<tr><th>", f);
		html_textf(f, "%s%s%s", json_str(s, "name", "?"), label ? " " : "", label ? label : "");
		fputs("</th>", f);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			snprintf(path, sizeof(path), "tests.%s.data.health.sensors.%zu.%s", name, i, keys[k]);
			html_value(f, "td", json_get(s, keys[k]), path, 1, 1);
		}
		html_el(f, "<td>", json_str(s, "source", "?"), "</td></tr>\n");
	}
	fputs("</table></div>\n<p class=\"note\">Temperatures in " DEG_C " of every sensor found: at the start of "
	      "the load, the highest under it, and the sensor's critical point.</p>\n", f);
}

/* A row of the health table, or "not available here" when the machine
 * has no such counter. */
static bool health_row(FILE *f, const char *label, const struct jval *o)
{
	html_el(f, "<tr><th>", label, "</th><td>");
	if (json_true(o, "available"))
		return true;
	fputs(o ? "not available on this machine</td></tr>\n" : "not in the report</td></tr>\n", f);
	return false;
}

static void health_throttle(FILE *f, const struct jval *h, const char *name)
{
	const struct jval *t = json_get(h, "throttle");
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.health.throttle", name);
	if (!health_row(f, "Thermal throttling", t))
		return;
	html_inline_fig(f, t, "core_events", base, 0, " core events (");
	html_inline_fig(f, t, "core_ms", base, 0, " ms), ");
	html_inline_fig(f, t, "package_events", base, 0, " package events (");
	html_inline_fig(f, t, "package_ms", base, 0, " ms), ");
	html_inline_fig(f, t, "thermal_interrupts", base, 0, " thermal interrupts");
	fputs("</td></tr>\n", f);
}

static void health_mce(FILE *f, const struct jval *h, const char *name)
{
	const struct jval *m = json_get(h, "mce"), *lines = json_arr(m, "kernel_log");
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.health.mce", name);
	if (health_row(f, "Machine checks", m)) {
		html_inline_fig(f, m, "exceptions", base, 0, " exceptions, ");
		html_inline_fig(f, m, "threshold_interrupts", base, 0, " threshold and ");
		html_inline_fig(f, m, "deferred_interrupts", base, 0, " deferred-error interrupts, ");
		html_inline_fig(f, m, "polls", base, 0, " polls");
		fputs("</td></tr>\n", f);
	}
	if (!m)
		return;
	fputs("<tr><th>Kernel log</th><td>", f);
	if (!json_true(m, "kernel_log_read")) {
		fputs("not read</td></tr>\n", f);
		return;
	}
	html_inline_fig(f, m, "kernel_log_mce", base, 0, " machine-check and ");
	html_inline_fig(f, m, "kernel_log_edac", base, 0, " EDAC lines");
	for (size_t i = 0; i < json_len(lines); i++)
		html_el(f, "<pre>", json_as_str(json_at(lines, i), ""), "</pre>");
	fputs("</td></tr>\n", f);
}

static void health_edac(FILE *f, const struct jval *h, const char *name)
{
	static const char *const keys[] = { "ce_before", "ce_after", "ue_before", "ue_after" };
	static const char *const lead[] = { "corrected errors ", " before, ", "; uncorrected ", " before, " };
	const struct jval *e = json_get(h, "edac"), *mcs = json_arr(e, "controllers");
	char base[160];

	if (!health_row(f, "EDAC memory errors", e))
		return;
	for (size_t i = 0; i < json_len(mcs); i++) {
		const struct jval *mc = json_at(mcs, i);
		const char *drv = json_str(mc, "driver", NULL);

		snprintf(base, sizeof(base), "tests.%s.data.health.edac.controllers.%zu", name, i);
		fputs(i ? "<br>" : "", f);
		html_textf(f, "%s%s%s%s: ", json_str(mc, "name", "?"), drv ? " (" : "", drv ? drv : "", drv ? ")" : "");
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			fputs(lead[k], f);
			html_inline_fig(f, mc, keys[k], base, 0, k % 2 ? " after" : "");
		}
	}
	if (!json_is(mcs, J_ARR) || !json_len(mcs))
		fputs("no memory controller", f);
	fputs("</td></tr>\n", f);
}

static void cpu_list(FILE *f, const struct jval *cpus)
{
	if (!json_is(cpus, J_ARR) || !json_len(cpus)) {
		fputs("none", f);
		return;
	}
	for (size_t i = 0; i < json_len(cpus); i++)
		fprintf(f, "%s%.0f", i ? ", " : "", json_as_num(json_at(cpus, i), -1));
}

static void health_wake(FILE *f, const struct jval *w, const char *name)
{
	const char *problem = json_str(w, "problem", NULL);
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.wake", name);
	fputs("<tr><th>Wake-ups under load</th><td>", f);
	if (!json_true(w, "enabled")) {
		fputs("not sampled</td></tr>\n", f);
		return;
	}
	if (problem)
		html_el(f, "<b>Problem:</b> ", problem, "<br>");
	fputs("overshoot p99 ", f);
	html_inline_fig(f, w, "overshoot_p99_worst_us", base, 1, " us, max ");
	html_inline_fig(f, w, "overshoot_max_worst_us", base, 1, " us (worst CPU); ");
	html_inline_fig(f, w, "samples", base, 0, " samples in blocks of ");
	html_inline_fig(f, w, "block_s", base, 1, " s on CPUs ");
	cpu_list(f, json_get(w, "cpus"));
	html_textf(f, "; status %s; findings: ", json_str(w, "status", "none"));
	html_names(f, json_get(w, "findings"));
	fputs("</td></tr>\n", f);
}

static void health_isa(FILE *f, const struct jval *isa, const char *name)
{
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.isa", name);
	fputs("<tr><th>ISA under load</th><td>", f);
	if (!json_true(isa, "enabled")) {
		fputs("not run</td></tr>\n", f);
		return;
	}
	html_inline_fig(f, isa, "rounds", base, 0, " rounds of ");
	html_inline_fig(f, isa, "iterations", base, 0, " iterations, one every ");
	html_inline_fig(f, isa, "period_s", base, 0, " s: ");
	html_inline_fig(f, isa, "rounds_failed", base, 0, " failed, ");
	html_inline_fig(f, isa, "errors", base, 0, " gave no result; findings: ");
	html_names(f, json_get(isa, "findings"));
	fputs("</td></tr>\n", f);
}

static void burnin_health(FILE *f, const struct jval *d, const char *name)
{
	const struct jval *h = json_get(d, "health");

	fputs("<h3>Hardware health</h3>\n", f);
	burnin_sensors(f, json_get(h, "sensors"), name);
	fputs("<div class=\"scroll\"><table class=\"facts\">\n", f);
	health_throttle(f, h, name);
	health_mce(f, h, name);
	health_edac(f, h, name);
	health_wake(f, json_get(d, "wake"), name);
	health_isa(f, json_get(d, "isa"), name);
	fputs("</table></div>\n", f);
}

static void burnin_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data"), *plan = json_get(d, "plan"), *sng = json_get(d, "stress_ng");

	if (!json_len(json_obj(test, "data")))
		return;
	if (plan || sng)
		fputs("<h3>stress-ng</h3>\n", f);
	if (sng)
		burnin_sng_status(f, sng, name);
	burnin_stressors(f, plan, json_arr(sng, "stressors"), name);
	if (plan)
		burnin_plan_notes(f, plan, name);
	if (sng)
		burnin_log(f, plan, sng);
	burnin_failures(f, json_get(sng, "failures"));
	burnin_charts(f, json_get(d, "health"));
	burnin_health(f, d, name);
}

/* ---- report.txt ---- */

/* The burn-in's figures: what ran, how hot, what went wrong. */
static void burnin_text(FILE *f, const struct jval *t)
{
	const struct jval *m = json_get(t, "metrics"), *tmax = json_get(m, "temp_max_c");
	char line[400], temp[64];

	if (!m || !json_get(m, "stressors"))
		return;
	if (json_is(tmax, J_NUM))
		snprintf(temp, sizeof(temp), "hottest %.0f C", json_as_num(tmax, 0));
	else
		snprintf(temp, sizeof(temp), "no temperatures");
	snprintf(line, sizeof(line),
		 "stress-ng %.0f s: %.0f stressors x %.0f, %.0f bogo-ops, %.0f miscompares, %.0f failures; "
		 "ISA rounds %.0f of %.0f right; %s, %.0f MHz lowest",
		 json_num(m, "load_s", 0), json_num(m, "stressors", 0), json_num(m, "instances", 0),
		 json_num(m, "bogo_ops", 0), json_num(m, "miscompares", 0), json_num(m, "stressor_failures", 0),
		 json_num(m, "isa_rounds", 0) - json_num(m, "isa_rounds_failed", 0), json_num(m, "isa_rounds", 0), temp,
		 json_num(m, "freq_min_mhz", 0));
	text_wrap(f, "                ", 16, line);
}

const struct check_view burnin_view = { "burnin", burnin_metrics, ARRAY_SIZE(burnin_metrics), burnin_html,
					burnin_text };
