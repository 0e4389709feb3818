/* report.html: the report as one self-contained page.
 *
 * Rendered from the report JSON alone, so the page never says what the JSON
 * does not; any part may be missing (a check that did not run, an error
 * without data). Nothing is fetched: inline CSS, SVG charts drawn here, no
 * script, and a Content-Security-Policy that forbids every load. Numbers are
 * shown with fixed decimals per figure; the element holding a key figure
 * carries data-path (its place in report.json), data-value (the raw value as
 * report.json spells it) and data-scale (when shown in another unit). */
#include "report/report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lib/util.h"
#include "report/html.h"
#include "report/view.h"

/* ---- page frame ---- */

static const char css[] =
	":root{--pass:#1b7a3a;--warn:#9a5a00;--fail:#b3261e;--error:#6b3fa0;--skip:#5f6368;--info:#1a5fb4;"
	"--line:#d5d9df;--muted:#5b6168}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:#f3f4f6;color:#1c1e21;-webkit-text-size-adjust:100%;"
	"font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
	"main{max-width:980px;margin:0 auto;padding:10px}\n"
	"section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:12px 0}\n"
	"h1{font-size:1.25rem;margin:6px 0}h2{font-size:1.12rem;margin:2px 0 8px}h3{font-size:1rem;margin:14px 0 6px}\n"
	"p{margin:6px 0}.meta,.note{color:var(--muted);font-size:.88rem;overflow-wrap:anywhere}\n"
	"nav{font-size:.88rem;display:flex;flex-wrap:wrap;gap:4px 12px}\n"
	".verdict{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 18px;color:#fff;border-radius:8px;"
	"padding:12px 16px;margin:8px 0}\n"
	".verdict b{font-size:1.7rem;letter-spacing:.06em}.verdict .n{font-weight:700}\n"
	".bg-pass{background:var(--pass)}.bg-warn{background:var(--warn)}.bg-fail{background:var(--fail)}"
	".bg-error{background:var(--error)}.bg-skip{background:var(--skip)}.bg-info{background:var(--info)}\n"
	".badge{display:inline-block;min-width:3.4em;text-align:center;border-radius:4px;padding:0 6px;color:#fff;"
	"font-size:.78rem;font-weight:700;text-transform:uppercase;vertical-align:middle}\n"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%;margin:6px 0}\n"
	"table{border-collapse:collapse;font-size:.86rem}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
	"thead th{background:#eef0f3;white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}td.na{color:var(--muted);text-align:center}\n"
	".facts{width:100%}.facts th{width:11em;font-weight:600}.facts td{overflow-wrap:anywhere}"
	".facts td.n{text-align:left}.checks td:last-child{min-width:14em}.phases tbody th{min-width:12em;font-weight:600}\n"
	".kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5em,1fr));gap:6px;margin:8px 0}\n"
	".kv div{border:1px solid var(--line);border-radius:6px;padding:3px 8px}"
	".kv .k{display:block;color:var(--muted);font-size:.78rem;line-height:1.25}"
	".kv .n,.kv span{font-weight:650;font-variant-numeric:tabular-nums}.kv .u,.kv .na{font-weight:400;color:var(--muted)}\n"
	".finding{border-left:4px solid var(--line);padding:2px 0 2px 10px;margin:12px 0}"
	".finding.fail{border-color:var(--fail)}.finding.warn{border-color:var(--warn)}"
	".finding.error{border-color:var(--error)}.finding.info{border-color:var(--info)}\n"
	".id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}\n"
	".ev{display:grid;grid-template-columns:fit-content(45%) 1fr;gap:0 10px;font-size:.84rem;margin:4px 0}"
	".ev dt{color:var(--muted);overflow-wrap:anywhere}.ev dd{margin:0;overflow-wrap:anywhere}"
	".ev .ev{display:block;margin:0 0 2px}.ev .ev dt,.ev .ev dd{display:inline}.ev .ev dt::after{content:\" \"}"
	".ev .ev dd::after{content:\"; \"}\n"
	"pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem}"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f4f6;padding:6px;border-radius:4px;margin:2px 0}\n"
	".advice{background:#f4f7fb;border-radius:4px;padding:4px 8px}\n"
	"figure{margin:12px 0}figcaption{font-size:.84rem;color:var(--muted)}\n"
	"svg.chart{width:100%;max-width:640px;height:auto;display:block}svg text{font-size:13px;fill:#2b2f33}"
	"svg .lab{font-size:14px}svg .ax{stroke:#555}svg .grid{stroke:#e2e5e9}\n"
	".sw{display:inline-block;width:22px;height:0;border-top:3px solid #333;vertical-align:middle;margin-right:5px}"
	".sw.dash{border-top-style:dashed}.sq{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}"
	".sq.bar{background:#1a5fb4}.sq.bar.refill{background:#c25400}\n"
	".c1{stroke:#1a5fb4;fill:#1a5fb4;border-color:#1a5fb4}.c2{stroke:#c25400;fill:#c25400;border-color:#c25400}"
	".c3{stroke:#a3218f;fill:#a3218f;border-color:#a3218f}.c4{stroke:#2e8540;fill:#2e8540;border-color:#2e8540}\n"
	".ln{fill:none;stroke-width:2}.dash{stroke-dasharray:6 4}.bar{fill:#1a5fb4}.bar.refill{fill:#c25400}\n"
	".legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:.84rem;margin:4px 0}"
	".st{text-align:center;white-space:nowrap}.state{text-align:center;min-width:6em}.st-ok{background:#dcf1e2}.st-absent{color:#8a8f96}"
	".st-faults,.st-wrong{background:#f8d3cf;font-weight:700}"
	".st-not-os-enabled,.st-inconsistent,.st-works-unadvertised{background:#fbe6c2;font-weight:700}\n"
	".stressors tbody th{min-width:9em}.what{display:block;font-weight:400;font-size:.78rem;color:var(--muted)}"
	"tr.bad th,tr.bad td{background:#f8d3cf}\n"
	"details summary{cursor:pointer;color:var(--info);font-size:.9rem}\n"
	"@media (max-width:540px){main{padding:6px}section{padding:8px 10px}body{font-size:14px}"
	".facts th{width:8em}th,td{padding:3px 5px}}\n";

