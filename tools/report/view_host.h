/* The views of `triage host`'s result (tests.host of a report): the node,
 * its C-states, the cluster and one row per VM with the command that fixes
 * it. Read from the JSON alone, like every view. */
#ifndef VMTRIAGE_VIEW_HOST_H
#define VMTRIAGE_VIEW_HOST_H

#include <stdio.h>

#include "lib/json.h"

/* report.txt: lines after the check's findings, 80 columns. */
void view_host_text(FILE *f, const struct jval *test);
/* report.html: the check section's detail (tables). */
void view_host_html(FILE *f, const struct jval *test, const char *name);

#endif
