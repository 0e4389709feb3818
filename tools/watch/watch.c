/* triage watch: a flight recorder for a guest that freezes when nobody is
 * looking (docs/watch.md). Every interval it records a heartbeat with the
 * three clocks, steal per CPU, PSI, memory and the balloon, disks with
 * requests in flight and how long the oldest has waited, a timer-wake
 * probe, and kernel-log lines the kmsg rules classify, into a bounded ring
 * of checksummed records (lib/ring.h) that a power cut cannot make lie.
 * The post-mortem reads it back. */
#include "watch.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/opts.h"
#include "lib/util.h"

enum {
	WO_INTERVAL, WO_DURATION, WO_DIR, WO_SIZE, WO_SYNC, WO_TEXTFILE, WO_PROBE, WO_PROBE_EVERY, WO_PROBE_TIMEOUT, WO_PROBE_FAILURES,
	WO_RESTART, WO_REBOOT, WO_WATCHDOG, WO_WATCHDOG_TIMEOUT, WO_INSTALL, WO_UNINSTALL, WO_ROOT, WO_NO_ENABLE, WO_QUIET, WO_HELP, WO_N
};

const struct opt watch_opts[] = {
	[WO_INTERVAL] = { "interval", 'i', OPT_DURATION, "TIME", "time between records (default 1s)", 10000000LL, 3600000000000LL },
	[WO_DURATION] = { "duration", 'd', OPT_DURATION, "TIME", "stop after TIME (default: run until SIGTERM)", 0, 0 },
	[WO_DIR] = { "dir", 0, OPT_STR, "DIR", "where the ring is (default " WATCH_DEFAULT_DIR ")", 0, 0 },
	[WO_SIZE] = { "size", 0, OPT_SIZE, "BYTES", "the ring file's size (default 8M)", 8192, 1LL << 30 },
	[WO_SYNC] = { "sync", 0, OPT_DURATION, "TIME", "at most one routine fdatasync per TIME (default 5s; events sync at once)",
		     0, 3600000000000LL },
	[WO_TEXTFILE] = { "textfile", 0, OPT_STR, "DIR", "also write DIR/vmtriage_watch.prom for node_exporter's textfile collector (every 10 s)", 0, 0 },
	[WO_PROBE] = { "probe", 0, OPT_STR, "SPEC", "tcp:HOST:PORT, http://HOST[:PORT]/PATH or unit:NAME; repeat for more", 0, 0 },
	[WO_PROBE_EVERY] = { "probe-every", 0, OPT_DURATION, "TIME", "time between two rounds of probes (default 10s)", 100000000LL, 3600000000000LL },
	[WO_PROBE_TIMEOUT] = { "probe-timeout", 0, OPT_DURATION, "TIME", "a probe that has not answered by then failed (default 5s)", 10000000LL, 600000000000LL },
	[WO_PROBE_FAILURES] = { "probe-failures", 0, OPT_INT, "N", "failures in a row before each step (default 3)", 1, 1000 },
	[WO_RESTART] = { "restart", 0, OPT_STR, "UNIT", "first step when a probe keeps failing: systemctl restart UNIT", 0, 0 },
	[WO_REBOOT] = { "reboot", 0, OPT_FLAG, NULL, "last step: sync the record and reboot through the kernel", 0, 0 },
	[WO_WATCHDOG] = { "watchdog", 0, OPT_STR, "DEV", "arm this watchdog device (PVE's i6300esb: /dev/watchdog) and feed it every tick", 0, 0 },
	[WO_WATCHDOG_TIMEOUT] = { "watchdog-timeout", 0, OPT_DURATION, "TIME", "reset the guest when no tick fed the watchdog for TIME (default 60s)",
				 2000000000LL, 3600000000000LL },
	[WO_INSTALL] = { "install", 0, OPT_FLAG, NULL, "write the systemd unit running this command (the other options as given) and enable it", 0, 0 },
	[WO_UNINSTALL] = { "uninstall", 0, OPT_FLAG, NULL, "disable and remove the unit", 0, 0 },
	[WO_ROOT] = { "root", 0, OPT_STR, "DIR", "with --install/--uninstall: the system's root (default /; not / : no systemctl)", 0, 0 },
	[WO_NO_ENABLE] = { "no-enable", 0, OPT_FLAG, NULL, "with --install/--uninstall: write or remove the file only", 0, 0 },
	[WO_QUIET] = { "quiet", 'q', OPT_FLAG, NULL, "no summary on stderr", 0, 0 },
	[WO_HELP] = { "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ 0 },
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void write_start(struct watch *w)
{
	struct wrec_start s;
	struct utsname u;

	memset(&s, 0, sizeof(s));
	s.interval_ns = w->interval_ns;
	s.sync_ns = w->ring.sync_every_ns;
	s.ncpus = (uint32_t)w->ncpus;
	s.pid = (uint32_t)getpid();
	s.user_hz = (uint32_t)sysconf(_SC_CLK_TCK);
	if (read_line("/proc/sys/kernel/random/boot_id", s.boot_id, sizeof(s.boot_id)) != 0)
		s.boot_id[0] = '\0';
	if (uname(&u) == 0)
		strlcpy_(s.release, u.release, sizeof(s.release));
	strlcpy_(s.version, "triage watch 1", sizeof(s.version));
	(void)ring_append(&w->ring, WREC_START, 0, &s, sizeof(s));
}

static int64_t clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A gap between two ticks beyond the interval and WATCH_FREEZE_MIN_NS:
 * recorded at once, with how far each clock moved across it. */
static void check_gap(struct watch *w, int64_t mono, int64_t boot, int64_t real)
{
	int64_t gap = mono - w->last_mono;

	if (w->last_mono && gap - w->interval_ns >= WATCH_FREEZE_MIN_NS) {
		struct wrec_event e;

		memset(&e, 0, sizeof(e));
		e.kind = WEV_FREEZE;
		e.value_ns = gap - w->interval_ns;
		e.d_mono_ns = gap;
		e.d_boot_ns = boot - w->last_boot;
		e.d_real_ns = real - w->last_real;
		snprintf(e.text, sizeof(e.text), "no tick for %.3f s", (double)gap / 1e9);
		(void)ring_append(&w->ring, WREC_EVENT, RING_F_EVENT, &e, sizeof(e));
		w->freezes++;
		if (e.value_ns > w->longest_freeze_ns)
			w->longest_freeze_ns = e.value_ns;
	}
	w->last_mono = mono;
	w->last_boot = boot;
	w->last_real = real;
}

/* include/uapi/linux/watchdog.h (musl's headers have no linux/): */
#define WDIOC_KEEPALIVE _IOR('W', 5, int)
#define WDIOC_SETTIMEOUT _IOWR('W', 6, int)
#define WDIOC_GETTIMEOUT _IOR('W', 7, int)

static void event(struct watch *w, int kind, int64_t value_ns, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void event(struct watch *w, int kind, int64_t value_ns, const char *fmt, ...)
{
	struct wrec_event e;
	va_list ap;

	memset(&e, 0, sizeof(e));
	e.kind = (uint16_t)kind;
	e.value_ns = value_ns;
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof(e.text), fmt, ap);
	va_end(ap);
	(void)ring_append(&w->ring, WREC_EVENT, RING_F_EVENT, &e, sizeof(e));
}

/* Arms the watchdog: from here a guest whose recorder stops ticking for
 * the timeout is reset by the device (PVE: watchdog: model=i6300esb,
 * action=reset). The records up to the last routine sync are on disk. */
static void watchdog_arm(struct watch *w, const char *dev, int64_t timeout_ns)
{
	int t = (int)(timeout_ns / 1000000000LL), got = 0;

	w->wd_fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (w->wd_fd < 0) {
		event(w, WEV_WATCHDOG_FAIL, 0, "cannot open %s: %s", dev, strerror(errno));
		fprintf(stderr, "triage watch: --watchdog %s: %s\n", dev, strerror(errno));
		return;
	}
	if (ioctl(w->wd_fd, WDIOC_SETTIMEOUT, &t) != 0 || ioctl(w->wd_fd, WDIOC_GETTIMEOUT, &got) != 0) {
		event(w, WEV_WATCHDOG_FAIL, 0, "%s: setting a %d s timeout: %s", dev, t, strerror(errno));
		fprintf(stderr, "triage watch: --watchdog %s: setting the timeout: %s\n", dev, strerror(errno));
		/* Opening a watchdog starts it: it must be closed the magic way. */
		if (write(w->wd_fd, "V", 1) != 1)
			fprintf(stderr, "triage watch: %s: could not disarm it: it may reset this system\n", dev);
		close(w->wd_fd);
		w->wd_fd = -1;
		return;
	}
	event(w, WEV_WATCHDOG, (int64_t)got * 1000000000LL, "%s armed: reset after %d s without a tick", dev, got);
}

static void watchdog_feed(struct watch *w)
{
	if (w->wd_fd >= 0)
		(void)ioctl(w->wd_fd, WDIOC_KEEPALIVE, 0);
}

static void watchdog_disarm(struct watch *w)
{
	if (w->wd_fd < 0)
		return;
	/* The magic close: a clean stop does not reset the guest. */
	if (write(w->wd_fd, "V", 1) != 1)
		fprintf(stderr, "triage watch: the watchdog refused the magic close: it will reset this system\n");
	close(w->wd_fd);
	w->wd_fd = -1;
}

static void restart_unit(struct watch *w, const char *unit)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("systemctl", "systemctl", "restart", unit, (char *)NULL);
		_exit(127);
	}
	event(w, WEV_RESTART, 0, "systemctl restart %s%s", unit, pid < 0 ? ": fork failed" : "");
}

