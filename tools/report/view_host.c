/* triage host in the report: the node (CPU, PVE types, C-states, memory,
 * the wake-up stall measured on it), the cluster and one row per VM with
 * the qm option that fixes it. Read from the JSON alone, like every view;
 * a member of another type is shown as not known. */
#include "report/view.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"

static const struct field host_metrics[] = {
	{ "node", "node", 0, 0, NULL },
	{ "CPU x86-64 level", "cpu_level", 0, 0, NULL },
	{ "PVE CPU types it runs", "pve_types_runnable", 0, 0, NULL },
	{ "cluster-safe CPU type", "cluster_safe_type", 0, 0, NULL },
	{ "nodes", "nodes", 0, 0, NULL },
	{ "nodes with a known CPU", "nodes_known", 0, 0, NULL },
	{ "VMs in the cluster", "vms", 0, 0, NULL },
	{ "VMs on this node", "vms_on_node", 0, 0, NULL },
	{ "VM warnings", "vm_findings_warn", 0, 0, NULL },
	{ "VM failures", "vm_findings_fail", 0, 0, NULL },
	{ "deepest C-state, exit", "cstate_deepest_us", 0, 0, "us" },
	{ "memory", "mem_total_mib", 0, 0, "MiB" },
	{ "VMs' memory, this node", "vm_memory_mib", 0, 0, "MiB" },
	{ "swap", "swap_total_mib", 0, 0, "MiB" },
	{ "KSM shares", "ksm_shared_mib", 0, 0, "MiB" },
	{ "wake-up overshoot p99", "wake_p99_us", 1, 0, "us" },
	{ "C-states' share of it, median", "wake_cstate_share_us", 1, 0, "us" },
};

/* ---- shared ---- */

/* "avx avx2 fma +3" from an array of names, at most max of them. */
static void names(char *buf, size_t size, const struct jval *arr, size_t max)
{
	buf[0] = 0;
	for (size_t i = 0; i < json_len(arr) && i < max; i++)
		str_append(buf, size, " ", "%s", json_as_str(json_at(arr, i), "?"));
	if (json_len(arr) > max)
		str_append(buf, size, " ", "+%zu", json_len(arr) - max);
}

static void balloon_text(char *buf, size_t size, const struct jval *vm)
{
	const struct jval *b = json_get(vm, "balloon");

	if (b && !json_is(b, J_NULL) && !json_is(b, J_OBJ))
		snprintf(buf, size, "not known");
	else if (json_is(json_get(b, "device"), J_BOOL) && !json_true(b, "device"))
		snprintf(buf, size, "off");
	else if (json_true(b, "automatic"))
		snprintf(buf, size, "min %.0f", json_num(b, "min_mib", 0));
	else
		snprintf(buf, size, "fixed");
}

static const char *level_text(char *buf, size_t size, const struct jval *cpu)
{
	const struct jval *l = json_get(cpu, "level");

	if (!json_is(l, J_NUM))
		return "?";
	snprintf(buf, size, "v%.0f", json_as_num(l, 0));
	return buf;
}

/* The qm option of a VM's fix: its command after the VM id. */
static const char *fix_option(const struct jval *vm)
{
	const char *opt = strstr(json_str(vm, "command", ""), " --");

	return opt ? opt + 1 : "";
}

/* ---- text ---- */

