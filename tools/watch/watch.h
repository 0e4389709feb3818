/* triage watch: the flight recorder in a guest (docs/watch.md). */
#ifndef VMTRIAGE_WATCH_H
#define VMTRIAGE_WATCH_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/kmsg.h"
#include "lib/ring.h"
#include "lib/watchrec.h"

#define WATCH_DEFAULT_DIR "/var/lib/vmtriage"
#define WATCH_RING_FILE "watch.ring"
#define WATCH_MAX_CPUS 1024
#define WATCH_MAX_DISKS 64

/* Per whole disk: what the ticks saw of its requests (docs/watch.md,
 * "The oldest request"). */
struct watch_disk {
	char name[32];
	bool whole;			/* /sys/block/NAME exists, not loop or ram */
	bool seen;			/* in this tick's /proc/diskstats */
	int64_t completed, io_ms;
	int64_t zero_ns;		/* the last tick with nothing in flight (or the first tick) */
	int64_t stuck_ns;		/* since this tick requests were in flight and none completed; -1 */
	int64_t last_ns;		/* the tick that last saw it */
	int64_t stall_ns;		/* time in flight with nothing completing, summed tick to tick */
};

struct watch_samples;			/* textfile.c: the figures for Prometheus */

/* probe.c: --probe */
enum probe_kind { PROBE_TCP, PROBE_HTTP, PROBE_UNIT };
#define WATCH_MAX_PROBES 8
struct watch_probe {
	enum probe_kind kind;
	char spec[300];
	char target[256], port[16], path[256];
	/* the probe thread's, under the lock */
	int fails;			/* consecutive failures */
	long long results;
	char why[200];
	/* the tick loop's */
	int stage, fails_at_stage;	/* 0 fine, 1 acted once (restart), 2 rebooting */
};
struct watch_probes {
	struct watch_probe p[WATCH_MAX_PROBES];
	int n;
	int64_t every_ns;
	int timeout_ms, failures;
	const char *restart;		/* --restart UNIT */
	bool reboot;			/* --reboot */
	pthread_mutex_t lock;
	pthread_t thread;
	bool running, stop;
};
enum probe_action { ACT_NONE, ACT_REPORT, ACT_RESTART, ACT_REBOOT, ACT_RECOVERED };
int watch_probe_parse(const char *spec, struct watch_probe *p, char *err, size_t errlen);
/* One probe now: 0 alive, -1 not (why says what). */
int watch_probe_once(const struct watch_probe *p, int timeout_ms, char *why, size_t size);
int watch_probes_start(struct watch_probes *ps);
void watch_probes_stop(struct watch_probes *ps);
/* The escalation (pure; unit-tested): after `failures` failures in a row,
 * restart the unit if there is one to restart (else reboot if allowed,
 * else only report); after as many more, reboot if allowed; a success
 * after any of it is a recovery. */
enum probe_action watch_probe_decide(struct watch_probe *p, int failures, bool can_restart, bool can_reboot);

struct watch {
	struct ring_writer ring;
	int64_t interval_ns;
	int fd_stat, fd_meminfo, fd_vmstat, fd_diskstats, fd_psi[WPSI_N];
	struct kmsg_watch km;
	bool has_kmsg;
	int ncpus;			/* cpuN lines in /proc/stat at the start */
	uint32_t steal_last[WATCH_MAX_CPUS];
	bool steal_written;
	struct watch_disk disks[WATCH_MAX_DISKS];
	int ndisks;
	int64_t last_mono, last_boot, last_real; /* the previous tick's clocks; 0 before the first */
	uint64_t ticks, freezes, kmsg_lines;
	int64_t longest_freeze_ns;
	int user_hz;
	const char *textfile_dir;	/* --textfile */
	bool textfile_warned;
	char *statbuf;			/* /proc/stat and /proc/vmstat: sized once */
	size_t statbuf_size;
	struct watch_samples *samples;
	struct watch_probes probes;
	int wd_fd;			/* --watchdog: the device, -1 when not armed */
	const char *wd_dev;
	int64_t wd_timeout_ns;
	bool reboot_now;		/* a probe's last step: reboot after this tick's sync */
};

/* sample.c */
void watch_open_sources(struct watch *w);
void watch_close_sources(struct watch *w);
/* Reads everything of one tick into the ring: the beat, steal per CPU
 * when it moved, disks with requests in flight, kernel-log lines. */
void watch_tick(struct watch *w, int64_t tick_late_ns, int64_t probe_late_ns);
/* The disk bookkeeping of one tick (pure: unit-tested). */
void watch_disk_update(struct watch_disk *d, int64_t completed, int64_t in_flight, int64_t now_ns);
/* Whole disks only: not a partition (no /sys/block/NAME under sys_block),
 * not loop or ram. */
bool watch_disk_is_whole(const char *sys_block, const char *name);

/* textfile.c: --textfile DIR */
#define WATCH_TEXTFILE_NS 10000000000LL	/* at most one textfile per 10 s: node_exporter scrapes at 15 s or more */
#define WATCH_WAKE_WINDOW 600		/* the probe samples the wake-latency summary covers: 10 minutes at 1 s */
void watch_textfile_sample(struct watch *w, int64_t probe_late_ns);
void watch_textfile_write(struct watch *w, bool now);
/* The textfile's text (exposed for the unit test); caller frees. */
char *watch_textfile_text(const struct watch *w, size_t *len);
void watch_textfile_free(struct watch *w);

/* install.c */
int watch_install(const char *root, int argc, char **argv, bool enable);
int watch_uninstall(const char *root, bool enable);
/* The unit's text: ExecStart=exe watch ARGS (argv without --install,
 * --uninstall and --root). Exposed for the unit test; caller frees. */
char *watch_unit_text(const char *exe, int argc, char **argv);

#endif
