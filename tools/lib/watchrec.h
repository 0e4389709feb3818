/* The guest's records in the flight recorder's ring (lib/ring.h): what
 * `triage watch` writes each tick and the post-mortem reads back
 * (docs/watch.md, "What a guest records"). Each payload is one of these
 * structs as its bytes (x86-64, little-endian, no padding the compiler
 * chooses: every field is explicitly sized and aligned); a reader copies
 * the payload into a zeroed struct, so a shorter payload from an older
 * writer reads as zeros past its end. Fields are only ever added at the
 * end. */
#ifndef VMTRIAGE_WATCHREC_H
#define VMTRIAGE_WATCHREC_H

#include <stdint.h>

#include "ring.h"

enum wrec_type {
	WREC_START = RING_T_GUEST_FIRST, /* the writer started: struct wrec_start */
	WREC_BEAT,			 /* one tick: struct wrec_beat */
	WREC_STEAL,			 /* steal per CPU, cumulative: struct wrec_steal */
	WREC_DISK,			 /* disks with requests in flight: struct wrec_disk */
	WREC_KMSG,			 /* a kernel-log line a kmsg rule classifies: struct wrec_kmsg */
	WREC_EVENT,			 /* the recorder's own: struct wrec_event */
	WREC_STOP,			 /* the writer stopped cleanly (no payload) */
};

struct wrec_start {
	int64_t interval_ns, sync_ns;
	uint32_t ncpus, pid;
	uint32_t user_hz;		/* /proc/stat's tick (sysconf(_SC_CLK_TCK)) */
	uint32_t pad;
	char boot_id[40];
	char release[64];		/* uname -r */
	char version[32];		/* the writer's */
};

/* Which groups of a beat were read (a file missing or unreadable: 0). */
#define WB_PSI_CPU 0x01
#define WB_PSI_MEM 0x02
#define WB_PSI_IO 0x04
#define WB_PSI_CPU_FULL 0x08	/* cpu's full line (Linux 5.13) */
#define WB_MEM 0x10
#define WB_VMSTAT 0x20		/* balloon and oom_kill */
#define WB_STAT 0x40		/* /proc/stat: steal, ctxt, procs */
#define WB_PROBE 0x80		/* the short-sleep probe ran */

enum { WPSI_CPU, WPSI_MEM, WPSI_IO, WPSI_N };
enum { WPSI_SOME, WPSI_FULL };

struct wrec_beat {
	uint32_t known;			/* WB_* */
	uint32_t procs_running, procs_blocked;
	uint32_t ncpus;
	int64_t tick_late_ns;		/* how late the tick's own sleep (about the interval) woke */
	int64_t probe_late_ns;		/* how late a WATCH_PROBE_SLEEP_NS sleep right after woke */
	uint64_t psi_us[WPSI_N][2];	/* stalled since boot, us: cpu, memory, io x some, full */
	int64_t memtotal_kib, memavail_kib, balloon_kib;
	uint64_t oom_kill;
	uint64_t steal_ticks, total_ticks; /* all CPUs ("cpu" line of /proc/stat) */
	uint64_t ctxt;			/* context switches since boot: did the kernel run? */
	int64_t cost_ns;		/* CPU time the recorder used so far (its own rusage) */
};

#define WREC_STEAL_MAX 48
struct wrec_steal {
	uint16_t first_cpu, n;
	uint32_t pad;
	uint32_t ticks[WREC_STEAL_MAX];	/* steal since boot, mod 2^32 */
};

#define WREC_DISK_MAX 4
struct wrec_disk_one {
	char name[16];
	uint32_t in_flight, in_flight_writes; /* now; writes from /sys/block/NAME/inflight */
	/* How long the oldest request in flight has waited, bounded from
	 * both sides by what the ticks saw (docs/watch.md, "The oldest
	 * request"): at least stuck_ms (requests in flight and none
	 * completed since), at most busy_ms (never none in flight since). */
	uint32_t stuck_ms, busy_ms;
	uint64_t completed, io_ms;
};
struct wrec_disk {
	uint32_t n, pad;
	struct wrec_disk_one d[WREC_DISK_MAX];
};

struct wrec_kmsg {
	int64_t usec;			/* the kernel's timestamp, us since boot; -1 unknown */
	uint16_t rule, pad;		/* index in kmsg_rules when written (rule_id is the name) */
	char rule_id[28];
	char text[160];
};

enum wrec_event_kind {
	WEV_FREEZE = 1,			/* a gap between ticks: value_ns, the clocks' deltas */
	WEV_PROBE_FAIL,			/* text: the probe and why */
	WEV_PROBE_OK,			/* a failing probe answers again */
	WEV_RESTART,			/* a unit restarted (text: which) */
	WEV_REBOOT,			/* rebooting through the kernel now */
	WEV_WATCHDOG,			/* the watchdog armed (value_ns: its timeout) */
	WEV_WATCHDOG_FAIL,		/* could not be armed (text: why) */
};

struct wrec_event {
	uint16_t kind, pad;
	uint32_t pad2;
	int64_t value_ns;
	int64_t d_mono_ns, d_boot_ns, d_real_ns;
	char text[160];
};

_Static_assert(sizeof(struct wrec_start) <= RING_PAYLOAD_MAX, "start fits");
_Static_assert(sizeof(struct wrec_beat) <= RING_PAYLOAD_MAX, "beat fits");
_Static_assert(sizeof(struct wrec_steal) <= RING_PAYLOAD_MAX, "steal fits");
_Static_assert(sizeof(struct wrec_disk) <= RING_PAYLOAD_MAX, "disk fits");
_Static_assert(sizeof(struct wrec_kmsg) <= RING_PAYLOAD_MAX, "kmsg fits");
_Static_assert(sizeof(struct wrec_event) <= RING_PAYLOAD_MAX, "event fits");

/* The short sleep of the timer-wake probe: 1 ms, the scale at which a
 * deep C-state's exit (100 us to several ms) dominates the overshoot, as
 * in `triage wake`'s shortest blocks. */
#define WATCH_PROBE_SLEEP_NS 1000000LL

/* A freeze: a gap between two ticks longer than the interval by at least
 * this. 2 s: well above the scheduling delays of a busy but working guest
 * (docs/watch.md, "Freezes, the threshold": a 0.2 s recorder on 2 cores
 * with PSI cpu some at 99% had its longest gap 0.34 s beyond the interval),
 * and below the freezes people report (SSH not answering: tens of s). */
#define WATCH_FREEZE_MIN_NS 2000000000LL

/* A record's payload as the struct of its type: copied into a zeroed out,
 * at most size bytes. */
void wrec_get(const struct ring_rec *r, void *out, size_t size);

#endif
