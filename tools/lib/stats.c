#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Type 7 on sorted values. */
static double interp(const double *sorted, size_t n, double q)
{
	double pos, frac;
	size_t lo;

	if (n == 0)
		return 0;
	if (q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	pos = q * (double)(n - 1);
	lo = (size_t)pos;
	frac = pos - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double stats_quantile(const double *v, size_t n, double q)
{
	double *s, r;

	if (n == 0)
		return 0;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r = interp(s, n, q);
	free(s);
	return r;
}

double stats_quantile_u64(const uint64_t *v, size_t n, double q)
{
	double *d, r;

	if (n == 0)
		return 0;
	/* Sorting the doubles sorts the integers: the conversion keeps order. */
	d = xmalloc(n * sizeof(*d));
	for (size_t i = 0; i < n; i++)
		d[i] = (double)v[i];
	qsort(d, n, sizeof(*d), cmp_double);
	r = interp(d, n, q);
	free(d);
	return r;
}

double stats_median_u64(const uint64_t *v, size_t n)
{
	return stats_quantile_u64(v, n, 0.5);
}

static int64_t rank(const int64_t *sorted, size_t n, double q)
{
	size_t k = (size_t)((double)n * q + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1];
}

void order_stats_of(const int64_t *x, size_t n, struct order_stats *s)
{
	int64_t *sorted;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	sorted = xmalloc(n * sizeof(*sorted));
	memcpy(sorted, x, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_i64);
	s->n = n;
	s->min = sorted[0];
	s->p50 = rank(sorted, n, 0.50);
	s->p99 = rank(sorted, n, 0.99);
	s->p999 = rank(sorted, n, 0.999);
	s->max = sorted[n - 1];
	free(sorted);
}
