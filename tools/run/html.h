/* report.html: the report for a browser, a phone's included.
 *
 * One self-contained HTML5 file (inline CSS and SVG, no script, nothing
 * fetched) rendered from the report JSON alone, like report.txt. Every key
 * figure carries its JSON path and its raw value (data-path, data-value,
 * and data-scale when shown in other units) so that tests compare the page
 * with report.json exactly. */
#ifndef VMTRIAGE_HTML_H
#define VMTRIAGE_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "lib/json.h"

/* Renders report.html; any part of the report may be missing. The caller
 * frees the result. */
char *render_html(const struct jval *report, size_t *len);

/* Writes s for HTML text or a quoted attribute: & < > " ' as entities,
 * control characters other than tab and newline as U+FFFD. */
void html_escape(FILE *f, const char *s);

/* v as report.json spells it (lib/json.c's jw_num rule), for data-value. */
void html_raw_number(char *buf, size_t size, double v);

#endif
