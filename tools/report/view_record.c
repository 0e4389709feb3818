/* The flight record as a person reads it (view_record.h). */
#include "report/view_record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"
#include "report/html.h"
#include "report/svg.h"

static void ring_line(char *buf, size_t size, const struct jval *r)
{
	const struct jval *sk = json_obj(r, "skipped");

	if (!json_true(r, "readable")) {
		snprintf(buf, size, "%s: not readable: %s", json_str(r, "path", "?"), json_str(r, "why", "?"));
		return;
	}
	snprintf(buf, size, "%s (%s on %s, every %.2g s): %.0f records from %s to %s, %.0f run(s), %s; skipped %.0f torn, "
			    "%.0f bad checksum, %.0f other; %.0f missing",
		 json_str(r, "path", "?"), json_str(r, "role", "?"), json_str(r, "host", "?"), json_num(r, "interval_s", 0),
		 json_num(r, "records", 0), json_str(r, "first", "?"), json_str(r, "last", "?"), json_num(r, "runs", 0),
		 json_true(r, "current") ? "running now" : json_true(r, "clean_stop") ? "stopped cleanly" : "NO STOP RECORD",
		 json_num(sk, "torn", 0), json_num(sk, "checksum", 0),
		 json_num(sk, "format", 0) + json_num(sk, "misplaced", 0) + json_num(sk, "duplicate", 0),
		 json_num(r, "missing", 0));
}

static void episode_line(char *buf, size_t size, const struct jval *e)
{
	const char *k = json_str(e, "kind", "?");
	char head[96];

	snprintf(head, sizeof(head), "%.19s %s %.1f s", json_str(e, "start", "?"), k, json_num(e, "duration_s", 0));
	if (!strcmp(k, "freeze"))
		snprintf(buf, size, "%s (%s): clocks moved mono %.1f s, boot %.1f s, real %.1f s; steal %.0f%% before, %.0f%% in; "
				    "%.0f log lines inside",
			 head, json_str(e, "cause", "?"), json_num(e, "d_mono_s", 0), json_num(e, "d_boot_s", 0),
			 json_num(e, "d_real_s", 0), json_num(e, "steal_before_pct", 0), json_num(e, "steal_in_pct", 0),
			 json_num(e, "logged_inside", 0));
	else if (!strcmp(k, "stall") || !strcmp(k, "steal"))
		snprintf(buf, size, "%s: %s peak %.0f%%, mean %.0f%%", head, json_str(e, "resource", "?"), json_num(e, "peak_pct", 0),
			 json_num(e, "mean_pct", 0));
	else if (!strcmp(k, "io_stall"))
		snprintf(buf, size, "%s: %s, %.0f in flight, waited %.1f to %.1f s", head, json_str(e, "disk", "?"),
			 json_num(e, "max_in_flight", 0), json_num(e, "waited_at_least_s", 0), json_num(e, "waited_at_most_s", 0));
	else if (!strcmp(k, "balloon_oom"))
		snprintf(buf, size, "%s: the balloon grew %.0f MiB before an OOM kill", head, json_num(e, "balloon_grew_mib", 0));
	else if (!strcmp(k, "wake"))
		snprintf(buf, size, "%s: %.0f late wake-ups, worst %.0f ms", head, json_num(e, "late", 0), json_num(e, "worst_ms", 0));
	else
		snprintf(buf, size, "%s", head);
}

void record_text(FILE *f, const struct jval *record)
{
	const struct jval *rings = json_arr(record, "rings"), *eps = json_arr(record, "episodes");
	char line[800];

	if (!record)
		return;
	fputs("                Flight record (triage watch):\n", f);
	for (size_t i = 0; i < json_len(rings); i++) {
		ring_line(line, sizeof(line), json_at(rings, i));
		text_wrap(f, "                - ", 18, line);
	}
	for (size_t i = 0; i < json_len(eps); i++) {
		episode_line(line, sizeof(line), json_at(eps, i));
		text_wrap(f, "                    ", 22, line);
	}
}

struct series {
	const char *key, *label, *cls;
	double scale;
};

