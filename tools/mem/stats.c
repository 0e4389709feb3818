/* The stall detector and the compact time series (quantiles: lib/stats). */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

#include "lib/stats.h"
#include "lib/util.h"

void mem_find_stalls(const uint64_t *ns, size_t n, double factor, double min_ns, struct mem_stalls *s,
		     size_t *idx, size_t cap)
{
	size_t kept = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n == 0)
		return;
	s->median_ns = stats_median_u64(ns, n);
	s->p99_ns = stats_quantile_u64(ns, n, 0.99);
	s->threshold_ns = factor * s->median_ns > min_ns ? factor * s->median_ns : min_ns;
	for (size_t i = 0; i < n; i++) {
		if ((double)ns[i] > s->max_ns) {
			s->max_ns = (double)ns[i];
			s->worst = i;
		}
		if ((double)ns[i] <= s->threshold_ns)
			continue;
		s->count++;
		/* Keep the cap slowest, slowest first (insertion: cap is small). */
		size_t j = kept < cap ? kept++ : cap;
		while (j > 0 && ns[idx[j - 1]] < ns[i]) {
			if (j < cap)
				idx[j] = idx[j - 1];
			j--;
		}
		if (j < cap)
			idx[j] = i;
	}
}

void mem_series_init(struct mem_series *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	if (cap > MEM_SERIES_CAP)
		cap = MEM_SERIES_CAP;
	s->cap = cap < 2 ? 2 : cap & ~(size_t)1;
	s->stride = 1;
}

/* Folds b into a: a stands for na raw samples, b for nb. */
static void merge(struct mem_sample *a, int na, const struct mem_sample *b, int nb)
{
	double wa = (double)na / (na + nb), wb = (double)nb / (na + nb);

	a->t_s = b->t_s;
	if (b->memtotal_kib < a->memtotal_kib)
		a->memtotal_kib = b->memtotal_kib;
	if (b->memavail_kib < a->memavail_kib)
		a->memavail_kib = b->memavail_kib;
	if (b->balloon_kib > a->balloon_kib)
		a->balloon_kib = b->balloon_kib;
	a->held_kib = b->held_kib;
	a->psi_some_pct = a->psi_some_pct * wa + b->psi_some_pct * wb;
	a->psi_full_pct = a->psi_full_pct * wa + b->psi_full_pct * wb;
	a->majflt += b->majflt;
}

static void push(struct mem_series *s, const struct mem_sample *x)
{
	if (s->n == s->cap) {
		for (size_t i = 0; i < s->cap / 2; i++) {
			struct mem_sample a = s->pt[2 * i];

			merge(&a, s->stride, &s->pt[2 * i + 1], s->stride);
			s->pt[i] = a;
		}
		s->n = s->cap / 2;
		s->stride *= 2;
	}
	s->pt[s->n++] = *x;
}

void mem_series_add(struct mem_series *s, const struct mem_sample *x)
{
	if (s->npending == 0)
		s->pending = *x;
	else
		merge(&s->pending, s->npending, x, 1);
	if (++s->npending >= s->stride) {
		/* push() may double the stride: the pending point is whole
		 * at the stride it was gathered under. */
		push(s, &s->pending);
		s->npending = 0;
	}
}

void mem_series_flush(struct mem_series *s)
{
	if (s->npending) {
		push(s, &s->pending);
		s->npending = 0;
	}
}
