/* report.html: the report as one self-contained page.
 *
 * Rendered from the report JSON alone, so the page never says what the JSON
 * does not; any part may be missing (a check that did not run, an error
 * without data). Nothing is fetched: inline CSS, SVG charts drawn here, no
 * script, and a Content-Security-Policy that forbids every load. Numbers are
 * shown with fixed decimals per figure; the element holding a key figure
 * carries data-path (its place in report.json), data-value (the raw value as
 * report.json spells it) and data-scale (when shown in another unit). */
#include "run/html.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lib/opts.h"
#include "lib/util.h"
#include "report/view_postmortem.h"

#define DP_RAW (-1)	/* show a number exactly as report.json has it */
/* Above this many CPUs the ISA matrix lists only the CPUs that differ,
 * instead of one column per CPU. */
#define ISA_MATRIX_MAX_CPUS 32
#define WAKE_MAX_IDLE 32

/* ---- escaping and numbers ---- */

void html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\t': case '\n': fputc(*s, f); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputs("&#xFFFD;", f);
			else
				fputc(*s, f);
		}
	}
}

/* Escaped printf, for text built from report strings. */
static void textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void textf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		dief("out of memory");
	va_end(ap);
	html_escape(f, s);
	free(s);
}

/* Report text between two pieces of markup. */
static void el(FILE *f, const char *open, const char *text, const char *close)
{
	fputs(open, f);
	html_escape(f, text);
	fputs(close, f);
}

void html_raw_number(char *buf, size_t size, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.10g", v);
}

static bool is_num(const struct jval *v)
{
	return v && v->type == J_NUM;
}

/* One value in element tag: a number with its path and raw value, a
 * string escaped, a boolean as yes/no, a dash for null or absent. */
static void value_el(FILE *f, const char *tag, const struct jval *v, const char *path, int dp, double scale)
{
	char raw[48], sc[48];

	if (!v || v->type == J_NULL || v->type == J_ARR || v->type == J_OBJ) {
		fprintf(f, "<%s class=\"na\">&#8211;</%s>", tag, tag);
		return;
	}
	if (v->type != J_NUM) {
		fprintf(f, "<%s>", tag);
		html_escape(f, v->type == J_STR ? v->str : v->b ? "yes" : "no");
		fprintf(f, "</%s>", tag);
		return;
	}
	html_raw_number(raw, sizeof(raw), v->num);
	html_raw_number(sc, sizeof(sc), scale);
	fprintf(f, "<%s class=\"n\" data-path=\"", tag);
	html_escape(f, path);
	fprintf(f, "\" data-value=\"%s\"", raw);
	if (scale && scale != 1)
		fprintf(f, " data-scale=\"%s\"", sc);
	if (dp == DP_RAW)
		fprintf(f, ">%s</%s>", raw, tag);
	else
		fprintf(f, ">%.*f</%s>", dp, v->num / (scale ? scale : 1), tag);
}

/* A labelled figure: where it is below a parent object, and how to show it. */
struct field {
	const char *label;
	const char *key;	/* dot path below the parent */
	int dp;			/* decimals shown, or DP_RAW */
	double scale;		/* shown = value / scale; 0: 1 */
	const char *unit;
};

static const struct field *field_find(const struct field *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].key, key))
			return &t[i];
	return NULL;
}

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
	textf(f, "vmtriage %s: %s, %s", json_str(v, "status", "?"),
	      json_str(json_get(rep, "system"), "hostname", json_str(rep, "machine_id", "?")),
	      json_str(run, "started_utc", "?"));
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

static const char *status_class(const char *s)
{
	static const char *const known[] = { "pass", "warn", "fail", "error", "skip", "info" };

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return "skip";
}

static void badge(FILE *f, const char *status)
{
	fprintf(f, "<span class=\"badge bg-%s\">", status_class(status));
	html_escape(f, status);
	fputs("</span>", f);
}

static void header(FILE *f, const struct jval *rep)
{
	const struct jval *v = json_get(rep, "verdict"), *run = json_get(rep, "run");
	const struct jval *counts = json_get(v, "findings"), *hv = json_path(rep, "system.hypervisor");
	static const char *const sev[] = { "fail", "warn", "info" };
	const char *st = json_str(v, "status", "?");
	char path[64];

	fputs("<header>\n<h1>vmtriage report</h1>\n", f);
	fprintf(f, "<div class=\"verdict bg-%s\" id=\"verdict\"><b>", status_class(st));
	for (const char *s = st; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, f);
	fputs("</b><span>", f);
	for (size_t i = 0; i < ARRAY_SIZE(sev); i++) {
		snprintf(path, sizeof(path), "verdict.findings.%s", sev[i]);
		value_el(f, "span", json_get(counts, sev[i]), path, 0, 1);
		fprintf(f, " %s%s", sev[i], i + 1 < ARRAY_SIZE(sev) ? " &#183; " : "");
	}
	fputs("</span><span>exit code ", f);
	value_el(f, "span", json_get(v, "exit_code"), "verdict.exit_code", 0, 1);
	fputs("</span></div>\n<p class=\"meta\">", f);
	textf(f, "%s %s, machine %s, %s mode, started %s, took ", json_str(json_path(rep, "system"), "hostname", "?"),
	      json_get(hv, "vm") && json_get(hv, "vm")->b ? "(virtual machine)" : "(bare metal)",
	      json_str(rep, "machine_id", "?"), json_str(run, "mode", "?"), json_str(run, "started_utc", "?"));
	value_el(f, "span", json_get(run, "duration_s"), "run.duration_s", 1, 1);
	textf(f, " s; vmtriage %s.", json_str(json_get(rep, "tool"), "version", "?"));
	fputs("</p>\n<nav><a href=\"#top\">first look</a><a href=\"#checks\">checks</a><a href=\"#system\">system</a>"
	      "<a href=\"#kernel-log\">kernel log</a><a href=\"#report-disk\">report disk</a></nav>\n</header>\n",
	      f);
}

/* ---- findings ---- */

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
	for (size_t i = 0; i < a->len; i++)
		if (a->items[i]->type == J_ARR || a->items[i]->type == J_OBJ)
			return false;
	return true;
}

static void evidence(FILE *f, const struct jval *ev, const char *path);

/* A list: plain values joined with their paths, objects as nested lists. */
static void evidence_list(FILE *f, const struct jval *v, const char *path)
{
	bool plain = all_scalars(v);

	for (size_t i = 0; i < v->len; i++) {
		char p[300];

		snprintf(p, sizeof(p), "%s.%zu", path, i);
		if (plain)
			value_el(f, "span", v->items[i], p, DP_RAW, 1);
		else if (v->items[i]->type == J_OBJ)
			evidence(f, v->items[i], p);
		else
			compact_json(f, v->items[i]);
		fputs(plain && i + 1 < v->len ? ", " : "", f);
	}
	if (!v->len)
		fputs("none", f);
}

/* One evidence value: numbers raw and tagged, log lines as a block, lists
 * of plain values joined, objects as nested lists. */
static void evidence_value(FILE *f, const char *key, const struct jval *v, const char *path)
{
	if (v->type != J_ARR && v->type != J_OBJ) {
		value_el(f, "dd", v, path, DP_RAW, 1);
		return;
	}
	fputs("<dd>", f);
	if (v->type == J_ARR && !strcmp(key, "lines")) {
		for (size_t i = 0; i < v->len; i++) {
			fputs("<pre>", f);
			html_escape(f, v->items[i]->type == J_STR ? v->items[i]->str : "");
			fputs("</pre>", f);
		}
	} else if (v->type == J_OBJ) {
		evidence(f, v, path);
	} else {
		evidence_list(f, v, path);
	}
	fputs("</dd>", f);
}

