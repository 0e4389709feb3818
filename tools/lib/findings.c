#include "lib/findings.h"

#include <ctype.h>
#include <string.h>

const struct finding_def finding_defs[] = {
#define FINDING(id, sev, check, meaning, vm, metal, anchor) { id, SEV_##sev, check, meaning, vm, metal, anchor },
#include "lib/findings.def"
#undef FINDING
};
const int finding_ndefs = sizeof(finding_defs) / sizeof(finding_defs[0]);

/* id is a member of family f ("cpu.wrong-result.%s"): the part before %s,
 * then one word of the report id alphabet. */
static bool member(const char *f, const char *id)
{
	const char *v = strstr(f, "%s");
	size_t n;

	if (!v)
		return false;
	n = (size_t)(v - f);
	if (strncmp(id, f, n) || !id[n])
		return false;
	for (const char *p = id + n; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	return true;
}

const struct finding_def *finding_def(const char *id)
{
	for (int i = 0; id && i < finding_ndefs; i++)
		if (!strcmp(finding_defs[i].id, id) || member(finding_defs[i].id, id))
			return &finding_defs[i];
	return NULL;
}

const char *finding_action(const char *id, bool vm)
{
	const struct finding_def *d = finding_def(id);

	return !d ? NULL : vm ? d->vm : d->metal;
}
