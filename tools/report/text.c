/* report.txt: what a person reads first, in 80 columns. Rendered from the
 * report JSON alone, so the text never says what the JSON does not. */
#include "report/report.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"
#include "report/view.h"

/* report/view.h */
bool text_not_known(FILE *f, const char *lead, const struct jval *v, enum jtype want, const char *path)
{
	char line[300];

	if (!v || json_is(v, J_NULL) || json_is(v, want))
		return false;
	for (; *lead == '\n'; lead++)
		fputc('\n', f);
	snprintf(line, sizeof(line), "not known: %s is %s, not %s", path, json_type_name(v->type),
		 json_type_name(want));
	text_wrap(f, lead, (int)strlen(lead), line);
	return true;
}

static void system_line(FILE *f, const struct jval *sys)
{
	const struct jval *cpu = json_get(sys, "cpu"), *mem = json_get(sys, "memory");
	const struct jval *hv = json_get(sys, "hypervisor"), *dmi = json_get(sys, "dmi");
	char line[512];

	/* a check's own JSON read as a report has none: claim nothing */
	if (!sys) {
		fprintf(f, "Machine: the report has no system facts\n");
		return;
	}
	snprintf(line, sizeof(line), "Machine: %s %s; %s",
		 json_str(dmi, "sys_vendor", "?"), json_str(dmi, "product_name", ""),
		 json_true(hv, "vm")
			 ? (json_str(hv, "name", NULL) ? json_str(hv, "name", "") : "virtual machine")
			 : "bare metal");
	text_wrap(f, "", 9, line);
	snprintf(line, sizeof(line), "CPU:     %s, %.0f online; memory %.0f MiB total, %.0f MiB available",
		 json_str(cpu, "brand", "?"), json_num(cpu, "online", 0), json_num(mem, "MemTotal_kib", 0) / 1024,
		 json_num(mem, "MemAvailable_kib", 0) / 1024);
	text_wrap(f, "", 9, line);
	snprintf(line, sizeof(line), "Kernel:  %s; clocksource %s; cpuidle %s; cpufreq %s",
		 json_str(json_get(sys, "kernel"), "release", "?"),
		 json_str(json_get(sys, "clocksource"), "current", "?"),
		 json_str(json_get(sys, "cpuidle"), "driver", "none"),
		 json_str(json_get(sys, "cpufreq"), "driver", "none"));
	text_wrap(f, "", 9, line);
}

char *render_text(const struct jval *rep, size_t *len)
{
	const struct jval *verdict = json_get(rep, "verdict"), *tests = json_obj(rep, "tests");
	const struct jval *top = json_arr(verdict, "top"), *run = json_get(rep, "run");
	const struct jval *problems = json_arr(run, "problems"), *disk = json_get(rep, "report_disk");
	char *buf = NULL, up[32], lead[64];
	FILE *f = open_memstream(&buf, len);

	if (!f)
		dief("out of memory");
	text_rule(f, '=');
	fprintf(f, "vmtriage report  %s  machine %s  %s mode\n", json_str(run, "started_utc", "?"),
		json_str(rep, "machine_id", "?"), json_str(run, "mode", "?"));
	text_rule(f, '=');
	fprintf(f, "VERDICT: %s\n\n", str_upper(json_str(verdict, "status", "?"), up, sizeof(up)));
	system_line(f, json_get(rep, "system"));

	text_not_known(f, "\nWhat to look at first: ", json_get(verdict, "top"), J_ARR, "verdict.top");
	if (json_len(top)) {
		fprintf(f, "\nWhat to look at first:\n");
		for (size_t i = 0; i < json_len(top); i++) {
			const struct jval *t = json_at(top, i);
			const char *advice = json_str(t, "advice", NULL);

			snprintf(lead, sizeof(lead), "%zu. [%s] ", i + 1, str_upper(json_str(t, "severity", "?"), up, sizeof(up)));
			text_wrap(f, lead, 4, json_str(t, "summary", ""));
			fprintf(f, "    (%s)\n", json_str(t, "id", ""));
			if (advice)
				text_wrap(f, "    Advice: ", 12, advice);
		}
	}

	fprintf(f, "\nChecks:\n");
	text_not_known(f, "  ", json_get(rep, "tests"), J_OBJ, "tests");
	for (size_t i = 0; i < json_len(tests); i++) {
		const char *name = json_key(tests, i);
		const struct jval *t = json_at(tests, i), *fl = json_arr(t, "findings");
		const struct check_view *cv = check_view_find(name);
		const char *reason = json_str(t, "reason", NULL);
		char line[400], path[160];

		snprintf(lead, sizeof(lead), "  %-6s %-6s ", name, str_upper(json_str(t, "status", "?"), up, sizeof(up)));
		snprintf(line, sizeof(line), "%.1f s%s%s", json_num(t, "duration_s", 0), reason ? "; " : "", reason ? reason : "");
		text_wrap(f, lead, 16, line);
		snprintf(path, sizeof(path), "tests.%s", name);
		text_not_known(f, "         ", t, J_OBJ, path);
		if (cv && cv->text)
			cv->text(f, t);
		snprintf(path, sizeof(path), "tests.%s.findings", name);
		text_not_known(f, "         ", json_get(t, "findings"), J_ARR, path);
		for (size_t k = 0; k < json_len(fl); k++) {
			snprintf(lead, sizeof(lead), "         %-4s ", json_str(json_at(fl, k), "severity", "?"));
			text_wrap(f, lead, 16, json_str(json_at(fl, k), "summary", ""));
		}
	}
	text_not_known(f, "\nOption problems: ", json_get(run, "problems"), J_ARR, "run.problems");
	if (json_len(problems)) {
		fprintf(f, "\nOption problems (ignored):\n");
		for (size_t i = 0; i < json_len(problems); i++)
			text_wrap(f, "  - ", 4, json_as_str(json_at(problems, i), "?"));
	}
	fprintf(f, "\nReport disk: ");
	if (json_true(disk, "written"))
		fprintf(f, "%s (label %s), folder %s/\n", json_str(disk, "device", "?"), json_str(disk, "label", "?"),
			json_str(disk, "path", "?"));
	else
		text_wrap(f, "", 13, json_str(disk, "error", "none"));
	text_rule(f, '=');
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}
