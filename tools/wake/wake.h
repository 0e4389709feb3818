/* triage wake: the pure part (statistics, histogram, judgement, recorded
 * sample files), shared by the check and its unit tests. The measuring
 * itself lives in measure.c, the command in wake.c. */
#ifndef VMTRIAGE_WAKE_H
#define VMTRIAGE_WAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/hypervisor.h"
#include "lib/stats.h"

enum wake_run { WAKE_DEFAULT, WAKE_SHALLOW, WAKE_NRUNS };
extern const char *const wake_run_names[WAKE_NRUNS];


/* Log-scale histogram, 4 buckets per decade from 1 us to 1 s: bucket 0
 * holds [0, 1 us), bucket k holds [edge[k-1], edge[k]), the last >= 1 s. */
#define WAKE_HIST_EDGES 25
#define WAKE_HIST_BUCKETS (WAKE_HIST_EDGES + 1)
extern const int64_t wake_hist_edge_ns[WAKE_HIST_EDGES];

/* One cpuidle state of one CPU: what sysfs claims, and how much it was
 * used during a block (deltas). */
#define WAKE_MAX_STATES 16
struct wake_cstate {
	char name[32];
	long long latency_us, residency_us; /* claimed exit latency, target residency */
	bool disabled;
	long long usage, time_us;	    /* entries and time spent, over the block */
};

/* One (run, CPU, idle length) block: the raw samples and what follows. */
struct wake_block {
	enum wake_run run;
	int cpu;
	int64_t idle_ns;
	int64_t elapsed_ns;
	double steal_ms;
	int64_t *over, *cold, *warm; /* overshoot, burst after wake, burst warm (ns) */
	size_t n, nwarm, cap, capwarm;
	int nstates;
	struct wake_cstate states[WAKE_MAX_STATES];
	/* filled by wake_block_finish() */
	struct order_stats os, cold_st, warm_st; /* nearest rank, ns */
	uint64_t hist[WAKE_HIST_BUCKETS];
};

/* Where the samples were taken: it decides which thresholds apply. */
struct wake_env {
	bool vm;	   /* a guest: the host's idle and scheduling show up here */
	bool tcg;	   /* emulated: ms-level jitter is the emulator's own */
	bool cpuidle;	   /* the kernel has idle states to choose from */
	bool shallow_held; /* the shallow sweep ran with /dev/cpu_dma_latency at 0 */
};

/* A stall anyone notices, in a guest or on a host: 80 ms. In a guest the
 * figures include the host's scheduling, and under QEMU/TCG the emulator's
 * own jitter: the image under TCG with 2 vCPUs, on a 2-core host that also
 * ran another QEMU and builds, showed maxima of 13 to 51 ms (nine quick
 * runs: 38, 18, 51, 13, 46, 44, 26, 33, 43 ms). A vCPU stopped for 150 ms (the boot tests' SIGSTOP/SIGCONT
 * of QEMU; a host that swaps, suspends or snapshots the guest) overshoots
 * by up to the whole pause: 111 to 154 ms measured, 130 ms or more when
 * it hits a sleep of 20 ms or less. 80 ms leaves a margin of about 1.5 on
 * each side (50 ms, the first guess, was crossed once without any pause).
 * One such stall warns; one in a hundred wake-ups (p99) fails. */
#define WAKE_STALL_SEVERE_NS 80000000LL

#define WAKE_NO_FINDING (-1)

/* What the samples say, ready to be written as findings; severities are
 * enum severity values of lib/check.h or WAKE_NO_FINDING. */
struct wake_verdict {
	int64_t claim_ns; /* exit latency of the deepest enabled idle state, -1 if none */

	int stall_sev;
	const struct wake_block *stall;	 /* the block that decided it */
	const char *stall_stat;		 /* "p99", "p50" or "max" */
	int64_t stall_value_ns, stall_limit_ns;
	int stall_blocks;		 /* blocks over their limit */
	size_t stall_samples;		 /* samples over the limit, all blocks */
	const struct wake_block *worst_max;  /* over both sweeps */
	const struct wake_block *worst_p99;  /* the default sweep's, tails first */

	int share_sev;
	const struct wake_block *share_default, *share_shallow;
	int64_t share_p50_ns, share_p99_ns; /* default minus shallow */
	double share_p50, share_p99;	    /* the same as a fraction of default */

	int burst_sev;
	const struct wake_block *burst;
	double burst_ratio;
	int64_t burst_extra_ns;

	int steal_sev;
	int steal_cpu;
	double steal_ms, steal_pct;
};

int wake_hist_bucket(int64_t ns);
void wake_hist_fill(const int64_t *x, size_t n, uint64_t *hist);

/* Sample storage of a block, and the statistics once it is complete. */
void wake_block_push(struct wake_block *b, int64_t over, int64_t cold);
void wake_block_push_warm(struct wake_block *b, int64_t warm);
void wake_block_finish(struct wake_block *b);
void wake_block_free(struct wake_block *b);

/* The deepest enabled idle state's claimed exit latency over the default
 * run's blocks, or -1 when no block saw any idle state. */
int64_t wake_claim_ns(const struct wake_block *b, int nb);
/* The stall threshold a block is judged against, and which statistic. */
int64_t wake_stall_limit_ns(const struct wake_env *env, int64_t claim_ns);

/* The shallow sweep's block for the same CPU and idle length, or NULL. */
const struct wake_block *wake_twin(const struct wake_block *b, int nb, const struct wake_block *d);

void wake_judge(const struct wake_env *env, const struct wake_block *b, int nb, struct wake_verdict *v);

/* How far a clocksource can be trusted for these figures. */
enum wake_clock_trust { CLOCK_TRUSTED, CLOCK_SLOW, CLOCK_COARSE, CLOCK_UNKNOWN };
enum wake_clock_trust wake_clock_trust(const char *current);
const char *wake_clock_trust_name(enum wake_clock_trust t);

/* Recorded samples: the format `triage wake --record FILE` writes and the
 * unit tests read (tests/unit/data/wake/). Returns 0, or -1 with a message. */
void wake_save(FILE *f, const struct wake_env *env, const struct wake_block *b, int nb);
int wake_load(const char *path, struct wake_env *env, struct wake_block **b, int *nb, char *err, size_t errlen);

/* ---- the JSON (wake.c) ---- */

struct check;

/* What a sweep covers and how long each block lasts. */
struct wake_sweep {
	const int *cpus;
	int ncpus;
	const long long *dur;
	int ndur;
	int64_t block_ns;
	long samples;	/* > 0: this many wake-ups per block instead of block_ns */
	int nblocks;	/* over both sweeps, for the progress bar */
	int done;
};

/* The facts around the measurement that the JSON reports. */
struct wake_context {
	struct hypervisor hv;
	struct wake_env env;
	char clock_cur[64], clock_avail[256];
	char idle_driver[64], idle_governor[64];
	char loadavg[64];
	const char *shallow_reason;
	bool realtime;
	long timer_slack_ns;
	struct order_stats floor_read, floor_sleep0;
	struct wake_cstate states[WAKE_MAX_STATES]; /* claimed by the first CPU's cpuidle */
	int nstates;
};

/* Metrics, data and findings of judged blocks into the check: what the
 * command writes after measuring, and what the unit test drives with
 * recorded samples (shallow_now: the latency limit read back, -1 none). */
void wake_write(struct check *c, const struct wake_context *x, const struct wake_verdict *v,
		const struct wake_block *b, int nb, const struct wake_sweep *s, int shallow_now);

#endif