static void evidence(FILE *f, const struct jval *ev, const char *path)
{
	if (!ev || ev->type != J_OBJ || !ev->len)
		return;
	fputs("<dl class=\"ev\">", f);
	for (size_t i = 0; i < ev->len; i++) {
		char p[256];

		snprintf(p, sizeof(p), "%s.%s", path, ev->keys[i]);
		fputs("<dt>", f);
		html_escape(f, ev->keys[i]);
		fputs("</dt>", f);
		evidence_value(f, ev->keys[i], ev->items[i], p);
	}
	fputs("</dl>\n", f);
}

/* A finding card. item is a finding or a verdict.top entry; full is the
 * finding with its evidence (may be NULL), at path. */
static void finding_card(FILE *f, const char *test, const struct jval *item, const struct jval *full, const char *path)
{
	const char *sev = json_str(item, "severity", "?"), *advice = json_str(item, "advice", NULL);

	fprintf(f, "<div class=\"finding %s\">", status_class(sev));
	badge(f, sev);
	fputs(" <strong>", f);
	html_escape(f, json_str(item, "summary", ""));
	fputs("</strong>\n<div class=\"id\">", f);
	textf(f, "%s%s%s", test ? test : "", test ? " \xc2\xb7 " : "", json_str(item, "id", ""));
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
		list = json_get(rep, "kernel_log");
		snprintf(path, size, "kernel_log");
	} else {
		list = json_get(json_get(json_get(rep, "tests"), test), "findings");
		snprintf(path, size, "tests.%s.findings", test);
	}
	for (size_t i = 0; list && list->type == J_ARR && i < list->len; i++) {
		const struct jval *fd = list->items[i];

		if (!strcmp(json_str(fd, "id", ""), id) &&
		    !strcmp(json_str(fd, "summary", ""), json_str(t, "summary", ""))) {
			size_t n = strlen(path);

			snprintf(path + n, size - n, ".%zu.evidence", i);
			return fd;
		}
	}
	return NULL;
}

static void top_findings(FILE *f, const struct jval *rep)
{
	const struct jval *top = json_path(rep, "verdict.top");

	fputs("<section id=\"top\">\n<h2>What to look at first</h2>\n", f);
	if (!top || top->type != J_ARR || !top->len)
		fputs("<p>Nothing: no check failed or warned, and the kernel log is clean.</p>\n", f);
	for (size_t i = 0; top && top->type == J_ARR && i < top->len; i++) {
		char path[256];
		const struct jval *src = top_source(rep, top->items[i], path, sizeof(path));

		finding_card(f, json_str(top->items[i], "test", NULL), top->items[i], src, path);
	}
	fputs("</section>\n", f);
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

	if (!v || v->type == J_NULL)
		return;
	snprintf(path, sizeof(path), "system.%s", fd->key);
	el(f, "<tr><th>", fd->label, "</th><td>");
	value_el(f, "span", v, path, fd->dp, fd->scale);
	if (fd->unit)
		textf(f, " %s", fd->unit);
	fputs("</td></tr>\n", f);
}

/* C-states as "name (exit latency)", the deepest last. */
static void cstates_row(FILE *f, const struct jval *states)
{
	if (!states || states->type != J_ARR || !states->len)
		return;
	fputs("<tr><th>C-states</th><td>", f);
	for (size_t i = 0; i < states->len; i++) {
		const struct jval *s = states->items[i];
		const struct jval *dis = json_get(s, "disabled");

		textf(f, "%s%s (%.0f us%s)", i ? ", " : "", json_str(s, "name", "?"), json_num(s, "latency_us", 0),
		      dis && ((dis->type == J_NUM && dis->num) || (dis->type == J_BOOL && dis->b)) ? ", disabled" : "");
	}
	fputs("</td></tr>\n", f);
}

static void system_facts(FILE *f, const struct jval *rep)
{
	const struct jval *sys = json_get(rep, "system");

	fputs("<section id=\"system\">\n<h2>System</h2>\n", f);
	if (!sys) {
		fputs("<p class=\"note\">The report has no system facts.</p>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table class=\"facts\">\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(system_fields); i++)
		fact_row(f, sys, &system_fields[i]);
	cstates_row(f, json_path(sys, "cpuidle.states"));
	fputs("</table></div>\n</section>\n", f);
}

/* ---- per check: key figures ---- */

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

typedef void (*detail_fn)(FILE *f, const struct jval *test, const char *name);

static void isa_detail(FILE *f, const struct jval *test, const char *name);
static void mem_detail(FILE *f, const struct jval *test, const char *name);
static void wake_detail(FILE *f, const struct jval *test, const char *name);
static void burnin_detail(FILE *f, const struct jval *test, const char *name);

/* What the page knows about each check beyond the generic parts. */
static const struct check_view {
	const char *name;
	const struct field *metrics;
	size_t nmetrics;
	detail_fn detail;
} check_views[] = {
	{ "isa", isa_metrics, ARRAY_SIZE(isa_metrics), isa_detail },
	{ "mem", mem_metrics, ARRAY_SIZE(mem_metrics), mem_detail },
	{ "wake", wake_metrics, ARRAY_SIZE(wake_metrics), wake_detail },
	{ "burnin", burnin_metrics, ARRAY_SIZE(burnin_metrics), burnin_detail },
	{ "postmortem", NULL, 0, postmortem_html },
};

static const struct check_view *view_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(check_views); i++)
		if (!strcmp(check_views[i].name, name))
			return &check_views[i];
	return NULL;
}

/* Every metric in report order; labelled and formatted by the view's
 * table where it has the key, else by its key and its raw value. A null
 * metric is one the check could not measure here (no sensor, no counter). */
static void key_figures(FILE *f, const struct jval *metrics, const char *name, const struct check_view *cv)
{
	if (!metrics || metrics->type != J_OBJ || !metrics->len)
		return;
	fputs("<div class=\"kv\">\n", f);
	for (size_t i = 0; i < metrics->len; i++) {
		const struct field *fd = cv ? field_find(cv->metrics, cv->nmetrics, metrics->keys[i]) : NULL;
		char path[200];

		snprintf(path, sizeof(path), "tests.%s.metrics.%s", name, metrics->keys[i]);
		fputs("<div><span class=\"k\">", f);
		html_escape(f, fd ? fd->label : metrics->keys[i]);
		fputs("</span>", f);
		if (metrics->items[i]->type == J_NULL) {
			fputs("<span class=\"na\">not measured</span></div>\n", f);
			continue;
		}
		value_el(f, "span", metrics->items[i], path, fd ? fd->dp : DP_RAW, fd ? fd->scale : 1);
		if (fd && fd->unit)
			el(f, "<span class=\"u\"> ", fd->unit, "</span>");
		fputs("</div>\n", f);
	}
	fputs("</div>\n", f);
}

/* ---- SVG charts ---- */

#define SVG_W 440
#define SVG_H 270
#define M_LEFT 74
#define M_RIGHT 10
#define M_RIGHT_AXIS 56	/* room for a second y axis on the right */
#define M_TOP 10
#define M_BOTTOM 48

typedef void (*tick_fn)(char *buf, size_t size, double v);

struct axis {
	double lo, hi, step; /* step: tick spacing of a linear axis */
	bool log;
	tick_fn tick;	     /* formats a tick label; NULL: a plain number */
};

struct plot {
	FILE *f;
	struct axis x, y;
	bool right_axis; /* leave room for a second y axis (axis_y_right) */
};

static double axis_at(const struct axis *a, double v, double from, double to)
{
	double t = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);

	return from + t * (to - from);
}

