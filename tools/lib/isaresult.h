/* Reading what `triage isa` measured from its JSON, never from isa's code
 * (a check never includes another): the post-mortem's join, the
 * instruction decoder's verdict and `triage needs --trap` all ask the same
 * two questions through here. */
#ifndef VMTRIAGE_ISARESULT_H
#define VMTRIAGE_ISARESULT_H

#include <stdbool.h>

#include "lib/json.h"

/* The isa check's object in v: v itself (`triage isa -o FILE`) or a
 * report.json's tests.isa; NULL if v holds neither. */
const struct jval *isa_result(const struct jval *v);

/* Whether a data.extensions[].state says the vCPU executes the extension:
 * "ok", or "works-unadvertised" (it runs although CPUID hides it). The one
 * definition of "executes". */
bool isa_state_name_executes(const char *state);

/* 1 if isa found extension ext (its report name, "avx2") executing, 0 if it
 * found it not executing, -1 if it has no result for it. */
int isa_result_executes(const struct jval *isa, const char *ext);

#endif
