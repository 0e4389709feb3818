/* report.html: the report for a browser, a phone's included.
 *
 * One self-contained HTML5 file (inline CSS and SVG, no script, nothing
 * fetched) rendered from the report JSON alone, like report.txt. Every key
 * figure carries its JSON path and its raw value (data-path, data-value,
 * and data-scale when shown in other units) so that tests compare the page
 * with report.json exactly.
 *
 * This header is the kit the page (page.c), the findings (findings.c) and
 * the views of the checks (view_*.c) write with. */
#ifndef VMTRIAGE_REPORT_HTML_H
#define VMTRIAGE_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/json.h"

#define DP_RAW (-1)	/* show a number exactly as report.json has it */

/* Writes s for HTML text or a quoted attribute: & < > " ' as entities,
 * control characters other than tab and newline as U+FFFD. */
void html_escape(FILE *f, const char *s);

/* Escaped printf, for text built from report strings. */
void html_textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report text between two pieces of markup. */
void html_el(FILE *f, const char *open, const char *text, const char *close);

/* v as report.json spells it (lib/json.c's jw_num rule), for data-value. */
void html_raw_number(char *buf, size_t size, double v);

/* One value in element tag: a number with its path and raw value, a
 * string escaped, a boolean as yes/no, a dash for null, absent, an array
 * or an object. Shown as value / scale with dp decimals. */
void html_value(FILE *f, const char *tag, const struct jval *v, const char *path, int dp, double scale);

/* A number of the report inline, tagged (path base.key), then text after it. */
void html_inline_fig(FILE *f, const struct jval *o, const char *key, const char *base, int dp, const char *after);

/* A labelled figure: where it is below a parent object, and how to show it. */
struct field {
	const char *label;
	const char *key;	/* dot path below the parent */
	int dp;			/* decimals shown, or DP_RAW */
	double scale;		/* shown = value / scale; 0: 1 */
	const char *unit;
};

const struct field *html_field_find(const struct field *t, size_t n, const char *key);

/* A status or severity as a CSS class (bg-pass, ...); unknown ones look skipped. */
const char *html_status_class(const char *s);
void html_badge(FILE *f, const char *status);

/* When v is present but neither null nor of type want: a note that the
 * part at path is not known (report.json has another type there), and
 * true. A reader of reports from other machines shows that rather than
 * nothing, a wrong "none", or a crash. Null is absent, as the writer means it. */
bool html_not_known(FILE *f, const struct jval *v, enum jtype want, const char *path);

/* The strings of an array joined by commas, "?" for other elements, "none"
 * for an empty or missing array. */
void html_names(FILE *f, const struct jval *arr);

/* ---- findings.c ---- */

/* A finding card. item is a finding or a verdict.top entry; full is the
 * finding with its evidence (may be NULL), at path; test names the check
 * in the card's id line (NULL: none). */
void html_finding_card(FILE *f, const char *test, const struct jval *item, const struct jval *full,
		       const char *path);

/* The "What to look at first" section: verdict.top as finding cards. */
void html_top_findings(FILE *f, const struct jval *rep);

#endif
