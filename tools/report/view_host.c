/* triage host in report.txt and report.html (view_host.h). */
#include "report/view_host.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"
#include "report/view.h"

/* ---- shared ---- */

static const char *str_or(const struct jval *o, const char *key, const char *def)
{
	const struct jval *v = json_get(o, key);

	return v && v->type == J_STR ? v->str : def;
}

/* "avx avx2 fma" from a JSON array of names, at most max of them. */
static void names(char *buf, size_t size, const struct jval *arr, size_t max)
{
	buf[0] = 0;
	for (size_t i = 0; arr && arr->type == J_ARR && i < arr->len; i++) {
		if (i == max) {
			str_append(buf, size, " ", "+%zu", arr->len - max);
			break;
		}
		if (arr->items[i]->type == J_STR)
			str_append(buf, size, " ", "%s", arr->items[i]->str);
	}
}

static void balloon_text(char *buf, size_t size, const struct jval *vm)
{
	const struct jval *b = json_get(vm, "balloon");
	const struct jval *dev = json_get(b, "device"), *aut = json_get(b, "automatic");

	if (dev && dev->type == J_BOOL && !dev->b)
		snprintf(buf, size, "off");
	else if (aut && aut->type == J_BOOL && aut->b)
		snprintf(buf, size, "min %.0f", json_num(b, "min_mib", 0));
	else
		snprintf(buf, size, "fixed");
}

static const char *level_text(char *buf, size_t size, const struct jval *cpu)
{
	const struct jval *l = json_get(cpu, "level");

	if (!l || l->type != J_NUM)
		return "?";
	snprintf(buf, size, "v%.0f", l->num);
	return buf;
}

/* ---- text ---- */

void view_host_text(FILE *f, const struct jval *test)
{
	const struct jval *d = json_get(test, "data"), *cpu = json_get(d, "cpu"), *cs = json_get(d, "cstates");
	const struct jval *mem = json_get(d, "memory"), *cl = json_get(d, "cluster"), *vms = json_get(d, "vms");
	const struct jval *st = json_get(cs, "states"), *types = json_get(cpu, "pve_types");
	char buf[1024], lv[8], lead[64];

	fprintf(f, "         node %s: %s, x86-64-v%.0f\n", str_or(d, "node", "?"), str_or(cpu, "brand", "CPU unknown"),
		json_num(cpu, "level", 0));
	names(buf, sizeof(buf), types, 64);
	text_wrap(f, "         PVE types it runs: ", 11, buf);
	buf[0] = 0;
	for (size_t i = 0; st && st->type == J_ARR && i < st->len; i++)
		str_append(buf, sizeof(buf), ", ", "%s %.0fus%s", str_or(st->items[i], "name", "?"),
			   json_num(st->items[i], "exit_latency_us", 0),
			   json_num(st->items[i], "disabled_cpus", 0) > 0 ? " (off)" : "");
	snprintf(lead, sizeof(lead), "         C-states (%s): ", str_or(cs, "driver", "no cpuidle"));
	text_wrap(f, lead, 11, buf[0] ? buf : "none");
	fprintf(f, "         memory %.0f MiB, swap %.0f MiB, VMs here %.0f MiB, KSM %.0f pages\n",
		json_num(mem, "total_kib", 0) / 1024, json_num(mem, "swap_total_kib", 0) / 1024,
		json_num(mem, "vm_memory_mib", 0), json_num(mem, "ksm_pages_sharing", 0));
	fprintf(f, "         cluster-safe CPU type: %s (%.0f of %zu nodes' CPUs known)\n",
		str_or(cl, "safe_type", "unknown"), json_num(json_get(test, "metrics"), "nodes_known", 0),
		json_get(cl, "nodes") && json_get(cl, "nodes")->type == J_ARR ? json_get(cl, "nodes")->len : 0);
	if (!vms || vms->type != J_ARR || !vms->len) {
		fprintf(f, "         no VM configs found under %s\n", str_or(d, "pve_dir", "?"));
		return;
	}
	/* 80 columns: the fix is the qm set option, the VM id is in the row */
	fprintf(f, "         %-5s %-6s %-18s %-3s %-5s %-8s %s\n", "VMID", "node", "CPU type", "lvl", "lacks", "balloon",
		"qm set VMID");
	for (size_t i = 0; i < vms->len; i++) {
		const struct jval *vm = vms->items[i], *c = json_get(vm, "cpu"), *lacks = json_get(c, "lacks");
		char bal[16];

		const char *cmd = str_or(vm, "command", ""), *opt = strstr(cmd, " --");

		balloon_text(bal, sizeof(bal), vm);
		fprintf(f, "         %-5.0f %-6.6s %-18.18s %-3s %-5zu %-8s %.19s\n", json_num(vm, "vmid", 0),
			str_or(vm, "node", "?"), str_or(c, "type", "?"), level_text(lv, sizeof(lv), c),
			lacks && lacks->type == J_ARR ? lacks->len : 0, bal, opt ? opt + 1 : "");
	}
}

