/* The previous boots as a person reads them: newest first, each with its
 * span, how it ended, and what it logged. */
#include "report/view_postmortem.h"

#include <stdio.h>
#include <string.h>

#include "lib/textwrap.h"
#include "lib/util.h"
#include "report/html.h"
#include "report/view.h"
#include "report/view_record.h"

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
	bool cur = json_true(b, "current"), clean = json_true(b, "clean_end");

	short_time(t1, sizeof(t1), json_str(b, "first", "?"));
	short_time(t2, sizeof(t2), json_str(b, "last", "?"));
	span(quiet, sizeof(quiet), json_num(b, "quiet_before_end_s", 0));
	snprintf(line, size, "boot %.0f  %s to %s UTC, %.0f records (%s): %s%s%s", json_num(b, "boot", 0), t1,
		 t2 + (strncmp(t1, t2, 10) ? 0 : 11), json_num(b, "records", 0), json_str(b, "source", "?"),
		 cur ? "running now" : clean ? "clean shutdown" : "NO SHUTDOWN; the message before the last came ",
		 cur || clean ? "" : quiet, cur || clean ? "" : " earlier");
}

/* Whether a boot is known to have ended without a shutdown. */
static bool unclean(const struct jval *b)
{
	const struct jval *c = json_get(b, "clean_end");

	return json_is(c, J_BOOL) && !json_is_true(c) && !json_true(b, "current");
}

static void event_text(char *line, size_t size, const struct jval *e)
{
	const struct jval *trap = json_obj(e, "trap");
	char t[32];

	short_time(t, sizeof(t), json_str(e, "time", "?"));
	snprintf(line, size, "%s %s: %s", strlen(t) > 11 ? t + 11 : t, json_str(e, "program", "?"),
		 json_str(e, "line", ""));
	if (json_str(trap, "code", NULL))
		str_append(line, size, "", "  [Code: %s]", json_str(trap, "code", ""));
	if (json_str(e, "exe", NULL))
		str_append(line, size, "", "  [exe %s, signal %.0f]", json_str(e, "exe", ""), json_num(e, "coredump_signal", 0));
}

/* "-> vpbroadcastb (avx2), c4 e2 7d 78 c0 at /usr/bin/prog+0x1040: needs-missing: ..." */
static void insn_text(char *line, size_t size, const struct jval *in)
{
	const char *ext = json_str(in, "extensions", "");

	snprintf(line, size, "-> ");
	if (json_str(in, "mnemonic", NULL)) {
		str_append(line, size, "", "%s (%s), bytes %s", json_str(in, "mnemonic", ""), ext[0] ? ext : "base x86-64",
			   json_str(in, "bytes", ""));
		if (json_str(in, "path", NULL))
			str_append(line, size, "", " at %s+%s", json_str(in, "path", ""), json_str(in, "file_offset", "?"));
		else
			str_append(line, size, "", " from the Code: bytes");
		str_append(line, size, "", ": ");
	}
	str_append(line, size, "", "%s", json_str(in, "summary", ""));
	if (json_str(in, "note", NULL))
		str_append(line, size, "", " (%s)", json_str(in, "note", ""));
}

static const char *wf_verdict(const struct jval *it)
{
	const char *fails = json_str(it, "fails", "");

	if (!strcmp(json_str(it, "kind", ""), "glibc-hwcaps"))
		return !strcmp(fails, "yes") ? "skipped here" : !strcmp(fails, "no") ? "used" : "not judged";
	return !strcmp(fails, "yes") ? "FAILS here" : !strcmp(fails, "no") ? "runs" : "not judged";
}

/* title: with "What will fail next..." in front (the text view has no heading). */
static void will_fail_head(char *line, size_t size, const struct jval *wf, bool title)
{
	snprintf(line, size, "%s%s%s%s%s%.0f files read (%.0f ELF, %.0f declaring an x86-64 level) in %.2f s of a "
		 "%.0f s budget%s",
		 title ? "What will fail next on this vCPU" : "", json_str(wf, "os", NULL) ? " (" : "",
		 json_str(wf, "os", ""), json_str(wf, "os", NULL) ? ")" : "", title || json_str(wf, "os", NULL) ? ": " : "",
		 json_num(wf, "files", 0), json_num(wf, "elf_files", 0), json_num(wf, "declaring", 0),
		 json_num(wf, "seconds", 0), json_num(wf, "budget_s", 0),
		 json_true(wf, "complete") ? "" : "; STOPPED at the budget: the list is partial");
}

