/* The machine id and the verdict screen on the console. report.txt is
 * rendered in report/text.c. */
#include "run/run.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/textwrap.h"
#include "report/view_postmortem.h"
#include "run/screen.h"

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


/* A finding's summary on the serial text: at most this many lines (the
 * 25-line console shows five findings with their ids). */
#define TEXT_SUMMARY_LINES 2

/* The verdict screen: what fits on a 25-line console after the report has
 * scrolled by. ANSI colours work on the VGA console and serial terminals. */
char *render_screen(const struct jval *rep, bool color, size_t *len)
{
	const struct jval *verdict = json_get(rep, "verdict"), *top = json_get(verdict, "top");
	const struct jval *disk = json_get(rep, "report_disk");
	const char *st = json_str(verdict, "status", "error");
	const struct looks *lk = looks_of(st);
	char *buf = NULL, up[16], line[TEXT_WIDTH + 1], item[1024], wrapped[TEXT_SUMMARY_LINES][256];
	FILE *f = open_memstream(&buf, len);

	if (!f)
		dief("out of memory");
	snprintf(line, sizeof(line), "  VERDICT: %s - %s", str_upper(st, up, sizeof(up)), lk->words);
	fprintf(f, "\n%s%-*s%s\n\n", color ? lk->bar : "", TEXT_WIDTH, line, color ? "\033[0m" : "");
	for (size_t k = 0; k < json_len(top); k++) {
		const struct jval *t = json_at(top, k);
		int n;

		/* Word-wrapped as on the VGA page (screen_wrap): never cut in a word. */
		snprintf(item, sizeof(item), "%zu. [%s] %s", k + 1, json_str(t, "severity", "?"), json_str(t, "summary", ""));
		n = screen_wrap(item, TEXT_WIDTH - 3, TEXT_SUMMARY_LINES, wrapped, sizeof(wrapped[0]));
		for (int l = 0; l < n; l++)
			fprintf(f, "%s%s\n", l ? "   " : "", wrapped[l]);
		snprintf(line, sizeof(line), "   %s", json_str(t, "id", ""));
		fprintf(f, "%s\n", line);
	}
	if (!json_len(top))
		fprintf(f, "Nothing to fix was found.\n");
	postmortem_screen_line(line, sizeof(line), json_path(rep, "tests.postmortem"));
	if (line[0])
		fprintf(f, "%s\n", line);
	if (json_true(disk, "written"))
		snprintf(line, sizeof(line), "Report: %s on %s (label %s)", json_str(disk, "path", "?"),
			 json_str(disk, "device", "?"), json_str(disk, "label", "?"));
	else
		snprintf(line, sizeof(line), "Report: %s/ only (%s)", json_str(json_get(rep, "run"), "out_dir", "?"),
			 json_str(disk, "error", "no disk"));
	fprintf(f, "\n%s\n", line);
	if (!json_is(json_get(disk, "device"), J_STR))
		fprintf(f, "To keep the report, attach a disk with a FAT or ext4 filesystem labelled\n"
			   "TRIAGE (scripts/report-disk makes one) and boot again.\n");
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}