/* ---- HTML ---- */

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				fputs("\xef\xbf\xbd", f);
			else
				fputc(*s, f);
		}
	}
}

static void escf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void escf(FILE *f, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	esc(f, buf);
}

static void fact(FILE *f, const char *label, const char *value)
{
	fputs("<tr><th>", f);
	esc(f, label);
	fputs("</th><td>", f);
	esc(f, value);
	fputs("</td></tr>\n", f);
}

static void node_facts(FILE *f, const struct jval *d)
{
	const struct jval *cpu = json_get(d, "cpu"), *cs = json_get(d, "cstates"), *fr = json_get(d, "cpufreq");
	const struct jval *mem = json_get(d, "memory"), *cmd = json_get(cs, "cmdline"), *wk = json_get(d, "wake");
	char buf[1024];

	fputs("<h3>The node</h3>\n<div class=\"scroll\"><table class=\"facts\">\n", f);
	fact(f, "node", str_or(d, "node", "?"));
	snprintf(buf, sizeof(buf), "%s (%s), x86-64-v%.0f by what it advertises and executes; source: %s",
		 str_or(cpu, "brand", "unknown"), str_or(cpu, "vendor", "?"), json_num(cpu, "level", 0),
		 str_or(cpu, "source", "?"));
	fact(f, "CPU", buf);
	names(buf, sizeof(buf), json_get(cpu, "pve_types"), 64);
	fact(f, "PVE types it runs", buf);
	snprintf(buf, sizeof(buf), "%s, governor %s; intel_idle.max_cstate %s, processor.max_cstate %s, idle= %s",
		 str_or(cs, "driver", "none"), str_or(cs, "governor", "none"), str_or(cmd, "intel_idle.max_cstate", "-"),
		 str_or(cmd, "processor.max_cstate", "-"), str_or(cmd, "idle", "-"));
	fact(f, "cpuidle", buf);
	snprintf(buf, sizeof(buf), "%s, governor %s, energy preference %s", str_or(fr, "driver", "none"),
		 str_or(fr, "governor", "-"), str_or(fr, "energy_performance_preference", "-"));
	fact(f, "cpufreq", buf);
	snprintf(buf, sizeof(buf), "%.0f MiB RAM, %.0f MiB available, %.0f MiB swap; the node's VMs are configured "
		 "with %.0f MiB; KSM shares %.0f pages; PVE balloons guests above %.0f%% use",
		 json_num(mem, "total_kib", 0) / 1024, json_num(mem, "available_kib", 0) / 1024,
		 json_num(mem, "swap_total_kib", 0) / 1024, json_num(mem, "vm_memory_mib", 0),
		 json_num(mem, "ksm_pages_sharing", 0), json_num(mem, "autoballoon_used_pct", 0));
	fact(f, "memory", buf);
	if (str_or(wk, "status", NULL))
		snprintf(buf, sizeof(buf), "%s: wake-up overshoot p99 %.0f us, C-states' share of the median %.1f us",
			 str_or(wk, "status", "?"), json_num(json_get(wk, "metrics"), "overshoot_p99_worst_us", 0),
			 json_num(json_get(wk, "metrics"), "cstate_share_p50_us", 0));
	else
		snprintf(buf, sizeof(buf), "%s", str_or(wk, "note", "not measured"));
	fact(f, "wake-up stall", buf);
	fputs("</table></div>\n", f);
}

static void cstates_table(FILE *f, const struct jval *cs)
{
	const struct jval *st = json_get(cs, "states");

	if (!st || st->type != J_ARR || !st->len)
		return;
	fputs("<h3>Idle states</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>state</th><th>description</th>"
	      "<th>exit latency (us)</th><th>target residency (us)</th><th>entered</th><th>disabled on CPUs</th>"
	      "</tr></thead>\n", f);
	for (size_t i = 0; i < st->len; i++) {
		const struct jval *s = st->items[i];

		fputs("<tr><th>", f);
		esc(f, str_or(s, "name", "?"));
		fputs("</th><td>", f);
		esc(f, str_or(s, "desc", ""));
		fprintf(f, "</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>"
			"<td class=\"n\">%.0f</td></tr>\n", json_num(s, "exit_latency_us", 0),
			json_num(s, "target_residency_us", 0), json_num(s, "usage", 0), json_num(s, "disabled_cpus", 0));
	}
	fputs("</table></div>\n", f);
}

