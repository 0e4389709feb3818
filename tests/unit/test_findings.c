/* The catalogue of finding ids (tools/lib/findings.def) against everything
 * that names an id: the kernel-log rules and the post-mortem's prev.* ids
 * made from them, the report schema's id list, docs/findings.md's anchors,
 * and every finding the report fixtures and the checks' recorded outputs
 * hold (tests/unit/data/). A missing row fails with its id named, so adding
 * a finding without its row, or a row without its action, cannot pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "lib/findings.h"
#include "lib/json.h"
#include "lib/kmsg.h"
#include "lib/util.h"

#define DEF "tools/lib/findings.def"

static void test_rows(void **state)
{
	(void)state;
	for (int i = 0; i < finding_ndefs; i++) {
		const struct finding_def *d = &finding_defs[i];
		const char *v = strstr(d->id, "%s");

		for (const char *p = d->id; *p; p++)
			if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr(".-_%", *p))
				fail_msg(DEF ": id '%s' holds '%c'", d->id, *p);
		if (!strchr(d->id, '.'))
			fail_msg(DEF ": id '%s' has no check prefix ('cpu.', 'prev.', ...)", d->id);
		if (v && (v == d->id || v[-1] != '.' || v[2]))
			fail_msg(DEF ": family '%s': the variable part is a last word, '.%%s'", d->id);
		if (d->sev >= SEV_WARN && !d->vm)
			fail_msg(DEF ": %s is %s but has no action for a VM", d->id, severity_name(d->sev));
		if (!d->meaning || !d->meaning[0])
			fail_msg(DEF ": %s has no meaning", d->id);
		if (!d->anchor || strncmp(d->anchor, "findings.md#", 12))
			fail_msg(DEF ": %s: the docs anchor is findings.md#SECTION", d->id);
		if (d->check && !command_find(d->check))
			fail_msg(DEF ": %s: confirmed by '%s', which is no command", d->id, d->check);
		for (int j = 0; j < i; j++)
			if (!strcmp(finding_defs[j].id, d->id))
				fail_msg(DEF ": %s has two rows", d->id);
	}
	/* Families take their members, and only them. */
	assert_string_equal(finding_def("cpu.advertised-but-faults.avx2")->id, "cpu.advertised-but-faults.%s");
	assert_string_equal(finding_def("run.check-error.burnin")->id, "run.check-error.%s");
	assert_null(finding_def("cpu.advertised-but-faults."));
	assert_null(finding_def("cpu.advertised-but-faults.AVX2"));
	assert_null(finding_def("no.such"));
	assert_null(finding_def(NULL));
}

/* Every rule of the kernel-log table is a row, and so is the prev.* id the
 * post-mortem makes of it ("prev." and the part after the rule's dot), with
 * the same confirming check and a severity at least the rule's (SIGILL
 * raises a prev.signal to fail). */
static void test_kmsg_rules(void **state)
{
	(void)state;
	for (int r = 0; r < kmsg_nrules; r++) {
		const char *id = kmsg_rules[r].id;
		const struct finding_def *k = finding_def(id), *p;
		char prev[64];

		if (!k)
			fail_msg(DEF ": no row for the kernel-log rule %s (lib/kmsg.c)", id);
		snprintf(prev, sizeof(prev), "prev.%s", strchr(id, '.') + 1);
		p = finding_def(prev);
		if (!p)
			fail_msg(DEF ": no row for %s, the post-mortem's id of the rule %s", prev, id);
		if ((k->check == NULL) != (p->check == NULL) || (k->check && strcmp(k->check, p->check)))
			fail_msg(DEF ": %s and %s name different checks", id, prev);
		if (p->sev < k->sev)
			fail_msg(DEF ": %s is less grave than %s", prev, id);
		assert_int_equal(kmsg_rule_sev(r), k->sev);
	}
}

