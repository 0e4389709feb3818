#include "lib/actions.h"

#include <string.h>

const struct finding_action finding_actions[] = {
#define ACTION(id, vm, metal) { id, vm, metal },
#include "lib/actions.def"
#undef ACTION
};
const int finding_nactions = sizeof(finding_actions) / sizeof(finding_actions[0]);

const char *finding_action(const char *id, bool vm)
{
	for (int i = 0; id && i < finding_nactions; i++) {
		const struct finding_action *a = &finding_actions[i];
		size_t n = strlen(a->id);

		if (a->id[n - 1] == '.' ? strncmp(id, a->id, n) == 0 : strcmp(id, a->id) == 0)
			return vm ? a->vm : a->metal;
	}
	return NULL;
}
