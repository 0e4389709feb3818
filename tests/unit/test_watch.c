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
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

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

static void promtool_ok(const char *path)
{
	char cmd[700];
	int rc;

	snprintf(cmd, sizeof(cmd), "command -v promtool >/dev/null || exit 99; promtool check metrics < %s", path);
	rc = system(cmd);
	if (WEXITSTATUS(rc) == 99)
		fail_msg("promtool is missing: scripts/deps installs the Debian package prometheus");
	assert_int_equal(WEXITSTATUS(rc), 0);
}

/* The textfile of a recorder that saw two freezes, late wake-ups and a
 * stuck disk, judged by promtool (Prometheus' own parser and linter). */
static void test_textfile_text(void **state)
{
	static struct watch w;
	char path[] = "/tmp/test_watch.prom.XXXXXX";
	size_t len;
	char *text;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.freezes = 2;
	w.longest_freeze_ns = 3500000000LL;
	w.ncpus = 2;
	w.user_hz = 100;
	w.steal_last[0] = 150;
	w.steal_last[1] = 7;
	w.ndisks = 2;
	strcpy(w.disks[0].name, "vda");
	w.disks[0].whole = true;
	w.disks[0].stall_ns = 12500000000LL;
	strcpy(w.disks[1].name, "vda1");
	for (int i = 1; i <= 100; i++)
		watch_textfile_sample(&w, i * 1000000LL); /* 1 to 100 ms */
	text = watch_textfile_text(&w, &len);
	assert_non_null(strstr(text, "vmtriage_watch_freezes_total 2\n"));
	assert_non_null(strstr(text, "vmtriage_watch_freeze_longest_seconds 3.5\n"));
	assert_non_null(strstr(text, "vmtriage_watch_wake_latency_seconds{quantile=\"0.5\"} 0.05\n"));
	assert_non_null(strstr(text, "vmtriage_watch_wake_latency_seconds{quantile=\"0.99\"} 0.099\n"));
	assert_non_null(strstr(text, "vmtriage_watch_wake_latency_seconds_count 100\n"));
	assert_non_null(strstr(text, "vmtriage_watch_steal_seconds_total{cpu=\"0\"} 1.5\n"));
	assert_non_null(strstr(text, "vmtriage_watch_io_stall_seconds_total{disk=\"vda\"} 12.5\n"));
	assert_null(strstr(text, "vda1")); /* a partition is not a disk */
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	promtool_ok(path);
	unlink(path);
	free(text);
	watch_textfile_free(&w);
}

