/* Unit tests of the shared readers and helpers in tools/lib: /proc/meminfo,
 * /proc/vmstat and /proc/stat (recorded shapes and hostile numbers), the
 * EDAC counters on a fake /sys, saturating arithmetic, the statistics, the
 * --cpus parser, name tables and the options a check records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakefs.h"
#include "lib/check.h"
#include "lib/cpus.h"
#include "lib/edac.h"
#include "lib/json.h"
#include "lib/mode.h"
#include "lib/procfs.h"
#include "lib/stats.h"
#include "lib/util.h"

#define BIG "9223372036854775807"	 /* INT64_MAX */
#define HUGE "99999999999999999999999" /* beyond it: strtoll saturates */

static void test_saturating(void **state)
{
	(void)state;
	assert_true(sat_add_i64(INT64_MAX, 1) == INT64_MAX);
	assert_true(sat_add_i64(INT64_MIN, -1) == INT64_MIN);
	assert_true(sat_add_i64(40, 2) == 42);
	assert_true(sat_sub_i64(INT64_MIN, 1) == INT64_MIN);
	assert_true(sat_sub_i64(0, INT64_MIN) == INT64_MAX);
	assert_true(sat_sub_i64(50, 8) == 42);
	assert_true(sat_mul_i64(INT64_MAX, 4) == INT64_MAX);
	assert_true(sat_mul_i64(INT64_MIN / 2, 4) == INT64_MIN);
	assert_true(sat_mul_i64(-3, INT64_MAX) == INT64_MIN);
	assert_true(sat_mul_i64(6, 7) == 42);
	assert_true(sat_add_u64(UINT64_MAX, 1) == UINT64_MAX);
}

static void test_meminfo_vmstat(void **state)
{
	struct meminfo mi;
	struct vmstat vs;
	int64_t v;

	(void)state;
	assert_int_equal(meminfo_parse("MemTotal:  1000 kB\nMemFree: 600 kB\nMemAvailable: 700 kB\n"
				       "SwapTotal: 0 kB\nSwapFree: 0 kB\nHugePages_Total: 4\n", &mi), 0);
	assert_true(mi.total_kib == 1000 && mi.avail_kib == 700 && mi.has_avail);
	assert_true(mi.has_swap && mi.has_hugepages && mi.hugepages_total == 4);
	/* A kernel without swap or huge pages lines: known as absent. */
	assert_int_equal(meminfo_parse("MemTotal: 1000 kB\nMemFree: 600 kB\n", &mi), 0);
	assert_false(mi.has_swap);
	assert_false(mi.has_hugepages);
	assert_true(mi.avail_kib == 600);
	/* Numbers beyond int64 saturate (strtoll's ERANGE), never wrap. */
	assert_int_equal(meminfo_parse("MemTotal: " HUGE " kB\nMemFree: -" HUGE " kB\n", &mi), 0);
	assert_true(mi.total_kib == INT64_MAX);
	assert_true(mi.free_kib == 0); /* a negative size is 0 */
	assert_int_equal(meminfo_parse("MemTotal: kB\nMemFree: 1 kB\n", &mi), -1);

	assert_int_equal(vmstat_parse("nr_free_pages 5\npgmajfault 3\nballoon_inflate " BIG "\n", &vs), 0);
	assert_true(vs.pgmajfault == 3 && vs.has_balloon && vs.balloon_inflate == INT64_MAX);
	assert_false(vs.has_nr_balloon);
	assert_false(procfs_field("pgmajfaultX 1\n", "pgmajfault", ' ', &v));
	assert_true(procfs_field("a 1\npgmajfault 7\n", "pgmajfault", ' ', &v) && v == 7);
}