static void text_node(FILE *f, const struct jval *d)
{
	const struct jval *cpu = json_get(d, "cpu"), *cs = json_get(d, "cstates"), *mem = json_get(d, "memory");
	const struct jval *st = json_arr(cs, "states");
	char buf[1024], lead[64], lv[8];

	const char *brand = json_str(cpu, "brand", "");

	/* host writes an empty brand and level 0 for a CPU it could not read */
	fprintf(f, "         node %s: %s, x86-64%s%s\n", json_str(d, "node", "?"), *brand ? brand : "CPU unknown",
		json_num(cpu, "level", 0) >= 1 ? "-" : " level ",
		json_num(cpu, "level", 0) >= 1 ? level_text(lv, sizeof(lv), cpu) : "unknown");
	text_not_known(f, "         ", cpu, J_OBJ, "tests.host.data.cpu");
	if (json_get(cpu, "pve_types") && !text_not_known(f, "         PVE types it runs: ", json_get(cpu, "pve_types"),
							 J_ARR, "tests.host.data.cpu.pve_types")) {
		names(buf, sizeof(buf), json_arr(cpu, "pve_types"), 64);
		text_wrap(f, "         PVE types it runs: ", 11, buf[0] ? buf : "none");
	}
	snprintf(lead, sizeof(lead), "         C-states (%s): ", json_str(cs, "driver", "no cpuidle"));
	if (cs && !text_not_known(f, lead, cs, J_OBJ, "tests.host.data.cstates") &&
	    !text_not_known(f, lead, json_get(cs, "states"), J_ARR, "tests.host.data.cstates.states")) {
		buf[0] = 0;
		for (size_t i = 0; i < json_len(st); i++)
			str_append(buf, sizeof(buf), ", ", "%s %.0fus%s", json_str(json_at(st, i), "name", "?"),
				   json_num(json_at(st, i), "exit_latency_us", 0),
				   json_num(json_at(st, i), "disabled_cpus", 0) > 0 ? " (off)" : "");
		text_wrap(f, lead, 11, buf[0] ? buf : "none");
	}
	if (mem && !text_not_known(f, "         memory: ", mem, J_OBJ, "tests.host.data.memory"))
		fprintf(f, "         memory %.0f MiB, swap %.0f MiB, VMs here %.0f MiB, KSM %.0f pages\n",
			json_num(mem, "total_kib", 0) / 1024, json_num(mem, "swap_total_kib", 0) / 1024,
			json_num(mem, "vm_memory_mib", 0), json_num(mem, "ksm_pages_sharing", 0));
}

/* One VM in 80 columns: the fix is the qm set option, the VM id is in the row. */
static void text_vm(FILE *f, const struct jval *vm)
{
	const struct jval *c = json_get(vm, "cpu"), *lacks = json_get(c, "lacks");
	char line[160], nlacks[8], lv[8], bal[16];
	size_t n;

	if (lacks && !json_is(lacks, J_NULL) && !json_is(lacks, J_ARR))
		snprintf(nlacks, sizeof(nlacks), "?");
	else
		snprintf(nlacks, sizeof(nlacks), "%zu", json_len(lacks));
	balloon_text(bal, sizeof(bal), vm);
	snprintf(line, sizeof(line), "         %-5.0f %-6.6s %-18.18s %-3s %-5s %-8.8s %.19s", json_num(vm, "vmid", 0),
		 json_str(vm, "node", "?"), json_str(c, "judged", json_str(c, "type", "?")), level_text(lv, sizeof(lv), c),
		 nlacks, bal,
		 fix_option(vm));
	for (n = strlen(line); n && line[n - 1] == ' '; n--)
		;
	fprintf(f, "%.*s\n", (int)n, line);
}

static void host_text(FILE *f, const struct jval *test)
{
	const struct jval *d = json_obj(test, "data"), *cl = json_get(d, "cluster"), *vms = json_arr(d, "vms");

	if (!d)
		return;
	text_node(f, d);
	if (cl && !text_not_known(f, "         cluster: ", cl, J_OBJ, "tests.host.data.cluster")) {
		const struct jval *nodes = json_arr(cl, "nodes");
		char buf[512] = "";

		fprintf(f, "         cluster-safe CPU type: %s (%.0f of %zu nodes' CPUs known)\n",
			json_str(cl, "safe_type", "unknown"), json_num(json_get(test, "metrics"), "nodes_known", 0),
			json_len(nodes));
		for (size_t i = 0; i < json_len(nodes); i++)
			if (!json_true(json_at(nodes, i), "cpu_known"))
				str_append(buf, sizeof(buf), " ", "%s", json_str(json_at(nodes, i), "name", "?"));
		if (buf[0])
			text_wrap(f, "         not yet known, given no type: ", 11, buf);
		names(buf, sizeof(buf), json_arr(cl, "stale_folders"), 8);
		if (buf[0])
			text_wrap(f, "         nodes/ folders of no member, ignored: ", 11, buf);
	}
	if (!json_get(d, "vms") || text_not_known(f, "         VMs: ", json_get(d, "vms"), J_ARR, "tests.host.data.vms"))
		return;
	if (!json_len(vms)) {
		fprintf(f, "         no VM configs found under %s\n", json_str(d, "pve_dir", "?"));
		return;
	}
	fprintf(f, "         %-5s %-6s %-18s %-3s %-5s %-8s %s\n", "VMID", "node", "CPU type", "lvl", "lacks", "balloon",
		"qm set VMID");
	for (size_t i = 0; i < json_len(vms); i++)
		text_vm(f, json_at(vms, i));
}

