/* triage host --autopsy in the report: the verdict and why, the vCPUs
 * (thread, RIP, halted), the disks (completed in the gap, in flight, I/O
 * limits) and the threads that matter (vCPUs, I/O threads, anything in D)
 * with their run delay and where the kernel holds them. From the JSON
 * alone; a member of another type is not known. */
#include "report/view.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"

static const struct field autopsy_metrics[] = {
	{ "VM", "vmid", 0, 0, NULL },
	{ "QEMU pid", "pid", 0, 0, NULL },
	{ "verdict", "verdict", 0, 0, NULL },
	{ "QMP answered", "qmp_answered", 0, 0, NULL },
	{ "status", "status", 0, 0, NULL },
	{ "vCPUs", "vcpus", 0, 0, NULL },
	{ "vCPU on a CPU, most", "vcpu_run_share_max", 0, 0.01, "%" },
	{ "vCPU waiting for one, most", "vcpu_delay_share_max", 0, 0.01, "%" },
	{ "requests in flight", "in_flight", 0, 0, NULL },
	{ "I/O completed in the gap", "io_completed_in_gap", 0, 0, NULL },
	{ "threads in D state", "threads_in_d", 0, 0, NULL },
	{ "gap between readings", "gap_s", 1, 0, "s" },
	{ "balloon leaves", "balloon_actual_mib", 0, 0, "MiB" },
};

/* A thread worth a line: a vCPU, an I/O thread or worker, or one in D. */
static bool matters(const struct jval *t)
{
	const char *role = json_str(t, "role", "");

	return strcmp(role, "other") || !strcmp(json_str(t, "state", ""), "D");
}

static void pct(char *buf, size_t size, const struct jval *o, const char *key)
{
	const struct jval *v = json_get(o, key);

	if (json_is(v, J_NUM))
		snprintf(buf, size, "%.0f%%", json_as_num(v, 0) * 100);
	else
		snprintf(buf, size, "-");
}

/* "EIP f000:0000000000000009 halted"; with brief only the address. */
static void rip(char *buf, size_t size, const struct jval *r, bool brief)
{
	const char *ip = json_str(r, "ip", "?"), *cs = json_str(r, "cs", "?");

	if (!json_is(r, J_OBJ)) {
		snprintf(buf, size, "not known");
		return;
	}
	ip += !strncmp(ip, "0x", 2) ? 2 : 0;
	cs += !strncmp(cs, "0x", 2) ? 2 : 0;
	if (brief)
		snprintf(buf, size, "%s%s", ip, json_true(r, "halted") ? " halted" : "");
	else
		snprintf(buf, size, "%s %s:%s%s", json_str(r, "register", "?"), cs, ip,
			 json_true(r, "halted") ? " halted" : "");
}

/* The first frame of a stack, the one it waits in. */
static void top_frame(char *buf, size_t size, const struct jval *t)
{
	const char *s = json_str(t, "stack", NULL), *w = json_str(t, "wchan", NULL);

	if (s)
		snprintf(buf, size, "%.*s", (int)strcspn(s, "\n+"), s);
	else
		snprintf(buf, size, "%s", w ? w : "");
}

