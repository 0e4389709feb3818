/* A check's view: what report.html and report.txt know about one check
 * beyond the parts every check has (status, reason, findings, and the
 * metrics shown by key and raw value).
 *
 * One view file a check (view_NAME.c) defines `const struct check_view
 * NAME_view`, and one row in report/views.def plugs it in. A check without
 * a view is still rendered, generically. */
#ifndef VMTRIAGE_REPORT_VIEW_H
#define VMTRIAGE_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/json.h"
#include "report/html.h"

struct check_view {
	const char *name;		/* the key below "tests" */
	const struct field *metrics;	/* labels and units of tests.NAME.metrics */
	size_t nmetrics;
	/* report.html: what follows the key figures and the findings; name is
	 * the key below "tests", for the data-path of every figure. */
	void (*html)(FILE *f, const struct jval *test, const char *name);
	/* report.txt: lines below the check's status line; NULL: none. */
	void (*text)(FILE *f, const struct jval *test);
};

/* report.txt's html_not_known: when v is present but neither null nor of
 * type want, a line after lead (newlines at its start come first) saying
 * that the part at path is not known, and true. */
bool text_not_known(FILE *f, const char *lead, const struct jval *v, enum jtype want, const char *path);

/* The view of check name, or NULL. */
const struct check_view *check_view_find(const char *name);

#define VIEW(name) extern const struct check_view name##_view;
#include "report/views.def"
#undef VIEW

#endif
