/* A full-screen pager for the console; see pager.h. The keys are those of
 * the Linux console's keymap (ESC [ A..D for arrows, ESC [ 5~ and 6~ for
 * PgUp and PgDn, ESC [ 1~ and 4~ for Home and End) and of xterm-like
 * terminals (ESC O A, ESC [ H, ESC [ F), plus less's letters. */
#include "lib/pager.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static int body_rows(const struct pager *pg)
{
	return pg->rows > 2 ? pg->rows - 1 : 1;
}

static int last_top(const struct pager *pg)
{
	int t = pg->nlines - body_rows(pg);

	return t > 0 ? t : 0;
}

static void scroll_to(struct pager *pg, int top)
{
	if (top > last_top(pg))
		top = last_top(pg);
	pg->top = top < 0 ? 0 : top;
}

void pager_init(struct pager *pg, const char *text, const char *name, int rows, int cols)
{
	size_t cap = 64;

	memset(pg, 0, sizeof(*pg));
	pg->text = text;
	pg->name = name;
	pg->rows = rows >= 3 ? rows : 25;
	pg->cols = cols >= 20 ? cols : 80;
	pg->match = -1;
	pg->start = xmalloc(cap * sizeof(*pg->start));
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');

		if ((size_t)pg->nlines == cap) {
			cap *= 2;
			pg->start = xrealloc(pg->start, cap * sizeof(*pg->start));
		}
		pg->start[pg->nlines++] = (size_t)(p - text);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void pager_free(struct pager *pg)
{
	free(pg->start);
	pg->start = NULL;
	pg->nlines = 0;
}

static size_t line_len(const struct pager *pg, int i)
{
	return strcspn(pg->text + pg->start[i], "\n");
}

/* Case-insensitive search of line i for q; the offset or -1. */
static long find_in_line(const struct pager *pg, int i, const char *q)
{
	const char *l = pg->text + pg->start[i];
	size_t n = line_len(pg, i), ql = strlen(q);

	for (size_t k = 0; ql && k + ql <= n; k++)
		if (strncasecmp(l + k, q, ql) == 0)
			return (long)k;
	return -1;
}

/* The next line with a match, after (dir 1) or before (dir -1) from,
 * wrapping around the end. */
static void search(struct pager *pg, int from, int dir)
{
	if (!pg->last[0] || !pg->nlines)
		return;
	for (int k = 1; k <= pg->nlines; k++) {
		int i = ((from + dir * k) % pg->nlines + pg->nlines) % pg->nlines;

		if (find_in_line(pg, i, pg->last) >= 0) {
			pg->match = i;
			/* The match a few lines below the top, for context. */
			scroll_to(pg, i - 2);
			return;
		}
	}
	pg->match = -1;
	snprintf(pg->msg, sizeof(pg->msg), "not found: %.60s", pg->last);
}

static enum pager_result search_key(struct pager *pg, unsigned char c)
{
	size_t n = strlen(pg->query);

	if (c == '\r' || c == '\n') {
		pg->searching = false;
		if (n)
			memcpy(pg->last, pg->query, sizeof(pg->last));
		search(pg, pg->top - 1, 1);
	} else if (c == 0x1b || c == 0x03 || c == 0x07) {
		pg->searching = false;
	} else if (c == 0x7f || c == 0x08) {
		if (n)
			pg->query[n - 1] = '\0';
	} else if (c >= 0x20 && n + 1 < sizeof(pg->query)) {
		pg->query[n] = (char)c;
		pg->query[n + 1] = '\0';
	} else {
		return PAGER_NONE;
	}
	return PAGER_REDRAW;
}

/* A complete escape sequence: ESC [ or ESC O, then its bytes in seq. */
static enum pager_result sequence(struct pager *pg)
{
	static const struct {
		const char *seq;
		char key;
	} keys[] = {
		{ "A", 'k' }, { "B", 'j' }, { "5~", 'b' }, { "6~", ' ' },
		{ "1~", 'g' }, { "H", 'g' }, { "7~", 'g' }, { "4~", 'G' }, { "F", 'G' }, { "8~", 'G' },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(pg->seq, keys[i].seq))
			return pager_key(pg, (unsigned char)keys[i].key);
	return PAGER_NONE;
}

enum pager_result pager_key(struct pager *pg, unsigned char c)
{
	int top = pg->top, page = body_rows(pg);

	if (pg->esc == 1) {
		pg->esc = c == '[' || c == 'O' ? 2 : 0;
		pg->seqlen = 0;
		pg->seq[0] = '\0';
		if (pg->esc)
			return PAGER_NONE;
		if (pg->searching)
			pg->searching = false;
		return PAGER_REDRAW;
	}
	if (pg->esc == 2) {
		if (pg->seqlen + 1 < (int)sizeof(pg->seq)) {
			pg->seq[pg->seqlen++] = (char)c;
			pg->seq[pg->seqlen] = '\0';
		}
		/* A sequence ends with a letter or '~'. */
		if (isalpha(c) || c == '~') {
			pg->esc = 0;
			return sequence(pg);
		}
		if (pg->seqlen + 1 >= (int)sizeof(pg->seq))
			pg->esc = 0;
		return PAGER_NONE;
	}
	if (c == 0x1b) {
		/* A lone Esc key sends just this byte: it cancels a search. */
		pg->esc = 1;
		if (pg->searching) {
			pg->searching = false;
			return PAGER_REDRAW;
		}
		return PAGER_NONE;
	}
	if (pg->searching)
		return search_key(pg, c);
	pg->msg[0] = '\0';
	switch (c) {
	case 'q': case 'Q': return PAGER_QUIT;
	case 'j': case '\r': case '\n': scroll_to(pg, top + 1); break;
	case 'k': scroll_to(pg, top - 1); break;
	case ' ': case 'f': scroll_to(pg, top + page); break;
	case 'b': scroll_to(pg, top - page); break;
	case 'g': case '<': scroll_to(pg, 0); break;
	case 'G': case '>': scroll_to(pg, last_top(pg)); break;
	case '/':
		pg->searching = true;
		pg->query[0] = '\0';
		break;
	case 'n': search(pg, pg->match >= 0 ? pg->match : pg->top - 1, 1); break;
	case 'N': search(pg, pg->match >= 0 ? pg->match : pg->top, -1); break;
	default: return PAGER_NONE;
	}
	return PAGER_REDRAW;
}

char *pager_render(const struct pager *pg, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int page = body_rows(pg), end = pg->top + page < pg->nlines ? pg->top + page : pg->nlines;
	char status[256];

	if (!f)
		dief("out of memory");
	fprintf(f, "\033[0m\033[?25l");
	for (int r = 0; r < page; r++) {
		int i = pg->top + r;

		fprintf(f, "\033[%d;1H", r + 1);
		if (i < pg->nlines) {
			const char *l = pg->text + pg->start[i];
			size_t n = line_len(pg, i);
			long m = pg->last[0] ? find_in_line(pg, i, pg->last) : -1;
			int col = 0;

			/* Columns, not bytes: a UTF-8 character is one. */
			for (size_t k = 0; k < n && col < pg->cols; k++) {
				unsigned char ch = (unsigned char)l[k];

				if (m >= 0 && k == (size_t)m)
					fputs("\033[7m", f);
				if ((ch & 0xc0) != 0x80)
					col++;
				fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
				if (m >= 0 && k + 1 == (size_t)m + strlen(pg->last))
					fputs("\033[0m", f);
			}
			fputs("\033[0m", f);
			/* A full row is not cleared: the Linux console's cursor
			 * stays on its last column, which the clear would erase. */
			if (col >= pg->cols)
				continue;
		}
		fputs("\033[K", f);
	}
	if (pg->searching)
		snprintf(status, sizeof(status), "/%s", pg->query);
	else if (pg->msg[0])
		snprintf(status, sizeof(status), " %s   (press a key)", pg->msg);
	else
		snprintf(status, sizeof(status), " %s  lines %d-%d of %d   arrows PgUp PgDn  /search  n next  q back",
			 pg->name ? pg->name : "", pg->nlines ? pg->top + 1 : 0, end, pg->nlines);
	status[pg->cols - 1 < (int)sizeof(status) ? pg->cols - 1 : (int)sizeof(status) - 1] = '\0';
	fprintf(f, "\033[%d;1H\033[7m%s\033[K\033[0m", pg->rows, status);
	if (pg->searching)
		fprintf(f, "\033[?25h");
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}
