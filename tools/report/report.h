/* triage report: a report.json read back, checked and rendered again, and
 * the renderers `triage run` writes report.txt and report.html with. The
 * loader is shared with triage compare.
 *
 * The renderers read the report JSON alone, through lib/json.h's typed
 * accessors: any part may be missing or of another type (a report from
 * another machine or an older vmtriage) and is then shown as not known. */
#ifndef VMTRIAGE_REPORT_H
#define VMTRIAGE_REPORT_H

#include <stddef.h>

#include "lib/json.h"

/* The "schema" member of every report.json; the writer (run) uses it too. */
#define REPORT_SCHEMA_NAME "vmtriage/1"
/* report.json of a long burn-in stays far below this. */
#define REPORT_MAX_BYTES (64 << 20)

/* Reads and parses path ("-": stdin) and checks that it is a vmtriage/1
 * report; a check's own JSON (`triage NAME -o FILE`: "name", "status",
 * "metrics"...) becomes a report of that one check, with its verdict.
 * Returns the parsed report, or NULL with a sentence naming the file in err. */
struct jval *report_load(const char *path, char *err, size_t errlen);

/* Renders report.txt (80 columns) or report.html from the report JSON.
 * The caller frees the result; len is its length. */
char *render_text(const struct jval *report, size_t *len);
char *render_html(const struct jval *report, size_t *len);

#endif