/* The last step: the record synced, then the file systems, then the
 * kernel's reboot (no shutdown: the service that hangs may be what
 * blocks a clean one). VMTRIAGE_WATCH_NO_REBOOT (the tests) records the
 * decision and stops instead. */
static void reboot_now(struct watch *w)
{
	bool dry = getenv("VMTRIAGE_WATCH_NO_REBOOT") != NULL;

	event(w, WEV_REBOOT, 0, "%s", dry ? "reboot decided; not done (VMTRIAGE_WATCH_NO_REBOOT)" : "rebooting through the kernel");
	(void)ring_sync(&w->ring);
	if (dry) {
		stop_flag = 1;
		return;
	}
	sync();
	reboot(RB_AUTOBOOT);
	fprintf(stderr, "triage watch: reboot: %s\n", strerror(errno));
}

static void probe_step(struct watch *w)
{
	struct watch_probes *ps = &w->probes;

	if (!ps->running)
		return;
	pthread_mutex_lock(&ps->lock);
	for (int i = 0; i < ps->n; i++) {
		struct watch_probe *p = &ps->p[i];
		enum probe_action a = watch_probe_decide(p, ps->failures, ps->restart != NULL, ps->reboot);
		char why[200];
		strlcpy_(why, p->why, sizeof(why));
		if (a == ACT_NONE)
			continue;
		pthread_mutex_unlock(&ps->lock);
		if (a == ACT_RECOVERED) {
			event(w, WEV_PROBE_OK, 0, "%s answers again", p->spec);
		} else {
			event(w, WEV_PROBE_FAIL, 0, "%s: %d failures in a row: %s", p->spec, p->fails, why);
			if (a == ACT_RESTART)
				restart_unit(w, ps->restart);
			else if (a == ACT_REBOOT)
				w->reboot_now = true;
		}
		pthread_mutex_lock(&ps->lock);
	}
	pthread_mutex_unlock(&ps->lock);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* the restarts' systemctl */
}

