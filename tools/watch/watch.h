/* triage watch: the flight recorder in a guest (docs/watch.md). */
#ifndef VMTRIAGE_WATCH_H
#define VMTRIAGE_WATCH_H

#include <signal.h>
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
};

struct watch_samples;			/* textfile.c: the figures for Prometheus */

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
	char *statbuf;			/* /proc/stat and /proc/vmstat: sized once */
	size_t statbuf_size;
	struct watch_samples *samples;
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

/* install.c */
int watch_install(const char *root, int argc, char **argv, bool enable);
int watch_uninstall(const char *root, bool enable);
/* The unit's text: ExecStart=exe watch ARGS (argv without --install,
 * --uninstall and --root). Exposed for the unit test; caller frees. */
char *watch_unit_text(const char *exe, int argc, char **argv);

#endif
