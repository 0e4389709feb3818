/* Unit tests of triage burnin: stress-ng's YAML and log lines (recorded and
 * written-by-hand files in tests/unit/data/burnin/), the stressor plan for
 * honest and lying CPUs, the health readers on a fake /sys and /proc, the
 * findings they lead to, and the series kept for the chart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakefs.h"
#include "burnin/burnin.h"
#include "burnin/command.h"
#include "commands.h"
#include "lib/util.h"
#include "schema.h"

#define DATA "tests/unit/data/burnin/"

static char *slurp(const char *name)
{
	char *t = read_file(name, 1 << 20, NULL);

	assert_non_null(t);
	return t;
}

/* ---- YAML ---- */

static void test_yaml_recorded(void **state)
{
	char *text = slurp(DATA "stress-ng-0.15.06.yaml"), err[128];
	struct sng_result r;

	(void)state;
	assert_int_equal(sng_parse_yaml(text, &r, err, sizeof(err)), 0);
	assert_string_equal(r.version, "0.15.06");
	assert_int_equal(r.n, 4);
	assert_string_equal(r.m[0].name, "cpu");
	assert_true(r.m[0].bogo_ops == 5405);
	assert_true(fabs(r.m[0].bogo_ops_per_s - 1079.711648) < 1e-6);
	assert_true(fabs(r.m[0].wall_s - 5.005966) < 1e-6);
	assert_int_equal(r.m[0].max_rss_kib, 6544);
	/* matrix's extra per-method metrics are not bogo-ops */
	assert_string_equal(r.m[1].name, "matrix");
	assert_true(r.m[1].bogo_ops == 13844);
	assert_string_equal(r.m[3].name, "vm");
	assert_true(r.m[3].bogo_ops == 83924);
	assert_true(fabs(r.m[3].sys_s - 0.669520) < 1e-6);
	free(text);
}

static void test_yaml_shapes(void **state)
{
	static const char later[] = "---\n"
				    "system-info:\n"
				    "      stress-ng-version: '0.17.08'\n"
				    "      compiler: 'gcc 13.2.0'\n"
				    "times:\n"
				    "      run-time: 10.0\n"
				    "metrics:\n"
				    "    - stressor: vecfp\n"
				    "      bogo-ops: 12\n"
				    "      bogo-ops-per-second-real-time: 1.2\n"
				    "      new-key-of-a-later-version: 7\n"
				    "\n"
				    "    - stressor: vm\n"
				    "      bogo-ops: 99\n"
				    "vmstat:\n"
				    "    - stressor: not-a-metric\n"
				    "...\n";
	struct sng_result r;
	char err[128];

	(void)state;
	assert_int_equal(sng_parse_yaml(later, &r, err, sizeof(err)), 0);
	assert_string_equal(r.version, "0.17.08");
	assert_int_equal(r.n, 2);
	assert_string_equal(r.m[0].name, "vecfp");
	assert_true(r.m[0].bogo_ops_per_s == 1.2);
	assert_true(r.m[1].bogo_ops == 99);
	/* Killed before the metrics: the caller reports why. */
	assert_int_equal(sng_parse_yaml("---\nsystem-info:\n      stress-ng-version: 0.15.06\n", &r, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no metrics"));
	assert_int_equal(sng_parse_yaml("", &r, err, sizeof(err)), -1);
}

/* Numbers from stress-ng's file are checked before they become integers:
 * 1e30, nan or a negative max-rss is unknown (0), not undefined. */
static void test_yaml_huge_values(void **state)
{
	static const char *const bad[] = { "1e30", "nan", "-inf", "-5", "9.3e18" };
	char text[256], err[128];
	struct sng_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "---\nmetrics:\n    - stressor: vm\n      bogo-ops: %s\n      max-rss: %s\n...\n", bad[i], bad[i]);
		assert_int_equal(sng_parse_yaml(text, &r, err, sizeof(err)), 0);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.m[0].max_rss_kib, 0);
	}
}

/* ---- log lines ---- */