static void test_cpustat(void **state)
{
	static const char stat[] = "cpu  100 5 50 800 50 1 2 3 0 0\n"
				   "cpu0 50 0 25 400 25 0 0 7 0 0\n"
				   "cpu1 50 5 25 400 25 1 2\n"
				   "cpu10 1 2 3\n"
				   "intr 12345\n";
	struct cpustat st;

	(void)state;
	assert_int_equal(cpustat_parse(stat, -1, &st), 0);
	assert_int_equal(st.nfields, 8);
	assert_true(cpustat_total(&st) == 1011);
	assert_true(cpustat_busy(&st) == 1011 - 800 - 50);
	assert_int_equal(cpustat_parse(stat, 0, &st), 0);
	assert_true(st.steal == 7);
	/* An old kernel's line without steal: parsed, and says so. */
	assert_int_equal(cpustat_parse(stat, 1, &st), 0);
	assert_int_equal(st.nfields, 7);
	assert_true(st.steal == 0);
	/* cpu1 is not cpu10, and cpu10's line is too short. */
	assert_int_equal(cpustat_parse(stat, 10, &st), -1);
	assert_int_equal(cpustat_parse(stat, 2, &st), -1);
	assert_int_equal(cpustat_parse("cpu  1 -2 3 4\n", -1, &st), -1);
	/* Huge tick counts: the sum saturates instead of overflowing. */
	assert_int_equal(cpustat_parse("cpu  " BIG " " BIG " " HUGE " 1 " BIG " 0 0 " BIG "\n", -1, &st), 0);
	assert_true(st.system == INT64_MAX);
	assert_true(cpustat_total(&st) == INT64_MAX);
	assert_true(cpustat_busy(&st) == INT64_MAX - 1 - INT64_MAX);
}