static void page_head(FILE *f, const struct jval *rep)
{
	const struct jval *v = json_get(rep, "verdict"), *run = json_get(rep, "run");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"color-scheme\" content=\"light\">\n<title>",
	      f);
	html_textf(f, "vmtriage %s: %s, %s", json_str(v, "status", "?"),
	           json_str(json_get(rep, "system"), "hostname", json_str(rep, "machine_id", "?")),
	           json_str(run, "started_utc", "?"));
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void header(FILE *f, const struct jval *rep)
{
	const struct jval *v = json_get(rep, "verdict"), *run = json_get(rep, "run");
	const struct jval *counts = json_get(v, "findings"), *hv = json_path(rep, "system.hypervisor");
	static const char *const sev[] = { "fail", "warn", "info" };
	const char *st = json_str(v, "status", "?");
	char path[64];

	fputs("<header>\n<h1>vmtriage report</h1>\n", f);
	fprintf(f, "<div class=\"verdict bg-%s\" id=\"verdict\"><b>", html_status_class(st));
	for (const char *s = st; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, f);
	fputs("</b><span>", f);
	for (size_t i = 0; i < ARRAY_SIZE(sev); i++) {
		snprintf(path, sizeof(path), "verdict.findings.%s", sev[i]);
		html_value(f, "span", json_get(counts, sev[i]), path, 0, 1);
		fprintf(f, " %s%s", sev[i], i + 1 < ARRAY_SIZE(sev) ? " &#183; " : "");
	}
	fputs("</span><span>exit code ", f);
	html_value(f, "span", json_get(v, "exit_code"), "verdict.exit_code", 0, 1);
	fputs("</span></div>\n<p class=\"meta\">", f);
	/* a check's own JSON read as a report (report/report.c) */
	if (!json_get(rep, "system") && !json_get(rep, "machine_id") && json_len(json_obj(rep, "tests")) == 1)
		html_textf(f, "The result of one check, not of a run: no system facts, no kernel log; %s mode, took ",
			   json_str(run, "mode", "?"));
	else
		html_textf(f, "%s %s, machine %s, %s mode, started %s, took ",
			   json_str(json_path(rep, "system"), "hostname", "?"),
			   json_true(hv, "vm") ? "(virtual machine)" : hv ? "(bare metal)" : "(no system facts)",
			   json_str(rep, "machine_id", "?"),
			   json_str(run, "mode", "?"), json_str(run, "started_utc", "?"));
	html_value(f, "span", json_get(run, "duration_s"), "run.duration_s", 1, 1);
	html_textf(f, " s; vmtriage %s.", json_str(json_get(rep, "tool"), "version", "?"));
	fputs("</p>\n<nav><a href=\"#top\">first look</a><a href=\"#checks\">checks</a><a href=\"#system\">system</a>"
	      "<a href=\"#kernel-log\">kernel log</a><a href=\"#report-disk\">report disk</a></nav>\n</header>\n",
	      f);
}