static void test_log_sigill_recorded(void **state)
{
	char *text = slurp(DATA "stress-ng-sigill.log"), *save = NULL;
	int kinds[6] = { 0 };
	struct sng_line l;

	(void)state;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		enum sng_line_kind k = sng_classify(line, &l);

		kinds[k]++;
		if (k == SNG_SIGNAL) {
			assert_int_equal(l.signal, 4);
			assert_string_equal(l.signame, "SIGILL");
			assert_string_equal(l.stressor, ""); /* "[pid] stressor terminated": no name */
		}
	}
	assert_int_equal(kinds[SNG_SIGNAL], 1);
	/* the broken counters that follow the signal are failures, not wrong results */
	assert_int_equal(kinds[SNG_FAILED], 3);
	assert_int_equal(kinds[SNG_MISCOMPARE], 0);
	free(text);
}

static void test_log_verify(void **state)
{
	static const struct {
		const char *start;
		enum sng_line_kind kind;
		const char *stressor;
	} want[] = {
		{ "stress-ng: fail:  [4250] cpu", SNG_MISCOMPARE, "cpu" },
		{ "stress-ng: fail:  [4251] vm", SNG_MISCOMPARE, "vm" },
		{ "stress-ng: fail:  [4253] matrix", SNG_MISCOMPARE, "matrix" },
		{ "stress-ng: fail:  [4254] vm", SNG_FAILED, "vm" },
		{ "stress-ng: info:  [4255] fma", SNG_SKIPPED, "fma" },
		{ "stress-ng: error:", SNG_ERROR, NULL },
		{ "stress-ng: info:  [4242] setting", SNG_OTHER, NULL },
	};
	char *text = slurp(DATA "stress-ng-verify.log"), *save = NULL;
	int matched = 0;

	(void)state;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sng_line l;
		enum sng_line_kind k = sng_classify(line, &l);

		for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
			if (strncmp(line, want[i].start, strlen(want[i].start)) != 0)
				continue;
			assert_int_equal(k, want[i].kind);
			if (want[i].stressor)
				assert_string_equal(l.stressor, want[i].stressor);
			matched++;
		}
	}
	assert_int_equal(matched, (int)ARRAY_SIZE(want));
	free(text);
}

static void test_log_signal_forms(void **state)
{
	struct sng_line l;

	(void)state;
	assert_int_equal(sng_classify("stress-ng: info:  [77] cpu: child died: signal 11 'SIGSEGV' (instance 1)", &l),
			 SNG_SIGNAL);
	assert_int_equal(l.signal, 11);
	assert_string_equal(l.signame, "SIGSEGV");
	assert_string_equal(l.stressor, "cpu");
	assert_int_equal(sng_classify("stress-ng: fail:  [9] vm instance 0 corrupted bogo-ops counter, 1 vs 0", &l),
			 SNG_FAILED);
	assert_string_equal(l.stressor, "vm");
	/* "signal" as a word, with no number, is not a death */
	assert_int_equal(sng_classify("stress-ng: info:  [9] cpu: no signal handler installed", &l), SNG_OTHER);
	assert_int_equal(sng_classify("", &l), SNG_OTHER);
}

/* ---- plan ---- */

static bool planned(const struct sng_plan *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], name))
			return true;
	return false;
}

static void test_plan_honest_cpu(void **state)
{
	struct sng_plan p;
	char err[128], *argv[SNG_MAX_ARGS], bufs[40][32];
	int n;
	bool verify = false, vm_bytes = false;

	(void)state;
	assert_int_equal(sng_plan_make(&p, NULL, 0, NULL, 2, 64 << 20, err, sizeof(err)), 0);
	assert_int_equal(p.n, sng_nstressors);
	assert_true(planned(&p, "cpu") && planned(&p, "vecfp") && planned(&p, "vm"));
	assert_string_equal(p.dropped, "");
	assert_string_equal(p.tunables, "");
	n = sng_argv(&p, "/usr/bin/stress-ng", 60, "/tmp/x.yaml", argv, bufs, 40);
	assert_true(n > 10);
	assert_null(argv[n]);
	assert_string_equal(argv[0], "/usr/bin/stress-ng");
	for (int i = 0; i < n; i++) {
		verify |= !strcmp(argv[i], "--verify");
		if (!strcmp(argv[i], "--vm-bytes")) {
			assert_string_equal(argv[i + 1], "67108864");
			vm_bytes = true;
		}
		if (!strcmp(argv[i], "--timeout"))
			assert_string_equal(argv[i + 1], "60s");
		if (!strcmp(argv[i], "--cpu"))
			assert_string_equal(argv[i + 1], "2");
	}
	assert_true(verify && vm_bytes);
	/* too small a buffer is an error, not an overflow */
	assert_int_equal(sng_argv(&p, "stress-ng", 60, "y", argv, bufs, 2), -1);
}