static int record(struct watch *w, int64_t duration_ns, bool quiet)
{
	int64_t t0 = now_ns(), next = t0;
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	watch_open_sources(w);
	write_start(w);
	if (w->wd_dev)
		watchdog_arm(w, w->wd_dev, w->wd_timeout_ns);
	if (watch_probes_start(&w->probes) < 0)
		fprintf(stderr, "triage watch: cannot start the probes' thread\n");
	while (!stop_flag) {
		int64_t woke, late, probe;

		if (sleep_until_ns(next, &stop_flag) < 0)
			break;
		woke = now_ns();
		late = woke - next;
		check_gap(w, clock_of(CLOCK_MONOTONIC), clock_of(CLOCK_BOOTTIME), clock_of(CLOCK_REALTIME));
		probe = sleep_overshoot_ns(WATCH_PROBE_SLEEP_NS);
		watch_tick(w, late, probe);
		watch_textfile_sample(w, probe);
		watch_textfile_write(w, false);
		probe_step(w);
		(void)ring_tick(&w->ring);
		watchdog_feed(w);
		if (w->reboot_now)
			reboot_now(w);
		if (duration_ns > 0 && now_ns() - t0 >= duration_ns)
			break;
		next += w->interval_ns;
		/* Ticks missed (a freeze, a stop) are not made up in a burst. */
		if (next < now_ns())
			next = now_ns() + w->interval_ns;
	}
	watch_probes_stop(&w->probes);
	if (!w->reboot_now)
		watchdog_disarm(w);
	(void)ring_append(&w->ring, WREC_STOP, 0, NULL, 0);
	ring_close(&w->ring);
	watch_textfile_write(w, true);
	watch_textfile_free(w);
	watch_close_sources(w);
	if (!quiet)
		fprintf(stderr, "triage watch: %llu ticks, %llu records, %llu syncs, %llu write errors, %llu freezes "
				"(longest %.3f s), %llu kernel-log lines, in %s\n",
			(unsigned long long)w->ticks, (unsigned long long)w->ring.writes, (unsigned long long)w->ring.syncs,
			(unsigned long long)w->ring.write_errors, (unsigned long long)w->freezes,
			(double)w->longest_freeze_ns / 1e9, (unsigned long long)w->kmsg_lines, w->ring.path);
	return w->ring.write_errors ? EXIT_ERROR : EXIT_PASS;
}

