/* The one action a person takes for a finding, as data (lib/actions.def):
 * read by the verdict screen, and by any view that wants it, without
 * including the check that raised the finding. */
#ifndef VMTRIAGE_ACTIONS_H
#define VMTRIAGE_ACTIONS_H

#include <stdbool.h>

struct finding_action {
	const char *id;		/* exact, or a family when it ends in '.' */
	const char *vm;		/* in a virtual machine (PVE's own words) */
	const char *metal;	/* on bare metal; NULL: none */
};
extern const struct finding_action finding_actions[];
extern const int finding_nactions;

/* The action for finding id in a VM or on bare metal, or NULL. */
const char *finding_action(const char *id, bool vm);

#endif