static void test_plan_lying_cpu(void **state)
{
	const char *bad[] = { "avx2", "aes", "avx512f", "sse4.2", "sse4.2-pcmpstr" };
	struct sng_plan p;
	char err[128];

	(void)state;
	assert_int_equal(sng_plan_make(&p, bad, 5, NULL, 4, 0, err, sizeof(err)), 0);
	/* only the stressor that does not pick code by CPUID */
	assert_int_equal(p.n, 1);
	assert_string_equal(p.names[0], "vm");
	assert_non_null(strstr(p.dropped, "cpu"));
	assert_non_null(strstr(p.dropped, "vecfp"));
	/* glibc is steered off what faults; aes has no glibc dispatch; one SSE4_2 */
	assert_string_equal(p.tunables, "glibc.cpu.hwcaps=-AVX2,-AVX512F,-SSE4_2");
	assert_null(sng_glibc_hwcap("aes"));
}

static void test_plan_user_list(void **state)
{
	struct sng_plan p;
	char err[128];

	(void)state;
	assert_int_equal(sng_plan_make(&p, NULL, 0, "cpu,stream", 1, 0, err, sizeof(err)), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.names[0], "cpu");
	assert_non_null(p.args[0]);
	assert_string_equal(p.names[1], "stream");
	assert_null(p.args[1]); /* stress-ng's own defaults */
	/* a method of the user's choice replaces ours */
	assert_int_equal(sng_plan_make(&p, NULL, 0, "cpu:fft,vm", 1, 0, err, sizeof(err)), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.names[0], "cpu");
	assert_string_equal(p.args[0][0], "--cpu-method");
	assert_string_equal(p.args[0][1], "fft");
	assert_null(p.args[0][2]);
	assert_string_equal(p.args[1][0], "--vm-method");
	assert_int_equal(sng_plan_make(&p, NULL, 0, "cpu:", 1, 0, err, sizeof(err)), -1);
	assert_int_equal(sng_plan_make(&p, NULL, 0, "cpu;reboot", 1, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cpu;reboot"));
	assert_int_equal(sng_plan_make(&p, NULL, 0, "cpu,,vm", 1, 0, err, sizeof(err)), -1);
	assert_int_equal(sng_plan_make(&p, NULL, 0, "", 1, 0, err, sizeof(err)), 0);
	assert_string_equal(sng_exit_meaning(2), "one or more stressors failed");
	assert_string_equal(sng_exit_meaning(-1), "unknown");
}

static void test_str_append(void **state)
{
	char buf[12] = "";

	(void)state;
	str_append(buf, sizeof(buf), ",", "%d", 0);
	str_append(buf, sizeof(buf), ",", "%d", 12);
	assert_string_equal(buf, "0,12");
	str_append(buf, sizeof(buf), ", ", "%s", "abcdefgh"); /* cut at the size */
	assert_string_equal(buf, "0,12, abcde");
	str_append(buf, sizeof(buf), ",", "%s", "x"); /* full: unchanged */
	assert_string_equal(buf, "0,12, abcde");
}

/* ---- health on a fake /sys and /proc ---- */


static const char irq_before[] = "           CPU0       CPU1\n"
				 "  0:         40          0   IO-APIC    2-edge      timer\n"
				 "TRM:          0          0   Thermal event interrupts\n"
				 "THR:          0          0   Threshold APIC interrupts\n"
				 "DFR:          0          0   Deferred Error APIC interrupts\n"
				 "MCE:          0          0   Machine check exceptions\n"
				 "MCP:         12         12   Machine check polls\n";
static const char irq_after[] = "           CPU0       CPU1\n"
				"  0:         40          0   IO-APIC    2-edge      timer\n"
				"TRM:          5          3   Thermal event interrupts\n"
				"THR:          0          0   Threshold APIC interrupts\n"
				"DFR:          0          0   Deferred Error APIC interrupts\n"
				"MCE:          0          1   Machine check exceptions\n"
				"MCP:         13         13   Machine check polls\n";

static void host_tree(const char *r)
{
	fakefs_put(r, "/sys/class/hwmon/hwmon0/name", "coretemp\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon0/temp1_input", "45000\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon0/temp1_label", "Package id 0\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon0/temp1_crit", "100000\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon0/temp2_input", "43000\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon0/temp2_label", "Core 0\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon1/name", "nct6775\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon1/temp7_input", "-128000\n"); /* not connected */
	fakefs_put(r, "/sys/class/hwmon/hwmon2/name", "nvme\n");
	fakefs_put(r, "/sys/class/hwmon/hwmon2/temp1_input", "50000\n"); /* warmer than the idle CPU */
	fakefs_put(r, "/sys/class/thermal/thermal_zone0/type", "x86_pkg_temp\n");
	fakefs_put(r, "/sys/class/thermal/thermal_zone0/temp", "45000\n");
	fakefs_put(r, "/sys/class/thermal/thermal_zone0/trip_point_0_type", "passive\n");
	fakefs_put(r, "/sys/class/thermal/thermal_zone0/trip_point_0_temp", "0\n");
	fakefs_put(r, "/sys/class/thermal/thermal_zone0/trip_point_1_type", "critical\n");
	fakefs_put(r, "/sys/class/thermal/thermal_zone0/trip_point_1_temp", "105000\n");
	for (int cpu = 0; cpu < 2; cpu++) {
		char p[128];

		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/thermal_throttle/core_throttle_count", cpu);
		fakefs_put(r, p, "2\n");
		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/thermal_throttle/core_throttle_total_time_ms", cpu);
		fakefs_put(r, p, "10\n");
		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/thermal_throttle/package_throttle_count", cpu);
		fakefs_put(r, p, "1\n");
		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu);
		fakefs_put(r, p, "0\n");
		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", cpu);
		fakefs_put(r, p, cpu ? "2000000\n" : "3400000\n");
	}
	fakefs_put(r, "/proc/interrupts", irq_before);
	fakefs_put(r, "/proc/stat", "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/ce_count", "0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/ue_count", "0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/mc_name", "Skylake Socket#0 IMC#0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/dimm0/dimm_label", "CPU_SrcID#0_MC#0_Chan#0_DIMM#0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/dimm0/dimm_ce_count", "0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/dimm0/dimm_ue_count", "0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/dimm1/dimm_label", "CPU_SrcID#0_MC#0_Chan#1_DIMM#0\n");
	fakefs_put(r, "/sys/devices/system/edac/mc/mc0/dimm1/dimm_ce_count", "0\n");
}

/* A /dev/kmsg record as the kernel writes it, fed to the health's log. */
static void log_record(struct health *h, const char *text)
{
	char rec[300];
	int n = snprintf(rec, sizeof(rec), "4,1042,93211837,-;%s\n", text);

	kmsg_feed(&h->log, rec, (size_t)n);
}

static const struct opt test_opts[] = { CHECK_COMMON_OPTS, { NULL, 0, 0, NULL, NULL, 0, 0 } };

/* Runs health_findings into a check and returns the check's JSON. */
static struct jval *findings_of(const struct health *h, bool vm)
{
	char out[] = "/tmp/test_burnin_out_XXXXXX", err[128], *text;
	int fd = mkstemp(out);
	char *argv[] = { "burnin", "-q", "-o", out, NULL };
	struct optv vals[ARRAY_SIZE(test_opts)];
	struct check c;
	struct jval *v;
	size_t len;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(check_begin(&c, "burnin", "test", test_opts, vals, 4, argv), -1);
	health_findings(h, vm, &c);
	check_end(&c, -1, NULL);
	text = read_file(out, 1 << 20, &len);
	assert_non_null(text);
	v = json_parse(text, len, err, sizeof(err));
	assert_non_null(v);
	free(text);
	unlink(out);
	return v;
}

static const struct jval *finding(const struct jval *rep, const char *id)
{
	const struct jval *fl = json_get(rep, "findings");

	for (size_t i = 0; fl && i < fl->len; i++)
		if (!strcmp(json_str(fl->items[i], "id", ""), id))
			return fl->items[i];
	return NULL;
}

static void rm_rf(const char *root)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_health_hot_host(void **state)
{
	char root[] = "/tmp/test_burnin_sys_XXXXXX";
	struct health *h = calloc(1, sizeof(*h));
	const struct jval *f, *ev;
	struct jval *rep;

	(void)state;
	assert_non_null(mkdtemp(root));
	host_tree(root);
	health_init(h, root, false);
	/* three hwmon temperatures and the thermal zone; the -128 C input is out */
	assert_int_equal(h->nsensors, 4);
	assert_string_equal(h->s[0].name, "coretemp");
	assert_string_equal(h->s[0].label, "Package id 0");
	assert_true(h->s[0].crit_c == 100.0);
	assert_true(isnan(h->s[1].crit_c));
	assert_string_equal(h->s[2].name, "nvme");
	assert_string_equal(h->s[3].source, "thermal");
	assert_true(h->s[3].crit_c == 105.0);
	/* the line follows the CPU, not the warmer disk */
	assert_true(health_has_cpu_sensor(h));
	assert_true(h->temp_c == 45.0);
	assert_true(h->first.throttle_ok && h->first.irq_ok && h->first.edac_ok);
	/* per-core events over both CPUs, the one package once */
	assert_int_equal(h->first.core_throttle, 4);
	assert_int_equal(h->first.pkg_throttle, 1);
	assert_int_equal(h->first.mce_poll, 24);

	/* under load: hotter, throttled, one machine check, three corrected errors */
	fakefs_put(root, "/sys/class/hwmon/hwmon0/temp1_input", "97000\n");
	fakefs_put(root, "/sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "9\n");
	fakefs_put(root, "/sys/devices/system/cpu/cpu1/thermal_throttle/package_throttle_count", "4\n");
	fakefs_put(root, "/sys/devices/system/cpu/cpu0/thermal_throttle/package_throttle_count", "4\n");
	fakefs_put(root, "/proc/interrupts", irq_after);
	fakefs_put(root, "/proc/stat", "cpu  300 0 50 850 50 0 0 0 0 0\n");
	fakefs_put(root, "/sys/devices/system/edac/mc/mc0/ce_count", "3\n");
	fakefs_put(root, "/sys/devices/system/edac/mc/mc0/dimm0/dimm_ce_count", "3\n");
	log_record(h, "mce: [Hardware Error]: Machine check events logged");
	log_record(h, "EDAC MC0: 3 CE memory read error on CPU_SrcID#0_MC#0_Chan#0_DIMM#0");
	log_record(h, "usb 1-1: new high-speed USB device");
	/* the kernel logs throttling with an "mce:" prefix: not a machine check */
	log_record(h, "mce: CPU0: Package temperature above threshold, cpu clock throttled (total events = 1)");
	health_sample(h, 1.0);
	assert_true(h->temp_c == 97.0);
	assert_true(h->freq_mhz == 2700.0);
	assert_true(h->freq_min_mhz == 2000.0);
	assert_string_equal(h->freq_source, "cpufreq");
	assert_true(fabs(h->busy_pct - 80.0) < 1e-9); /* 200 busy of 250 jiffies */
	assert_int_equal(h->log.hits[kmsg_rule("kernel.mce")].count, 1);
	assert_int_equal(h->log.hits[kmsg_rule("kernel.edac")].count, 1);

	rep = findings_of(h, false);
	assert_string_equal(json_str(rep, "status", ""), "fail");
	f = finding(rep, "hw.thermal-throttle");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "warn"); /* 97 C: near, not at, 100 C */
	ev = json_get(f, "evidence");
	assert_true(json_num(ev, "core_events", 0) == 7);
	assert_true(json_num(ev, "package_events", 0) == 3);
	assert_string_equal(json_str(ev, "sensor", ""), "coretemp Package id 0");
	f = finding(rep, "hw.mce");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "fail"); /* an exception, not only a poll */
	assert_true(json_num(json_get(f, "evidence"), "exceptions", 0) == 1);
	f = finding(rep, "hw.edac-ce");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "warn");
	ev = json_path(f, "evidence.controllers");
	assert_non_null(ev);
	assert_int_equal(ev->len, 1);
	ev = json_get(ev->items[0], "dimms");
	assert_int_equal(ev->len, 1); /* only the DIMM with errors */
	assert_string_equal(json_str(ev->items[0], "label", ""), "CPU_SrcID#0_MC#0_Chan#0_DIMM#0");
	assert_null(finding(rep, "hw.edac-ue"));
	assert_null(finding(rep, "hw.sensors-unavailable"));
	json_free(rep);

	/* at the critical point, and memory lost */
	fakefs_put(root, "/sys/class/hwmon/hwmon0/temp1_input", "100000\n");
	fakefs_put(root, "/sys/devices/system/edac/mc/mc0/ue_count", "1\n");
	fakefs_put(root, "/sys/devices/system/edac/mc/mc0/dimm1/dimm_ue_count", "1\n");
	health_sample(h, 2.0);
	rep = findings_of(h, false);
	assert_string_equal(json_str(finding(rep, "hw.thermal-throttle"), "severity", ""), "fail");
	f = finding(rep, "hw.edac-ue");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "fail");
	json_free(rep);
	free(h);
	rm_rf(root);
}

