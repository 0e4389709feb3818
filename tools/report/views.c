/* The one table of the checks' views (rows in report/views.def). */
#include "report/view.h"

#include <string.h>

#include "lib/util.h"

static const struct check_view *const check_views[] = {
#define VIEW(name) &name##_view,
#include "report/views.def"
#undef VIEW
};

const struct check_view *check_view_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(check_views); i++)
		if (!strcmp(check_views[i]->name, name))
			return check_views[i];
	return NULL;
}
