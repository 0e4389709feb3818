/* The flight record in the post-mortem's views (tests.postmortem.data.record,
 * written by tools/postmortem/record.c): its rings, its episodes, and in
 * report.html a timeline of the last minutes before the record ends. */
#ifndef VMTRIAGE_VIEW_RECORD_H
#define VMTRIAGE_VIEW_RECORD_H

#include <stdio.h>

#include "lib/json.h"

void record_text(FILE *f, const struct jval *record);
void record_html(FILE *f, const struct jval *record);

#endif
