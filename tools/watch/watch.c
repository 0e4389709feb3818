/* triage watch: a flight recorder for a guest that freezes when nobody is
 * looking (docs/watch.md). Every interval it records a heartbeat with the
 * three clocks, steal per CPU, PSI, memory and the balloon, disks with
 * requests in flight and how long the oldest has waited, a timer-wake
 * probe, and kernel-log lines the kmsg rules classify, into a bounded ring
 * of checksummed records (lib/ring.h) that a power cut cannot make lie.
 * The post-mortem reads it back. */
#include "watch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lib/opts.h"
#include "lib/util.h"

enum {
	O_INTERVAL, O_DURATION, O_DIR, O_SIZE, O_SYNC, O_INSTALL, O_UNINSTALL, O_ROOT, O_NO_ENABLE, O_QUIET, O_HELP, O_N
};

const struct opt watch_opts[] = {
	[O_INTERVAL] = { "interval", 'i', OPT_DURATION, "TIME", "time between records (default 1s)", 10000000LL, 3600000000000LL },
	[O_DURATION] = { "duration", 'd', OPT_DURATION, "TIME", "stop after TIME (default: run until SIGTERM)", 0, 0 },
	[O_DIR] = { "dir", 0, OPT_STR, "DIR", "where the ring is (default " WATCH_DEFAULT_DIR ")", 0, 0 },
	[O_SIZE] = { "size", 0, OPT_SIZE, "BYTES", "the ring file's size (default 8M)", 8192, 1LL << 30 },
	[O_SYNC] = { "sync", 0, OPT_DURATION, "TIME", "at most one routine fdatasync per TIME (default 5s; events sync at once)",
		     0, 3600000000000LL },
	[O_INSTALL] = { "install", 0, OPT_FLAG, NULL, "write the systemd unit running this command (the other options as given) and enable it", 0, 0 },
	[O_UNINSTALL] = { "uninstall", 0, OPT_FLAG, NULL, "disable and remove the unit", 0, 0 },
	[O_ROOT] = { "root", 0, OPT_STR, "DIR", "with --install/--uninstall: the system's root (default /; not / : no systemctl)", 0, 0 },
	[O_NO_ENABLE] = { "no-enable", 0, OPT_FLAG, NULL, "with --install/--uninstall: write or remove the file only", 0, 0 },
	[O_QUIET] = { "quiet", 'q', OPT_FLAG, NULL, "no summary on stderr", 0, 0 },
	[O_HELP] = { "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
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

static int record(struct watch *w, int64_t duration_ns, bool quiet)
{
	int64_t t0 = now_ns(), next = t0;
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	watch_open_sources(w);
	write_start(w);
	while (!stop_flag) {
		int64_t woke, late, probe;

		if (sleep_until_ns(next, &stop_flag) < 0)
			break;
		woke = now_ns();
		late = woke - next;
		check_gap(w, clock_of(CLOCK_MONOTONIC), clock_of(CLOCK_BOOTTIME), clock_of(CLOCK_REALTIME));
		probe = sleep_overshoot_ns(WATCH_PROBE_SLEEP_NS);
		watch_tick(w, late, probe);
		(void)ring_tick(&w->ring);
		if (duration_ns > 0 && now_ns() - t0 >= duration_ns)
			break;
		next += w->interval_ns;
		/* Ticks missed (a freeze, a stop) are not made up in a burst. */
		if (next < now_ns())
			next = now_ns() + w->interval_ns;
	}
	(void)ring_append(&w->ring, WREC_STOP, 0, NULL, 0);
	ring_close(&w->ring);
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
	if (v[O_HELP].set) {
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
	if (v[O_INSTALL].set || v[O_UNINSTALL].set) {
		const char *root = v[O_ROOT].set ? v[O_ROOT].str : "/";
		bool enable = !v[O_NO_ENABLE].set && strcmp(root, "/") == 0;
		return v[O_INSTALL].set ? watch_install(root, argc, argv, enable) : watch_uninstall(root, enable);
	}
	memset(&w, 0, sizeof(w));
	w.interval_ns = v[O_INTERVAL].set ? v[O_INTERVAL].num : 1000000000LL;
	dir = v[O_DIR].set ? v[O_DIR].str : WATCH_DEFAULT_DIR;
	if (ring_open(&w.ring, dir, WATCH_RING_FILE, "guest", v[O_SIZE].set ? (size_t)v[O_SIZE].num : 0, why,
		      sizeof(why)) < 0) {
		fprintf(stderr, "triage watch: %s\n", why);
		return EXIT_ERROR;
	}
	if (v[O_SYNC].set)
		w.ring.sync_every_ns = v[O_SYNC].num;
	w.ring.sync_due_ns = w.ring.last_sync_ns + w.ring.sync_every_ns;
	if (w.ring.recreated && !v[O_QUIET].set)
		fprintf(stderr, "triage watch: %s was not a ring of this size: kept as %s.old, a new one made\n",
			w.ring.path, w.ring.path);
	return record(&w, v[O_DURATION].set ? v[O_DURATION].num : 0, v[O_QUIET].set);
}
