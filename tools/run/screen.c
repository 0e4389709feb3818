/* The run on a screen: progress lines redrawn in place, then the verdict
 * page. Written for the Linux console first (VGA text 80x25 as Proxmox VE's
 * noVNC shows it, or a framebuffer console of any size) and for any ANSI
 * terminal. See screen.h. */
#include "run/screen.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "lib/findings.h"
#include "lib/util.h"
#include "report/view_postmortem.h"

/* PVE's noVNC shows the VGA text mode: 80x25. */
#define DEFAULT_ROWS 25
#define DEFAULT_COLS 80
/* Wider lines are hard to read; a big framebuffer gets more findings, not
 * longer lines. */
#define MAX_WIDTH 120
/* Redraws of a progress line: at most this often (a VGA console is cheap,
 * a framebuffer console over emulated VGA is not). */
#define REDRAW_NS 250000000LL
#define BAR 20

/* <linux/kd.h>, which musl's headers do not carry: the console font's
 * Unicode map. */
#define GIO_UNIMAP 0x4B66
struct unipair {
	unsigned short unicode, fontpos;
};
struct unimapdesc {
	unsigned short entry_ct;
	struct unipair *entries;
};

static const char *const glyphs_utf8[] = { "→", "█", "░" };
static const char *const glyphs_ascii[] = { "->", "#", "." };
enum { G_ARROW, G_FULL, G_EMPTY };

static const char *glyph(bool unicode, int g)
{
	return unicode ? glyphs_utf8[g] : glyphs_ascii[g];
}

int screen_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The byte offset of column col in s (or its end). */
static size_t col_offset(const char *s, int col)
{
	size_t i = 0;

	for (int c = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == col)
			break;
	}
	return i;
}

/* See screen.h. */
int screen_wrap(const char *text, int width, int maxlines, char lines[][256], size_t linesize)
{
	int n = 0, col = 0;
	const char *p = text;

	if (maxlines < 1 || width < 8 || linesize > 256)
		return 0;
	lines[0][0] = '\0';
	for (;;) {
		char word[256];
		size_t wlen;
		int wcols;

		p += strspn(p, " \n\t");
		if (!*p)
			break;
		wlen = strcspn(p, " \n\t");
		snprintf(word, sizeof(word), "%.*s", (int)(wlen < sizeof(word) ? wlen : sizeof(word) - 1), p);
		p += wlen;
		/* A word wider than the line (a long path): cut, there is no
		 * other way to show it. */
		word[col_offset(word, width)] = '\0';
		wcols = screen_cols(word);
		if (col && col + 1 + wcols > width) {
			if (n + 1 >= maxlines) {
				/* No room: "..." after the last whole word that fits. */
				char *l = lines[n];

				while (screen_cols(l) + 3 > width) {
					char *sp = strrchr(l, ' ');

					if (!sp)
						break;
					*sp = '\0';
				}
				strncat(l, "...", linesize - strlen(l) - 1);
				return n + 1;
			}
			lines[++n][0] = '\0';
			col = 0;
		}
		if (col) {
			strncat(lines[n], " ", linesize - strlen(lines[n]) - 1);
			col++;
		}
		strncat(lines[n], word, linesize - strlen(lines[n]) - 1);
		col += wcols;
	}
	return col ? n + 1 : n;
}