/* Where the plot area ends on the right. */
static int x_end(const struct plot *p)
{
	return SVG_W - (p->right_axis ? M_RIGHT_AXIS : M_RIGHT);
}

static double px(const struct plot *p, double v)
{
	return axis_at(&p->x, v, M_LEFT, x_end(p));
}

static double py(const struct plot *p, double v)
{
	return axis_at(&p->y, v, SVG_H - M_BOTTOM, M_TOP);
}

/* Whole decades around [lo, hi]; lo > 0. */
static void axis_log(struct axis *a, double lo, double hi)
{
	a->log = true;
	a->lo = pow(10, floor(log10(lo)));
	a->hi = pow(10, ceil(log10(hi)));
	if (a->hi <= a->lo)
		a->hi = a->lo * 10;
}

/* lo to hi rounded up, ticks at 1, 2 or 5 times a power of ten. */
static void axis_lin(struct axis *a, double lo, double hi)
{
	double raw = (hi - lo) / 5, mag, step;

	if (!(raw > 0))
		raw = hi > 0 ? hi / 5 : 1;
	mag = pow(10, floor(log10(raw)));
	step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
	a->log = false;
	a->step = step;
	a->lo = floor(lo / step) * step;
	a->hi = ceil(hi / step) * step;
	if (a->hi <= a->lo)
		a->hi = a->lo + step;
}

static void tick_label(const struct axis *a, char *buf, size_t size, double v)
{
	if (a->tick)
		a->tick(buf, size, v);
	else if (v == floor(v))
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%g", v);
}

/* Microseconds as "50us", "1ms", "2.5s": short enough for an axis. */
static void tick_us(char *buf, size_t size, double us)
{
	format_duration(buf, size, llround(us * 1000));
}

static void svg_open(FILE *f, const char *id, const char *title, const char *desc)
{
	fprintf(f, "<figure>\n<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"%s-t %s-d\">\n<title id=\"%s-t\">", id, SVG_W, SVG_H, id, id, id);
	html_escape(f, title);
	fprintf(f, "</title>\n<desc id=\"%s-d\">", id);
	html_escape(f, desc);
	fputs("</desc>\n", f);
}

static void svg_close(FILE *f, const char *caption)
{
	fputs("</svg>\n<figcaption>", f);
	html_escape(f, caption);
	fputs("</figcaption>\n</figure>\n", f);
}

/* The y axis: grid lines, tick labels and its label, rotated. */
static void axis_y(const struct plot *p, const char *label)
{
	FILE *f = p->f;
	char t[32];

	for (double v = p->y.lo; v <= p->y.hi * (1 + 1e-9); v = p->y.log ? v * 10 : v + p->y.step) {
		double y = py(p, v);

		tick_label(&p->y, t, sizeof(t), v);
		fprintf(f, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
			   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			M_LEFT, x_end(p), y, y, M_LEFT - 5, y + 4, t);
	}
	fprintf(f, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", M_LEFT, M_LEFT, M_TOP,
		SVG_H - M_BOTTOM);
	fprintf(f, "<text class=\"lab\" text-anchor=\"middle\" transform=\"translate(13 %d) rotate(-90)\">",
		(SVG_H - M_BOTTOM + M_TOP) / 2);
	html_escape(f, label);
	fputs("</text>\n", f);
}

/* A second y axis on the right (p->right_axis set): tick labels and its
 * label only, since the grid lines belong to the left axis. */
static void axis_y_right(const struct plot *p, const char *label)
{
	FILE *f = p->f;
	char t[32];

	for (double v = p->y.lo; v <= p->y.hi * (1 + 1e-9); v = p->y.log ? v * 10 : v + p->y.step) {
		tick_label(&p->y, t, sizeof(t), v);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\">%s</text>\n", x_end(p) + 5, py(p, v) + 4, t);
	}
	fprintf(f, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", x_end(p), x_end(p), M_TOP,
		SVG_H - M_BOTTOM);
	fprintf(f, "<text class=\"lab\" text-anchor=\"middle\" transform=\"translate(%d %d) rotate(90)\">",
		SVG_W - 13, (SVG_H - M_BOTTOM + M_TOP) / 2);
	html_escape(f, label);
	fputs("</text>\n", f);
}

static void axis_x_label(const struct plot *p, const char *label)
{
	fprintf(p->f, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", M_LEFT, x_end(p),
		SVG_H - M_BOTTOM, SVG_H - M_BOTTOM);
	fprintf(p->f, "<text class=\"lab\" text-anchor=\"middle\" x=\"%d\" y=\"%d\">", (M_LEFT + x_end(p)) / 2,
		SVG_H - 8);
	html_escape(p->f, label);
	fputs("</text>\n", p->f);
}

static void x_tick(const struct plot *p, double v, const char *text)
{
	fprintf(p->f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", px(p, v), SVG_H - M_BOTTOM + 17);
	html_escape(p->f, text);
	fputs("</text>\n", p->f);
}

/* Categories 0..n-1 labelled with vals[i] (formatted by the axis' tick
 * function); at most about ten labels. */
static void axis_x_cats(const struct plot *p, const double *vals, int n, const char *label)
{
	int every = n > 10 ? (n + 9) / 10 : 1;
	char t[32];

	for (int i = 0; i < n; i += every) {
		tick_label(&p->x, t, sizeof(t), vals[i]);
		x_tick(p, i, t);
	}
	axis_x_label(p, label);
}

static void axis_x_lin(const struct plot *p, const char *label)
{
	char t[32];

	for (double v = p->x.lo; v <= p->x.hi * (1 + 1e-9); v += p->x.step) {
		tick_label(&p->x, t, sizeof(t), v);
		x_tick(p, v, t);
	}
	axis_x_label(p, label);
}

static bool plottable(const struct plot *p, double y)
{
	return isfinite(y) && (!p->y.log || y > 0);
}

static void polyline(const struct plot *p, const double *xs, const double *ys, int n, const char *cls)
{
	fprintf(p->f, "<polyline class=\"ln %s\" points=\"", cls);
	for (int i = 0; i < n; i++)
		if (plottable(p, ys[i]))
			fprintf(p->f, "%.1f,%.1f ", px(p, xs[i]), py(p, ys[i]));
	fputs("\"/>\n", p->f);
}

static void point(const struct plot *p, double x, double y, const char *cls, const char *tip)
{
	if (!plottable(p, y))
		return;
	fprintf(p->f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", cls, px(p, x), py(p, y));
	html_escape(p->f, tip);
	fputs("</title></circle>\n", p->f);
}

static void legend_item(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<span><i class=\"%s\"></i>", cls);
	html_escape(f, text);
	fputs("</span>", f);
}

/* A JSON array of numbers as doubles divided by scale (NaN where not a
 * number). The caller frees it. */
static double *numbers(const struct jval *arr, double scale, int *n)
{
	double *v;

	*n = arr && arr->type == J_ARR ? (int)arr->len : 0;
	v = xcalloc((size_t)*n + 1, sizeof(*v));
	for (int i = 0; i < *n; i++)
		v[i] = is_num(arr->items[i]) ? arr->items[i]->num / scale : NAN;
	return v;
}

static double max_of(const double *v, int n)
{
	double m = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > m)
			m = v[i];
	return m;
}

/* ---- isa ---- */

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

			fprintf(f, "<td class=\"st st-%s\" title=\"CPU %.0f: ", state_class(st), is_num(id) ? id->num : (double)c);
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
		textf(f, "%s%.0f: %s", shown++ ? ", " : "", is_num(id) ? id->num : (double)c, st);
	}
	fputs("</td>", f);
}

