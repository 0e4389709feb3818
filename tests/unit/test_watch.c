/* Unit tests of triage watch (tools/watch/): /proc/diskstats as this
 * machine's 6.18 kernel wrote it and in the 11-field form of
 * Documentation/admin-guide/iostats.rst; the bounds on the oldest request's
 * wait over a sequence of ticks; whole disks on a fake /sys/block; the
 * systemd unit, judged by systemd-analyze verify (systemd's own parser);
 * and a real short recording read back through lib/ring, against the
 * kernel's /proc/meminfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakefs.h"
#include "lib/procfs.h"
#include "lib/ring.h"
#include "lib/util.h"
#include "lib/watchrec.h"
#include "commands.h"
#include "watch/watch.h"

static void test_diskstats(void **state)
{
	struct diskstat d[8];
	size_t len;
	char *text = read_file("tests/unit/data/watch/diskstats-6.18-kvm", 1 << 16, &len);

	(void)state;
	assert_non_null(text);
	assert_int_equal(diskstats_parse(text, d, 8), 3);
	assert_string_equal(d[1].name, "vda");
	/* reads 120378 + writes 204296 + discards 22595 + flushes 43609 */
	assert_int_equal(d[1].completed, 120378 + 204296 + 22595 + 43609);
	assert_int_equal(d[1].in_flight, 0);
	assert_int_equal(d[1].io_ms, 64428);
	assert_int_equal(d[1].weighted_ms, 459756);
	/* The 11 fields of Linux 2.6 (iostats.rst's example), a 2.6.25
	 * partition line of 4 fields (left out), and hostile lines. */
	assert_int_equal(diskstats_parse("   3    0   hda 446216 784926 9550688 4382310 424847 312726 5922052 19310380 0 3376340 23705160\n"
					 "   3    1   hda1 35486 38030 38030 38030\n"
					 "   8 0 sdb 1 2 3 4 5 6 7 8 -9 10 11\n"
					 "garbage\n\n   8 16\n"
					 "   8 32 sdc 99999999999999999999999 0 0 0 1 0 0 0 3 0 0",
					 d, 8),
			 2);
	assert_string_equal(d[0].name, "hda");
	assert_int_equal(d[0].completed, 446216 + 424847);
	assert_int_equal(d[0].io_ms, 3376340);
	/* sdb: a count is never negative; the '-' ends its numbers at 8 */
	assert_string_equal(d[1].name, "sdc");
	assert_true(d[1].completed == INT64_MAX); /* saturated, not wrapped */
	assert_int_equal(d[1].in_flight, 3);
	/* max is respected */
	assert_int_equal(diskstats_parse("1 0 a 1 1 1 1 1 1 1 1 1 1 1\n1 1 b 1 1 1 1 1 1 1 1 1 1 1\n", d, 1), 1);
	free(text);
}

static void test_oldest_request(void **state)
{
	struct watch_disk d = { .zero_ns = 0, .stuck_ns = -1, .completed = -1 };
	const int64_t s = 1000000000LL;

	(void)state;
	watch_disk_update(&d, 10, 0, 0);
	assert_true(d.zero_ns == 0 && d.stuck_ns == -1);
	/* Requests in flight at 1 s: the lower bound starts there. */
	watch_disk_update(&d, 10, 2, 1 * s);
	assert_true(d.stuck_ns == 1 * s && d.zero_ns == 0);
	/* None completed by 5 s: those of 1 s are still there (>= 4 s), and
	 * none can be older than the last tick with nothing in flight (<= 5 s). */
	watch_disk_update(&d, 10, 2, 5 * s);
	assert_true(d.stuck_ns == 1 * s && d.zero_ns == 0);
	/* One completed at 6 s: what is in flight may be new. */
	watch_disk_update(&d, 11, 1, 6 * s);
	assert_true(d.stuck_ns == 6 * s && d.zero_ns == 0);
	watch_disk_update(&d, 12, 0, 7 * s);
	assert_true(d.stuck_ns == -1 && d.zero_ns == 7 * s);
}