static void cluster_table(FILE *f, const struct jval *cl)
{
	const struct jval *nodes = json_get(cl, "nodes");

	fputs("<h3>The cluster</h3>\n<p>", f);
	escf(f, "Cluster-safe CPU type: %s (the richest generic type every node with a known CPU runs).",
	     str_or(cl, "safe_type", "unknown"));
	fputs("</p>\n", f);
	if (!nodes || nodes->type != J_ARR || !nodes->len)
		return;
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>node</th><th>CPU</th><th>level</th></tr></thead>\n", f);
	for (size_t i = 0; i < nodes->len; i++) {
		const struct jval *n = nodes->items[i], *known = json_get(n, "cpu_known"), *self = json_get(n, "this");

		fputs("<tr><th>", f);
		esc(f, str_or(n, "name", "?"));
		if (self && self->type == J_BOOL && self->b)
			fputs(" (this node)", f);
		fputs("</th><td>", f);
		if (known && known->type == J_BOOL && known->b) {
			esc(f, str_or(n, "brand", "?"));
			fprintf(f, "</td><td class=\"n\">v%.0f</td></tr>\n", json_num(n, "level", 0));
		} else {
			fputs("unknown: no shared report (triage host --share)</td><td class=\"n\">?</td></tr>\n", f);
		}
	}
	fputs("</table></div>\n", f);
}

/* "lacks 22: avx avx2 bmi1 bmi2 ..." in one cell; nothing when empty. */
static void lacks_cell(FILE *f, const struct jval *arr, const char *what)
{
	char buf[256];

	if (!arr || arr->type != J_ARR || !arr->len)
		return;
	names(buf, sizeof(buf), arr, 4);
	fprintf(f, "<div><b>%s %zu</b> <span class=\"note\">", what, arr->len);
	esc(f, buf);
	fputs("</span></div>", f);
}

static void vm_table(FILE *f, const struct jval *d)
{
	const struct jval *vms = json_get(d, "vms");
	char buf[512], lv[8];

	fputs("<h3>Virtual machines</h3>\n", f);
	if (!vms || vms->type != J_ARR || !vms->len) {
		fputs("<p class=\"note\">", f);
		escf(f, "No VM configs found under %s.", str_or(d, "pve_dir", "?"));
		fputs("</p>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>VM</th><th>node</th><th>CPU type</th><th>level</th>"
	      "<th>against its node</th><th>memory (MiB)</th><th>fix: qm set VMID</th></tr></thead>\n", f);
	for (size_t i = 0; i < vms->len; i++) {
		const struct jval *vm = vms->items[i], *c = json_get(vm, "cpu"), *pr = json_get(vm, "problems");

		const char *cmd = str_or(vm, "command", ""), *opt = strstr(cmd, " --");

		fprintf(f, "<tr><th style=\"min-width:8em\">%.0f<div class=\"note\">", json_num(vm, "vmid", 0));
		esc(f, str_or(vm, "name", ""));
		fputs("</div></th><td>", f);
		esc(f, str_or(vm, "node", "?"));
		fputs("</td><td style=\"white-space:nowrap\">", f);
		esc(f, str_or(c, "type", "?"));
		names(buf, sizeof(buf), json_get(c, "flags"), 8);
		if (buf[0]) {
			fputs(" <span class=\"note\">", f);
			esc(f, buf);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		esc(f, level_text(lv, sizeof(lv), c));
		fputs("</td><td>", f);
		lacks_cell(f, json_get(c, "lacks"), "lacks");
		lacks_cell(f, json_get(c, "beyond_node"), "beyond it");
		/* the command stays on one line, ready to copy */
		fprintf(f, "</td><td style=\"white-space:nowrap\">%.0f, ", json_num(vm, "memory_mib", 0));
		balloon_text(buf, sizeof(buf), vm);
		esc(f, buf);
		/* the VM id is the row's: the option alone keeps the table narrow */
		fputs("</td><td style=\"white-space:nowrap\"><code>", f);
		esc(f, opt ? opt + 1 : "");
		fputs("</code>", f);
		if (pr && pr->type == J_ARR && pr->len)
			fprintf(f, "<div class=\"note\">%zu config problem%s</div>", pr->len, pr->len == 1 ? "" : "s");
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

void view_host_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_get(test, "data");

	(void)name;
	node_facts(f, d);
	cstates_table(f, json_get(d, "cstates"));
	cluster_table(f, json_get(d, "cluster"));
	vm_table(f, d);
}

const struct check_view host_view = { "host", NULL, 0, view_host_html, view_host_text };