static void test_health_quiet_and_missing(void **state)
{
	char root[] = "/tmp/test_burnin_sys_XXXXXX";
	struct health *h = calloc(1, sizeof(*h));
	struct jval *rep;
	const struct jval *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	/* a guest: no sensors, no counters, frequency from /proc/cpuinfo */
	fakefs_put(root, "/proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2599.998\n\nprocessor\t: 1\ncpu MHz\t\t: 2400.002\n");
	fakefs_put(root, "/proc/stat", "cpu  1 0 1 10 0 0 0 0 0 0\n");
	health_init(h, root, true);
	assert_int_equal(h->nsensors, 0);
	assert_non_null(strstr(h->no_sensor_reason, "virtual machine"));
	health_sample(h, 1.0);
	assert_string_equal(h->freq_source, "cpuinfo");
	assert_true(fabs(h->freq_mhz - 2500.0) < 1e-9);
	assert_true(isnan(h->temp_c));
	assert_true(isnan(h->busy_pct)); /* no jiffies went by */
	rep = findings_of(h, true);
	assert_string_equal(json_str(rep, "status", ""), "pass");
	f = finding(rep, "hw.sensors-unavailable");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "info");
	assert_int_equal(json_get(rep, "findings")->len, 1);
	json_free(rep);
	{
		/* counters this guest does not have are null, not zero */
		char *buf = NULL, err[128];
		size_t len = 0;
		FILE *mf = open_memstream(&buf, &len);
		struct jw w;

		jw_init(&w, mf, 0);
		jw_obj(&w, NULL);
		health_write_data(h, &w);
		jw_obj_end(&w);
		fclose(mf);
		rep = json_parse(buf, len, err, sizeof(err));
		assert_non_null(rep);
		assert_int_equal(json_path(rep, "health.throttle.core_events")->type, J_NULL);
		assert_int_equal(json_path(rep, "health.mce.exceptions")->type, J_NULL);
		assert_false(json_path(rep, "health.mce.available")->b);
		assert_int_equal(json_path(rep, "health.samples.temp_of")->type, J_NULL);
		assert_int_equal(json_path(rep, "health.samples.freq_mhz")->len, 1);
		json_free(rep);
		free(buf);
	}

	/* bare metal without sensor drivers says so */
	health_init(h, root, false);
	assert_non_null(strstr(h->no_sensor_reason, "no driver"));
	free(h);
	rm_rf(root);
}