/* schema/report.schema.json's $defs.finding_id is the catalogue's list. */
static void test_schema_list(void **state)
{
	size_t len;
	char *text = read_file("schema/report.schema.json", 1 << 22, &len), err[200];
	struct jval *s;
	const struct jval *any, *en, *pat;
	int exact = 0;

	(void)state;
	assert_non_null(text);
	s = json_parse(text, len, err, sizeof(err));
	assert_non_null(s);
	any = json_arr(json_obj(json_obj(s, "$defs"), "finding_id"), "anyOf");
	if (json_len(any) != 2)
		fail_msg("schema/report.schema.json has no $defs.finding_id: run scripts/findings-schema");
	en = json_arr(json_at(any, 0), "enum");
	pat = json_get(json_at(any, 1), "pattern");
	assert_non_null(en);
	assert_non_null(pat);
	for (int i = 0; i < finding_ndefs; i++) {
		const char *id = finding_defs[i].id;
		bool found = false;

		if (strstr(id, "%s")) {
			char fam[80];

			snprintf(fam, sizeof(fam), "%.*s", (int)(strstr(id, ".%s") - id), id);
			for (char *c = strchr(fam, '.'); c; c = strchr(c + 2, '.')) {
				memmove(c + 1, c, strlen(c) + 1);
				*c = '\\';
			}
			if (!strstr(pat->str, fam))
				fail_msg("schema/report.schema.json: family %s is not in $defs.finding_id: run "
					 "scripts/findings-schema", id);
			continue;
		}
		exact++;
		for (size_t j = 0; j < json_len(en) && !found; j++)
			found = !strcmp(json_at(en, j)->str, id);
		if (!found)
			fail_msg("schema/report.schema.json: %s is not in $defs.finding_id: run scripts/findings-schema", id);
	}
	if ((int)json_len(en) != exact)
		fail_msg("schema/report.schema.json lists %zu ids, " DEF " %d: run scripts/findings-schema",
			 json_len(en), exact);
	json_free(s);
	free(text);
}

/* docs/findings.md has a section for every anchor. */
static void test_anchors(void **state)
{
	size_t len;
	char *doc = read_file("docs/findings.md", 1 << 20, &len);

	(void)state;
	assert_non_null(doc);
	for (int i = 0; i < finding_ndefs; i++) {
		char head[80];

		snprintf(head, sizeof(head), "\n## %s\n", strchr(finding_defs[i].anchor, '#') + 1);
		if (!strstr(doc, head))
			fail_msg("docs/findings.md has no section '## %s' (the anchor of %s)",
				 strchr(finding_defs[i].anchor, '#') + 1, finding_defs[i].id);
	}
	free(doc);
}

static int nchecked;

/* Every object with an id, a severity and a summary is a finding (or a
 * verdict.top entry): its id has a row, its severity is not graver. */
static void walk(const char *file, const struct jval *v)
{
	const char *id = json_str(v, "id", NULL), *sev = json_str(v, "severity", NULL);

	if (v->type == J_OBJ && id && sev && json_get(v, "summary")) {
		const struct finding_def *d = finding_def(id);
		int s = severity_from_name(sev);

		if (!d)
			fail_msg("%s: finding id '%s' has no row in " DEF, file, id);
		if (strcmp(sev, "error") && s > (int)d->sev)
			fail_msg("%s: %s is written %s, graver than its row in " DEF " (%s)", file, id, sev,
				 severity_name(d->sev));
		nchecked++;
	}
	if (v->type == J_OBJ || v->type == J_ARR)
		for (size_t i = 0; i < v->len; i++)
			walk(file, v->items[i]);
}

static void walk_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[600], err[200];
		struct stat st;
		size_t len;
		char *text;
		struct jval *v;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			/* Inputs made wrong on purpose. */
			if (strcmp(e->d_name, "mistyped"))
				walk_dir(path);
			continue;
		}
		if (strlen(e->d_name) < 5 || strcmp(e->d_name + strlen(e->d_name) - 5, ".json"))
			continue;
		text = read_file(path, 64 << 20, &len);
		v = text ? json_parse(text, len, err, sizeof(err)) : NULL;
		if (v)
			walk(path, v);
		json_free(v);
		free(text);
	}
	closedir(d);
}

static void test_recorded_ids(void **state)
{
	(void)state;
	walk_dir("tests/unit/data");
	/* The fixtures do hold findings: a walk that saw none tested nothing. */
	assert_true(nchecked > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_kmsg_rules),
		cmocka_unit_test(test_schema_list),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_recorded_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