/* The header: state and the CPUs first, so a phone shows them unscrolled. */
static void isa_matrix_head(FILE *f, const struct jval *cpus, size_t ncpu, bool columns)
{
	fputs("<div class=\"scroll\"><table class=\"isa\">\n<thead><tr><th>extension</th><th>state</th>", f);
	for (size_t c = 0; columns && c < ncpu; c++) {
		const struct jval *id = cpus && c < cpus->len ? cpus->items[c] : NULL;

		fprintf(f, "<th class=\"st\">CPU %.0f</th>", is_num(id) ? id->num : (double)c);
	}
	fputs(columns ? "" : "<th>CPUs that differ</th>", f);
	fputs("<th>level</th><th>CPUID</th><th>OS</th></tr></thead>\n", f);
}

static void isa_matrix_row(FILE *f, const struct jval *e, const char *path, const struct jval *cpus, bool columns)
{
	const char *st = json_str(e, "state", "?");

	el(f, "<tr><th>", json_str(e, "name", "?"), "</th>");
	fprintf(f, "<td class=\"state st-%s\">", state_class(st));
	html_escape(f, st);
	fputs("</td>", f);
	isa_cpu_cells(f, json_get(e, "per_cpu"), cpus, columns, st);
	value_el(f, "td", json_get(e, "level"), path, 0, 1);
	value_el(f, "td", json_get(e, "advertised"), "", 0, 1);
	value_el(f, "td", json_get(e, "os_enabled"), "", 0, 1);
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

static void names_list(FILE *f, const struct jval *arr)
{
	if (!arr || arr->type != J_ARR || !arr->len) {
		fputs("none", f);
		return;
	}
	for (size_t i = 0; i < arr->len; i++)
		textf(f, "%s%s", i ? ", " : "", arr->items[i]->type == J_STR ? arr->items[i]->str : "?");
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
		value_el(f, "td", json_get(lv, "cpuid"), path, 0, 1);
		fputs("</tr>\n<tr><th>missing for the next</th><td>", f);
		names_list(f, json_get(lv, "cpuid_missing_for_next"));
		snprintf(path, sizeof(path), "tests.%s.data.levels.exec", name);
		fputs("</td></tr>\n<tr><th>x86-64 level by execution</th>", f);
		value_el(f, "td", json_get(lv, "exec"), path, 0, 1);
		fputs("</tr>\n<tr><th>missing for the next</th><td>", f);
		names_list(f, json_get(lv, "exec_missing_for_next"));
		fputs("</td></tr>\n", f);
	}
	if (pve && pve->type == J_OBJ) {
		el(f, "<tr><th>closest PVE CPU type</th><td>", json_str(pve, "closest", "none"), "</td></tr>\n");
		el(f, "<tr><th>richest generic type</th><td>", json_str(pve, "generic", "none"), "</td></tr>\n");
		el(f, "<tr><th>richest named model</th><td>", json_str(pve, "model", "none"), "</td></tr>\n");
		fputs("<tr><th>beyond that type</th><td>", f);
		names_list(f, json_get(pve, "beyond"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void isa_detail(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data"), *exts = json_get(d, "extensions");

	isa_levels(f, d, name);
	if (!exts || exts->type != J_ARR || !exts->len)
		return;
	fputs("<h3>Extensions by CPU</h3>\n", f);
	isa_matrix(f, exts, json_get(d, "cpus"), name);
}

/* ---- mem ---- */

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
		value_el(f, "td", keys[k] ? json_get(o, keys[k]) : NULL, p, dp[k], scale[k]);
	}
	value_el(f, "td", keys[3] ? json_get(o, keys[3]) : NULL, "", 0, 1);
	fputs("</tr>\n", f);
}

static void mem_phase_table(FILE *f, const struct jval *d, const char *name)
{
	const struct jval *passes = json_path(d, "verify.passes");
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
	for (size_t i = 0; passes && passes->type == J_ARR && i < passes->len; i++) {
		const char *const keys[4] = { "bytes", "seconds", "gibps", NULL };
		char label[160];

		snprintf(label, sizeof(label), "verify: %s", json_str(passes->items[i], "name", "?"));
		snprintf(path, sizeof(path), "tests.%s.data.verify.passes.%zu", name, i);
		mem_row(f, label, passes->items[i], path, keys);
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
		el(f, "<div><span class=\"k\">", fd->label, "</span>");
		value_el(f, "span", json_get(blocks, fd->key), path, fd->dp, 1);
		if (fd->unit)
			el(f, "<span class=\"u\"> ", fd->unit, "</span>");
		fputs("</div>\n", f);
	}
	fputs("</div>\n", f);
}

static void fill_bar(const struct plot *p, int i, double gibps, bool refill)
{
	double w = (px(p, 1) - px(p, 0)) * 0.8;
	char tip[96];

	if (!isfinite(gibps))
		return;
	snprintf(tip, sizeof(tip), "chunk %d%s: %.3f GiB/s", i + 1, refill ? " (refill)" : "", gibps);
	fprintf(p->f, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
		refill ? " refill" : "", px(p, i) - w / 2, py(p, gibps), w, py(p, 0) - py(p, gibps));
	html_escape(p->f, tip);
	fputs("</title></rect>\n", p->f);
}

static void chart_fill(FILE *f, const struct jval *fill)
{
	const struct jval *refill = json_get(fill, "chunk_refill"), *mib = json_get(fill, "chunk_mib");
	struct plot p = { .f = f };
	char xlabel[64] = "chunk";
	int n;
	double *g = numbers(json_get(fill, "chunk_gibps"), 1, &n), *number = xcalloc((size_t)n + 1, sizeof(double));

	if (n >= 1) {
		p.x = (struct axis){ .lo = -0.5, .hi = n - 0.5 };
		axis_lin(&p.y, 0, max_of(g, n) > 0 ? max_of(g, n) : 1);
		svg_open(f, "chart-fill", "Memory fill throughput per chunk",
			 "Bars: GiB/s of first-touch writes for each chunk, in fill order; orange bars are chunks "
			 "refilled during churn.");
		axis_y(&p, "fill throughput (GiB/s)");
		for (int i = 0; i < n; i++) {
			number[i] = i + 1;
			fill_bar(&p, i, g[i], refill && refill->type == J_ARR && (size_t)i < refill->len && refill->items[i]->b);
		}
		if (mib && mib->type == J_ARR && mib->len && is_num(mib->items[0]))
			snprintf(xlabel, sizeof(xlabel), "chunk (%.0f MiB each)", mib->items[0]->num);
		axis_x_cats(&p, number, n, xlabel);
		svg_close(f, "Memory fill throughput per chunk (GiB/s). A short bar is a chunk the host was slow to back.");
		fputs("<p class=\"legend\">", f);
		legend_item(f, "sq bar", "first fill");
		legend_item(f, "sq bar refill", "refill during churn");
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
			legend_item(f, cls, mem_lines[k].label);
	}
	fputs("</p>\n", f);
}

static void chart_memtotal(FILE *f, const struct jval *samples)
{
	struct plot p = { .f = f };
	double *ys[ARRAY_SIZE(mem_lines)], hi = 0;
	int n, ny[ARRAY_SIZE(mem_lines)];
	double *t = numbers(json_get(samples, "t_s"), 1, &n);

	for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++) {
		ys[k] = numbers(json_get(samples, mem_lines[k].key), mem_lines[k].scale, &ny[k]);
		hi = fmax(hi, max_of(ys[k], ny[k] < n ? ny[k] : n));
	}
	if (n >= 2 && hi > 0) {
		axis_lin(&p.x, 0, max_of(t, n));
		axis_lin(&p.y, 0, hi);
		svg_open(f, "chart-memtotal", "MemTotal over time",
			 "Lines: MemTotal, MemAvailable, the memory held by the test and the balloon size, in MiB, "
			 "sampled during the mem check. A falling MemTotal is the host taking memory back.");
		axis_y(&p, "MiB");
		axis_x_lin(&p, "time since the start of the check (s)");
		for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++)
			if (ny[k] >= n)
				polyline(&p, t, ys[k], n, mem_lines[k].cls);
		svg_close(f, "MemTotal, MemAvailable, held and ballooned memory over time (MiB).");
		mem_legend(f, ny, n);
	}
	for (size_t k = 0; k < ARRAY_SIZE(mem_lines); k++)
		free(ys[k]);
	free(t);
}

