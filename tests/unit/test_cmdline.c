/* The kernel command line: triage.* options, quoting, and the problems bad
 * options become (never a failure). Also the option-table parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cmdline.h"
#include "lib/opts.h"

static void test_defaults(void **state)
{
	(void)state;
	struct triage_cmdline c;

	cmdline_parse("BOOT_IMAGE=/boot/vmlinuz console=ttyS0 quiet", &c);
	assert_int_equal(c.mode, MODE_QUICK);
	assert_int_equal(c.after, AFTER_WAIT);
	assert_false(c.exit_isa_debug);
	assert_string_equal(c.report, "auto");
	assert_int_equal(c.ntests, 0);
	assert_int_equal(c.nknobs, 0);
	assert_int_equal(c.nproblems, 0);
}

static void test_all_options(void **state)
{
	(void)state;
	struct triage_cmdline c;

	cmdline_parse("console=tty0 triage.mode=standard triage.after=poweroff triage.exit=isa-debug-exit "
		      "triage.report=LABEL=MYDISK triage.tests=isa,wake triage.mem.percent=85 "
		      "triage.wake.durations=\"50us,1ms\" triage.timelimit=20s triage.fault=hang:mem",
		      &c);
	assert_int_equal(c.nproblems, 0);
	assert_int_equal(c.mode, MODE_STANDARD);
	assert_int_equal(c.after, AFTER_POWEROFF);
	assert_true(c.exit_isa_debug);
	assert_string_equal(c.report, "LABEL=MYDISK");
	assert_int_equal(c.ntests, 2);
	assert_string_equal(c.tests[1], "wake");
	assert_int_equal(c.nknobs, 2);
	assert_string_equal(c.knobs[0].check, "mem");
	assert_string_equal(c.knobs[0].name, "percent");
	assert_string_equal(c.knobs[0].value, "85");
	assert_string_equal(c.knobs[1].value, "50us,1ms");
	assert_true(c.timelimit_ns == 20000000000LL);
	assert_string_equal(c.fault_kind, "hang");
	assert_string_equal(c.fault_check, "mem");
}

static void test_bad_options_become_problems(void **state)
{
	(void)state;
	struct triage_cmdline c;

	cmdline_parse("triage.mode=fast triage.after=dance triage.exit=acpi triage.report=/etc/passwd "
		      "triage.tests=isa,,mem triage.bogus=1 triage.novalue triage.empty= triage.timelimit=0 "
		      "triage.fault=melt:isa triage.report=/dev/../etc",
		      &c);
	assert_int_equal(c.nproblems, 12); /* triage.report twice is one more */
	/* defaults stay in force */
	assert_int_equal(c.mode, MODE_QUICK);
	assert_int_equal(c.after, AFTER_WAIT);
	assert_false(c.exit_isa_debug);
	assert_string_equal(c.report, "auto");
	assert_int_equal(c.ntests, 0);
	assert_non_null(strstr(c.problems[0], "triage.mode=fast"));
	assert_non_null(strstr(c.problems[5], "triage.bogus"));
}

/* Time limits are bounded, and the message says the bound. */
static void test_timelimit_bounds(void **state)
{
	(void)state;
	struct triage_cmdline c;

	cmdline_parse("triage.timelimit=3000000000", &c);
	assert_int_equal(c.nproblems, 1);
	assert_true(c.timelimit_ns == 0);
	assert_string_equal(c.problems[0], "triage.timelimit=3000000000: expected a duration from 1s to 168h; ignored");
	cmdline_parse("triage.timelimit=1e10", &c);
	assert_true(c.timelimit_ns == 0);
	assert_string_equal(c.problems[0], "triage.timelimit=1e10: expected a duration from 1s to 168h; ignored");
	cmdline_parse("triage.timelimit=0.5s", &c);
	assert_string_equal(c.problems[0], "triage.timelimit=0.5s: expected a duration from 1s to 168h; ignored");
	cmdline_parse("triage.timelimit=168h", &c);
	assert_int_equal(c.nproblems, 0);
	assert_true(c.timelimit_ns == CMDLINE_TIMELIMIT_MAX_S * 1000000000LL);
}

/* A single-value option given twice is a problem (the last one counts). */
static void test_repeated_options(void **state)
{
	(void)state;
	struct triage_cmdline c;

	cmdline_parse("triage.mode=standard triage.mem.percent=50 triage.mode=burnin triage.mem.percent=85 "
		      "triage.wake.percent=50",
		      &c);
	assert_int_equal(c.mode, MODE_BURNIN);
	assert_int_equal(c.nproblems, 2);
	assert_string_equal(c.problems[0], "triage.mode=burnin: given more than once; the last one counts");
	assert_string_equal(c.problems[1], "triage.mem.percent=85: given more than once; the last one counts");
	assert_int_equal(c.nknobs, 2);
	assert_string_equal(c.knobs[0].value, "85");
	assert_string_equal(c.knobs[1].check, "wake");
}

