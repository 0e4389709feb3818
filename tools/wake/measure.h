/* triage wake: the measuring part (sleeps, bursts, sysfs and procfs). */
#ifndef VMTRIAGE_WAKE_MEASURE_H
#define VMTRIAGE_WAKE_MEASURE_H

#include <stdint.h>

#include "wake.h"

/* SCHED_FIFO for the calling thread. Returns 0 or an errno value. */
int wake_realtime(int prio);

/* The cpuidle states of a CPU with their cumulative counters; 0 when the
 * kernel has none (no cpuidle driver, as in most minimal guests). */
int wake_read_cstates(int cpu, struct wake_cstate *st, int max);
/* Turns after into the deltas since before (same states, same order). */
void wake_cstates_delta(struct wake_cstate *after, const struct wake_cstate *before, int n);

/* Steal time of one CPU from /proc/stat, in ms; -1 if unknown. */
double wake_steal_ms(int cpu);

/* Holds every CPU's idle shallow: writes a binary 32-bit 0 to
 * /dev/cpu_dma_latency; the request lasts while the fd stays open.
 * Returns the fd, or -1 with the reason in why. *now is what the kernel
 * reports back as the latency limit in force (us), -1 if unreadable. */
int wake_hold_shallow(char *why, size_t whylen, int *now);

/* Prepares the burst's data (once). */
void wake_burst_init(void);

/* Samples a block on the current CPU: until `samples` wake-ups if > 0,
 * else for about budget_ns, the warm burst reference included. */
void wake_sample_block(struct wake_block *b, int64_t budget_ns, long samples);

/* The tool's own floor: back-to-back clock reads, and the overshoot of an
 * absolute sleep whose deadline is already now. */
void wake_floor(struct order_stats *gettime, struct order_stats *sleep0);

#endif
