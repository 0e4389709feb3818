/* The post-mortem's reader of the flight recorder (`triage watch`'s ring,
 * docs/watch.md): ROOT/var/lib/vmtriage/watch.ring of each suspect system,
 * turned into episodes (freezes, stalls, steal, I/O stalls, the balloon
 * before an OOM, late wake-ups, a record that ends without a stop) and
 * their prev.watch.* findings, and a timeline of the last minutes. */
#ifndef VMTRIAGE_POSTMORTEM_RECORD_H
#define VMTRIAGE_POSTMORTEM_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/check.h"
#include "lib/json.h"
#include "lib/ring.h"

#define PM_REC_DIR "/var/lib/vmtriage"
#define PM_REC_MAX_RINGS 8
#define PM_REC_MAX_EPISODES 256

enum pm_ep_kind {
	EP_FREEZE,		/* no tick for longer than the interval + WATCH_FREEZE_MIN_NS */
	EP_STALL,		/* PSI full (memory or io) high for a while */
	EP_STEAL,		/* steal high for a while */
	EP_IO_STALL,		/* requests in flight, none completing */
	EP_BALLOON_OOM,		/* the balloon grew, then an OOM kill */
	EP_WAKE,		/* timer wake-ups late */
	EP_RECORD_END,		/* a run of the recorder ended without its stop record */
	EP_NKINDS
};

/* Why a freeze happened, from what the record shows around it. */
enum pm_freeze_cause {
	FC_PAUSED,		/* nothing ran, no steal: the host stopped running the VM */
	FC_HOST_BUSY,		/* steal: the host ran something else */
	FC_RECORDER,		/* the guest's kernel kept switching tasks: only the recorder stopped */
	FC_SUSPENDED,		/* CLOCK_BOOTTIME ran ahead of CLOCK_MONOTONIC: the guest was suspended */
};

struct pm_episode {
	enum pm_ep_kind kind;
	int ring;
	int64_t start_real_ns, end_real_ns; /* wall time (the writer's clock) */
	double duration_s;
	/* kind-specific */
	enum pm_freeze_cause cause;
	double d_mono_s, d_boot_s, d_real_s; /* freeze: how far each clock moved across the gap */
	double steal_before_pct, steal_in_pct; /* freeze: steal share before it, and across it */
	double ctxt_share;		/* freeze: context switches in the gap / what the rate before predicts; <0 unknown */
	int logged_inside;		/* freeze: kernel-log records stamped inside the gap */
	char what[32];			/* stall: "memory" or "io"; io-stall: the disk */
	double peak;			/* stall/steal: peak share %; io-stall: longest wait s; balloon: MiB grown; wake: worst ms */
	double mean;			/* stall/steal: mean share %; wake: median ms of the late ones */
	long long count;		/* wake: late wake-ups; io-stall: most requests in flight; stall: most tasks running */
	double extra;			/* io-stall: at most (busy) s; balloon: MemTotal drop MiB; record-end: s until the next start (<0 unknown) */
};

struct pm_rec_ring {
	char path[600];
	struct ring_scan scan;		/* header and counts (records freed after analysis) */
	int64_t first_real_ns, last_real_ns;
	int runs;			/* start records seen */
	bool clean_stop;		/* its newest run ended with a stop record */
	bool current;			/* its newest run is this system's running boot */
	double interval_s;		/* the newest run's */
};

#define PM_TL_POINTS 300
#define PM_TL_SPAN_S 300.0		/* the timeline: the last 5 minutes before the record ends */
enum { TL_LATE_MS, TL_STEAL_PCT, TL_PSI_FULL_PCT, TL_PSI_CPU_PCT, TL_AVAIL_MIB, TL_BALLOON_MIB, TL_IO_STUCK_S, TL_N };

struct pm_flight {
	struct pm_rec_ring rings[PM_REC_MAX_RINGS];
	int nrings;
	struct pm_episode ep[PM_REC_MAX_EPISODES];
	int nep, ep_lost;
	/* the timeline of the ring whose record ends last */
	int tl_ring;			/* -1: none */
	int64_t tl_end_real_ns;
	int tl_n;
	double tl_t[PM_TL_POINTS];	/* s before the end (<= 0) */
	double tl[TL_N][PM_TL_POINTS];	/* NaN: no tick in that part */
	char current_boot[40];		/* boot_id of the system running now when reading /, else "" */
};

void pm_flight_init(struct pm_flight *r, const char *current_boot_id);
/* Reads ROOT/var/lib/vmtriage/watch.ring (vardir: ROOT/var, for a
 * separate /var filesystem; either may be NULL) if there is one. */
void pm_flight_read(struct pm_flight *r, struct check *c, const char *root, const char *vardir);
/* The same for one ring file, and the analysis of its bytes (pure: the
 * unit tests and the fuzz target feed it). */
void pm_flight_read_file(struct pm_flight *r, struct check *c, const char *path);
void pm_flight_analyse(struct pm_flight *r, const uint8_t *buf, size_t len, const char *path);
bool pm_flight_found(const struct pm_flight *r);
/* data.record, metrics, and the prev.watch.* findings. */
void pm_flight_write_data(const struct pm_flight *r, struct jw *w);
void pm_flight_write_metrics(const struct pm_flight *r, struct jw *m);
void pm_flight_write_findings(const struct pm_flight *r, struct check *c);
const char *pm_episode_kind_name(enum pm_ep_kind k);
const char *pm_freeze_cause_name(enum pm_freeze_cause c);

#endif