void postmortem_text(FILE *f, const struct jval *test)
{
	const struct jval *data = json_obj(test, "data"), *boots = json_arr(data, "boots");
	const struct jval *wf = json_obj(data, "will_fail"), *items = json_arr(wf, "items");
	char line[1600];

	if (json_len(boots)) {
		fprintf(f, "                Previous boots, newest first (%s):\n", json_str(data, "root", "?"));
		for (size_t i = 0; i < json_len(boots); i++) {
			const struct jval *b = json_at(boots, i), *ev = json_arr(b, "events");

			boot_head(line, sizeof(line), b);
			text_wrap(f, "                - ", 18, line);
			for (size_t k = 0; k < json_len(ev); k++) {
				const struct jval *in = json_obj(json_at(ev, k), "insn");

				event_text(line, sizeof(line), json_at(ev, k));
				text_wrap(f, "                    ", 22, line);
				if (in) {
					insn_text(line, sizeof(line), in);
					text_wrap(f, "                      ", 24, line);
				}
			}
			if (unclean(b)) {
				snprintf(line, sizeof(line), "last: %s: %s", json_str(b, "last_program", "?"),
					 json_str(b, "last_line", ""));
				text_wrap(f, "                    ", 22, line);
			}
		}
	}
	if (json_true(wf, "scanned")) {
		will_fail_head(line, sizeof(line), wf, true);
		text_wrap(f, "                ", 16, line);
		if (!json_len(items))
			text_wrap(f, "                - ", 18, "nothing found that needs more than this vCPU executes");
		for (size_t i = 0; i < json_len(items); i++) {
			const struct jval *it = json_at(items, i);

			snprintf(line, sizeof(line), "%s: needs %s, %s: %s", json_str(it, "path", "?"), json_str(it, "needs", "?"),
				 wf_verdict(it), json_str(it, "what", ""));
			if (json_str(it, "source", NULL))
				str_append(line, sizeof(line), "", " [%s]", json_str(it, "source", ""));
			text_wrap(f, "                - ", 18, line);
		}
		if (json_num(wf, "more", 0) > 0)
			fprintf(f, "                - ... and %.0f more\n", json_num(wf, "more", 0));
	}
	record_text(f, json_obj(data, "record"));
}

static void html_insn(FILE *f, const struct jval *in)
{
	const char *v = json_str(in, "verdict", "");
	const char *cls = !strcmp(v, "needs-missing") ? "fail" : !strcmp(v, "unknown") ? "" : "warn";

	fprintf(f, "<br><span class=\"%s\">", cls);
	if (json_str(in, "mnemonic", NULL)) {
		html_el(f, "<code>", json_str(in, "mnemonic", ""), "</code> ");
		html_textf(f, "(%s) ", json_str(in, "extensions", "")[0] ? json_str(in, "extensions", "") : "base x86-64");
		html_el(f, "<code>", json_str(in, "bytes", ""), "</code>");
		if (json_str(in, "path", NULL))
			html_textf(f, " at %s+%s", json_str(in, "path", ""), json_str(in, "file_offset", "?"));
		else
			html_textf(f, " from the Code: bytes");
		fputs("<br>", f);
	}
	html_el(f, "<b>", json_str(in, "summary", ""), "</b>");
	if (json_str(in, "note", NULL))
		html_el(f, "<br><small>", json_str(in, "note", ""), "</small>");
	fputs("</span>", f);
}