/* "→" becomes "->" where the font lacks it. */
static void fit_glyphs(const char *in, bool unicode, char *out, size_t size)
{
	size_t o = 0;
	const char *arrow = glyphs_utf8[G_ARROW];

	for (; *in && o + 3 < size; in++) {
		if (!unicode && !strncmp(in, arrow, strlen(arrow))) {
			out[o++] = '-';
			out[o++] = '>';
			in += strlen(arrow) - 1;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static const struct looks looks_table[] = {
	{ "pass", "\033[1;37;42m", "\033[1;32m", "no problem found" },
	/* Bright white on the VGA's brown: black on it is hard to read. */
	{ "warn", "\033[1;37;43m", "\033[1;33m", "problems worth fixing" },
	{ "fail", "\033[1;37;41m", "\033[1;31m", "problems that explain instability" },
	{ "error", "\033[1;37;45m", "\033[1;35m", "a check could not complete" },
	{ "skip", "\033[1;37;44m", "\033[1;34m", "skipped" },
};

const struct looks *looks_of(const char *status)
{
	for (size_t i = 0; i < ARRAY_SIZE(looks_table); i++)
		if (!strcmp(looks_table[i].status, status))
			return &looks_table[i];
	return &looks_table[3];
}

/* Columns that s takes on screen: escape sequences take none. */
static int visible_cols(const char *s)
{
	int n = 0;

	while (*s) {
		if (*s == '\033') {
			s++;
			while (*s && !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == ']'))
				s++;
			if (*s)
				s++;
			continue;
		}
		n += ((unsigned char)*s++ & 0xc0) != 0x80;
	}
	return n;
}

/* Moves to row r and writes text, then clears the rest of the row in the
 * current colours (so a bar spans the width without writing into the last
 * column). A full row is not cleared: after its last column the Linux
 * console's cursor still sits on it, and the clear would erase it. */
static void put_row(FILE *f, int r, int cols, const char *ansi, const char *text)
{
	fprintf(f, "\033[%d;1H%s%s", r, ansi ? ansi : "", text);
	if (visible_cols(text) < cols)
		fputs("\033[K", f);
	if (ansi)
		fputs("\033[0m", f);
}

static void row(FILE *f, int r, int cols, const char *ansi, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void row(FILE *f, int r, int cols, const char *ansi, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_row(f, r, cols, ansi, buf);
}

/* What is shown for a finding: its action, or its advice's first sentence. */
static void action_of(const struct jval *t, bool vm, bool unicode, char *out, size_t size)
{
	const char *a = finding_action(json_str(t, "id", ""), vm);
	char buf[512];

	if (a) {
		fit_glyphs(a, unicode, out, size);
		return;
	}
	a = json_str(t, "advice", "");
	snprintf(buf, sizeof(buf), "%s", a);
	for (char *s = buf; *s; s++)
		if (s[0] == '.' && (s[1] == ' ' || !s[1])) {
			s[1] = '\0';
			break;
		}
	fit_glyphs(buf, unicode, out, size);
}

char *screen_page(const struct jval *rep, const struct page_opts *o, size_t *len)
{
	const struct jval *verdict = json_get(rep, "verdict"), *top = json_get(verdict, "top");
	const struct jval *disk = json_get(rep, "report_disk"), *run = json_get(rep, "run");
	const struct jval *sys = json_get(rep, "system"), *tests = json_get(rep, "tests");
	const struct jval *vmv = json_get(json_get(sys, "hypervisor"), "vm");
	const struct jval *written = json_get(disk, "written"), *dev = json_get(disk, "device");
	const char *st = json_str(verdict, "status", "error");
	const struct looks *lk = looks_of(st);
	int rows = o->rows > 0 ? o->rows : DEFAULT_ROWS, cols = o->cols > 0 ? o->cols : DEFAULT_COLS;
	int width = cols < MAX_WIDTH ? cols : MAX_WIDTH, r = 1, foot, sumlines = rows >= 40 ? 3 : 2;
	bool vm = json_is_true(vmv), c = o->color;
	char *buf = NULL, up[16], line[512], text[1024], wrapped[8][256];
	FILE *f = open_memstream(&buf, len);
	int nfoot, nw, shown = 0, ntop = json_is(top, J_ARR) ? (int)json_len(top) : 0;
	char foot_lines[8][256];

	if (!f)
		dief("out of memory");
	fprintf(f, "\033[0m\033[H\033[J");

	/* Title, verdict bar, the checks. */
	{
		/* The title: as many of its parts as fit, each whole. */
		char parts[5][80];
		const char *utc = json_str(run, "started_utc", "?");

		snprintf(parts[0], sizeof(parts[0]), "vmtriage %s", json_str(json_get(rep, "tool"), "version", "?"));
		snprintf(parts[1], sizeof(parts[1]), "%s triage", json_str(run, "mode", "?"));
		snprintf(parts[2], sizeof(parts[2]), "%s%s",
			 vm ? json_str(json_get(sys, "hypervisor"), "name", "?") : "bare metal", vm ? " guest" : "");
		/* 2026-11-28T05:44:12Z as 2026-11-28 05:44 UTC */
		snprintf(parts[3], sizeof(parts[3]), "%.10s %.5s UTC", utc, strlen(utc) > 11 ? utc + 11 : "");
		snprintf(parts[4], sizeof(parts[4]), "machine %s", json_str(rep, "machine_id", "?"));
		line[0] = '\0';
		for (int i = 0; i < 5; i++)
			if (screen_cols(line) + 2 + screen_cols(parts[i]) <= width)
				str_append(line, sizeof(line), "  ", "%s", parts[i]);
		row(f, r++, cols, NULL, "%s", line);
	}
	r++;
	snprintf(line, sizeof(line), "  VERDICT: %s - %s", str_upper(st, up, sizeof(up)), lk->words);
	row(f, r++, cols, c ? lk->bar : NULL, "%s", line);
	r++;
	snprintf(text, sizeof(text), "Checks:");
	for (size_t i = 0; json_is(tests, J_OBJ) && i < json_len(tests); i++) {
		const char *ts = json_str(json_at(tests, i), "status", "?");
		char item[160];

		snprintf(item, sizeof(item), "   %s %s%s%s", json_key(tests, i), c ? looks_of(ts)->tag : "",
			 str_upper(ts, up, sizeof(up)), c ? "\033[0m" : "");
		if (visible_cols(text) + visible_cols(item) > width)
			break;
		strncat(text, item, sizeof(text) - strlen(text) - 1);
	}
	put_row(f, r, cols, NULL, text);
	r += 2;

	/* The footer, from the bottom up: keys, a blank row, the report. */
	if (json_is_true(written)) {
		snprintf(text, sizeof(text), "Report written to %s/ on %s (label %s): report.txt, report.html, report.json.",
			 json_str(disk, "path", "?"), json_str(disk, "device", "?"), json_str(disk, "label", "?"));
	} else if (!strcmp(json_str(disk, "target", ""), "none")) {
		snprintf(text, sizeof(text), "Report in %s/: report.txt, report.html, report.json (no report disk requested).",
			 json_str(run, "out_dir", "?"));
	} else if (dev && dev->type == J_STR) {
		snprintf(text, sizeof(text), "Report NOT written to %s (%s); it is in %s/ until power-off.", dev->str,
			 json_str(disk, "error", "?"), json_str(run, "out_dir", "?"));
	} else {
		snprintf(text, sizeof(text),
			 "Report only in %s/, lost at power-off: no report disk. To keep it, attach a disk with "
			 "a FAT filesystem labelled TRIAGE (scripts/report-disk triage.img; on the PVE host "
			 "`qm importdisk VMID triage.img STORAGE`, then Hardware %s Unused Disk %s Add) and boot again.",
			 json_str(run, "out_dir", "?"), glyph(o->unicode, G_ARROW), glyph(o->unicode, G_ARROW));
	}
	nfoot = screen_wrap(text, width, 4, foot_lines, sizeof(foot_lines[0]));
	foot = rows - 1 - nfoot;
	for (int i = 0; i < nfoot; i++)
		row(f, foot + i, cols, NULL, "%s", foot_lines[i]);
	/* The previous boots, read from the suspect system's disks: one line
	 * above where the report went. */
	postmortem_screen_line(line, sizeof(line), json_path(rep, "tests.postmortem"));
	if (line[0]) {
		line[col_offset(line, width)] = '\0';
		row(f, --foot, cols, NULL, "%s", line);
	}
	if (o->keys) {
		snprintf(line, sizeof(line), "%s", o->keys);
		line[col_offset(line, width - 1)] = '\0';
		row(f, rows, cols, c ? "\033[7m" : NULL, "%s", line);
	}

	/* The findings, as many as fit between; the rest are in the report. */
	if (!ntop) {
		row(f, r, cols, NULL, "%s", !strcmp(st, "pass") ? "Nothing to fix was found." : "No finding to show.");
	}
	for (int k = 0; k < ntop; k++) {
		const struct jval *t = json_at(top, k);
		const char *sev = json_str(t, "severity", "?");
		char lead[32], act[400];
		int na, need, room = foot - 1 - r - (k + 1 < ntop ? 1 : 0);

		snprintf(lead, sizeof(lead), "%d. %s", k + 1, str_upper(sev, up, sizeof(up)));
		fit_glyphs(json_str(t, "summary", ""), o->unicode, text, sizeof(text));
		nw = screen_wrap(text, width - 9, sumlines, wrapped, sizeof(wrapped[0]));
		action_of(t, vm, o->unicode, act, sizeof(act));
		snprintf(line, sizeof(line), "%s %s", glyph(o->unicode, G_ARROW), act);
		na = screen_wrap(line, width - 6, 2, wrapped + nw, sizeof(wrapped[0]));
		need = nw + na;
		if (need > room)
			break;
		for (int i = 0; i < nw; i++) {
			if (i == 0)
				row(f, r, cols, NULL, "%s%s%s%*s%s", c ? looks_of(sev)->tag : "", lead, c ? "\033[0m" : "",
				    9 - screen_cols(lead), "", wrapped[i]);
			else
				row(f, r, cols, NULL, "%9s%s", "", wrapped[i]);
			r++;
		}
		for (int i = 0; i < na; i++)
			row(f, r++, cols, c ? "\033[1;36m" : NULL, "%*s%s", i ? 8 : 6, "", wrapped[nw + i]);
		shown++;
		if (r < foot - 1)
			r++;
	}
	if (shown < ntop) {
		snprintf(line, sizeof(line), "%d more finding%s in the report: press [v] to read it.", ntop - shown,
			 ntop - shown == 1 ? "" : "s");
		row(f, foot - 2 >= r ? foot - 2 : r, cols, NULL, "%s", line);
	}
	/* Park the cursor on the last row: hidden under the keys, shown for
	 * a shell prompt that follows on a terminal. */
	fprintf(f, "\033[%d;1H\033[?25%c", rows, o->keys ? 'l' : 'h');
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}

/* ---- the screen during the run ---- */

static bool is_utf8_locale(void)
{
	const char *v = getenv("LC_ALL");

	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strstr(v, "UTF-8") || strstr(v, "utf8"));
}

/* Whether the console's font maps every glyph we draw. The Linux console
 * maps Unicode through the font's table (GIO_UNIMAP); the VGA's code page
 * 437 font has them all, a font loaded later may not. Not a console: the
 * locale says. */
static bool has_glyphs(int fd)
{
	static const unsigned short want[] = { 0x2192, 0x2588, 0x2591 };
	struct unimapdesc d = { 0 };
	struct unipair *p = NULL;
	int found = 0;
	bool got = false;

	/* The kernel says ENOMEM when the table is larger than the buffer. */
	for (unsigned ct = 512; !got && ct <= 65535; ct *= 2) {
		free(p);
		p = calloc(ct, sizeof(*p));
		if (!p)
			return false;
		d.entry_ct = (unsigned short)ct;
		d.entries = p;
		if (ioctl(fd, GIO_UNIMAP, &d) == 0) {
			got = true;
		} else if (errno != ENOMEM) {
			free(p);
			return errno == ENOTTY || errno == EINVAL ? is_utf8_locale() : false;
		}
	}
	if (!got) {
		free(p);
		return false;
	}
	for (size_t w = 0; w < ARRAY_SIZE(want); w++)
		for (unsigned i = 0; i < d.entry_ct; i++)
			if (p[i].unicode == want[w]) {
				found++;
				break;
			}
	free(p);
	return found == (int)ARRAY_SIZE(want);
}

int screen_open(struct screen *s, const char *path, bool color)
{
	struct winsize ws = { 0 };

	memset(s, 0, sizeof(*s));
	s->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (s->fd < 0)
		return -1;
	if (ioctl(s->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row >= 10 && ws.ws_col >= 40) {
		s->page.rows = ws.ws_row;
		s->page.cols = ws.ws_col;
	} else {
		s->page.rows = DEFAULT_ROWS;
		s->page.cols = DEFAULT_COLS;
	}
	s->page.color = color;
	s->page.unicode = has_glyphs(s->fd);
	return 0;
}

void screen_close(struct screen *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void screen_write(struct screen *s, const char *buf, size_t len)
{
	size_t done = 0;

	while (s->fd >= 0 && done < len) {
		ssize_t w = write(s->fd, buf + done, len - done);

		if (w > 0)
			done += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else
			screen_close(s);
	}
}

static void screen_printf(struct screen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void screen_printf(struct screen *s, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	if (s->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	screen_write(s, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Rows: 1 title, 3.. the checks, then notes. */
#define CHECK_ROW(i) (3 + (i))

static void check_line(struct screen *s, int i, const char *text)
{
	char line[512];

	snprintf(line, sizeof(line), "%s", text);
	line[col_offset(line, s->page.cols - 1)] = '\0';
	screen_printf(s, "\033[%d;1H%s\033[K", CHECK_ROW(i), line);
}

void screen_begin(struct screen *s, const char *title, const char *const *names, int n)
{
	char line[256];

	if (s->fd < 0)
		return;
	s->nchecks = n < SCREEN_MAX_CHECKS ? n : SCREEN_MAX_CHECKS;
	/* No blanking: the verdict must still be there when someone looks. */
	screen_printf(s, "\033[0m\033[H\033[J\033[?25l\033[9;0]");
	snprintf(line, sizeof(line), "%s", title);
	line[col_offset(line, s->page.cols - 1)] = '\0';
	screen_printf(s, "\033[1;1H%s%s%s", s->page.color ? "\033[1m" : "", line, s->page.color ? "\033[0m" : "");
	for (int i = 0; i < s->nchecks; i++) {
		snprintf(s->names[i], sizeof(s->names[i]), "%s", names[i]);
		snprintf(line, sizeof(line), "  %-7s waiting", names[i]);
		check_line(s, i, line);
	}
	s->note_row = CHECK_ROW(s->nchecks) + 1;
}

void screen_note(struct screen *s, const char *text)
{
	char lines[4][256];
	int n;

	if (s->fd < 0)
		return;
	n = screen_wrap(text, s->page.cols - 1, 4, lines, sizeof(lines[0]));
	for (int i = 0; i < n && s->note_row < s->page.rows; i++)
		screen_printf(s, "\033[%d;1H%s\033[K", s->note_row++, lines[i]);
}

void screen_progress(struct screen *s, int i, double frac, double elapsed, const char *left, const char *what,
		     bool force)
{
	char line[512], bar[BAR * 4 + 1] = "";
	int64_t now = now_ns();
	int fill;

	if (s->fd < 0 || i < 0 || i >= s->nchecks || (!force && now - s->last_draw < REDRAW_NS))
		return;
	s->last_draw = now;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	fill = (int)(frac * BAR + 0.5);
	for (int k = 0; k < BAR; k++)
		strcat(bar, glyph(s->page.unicode, k < fill ? G_FULL : G_EMPTY));
	snprintf(line, sizeof(line), "  %-7s %s %3.0f%%  %3.0f s  %-13s %s", s->names[i], bar, frac * 100, elapsed,
		 left ? left : "", what ? what : "");
	/* What the check says it does: whole words only. */
	if (screen_cols(line) > s->page.cols - 1) {
		char *sp;

		line[col_offset(line, s->page.cols - 1)] = '\0';
		if ((sp = strrchr(line, ' ')) != NULL)
			*sp = '\0';
	}
	check_line(s, i, line);
}

void screen_done(struct screen *s, int i, const char *status, double seconds, const char *reason)
{
	char line[512], up[16], tail[300];

	if (s->fd < 0 || i < 0 || i >= s->nchecks)
		return;
	snprintf(tail, sizeof(tail), "%.1f s%s%s", seconds, reason && *reason ? "  " : "", reason ? reason : "");
	tail[col_offset(tail, s->page.cols - 17)] = '\0';
	snprintf(line, sizeof(line), "  %-7s %s%-5s%s  %s", s->names[i], s->page.color ? looks_of(status)->tag : "",
		 str_upper(status, up, sizeof(up)), s->page.color ? "\033[0m" : "", tail);
	screen_printf(s, "\033[%d;1H%s\033[K", CHECK_ROW(i), line);
}