static void mem_detail(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data");

	if (!d || d->type != J_OBJ || !d->len)
		return;
	fputs("<h3>Fill, verify, hold</h3>\n", f);
	mem_phase_table(f, d, name);
	mem_blocks(f, json_get(d, "blocks"), name);
	chart_fill(f, json_get(d, "fill"));
	chart_memtotal(f, json_get(d, "samples"));
}

/* ---- wake ---- */

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

	for (size_t i = 0; blocks && blocks->type == J_ARR && i < blocks->len; i++) {
		const struct jval *b = blocks->items[i], *v = json_get(b, key);

		if (strcmp(json_str(b, "run", ""), run) != 0 || json_num(b, "idle_us", NAN) != idle || !is_num(v))
			continue;
		if (p.idx < 0 || v->num > p.v) {
			p.v = v->num;
			p.idx = (int)i;
		}
	}
	return p;
}

/* Distinct idle lengths of the blocks, ascending. */
static int idle_lengths(const struct jval *blocks, double *out, int max)
{
	int n = 0;

	for (size_t i = 0; blocks && blocks->type == J_ARR && i < blocks->len; i++) {
		double v = json_num(blocks->items[i], "idle_us", NAN);
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

	for (size_t i = 0; attr && attr->type == J_ARR && i < attr->len; i++) {
		const struct jval *v = json_get(attr->items[i], "share_p50_pct");

		if (json_num(attr->items[i], "idle_us", NAN) == idle && is_num(v) && (p.idx < 0 || v->num > p.v)) {
			p.v = v->num;
			p.idx = (int)i;
		}
	}
	return p;
}

static void pick_cell(FILE *f, const struct jval *arr, struct pick pk, const char *base, const char *key, int dp)
{
	char path[200];

	snprintf(path, sizeof(path), "%s.%d.%s", base, pk.idx, key);
	value_el(f, "td", pk.idx >= 0 ? json_get(arr->items[pk.idx], key) : NULL, path, dp, 1);
}

static void wake_table(FILE *f, const struct jval *d, const double *idle, int n, const char *name)
{
	const struct jval *blocks = json_get(d, "blocks"), *attr = json_get(d, "attribution");
	char base[120], abase[120], lab[32];

	snprintf(base, sizeof(base), "tests.%s.data.blocks", name);
	snprintf(abase, sizeof(abase), "tests.%s.data.attribution", name);
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th rowspan=\"2\">idle</th><th colspan=\"3\">default (us)</th>"
	      "<th colspan=\"3\">C-states shallow (us)</th><th rowspan=\"2\">C-state share<br>of p50 (%)</th></tr>\n"
	      "<tr><th>p50</th><th>p99</th><th>max</th><th>p50</th><th>p99</th><th>max</th></tr></thead>\n", f);
	for (int i = 0; i < n; i++) {
		tick_us(lab, sizeof(lab), idle[i]);
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
		   "<thead><tr><th>run</th><th>CPU</th><th>idle</th>", blocks->len);
	for (size_t k = 0; k < ARRAY_SIZE(wake_block_cols); k++)
		fprintf(f, "<th>%s%s%s</th>", wake_block_cols[k].label, wake_block_cols[k].unit ? " " : "",
			wake_block_cols[k].unit ? wake_block_cols[k].unit : "");
	fputs("</tr></thead>\n", f);
	for (size_t i = 0; i < blocks->len; i++) {
		const struct jval *b = blocks->items[i];

		tick_us(lab, sizeof(lab), json_num(b, "idle_us", 0));
		el(f, "<tr><td>", json_str(b, "run", "?"), "</td>");
		fprintf(f, "<td>%.0f</td><td>%s</td>", json_num(b, "cpu", -1), lab);
		for (size_t k = 0; k < ARRAY_SIZE(wake_block_cols); k++) {
			snprintf(path, sizeof(path), "tests.%s.data.blocks.%zu.%s", name, i, wake_block_cols[k].key);
			value_el(f, "td", json_path(b, wake_block_cols[k].key), path, wake_block_cols[k].dp, 1);
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
	polyline(p, xs, ys, n, cls);
	snprintf(cls, sizeof(cls), "%s", wake_stats[s].cls);
	for (int i = 0; i < n; i++) {
		tick_us(lab, sizeof(lab), idle[i]);
		snprintf(tip, sizeof(tip), "%s %s after %s idle: %.1f us", wake_runs[r].label, wake_stats[s].label, lab, ys[i]);
		point(p, xs[i], ys[i], cls, tip);
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
		legend_item(f, cls, wake_stats[s].label);
	}
	legend_item(f, "sw", "solid: default");
	legend_item(f, "sw dash", "dashed: C-states held shallow");
	fputs("</p>\n", f);
}

static void chart_wake(FILE *f, const struct jval *blocks, const double *idle, int n)
{
	struct plot p = { .f = f };
	double lo, hi;

	wake_range(blocks, idle, n, &lo, &hi);
	if (!(hi > 0))
		return;
	axis_log(&p.y, lo, hi);
	p.y.tick = tick_us;
	p.x = (struct axis){ .lo = -0.5, .hi = n - 0.5, .tick = tick_us };
	svg_open(f, "chart-wake", "Wake-up latency by idle length",
		 "Overshoot of a timed sleep after each idle length, worst CPU, in microseconds on a log scale: "
		 "p50, p99 and max; solid lines with C-states as the system sets them, dashed with C-states held "
		 "shallow.");
	axis_y(&p, "wake-up overshoot (log scale)");
	axis_x_cats(&p, idle, n, "idle length before the wake-up");
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
	textf(f, "cpuidle %s (governor %s); clocksource %s (%s). ", json_str(json_get(env, "cpuidle"), "driver", "none"),
	      json_str(json_get(env, "cpuidle"), "governor", "none"), json_str(json_get(env, "clocksource"), "current", "?"),
	      json_str(json_get(env, "clocksource"), "trust", "?"));
	if (json_get(sh, "held") && json_get(sh, "held")->b)
		textf(f, "C-states held shallow through %s.", json_str(sh, "how", "?"));
	else
		textf(f, "C-states could not be held shallow: %s.", json_str(sh, "reason", "no reason given"));
	fputs("</p>\n", f);
}

static void wake_detail(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data"), *blocks = json_get(d, "blocks");
	double idle[WAKE_MAX_IDLE];
	int n = idle_lengths(blocks, idle, WAKE_MAX_IDLE);

	wake_env(f, json_get(d, "env"));
	if (!n)
		return;
	fputs("<h3>Wake-up latency by idle length</h3>\n", f);
	wake_table(f, d, idle, n, name);
	chart_wake(f, blocks, idle, n);
	wake_blocks(f, blocks, name);
}

/* ---- burnin ---- */

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

/* A number of the report inline, tagged, then text after it. */
static void inline_fig(FILE *f, const struct jval *o, const char *key, const char *base, int dp, const char *after)
{
	char path[200];

	snprintf(path, sizeof(path), "%s.%s", base, key);
	value_el(f, "span", json_get(o, key), path, dp, 1);
	html_escape(f, after);
}

static bool is_true(const struct jval *v)
{
	return v && v->type == J_BOOL && v->b;
}

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
	for (size_t i = 0; list && list->type == J_ARR && i < list->len; i++)
		if (!strcmp(json_str(list->items[i], "name", ""), name)) {
			*idx = i;
			return list->items[i];
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
		el(f, "<span class=\"what\">", what, "</span>");
	fputs("</th>", f);
	for (size_t k = 0; k < ARRAY_SIZE(burnin_stressor_cols); k++) {
		snprintf(path, sizeof(path), "tests.%s.data.stress_ng.stressors.%zu.%s", name, idx,
			 burnin_stressor_cols[k].key);
		value_el(f, "td", r ? json_get(r, burnin_stressor_cols[k].key) : NULL, path, burnin_stressor_cols[k].dp, 1);
	}
	fputs("</tr>\n", f);
}

/* The plan's stressors in order with stress-ng's figures for each, then any
 * stressor stress-ng reported that the plan does not name. */
static void burnin_stressors(FILE *f, const struct jval *plan, const struct jval *results, const char *name)
{
	const struct jval *ps = json_get(plan, "stressors");
	size_t idx;

	if ((!ps || ps->type != J_ARR || !ps->len) && (!results || results->type != J_ARR || !results->len))
		return;
	fputs("<div class=\"scroll\"><table class=\"stressors\">\n<thead><tr><th>stressor</th>", f);
	for (size_t k = 0; k < ARRAY_SIZE(burnin_stressor_cols); k++) {
		const char *unit = burnin_stressor_cols[k].unit;

		fprintf(f, "<th>%s%s%s%s</th>", burnin_stressor_cols[k].label, unit ? " (" : "", unit ? unit : "",
			unit ? ")" : "");
	}
	fputs("</tr></thead>\n", f);
	for (size_t i = 0; ps && ps->type == J_ARR && i < ps->len; i++) {
		const char *sname = json_str(ps->items[i], "name", "?");
		const struct jval *r = sng_result(results, sname, &idx);

		burnin_stressor_row(f, sname, json_str(ps->items[i], "what", NULL), r, r ? idx : 0, name);
	}
	for (size_t i = 0; results && results->type == J_ARR && i < results->len; i++) {
		const char *sname = json_str(results->items[i], "name", "?");

		if (!sng_result(ps, sname, &idx))
			burnin_stressor_row(f, sname, NULL, results->items[i], i, name);
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
	textf(f, "stress-ng %s (%s) ended with exit code ", json_str(sng, "version", "of unknown version"),
	      json_str(sng, "path", "?"));
	inline_fig(f, sng, "exit_code", base, 0, "");
	textf(f, ": %s.", json_str(sng, "exit_meaning", "no meaning given"));
	if (is_true(json_get(sng, "interrupted")))
		fputs(" It was interrupted before the planned end.", f);
	if (is_true(json_get(sng, "killed")))
		fputs(" It did not stop in time and was killed.", f);
	if (problem)
		textf(f, " Its metrics could not be read: %s.", problem);
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
	inline_fig(f, plan, "instances", base, 0, json_num(plan, "instances", 0) == 1 ? " instance" : " instances");
	if (is_num(json_get(plan, "vm_bytes")) && json_num(plan, "vm_bytes", 0) > 0) {
		char path[200];

		snprintf(path, sizeof(path), "%s.vm_bytes", base);
		fputs("; vm: ", f);
		value_el(f, "span", json_get(plan, "vm_bytes"), path, 0, 1048576);
		fputs(" MiB per instance", f);
	}
	textf(f, ". Before the load, triage isa said %s; advertised but not executed right: ",
	      json_str(plan, "isa_before", "nothing"));
	names_list(f, bad);
	textf(f, ". Samplers beside the load: %s.", json_str(plan, "samplers", "none"));
	fputs("</p>\n", f);
	if (dropped)
		el(f, "<p><b>Left out:</b> ", dropped, "</p>\n");
	if (tun)
		el(f, "<p><b>glibc steered off them:</b> <code>GLIBC_TUNABLES=", tun, "</code></p>\n");
}

static void burnin_log(FILE *f, const struct jval *plan, const struct jval *sng)
{
	const struct jval *tail = json_get(sng, "log_tail");
	size_t n = tail && tail->type == J_ARR ? tail->len : 0;

	fprintf(f, "<details><summary>The command and the last %zu of %.0f log lines</summary>\n", n,
		json_num(sng, "log_lines", (double)n));
	el(f, "<pre>", json_str(plan, "command", "(command not recorded)"), "</pre>\n<pre>");
	for (size_t i = 0; i < n; i++)
		textf(f, "%s\n", tail->items[i]->type == J_STR ? tail->items[i]->str : "");
	fputs("</pre>\n</details>\n", f);
}

static void burnin_failures(FILE *f, const struct jval *fails)
{
	if (!fails || fails->type != J_ARR || !fails->len)
		return;
	fprintf(f, "<h3>What stress-ng reported as failed (%zu line%s)</h3>\n<dl class=\"ev\">", fails->len,
		fails->len == 1 ? "" : "s");
	for (size_t i = 0; i < fails->len; i++) {
		el(f, "<dt>", json_str(fails->items[i], "kind", "?"), "</dt>");
		el(f, "<dd><pre>", json_str(fails->items[i], "line", ""), "</pre></dd>");
	}
	fputs("</dl>\n", f);
}

/* The smallest and largest finite values; false if there is none. */
static bool finite_range(const double *v, int n, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < n; i++)
		if (isfinite(v[i])) {
			*lo = fmin(*lo, v[i]);
			*hi = fmax(*hi, v[i]);
		}
	return *lo <= *hi;
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

	bt->t = numbers(json_get(samples, "t_s"), 1, &bt->n);
	end = max_of(bt->t, bt->n);
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

	for (size_t i = 0; sensors && sensors->type == J_ARR && i < sensors->len; i++)
		if (is_num(json_get(sensors->items[i], "max_c")) &&
		    (!best || json_num(sensors->items[i], "max_c", 0) > json_num(best, "max_c", 0)))
			best = sensors->items[i];
	return best;
}

static void hline(const struct plot *p, double y, const char *cls)
{
	fprintf(p->f, "<line class=\"ln %s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n", cls, M_LEFT, x_end(p),
		py(p, y), py(p, y));
}

static void chart_burnin_temp(FILE *f, const struct jval *health, const struct burnin_time *bt)
{
	const struct jval *hot = hottest_sensor(json_get(health, "sensors"));
	double crit = is_num(json_get(hot, "crit_c")) ? json_num(hot, "crit_c", NAN) : NAN, lo, hi;
	struct plot p = { .f = f };
	int n;
	double *temp = numbers(json_path(health, "samples.temp_c"), 1, &n);
	char lab[160];

	n = n < bt->n ? n : bt->n;
	if (n < 2 || !finite_range(temp, n, &lo, &hi)) {
		el(f, "<p class=\"note\">No temperature chart: ",
		   json_str(health, "sensors_unavailable", "no temperature was read during the load"), ".</p>\n");
		free(temp);
		return;
	}
	axis_lin(&p.x, 0, max_of(bt->t, n));
	axis_lin(&p.y, lo, fmax(isfinite(crit) ? fmax(hi, crit) : hi, lo + TEMP_AXIS_MIN_SPAN_C));
	svg_open(f, "chart-burnin-temp", "Temperature over time",
		 "Solid line: the temperature of the hottest sensor at each sample, in degrees Celsius, over the "
		 "burn-in; dashed line: the critical temperature of the sensor that got hottest.");
	axis_y(&p, "temperature (" DEG_C ")");
	axis_x_lin(&p, bt->label);
	if (isfinite(crit))
		hline(&p, crit, "c3 dash");
	polyline(&p, bt->t, temp, n, "c2");
	svg_close(f, "The hottest sensor's temperature under load (" DEG_C ").");
	fputs("<p class=\"legend\">", f);
	legend_item(f, "sw c2", "hottest sensor");
	if (isfinite(crit)) {
		snprintf(lab, sizeof(lab), "critical, %s%s%s: %.0f " DEG_C, json_str(hot, "name", "?"),
			 json_str(hot, "label", NULL) ? " " : "", json_str(hot, "label", ""), crit);
		legend_item(f, "sw dash c3", lab);
	}
	fputs("</p>\n", f);
	free(temp);
}

static void chart_burnin_freq(FILE *f, const struct jval *health, const struct burnin_time *bt)
{
	struct plot p = { .f = f, .right_axis = true }, q;
	int nf, nb, n;
	double *freq = numbers(json_path(health, "samples.freq_mhz"), 1, &nf);
	double *busy = numbers(json_path(health, "samples.cpu_busy_pct"), 1, &nb), lo, hi;
	char lab[96];

	n = nf < bt->n ? nf : bt->n;
	if (nb < n)
		n = nb;
	if (n < 2 || !finite_range(freq, n, &lo, &hi)) {
		fputs("<p class=\"note\">No frequency chart: the CPU frequency was not read during the load.</p>\n", f);
		free(freq);
		free(busy);
		return;
	}
	axis_lin(&p.x, 0, max_of(bt->t, n));
	axis_lin(&p.y, 0, hi > 0 ? hi : 1);
	q = p;
	q.y = (struct axis){ .lo = 0, .hi = 100, .step = 20 };
	svg_open(f, "chart-burnin-freq", "CPU frequency and use over time",
		 "Solid blue line: the mean clock frequency of the CPUs in MHz, left axis; green line: how busy "
		 "the CPUs were in percent, right axis; both over the burn-in. A frequency that drops while the "
		 "CPUs stay busy is throttling.");
	axis_y(&p, "CPU frequency (MHz)");
	axis_y_right(&q, "CPUs busy (%)");
	axis_x_lin(&p, bt->label);
	polyline(&q, bt->t, busy, n, "c4");
	polyline(&p, bt->t, freq, n, "c1");
	svg_close(f, "Mean CPU frequency (MHz, left) and CPU use (%, right) under load.");
	fputs("<p class=\"legend\">", f);
	snprintf(lab, sizeof(lab), "frequency, mean of the CPUs (from %s)", json_str(health, "freq_source", "?"));
	legend_item(f, "sw c1", lab);
	legend_item(f, "sw c4", "CPUs busy");
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

	if (!sensors || sensors->type != J_ARR || !sensors->len)
		return;
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>sensor</th><th>start</th><th>max</th><th>critical</th>"
	      "<th>source</th></tr></thead>\n", f);
	for (size_t i = 0; i < sensors->len; i++) {
		const struct jval *s = sensors->items[i];
		const char *label = json_str(s, "label", NULL);

		fputs("<tr><th>", f);
		textf(f, "%s%s%s", json_str(s, "name", "?"), label ? " " : "", label ? label : "");
		fputs("</th>", f);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			snprintf(path, sizeof(path), "tests.%s.data.health.sensors.%zu.%s", name, i, keys[k]);
			value_el(f, "td", json_get(s, keys[k]), path, 1, 1);
		}
		el(f, "<td>", json_str(s, "source", "?"), "</td></tr>\n");
	}
	fputs("</table></div>\n<p class=\"note\">Temperatures in " DEG_C " of every sensor found: at the start of "
	      "the load, the highest under it, and the sensor's critical point.</p>\n", f);
}

