/* triage watch --textfile DIR: the recorder's figures for Prometheus, as a
 * node_exporter textfile (DIR/vmtriage_watch.prom, replaced atomically),
 * written every WATCH_TEXTFILE_NS and when the recorder stops:
 *
 *   vmtriage_watch_freezes_total              freezes seen since the recorder started
 *   vmtriage_watch_freeze_longest_seconds     the longest of them
 *   vmtriage_watch_wake_latency_seconds       summary of the 1 ms probe's lateness over
 *                                             the last WATCH_WAKE_WINDOW ticks (quantiles 0.5, 0.9, 0.99)
 *   vmtriage_watch_steal_seconds_total{cpu}   steal since boot, per CPU
 *   vmtriage_watch_io_stall_seconds_total{disk}  time a disk had requests in flight and
 *                                             none completed, since the recorder started
 *   vmtriage_watch_last_tick_timestamp_seconds   the heartbeat
 *   vmtriage_watch_records_total, vmtriage_watch_write_errors_total */
#include "watch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/stats.h"
#include "lib/util.h"

struct watch_samples {
	double late[WATCH_WAKE_WINDOW];
	int n, pos;
	int64_t last_write_ns;
};

void watch_textfile_sample(struct watch *w, int64_t probe_late_ns)
{
	if (!w->samples)
		w->samples = xcalloc(1, sizeof(*w->samples));
	if (probe_late_ns < 0)
		return;
	w->samples->late[w->samples->pos] = (double)probe_late_ns / 1e9;
	w->samples->pos = (w->samples->pos + 1) % WATCH_WAKE_WINDOW;
	if (w->samples->n < WATCH_WAKE_WINDOW)
		w->samples->n++;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

char *watch_textfile_text(const struct watch *w, size_t *len)
{
	static const double qs[] = { 0.5, 0.9, 0.99 };
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	struct timespec ts;

	if (!f)
		dief("out of memory");
	fputs("# HELP vmtriage_watch_freezes_total Gaps between the recorder's ticks longer than the interval by 2 s or more.\n"
	      "# TYPE vmtriage_watch_freezes_total counter\n", f);
	fprintf(f, "vmtriage_watch_freezes_total %llu\n", (unsigned long long)w->freezes);
	fputs("# HELP vmtriage_watch_freeze_longest_seconds The longest freeze since the recorder started.\n"
	      "# TYPE vmtriage_watch_freeze_longest_seconds gauge\n", f);
	fprintf(f, "vmtriage_watch_freeze_longest_seconds %.9g\n", (double)w->longest_freeze_ns / 1e9);
	fputs("# HELP vmtriage_watch_wake_latency_seconds How late a 1 ms timer sleep woke, over the last ticks.\n"
	      "# TYPE vmtriage_watch_wake_latency_seconds summary\n", f);
	if (w->samples && w->samples->n) {
		int n = w->samples->n;
		double *v = xmalloc((size_t)n * sizeof(*v)), sum = 0;
		memcpy(v, w->samples->late, (size_t)n * sizeof(*v));
		qsort(v, (size_t)n, sizeof(*v), cmp_dbl);
		for (int i = 0; i < n; i++)
			sum += v[i];
		for (size_t q = 0; q < ARRAY_SIZE(qs); q++) {
			/* nearest rank */
			int k = (int)ceil(qs[q] * n) - 1;
			fprintf(f, "vmtriage_watch_wake_latency_seconds{quantile=\"%g\"} %.9g\n", qs[q], v[k < 0 ? 0 : k]);
		}
		fprintf(f, "vmtriage_watch_wake_latency_seconds_sum %.9g\n", sum);
		fprintf(f, "vmtriage_watch_wake_latency_seconds_count %d\n", n);
		free(v);
	}
	fputs("# HELP vmtriage_watch_steal_seconds_total Time the host ran something else while this CPU wanted to run.\n"
	      "# TYPE vmtriage_watch_steal_seconds_total counter\n", f);
	for (int c = 0; c < w->ncpus; c++)
		fprintf(f, "vmtriage_watch_steal_seconds_total{cpu=\"%d\"} %.9g\n", c,
			(double)w->steal_last[c] / (double)(w->user_hz > 0 ? w->user_hz : 100));
	fputs("# HELP vmtriage_watch_io_stall_seconds_total Time a disk had requests in flight and completed none.\n"
	      "# TYPE vmtriage_watch_io_stall_seconds_total counter\n", f);
	for (int i = 0; i < w->ndisks; i++)
		if (w->disks[i].whole)
			fprintf(f, "vmtriage_watch_io_stall_seconds_total{disk=\"%s\"} %.9g\n", w->disks[i].name,
				(double)w->disks[i].stall_ns / 1e9);
	fputs("# HELP vmtriage_watch_last_tick_timestamp_seconds When the recorder last ticked (wall clock).\n"
	      "# TYPE vmtriage_watch_last_tick_timestamp_seconds gauge\n", f);
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "vmtriage_watch_last_tick_timestamp_seconds %lld.%03ld\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	fputs("# HELP vmtriage_watch_records_total Records written to the ring since the recorder started.\n"
	      "# TYPE vmtriage_watch_records_total counter\n", f);
	fprintf(f, "vmtriage_watch_records_total %llu\n", (unsigned long long)w->ring.writes);
	fputs("# HELP vmtriage_watch_write_errors_total Records that could not be written.\n"
	      "# TYPE vmtriage_watch_write_errors_total counter\n", f);
	fprintf(f, "vmtriage_watch_write_errors_total %llu\n", (unsigned long long)w->ring.write_errors);
	fclose(f);
	return text;
}

void watch_textfile_write(struct watch *w, bool now)
{
	char path[600], err[700];
	size_t len;
	char *text;

	if (!w->textfile_dir)
		return;
	if (!w->samples)
		w->samples = xcalloc(1, sizeof(*w->samples));
	if (!now && now_ns() - w->samples->last_write_ns < WATCH_TEXTFILE_NS)
		return;
	w->samples->last_write_ns = now_ns();
	snprintf(path, sizeof(path), "%s/vmtriage_watch.prom", w->textfile_dir);
	text = watch_textfile_text(w, &len);
	if (file_replace(path, text, len, false, NULL, err, sizeof(err)) < 0 && !w->textfile_warned) {
		fprintf(stderr, "triage watch: --textfile: %s\n", err);
		w->textfile_warned = true;
	}
	free(text);
}

void watch_textfile_free(struct watch *w)
{
	free(w->samples);
	w->samples = NULL;
}