static void test_whole_disks(void **state)
{
	char root[] = "/tmp/test_watch.XXXXXX", sys[64];

	(void)state;
	assert_non_null(mkdtemp(root));
	fakefs_put(root, "/block/vda/size", "1\n");
	fakefs_put(root, "/block/cciss!c0d0/size", "1\n");
	fakefs_put(root, "/block/loop0/size", "1\n");
	snprintf(sys, sizeof(sys), "%s/block", root);
	assert_true(watch_disk_is_whole(sys, "vda"));
	assert_false(watch_disk_is_whole(sys, "vda1"));
	assert_true(watch_disk_is_whole(sys, "cciss/c0d0"));
	assert_false(watch_disk_is_whole(sys, "loop0"));
	assert_false(watch_disk_is_whole(sys, "ram0"));
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_unit(void **state)
{
	char *argv[] = { "watch", "--install", "--root", "/x", "--interval", "0.5s", "--dir=/var/lib/a b", "--no-enable",
			 "--size", "16%M", NULL };
	char exe[512], dir[] = "/tmp/test_watch.XXXXXX", path[600], cmd[800];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *text;

	(void)state;
	assert_true(n > 0);
	exe[n] = '\0';
	text = watch_unit_text(exe, 10, argv);
	assert_non_null(strstr(text, "\" watch \"--interval\" \"0.5s\" \"--dir=/var/lib/a b\" \"--size\" \"16%%M\"\n"));
	const char *exec = strstr(text, "ExecStart=");
	assert_non_null(exec);
	char line[512];
	strlcpy_(line, exec, strcspn(exec, "\n") + 1);
	assert_null(strstr(line, "--install"));
	assert_null(strstr(line, "/x"));
	assert_null(strstr(line, "no-enable"));
	/* systemd's own parser judges the file. */
	if (access("/usr/bin/systemd-analyze", X_OK) == 0) {
		assert_non_null(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/vmtriage-watch.service", dir);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "SYSTEMD_LOG_LEVEL=warning /usr/bin/systemd-analyze verify --man=no %s 2>&1", path);
		FILE *p = popen(cmd, "r");
		char out[4096] = "";
		size_t k = fread(out, 1, sizeof(out) - 1, p);
		out[k] = '\0';
		int rc = pclose(p);
		/* It may complain about the host's own units; not about ours. */
		if (strstr(out, "vmtriage-watch"))
			fail_msg("systemd-analyze verify: %s", out);
		(void)rc;
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	} else {
		print_message("  systemd-analyze not here: the unit's syntax is not checked\n");
	}
	free(text);
}

static void test_install_root(void **state)
{
	char dir[] = "/tmp/test_watch.XXXXXX", path[600], cmd[700];
	char *argv[] = { "watch", "--install", "--root", dir, "--interval", "2s", NULL };

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(watch_install(dir, 6, argv, false), 0);
	snprintf(path, sizeof(path), "%s/etc/systemd/system/vmtriage-watch.service", dir);
	char *text = read_file(path, 1 << 16, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"--interval\" \"2s\""));
	assert_non_null(strstr(text, "WantedBy=multi-user.target"));
	free(text);
	assert_int_equal(watch_uninstall(dir, false), 0);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_record(void **state)
{
	char dir[] = "/tmp/test_watch.XXXXXX", path[600], cmd[700];
	char *argv[] = { "watch", "--dir", dir, "--interval", "50ms", "--duration", "600ms", "-q", NULL };
	struct ring_scan s;
	struct meminfo mi;
	int beats = 0;
	int64_t last_mono = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(cmd_watch(8, argv), 0);
	snprintf(path, sizeof(path), "%s/watch.ring", dir);
	assert_int_equal(ring_read(path, &s), 0);
	assert_string_equal(s.hdr.role, "guest");
	assert_int_equal(s.skipped_total, 0);
	assert_true(s.n >= 5);
	assert_int_equal(s.recs[0].type, WREC_START);
	assert_true(s.recs[0].flags & RING_F_START);
	struct wrec_start st;
	wrec_get(&s.recs[0], &st, sizeof(st));
	assert_int_equal(st.interval_ns, 50000000);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(s.recs[s.n - 1].type, WREC_STOP);
	assert_int_equal(meminfo_read(&mi), 0);
	for (size_t i = 0; i < s.n; i++) {
		struct wrec_beat b;
		if (s.recs[i].type != WREC_BEAT)
			continue;
		beats++;
		wrec_get(&s.recs[i], &b, sizeof(b));
		assert_true(b.known & WB_STAT);
		assert_true(b.known & WB_MEM);
		assert_true(b.known & WB_PROBE);
		/* The kernel's own figure (MemTotal moves only with a balloon or hotplug). */
		assert_int_equal(b.memtotal_kib, mi.total_kib);
		assert_true(b.memavail_kib > 0 && b.memavail_kib <= b.memtotal_kib);
		assert_true(b.probe_late_ns >= 0 && b.tick_late_ns >= 0);
		assert_true(b.ctxt > 0 && b.total_ticks > 0);
		assert_true(b.ncpus >= 1);
		assert_true(s.recs[i].mono_ns > last_mono);
		assert_true(s.recs[i].boot_ns >= s.recs[i].mono_ns);
		last_mono = s.recs[i].mono_ns;
	}
	/* 600 ms at 50 ms: 12 ticks on an idle machine; a loaded one may lose
	 * some, never most. */
	assert_in_range(beats, 4, 14);
	ring_scan_free(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diskstats),   cmocka_unit_test(test_oldest_request),
		cmocka_unit_test(test_whole_disks), cmocka_unit_test(test_unit),
		cmocka_unit_test(test_install_root), cmocka_unit_test(test_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
