/* triage compare: what the guest lacks, the CPU type advised, the latency
 * and memory advice, 80-column text, JSON, and the loader's errors. The
 * reports are in tests/unit/data/report/ (make-synthetic.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"
#include "compare/compare.h"
#include "report/report.h"

#define DATA "tests/unit/data/report/"

struct pair {
	struct jval *a, *b;
	struct cmp c;
};

static struct jval *load(const char *path)
{
	char err[300];
	struct jval *r = report_load(path, err, sizeof(err));

	if (!r)
		fail_msg("%s", err);
	return r;
}

static struct pair *compare(const char *a, const char *b)
{
	struct pair *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->a = load(a);
	p->b = load(b);
	cmp_build(&p->c, p->a, a, p->b, b);
	return p;
}

static void pair_free(struct pair *p)
{
	json_free(p->a);
	json_free(p->b);
	free(p);
}

static bool only_has(const struct cmp_only *o, const char *name)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->name[i], name))
			return true;
	return false;
}

static const struct cmp_advice *advice(const struct cmp *c, const char *id)
{
	for (int i = 0; i < c->nadv; i++)
		if (!strcmp(c->adv[i].id, id))
			return &c->adv[i];
	return NULL;
}

static char *text_of(const struct cmp *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		cmp_write_json(f, c);
	else
		cmp_write_text(f, c);
	fclose(f);
	return buf;
}

/* The example of the issue: a v3 host, a guest on x86-64-v2-AES. */
static void test_host_v3_guest(void **state)
{
	(void)state;
	struct pair *p = compare(DATA "host-v3.json", DATA "guest-v2aes.json");
	const struct cmp_advice *a = advice(&p->c, "compare.isa-hidden");

	assert_string_equal(p->c.s[0].role, "host");
	assert_string_equal(p->c.s[1].role, "guest");
	assert_true(only_has(&p->c.only[0], "avx2"));
	assert_true(only_has(&p->c.only[0], "fma"));
	assert_true(only_has(&p->c.only[0], "sha-ni"));
	assert_false(only_has(&p->c.only[0], "sse4.2"));
	assert_false(only_has(&p->c.only[0], "aes"));
	assert_false(only_has(&p->c.only[0], "avx512f")); /* the host lacks it too */
	assert_int_equal(p->c.only[1].n, 0);
	assert_non_null(a);
	assert_string_equal(a->severity, "warn");
	assert_non_null(strstr(a->text, "The host has lzcnt, bmi1"));
	assert_non_null(strstr(a->text, "avx2"));
	assert_non_null(strstr(a->text, "but the guest does not: set the VM's CPU type to x86-64-v3 or host"));
	assert_null(strstr(a->text, "AVX-512"));
	assert_non_null(strstr(a->text, "qm set VMID --cpu x86-64-v3"));
	assert_non_null(advice(&p->c, "compare.wake-slower"));
	assert_non_null(strstr(advice(&p->c, "compare.wake-slower")->text, "15.0x slower at p99 on the guest"));
	assert_non_null(advice(&p->c, "compare.mem-fill-slower"));
	assert_null(advice(&p->c, "compare.isa-broken"));
	assert_true(cmp_figure(&p->c, "tests.isa.metrics.level_exec")->v[0] == 3);
	assert_true(cmp_figure(&p->c, "tests.isa.metrics.level_exec")->v[1] == 2);
	pair_free(p);
}

/* An AVX-512 host: v4, with v3 for mixed clusters, and a named model for
 * the extensions no generic type has. Order does not matter. */
static void test_host_v4_guest_swapped(void **state)
{
	(void)state;
	struct pair *p = compare(DATA "guest-v2aes.json", DATA "host-v4.json");
	const struct cmp_advice *a = advice(&p->c, "compare.isa-hidden");

	assert_string_equal(p->c.s[0].role, "guest");
	assert_int_equal(p->c.only[0].n, 0);
	assert_true(only_has(&p->c.only[1], "avx512f"));
	assert_non_null(a);
	assert_non_null(strstr(a->text, "The host has"));
	assert_non_null(strstr(a->text, "x86-64-v4 (x86-64-v3 on a cluster whose other nodes lack AVX-512) or host"));
	/* every SapphireRapids of QEMU 10.0 has TSX, which a report from before
	 * the rtm row cannot vouch for: only host (lib/qemumodels) */
	assert_non_null(strstr(a->text, "are in no generic type: only host passes them"));
	pair_free(p);
}

/* Two runs of one machine: nothing to advise. */
static void test_same_machine(void **state)
{
	(void)state;
	struct pair *p = compare(DATA "kvm-quick-pass.json", DATA "kvm-quick-warn.json");

	assert_string_equal(p->c.s[0].role, "A");
	assert_string_equal(p->c.s[1].role, "B");
	assert_int_equal(p->c.only[0].n + p->c.only[1].n, 0);
	assert_int_equal(p->c.nadv, 0);
	assert_int_equal(p->c.nwake, 4);
	assert_true(p->c.wake[0].idle_us == 50 && p->c.wake[3].idle_us == 100000);
	pair_free(p);
}

/* Broken extensions and a report with nothing but its schema. */
static void test_broken_and_empty(void **state)
{
	(void)state;
	struct pair *p = compare(DATA "kvm-quick-pass.json", DATA "synthetic-full.json");

	assert_true(only_has(&p->c.broken[1], "avx2"));
	assert_true(only_has(&p->c.broken[1], "avx512f"));
	assert_non_null(advice(&p->c, "compare.isa-broken"));
	pair_free(p);

	p = compare(DATA "minimal.json", DATA "kvm-quick-pass.json");
	assert_false(p->c.isa[0]);
	assert_int_equal(p->c.nadv, 0);
	assert_true(cmp_figure(&p->c, "tests.mem.metrics.fill_gibps")->v[1] > 0);
	free(text_of(&p->c, false));
	pair_free(p);
}

