#include "lib/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

void verdict_init(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void add(struct verdict *v, const char *test, const char *id, int rank, const char *summary, const char *advice)
{
	struct verdict_entry *e;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->e = xrealloc(v->e, (size_t)v->cap * sizeof(*v->e));
	}
	e = &v->e[v->n++];
	e->test = xstrdup(test ? test : "");
	e->id = xstrdup(id ? id : "");
	e->summary = xstrdup(summary ? summary : "");
	e->advice = dup_or_null(advice);
	e->rank = rank;
}

void verdict_add(struct verdict *v, const char *test, const char *id, enum severity sev, const char *summary,
		 const char *advice)
{
	v->counts[sev]++;
	add(v, test, id, (int)sev, summary, advice);
}

void verdict_add_findings(struct verdict *v, const char *test, const struct jval *findings)
{
	for (size_t k = 0; k < json_len(findings); k++) {
		const struct jval *f = json_at(findings, k);
		int s = severity_from_name(json_str(f, "severity", ""));

		if (s < 0)
			continue;
		verdict_add(v, test, json_str(f, "id", ""), (enum severity)s, json_str(f, "summary", ""),
			    json_str(f, "advice", NULL));
	}
}

void verdict_add_error(struct verdict *v, const char *test, const char *reason)
{
	char id[64], summary[400];

	snprintf(id, sizeof(id), "run.check-error.%s", test);
	snprintf(summary, sizeof(summary), "%s could not complete: %s", test, reason);
	add(v, test, id, VERDICT_ERROR, summary, "The result of this check is unknown; its log is in the report folder.");
}

void verdict_write(const struct verdict *v, struct jw *w, enum status status)
{
	static const int order[] = { SEV_FAIL, SEV_WARN, VERDICT_ERROR };
	int shown = 0;

	jw_obj(w, "verdict");
	jw_str(w, "status", status_name(status));
	jw_int(w, "exit_code", status_exit_code(status));
	jw_arr(w, "top");
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (int i = 0; i < v->n && shown < VERDICT_TOP_MAX; i++) {
			const struct verdict_entry *e = &v->e[i];

			if (e->rank != order[o])
				continue;
			shown++;
			jw_obj(w, NULL);
			jw_str(w, "test", e->test);
			jw_str(w, "id", e->id);
			jw_str(w, "severity", e->rank == VERDICT_ERROR ? "error" : severity_name((enum severity)e->rank));
			jw_str(w, "summary", e->summary);
			jw_str(w, "advice", e->advice);
			jw_obj_end(w);
		}
	jw_arr_end(w);
	jw_obj(w, "findings");
	jw_int(w, "fail", v->counts[SEV_FAIL]);
	jw_int(w, "warn", v->counts[SEV_WARN]);
	jw_int(w, "info", v->counts[SEV_INFO]);
	jw_obj_end(w);
	jw_obj_end(w);
}

void verdict_free(struct verdict *v)
{
	for (int i = 0; i < v->n; i++) {
		free(v->e[i].test);
		free(v->e[i].id);
		free(v->e[i].summary);
		free(v->e[i].advice);
	}
	free(v->e);
	memset(v, 0, sizeof(*v));
}
