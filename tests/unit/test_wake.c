/* Unit tests of triage wake's pure part: statistics, the log histogram,
 * the recorded-sample format and the judgement (tools/wake/judge.c), on
 * samples recorded on a KVM guest and on synthetic ones (see
 * tests/unit/data/wake/make-synthetic.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"
#include "lib/check.h"
#include "lib/util.h"
#include "schema.h"
#include "wake/wake.h"

#define DATA "tests/unit/data/wake/"

struct loaded {
	struct wake_env env;
	struct wake_block *b;
	int nb;
	struct wake_verdict v;
};

static void load(struct loaded *l, const char *file)
{
	char err[256] = "";
	int rc = wake_load(file, &l->env, &l->b, &l->nb, err, sizeof(err));

	if (rc != 0)
		fail_msg("%s", err);
	wake_judge(&l->env, l->b, l->nb, &l->v);
}

static void unload(struct loaded *l)
{
	for (int i = 0; i < l->nb; i++)
		wake_block_free(&l->b[i]);
	free(l->b);
}

static void test_stats_small(void **state)
{
	const int64_t x[] = { 5, 1, 3, 2, 4 };
	struct order_stats s;

	(void)state;
	order_stats_of(x, 5, &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.min, 1);
	assert_int_equal(s.p50, 3);
	/* Fewer than 100 samples: p99 is the maximum. */
	assert_int_equal(s.p99, 5);
	assert_int_equal(s.p999, 5);
	assert_int_equal(s.max, 5);
	/* The input is left as it was. */
	assert_int_equal(x[0], 5);
}

static void test_stats_ranks(void **state)
{
	int64_t x[1000];
	struct order_stats s;

	(void)state;
	/* 1000 down to 1: nearest rank gives round figures. */
	for (int i = 0; i < 1000; i++)
		x[i] = 1000 - i;
	order_stats_of(x, 1000, &s);
	assert_int_equal(s.min, 1);
	assert_int_equal(s.p50, 500);
	assert_int_equal(s.p99, 990);
	assert_int_equal(s.p999, 999);
	assert_int_equal(s.max, 1000);
	order_stats_of(x, 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.max, 0);
}

static void test_hist_buckets(void **state)
{
	(void)state;
	assert_int_equal(wake_hist_bucket(0), 0);
	assert_int_equal(wake_hist_bucket(999), 0);
	assert_int_equal(wake_hist_bucket(1000), 1);
	assert_int_equal(wake_hist_bucket(1777), 1);
	assert_int_equal(wake_hist_bucket(1778), 2);
	assert_int_equal(wake_hist_bucket(10000), 5);	      /* 10 us: one decade up */
	assert_int_equal(wake_hist_bucket(150000000), 21);    /* a 150 ms pause */
	assert_int_equal(wake_hist_bucket(999999999), 24);
	assert_int_equal(wake_hist_bucket(1000000000), 25);   /* >= 1 s */
	assert_int_equal(wake_hist_bucket(INT64_MAX), WAKE_HIST_BUCKETS - 1);
	/* Four per decade: every fourth edge is a power of ten. */
	for (int k = 0; k < WAKE_HIST_EDGES; k += 4) {
		int64_t p = 1000;

		for (int j = 0; j < k / 4; j++)
			p *= 10;
		assert_int_equal(wake_hist_edge_ns[k], p);
	}
	for (int k = 1; k < WAKE_HIST_EDGES; k++)
		assert_true(wake_hist_edge_ns[k] > wake_hist_edge_ns[k - 1]);
}

static void test_hist_fill(void **state)
{
	const int64_t x[] = { 10, 500, 2000, 2500, 148000000, 2000000000 };
	uint64_t h[WAKE_HIST_BUCKETS], sum = 0;

	(void)state;
	wake_hist_fill(x, 6, h);
	assert_int_equal(h[0], 2);
	assert_int_equal(h[2], 2);
	assert_int_equal(h[21], 1);
	assert_int_equal(h[WAKE_HIST_BUCKETS - 1], 1);
	for (int k = 0; k < WAKE_HIST_BUCKETS; k++)
		sum += h[k];
	assert_int_equal(sum, 6);
}

/* Recorded on this project's KVM guest (haltpoll cpuidle, 2 vCPUs) while
 * other builds ran: the default sweep stays below 1 ms at p99, the
 * shallow sweep (both vCPUs polling) had two 12-19 ms stalls, and HLT
 * against polling costs the median wake-up up to 130 us. */