static void test_text_80_columns(void **state)
{
	(void)state;
	struct pair *p = compare(DATA "host-v4.json", DATA "guest-v2aes.json");
	char *t = text_of(&p->c, false);
	int lines = 0;

	for (char *line = t; *line; lines++) {
		size_t n = strcspn(line, "\n");

		if (n > 80)
			fail_msg("line %d has %zu columns: %.*s", lines + 1, n, (int)n, line);
		line += n + (line[n] == '\n');
	}
	assert_true(lines > 40);
	assert_non_null(strstr(t, "A = host: pve1, bare metal;"));
	assert_non_null(strstr(t, "B = guest: vm101, KVM;"));
	assert_non_null(strstr(t, "  x86-64 level, executes                    4                2      0.50x\n"));
	assert_non_null(strstr(t, "  closest PVE CPU type         SapphireRapids    x86-64-v2-AES\n"));
	assert_non_null(strstr(t, "1. [warn] The host has"));
	free(t);
	pair_free(p);
}

static void test_json(void **state)
{
	(void)state;
	struct pair *p = compare(DATA "host-v3.json", DATA "guest-v2aes.json");
	char *t = text_of(&p->c, true), err[200];
	struct jval *j = json_parse(t, strlen(t), err, sizeof(err));

	if (!j)
		fail_msg("compare --json is not JSON: %s", err);
	assert_string_equal(json_str(j, "schema", ""), "vmtriage-compare/1");
	assert_string_equal(json_str(json_get(j, "reports")->items[1], "role", ""), "guest");
	assert_int_equal(json_path(j, "isa.a_only")->len, (size_t)p->c.only[0].n);
	assert_int_equal(json_get(j, "advice")->len, 3);
	assert_int_equal(json_get(j, "wake_by_idle")->len, 4);
	assert_true(json_num(json_path(j, "wake_by_idle")->items[0], "idle_us", 0) == 50);
	json_free(j);
	free(t);
	pair_free(p);
}

/* Values from a file: a level far outside 1-4 is no level (not an undefined
 * cast), and of two entries with one name the first counts, as it did
 * before the tables were indexed. */
static void test_levels_and_duplicates(void **state)
{
	(void)state;
	static const char a_text[] =
		"{\"schema\":\"vmtriage/1\",\"tests\":{\"isa\":{\"data\":{\"extensions\":["
		"{\"name\":\"avx2\",\"state\":\"ok\",\"level\":1e30},{\"name\":\"sse2\",\"state\":\"ok\",\"level\":1},"
		"{\"name\":\"bmi2\",\"state\":\"ok\",\"level\":3},{\"name\":\"fma\",\"state\":\"ok\",\"level\":-2147483649}]}}}}";
	static const char b_text[] =
		"{\"schema\":\"vmtriage/1\",\"tests\":{\"isa\":{\"data\":{\"extensions\":["
		"{\"name\":\"sse2\",\"state\":\"ok\"},{\"name\":\"avx2\",\"state\":\"hidden\"},{\"name\":\"bmi2\",\"state\":\"hidden\"},"
		"{\"name\":\"bmi2\",\"state\":\"ok\"},{\"name\":\"fma\",\"state\":\"absent\"}]}}}}";
	struct jval *a = json_parse(a_text, sizeof(a_text) - 1, NULL, 0), *b = json_parse(b_text, sizeof(b_text) - 1, NULL, 0);
	struct cmp *c = calloc(1, sizeof(*c));

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	cmp_build(c, a, "a.json", b, "b.json");
	assert_int_equal(c->only[0].n, 3);
	assert_string_equal(c->only[0].name[0], "avx2");
	assert_int_equal(c->only[0].level[0], 0);
	assert_string_equal(c->only[0].name[1], "bmi2");
	assert_int_equal(c->only[0].level[1], 3);
	assert_int_equal(c->only[0].level[2], 0);
	assert_int_equal(c->only[1].n, 0);
	free(c);
	json_free(a);
	json_free(b);
}

static void test_load_errors(void **state)
{
	(void)state;
	char err[300];
	char *argv_missing[] = { "compare", DATA "kvm-quick-pass.json", DATA "no-such.json", NULL };
	char *argv_one[] = { "compare", DATA "kvm-quick-pass.json", NULL };

	assert_null(report_load(DATA "no-such.json", err, sizeof(err)));
	assert_non_null(strstr(err, "no-such.json: cannot read: No such file or directory"));
	assert_null(report_load(DATA "make-synthetic.py", err, sizeof(err)));
	assert_non_null(strstr(err, "make-synthetic.py: not JSON"));
	assert_null(report_load(DATA "not-a-report.json", err, sizeof(err)));
	assert_non_null(strstr(err, "not a vmtriage/1 report: its schema is \"vmtriage/0\""));
	assert_int_equal(cmd_compare(3, argv_missing), 3);
	assert_int_equal(cmd_compare(2, argv_one), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_v3_guest),
		cmocka_unit_test(test_host_v4_guest_swapped),
		cmocka_unit_test(test_same_machine),
		cmocka_unit_test(test_broken_and_empty),
		cmocka_unit_test(test_text_80_columns),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_levels_and_duplicates),
	};
	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
