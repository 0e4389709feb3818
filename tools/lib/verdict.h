/* verdict.top and verdict.findings of a report: one builder for `triage
 * run` (the checks of the run and the kernel log) and `triage report` (a
 * check's JSON alone wrapped as a report), so both put the same findings
 * first. Failures before warnings, each in the order they were added (the
 * checks in table order, then the kernel log), then the checks that could
 * not complete; informational findings are counted, never listed. */
#ifndef VMTRIAGE_VERDICT_H
#define VMTRIAGE_VERDICT_H

#include "lib/check.h"
#include "lib/json.h"

/* docs/report.md and the schema's verdict.top maxItems: at most ten. */
#define VERDICT_TOP_MAX 10

struct verdict_entry {
	char *test, *id, *summary, *advice;
	int rank;		/* SEV_* of a finding, or VERDICT_ERROR */
};
#define VERDICT_ERROR 3

struct verdict {
	struct verdict_entry *e;
	int n, cap;
	int counts[3];		/* findings by severity */
};

void verdict_init(struct verdict *v);
/* One finding (strings copied). */
void verdict_add(struct verdict *v, const char *test, const char *id, enum severity sev, const char *summary,
		 const char *advice);
/* Every finding of a check's "findings" array. */
void verdict_add_findings(struct verdict *v, const char *test, const struct jval *findings);
/* A check that could not complete: run.check-error.TEST. */
void verdict_add_error(struct verdict *v, const char *test, const char *reason);
/* Writes the "verdict" object: status, exit code, top, counts. */
void verdict_write(const struct verdict *v, struct jw *w, enum status status);
void verdict_free(struct verdict *v);

#endif
