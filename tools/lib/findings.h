/* The catalogue of finding ids (lib/findings.def): what each means, its
 * worst severity, the check that confirms it, the one action a person
 * takes in PVE's words, and where docs/ explains it. Read by the verdict
 * screen, the kernel-log rules, the post-mortem and the unit tests, without
 * including the check that raises the finding. */
#ifndef VMTRIAGE_FINDINGS_H
#define VMTRIAGE_FINDINGS_H

#include <stdbool.h>

#include "lib/check.h"

struct finding_def {
	const char *id;		/* exact, or a family: "cpu.wrong-result.%s" */
	enum severity sev;	/* the worst it is written with */
	const char *check;	/* the check that confirms it, or NULL */
	const char *meaning;
	const char *vm;		/* the action in a virtual machine (PVE's words) */
	const char *metal;	/* on bare metal; NULL: none */
	const char *anchor;	/* "findings.md#isa" */
};
extern const struct finding_def finding_defs[];
extern const int finding_ndefs;

/* The row of id (a family's when id is one of its members), or NULL. */
const struct finding_def *finding_def(const char *id);
/* The action for finding id in a VM or on bare metal, or NULL. */
const char *finding_action(const char *id, bool vm);

#endif