/* A row of the health table, or "not available here" when the machine
 * has no such counter. */
static bool health_row(FILE *f, const char *label, const struct jval *o)
{
	el(f, "<tr><th>", label, "</th><td>");
	if (is_true(json_get(o, "available")))
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
	inline_fig(f, t, "core_events", base, 0, " core events (");
	inline_fig(f, t, "core_ms", base, 0, " ms), ");
	inline_fig(f, t, "package_events", base, 0, " package events (");
	inline_fig(f, t, "package_ms", base, 0, " ms), ");
	inline_fig(f, t, "thermal_interrupts", base, 0, " thermal interrupts");
	fputs("</td></tr>\n", f);
}

static void health_mce(FILE *f, const struct jval *h, const char *name)
{
	const struct jval *m = json_get(h, "mce"), *lines = json_get(m, "kernel_log");
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.health.mce", name);
	if (health_row(f, "Machine checks", m)) {
		inline_fig(f, m, "exceptions", base, 0, " exceptions, ");
		inline_fig(f, m, "threshold_interrupts", base, 0, " threshold and ");
		inline_fig(f, m, "deferred_interrupts", base, 0, " deferred-error interrupts, ");
		inline_fig(f, m, "polls", base, 0, " polls");
		fputs("</td></tr>\n", f);
	}
	if (!m)
		return;
	fputs("<tr><th>Kernel log</th><td>", f);
	if (!is_true(json_get(m, "kernel_log_read"))) {
		fputs("not read</td></tr>\n", f);
		return;
	}
	inline_fig(f, m, "kernel_log_mce", base, 0, " machine-check and ");
	inline_fig(f, m, "kernel_log_edac", base, 0, " EDAC lines");
	for (size_t i = 0; lines && lines->type == J_ARR && i < lines->len; i++)
		el(f, "<pre>", lines->items[i]->type == J_STR ? lines->items[i]->str : "", "</pre>");
	fputs("</td></tr>\n", f);
}