/* ---- system facts ---- */

static const struct field system_fields[] = {
	{ "Host name", "hostname", 0, 0, NULL },
	{ "Vendor", "dmi.sys_vendor", 0, 0, NULL },
	{ "Product", "dmi.product_name", 0, 0, NULL },
	{ "Board", "dmi.board_name", 0, 0, NULL },
	{ "BIOS", "dmi.bios_version", 0, 0, NULL },
	{ "BIOS date", "dmi.bios_date", 0, 0, NULL },
	{ "Virtual machine", "hypervisor.vm", 0, 0, NULL },
	{ "Hypervisor", "hypervisor.name", 0, 0, NULL },
	{ "CPU", "cpu.brand", 0, 0, NULL },
	{ "CPU vendor", "cpu.vendor", 0, 0, NULL },
	{ "CPU family", "cpu.family", 0, 0, NULL },
	{ "CPU model", "cpu.model", 0, 0, NULL },
	{ "CPUs online", "cpu.online", 0, 0, NULL },
	{ "Packages", "cpu.packages", 0, 0, NULL },
	{ "Cores", "cpu.cores", 0, 0, NULL },
	{ "MemTotal", "memory.MemTotal_kib", 0, 1024, "MiB" },
	{ "MemAvailable", "memory.MemAvailable_kib", 0, 1024, "MiB" },
	{ "Swap", "memory.SwapTotal_kib", 0, 1024, "MiB" },
	{ "Kernel", "kernel.release", 0, 0, NULL },
	{ "Command line", "kernel.cmdline", 0, 0, NULL },
	{ "Clocksource", "clocksource.current", 0, 0, NULL },
	{ "Clocksources", "clocksource.available", 0, 0, NULL },
	{ "cpuidle driver", "cpuidle.driver", 0, 0, NULL },
	{ "cpuidle governor", "cpuidle.governor", 0, 0, NULL },
	{ "cpufreq driver", "cpufreq.driver", 0, 0, NULL },
	{ "cpufreq governor", "cpufreq.governor", 0, 0, NULL },
	{ "Balloon", "balloon.present", 0, 0, NULL },
	{ "Balloon device", "balloon.device", 0, 0, NULL },
};

static void fact_row(FILE *f, const struct jval *sys, const struct field *fd)
{
	const struct jval *v = json_path(sys, fd->key);
	char path[160];

	if (!v || json_is(v, J_NULL))
		return;
	snprintf(path, sizeof(path), "system.%s", fd->key);
	html_el(f, "<tr><th>", fd->label, "</th><td>");
	html_value(f, "span", v, path, fd->dp, fd->scale);
	if (fd->unit)
		html_textf(f, " %s", fd->unit);
	fputs("</td></tr>\n", f);
}

/* C-states as "name (exit latency)", the deepest last. */
static void cstates_row(FILE *f, const struct jval *states)
{
	if (!json_len(states))
		return;
	fputs("<tr><th>C-states</th><td>", f);
	for (size_t i = 0; i < json_len(states); i++) {
		const struct jval *s = json_at(states, i);

		html_textf(f, "%s%s (%.0f us%s)", i ? ", " : "", json_str(s, "name", "?"), json_num(s, "latency_us", 0),
		           json_num(s, "disabled", 0) || json_true(s, "disabled") ? ", disabled" : "");
	}
	fputs("</td></tr>\n", f);
}