/* Counters no machine has (a corrupt or hostile /proc and /sys): sums and
 * differences saturate, with UBSan watching for signed overflow. */
static void test_health_huge_counters(void **state)
{
	char root[] = "/tmp/test_burnin_sys_XXXXXX";
	struct health *h = calloc(1, sizeof(*h));
	struct jval *rep;

	(void)state;
	assert_non_null(mkdtemp(root));
	host_tree(root);
	for (int cpu = 0; cpu < 2; cpu++) {
		char p[128];

		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/thermal_throttle/core_throttle_count", cpu);
		fakefs_put(root, p, "9223372036854775807\n");
		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/thermal_throttle/package_throttle_count", cpu);
		fakefs_put(root, p, "-9223372036854775808\n");
	}
	fakefs_put(root, "/proc/interrupts", "MCE: 9223372036854775807 9223372036854775807 Machine check exceptions\n"
				      "MCP: 99999999999999999999999 1 Machine check polls\n");
	fakefs_put(root, "/proc/stat", "cpu  9223372036854775807 9223372036854775807 1 1 0 0 0 0 0 0\n");
	fakefs_put(root, "/sys/devices/system/edac/mc/mc0/ce_count", "9223372036854775807\n");
	fakefs_put(root, "/sys/devices/system/edac/mc/mc1/ce_count", "9223372036854775807\n");
	health_init(h, root, false);
	assert_true(h->first.core_throttle == INT64_MAX);
	assert_true(h->first.pkg_throttle == 0);
	assert_true(h->first.mce == INT64_MAX);
	assert_true(h->first.mce_poll == INT64_MAX);
	assert_true(h->first.cpu_total == INT64_MAX);
	fakefs_put(root, "/proc/stat", "cpu  0 0 0 0 0 0 0 0 0 0\n");
	fakefs_put(root, "/proc/interrupts", irq_before);
	health_sample(h, 1.0);
	rep = findings_of(h, false);
	assert_non_null(finding(rep, "hw.edac-ce"));
	json_free(rep);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&buf, &len);
		struct jw w;

		jw_init(&w, mf, 0);
		jw_obj(&w, NULL);
		health_write_metrics(h, &w);
		health_write_data(h, &w);
		jw_obj_end(&w);
		fclose(mf);
		assert_non_null(strstr(buf, "\"edac_ce\":0"));
		free(buf);
	}
	free(h);
	rm_rf(root);
}