static void test_recorded_kvm(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, DATA "kvm-haltpoll-busy.txt");
	assert_true(l.env.vm);
	assert_false(l.env.tcg);
	assert_true(l.env.cpuidle);
	assert_true(l.env.shallow_held);
	assert_int_equal(l.nb, 12);
	assert_int_equal(l.v.claim_ns, 1000); /* "haltpoll idle": 1 us */
	for (int i = 0; i < l.nb; i++) {
		assert_true(l.b[i].n >= 2);
		assert_int_equal(l.b[i].nstates, 2);
		assert_true(l.b[i].os.min <= l.b[i].os.p50 && l.b[i].os.p50 <= l.b[i].os.p99);
		assert_true(l.b[i].os.p99 <= l.b[i].os.p999 && l.b[i].os.p999 <= l.b[i].os.max);
		/* The shallow sweep polls: it never entered the HLT state. */
		if (l.b[i].run == WAKE_SHALLOW)
			assert_int_equal(l.b[i].states[1].usage, 0);
	}
	/* The shallow sweep's ms stalls are below the severe limit and not
	 * judged by the finer one: no stall. */
	assert_int_equal(l.v.stall_sev, WAKE_NO_FINDING);
	assert_true(l.v.worst_max->os.max > 10000000);
	assert_int_equal(l.v.worst_max->run, WAKE_SHALLOW);
	assert_int_equal(l.v.share_sev, SEV_WARN);
	assert_true(l.v.share_p50_ns > 100000 && l.v.share_p50_ns < 200000);
	assert_int_equal(l.v.share_default->run, WAKE_DEFAULT);
	assert_int_equal(l.v.share_shallow->cpu, l.v.share_default->cpu);
	assert_int_equal(l.v.steal_sev, WAKE_NO_FINDING);
	assert_int_equal(l.v.burst_sev, WAKE_NO_FINDING);
	unload(&l);
}

static void test_baremetal_c6(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, DATA "baremetal-c6.txt");
	assert_false(l.env.vm);
	assert_int_equal(l.v.claim_ns, 133000);
	/* 2 x 133 us + 100 us: wake-ups 350-900 us late are a stall. */
	assert_int_equal(wake_stall_limit_ns(&l.env, l.v.claim_ns), 366000);
	assert_int_equal(l.v.stall_sev, SEV_WARN);
	assert_string_equal(l.v.stall_stat, "p99");
	assert_int_equal(l.v.stall->run, WAKE_DEFAULT);
	assert_int_equal(l.v.stall->idle_ns, 1000000);
	assert_true(l.v.stall_value_ns > 850000);
	assert_int_equal(l.v.stall_blocks, 4); /* 1 ms and 20 ms on both CPUs */
	/* Held shallow, the median wake-up is 600 us faster: nearly all of it. */
	assert_int_equal(l.v.share_sev, SEV_WARN);
	assert_true(l.v.share_p50_ns > 500000);
	assert_true(l.v.share_p50 > 0.95);
	assert_int_equal(l.v.burst_sev, SEV_WARN);
	assert_true(l.v.burst_ratio > 4.5 && l.v.burst_ratio < 5.5);
	assert_int_equal(l.v.steal_sev, WAKE_NO_FINDING);

	/* Without the shallow sweep, nothing to attribute. */
	l.env.shallow_held = false;
	wake_judge(&l.env, l.b, l.nb, &l.v);
	assert_int_equal(l.v.share_sev, WAKE_NO_FINDING);
	assert_int_equal(l.v.stall_sev, SEV_WARN);
	unload(&l);
}

/* The boot tests' SIGSTOP/SIGCONT of QEMU: the maximum must be the pause. */
static void test_tcg_pause(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, DATA "tcg-pause.txt");
	assert_true(l.env.tcg);
	assert_int_equal(l.v.stall_sev, SEV_WARN);
	assert_string_equal(l.v.stall_stat, "max");
	assert_int_equal(l.v.stall_value_ns, 148000000);
	assert_int_equal(l.v.stall_limit_ns, WAKE_STALL_SEVERE_NS);
	assert_int_equal(l.v.stall_blocks, 2);
	assert_int_equal(l.v.stall_samples, 2);
	assert_int_equal(l.v.worst_max->os.max, 148000000);
	/* The worst p99 is that of a block with a tail, not a 7-sample maximum. */
	assert_true(l.v.worst_p99->os.n >= 100);
	assert_true(l.v.worst_p99->os.p99 < 10000000);
	/* No cpuidle: the second sweep cannot attribute anything. */
	assert_int_equal(l.v.share_sev, WAKE_NO_FINDING);
	unload(&l);
}

static void test_tcg_quiet(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, DATA "tcg-quiet.txt");
	assert_int_equal(l.v.stall_sev, WAKE_NO_FINDING);
	assert_true(l.v.worst_max->os.max < 10000000);
	/* The worst jitter seen under TCG on a loaded host, once: no stall. */
	l.b[0].over[7] = 51451510;
	wake_block_finish(&l.b[0]);
	wake_judge(&l.env, l.b, l.nb, &l.v);
	assert_int_equal(l.v.stall_sev, WAKE_NO_FINDING);
	assert_int_equal(l.v.worst_max->os.max, 51451510);
	/* The same jitter in a KVM guest is a millisecond-level stall. */
	l.env.tcg = false;
	wake_judge(&l.env, l.b, l.nb, &l.v);
	assert_int_equal(l.v.stall_sev, SEV_WARN);
	assert_int_equal(l.v.stall_limit_ns, 1000000);
	unload(&l);
}

