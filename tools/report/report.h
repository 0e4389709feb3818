/* triage report: a report.json read back, checked and rendered again.
 * The loader is shared with triage compare. */
#ifndef VMTRIAGE_REPORT_H
#define VMTRIAGE_REPORT_H

#include <stddef.h>

#include "lib/json.h"

#define REPORT_SCHEMA_NAME "vmtriage/1"
/* report.json of a long burn-in stays far below this. */
#define REPORT_MAX_BYTES (64 << 20)

/* Reads and parses path ("-": stdin) and checks that it is a vmtriage/1
 * report. Returns the parsed report, or NULL with a sentence naming the
 * file in err. */
struct jval *report_load(const char *path, char *err, size_t errlen);

#endif