/* ---- the series ---- */

static void test_series_merges_pairs(void **state)
{
	struct hw_series *s = calloc(1, sizeof(*s));

	(void)state;
	for (int i = 0; i < HW_SERIES_CAP; i++)
		hw_series_add(s, i, 50, 3000, 100);
	assert_int_equal(s->n, HW_SERIES_CAP);
	assert_int_equal(s->stride, 1);
	/* one spike among 1000 more samples stays visible */
	for (int i = HW_SERIES_CAP; i < 1600; i++)
		hw_series_add(s, i, i == 1333 ? 91 : 50, i % 2 ? 2000 : 3000, NAN);
	/* full at 600 and again at 1200: four samples a point, 1600 / 4 */
	assert_int_equal(s->stride, 4);
	assert_int_equal(s->n, 400);
	assert_true(s->t[0] == 0 && s->t[1] == 4);
	double hot = 0;

	for (int i = 0; i < s->n; i++)
		hot = fmax(hot, s->temp[i]);
	assert_true(hot == 91);
	/* pairs of 2000 and 3000 MHz average to 2500; unknown CPU use stays out */
	assert_true(s->freq[s->n - 1] == 2500);
	assert_true(s->busy[0] == 100);
	free(s);
}

/* ---- the JSON `triage burnin` writes, against its schema fragment ----
 *
 * The command's writer (burnin_write) fed as cmd_burnin feeds it after the
 * load, from recorded stress-ng output (the YAML and the logs of
 * tests/unit/data/burnin/) and the health of the fake /sys and /proc above:
 * a bare-metal host with every sampler and failures of each kind, and a
 * guest with the health sampler alone and no YAML at all. The check's JSON
 * must pass schema/checks/burnin.schema.json, and any key of metrics and
 * data renamed must fail it (--every-key). */
