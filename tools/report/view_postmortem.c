/* The previous boots as a person reads them: newest first, each with its
 * span, how it ended, and what it logged. */
#include "report/view_postmortem.h"

#include <stdio.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"
#include "report/view.h"

/* "2026-11-25T07:06:40Z" -> "2026-11-25 07:06:40". */
static void short_time(char *buf, size_t size, const char *iso)
{
	snprintf(buf, size, "%.19s", iso);
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
}

static void span(char *buf, size_t size, double s)
{
	if (s >= 3600)
		snprintf(buf, size, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, size, "%.0f s", s);
}

static void boot_head(char *line, size_t size, const struct jval *b)
{
	char t1[32], t2[32], quiet[32];
	const struct jval *clean = json_get(b, "clean_end"), *cur = json_get(b, "current");

	short_time(t1, sizeof(t1), json_str(b, "first", "?"));
	short_time(t2, sizeof(t2), json_str(b, "last", "?"));
	span(quiet, sizeof(quiet), json_num(b, "quiet_before_end_s", 0));
	snprintf(line, size, "boot %.0f  %s to %s UTC, %.0f records (%s): %s%s%s", json_num(b, "boot", 0), t1,
		 t2 + (strncmp(t1, t2, 10) ? 0 : 11), json_num(b, "records", 0), json_str(b, "source", "?"),
		 cur && cur->b ? "running now" : clean && clean->b ? "clean shutdown" : "NO SHUTDOWN, after ",
		 cur && cur->b ? "" : clean && clean->b ? "" : quiet, cur && cur->b ? "" : clean && clean->b ? "" : " of silence");
}

static void event_text(char *line, size_t size, const struct jval *e)
{
	const struct jval *trap = json_get(e, "trap");
	char t[32];

	short_time(t, sizeof(t), json_str(e, "time", "?"));
	snprintf(line, size, "%s %s: %s", t + 11, json_str(e, "program", "?"), json_str(e, "line", ""));
	if (trap && json_str(trap, "code", NULL))
		str_append(line, size, "", "  [Code: %s]", json_str(trap, "code", ""));
	if (json_str(e, "exe", NULL))
		str_append(line, size, "", "  [exe %s, signal %.0f]", json_str(e, "exe", ""), json_num(e, "coredump_signal", 0));
}

void postmortem_text(FILE *f, const struct jval *test)
{
	const struct jval *boots = json_path(test, "data.boots");
	char line[1200];

	if (!boots || boots->type != J_ARR || !boots->len)
		return;
	fprintf(f, "                Previous boots, newest first (%s):\n", json_str(json_get(test, "data"), "root", "?"));
	for (size_t i = 0; i < boots->len; i++) {
		const struct jval *b = boots->items[i], *ev = json_get(b, "events");

		boot_head(line, sizeof(line), b);
		text_wrap(f, "                - ", 18, line);
		for (size_t k = 0; ev && k < ev->len; k++) {
			event_text(line, sizeof(line), ev->items[k]);
			text_wrap(f, "                    ", 22, line);
		}
		if (json_get(b, "clean_end") && !json_get(b, "clean_end")->b) {
			snprintf(line, sizeof(line), "last: %s: %s", json_str(b, "last_program", "?"), json_str(b, "last_line", ""));
			text_wrap(f, "                    ", 22, line);
		}
	}
}

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

void postmortem_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *boots = json_path(test, "data.boots");
	char line[400];

	(void)name;
	if (!boots || boots->type != J_ARR || !boots->len)
		return;
	fputs("<h3>Previous boots, newest first</h3>\n", f);
	for (size_t i = 0; i < boots->len; i++) {
		const struct jval *b = boots->items[i], *ev = json_get(b, "events");
		const struct jval *clean = json_get(b, "clean_end");

		boot_head(line, sizeof(line), b);
		fprintf(f, "<p class=\"%s\"><b>", clean && !clean->b ? "warn" : "");
		esc(f, line);
		fputs("</b><br><small>", f);
		esc(f, json_str(b, "id", ""));
		fputs("</small></p>\n", f);
		if (ev && ev->len) {
			fputs("<table><tr><th>time (UTC)</th><th>kind</th><th>program</th><th>log line</th></tr>\n", f);
			for (size_t k = 0; k < ev->len; k++) {
				const struct jval *e = ev->items[k], *trap = json_get(e, "trap");
				char t[32];

				short_time(t, sizeof(t), json_str(e, "time", "?"));
				fputs("<tr><td>", f);
				esc(f, t);
				fputs("</td><td>", f);
				esc(f, json_str(e, "kind", ""));
				fputs("</td><td>", f);
				esc(f, json_str(e, "program", ""));
				fputs("</td><td><code>", f);
				esc(f, json_str(e, "line", ""));
				fputs("</code>", f);
				if (trap && json_str(trap, "code", NULL)) {
					fputs("<br>Code: <code>", f);
					esc(f, json_str(trap, "code", ""));
					fputs("</code>", f);
				}
				if (json_str(e, "after_trap", NULL)) {
					fputs("<br><small>after: ", f);
					esc(f, json_str(e, "after_trap", ""));
					fputs("</small>", f);
				}
				if (json_str(e, "exe", NULL)) {
					fputs("<br>exe <code>", f);
					esc(f, json_str(e, "exe", ""));
					fprintf(f, "</code>, signal %.0f", json_num(e, "coredump_signal", 0));
				}
				fputs("</td></tr>\n", f);
			}
			fputs("</table>\n", f);
		}
		if (clean && !clean->b) {
			fputs("<p>Last message: <code>", f);
			esc(f, json_str(b, "last_program", ""));
			fputs(": ", f);
			esc(f, json_str(b, "last_line", ""));
			fputs("</code></p>\n", f);
		}
	}
}

void postmortem_screen_line(char *buf, size_t size, const struct jval *test)
{
	const struct jval *m = json_get(test, "metrics");

	buf[0] = '\0';
	if (!m || json_num(m, "boots_summarised", 0) < 1)
		return;
	snprintf(buf, size, "Previous boots: %.0f read, %.0f ended without a shutdown; %.0f events, %.0f traps",
		 json_num(m, "boots_summarised", 0), json_num(m, "unclean_ends", 0), json_num(m, "events", 0),
		 json_num(m, "traps", 0));
}

const struct check_view postmortem_view = { "postmortem", NULL, 0, postmortem_html, postmortem_text };