static void health_edac(FILE *f, const struct jval *h, const char *name)
{
	static const char *const keys[] = { "ce_before", "ce_after", "ue_before", "ue_after" };
	static const char *const lead[] = { "corrected errors ", " before, ", "; uncorrected ", " before, " };
	const struct jval *e = json_get(h, "edac"), *mcs = json_get(e, "controllers");
	char base[160];

	if (!health_row(f, "EDAC memory errors", e))
		return;
	for (size_t i = 0; mcs && mcs->type == J_ARR && i < mcs->len; i++) {
		const struct jval *mc = mcs->items[i];
		const char *drv = json_str(mc, "driver", NULL);

		snprintf(base, sizeof(base), "tests.%s.data.health.edac.controllers.%zu", name, i);
		fputs(i ? "<br>" : "", f);
		textf(f, "%s%s%s%s: ", json_str(mc, "name", "?"), drv ? " (" : "", drv ? drv : "", drv ? ")" : "");
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			fputs(lead[k], f);
			inline_fig(f, mc, keys[k], base, 0, k % 2 ? " after" : "");
		}
	}
	if (!mcs || mcs->type != J_ARR || !mcs->len)
		fputs("no memory controller", f);
	fputs("</td></tr>\n", f);
}

static void cpu_list(FILE *f, const struct jval *cpus)
{
	if (!cpus || cpus->type != J_ARR || !cpus->len) {
		fputs("none", f);
		return;
	}
	for (size_t i = 0; i < cpus->len; i++)
		fprintf(f, "%s%.0f", i ? ", " : "", is_num(cpus->items[i]) ? cpus->items[i]->num : -1);
}