static void burnin_json(bool full)
{
	char root[] = "/tmp/test_burnin_sys_XXXXXX", out[] = "/tmp/test_burnin_out_XXXXXX", err[128];
	char *argv[] = { "burnin", "-q", "-o", out, NULL };
	static const char *const bad[] = { "avx512f" };
	static const char wake_json[] =
		"{\"name\":\"wake\",\"status\":\"warn\",\"metrics\":{\"overshoot_p99_worst_us\":812.5,"
		"\"overshoot_max_worst_us\":91000,\"samples\":4000},\"findings\":[{\"id\":\"wake.stall\","
		"\"severity\":\"warn\",\"summary\":\"wake-ups overshoot\",\"evidence\":{\"max_us\":91000},"
		"\"advice\":\"look at the host\"}]}";
	struct optv vals[24]; /* burnin_opts has fewer */
	struct sng_result r = { 0 };
	struct burnin *b = calloc(1, sizeof(*b));
	struct check c;
	int fd = mkstemp(out);
	char *text, *line, *save = NULL;

	assert_non_null(b);
	assert_true(fd >= 0);
	close(fd);
	assert_non_null(mkdtemp(root));
	memset(vals, 0, sizeof(vals));
	assert_int_equal(check_begin(&c, "burnin", "test", burnin_opts, vals, 4, argv), -1);
	b->c = &c;
	b->vm = !full;
	b->samplers = full ? SAMPLE_HEALTH | SAMPLE_ISA | SAMPLE_WAKE : SAMPLE_HEALTH;
	b->duration_ns = 60000000000LL;
	b->interval_ns = 1000000000LL;
	b->isa_pre_status = full ? "warn" : "pass";
	if (full) {
		b->nbad = 1;
		strcpy(b->bad[0], bad[0]);
	}
	assert_int_equal(sng_plan_make(&b->plan, full ? bad : NULL, full ? 1 : 0, NULL, 2, 64 << 20, err, sizeof(err)), 0);
	strcpy(b->sng_path, "/usr/bin/stress-ng");
	strcpy(b->command, "stress-ng --cpu 2 --vm 2 --verify --timeout 60s");
	b->sng_status = full ? 2 : 1;
	b->sng_cpu_s = full ? 118.5 : 0;
	b->self_cpu_s = 0.4;
	text = slurp(full ? DATA "stress-ng-verify.log" : DATA "stress-ng-sigill.log");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		burnin_sng_line(b, line);
	free(text);
	if (full) {
		text = slurp(DATA "stress-ng-0.15.06.yaml");
		assert_int_equal(sng_parse_yaml(text, &r, err, sizeof(err)), 0);
		free(text);
		b->isa_rounds = 3;
		b->isa_rounds_failed = 1;
		b->isa_errors = 1;
		strcpy(b->isa_ids[b->nisa_ids++], "isa.wrong");
		b->wake_result = json_parse(wake_json, strlen(wake_json), err, sizeof(err));
		assert_non_null(b->wake_result);
		b->wake_cpus[b->nwake_cpus++] = 0;
		b->wake_cpus[b->nwake_cpus++] = 1;
		b->wake_budget_ns = 2000000000LL;
	} else {
		b->wake_problem = "not asked for (--samplers health)";
	}
	b->h = calloc(1, sizeof(*b->h));
	assert_non_null(b->h);
	if (full) {
		host_tree(root);
	} else {
		fakefs_put(root, "/proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2599.998\n");
		fakefs_put(root, "/proc/stat", "cpu  1 0 1 10 0 0 0 0 0 0\n");
	}
	health_init(b->h, root, b->vm);
	health_sample(b->h, 0);
	if (full) {
		fakefs_put(root, "/proc/interrupts", irq_after);
		fakefs_put(root, "/proc/stat", "cpu  200 0 60 800 50 0 0 0 0 0\ncpu0 100 0 30 400 25 0 0 0 0 0\n");
	}
	health_sample(b->h, 1.0);

	burnin_write(b, &r, full ? 61.2 : 0.3, full ? NULL : "stress-ng wrote no YAML");
	check_end(&c, -1, NULL);
	assert_check_schema("burnin", out, true);

	json_free(b->wake_result);
	free(b->h);
	free(b);
	unlink(out);
	rm_rf(root);
}

static void test_json_matches_fragment(void **state)
{
	(void)state;
	burnin_json(true);
	burnin_json(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_recorded),
		cmocka_unit_test(test_yaml_shapes),
		cmocka_unit_test(test_yaml_huge_values),
		cmocka_unit_test(test_log_sigill_recorded),
		cmocka_unit_test(test_log_verify),
		cmocka_unit_test(test_log_signal_forms),
		cmocka_unit_test(test_plan_honest_cpu),
		cmocka_unit_test(test_plan_lying_cpu),
		cmocka_unit_test(test_plan_user_list),
		cmocka_unit_test(test_str_append),
		cmocka_unit_test(test_health_hot_host),
		cmocka_unit_test(test_health_quiet_and_missing),
		cmocka_unit_test(test_health_huge_counters),
		cmocka_unit_test(test_series_merges_pairs),
		cmocka_unit_test(test_json_matches_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
