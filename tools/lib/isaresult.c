#include "lib/isaresult.h"

#include <string.h>

const struct jval *isa_result(const struct jval *v)
{
	const struct jval *t;

	if (json_arr(json_obj(v, "data"), "extensions"))
		return v;
	t = json_obj(json_obj(v, "tests"), "isa");
	return json_arr(json_obj(t, "data"), "extensions") ? t : NULL;
}

bool isa_state_name_executes(const char *state)
{
	return state && (!strcmp(state, "ok") || !strcmp(state, "works-unadvertised"));
}

int isa_result_executes(const struct jval *isa, const char *ext)
{
	const struct jval *exts = json_arr(json_obj(isa_result(isa), "data"), "extensions");

	for (size_t i = 0; i < json_len(exts); i++) {
		const struct jval *e = json_at(exts, i);
		const char *st;

		if (strcmp(json_str(e, "name", ""), ext))
			continue;
		st = json_str(e, "state", "");
		if (isa_state_name_executes(st))
			return 1;
		return !strcmp(st, "untested") || !st[0] ? -1 : 0;
	}
	return -1;
}