static void system_facts(FILE *f, const struct jval *rep)
{
	const struct jval *sys = json_get(rep, "system");

	fputs("<section id=\"system\">\n<h2>System</h2>\n", f);
	if (html_not_known(f, sys, J_OBJ, "system")) {
		fputs("</section>\n", f);
		return;
	}
	if (!sys) {
		fputs("<p class=\"note\">The report has no system facts.</p>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table class=\"facts\">\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(system_fields); i++)
		fact_row(f, sys, &system_fields[i]);
	cstates_row(f, json_arr(json_get(sys, "cpuidle"), "states"));
	fputs("</table></div>\n</section>\n", f);
}

/* ---- per check: key figures ---- */

/* Every metric in report order; labelled and formatted by the view's
 * table where it has the key, else by its key and its raw value. A null
 * metric is one the check could not measure here (no sensor, no counter). */
static void key_figures(FILE *f, const struct jval *metrics, const char *name, const struct check_view *cv)
{
	char path[200];

	snprintf(path, sizeof(path), "tests.%s.metrics", name);
	if (html_not_known(f, metrics, J_OBJ, path) || !json_len(metrics))
		return;
	fputs("<div class=\"kv\">\n", f);
	for (size_t i = 0; i < json_len(metrics); i++) {
		const char *key = json_key(metrics, i);
		const struct field *fd = cv ? html_field_find(cv->metrics, cv->nmetrics, key) : NULL;

		snprintf(path, sizeof(path), "tests.%s.metrics.%s", name, key);
		fputs("<div><span class=\"k\">", f);
		html_escape(f, fd ? fd->label : key);
		fputs("</span>", f);
		if (json_is(json_at(metrics, i), J_NULL)) {
			fputs("<span class=\"na\">not measured</span></div>\n", f);
			continue;
		}
		html_value(f, "span", json_at(metrics, i), path, fd ? fd->dp : DP_RAW, fd ? fd->scale : 1);
		if (fd && fd->unit)
			html_el(f, "<span class=\"u\"> ", fd->unit, "</span>");
		fputs("</div>\n", f);
	}
	fputs("</div>\n", f);
}

/* ---- checks ---- */

static void checks_table(FILE *f, const struct jval *tests)
{
	char path[160];

	fputs("<div class=\"scroll\"><table class=\"checks\">\n<thead><tr><th>check</th><th>status</th><th>time (s)</th>"
	      "<th>findings</th><th>reason</th></tr></thead>\n", f);
	for (size_t i = 0; i < json_len(tests); i++) {
		const struct jval *t = json_at(tests, i), *fl = json_get(t, "findings");

		html_el(f, "<tr><th><a href=\"#check-", json_key(tests, i), "\">");
		html_el(f, "", json_key(tests, i), "</a></th><td>");
		html_badge(f, json_str(t, "status", "?"));
		fputs("</td>", f);
		snprintf(path, sizeof(path), "tests.%s.duration_s", json_key(tests, i));
		html_value(f, "td", json_get(t, "duration_s"), path, 1, 1);
		if (fl && !json_is(fl, J_NULL) && !json_is(fl, J_ARR))
			fputs("<td class=\"na\">&#8211;</td><td>", f);
		else
			fprintf(f, "<td class=\"n\">%zu</td><td>", json_len(fl));
		html_escape(f, json_str(t, "reason", ""));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void check_section(FILE *f, const char *name, const struct jval *t)
{
	const struct check_view *cv = check_view_find(name);
	const struct command *cmd = command_find(name);
	const struct jval *fl = json_arr(t, "findings");
	const char *reason = json_str(t, "reason", NULL);
	char path[200];

	fprintf(f, "<section id=\"check-");
	html_escape(f, name);
	fputs("\">\n<h2>", f);
	html_escape(f, name);
	fputs(" ", f);
	html_badge(f, json_str(t, "status", "?"));
	fputs("</h2>\n", f);
	if (cmd)
		html_el(f, "<p class=\"note\">", cmd->summary, ".</p>\n");
	snprintf(path, sizeof(path), "tests.%s", name);
	html_not_known(f, t, J_OBJ, path);
	if (reason)
		html_el(f, "<p><b>Reason:</b> ", reason, "</p>\n");
	key_figures(f, json_get(t, "metrics"), name, cv);
	snprintf(path, sizeof(path), "tests.%s.findings", name);
	html_not_known(f, json_get(t, "findings"), J_ARR, path);
	for (size_t k = 0; k < json_len(fl); k++) {
		snprintf(path, sizeof(path), "tests.%s.findings.%zu.evidence", name, k);
		html_finding_card(f, NULL, json_at(fl, k), json_at(fl, k), path);
	}
	snprintf(path, sizeof(path), "tests.%s.data", name);
	if (cv && !html_not_known(f, json_get(t, "data"), J_OBJ, path))
		cv->html(f, t, name);
	fputs("</section>\n", f);
}

static void checks(FILE *f, const struct jval *rep)
{
	const struct jval *tests = json_obj(rep, "tests");

	fputs("<section id=\"checks\">\n<h2>Checks</h2>\n", f);
	if (html_not_known(f, json_get(rep, "tests"), J_OBJ, "tests")) {
		fputs("</section>\n", f);
		return;
	}
	if (!json_len(tests)) {
		fputs("<p class=\"note\">No check ran.</p>\n</section>\n", f);
		return;
	}
	checks_table(f, tests);
	fputs("</section>\n", f);
	for (size_t i = 0; i < json_len(tests); i++)
		check_section(f, json_key(tests, i), json_at(tests, i));
}

/* ---- the rest ---- */

static void kernel_log(FILE *f, const struct jval *rep)
{
	const struct jval *kl = json_arr(rep, "kernel_log");
	char path[64];

	fputs("<section id=\"kernel-log\">\n<h2>Kernel log</h2>\n", f);
	if (!json_get(rep, "kernel_log"))
		fputs("<p class=\"note\">The report has no kernel log: nobody watched it.</p>\n", f);
	else if (!html_not_known(f, json_get(rep, "kernel_log"), J_ARR, "kernel_log") && !json_len(kl))
		fputs("<p>No findings in the kernel log during the run.</p>\n", f);
	for (size_t i = 0; i < json_len(kl); i++) {
		snprintf(path, sizeof(path), "kernel_log.%zu.evidence", i);
		html_finding_card(f, "kernel_log", json_at(kl, i), json_at(kl, i), path);
	}
	fputs("</section>\n", f);
}

static void problems(FILE *f, const struct jval *rep)
{
	const struct jval *pr = json_path(rep, "run.problems");

	fputs("<section id=\"problems\">\n<h2>Option problems</h2>\n", f);
	if (html_not_known(f, pr, J_ARR, "run.problems")) {
		fputs("</section>\n", f);
		return;
	}
	if (!json_len(pr)) {
		fputs("<p>None: every option was understood.</p>\n</section>\n", f);
		return;
	}
	fputs("<p class=\"note\">These options were ignored; the run went on without them.</p>\n<ul>\n", f);
	for (size_t i = 0; i < json_len(pr); i++) {
		fputs("<li>", f);
		html_escape(f, json_as_str(json_at(pr, i), "?"));
		fputs("</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

static void report_disk(FILE *f, const struct jval *rep)
{
	const struct jval *d = json_get(rep, "report_disk");

	fputs("<section id=\"report-disk\">\n<h2>Where the report went</h2>\n<p>", f);
	if (!d)
		fputs("The report names no report disk: triage run did not write it.", f);
	else if (json_true(d, "written"))
		html_textf(f, "Written to %s (label %s, %s), folder %s/: report.json, report.txt and report.html.",
		           json_str(d, "device", "?"), json_str(d, "label", "?"), json_str(d, "filesystem", "?"),
		           json_str(d, "path", "?"));
	else
		html_textf(f, "Not written to a report disk (target %s): %s. The report stays in the output folder "
		           "(/run/triage/ in the image) until power-off.",
		           json_str(d, "target", "?"), json_str(d, "error", "no reason given"));
	fputs("</p>\n</section>\n", f);
}

static void page_foot(FILE *f, const struct jval *rep)
{
	fputs("<p class=\"meta\">", f);
	html_textf(f, "Rendered from report.json (schema %s) by vmtriage %s. report.json holds every figure.",
	           json_str(rep, "schema", "?"), json_str(json_get(rep, "tool"), "version", "?"));
	fputs("</p>\n</main>\n</body>\n</html>\n", f);
}

char *render_html(const struct jval *rep, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		dief("out of memory");
	page_head(f, rep);
	header(f, rep);
	html_top_findings(f, rep);
	checks(f, rep);
	system_facts(f, rep);
	kernel_log(f, rep);
	problems(f, rep);
	report_disk(f, rep);
	page_foot(f, rep);
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}