/* A real recording's textfile, replaced in place. */
static void test_textfile_run(void **state)
{
	char dir[] = "/tmp/test_watch.XXXXXX", ring[64], path[600], cmd[700];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(ring, sizeof(ring), "%s/ring", dir);
	char *argv[] = { "watch", "--dir", ring, "--interval", "50ms", "--duration", "300ms", "--textfile", dir, "-q", NULL };
	assert_int_equal(cmd_watch(10, argv), 0);
	snprintf(path, sizeof(path), "%s/vmtriage_watch.prom", dir);
	char *text = read_file(path, 1 << 16, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "vmtriage_watch_freezes_total 0\n"));
	assert_non_null(strstr(text, "vmtriage_watch_wake_latency_seconds_count "));
	free(text);
	promtool_ok(path);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_probe_parse(void **state)
{
	struct watch_probe p;
	char err[300];

	(void)state;
	assert_int_equal(watch_probe_parse("tcp:127.0.0.1:22", &p, err, sizeof(err)), 0);
	assert_true(p.kind == PROBE_TCP && !strcmp(p.target, "127.0.0.1") && !strcmp(p.port, "22"));
	assert_int_equal(watch_probe_parse("http://localhost:8080/health?x=1", &p, err, sizeof(err)), 0);
	assert_true(p.kind == PROBE_HTTP && !strcmp(p.target, "localhost") && !strcmp(p.port, "8080"));
	assert_string_equal(p.path, "/health?x=1");
	assert_int_equal(watch_probe_parse("http://[::1]/", &p, err, sizeof(err)), 0);
	assert_true(!strcmp(p.target, "::1") && !strcmp(p.port, "80") && !strcmp(p.path, "/"));
	assert_int_equal(watch_probe_parse("tcp:[::1]:443", &p, err, sizeof(err)), 0);
	assert_true(!strcmp(p.target, "::1") && !strcmp(p.port, "443"));
	assert_int_equal(watch_probe_parse("unit:ssh.service", &p, err, sizeof(err)), 0);
	assert_true(p.kind == PROBE_UNIT && !strcmp(p.target, "ssh.service"));
	assert_int_equal(watch_probe_parse("tcp:host", &p, err, sizeof(err)), -1);
	assert_int_equal(watch_probe_parse("tcp:host:99999", &p, err, sizeof(err)), -1);
	assert_int_equal(watch_probe_parse("https://x/", &p, err, sizeof(err)), -1);
	assert_int_equal(watch_probe_parse("unit:", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unit"));
}

static void test_probe_decide(void **state)
{
	struct watch_probe p = { 0 };

	(void)state;
	/* restart after 3, reboot after 3 more, recovery after either */
	int seq[] = { 1, 2, 3, 4, 5, 6, 7, 0 };
	enum probe_action want[] = { ACT_NONE, ACT_NONE, ACT_RESTART, ACT_NONE, ACT_NONE, ACT_REBOOT, ACT_NONE, ACT_RECOVERED };
	for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
		p.fails = seq[i];
		assert_int_equal(watch_probe_decide(&p, 3, true, true), want[i]);
	}
	p.fails = 0;
	assert_int_equal(watch_probe_decide(&p, 3, true, true), ACT_NONE);
	/* nothing to restart: the reboot comes first; nor that: a report */
	memset(&p, 0, sizeof(p));
	p.fails = 2;
	assert_int_equal(watch_probe_decide(&p, 2, false, true), ACT_REBOOT);
	memset(&p, 0, sizeof(p));
	p.fails = 2;
	assert_int_equal(watch_probe_decide(&p, 2, false, false), ACT_REPORT);
	p.fails = 4;
	assert_int_equal(watch_probe_decide(&p, 2, false, false), ACT_NONE);
}

/* A loopback server of our own: listens on 127.0.0.1 (port in *port) and,
 * when reply is not NULL, answers every connection with it. */
static pid_t serve(const char *reply, int *port, int *lfd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	*lfd = fd;
	if (!reply)
		return 0;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;) {
			int c = accept(fd, NULL, NULL);
			char buf[512];
			if (c < 0)
				_exit(0);
			(void)!read(c, buf, sizeof(buf));
			(void)!write(c, reply, strlen(reply));
			close(c);
		}
	}
	return pid;
}

