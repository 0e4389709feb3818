/* The verdict page and the report viewer, read back through a small
 * terminal emulator: what lands in which cell of an 80x25 (or larger)
 * screen, that nothing scrolls, that words are never cut, and that each
 * finding shows its action from lib/actions.def. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/findings.h"
#include "lib/pager.h"
#include "lib/util.h"
#include "run/screen.h"

#define MAXR 60
#define MAXC 140

/* A terminal of rows x cols that understands what the page and the pager
 * emit (CUP, EL, ED, SGR, cursor visibility and the console's blank
 * setting). Any line feed, unknown sequence or write past the right edge
 * fails the test: on a real console it would scroll or wrap. Cells hold
 * UTF-8 characters. */
struct term {
	int rows, cols, r, c;
	char cell[MAXR][MAXC][5];
	bool reverse[MAXR][MAXC], rev;
};

static void term_feed(struct term *t, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == 0x1b) {
			size_t j = i + 1;
			int par[4] = { 0 }, np = 0;
			char priv = 0;

			assert_true(j < len);
			assert_int_equal(s[j], '[');
			j++;
			if (s[j] == '?')
				priv = s[j++];
			while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) {
				if (s[j] == ';')
					np++;
				else if (np < 4)
					par[np] = par[np] * 10 + (s[j] - '0');
				j++;
			}
			np++;
			assert_true(j < len);
			switch (s[j]) {
			case 'H':
				t->r = (par[0] ? par[0] : 1) - 1;
				t->c = (np > 1 && par[1] ? par[1] : 1) - 1;
				assert_in_range(t->r, 0, t->rows - 1);
				break;
			case 'K':
				for (int c = t->c; c < t->cols; c++) {
					strcpy(t->cell[t->r][c], " ");
					t->reverse[t->r][c] = t->rev;
				}
				break;
			case 'J':
				for (int r = 0; r < t->rows; r++)
					for (int c = 0; c < t->cols; c++)
						strcpy(t->cell[r][c], " ");
				break;
			case 'm':
				for (int k = 0; k < np; k++)
					t->rev = par[k] == 7 ? true : par[k] == 0 ? false : t->rev;
				break;
			case 'h': case 'l': assert_int_equal(priv, '?'); break;
			case ']': break; /* ESC [ 9 ; 0 ]: the console's blank timeout */
			default: fail_msg("unexpected escape sequence ending in '%c'", s[j]);
			}
			i = j + 1;
			continue;
		}
		assert_true(ch >= 0x20);
		{
			size_t n = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;

			assert_true(t->c < t->cols);
			memcpy(t->cell[t->r][t->c], s + i, n);
			t->cell[t->r][t->c][n] = '\0';
			t->reverse[t->r][t->c] = t->rev;
			t->c++;
			i += n;
		}
	}
}

static void term_init(struct term *t, int rows, int cols)
{
	memset(t, 0, sizeof(*t));
	t->rows = rows;
	t->cols = cols;
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++)
			strcpy(t->cell[r][c], " ");
}