static void test_edac(void **state)
{
	char root[] = "/tmp/test_lib_edac_XXXXXX", cmd[300];
	struct edac_mc mc[4];

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(edac_read(root, mc, 4), 0);
	fakefs_put(root, EDAC_MC_DIR "/mc10/ce_count", "1\n");
	fakefs_put(root, EDAC_MC_DIR "/mc10/ue_count", "2\n");
	fakefs_put(root, EDAC_MC_DIR "/mc9/ce_count", BIG "\n");
	fakefs_put(root, EDAC_MC_DIR "/mc9/ue_count", "-5\n");
	fakefs_put(root, EDAC_MC_DIR "/mc9/mc_name", "Skylake Socket#0 IMC#0\n");
	fakefs_put(root, EDAC_MC_DIR "/mc2/mc_name", "no counters\n");
	fakefs_put(root, EDAC_MC_DIR "/power/async", "disabled\n");
	assert_int_equal(edac_read(root, mc, 4), 2);
	/* versionsort order; a controller without ce_count is not one */
	assert_string_equal(mc[0].name, "mc9");
	assert_string_equal(mc[0].mc_name, "Skylake Socket#0 IMC#0");
	assert_string_equal(mc[1].name, "mc10");
	assert_string_equal(mc[1].mc_name, "");
	assert_true(mc[0].ue == 0); /* a negative counter is a broken file */
	assert_true(edac_sum(mc, 2, false) == INT64_MAX);
	assert_true(edac_sum(mc, 2, true) == 2);
	assert_int_equal(edac_read(root, mc, 1), 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_stats(void **state)
{
	const uint64_t odd[] = { 9, 1, 5 }, even[] = { 4, 1, 3, 2 };
	const double f[] = { 3, 1, 2 };
	int64_t x[200];
	struct order_stats s;

	(void)state;
	assert_true(stats_median_u64(odd, 3) == 5);
	assert_true(stats_median_u64(even, 4) == 2.5);
	assert_true(stats_quantile_u64(even, 4, 1) == 4);
	assert_true(stats_quantile(f, 3, 0.25) == 1.5);
	assert_true(stats_quantile(f, 0, 0.5) == 0);
	for (int i = 0; i < 200; i++)
		x[i] = 200 - i; /* 1..200, unsorted */
	order_stats_of(x, 200, &s);
	assert_int_equal(s.n, 200);
	assert_true(s.min == 1 && s.max == 200);
	assert_true(s.p50 == 100 && s.p99 == 198 && s.p999 == 200);
	order_stats_of(x, 0, &s);
	assert_int_equal(s.n, 0);
}

static void test_cpus_select(void **state)
{
	int out[CPUS_MAX], all[CPUS_MAX], n, nall;
	char err[160], list[32];

	(void)state;
	nall = cpus_select(NULL, all, CPUS_MAX, err, sizeof(err));
	assert_true(nall >= 1);
	snprintf(list, sizeof(list), "%d", all[nall - 1]);
	n = cpus_select(list, out, CPUS_MAX, err, sizeof(err));
	assert_int_equal(n, 1);
	assert_int_equal(out[0], all[nall - 1]);
	assert_int_equal(cpu_pin(all[0]), 0);
	/* A CPU this process may not use is named, not dropped. */
	snprintf(list, sizeof(list), "%d,1023", all[0]);
	assert_int_equal(cpus_select(list, out, CPUS_MAX, err, sizeof(err)), -1);
	assert_string_equal(err, "--cpus: CPU 1023 is not online or not allowed for this process");
	assert_int_equal(cpus_select("0-", out, CPUS_MAX, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected a list such as 0-3,8"));
	assert_int_equal(cpus_select(NULL, out, 1, err, sizeof(err)), 1);
	assert_int_equal(cpu_pin(-1), -1);
	/* back to every CPU, for the tests that follow */
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int i = 0; i < nall; i++)
		CPU_SET(all[i], &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void test_names(void **state)
{
	static const char *const names[] = { "pass", NULL, "fail" };

	(void)state;
	assert_int_equal(name_index(names, 3, "fail"), 2);
	assert_int_equal(name_index(names, 3, "warn"), -1);
	assert_int_equal(name_index(names, 3, NULL), -1);
	assert_int_equal(mode_from_name("burnin"), MODE_BURNIN);
	assert_int_equal(mode_from_name("shell"), MODE_SHELL);
	assert_int_equal(mode_from_name("slow"), -1);
	assert_string_equal(mode_name(MODE_STANDARD), "standard");
	assert_string_equal(status_name(ST_SKIP), "skip");
	assert_int_equal(status_from_name("error"), ST_ERROR);
}

/* The JSON a check writes names the options it ran with, typed, and its
 * mode's time limit comes from the dispatcher. */
static void test_check_options(void **state)
{
	static const struct opt opts[] = {
		CHECK_COMMON_OPTS,
		{ "percent", 'p', OPT_PERCENT, "N", "", 1, 100 },
		{ "durations", 'd', OPT_DURLIST, "LIST", "", 0, 0 },
		{ "oom", 0, OPT_FLAG, NULL, "", 0, 0 },
		{ "seed", 0, OPT_INT, "N", "", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, 0, 0 },
	};
	static const int limits[MODE_NCHECK] = { 10, 120, 1200 };
	char out[] = "/tmp/test_lib_check_XXXXXX", err[128], *text;
	char *argv[] = { "mem", "-q", "-o", out, "--mode=standard", "-p", "85%", "--durations=50us,1ms", "--oom", NULL };
	struct optv vals[ARRAY_SIZE(opts)];
	const struct jval *o;
	struct jval *v;
	struct check c;
	size_t len;
	int fd = mkstemp(out);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	check_set_limits(limits);
	assert_int_equal(check_begin(&c, "mem", "test", opts, vals, 9, argv), -1);
	assert_int_equal(c.limit_s, 120);
	assert_int_equal(check_end(&c, -1, NULL), EXIT_PASS);
	text = read_file(out, 1 << 20, &len);
	assert_non_null(text);
	v = json_parse(text, len, err, sizeof(err));
	assert_non_null(v);
	o = json_get(v, "options");
	assert_non_null(o);
	assert_int_equal(o->type, J_OBJ);
	assert_int_equal(o->len, 3); /* mode, output and quiet are the run's */
	assert_true(json_num(o, "percent", 0) == 85);
	assert_string_equal(json_str(o, "durations", ""), "50us,1ms");
	assert_true(json_get(o, "oom")->b);
	assert_null(json_get(o, "seed"));
	json_free(v);
	free(text);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saturating),
		cmocka_unit_test(test_meminfo_vmstat),
		cmocka_unit_test(test_cpustat),
		cmocka_unit_test(test_edac),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_cpus_select),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_check_options),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
