/* triage host --watch over a fake /proc, /sys and PVE run folder: what it
 * records is what the files say (every field of the node and VM records
 * read back through lib/ring's reader), vCPUs beyond one record's room
 * take two, a thread in D at two ticks is I/O that does not finish (an
 * event), a starved vCPU is counted, and the textfile passes promtool.
 * Against real QEMU: tests/autopsy/check's watch case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <unistd.h>

#include "fakefs.h"
#include "host/modes.h"
#include "lib/hostrec.h"
#include "lib/ring.h"
#include "lib/util.h"

static char tmp[64];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	strlcpy_(tmp, "/tmp/test_hostwatch.XXXXXX", sizeof(tmp));
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A thread of process pid: its stat line and schedstat. */
static void thread(int pid, int tid, const char *comm, char state, long long run, long long delay)
{
	char path[200], text[300];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	snprintf(text, sizeof(text), "%d (%s) %c 1 %d %d 0 -1 138412224 24 0 1 0 40 3 0 0 20 0 3 0 117488\n", tid,
		 comm, state, pid, pid);
	fakefs_put(tmp, path, text);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	snprintf(text, sizeof(text), "%lld %lld 9\n", run, delay);
	fakefs_put(tmp, path, text);
}

static void node(void)
{
	fakefs_put(tmp, "/proc/pressure/cpu", "some avg10=1.00 avg60=0.50 avg300=0.10 total=123456\n"
					       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	fakefs_put(tmp, "/proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=77\n"
						  "full avg10=0.00 avg60=0.00 avg300=0.00 total=55\n");
	fakefs_put(tmp, "/proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=9000\n"
					      "full avg10=0.00 avg60=0.00 avg300=0.00 total=4000\n");
	fakefs_put(tmp, "/proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         1000000 kB\n"
					  "MemAvailable:    8000000 kB\nDirty:             12345 kB\nWriteback:           678 kB\n");
	for (int cpu = 0; cpu < 2; cpu++) {
		char path[120];

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state0/name", cpu);
		fakefs_put(tmp, path, "POLL\n");
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state0/time", cpu);
		fakefs_put(tmp, path, "1000\n");
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state1/name", cpu);
		fakefs_put(tmp, path, "C6\n");
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state1/time", cpu);
		fakefs_put(tmp, path, cpu ? "5000000\n" : "3000000\n");
	}
	fakefs_put(tmp, "/sys/devices/system/cpu/cpuidle/current_driver", "intel_idle\n");
}

static int run_watch(const char *extra)
{
	char root[100], dir[100], run[100], prom[100], *argv[24];
	int argc = 0;

	snprintf(root, sizeof(root), "--root=%s", tmp);
	snprintf(dir, sizeof(dir), "--dir=%s/ring", tmp);
	snprintf(run, sizeof(run), "--run-dir=%s/run", tmp);
	snprintf(prom, sizeof(prom), "--textfile=%s", tmp);
	argv[argc++] = "host";
	argv[argc++] = "--watch";
	argv[argc++] = root;
	argv[argc++] = dir;
	argv[argc++] = run;
	argv[argc++] = prom;
	argv[argc++] = "--interval=50ms";
	argv[argc++] = "--size=64K";
	argv[argc++] = "-q";
	if (extra)
		argv[argc++] = (char *)extra;
	argv[argc] = NULL;
	return host_mode(argc, argv);
}

static void test_records(void **state)
{
	char path[200];
	struct ring_scan s;
	int nodes = 0, vms = 0, starts = 0, stops = 0, names = 0, vm102 = 0;

	(void)state;
	node();
	/* VM 101: 12 vCPUs (two records a tick); VM 102: one vCPU, an I/O
	 * thread in D; a stale pid file (no such process) */
	fakefs_put(tmp, "/run/101.pid", "4242\n");
	thread(4242, 4242, "kvm", 'S', 5, 1);
	for (int c = 0; c < 12; c++) {
		char comm[32];

		snprintf(comm, sizeof(comm), "CPU %d/KVM", c);
		thread(4242, 4300 + c, comm, c == 11 ? 'R' : 'S', 1000000LL * (c + 1), 2000LL * (c + 1));
	}
	fakefs_put(tmp, "/run/102.pid", "5151\n");
	thread(5151, 5151, "kvm", 'S', 5, 1);
	thread(5151, 5152, "CPU 0/KVM", 'R', 777, 888);
	thread(5151, 5153, "iou-wrk-5151", 'D', 1, 1);
	fakefs_put(tmp, "/run/103.pid", "99999999\n");
	assert_int_equal(run_watch("--duration=120ms"), EXIT_PASS);

	snprintf(path, sizeof(path), "%s/ring/watch.ring", tmp);
	assert_int_equal(ring_read(path, &s), 0);
	assert_string_equal(s.hdr.role, "host");
	assert_int_equal(s.skipped_total, 0);
	for (size_t i = 0; i < s.n; i++) {
		const struct ring_rec *r = &s.recs[i];
		struct hrec_node n;
		struct hrec_vm v;
		struct hrec_cstates cs;
		struct hrec_start st;

		if (hrec_get(r, HREC_START, &st)) {
			starts++;
			assert_true(r->flags & RING_F_START);
			assert_int_equal(st.interval_ns, 50000000);
		} else if (hrec_get(r, HREC_CSTATES, &cs)) {
			names++;
			assert_int_equal(cs.n, 2);
			assert_string_equal(cs.name[1], "C6");
		} else if (hrec_get(r, HREC_NODE, &n)) {
			nodes++;
			assert_int_equal(n.known, HN_PSI_CPU | HN_PSI_MEM | HN_PSI_IO | HN_MEM | HN_CSTATES);
			assert_int_equal(n.psi_us[HPSI_CPU][HPSI_SOME], 123456);
			assert_int_equal(n.psi_us[HPSI_MEM][HPSI_FULL], 55);
			assert_int_equal(n.psi_us[HPSI_IO][HPSI_FULL], 4000);
			assert_int_equal(n.dirty_kib, 12345);
			assert_int_equal(n.writeback_kib, 678);
			assert_int_equal(n.memavail_kib, 8000000);
			assert_int_equal(n.ncstates, 2);
			assert_int_equal(n.cstate_us[0], 2000);
			assert_int_equal(n.cstate_us[1], 8000000);
			assert_int_equal(n.nvms, 2);
		} else if (hrec_get(r, HREC_VM, &v)) {
			vms++;
			if (v.vmid == 101) {
				assert_int_equal(v.nvcpus, 12);
				assert_true((v.first == 0 && v.n == HREC_VCPUS) || (v.first == HREC_VCPUS && v.n == 2));
				for (int k = 0; k < v.n; k++) {
					int c = v.first + k;

					assert_int_equal(v.v[k].run_ns, 1000000ULL * (c + 1));
					assert_int_equal(v.v[k].delay_ns, 2000ULL * (c + 1));
					assert_int_equal(v.state[k], c == 11 ? 'R' : 'S');
				}
				assert_int_equal(v.threads, 13);
				assert_int_equal(v.d_threads, 0);
			} else {
				assert_int_equal(v.vmid, 102);
				assert_int_equal(v.nvcpus, 1);
				assert_int_equal(v.v[0].delay_ns, 888);
				assert_int_equal(v.d_threads, 1);
				/* in D at the tick before too, from the second tick on: an event */
				assert_int_equal(v.d_io_threads, vm102++ ? 1 : 0);
				assert_int_equal(!!(r->flags & RING_F_EVENT), v.d_io_threads > 0);
			}
		} else {
			assert_int_equal(r->type, HREC_STOP);
			stops++;
		}
	}
	assert_int_equal(starts, 1);
	assert_int_equal(names, 1);
	assert_int_equal(stops, 1);
	assert_true(nodes >= 3);
	assert_int_equal(vms, nodes * 3); /* 101 in two records, 102 in one */
	ring_scan_free(&s);
}

static void test_textfile_promtool(void **state)
{
	char cmd[300], *text;
	int rc;

	(void)state;
	node();
	fakefs_put(tmp, "/run/101.pid", "4242\n");
	thread(4242, 4242, "kvm", 'S', 5, 1);
	thread(4242, 4243, "CPU 0/KVM", 'R', 1000, 2000);
	assert_int_equal(run_watch("--duration=60ms"), EXIT_PASS);
	snprintf(cmd, sizeof(cmd), "%s/vmtriage_host_watch.prom", tmp);
	assert_non_null(text = read_file(cmd, 1 << 20, NULL));
	assert_non_null(strstr(text, "vmtriage_vm_vcpu_run_delay_seconds_total{vmid=\"101\",vcpu=\"0\"} 0.000002000"));
	assert_non_null(strstr(text, "vmtriage_host_cstate_residency_seconds_total{state=\"C6\"} 8.000000"));
	assert_non_null(strstr(text, "vmtriage_host_memory_dirty_bytes 12641280"));
	free(text);
	snprintf(cmd, sizeof(cmd), "command -v promtool >/dev/null || exit 99; promtool check metrics < %s/"
		 "vmtriage_host_watch.prom", tmp);
	rc = system(cmd);
	if (WEXITSTATUS(rc) == 99)
		fail_msg("promtool is missing: scripts/deps installs the Debian package prometheus");
	assert_int_equal(WEXITSTATUS(rc), 0);
}

static void test_bad_options(void **state)
{
	(void)state;
	assert_int_equal(run_watch("--interval=1ms"), EXIT_ERROR); /* below the least */
	assert_int_equal(run_watch("stray"), EXIT_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_textfile_promtool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