static void health_wake(FILE *f, const struct jval *w, const char *name)
{
	const char *problem = json_str(w, "problem", NULL);
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.wake", name);
	fputs("<tr><th>Wake-ups under load</th><td>", f);
	if (!is_true(json_get(w, "enabled"))) {
		fputs("not sampled</td></tr>\n", f);
		return;
	}
	if (problem)
		el(f, "<b>Problem:</b> ", problem, "<br>");
	fputs("overshoot p99 ", f);
	inline_fig(f, w, "overshoot_p99_worst_us", base, 1, " us, max ");
	inline_fig(f, w, "overshoot_max_worst_us", base, 1, " us (worst CPU); ");
	inline_fig(f, w, "samples", base, 0, " samples in blocks of ");
	inline_fig(f, w, "block_s", base, 1, " s on CPUs ");
	cpu_list(f, json_get(w, "cpus"));
	textf(f, "; status %s; findings: ", json_str(w, "status", "none"));
	names_list(f, json_get(w, "findings"));
	fputs("</td></tr>\n", f);
}

static void health_isa(FILE *f, const struct jval *isa, const char *name)
{
	char base[120];

	snprintf(base, sizeof(base), "tests.%s.data.isa", name);
	fputs("<tr><th>ISA under load</th><td>", f);
	if (!is_true(json_get(isa, "enabled"))) {
		fputs("not run</td></tr>\n", f);
		return;
	}
	inline_fig(f, isa, "rounds", base, 0, " rounds of ");
	inline_fig(f, isa, "iterations", base, 0, " iterations, one every ");
	inline_fig(f, isa, "period_s", base, 0, " s: ");
	inline_fig(f, isa, "rounds_failed", base, 0, " failed, ");
	inline_fig(f, isa, "errors", base, 0, " gave no result; findings: ");
	names_list(f, json_get(isa, "findings"));
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

static void burnin_detail(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data"), *plan = json_get(d, "plan"), *sng = json_get(d, "stress_ng");

	if (!d || d->type != J_OBJ || !d->len)
		return;
	if (plan || sng)
		fputs("<h3>stress-ng</h3>\n", f);
	if (sng)
		burnin_sng_status(f, sng, name);
	burnin_stressors(f, plan, json_get(sng, "stressors"), name);
	if (plan)
		burnin_plan_notes(f, plan, name);
	if (sng)
		burnin_log(f, plan, sng);
	burnin_failures(f, json_get(sng, "failures"));
	burnin_charts(f, json_get(d, "health"));
	burnin_health(f, d, name);
}

/* ---- checks ---- */

static void checks_table(FILE *f, const struct jval *tests)
{
	char path[160];

	fputs("<div class=\"scroll\"><table class=\"checks\">\n<thead><tr><th>check</th><th>status</th><th>time (s)</th>"
	      "<th>findings</th><th>reason</th></tr></thead>\n", f);
	for (size_t i = 0; i < tests->len; i++) {
		const struct jval *t = tests->items[i], *fl = json_get(t, "findings");

		el(f, "<tr><th><a href=\"#check-", tests->keys[i], "\">");
		el(f, "", tests->keys[i], "</a></th><td>");
		badge(f, json_str(t, "status", "?"));
		fputs("</td>", f);
		snprintf(path, sizeof(path), "tests.%s.duration_s", tests->keys[i]);
		value_el(f, "td", json_get(t, "duration_s"), path, 1, 1);
		fprintf(f, "<td class=\"n\">%zu</td><td>", fl && fl->type == J_ARR ? fl->len : 0);
		html_escape(f, json_str(t, "reason", ""));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void check_section(FILE *f, const char *name, const struct jval *t)
{
	const struct check_view *cv = view_of(name);
	const struct command *cmd = command_find(name);
	const struct jval *fl = json_get(t, "findings");
	const char *reason = json_str(t, "reason", NULL);
	char path[200];

	fprintf(f, "<section id=\"check-");
	html_escape(f, name);
	fputs("\">\n<h2>", f);
	html_escape(f, name);
	fputs(" ", f);
	badge(f, json_str(t, "status", "?"));
	fputs("</h2>\n", f);
	if (cmd)
		el(f, "<p class=\"note\">", cmd->summary, ".</p>\n");
	if (reason)
		el(f, "<p><b>Reason:</b> ", reason, "</p>\n");
	key_figures(f, json_get(t, "metrics"), name, cv);
	for (size_t k = 0; fl && fl->type == J_ARR && k < fl->len; k++) {
		snprintf(path, sizeof(path), "tests.%s.findings.%zu.evidence", name, k);
		finding_card(f, NULL, fl->items[k], fl->items[k], path);
	}
	if (cv)
		cv->detail(f, t, name);
	fputs("</section>\n", f);
}

static void checks(FILE *f, const struct jval *rep)
{
	const struct jval *tests = json_get(rep, "tests");

	fputs("<section id=\"checks\">\n<h2>Checks</h2>\n", f);
	if (!tests || tests->type != J_OBJ || !tests->len) {
		fputs("<p class=\"note\">No check ran.</p>\n</section>\n", f);
		return;
	}
	checks_table(f, tests);
	fputs("</section>\n", f);
	for (size_t i = 0; i < tests->len; i++)
		check_section(f, tests->keys[i], tests->items[i]);
}

/* ---- the rest ---- */

static void kernel_log(FILE *f, const struct jval *rep)
{
	const struct jval *kl = json_get(rep, "kernel_log");
	char path[64];

	fputs("<section id=\"kernel-log\">\n<h2>Kernel log</h2>\n", f);
	if (!kl || kl->type != J_ARR || !kl->len)
		fputs("<p>No findings in the kernel log during the run.</p>\n", f);
	for (size_t i = 0; kl && kl->type == J_ARR && i < kl->len; i++) {
		snprintf(path, sizeof(path), "kernel_log.%zu.evidence", i);
		finding_card(f, "kernel_log", kl->items[i], kl->items[i], path);
	}
	fputs("</section>\n", f);
}

static void problems(FILE *f, const struct jval *rep)
{
	const struct jval *pr = json_path(rep, "run.problems");

	fputs("<section id=\"problems\">\n<h2>Option problems</h2>\n", f);
	if (!pr || pr->type != J_ARR || !pr->len) {
		fputs("<p>None: every option was understood.</p>\n</section>\n", f);
		return;
	}
	fputs("<p class=\"note\">These options were ignored; the run went on without them.</p>\n<ul>\n", f);
	for (size_t i = 0; i < pr->len; i++) {
		fputs("<li>", f);
		html_escape(f, pr->items[i]->type == J_STR ? pr->items[i]->str : "?");
		fputs("</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

static void report_disk(FILE *f, const struct jval *rep)
{
	const struct jval *d = json_get(rep, "report_disk"), *w = json_get(d, "written");

	fputs("<section id=\"report-disk\">\n<h2>Where the report went</h2>\n<p>", f);
	if (w && w->type == J_BOOL && w->b)
		textf(f, "Written to %s (label %s, %s), folder %s/: report.json, report.txt and report.html.",
		      json_str(d, "device", "?"), json_str(d, "label", "?"), json_str(d, "filesystem", "?"),
		      json_str(d, "path", "?"));
	else
		textf(f, "Not written to a report disk (target %s): %s. The report stays in the output folder "
			 "(/run/triage/ in the image) until power-off.",
		      json_str(d, "target", "?"), json_str(d, "error", "no reason given"));
	fputs("</p>\n</section>\n", f);
}

static void page_foot(FILE *f, const struct jval *rep)
{
	fputs("<p class=\"meta\">", f);
	textf(f, "Rendered from report.json (schema %s) by vmtriage %s. report.json holds every figure.",
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
	top_findings(f, rep);
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