static void test_long_and_many(void **state)
{
	(void)state;
	struct triage_cmdline c;
	char line[8192] = "";

	for (int i = 0; i < CMDLINE_MAX_KNOBS + 3; i++) {
		char w[64];

		snprintf(w, sizeof(w), "triage.mem.k%d=%d ", i, i);
		strcat(line, w);
	}
	strcat(line, "triage.mem.x=");
	memset(line + strlen(line), 'a', 600);
	cmdline_parse(line, &c);
	assert_int_equal(c.nknobs, CMDLINE_MAX_KNOBS);
	assert_int_equal(c.nproblems, 4); /* three over the limit, one too long */
}

static void test_report_targets(void **state)
{
	(void)state;
	assert_true(report_target_valid("auto"));
	assert_true(report_target_valid("none"));
	assert_true(report_target_valid("LABEL=TRIAGE"));
	assert_true(report_target_valid("UUID=1234-ABCD"));
	assert_true(report_target_valid("/dev/sdb1"));
	assert_false(report_target_valid("LABEL="));
	assert_false(report_target_valid("/dev/"));
	assert_false(report_target_valid("/tmp/x"));
	assert_false(report_target_valid("sdb"));
}

static const struct opt table[] = {
	{ "flag", 'f', OPT_FLAG, NULL, "a flag", 0, 0 },
	{ "count", 'n', OPT_INT, "N", "a count", 1, 100 },
	{ "percent", 0, OPT_PERCENT, "P", "a share", 1, 95 },
	{ "hold", 0, OPT_DURATION, "D", "a time", 1000, 3600000000000LL },
	{ "chunk", 0, OPT_SIZE, "S", "a size", 4096, 0x7fffffffffffLL },
	{ "durations", 0, OPT_DURLIST, "LIST", "times", 1000, 10000000000LL },
	{ "kind", 'k', OPT_CHOICE, "a|bb|c", "a choice", 0, 0 },
	{ 0 },
};

static void test_opt_parse(void **state)
{
	(void)state;
	struct optv v[8] = { 0 };
	char err[200];
	char *argv[] = { "x", "-f", "--count=7", "--percent", "85%", "--hold=1.5s", "--chunk=64M",
			 "--durations=50us,1ms,20ms", "-k", "bb", "rest", NULL };
	int pos = opt_parse(table, v, 11, argv, err, sizeof(err));

	assert_int_equal(pos, 10);
	assert_true(v[0].set);
	assert_true(v[1].num == 7);
	assert_true(v[2].num == 85);
	assert_true(v[3].num == 1500000000LL);
	assert_true(v[4].num == 64LL << 20);
	assert_int_equal(v[5].nlist, 3);
	assert_true(v[5].list[0] == 50000 && v[5].list[2] == 20000000);
	assert_string_equal(v[6].str, "bb");
}

static void test_opt_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"--count=0", "--count=x", "--count=101", "--percent=96", "--percent=5x", "--hold=1x", "--hold=-1s",
		"--hold=2h", "--chunk=1K", "--chunk=12Q", "--durations=", "--durations=1ms,,2ms", "--kind=d",
		"--nope", "-z", "--flag=2", "--count",
	};
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct optv v[8] = { 0 };
		char *argv[] = { "x", (char *)bad[i], NULL };

		if (opt_parse(table, v, 2, argv, err, sizeof(err)) >= 0)
			fail_msg("accepted %s", bad[i]);
		assert_true(strlen(err) > 5);
	}
}

static void test_format_duration(void **state)
{
	(void)state;
	char b[32];

	format_duration(b, sizeof(b), 150000);
	assert_string_equal(b, "150us");
	format_duration(b, sizeof(b), 2500000);
	assert_string_equal(b, "2.5ms");
	format_duration(b, sizeof(b), 3000000000LL);
	assert_string_equal(b, "3s");
	format_duration(b, sizeof(b), 999);
	assert_string_equal(b, "999ns");
}

/* The same option given another way (triage run --tests) goes through the
 * same checks, without being turned into command-line text first. */
static void test_cmdline_set(void **state)
{
	struct triage_cmdline c;

	(void)state;
	cmdline_parse("", &c);
	cmdline_set(&c, "tests", "isa,wake");
	assert_int_equal(c.ntests, 2);
	assert_string_equal(c.tests[1], "wake");
	assert_int_equal(c.nproblems, 0);
	cmdline_set(&c, "tests", "isa mem");
	assert_int_equal(c.ntests, 0);
	assert_int_equal(c.nproblems, 1);
	assert_non_null(strstr(c.problems[0], "expected a comma list"));
	cmdline_set(&c, "mode", "shell");
	assert_int_equal(c.mode, MODE_SHELL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_bad_options_become_problems),
		cmocka_unit_test(test_timelimit_bounds),
		cmocka_unit_test(test_repeated_options),
		cmocka_unit_test(test_long_and_many),
		cmocka_unit_test(test_report_targets),
		cmocka_unit_test(test_opt_parse),
		cmocka_unit_test(test_opt_errors),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_cmdline_set),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
