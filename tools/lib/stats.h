/* The one statistics module: quantiles of sample sets, two ways.
 *
 * Interpolated (Hyndman and Fan type 7, what numpy and R use by default)
 * for figures a person compares across runs (fill throughput, stalls),
 * and nearest rank for latency tails, where a reported p99 must be a
 * value that was really measured. Both sort a copy; n == 0 gives 0. */
#ifndef VMTRIAGE_STATS_H
#define VMTRIAGE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* q-quantile (0..1), interpolated between the closest ranks. */
double stats_quantile(const double *v, size_t n, double q);
double stats_quantile_u64(const uint64_t *v, size_t n, double q);
double stats_median_u64(const uint64_t *v, size_t n);

/* Nearest rank: the smallest value with at least q of the samples at or
 * below it. p99 of 100 samples is the 99th, of fewer it is the maximum. */
struct order_stats {
	size_t n;
	int64_t min, p50, p99, p999, max;
};
void order_stats_of(const int64_t *x, size_t n, struct order_stats *s);

#endif