int cmd_watch(int argc, char **argv)
{
	struct optv v[ARRAY_SIZE(watch_opts)] = { 0 };
	static struct watch w;
	char err[256], why[512];
	const char *dir;
	int pos;

	pos = opt_parse(watch_opts, v, argc, argv, err, sizeof(err));
	if (pos < 0) {
		fprintf(stderr, "triage watch: %s (see --help)\n", err);
		return EXIT_ERROR;
	}
	if (v[WO_HELP].set) {
		printf("usage: triage watch [options]\n\n"
		       "A flight recorder: every interval a heartbeat with CLOCK_MONOTONIC, BOOTTIME and\n"
		       "REALTIME, steal per CPU, PSI, MemTotal, MemAvailable and the balloon, disks with\n"
		       "requests in flight and how long the oldest has waited, a timer-wake probe and\n"
		       "the kernel-log lines the rules classify, into a ring of checksummed records\n"
		       "(DIR/" WATCH_RING_FILE ") that survives a power cut. `triage postmortem` reads it.\n\noptions:\n");
		opt_help(stdout, watch_opts);
		return EXIT_PASS;
	}
	if (pos < argc) {
		fprintf(stderr, "triage watch: unexpected argument '%s'\n", argv[pos]);
		return EXIT_ERROR;
	}
	if (v[WO_INSTALL].set || v[WO_UNINSTALL].set) {
		const char *root = v[WO_ROOT].set ? v[WO_ROOT].str : "/";
		bool enable = !v[WO_NO_ENABLE].set && strcmp(root, "/") == 0;
		return v[WO_INSTALL].set ? watch_install(root, argc, argv, enable) : watch_uninstall(root, enable);
	}
	memset(&w, 0, sizeof(w));
	w.wd_fd = -1;
	w.interval_ns = v[WO_INTERVAL].set ? v[WO_INTERVAL].num : 1000000000LL;
	/* --probe may be given several times: opt_parse keeps the last. */
	for (int i = 1; i < argc; i++) {
		const char *spec = !strcmp(argv[i], "--probe") && i + 1 < argc ? argv[++i] :
				   !strncmp(argv[i], "--probe=", 8)		  ? argv[i] + 8 : NULL;
		if (!spec)
			continue;
		if (w.probes.n == WATCH_MAX_PROBES) {
			fprintf(stderr, "triage watch: at most %d probes\n", WATCH_MAX_PROBES);
			return EXIT_ERROR;
		}
		if (watch_probe_parse(spec, &w.probes.p[w.probes.n], err, sizeof(err)) < 0) {
			fprintf(stderr, "triage watch: %s\n", err);
			return EXIT_ERROR;
		}
		w.probes.n++;
	}
	w.probes.every_ns = v[WO_PROBE_EVERY].set ? v[WO_PROBE_EVERY].num : 10000000000LL;
	w.probes.timeout_ms = (int)((v[WO_PROBE_TIMEOUT].set ? v[WO_PROBE_TIMEOUT].num : 5000000000LL) / 1000000);
	w.probes.failures = v[WO_PROBE_FAILURES].set ? (int)v[WO_PROBE_FAILURES].num : 3;
	w.probes.restart = v[WO_RESTART].set ? v[WO_RESTART].str : NULL;
	w.probes.reboot = v[WO_REBOOT].set;
	w.wd_dev = v[WO_WATCHDOG].set ? v[WO_WATCHDOG].str : NULL;
	w.wd_timeout_ns = v[WO_WATCHDOG_TIMEOUT].set ? v[WO_WATCHDOG_TIMEOUT].num : 60000000000LL;
	if ((w.probes.restart || w.probes.reboot) && !w.probes.n) {
		fprintf(stderr, "triage watch: --restart and --reboot act on a failing --probe: give one\n");
		return EXIT_ERROR;
	}
	dir = v[WO_DIR].set ? v[WO_DIR].str : WATCH_DEFAULT_DIR;
	if (ring_open(&w.ring, dir, WATCH_RING_FILE, "guest", v[WO_SIZE].set ? (size_t)v[WO_SIZE].num : 0, why,
		      sizeof(why)) < 0) {
		fprintf(stderr, "triage watch: %s\n", why);
		return EXIT_ERROR;
	}
	if (v[WO_SYNC].set)
		w.ring.sync_every_ns = v[WO_SYNC].num;
	w.textfile_dir = v[WO_TEXTFILE].set ? v[WO_TEXTFILE].str : NULL;
	w.ring.sync_due_ns = w.ring.last_sync_ns + w.ring.sync_every_ns;
	if (w.ring.recreated && !v[WO_QUIET].set)
		fprintf(stderr, "triage watch: %s was not a ring of this size: kept as %s.old, a new one made\n",
			w.ring.path, w.ring.path);
	return record(&w, v[WO_DURATION].set ? v[WO_DURATION].num : 0, v[WO_QUIET].set);
}