/* Recorded in the image under QEMU/TCG (2 vCPUs, 0.4 s blocks), once with
 * QEMU stopped for 150 ms every ~1.15 s and once without. */
static void test_recorded_tcg(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, DATA "tcg-pause-recorded.txt");
	assert_true(l.env.tcg);
	assert_false(l.env.cpuidle);
	assert_int_equal(l.nb, 12);
	assert_int_equal(l.v.stall_sev, SEV_WARN);
	assert_string_equal(l.v.stall_stat, "max");
	/* The maximum is the pause: 150 ms and the emulator's few ms. */
	assert_true(l.v.stall_value_ns > 140000000 && l.v.stall_value_ns < 170000000);
	assert_int_equal(l.v.stall_blocks, 4);
	assert_int_equal(l.v.stall_samples, 4);
	assert_int_equal(l.v.share_sev, WAKE_NO_FINDING);
	unload(&l);

	load(&l, DATA "tcg-quiet-recorded.txt");
	assert_int_equal(l.nb, 12);
	assert_int_equal(l.v.stall_sev, WAKE_NO_FINDING);
	/* Far below the pauses, though TCG on a busy host reaches tens of ms. */
	assert_true(l.v.worst_max->os.max > 10000000 && l.v.worst_max->os.max < WAKE_STALL_SEVERE_NS);
	unload(&l);
}

static void test_steal(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, DATA "kvm-steal.txt");
	assert_int_equal(l.v.steal_sev, SEV_WARN);
	assert_int_equal(l.v.steal_cpu, 1);
	assert_true(l.v.steal_pct > 11.9 && l.v.steal_pct < 12.1);
	assert_int_equal(l.v.stall_sev, WAKE_NO_FINDING);
	unload(&l);
}