static void autopsy_text(FILE *f, const struct jval *test)
{
	const struct jval *d = json_obj(test, "data"), *v = json_obj(d, "verdict");
	const struct jval *vc = json_arr(d, "vcpus"), *dk = json_arr(d, "disks"), *th = json_arr(d, "threads");
	char a[96], b[96], c[16], e[16];

	if (!d)
		return;
	fprintf(f, "  verdict: %s\n", json_str(v, "name", "not known"));
	text_wrap(f, "    ", 4, json_str(v, "why", ""));
	if (text_not_known(f, "", json_get(d, "vcpus"), J_ARR, "data.vcpus"))
		return;
	for (size_t i = 0; i < json_len(vc); i++) {
		const struct jval *x = json_at(vc, i);

		rip(a, sizeof(a), json_get(x, "regs_before"), false);
		rip(b, sizeof(b), json_get(x, "regs"), true);
		fprintf(f, "  vCPU %.0f: %s, then %s\n", json_num(x, "index", 0), a, b);
	}
	for (size_t i = 0; i < json_len(dk); i++) {
		const struct jval *x = json_at(dk, i);
		const char *lim = json_str(x, "io_limits", NULL);

		fprintf(f, "  disk %s: %.0f completed in the gap, in flight %s%s%s\n", json_str(x, "device", "?"),
			json_num(x, "completed_in_gap", 0),
			json_is(json_get(x, "in_flight"), J_NUM) ? (snprintf(c, sizeof(c), "%.0f", json_num(x, "in_flight", 0)), c)
								 : "not known",
			lim ? ", limits " : "", lim ? lim : "");
	}
	fprintf(f, "  %-7s %-16s %-8s %-5s %5s %6s  %s\n", "thread", "name", "role", "state", "ran", "waited",
		"waits in");
	for (size_t i = 0; i < json_len(th); i++) {
		const struct jval *x = json_at(th, i);

		if (!matters(x))
			continue;
		pct(c, sizeof(c), x, "run_share");
		pct(e, sizeof(e), x, "delay_share");
		top_frame(a, sizeof(a), x);
		fprintf(f, "  %-7.0f %-16.16s %-8.8s %s->%s  %5s %6s  %.28s\n", json_num(x, "tid", 0),
			json_str(x, "name", "?"), json_str(x, "role", "?"), json_str(x, "state_before", "?"),
			json_str(x, "state", "?"), c, e, a);
	}
}

static void autopsy_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *d = json_obj(test, "data"), *v = json_obj(d, "verdict");
	const struct jval *dk = json_arr(d, "disks"), *th = json_arr(d, "threads");
	char path[200], buf[240];

	if (!d)
		return;
	fputs("<h3>Verdict</h3>\n<p>", f);
	html_el(f, "<b>", json_str(v, "name", "not known"), "</b>: ");
	html_escape(f, json_str(v, "why", ""));
	fputs("</p>\n", f);
	if (json_len(dk)) {
		fputs("<div class=\"scroll\"><table>\n<thead><tr><th>disk</th><th>completed in the gap</th>"
		      "<th>in flight</th><th>idle (s)</th><th>I/O limits</th></tr></thead>\n", f);
		for (size_t i = 0; i < json_len(dk); i++) {
			const struct jval *x = json_at(dk, i);

			snprintf(path, sizeof(path), "tests.%s.data.disks.%zu", name, i);
			html_el(f, "<tr><th>", json_str(x, "device", "?"), "</th>");
			snprintf(buf, sizeof(buf), "%s.completed_in_gap", path);
			html_value(f, "td", json_get(x, "completed_in_gap"), buf, 0, 1);
			snprintf(buf, sizeof(buf), "%s.in_flight", path);
			html_value(f, "td", json_get(x, "in_flight"), buf, 0, 1);
			snprintf(buf, sizeof(buf), "%s.idle_s", path);
			html_value(f, "td", json_get(x, "idle_s"), buf, 1, 1);
			html_el(f, "<td>", json_str(x, "io_limits", "none"), "</td></tr>\n");
		}
		fputs("</table></div>\n", f);
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>thread</th><th>role</th><th>state</th>"
	      "<th>on a CPU</th><th>waiting for one</th><th>waits in</th></tr></thead>\n", f);
	for (size_t i = 0; i < json_len(th); i++) {
		const struct jval *x = json_at(th, i);

		if (!matters(x))
			continue;
		snprintf(path, sizeof(path), "tests.%s.data.threads.%zu", name, i);
		fprintf(f, "<tr><th>%.0f ", json_num(x, "tid", 0));
		html_escape(f, json_str(x, "name", "?"));
		html_el(f, "</th><td>", json_str(x, "role", "?"), "</td>");
		html_el(f, "<td>", json_str(x, "state", "?"), "</td>");
		snprintf(buf, sizeof(buf), "%s.run_share", path);
		html_value(f, "td", json_get(x, "run_share"), buf, 0, 0.01);
		snprintf(buf, sizeof(buf), "%s.delay_share", path);
		html_value(f, "td", json_get(x, "delay_share"), buf, 0, 0.01);
		top_frame(buf, sizeof(buf), x);
		html_el(f, "<td><code>", buf, "</code></td></tr>\n");
	}
	fputs("</table></div>\n<p class=\"note\">Shares are of the gap between the two readings (schedstat).</p>\n", f);
}

const struct check_view autopsy_view = { "autopsy", autopsy_metrics, ARRAY_SIZE(autopsy_metrics), autopsy_html,
					 autopsy_text };