static void chart(FILE *f, const struct jval *tl, const char *id, const char *title, const char *desc,
		  const char *ylabel, const struct series *s, int ns, const struct jval *eps)
{
	int n = 0, m;
	double *t = svg_numbers(json_arr(tl, "t_s"), 1, &n), hi = 0;
	struct plot p = { .f = f };

	if (!t || n < 2) {
		free(t);
		return;
	}
	double *ys[4] = { 0 };
	for (int i = 0; i < ns && i < 4; i++) {
		ys[i] = svg_numbers(json_arr(tl, s[i].key), s[i].scale, &m);
		if (ys[i] && m == n)
			hi = fmax(hi, svg_max_of(ys[i], n));
	}
	svg_axis_lin(&p.x, t[0], t[n - 1] < 0 ? 0 : t[n - 1]);
	svg_axis_lin(&p.y, 0, hi > 0 ? hi : 1);
	svg_open(f, id, title, desc);
	svg_axis_y(&p, ylabel);
	svg_axis_x_lin(&p, "seconds before the record ends");
	for (int i = 0; i < ns && i < 4; i++) {
		char cls[48];
		snprintf(cls, sizeof(cls), "ln %s", s[i].cls);
		if (ys[i] && m == n)
			svg_polyline(&p, t, ys[i], n, cls);
	}
	/* Freezes in the window: a dot on the axis where each began. */
	for (size_t i = 0; i < json_len(eps); i++) {
		const struct jval *e = json_at(eps, i);
		char tip[160];
		if (strcmp(json_str(e, "kind", ""), "freeze") || json_num(e, "ring", -1) != json_num(tl, "ring", -2))
			continue;
		double at = json_num(e, "start_rel_s", NAN);
		if (!isfinite(at) || at < t[0])
			continue;
		snprintf(tip, sizeof(tip), "freeze of %.1f s (%s)", json_num(e, "duration_s", 0), json_str(e, "cause", "?"));
		svg_point(&p, at, 0, "c2", tip);
	}
	svg_close(f, title);
	fputs("<p class=\"legend\">", f);
	for (int i = 0; i < ns; i++) {
		char cls[48];
		snprintf(cls, sizeof(cls), "sw %s", s[i].cls);
		svg_legend_item(f, cls, s[i].label);
	}
	fputs("</p>\n", f);
	for (int i = 0; i < 4; i++)
		free(ys[i]);
	free(t);
}

void record_html(FILE *f, const struct jval *record)
{
	static const struct series pct[] = {
		{ "steal_pct", "steal %", "c1", 1 },
		{ "psi_full_pct", "PSI full (memory or io) %", "c2", 1 },
		{ "psi_cpu_some_pct", "PSI cpu some %", "c3", 1 },
	};
	static const struct series wait[] = {
		{ "late_ms", "timer wake-up late (s)", "c1", 1000 },
		{ "io_stuck_s", "oldest disk request waited at least (s)", "c4", 1 },
	};
	static const struct series mem[] = {
		{ "mem_avail_mib", "MemAvailable (MiB)", "c1", 1 },
		{ "balloon_mib", "balloon (MiB)", "c2", 1 },
	};
	const struct jval *rings = json_arr(record, "rings"), *eps = json_arr(record, "episodes");
	const struct jval *tl = json_obj(record, "timeline");
	char line[800];

	if (!record)
		return;
	fputs("<h3>Flight record (triage watch)</h3>\n", f);
	for (size_t i = 0; i < json_len(rings); i++) {
		ring_line(line, sizeof(line), json_at(rings, i));
		html_el(f, "<p>", line, "</p>\n");
	}
	if (json_len(eps)) {
		fputs("<table><tr><th>episode</th></tr>\n", f);
		for (size_t i = 0; i < json_len(eps); i++) {
			episode_line(line, sizeof(line), json_at(eps, i));
			html_el(f, "<tr><td>", line, "</td></tr>\n");
		}
		fputs("</table>\n", f);
	}
	if (!tl)
		return;
	html_el(f, "<p>The last minutes before the record ends (", json_str(tl, "end", "?"), " UTC).</p>\n");
	chart(f, tl, "chart-record-pct", "Steal and pressure before the record ends",
	      "Per second before the last record: the share of CPU time stolen by the host, PSI full of memory or io, "
	      "and PSI some of cpu, in percent; dots on the axis mark where freezes began.",
	      "percent", pct, ARRAY_SIZE(pct), eps);
	chart(f, tl, "chart-record-wait", "Waiting before the record ends",
	      "Per second before the last record: how late a timer wake-up came and how long the oldest disk request had "
	      "waited at least, in seconds.",
	      "seconds", wait, ARRAY_SIZE(wait), eps);
	chart(f, tl, "chart-record-mem", "Memory before the record ends",
	      "Per second before the last record: MemAvailable and the balloon's size, in MiB.", "MiB", mem,
	      ARRAY_SIZE(mem), eps);
}