/* Row r as a string, trailing blanks removed. */
static const char *term_row(const struct term *t, int r)
{
	static char buf[MAXC * 4 + 1];
	size_t n = 0;

	for (int c = 0; c < t->cols; c++) {
		strcpy(buf + n, t->cell[r][c]);
		n += strlen(t->cell[r][c]);
	}
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* The row holding needle, or -1. */
static int term_find(const struct term *t, const char *needle)
{
	for (int r = 0; r < t->rows; r++)
		if (strstr(term_row(t, r), needle))
			return r;
	return -1;
}

static const char long_summary[] =
	"the CPU offers only x86-64-v1 (missing for v2: ssse3, sse4.1, sse4.2, popcnt, cx16, lahf-sahf): modern "
	"software crashes with SIGILL, RHEL 9 and its rebuilds do not boot, and glibc falls back from its hwcaps";

static char *report_json(const char *status, int nfindings, bool written)
{
	static const char *const items[] = {
		NULL, /* cpu.baseline-only with long_summary */
		"{\"test\":\"mem\",\"id\":\"mem.balloon-shrank\",\"severity\":\"warn\",\"summary\":\"the host took 256 MiB "
		"(50.0%) of this guest's memory back 3.1 s into the run\",\"advice\":\"b\"}",
		"{\"test\":\"wake\",\"id\":\"wake.stall\",\"severity\":\"warn\",\"summary\":\"wake-ups from idle overshoot by "
		"4.1 ms (p99; CPU 1, idle 1 ms, quick sweep), 2 ms allowed\",\"advice\":\"c\"}",
		"{\"test\":\"kernel_log\",\"id\":\"kernel.oom\",\"severity\":\"warn\",\"summary\":\"OOM-killer message(s)\","
		"\"advice\":\"d\"}",
		"{\"test\":\"x\",\"id\":\"x.unknown\",\"severity\":\"warn\",\"summary\":\"something new\",\"advice\":\"Do the "
		"first thing now. Then the second thing.\"}",
	};
	char top[4096] = "";

	for (int i = 0; i < nfindings; i++) {
		char item[1024];

		if (items[i])
			snprintf(item, sizeof(item), "%s", items[i]);
		else
			snprintf(item, sizeof(item), "{\"test\":\"isa\",\"id\":\"cpu.baseline-only\",\"severity\":\"warn\","
				 "\"summary\":\"%s\",\"advice\":\"a\"}", long_summary);
		strcat(top, i ? "," : "");
		strcat(top, item);
	}
	return xasprintf(
		"{\"schema\":\"vmtriage/1\",\"tool\":{\"version\":\"0.1\"},\"machine_id\":\"1a2b3c4d\","
		"\"run\":{\"mode\":\"quick\",\"started_utc\":\"2026-11-28T06:00:00Z\",\"out_dir\":\"/run/triage\"},"
		"\"system\":{\"hypervisor\":{\"vm\":true,\"name\":\"KVM\"}},"
		"\"tests\":{\"isa\":{\"status\":\"%s\",\"duration_s\":3.2},\"mem\":{\"status\":\"pass\",\"duration_s\":11}},"
		"\"report_disk\":{\"device\":%s,\"label\":\"TRIAGE\",\"path\":\"vmtriage/20261128T060000Z-1a2b3c4d\","
		"\"written\":%s,\"error\":%s},"
		"\"verdict\":{\"status\":\"%s\",\"top\":[%s]}}",
		status, written ? "\"/dev/sdb\"" : "null", written ? "true" : "false",
		written ? "null" : "\"no filesystem labelled TRIAGE found\"", status, top);
}

static void render(struct term *t, const char *json, int rows, int cols, bool unicode, bool color)
{
	char err[128];
	struct jval *rep = json_parse(json, strlen(json), err, sizeof(err));
	struct page_opts o = { rows, cols, color, unicode, "[v] view the report   [s] shell   [r] reboot   [p] power off" };
	size_t len;
	char *page;

	assert_non_null(rep);
	page = screen_page(rep, &o, &len);
	assert_null(memchr(page, '\n', len));
	term_init(t, rows, cols);
	term_feed(t, page, len);
	free(page);
	json_free(rep);
}

/* Every word on rows [from, to) is a whole word of text (or "..."). */
static void assert_whole_words(const struct term *t, int from, int to, const char *text)
{
	for (int r = from; r < to; r++) {
		char row[MAXC * 4 + 1], *save = NULL;

		strcpy(row, term_row(t, r));
		for (char *w = strtok_r(row, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			char word[256];
			size_t n = strlen(w);
			const char *at;
			bool whole = false;

			if (n > 3 && !strcmp(w + n - 3, "..."))
				w[n -= 3] = '\0';
			if (r == from && (strchr(w, '.') == w + n - 1 || !strcmp(w, "WARN")))
				continue; /* the "1. WARN" lead */
			snprintf(word, sizeof(word), "%s", w);
			for (at = strstr(text, word); at && !whole; at = strstr(at + 1, word))
				whole = (at == text || at[-1] == ' ') && (at[n] == ' ' || at[n] == '\0');
			if (!whole)
				fail_msg("row %d: '%s' is not a whole word of the text", r, word);
		}
	}
}

static void test_page_80x25(void **state)
{
	(void)state;
	struct term t;
	char *json = report_json("warn", 5, true);
	int v, f1, a1, keys;

	render(&t, json, 25, 80, true, true);
	/* The title keeps whole parts only. */
	assert_string_equal(term_row(&t, 0), "vmtriage 0.1  quick triage  KVM guest  2026-11-28 06:00 UTC  machine 1a2b3c4d");
	v = term_find(&t, "VERDICT: WARN - problems worth fixing");
	assert_int_equal(v, 2);
	/* The bar spans the row in colour (erased in the bar's colours). */
	f1 = term_find(&t, "1. WARN  the CPU offers only x86-64-v1");
	assert_true(f1 > v);
	a1 = term_find(&t, "→ Hardware → Processors → Type: x86-64-v3 (or host)");
	assert_int_equal(a1, f1 + 2);
	assert_whole_words(&t, f1, a1, long_summary);
	assert_non_null(strstr(term_row(&t, f1 + 1), "...")); /* the summary is longer than 2 lines */
	assert_true(term_find(&t, "→ Hardware → Memory → Ballooning Device: off, or Minimum memory = Memory") > a1);
	assert_true(term_find(&t, "→ host: C-states off in the BIOS, or `intel_idle.max_cstate=1`") > a1);
	keys = term_find(&t, "[v] view the report   [s] shell   [r] reboot   [p] power off");
	assert_int_equal(keys, 24);
	assert_true(t.reverse[24][0]);
	assert_true(term_find(&t, "Report written to vmtriage/20261128T060000Z-1a2b3c4d/ on /dev/sdb") > 0);
	/* Five findings do not fit in 25 rows: the rest are counted. */
	assert_true(term_find(&t, "more finding") > 0 || term_find(&t, "5. WARN") > 0);
	assert_true(term_find(&t, "Checks:   isa WARN   mem PASS") == 4);
	free(json);
}

static void test_page_ascii_and_no_disk(void **state)
{
	(void)state;
	struct term t;
	char *json = report_json("warn", 1, false);

	render(&t, json, 25, 80, false, false);
	assert_true(term_find(&t, "-> Hardware -> Processors -> Type: x86-64-v3 (or host)") > 0);
	assert_int_equal(term_find(&t, "→"), -1);
	assert_true(term_find(&t, "Report only in /run/triage/, lost at power-off") > 0);
	assert_true(term_find(&t, "labelled TRIAGE") > 0);
	assert_true(term_find(&t, "qm importdisk") > 0);
	assert_false(t.reverse[24][0]);
	free(json);
}

static void test_page_framebuffer(void **state)
{
	(void)state;
	struct term t;
	char *json = report_json("fail", 5, true);

	/* 1024x768 with the 8x16 font: 128x48. Every finding fits. */
	render(&t, json, 48, 128, true, true);
	assert_int_equal(term_find(&t, "VERDICT: FAIL"), 2);
	assert_true(term_find(&t, "5. WARN") > 0);
	assert_int_equal(term_find(&t, "more finding"), -1);
	/* An unknown id: the advice's first sentence, not the second. */
	assert_true(term_find(&t, "→ Do the first thing now.") > 0);
	assert_int_equal(term_find(&t, "second thing"), -1);
	assert_int_equal(term_find(&t, "[v] view the report"), 47);
	free(json);
}

static void test_page_pass(void **state)
{
	(void)state;
	struct term t;
	char *json = report_json("pass", 0, true);

	render(&t, json, 25, 80, true, false);
	assert_true(term_find(&t, "VERDICT: PASS - no problem found") > 0);
	assert_true(term_find(&t, "Nothing to fix was found.") > 0);
	free(json);
}

static void test_wrap(void **state)
{
	(void)state;
	char lines[4][256];
	int n = screen_wrap("one two three four five six seven", 10, 4, lines, sizeof(lines[0]));

	assert_int_equal(n, 4);
	assert_string_equal(lines[0], "one two");
	assert_string_equal(lines[1], "three four");
	assert_string_equal(lines[3], "seven");
	n = screen_wrap("one two three four five six seven", 10, 2, lines, sizeof(lines[0]));
	assert_int_equal(n, 2);
	assert_string_equal(lines[1], "three...");
	/* Columns, not bytes. */
	n = screen_wrap("a → b → c → d", 9, 4, lines, sizeof(lines[0]));
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "a → b → c");
	assert_int_equal(screen_cols(lines[0]), 9);
	assert_int_equal(screen_wrap("   ", 10, 2, lines, sizeof(lines[0])), 0);
}

static void test_actions(void **state)
{
	(void)state;

	assert_string_equal(finding_action("cpu.baseline-only", true), "Hardware → Processors → Type: x86-64-v3 (or host)");
	assert_string_equal(finding_action("mem.balloon-shrank", true),
			    "Hardware → Memory → Ballooning Device: off, or Minimum memory = Memory");
	assert_string_equal(finding_action("wake.stall", true), "host: C-states off in the BIOS, or `intel_idle.max_cstate=1`");
	assert_non_null(finding_action("cpu.wrong-result.avx2", true));
	assert_null(finding_action("cpu.wrong-result", true)); /* a family needs a member */
	assert_null(finding_action("cpu.wrong-result.", true));
	assert_null(finding_action("mem.balloon-shrank", false));
	assert_null(finding_action("no.such", true));
	/* Each fits one line under its finding on an 80-column screen. */
	for (int i = 0; i < finding_ndefs; i++) {
		const struct finding_def *d = &finding_defs[i];

		if ((d->vm && screen_cols(d->vm) > 74) || (d->metal && screen_cols(d->metal) > 74))
			fail_msg("tools/lib/findings.def: the action of %s is wider than 74 columns", d->id);
	}
}

static const char pager_text[] =
	"line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8 Kernel\nline 9\nline 10\n"
	"line 11\nline 12\nline 13 kernel here\nline 14\n";

static void keys(struct pager *pg, const char *k)
{
	for (; *k; k++)
		pager_key(pg, (unsigned char)*k);
}

static void test_pager(void **state)
{
	(void)state;
	struct pager pg;
	struct term t;
	size_t len;
	char *s;

	pager_init(&pg, pager_text, "report.txt", 6, 40);
	assert_int_equal(pg.nlines, 14);
	keys(&pg, "\033[B\033[B");		/* down, down */
	assert_int_equal(pg.top, 2);
	keys(&pg, "\033[6~");			/* PgDn: 5 lines of text a page */
	assert_int_equal(pg.top, 7);
	keys(&pg, "\033[6~\033[6~");		/* stops at the last page */
	assert_int_equal(pg.top, 9);
	keys(&pg, "\033[5~");			/* PgUp */
	assert_int_equal(pg.top, 4);
	keys(&pg, "\033[1~");			/* Home */
	assert_int_equal(pg.top, 0);
	keys(&pg, "\033OA");			/* up at the top, xterm's spelling */
	assert_int_equal(pg.top, 0);
	keys(&pg, "/KERNEL\r");			/* case-insensitive, from the top */
	assert_int_equal(pg.match, 7);
	assert_int_equal(pg.top, 5);
	keys(&pg, "n");
	assert_int_equal(pg.match, 12);
	keys(&pg, "n");				/* wraps around */
	assert_int_equal(pg.match, 7);
	keys(&pg, "/nothing\r");
	assert_non_null(strstr(pg.msg, "not found"));
	keys(&pg, "/ab\x7f\x7f\033");		/* typing, backspace, ESC cancels */
	assert_false(pg.searching);

	s = pager_render(&pg, &len);
	assert_null(memchr(s, '\n', len));
	term_init(&t, 6, 40);
	term_feed(&t, s, len);
	free(s);
	pager_key(&pg, 'x');			/* ends the Esc above */
	assert_int_equal(pager_key(&pg, 'x'), PAGER_NONE);
	assert_int_equal(pager_key(&pg, 'q'), PAGER_QUIT);
	pager_free(&pg);

	/* A text with no final newline and a short screen. */
	pager_init(&pg, "only", NULL, 25, 80);
	assert_int_equal(pg.nlines, 1);
	keys(&pg, "G\033[4~ ");
	assert_int_equal(pg.top, 0);
	s = pager_render(&pg, &len);
	term_init(&t, 25, 80);
	term_feed(&t, s, len);
	assert_string_equal(term_row(&t, 0), "only");
	assert_non_null(strstr(term_row(&t, 24), "lines 1-1 of 1"));
	free(s);
	pager_free(&pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_80x25),
		cmocka_unit_test(test_page_ascii_and_no_disk),
		cmocka_unit_test(test_page_framebuffer),
		cmocka_unit_test(test_page_pass),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_pager),
	};

	return cmocka_run_group_tests_name("screen", tests, NULL, NULL);
}