static void html_will_fail(FILE *f, const struct jval *wf)
{
	const struct jval *items = json_arr(wf, "items");
	char line[600];

	will_fail_head(line, sizeof(line), wf, false);
	fputs("<h3>What will fail next on this vCPU</h3>\n<p>", f);
	html_escape(f, line);
	fputs("</p>\n", f);
	if (!json_len(items)) {
		fputs("<p>Nothing found that needs more than this vCPU executes.</p>\n", f);
		return;
	}
	fputs("<table><tr><th>file</th><th>needs</th><th>here</th><th>why</th></tr>\n", f);
	for (size_t i = 0; i < json_len(items); i++) {
		const struct jval *it = json_at(items, i);
		const char *here = wf_verdict(it);

		html_el(f, "<tr><td><code>", json_str(it, "path", ""), "</code></td>");
		html_el(f, "<td>", json_str(it, "needs", ""), "</td>");
		fprintf(f, "<td class=\"%s\">", !strncmp(here, "FAILS", 5) ? "fail" : !strcmp(here, "skipped here") ? "warn" : "");
		html_escape(f, here);
		html_el(f, "</td><td>", json_str(it, "what", ""), "");
		if (json_str(it, "source", NULL))
			html_el(f, "<br><small>", json_str(it, "source", ""), "</small>");
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (json_num(wf, "more", 0) > 0)
		html_textf(f, "<p>... and %.0f more</p>\n", json_num(wf, "more", 0));
}

void postmortem_html(FILE *f, const struct jval *test, const char *name)
{
	const struct jval *data = json_obj(test, "data"), *boots = json_arr(data, "boots");
	const struct jval *wf = json_obj(data, "will_fail");
	char line[400];

	(void)name;
	if (json_len(boots))
		fputs("<h3>Previous boots, newest first</h3>\n", f);
	for (size_t i = 0; i < json_len(boots); i++) {
		const struct jval *b = json_at(boots, i), *ev = json_arr(b, "events");

		boot_head(line, sizeof(line), b);
		fprintf(f, "<p class=\"%s\"><b>", unclean(b) ? "warn" : "");
		html_escape(f, line);
		fputs("</b><br><small>", f);
		html_escape(f, json_str(b, "id", ""));
		fputs("</small></p>\n", f);
		if (json_len(ev)) {
			fputs("<table><tr><th>time (UTC)</th><th>kind</th><th>program</th><th>log line</th></tr>\n", f);
			for (size_t k = 0; k < json_len(ev); k++) {
				const struct jval *e = json_at(ev, k), *trap = json_obj(e, "trap"), *in = json_obj(e, "insn");
				char t[32];

				short_time(t, sizeof(t), json_str(e, "time", "?"));
				html_el(f, "<tr><td>", t, "</td>");
				html_el(f, "<td>", json_str(e, "kind", ""), "</td>");
				html_el(f, "<td>", json_str(e, "program", ""), "</td>");
				html_el(f, "<td><code>", json_str(e, "line", ""), "</code>");
				if (json_str(trap, "code", NULL))
					html_el(f, "<br>Code: <code>", json_str(trap, "code", ""), "</code>");
				if (json_str(e, "after_trap", NULL))
					html_el(f, "<br><small>after: ", json_str(e, "after_trap", ""), "</small>");
				if (json_str(e, "exe", NULL)) {
					html_el(f, "<br>exe <code>", json_str(e, "exe", ""), "</code>");
					fprintf(f, ", signal %.0f", json_num(e, "coredump_signal", 0));
				}
				if (in)
					html_insn(f, in);
				fputs("</td></tr>\n", f);
			}
			fputs("</table>\n", f);
		}
		if (unclean(b)) {
			fputs("<p>Last message: <code>", f);
			html_escape(f, json_str(b, "last_program", ""));
			fputs(": ", f);
			html_escape(f, json_str(b, "last_line", ""));
			fputs("</code></p>\n", f);
		}
	}
	if (json_true(wf, "scanned"))
		html_will_fail(f, wf);
	record_html(f, json_obj(data, "record"));
}

void postmortem_screen_line(char *buf, size_t size, const struct jval *test)
{
	const struct jval *m = json_obj(test, "metrics");

	buf[0] = '\0';
	if (json_num(m, "boots_summarised", 0) < 1)
		return;
	/* One line of 80 columns: the traps the CPU type explains replace the counts. */
	if (json_num(m, "traps_needs_missing", 0) > 0)
		snprintf(buf, size, "Previous boots: %.0f read, %.0f ended without a shutdown; %.0f of %.0f traps: CPU type",
			 json_num(m, "boots_summarised", 0), json_num(m, "unclean_ends", 0),
			 json_num(m, "traps_needs_missing", 0), json_num(m, "traps", 0));
	else
		snprintf(buf, size, "Previous boots: %.0f read, %.0f ended without a shutdown; %.0f events, %.0f traps",
			 json_num(m, "boots_summarised", 0), json_num(m, "unclean_ends", 0), json_num(m, "events", 0),
			 json_num(m, "traps", 0));
}

const struct check_view postmortem_view = { "postmortem", NULL, 0, postmortem_html, postmortem_text };