static void test_probes_loopback(void **state)
{
	struct watch_probe p;
	char spec[64], err[300], why[200];
	int port, fd, port2, fd2, port3, fd3;

	(void)state;
	/* tcp: a listening socket accepts (the kernel completes the handshake) */
	serve(NULL, &port, &fd);
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	assert_int_equal(watch_probe_parse(spec, &p, err, sizeof(err)), 0);
	assert_int_equal(watch_probe_once(&p, 2000, why, sizeof(why)), 0);
	close(fd);
	assert_int_equal(watch_probe_once(&p, 2000, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "refused"));
	/* http: 200 is alive, 503 is not */
	pid_t ok = serve("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", &port2, &fd2);
	pid_t bad = serve("HTTP/1.1 503 Service Unavailable\r\n\r\n", &port3, &fd3);
	snprintf(spec, sizeof(spec), "http://127.0.0.1:%d/health", port2);
	assert_int_equal(watch_probe_parse(spec, &p, err, sizeof(err)), 0);
	assert_int_equal(watch_probe_once(&p, 2000, why, sizeof(why)), 0);
	snprintf(spec, sizeof(spec), "http://127.0.0.1:%d/", port3);
	assert_int_equal(watch_probe_parse(spec, &p, err, sizeof(err)), 0);
	assert_int_equal(watch_probe_once(&p, 2000, why, sizeof(why)), -1);
	assert_string_equal(why, "HTTP status 503");
	/* a server that accepts and says nothing: the timeout */
	int port4, fd4;
	serve(NULL, &port4, &fd4);
	snprintf(spec, sizeof(spec), "http://127.0.0.1:%d/", port4);
	assert_int_equal(watch_probe_parse(spec, &p, err, sizeof(err)), 0);
	int64_t t0 = now_ns();
	assert_int_equal(watch_probe_once(&p, 300, why, sizeof(why)), -1);
	assert_true(now_ns() - t0 >= 250000000LL);
	assert_non_null(strstr(why, "no HTTP status"));
	close(fd4);
	kill(ok, SIGKILL);
	kill(bad, SIGKILL);
	waitpid(ok, NULL, 0);
	waitpid(bad, NULL, 0);
	close(fd2);
	close(fd3);
}

static bool has_event(const struct ring_scan *s, int kind, const char *text)
{
	for (size_t i = 0; i < s->n; i++) {
		struct wrec_event e;
		if (s->recs[i].type != WREC_EVENT)
			continue;
		wrec_get(&s->recs[i], &e, sizeof(e));
		e.text[sizeof(e.text) - 1] = '\0';
		if (e.kind == kind && (!text || strstr(e.text, text)))
			return true;
	}
	return false;
}

/* A probe of a closed loopback port, failing twice in a row: the recorder
 * decides to reboot, syncs and (VMTRIAGE_WATCH_NO_REBOOT) stops; the
 * record holds the failure and the decision. A watchdog that is not one
 * is refused and said so. */
static void test_probe_reboot(void **state)
{
	char dir[] = "/tmp/test_watch.XXXXXX", ring[64], spec[64], path[600], wd[600], cmd[700];
	int port, fd;
	struct ring_scan s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	serve(NULL, &port, &fd);
	close(fd); /* now nothing listens there */
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	snprintf(ring, sizeof(ring), "%s/ring", dir);
	snprintf(wd, sizeof(wd), "%s/not-a-watchdog", dir);
	FILE *f = fopen(wd, "w");
	fclose(f);
	char *argv[] = { "watch", "--dir", ring, "--interval", "50ms", "--duration", "20s", "--probe", spec,
			 "--probe-every", "100ms", "--probe-failures", "2", "--reboot", "--watchdog", wd, "-q", NULL };
	setenv("VMTRIAGE_WATCH_NO_REBOOT", "1", 1);
	int64_t t0 = now_ns();
	assert_int_equal(cmd_watch(17, argv), 0);
	unsetenv("VMTRIAGE_WATCH_NO_REBOOT");
	assert_true(now_ns() - t0 < 15000000000LL); /* stopped by the decision, not the duration */
	snprintf(path, sizeof(path), "%s/watch.ring", ring);
	assert_int_equal(ring_read(path, &s), 0);
	assert_true(has_event(&s, WEV_PROBE_FAIL, "refused"));
	assert_true(has_event(&s, WEV_REBOOT, "not done"));
	assert_true(has_event(&s, WEV_WATCHDOG_FAIL, "not-a-watchdog"));
	assert_int_equal(s.recs[s.n - 1].type, WREC_STOP);
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
		cmocka_unit_test(test_textfile_text), cmocka_unit_test(test_textfile_run),
		cmocka_unit_test(test_probe_parse), cmocka_unit_test(test_probe_decide),
		cmocka_unit_test(test_probes_loopback), cmocka_unit_test(test_probe_reboot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
