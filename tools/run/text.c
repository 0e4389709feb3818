/* report.txt: what a person reads first, in 80 columns. Rendered from the
 * report JSON alone, so the text never says what the JSON does not. */
#include "run/run.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/textwrap.h"
#include "report/view_postmortem.h"

void machine_id(char out[9])
{
	static const char *const sources[] = {
		"/sys/class/dmi/id/product_uuid", "/etc/machine-id", "/sys/class/dmi/id/board_serial",
	};
	uint32_t h = 2166136261u; /* FNV-1a */
	char buf[128];

	for (size_t i = 0; i < ARRAY_SIZE(sources); i++) {
		if (read_line(sources[i], buf, sizeof(buf)) < 0 || !*trim(buf))
			continue;
		for (const char *s = buf; *s; s++)
			h = (h ^ (unsigned char)*s) * 16777619u;
		snprintf(out, 9, "%08x", h);
		return;
	}
	if (getrandom(&h, sizeof(h), 0) != sizeof(h))
		h ^= (uint32_t)now_ns();
	snprintf(out, 9, "%08x", h);
}


static const char *upper(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	buf[i] = '\0';
	return buf;
}

static void system_line(FILE *f, const struct jval *sys)
{
	const struct jval *cpu = json_get(sys, "cpu"), *mem = json_get(sys, "memory");
	const struct jval *hv = json_get(sys, "hypervisor"), *dmi = json_get(sys, "dmi");
	char line[512];

	snprintf(line, sizeof(line), "Machine: %s %s; %s",
		 json_str(dmi, "sys_vendor", "?"), json_str(dmi, "product_name", ""),
		 json_get(hv, "vm") && json_get(hv, "vm")->b
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

/* The burn-in's figures: what ran, how hot, what went wrong. */
static void burnin_line(FILE *f, const struct jval *t)
{
	const struct jval *m = json_get(t, "metrics"), *tmax = json_get(m, "temp_max_c");
	char line[400], temp[64];

	if (!m || !json_get(m, "stressors"))
		return;
	if (tmax && tmax->type == J_NUM)
		snprintf(temp, sizeof(temp), "hottest %.0f C", tmax->num);
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

char *render_text(const struct jval *rep, size_t *len)
{
	const struct jval *verdict = json_get(rep, "verdict"), *tests = json_get(rep, "tests");
	const struct jval *top = json_get(verdict, "top"), *run = json_get(rep, "run");
	const struct jval *problems = json_get(run, "problems"), *disk = json_get(rep, "report_disk");
	char *buf = NULL, up[32], lead[64];
	FILE *f = open_memstream(&buf, len);

	if (!f)
		dief("out of memory");
	text_rule(f, '=');
	fprintf(f, "vmtriage report  %s  machine %s  %s mode\n", json_str(run, "started_utc", "?"),
		json_str(rep, "machine_id", "?"), json_str(run, "mode", "?"));
	text_rule(f, '=');
	fprintf(f, "VERDICT: %s\n\n", upper(json_str(verdict, "status", "?"), up, sizeof(up)));
	system_line(f, json_get(rep, "system"));

	if (top && top->len) {
		fprintf(f, "\nWhat to look at first:\n");
		for (size_t i = 0; i < top->len; i++) {
			const struct jval *t = top->items[i];
			const char *advice = json_str(t, "advice", NULL);

			snprintf(lead, sizeof(lead), "%zu. [%s] ", i + 1, upper(json_str(t, "severity", "?"), up, sizeof(up)));
			text_wrap(f, lead, 4, json_str(t, "summary", ""));
			fprintf(f, "    (%s)\n", json_str(t, "id", ""));
			if (advice)
				text_wrap(f, "    Advice: ", 12, advice);
		}
	}

	fprintf(f, "\nChecks:\n");
	for (size_t i = 0; tests && i < tests->len; i++) {
		const struct jval *t = tests->items[i], *fl = json_get(t, "findings");
		const char *reason = json_str(t, "reason", NULL);

		snprintf(lead, sizeof(lead), "  %-6s %-6s ", tests->keys[i], upper(json_str(t, "status", "?"), up, sizeof(up)));
		char line[400];

		snprintf(line, sizeof(line), "%.1f s%s%s", json_num(t, "duration_s", 0), reason ? "; " : "", reason ? reason : "");
		text_wrap(f, lead, 16, line);
		if (!strcmp(tests->keys[i], "burnin"))
			burnin_line(f, t);
		if (!strcmp(tests->keys[i], "postmortem"))
			postmortem_text(f, t);
		for (size_t k = 0; fl && k < fl->len; k++) {
			snprintf(lead, sizeof(lead), "         %-4s ", json_str(fl->items[k], "severity", "?"));
			text_wrap(f, lead, 16, json_str(fl->items[k], "summary", ""));
		}
	}
	if (problems && problems->len) {
		fprintf(f, "\nOption problems (ignored):\n");
		for (size_t i = 0; i < problems->len; i++)
			text_wrap(f, "  - ", 4, problems->items[i]->type == J_STR ? problems->items[i]->str : "?");
	}
	fprintf(f, "\nReport disk: ");
	if (json_get(disk, "written") && json_get(disk, "written")->b)
		fprintf(f, "%s (label %s), folder %s/\n", json_str(disk, "device", "?"), json_str(disk, "label", "?"),
			json_str(disk, "path", "?"));
	else
		text_wrap(f, "", 13, json_str(disk, "error", "none"));
	text_rule(f, '=');
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}

/* The verdict screen: what fits on a 25-line console after the report has
 * scrolled by. ANSI colours work on the VGA console and serial terminals. */
char *render_screen(const struct jval *rep, bool color, size_t *len)
{
	static const struct {
		const char *status, *ansi, *words;
	} looks[] = {
		{ "pass", "\033[1;97;42m", "no problem found" },
		{ "warn", "\033[1;30;43m", "problems worth fixing" },
		{ "fail", "\033[1;97;41m", "problems that explain instability" },
		{ "error", "\033[1;97;45m", "a check could not complete" },
	};
	const struct jval *verdict = json_get(rep, "verdict"), *top = json_get(verdict, "top");
	const struct jval *disk = json_get(rep, "report_disk");
	const char *st = json_str(verdict, "status", "error");
	char *buf = NULL, up[16], line[TEXT_WIDTH + 1];
	FILE *f = open_memstream(&buf, len);
	size_t i = 0;

	if (!f)
		dief("out of memory");
	while (i + 1 < ARRAY_SIZE(looks) && strcmp(looks[i].status, st) != 0)
		i++;
	snprintf(line, sizeof(line), "  VERDICT: %s - %s", upper(st, up, sizeof(up)), looks[i].words);
	fprintf(f, "\n%s%-*s%s\n\n", color ? looks[i].ansi : "", TEXT_WIDTH, line, color ? "\033[0m" : "");
	for (size_t k = 0; top && k < top->len; k++) {
		const struct jval *t = top->items[k];

		snprintf(line, sizeof(line), "%zu. [%s] %s", k + 1, json_str(t, "severity", "?"), json_str(t, "summary", ""));
		if (strlen(line) == TEXT_WIDTH)
			memcpy(line + TEXT_WIDTH - 3, "...", 3);
		fprintf(f, "%s\n", line);
		snprintf(line, sizeof(line), "   %s", json_str(t, "id", ""));
		fprintf(f, "%s\n", line);
	}
	if (!top || !top->len)
		fprintf(f, "Nothing to fix was found.\n");
	postmortem_screen_line(line, sizeof(line), json_path(rep, "tests.postmortem"));
	if (line[0])
		fprintf(f, "%s\n", line);
	if (json_get(disk, "written") && json_get(disk, "written")->b)
		snprintf(line, sizeof(line), "Report: %s on %s (label %s)", json_str(disk, "path", "?"),
			 json_str(disk, "device", "?"), json_str(disk, "label", "?"));
	else
		snprintf(line, sizeof(line), "Report: %s/ only (%s)", json_str(json_get(rep, "run"), "out_dir", "?"),
			 json_str(disk, "error", "no disk"));
	fprintf(f, "\n%s\n", line);
	if (!json_get(disk, "device") || json_get(disk, "device")->type != J_STR)
		fprintf(f, "To keep the report, attach a disk with a FAT or ext4 filesystem labelled\n"
			   "TRIAGE (scripts/report-disk makes one) and boot again.\n");
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}
