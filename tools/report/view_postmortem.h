/* The post-mortem's views: the timeline of the previous boots in
 * report.txt and report.html, and its line on the verdict screen. Each
 * takes the check's object from report.json (tests.postmortem). */
#ifndef VMTRIAGE_VIEW_POSTMORTEM_H
#define VMTRIAGE_VIEW_POSTMORTEM_H

#include <stddef.h>
#include <stdio.h>

#include "lib/json.h"

void postmortem_text(FILE *f, const struct jval *test);
void postmortem_html(FILE *f, const struct jval *test, const char *name);
/* "Previous boots: 3 read, 1 ended without a shutdown; 6 events, 2 traps"
 * (or "; 4 of 5 traps: CPU type" when isa says the vCPU lacks what they
 * needed). Empty
 * when the check did not run or found no boot. */
void postmortem_screen_line(char *buf, size_t size, const struct jval *test);

#endif