static void test_save_load(void **state)
{
	struct loaded a, b;
	char path[] = "/tmp/test_wake.XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	assert_non_null(f);
	load(&a, DATA "baremetal-c6.txt");
	wake_save(f, &a.env, a.b, a.nb);
	fclose(f);
	assert_int_equal(wake_load(path, &b.env, &b.b, &b.nb, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(b.nb, a.nb);
	assert_memory_equal(&b.env, &a.env, sizeof(a.env));
	for (int i = 0; i < a.nb; i++) {
		assert_int_equal(b.b[i].n, a.b[i].n);
		assert_int_equal(b.b[i].nwarm, a.b[i].nwarm);
		assert_memory_equal(b.b[i].over, a.b[i].over, a.b[i].n * sizeof(int64_t));
		assert_memory_equal(&b.b[i].os, &a.b[i].os, sizeof(a.b[i].os));
		assert_string_equal(b.b[i].states[4].name, "C6");
	}
	unload(&a);
	unload(&b);
}

static void test_load_errors(void **state)
{
	char path[] = "/tmp/test_wake.XXXXXX", err[256] = "";
	struct wake_env env;
	struct wake_block *b;
	int nb, fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	/* A cold list shorter than the overshoots: one burst per wake-up. */
	fputs("env vm=0 tcg=0 cpuidle=0 shallow=0\nblock run=default cpu=0 idle_ns=1000 elapsed_ns=1\n"
	      "over 1 2 3\ncold 1 2\n",
	      f);
	fclose(f);
	assert_int_equal(wake_load(path, &env, &b, &nb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":4: malformed"));
	unlink(path);
	assert_int_equal(wake_load(DATA "no-such-file.txt", &env, &b, &nb, err, sizeof(err)), -1);
}

static void test_clock_trust(void **state)
{
	(void)state;
	assert_int_equal(wake_clock_trust("tsc"), CLOCK_TRUSTED);
	assert_int_equal(wake_clock_trust("kvm-clock"), CLOCK_TRUSTED);
	assert_int_equal(wake_clock_trust("hpet"), CLOCK_SLOW);
	assert_int_equal(wake_clock_trust("acpi_pm"), CLOCK_SLOW);
	assert_int_equal(wake_clock_trust("jiffies"), CLOCK_COARSE);
	assert_int_equal(wake_clock_trust("something"), CLOCK_UNKNOWN);
	assert_int_equal(wake_clock_trust(NULL), CLOCK_UNKNOWN);
}

/* ---- the JSON `triage wake` writes, against its schema fragment ----
 *
 * The command's writer (wake_write) driven by every recorded sample file,
 * the facts around them varied (hypervisor, clocksource, idle driver,
 * scheduling, blocks by time or by count), into a check as cmd_wake ends:
 * schema/checks/wake.schema.json must accept it, and reject any key of
 * metrics and data renamed (--every-key, on a KVM guest's and a TCG one's). */
static void test_json_matches_fragment(void **state)
{
	static const char *const files[] = {
		"baremetal-c6.txt", "kvm-haltpoll-busy.txt", "kvm-steal.txt", "tcg-pause-recorded.txt",
		"tcg-pause.txt", "tcg-quiet-recorded.txt", "tcg-quiet.txt",
	};
	static const char *const clocks[] = { "tsc", "kvm-clock", "hpet", "jiffies" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[200], out[] = "/tmp/test_wake_out_XXXXXX";
		char *argv[] = { "wake", "-q", "-o", out, NULL };
		struct optv vals[16]; /* wake_opts has 10 */
		struct wake_context x = { 0 };
		struct wake_sweep s = { 0 };
		int cpus[16], ncpu = 0, ndur = 0, fd = mkstemp(out);
		long long dur[16];
		struct loaded l;
		struct check c;

		assert_true(fd >= 0);
		close(fd);
		snprintf(path, sizeof(path), DATA "%s", files[i]);
		load(&l, path);
		x.env = l.env;
		x.hv.vm = l.env.vm;
		x.hv.name = l.env.tcg ? "QEMU TCG" : l.env.vm ? "KVM" : NULL;
		x.hv.dmi_hint = l.env.vm && i % 2 ? "QEMU" : NULL;
		snprintf(x.clock_cur, sizeof(x.clock_cur), "%s", clocks[i % ARRAY_SIZE(clocks)]);
		snprintf(x.clock_avail, sizeof(x.clock_avail), "tsc hpet acpi_pm");
		if (l.env.cpuidle) {
			snprintf(x.idle_driver, sizeof(x.idle_driver), "%s", l.env.vm ? "haltpoll" : "intel_idle");
			snprintf(x.idle_governor, sizeof(x.idle_governor), "%s", l.env.vm ? "haltpoll" : "menu");
			x.nstates = l.b[0].nstates;
			memcpy(x.states, l.b[0].states, sizeof(x.states));
		}
		snprintf(x.loadavg, sizeof(x.loadavg), "0.52 0.31 0.20 2/143 811");
		x.shallow_reason = l.env.shallow_held ? NULL : "cannot open /dev/cpu_dma_latency: Permission denied";
		x.realtime = i % 2;
		x.timer_slack_ns = 1;
		x.floor_read = (struct order_stats){ .n = 1000, .min = 20, .p50 = 25, .p99 = 40, .p999 = 90, .max = 400 };
		x.floor_sleep0 = (struct order_stats){ .n = 200, .min = 1500, .p50 = 2000, .p99 = 9000, .p999 = 30000, .max = 40000 };
		for (int k = 0; k < l.nb; k++) {
			bool seen_cpu = false, seen_dur = false;

			for (int j = 0; j < ncpu; j++)
				seen_cpu |= cpus[j] == l.b[k].cpu;
			for (int j = 0; j < ndur; j++)
				seen_dur |= dur[j] == l.b[k].idle_ns;
			if (!seen_cpu && ncpu < 16)
				cpus[ncpu++] = l.b[k].cpu;
			if (!seen_dur && ndur < 16)
				dur[ndur++] = l.b[k].idle_ns;
		}
		s = (struct wake_sweep){ .cpus = cpus, .ncpus = ncpu, .dur = dur, .ndur = ndur,
					 .block_ns = 200000000, .samples = i % 3 ? 0 : 500 };
		memset(vals, 0, sizeof(vals));
		assert_int_equal(check_begin(&c, "wake", "test", wake_opts, vals, 4, argv), -1);
		wake_write(&c, &x, &l.v, l.b, l.nb, &s, l.env.shallow_held ? 0 : -1);
		check_end(&c, -1, NULL);
		print_message("  %s\n", files[i]);
		/* Every key renamed in turn takes a while: two files of unlike shape. */
		assert_check_schema("wake", out, i == 1 || i == 3);
		unlink(out);
		unload(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_small),  cmocka_unit_test(test_stats_ranks),
		cmocka_unit_test(test_hist_buckets), cmocka_unit_test(test_hist_fill),
		cmocka_unit_test(test_recorded_kvm), cmocka_unit_test(test_baremetal_c6),
		cmocka_unit_test(test_tcg_pause),    cmocka_unit_test(test_tcg_quiet),
		cmocka_unit_test(test_recorded_tcg),
		cmocka_unit_test(test_steal),	     cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_load_errors),  cmocka_unit_test(test_clock_trust),
		cmocka_unit_test(test_json_matches_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