/* ---- HTML ---- */

/* One row of the facts table: a label and escaped text. */
static void fact(FILE *f, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fact(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	html_el(f, "<tr><th>", label, "</th><td>");
	html_escape(f, text);
	fputs("</td></tr>\n", f);
	free(text);
}

static void wake_fact(FILE *f, const struct jval *wk, const char *name)
{
	const struct jval *m = json_get(wk, "metrics");
	char base[160];

	fputs("<tr><th>wake-up stall</th><td>", f);
	snprintf(base, sizeof(base), "tests.%s.data.wake.metrics", name);
	if (!json_str(wk, "status", NULL)) {
		html_escape(f, json_str(wk, "note", "not measured"));
	} else if (!html_not_known(f, m, J_OBJ, base)) {
		html_textf(f, "%s: wake-up overshoot p99 ", json_str(wk, "status", "?"));
		html_inline_fig(f, m, "overshoot_p99_worst_us", base, 0, " us, C-states' share of the median ");
		html_inline_fig(f, m, "cstate_share_p50_us", base, 1, " us");
	}
	fputs("</td></tr>\n", f);
}

/* The node's memory in KiB, shown in MiB, and the text after each. */
static const struct {
	const char *key, *after;
} mem_kib[] = {
	{ "total_kib", " MiB RAM, " },
	{ "available_kib", " MiB available, " },
	{ "swap_total_kib", " MiB swap; the node's VMs are configured with " },
};

static void node_facts(FILE *f, const struct jval *d, const char *name)
{
	const struct jval *cpu = json_get(d, "cpu"), *cs = json_get(d, "cstates"), *fr = json_get(d, "cpufreq");
	const struct jval *mem = json_get(d, "memory"), *cmd = json_get(cs, "cmdline");
	char path[160];

	fputs("<h3>The node</h3>\n", f);
	snprintf(path, sizeof(path), "tests.%s.data.cpu", name);
	html_not_known(f, cpu, J_OBJ, path);
	snprintf(path, sizeof(path), "tests.%s.data.cstates", name);
	html_not_known(f, cs, J_OBJ, path);
	snprintf(path, sizeof(path), "tests.%s.data.memory", name);
	html_not_known(f, mem, J_OBJ, path);
	fputs("<div class=\"scroll\"><table class=\"facts\">\n", f);
	fact(f, "node", "%s", json_str(d, "node", "?"));
	if (json_num(cpu, "level", 0) >= 1)
		fact(f, "CPU", "%s (%s), x86-64-v%.0f by what it advertises and executes; source: %s",
		     json_str(cpu, "brand", "?"), json_str(cpu, "vendor", "?"), json_num(cpu, "level", 0),
		     json_str(cpu, "source", "?"));
	else /* host writes level 0 for a CPU it could not read, and why as its source */
		fact(f, "CPU", "%s", json_str(cpu, "source", "unknown"));
	fputs("<tr><th>PVE types it runs</th><td>", f);
	snprintf(path, sizeof(path), "tests.%s.data.cpu.pve_types", name);
	if (!html_not_known(f, json_get(cpu, "pve_types"), J_ARR, path))
		html_names(f, json_arr(cpu, "pve_types"));
	fputs("</td></tr>\n", f);
	fact(f, "cpuidle", "%s, governor %s; intel_idle.max_cstate %s, processor.max_cstate %s, idle= %s",
	     json_str(cs, "driver", "none"), json_str(cs, "governor", "none"), json_str(cmd, "intel_idle.max_cstate", "-"),
	     json_str(cmd, "processor.max_cstate", "-"), json_str(cmd, "idle", "-"));
	fact(f, "cpufreq", "%s, governor %s, energy preference %s", json_str(fr, "driver", "none"),
	     json_str(fr, "governor", "-"), json_str(fr, "energy_performance_preference", "-"));
	fputs("<tr><th>memory</th><td>", f);
	for (size_t i = 0; i < ARRAY_SIZE(mem_kib); i++) {
		snprintf(path, sizeof(path), "tests.%s.data.memory.%s", name, mem_kib[i].key);
		html_value(f, "span", json_get(mem, mem_kib[i].key), path, 0, 1024);
		fputs(mem_kib[i].after, f);
	}
	snprintf(path, sizeof(path), "tests.%s.data.memory", name);
	html_inline_fig(f, mem, "vm_memory_mib", path, 0, " MiB; KSM shares ");
	html_inline_fig(f, mem, "ksm_pages_sharing", path, 0, " pages; PVE balloons guests above ");
	html_inline_fig(f, mem, "autoballoon_used_pct", path, 0, "% use");
	fputs("</td></tr>\n", f);
	wake_fact(f, json_get(d, "wake"), name);
	fputs("</table></div>\n", f);
}

static void cstates_table(FILE *f, const struct jval *cs, const char *name)
{
	static const char *const keys[] = { "exit_latency_us", "target_residency_us", "usage", "disabled_cpus" };
	const struct jval *st = json_arr(cs, "states");
	char path[200];

	snprintf(path, sizeof(path), "tests.%s.data.cstates.states", name);
	if (html_not_known(f, json_get(cs, "states"), J_ARR, path) || !json_len(st))
		return;
	fputs("<h3>Idle states</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>state</th><th>description</th>"
	      "<th>exit latency (us)</th><th>target residency (us)</th><th>entered</th><th>disabled on CPUs</th>"
	      "</tr></thead>\n", f);
	for (size_t i = 0; i < json_len(st); i++) {
		const struct jval *s = json_at(st, i);

		html_el(f, "<tr><th>", json_str(s, "name", "?"), "</th>");
		html_el(f, "<td>", json_str(s, "desc", ""), "</td>");
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			snprintf(path, sizeof(path), "tests.%s.data.cstates.states.%zu.%s", name, i, keys[k]);
			html_value(f, "td", json_get(s, keys[k]), path, 0, 1);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void cluster_table(FILE *f, const struct jval *cl, const char *name)
{
	const struct jval *nodes = json_arr(cl, "nodes");
	char path[200];

	fputs("<h3>The cluster</h3>\n", f);
	snprintf(path, sizeof(path), "tests.%s.data.cluster", name);
	if (html_not_known(f, cl, J_OBJ, path))
		return;
	html_el(f, "<p>Cluster-safe CPU type: ", json_str(cl, "safe_type", "unknown"),
		" (the richest generic type every node with a known CPU runs).</p>\n");
	snprintf(path, sizeof(path), "tests.%s.data.cluster.nodes", name);
	if (html_not_known(f, json_get(cl, "nodes"), J_ARR, path) || !json_len(nodes))
		return;
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>node</th><th>CPU</th><th>level</th></tr></thead>\n", f);
	for (size_t i = 0; i < json_len(nodes); i++) {
		const struct jval *n = json_at(nodes, i);

		html_el(f, "<tr><th>", json_str(n, "name", "?"), json_true(n, "this") ? " (this node)</th>" : "</th>");
		if (json_true(n, "cpu_known")) {
			html_el(f, "<td>", json_str(n, "brand", "?"), "</td>");
			snprintf(path, sizeof(path), "tests.%s.data.cluster.nodes.%zu.level", name, i);
			html_value(f, "td", json_get(n, "level"), path, 0, 1);
			fputs("</tr>\n", f);
		} else {
			fputs("<td>unknown: no shared report (triage host --share); its VMs are given no type</td>"
			      "<td class=\"na\">?</td></tr>\n", f);
		}
	}
	fputs("</table></div>\n", f);
	if (json_len(json_arr(cl, "stale_folders"))) {
		char buf[512];

		names(buf, sizeof(buf), json_arr(cl, "stale_folders"), 16);
		html_el(f, "<p class=\"note\">Folders under nodes/ of no member (ignored with their VM configs): ", buf,
			"</p>\n");
	}
}

/* "lacks 22: avx avx2 bmi1 bmi2 +18" in one cell; nothing when empty. */
static void lacks_cell(FILE *f, const struct jval *arr, const char *what)
{
	char buf[256];

	if (arr && !json_is(arr, J_NULL) && !json_is(arr, J_ARR)) {
		html_el(f, "<div><b>", what, "</b> <span class=\"na\">not known</span></div>");
		return;
	}
	if (!json_len(arr))
		return;
	names(buf, sizeof(buf), arr, 4);
	fputs("<div><b>", f);
	html_textf(f, "%s %zu", what, json_len(arr));
	fputs("</b> <span class=\"note\">", f);
	html_escape(f, buf);
	fputs("</span></div>", f);
}

static void vm_row(FILE *f, const struct jval *vm, const char *path)
{
	const struct jval *c = json_get(vm, "cpu"), *pr = json_arr(vm, "problems");
	char buf[512], p[240];

	snprintf(p, sizeof(p), "%s.vmid", path);
	fputs("<tr><th style=\"min-width:8em\">", f);
	html_value(f, "span", json_get(vm, "vmid"), p, 0, 1);
	html_el(f, "<div class=\"note\">", json_str(vm, "name", ""), "</div></th>");
	html_el(f, "<td>", json_str(vm, "node", "?"), "</td>");
	html_el(f, "<td style=\"white-space:nowrap\">", json_str(c, "judged", json_str(c, "type", "?")), "");
	names(buf, sizeof(buf), json_arr(c, "flags"), 8);
	if (buf[0])
		html_el(f, " <span class=\"note\">", buf, "</span>");
	/* what overrides or replaces cpu: (qemu-server: args after its -cpu;
	 * [PENDING] at the next cold start) */
	if (json_str(c, "args", NULL))
		html_el(f, " <div class=\"note\">args: -cpu ", json_str(c, "args", ""), "</div>");
	if (json_str(c, "now", NULL))
		html_el(f, " <div class=\"note\">pending; runs now: ", json_str(c, "now", ""), "</div>");
	fputs("</td><td>", f);
	html_escape(f, level_text(buf, sizeof(buf), c));
	fputs("</td><td>", f);
	if (c && !json_is(c, J_NULL) && !json_is(c, J_OBJ))
		fputs("<span class=\"na\">not known</span>", f);
	lacks_cell(f, json_get(c, "lacks"), "lacks");
	lacks_cell(f, json_get(c, "beyond_node"), "beyond it");
	/* the command stays on one line, ready to copy */
	snprintf(p, sizeof(p), "%s.memory_mib", path);
	fputs("</td><td style=\"white-space:nowrap\">", f);
	html_value(f, "span", json_get(vm, "memory_mib"), p, 0, 1);
	balloon_text(buf, sizeof(buf), vm);
	html_el(f, ", ", buf, "");
	/* the VM id is the row's: the option alone keeps the table narrow */
	html_el(f, "</td><td style=\"white-space:nowrap\"><code>", fix_option(vm), "</code>");
	if (json_len(pr))
		fprintf(f, "<div class=\"note\">%zu config problem%s</div>", json_len(pr), json_len(pr) == 1 ? "" : "s");
	fputs("</td></tr>\n", f);
}

static void vm_table(FILE *f, const struct jval *d, const char *name)
{
	const struct jval *vms = json_arr(d, "vms");
	char path[200];

	fputs("<h3>Virtual machines</h3>\n", f);
	snprintf(path, sizeof(path), "tests.%s.data.vms", name);
	if (html_not_known(f, json_get(d, "vms"), J_ARR, path))
		return;
	if (!json_len(vms)) {
		fputs("<p class=\"note\">", f);
		html_textf(f, "No VM configs found under %s.", json_str(d, "pve_dir", "?"));
		fputs("</p>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>VM</th><th>node</th><th>CPU type</th><th>level</th>"
	      "<th>against its node</th><th>memory (MiB)</th><th>fix: qm set VMID</th></tr></thead>\n", f);
	for (size_t i = 0; i < json_len(vms); i++) {
		snprintf(path, sizeof(path), "tests.%s.data.vms.%zu", name, i);
		vm_row(f, json_at(vms, i), path);
	}
	fputs("</table></div>\n", f);
}

static void host_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_obj(test, "data");

	if (!d)
		return;
	node_facts(f, d, name);
	cstates_table(f, json_get(d, "cstates"), name);
	cluster_table(f, json_get(d, "cluster"), name);
	vm_table(f, d, name);
}

const struct check_view host_view = { "host", host_metrics, ARRAY_SIZE(host_metrics), host_html, host_text };
