/* The post-mortem's reader of the flight recorder (record.h). */
#include "postmortem/record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/kmsg.h"
#include "lib/util.h"
#include "lib/watchrec.h"

/* A stall: PSI "full" (every non-idle task waiting) of memory or io at
 * 10% or more of the time for 5 s or more: beyond the short bursts of
 * reclaim or writeback a healthy guest shows, and long enough for a
 * person at the console to notice. */
#define STALL_FULL_SHARE 0.10
#define STALL_MIN_S 5.0
/* Steal: 10% of the vCPUs' time taken by the host for 10 s or more. A
 * host that is not overcommitted shows under 1-2%. */
#define STEAL_SHARE 0.10
#define STEAL_MIN_S 10.0
/* Before a freeze: 5% steal says the host was busy then. */
#define FREEZE_STEAL_BUSY 0.05
/* A freeze the kernel ran through: at least half the context switches
 * the rate before the gap predicts happened inside it. A VM that does not
 * run switches nothing; a recorder that was stopped or starved misses
 * ticks while the rest of the guest goes on at about its usual rate. */
#define FREEZE_KERNEL_RAN_SHARE 0.5
/* Suspended: CLOCK_BOOTTIME ahead of CLOCK_MONOTONIC across the gap by 1 s. */
#define FREEZE_SUSPEND_NS 1000000000LL
#define FREEZE_LOOKBACK 10	/* beats before a freeze for its steal and context-switch rate */
/* An I/O stall: requests in flight and none completing for 5 s. A healthy
 * virtio disk completes something within tens of ms; 5 s is past what
 * even a saturated one shows between completions (and past the point
 * where the guest's own hung-task watchdog starts at 120 s). */
#define IO_STALL_MIN_MS 5000
/* The balloon before an OOM: 64 MiB or more taken in the 10 minutes
 * before it (mem's SHRINK_MIN_KIB scale: less is page churn). */
#define BALLOON_GROW_MIN_KIB (64 * 1024)
#define BALLOON_LOOKBACK_NS (600LL * 1000000000LL)
/* A late wake-up: 80 ms, the stall anyone notices as `triage wake`
 * judges it (tools/wake/wake.h, WAKE_STALL_SEVERE_NS, with its
 * measurements). */
#define WAKE_LATE_NS 80000000LL

struct beat {
	int64_t mono, boot, real;
	int run;
	struct wrec_beat b;
};
struct kline {
	int64_t mono, real;
	int run;
	bool oom;
};
struct dsk {
	int64_t mono, real;
	int run;
	struct wrec_disk_one d;
};
struct run {
	int64_t interval_ns;
	char boot_id[40];
	bool stopped, has_start;
	int64_t start_real;
	int first, last;	/* beats */
};

struct work {
	struct beat *b;
	int nb;
	struct kline *k;
	int nk;
	struct dsk *d;
	int nd;
	struct run *r;
	int nr;
};

static const char *const kind_names[EP_NKINDS] = {
	[EP_FREEZE] = "freeze",	     [EP_STALL] = "stall",	 [EP_STEAL] = "steal",
	[EP_IO_STALL] = "io_stall",  [EP_BALLOON_OOM] = "balloon_oom", [EP_WAKE] = "wake",
	[EP_RECORD_END] = "record_end",
};
static const char *const cause_names[] = {
	[FC_PAUSED] = "paused", [FC_HOST_BUSY] = "host_busy", [FC_RECORDER] = "recorder", [FC_SUSPENDED] = "suspended",
};

const char *pm_episode_kind_name(enum pm_ep_kind k)
{
	return (unsigned)k < EP_NKINDS ? kind_names[k] : "?";
}

const char *pm_freeze_cause_name(enum pm_freeze_cause c)
{
	return (unsigned)c < ARRAY_SIZE(cause_names) ? cause_names[c] : "?";
}

void pm_flight_init(struct pm_flight *r, const char *current_boot_id)
{
	memset(r, 0, sizeof(*r));
	r->tl_ring = -1;
	if (current_boot_id)
		strlcpy_(r->current_boot, current_boot_id, sizeof(r->current_boot));
}

bool pm_flight_found(const struct pm_flight *r)
{
	return r->nrings > 0;
}

static struct pm_episode *add_ep(struct pm_flight *r, enum pm_ep_kind kind, int ring)
{
	struct pm_episode *e;

	if (r->nep == PM_REC_MAX_EPISODES) {
		r->ep_lost++;
		return NULL;
	}
	e = &r->ep[r->nep++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->ring = ring;
	e->ctxt_share = -1;
	return e;
}

/* ---- the records into arrays, split into runs of the writer ---- */

static void new_run(struct work *w, const struct ring_rec *rec, const struct wrec_start *st)
{
	struct run *r;

	w->r = xrealloc(w->r, (size_t)(w->nr + 1) * sizeof(*w->r));
	r = &w->r[w->nr++];
	memset(r, 0, sizeof(*r));
	r->first = w->nb;
	r->last = w->nb - 1;
	r->start_real = rec->real_ns;
	if (st) {
		r->has_start = true;
		/* the writer's range (watch_opts: 10 ms to 1 h); else estimated */
		r->interval_ns = st->interval_ns >= 10000000LL && st->interval_ns <= 3600000000000LL ? st->interval_ns : 0;
		strlcpy_(r->boot_id, st->boot_id, sizeof(r->boot_id));
	}
}

/* Figures from the file are anything: clocks and sizes are clamped to
 * [0, 2^62] here, so that no difference or sum of two can overflow. */
#define CLAMP_MAX (1LL << 62)
static int64_t clamp(int64_t v)
{
	return v < 0 ? 0 : v > CLAMP_MAX ? CLAMP_MAX : v;
}

static void clamp_rec(struct ring_rec *r)
{
	r->mono_ns = clamp(r->mono_ns);
	r->boot_ns = clamp(r->boot_ns);
	r->real_ns = clamp(r->real_ns);
}

static void split(struct work *w, const struct ring_scan *s)
{
	int64_t last_mono = 0;

	w->b = xcalloc(s->n + 1, sizeof(*w->b));
	w->k = xcalloc(s->n + 1, sizeof(*w->k));
	w->d = xcalloc(s->n * WREC_DISK_MAX + 1, sizeof(*w->d));
	for (size_t i = 0; i < s->n; i++) {
		struct ring_rec *rec = &s->recs[i];

		clamp_rec(rec);
		if (rec->type == WREC_START) {
			struct wrec_start st;
			wrec_get(rec, &st, sizeof(st));
			new_run(w, rec, &st);
		} else if (w->nr == 0 || rec->mono_ns < last_mono) {
			/* The oldest records of a ring that wrapped, or a reboot whose
			 * start record is gone: a run without its start. */
			new_run(w, rec, NULL);
		}
		last_mono = rec->mono_ns;
		struct run *run = &w->r[w->nr - 1];
		switch (rec->type) {
		case WREC_BEAT: {
			struct beat *b = &w->b[w->nb++];
			b->mono = rec->mono_ns;
			b->boot = rec->boot_ns;
			b->real = rec->real_ns;
			b->run = w->nr - 1;
			wrec_get(rec, &b->b, sizeof(b->b));
			b->b.memtotal_kib = clamp(b->b.memtotal_kib);
			b->b.memavail_kib = clamp(b->b.memavail_kib);
			b->b.balloon_kib = clamp(b->b.balloon_kib);
			b->b.tick_late_ns = clamp(b->b.tick_late_ns);
			b->b.probe_late_ns = clamp(b->b.probe_late_ns);
			run->last = w->nb - 1;
			break;
		}
		case WREC_KMSG: {
			struct wrec_kmsg km;
			wrec_get(rec, &km, sizeof(km));
			km.rule_id[sizeof(km.rule_id) - 1] = '\0';
			struct kline *k = &w->k[w->nk++];
			/* The kernel's stamp when it has one (it may be from inside a
			 * gap), else when the recorder read it. */
			k->mono = km.usec >= 0 && km.usec < CLAMP_MAX / 1000 ? km.usec * 1000 : rec->mono_ns;
			k->real = rec->real_ns;
			k->run = w->nr - 1;
			k->oom = !strcmp(km.rule_id, "kernel.oom");
			break;
		}
		case WREC_DISK: {
			struct wrec_disk dk;
			wrec_get(rec, &dk, sizeof(dk));
			for (uint32_t j = 0; j < dk.n && j < WREC_DISK_MAX; j++) {
				struct dsk *d = &w->d[w->nd++];
				d->mono = rec->mono_ns;
				d->real = rec->real_ns;
				d->run = w->nr - 1;
				d->d = dk.d[j];
				d->d.name[sizeof(d->d.name) - 1] = '\0';
			}
			break;
		}
		case WREC_STOP:
			run->stopped = true;
			break;
		default:
			break;
		}
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A run without its start record: the interval is its beats' median gap. */
static void fill_intervals(struct work *w)
{
	for (int r = 0; r < w->nr; r++) {
		struct run *run = &w->r[r];
		int n = run->last - run->first;

		if (run->interval_ns > 0 || n < 1)
			continue;
		int64_t *g = xmalloc((size_t)n * sizeof(*g));
		for (int i = 0; i < n; i++)
			g[i] = w->b[run->first + i + 1].mono - w->b[run->first + i].mono;
		qsort(g, (size_t)n, sizeof(*g), cmp_i64);
		run->interval_ns = g[n / 2] > 0 ? g[n / 2] : 1000000000LL;
		free(g);
	}
}

/* Unsigned counters from the file: a difference that went backwards (a
 * counter reset, damage) is 0. */
static double du(uint64_t a, uint64_t b)
{
	return b >= a ? (double)(b - a) : 0.0;
}

static double share_of(uint64_t part0, uint64_t part1, uint64_t all0, uint64_t all1)
{
	double all = du(all0, all1);

	return all > 0 ? du(part0, part1) / all : 0.0;
}

/* ---- episodes ---- */

static void find_freezes(struct pm_flight *rec, int ring, const struct work *w, const struct run *run)
{
	for (int i = run->first + 1; i <= run->last; i++) {
		const struct beat *p = &w->b[i - 1], *c = &w->b[i];
		int64_t gap = c->mono - p->mono, excess = gap - run->interval_ns;
		struct pm_episode *e;

		if (excess < WATCH_FREEZE_MIN_NS)
			continue;
		if (!(e = add_ep(rec, EP_FREEZE, ring)))
			return;
		e->start_real_ns = p->real;
		e->end_real_ns = c->real;
		e->duration_s = (double)excess / 1e9;
		e->d_mono_s = (double)gap / 1e9;
		e->d_boot_s = (double)(c->boot - p->boot) / 1e9;
		e->d_real_s = (double)(c->real - p->real) / 1e9;
		int j = i - 1 - FREEZE_LOOKBACK < run->first ? run->first : i - 1 - FREEZE_LOOKBACK;
		const struct beat *q = &w->b[j];
		bool stat = (p->b.known & WB_STAT) && (c->b.known & WB_STAT) && (q->b.known & WB_STAT);
		if (stat) {
			e->steal_before_pct = 100 * share_of(q->b.steal_ticks, p->b.steal_ticks, q->b.total_ticks, p->b.total_ticks);
			e->steal_in_pct = 100 * share_of(p->b.steal_ticks, c->b.steal_ticks, p->b.total_ticks, c->b.total_ticks);
			if (j < i - 1 && p->mono > q->mono) {
				double rate = du(q->b.ctxt, p->b.ctxt) / (double)(p->mono - q->mono); /* per ns */
				double expected = rate * (double)excess;
				double extra = du(p->b.ctxt, c->b.ctxt) - rate * (double)run->interval_ns;
				if (expected > 0)
					e->ctxt_share = extra > 0 ? extra / expected : 0.0;
			}
		}
		for (int k = 0; k < w->nk; k++)
			e->logged_inside += w->k[k].run == c->run && w->k[k].mono > p->mono && w->k[k].mono < c->mono;
		if (c->boot - p->boot - gap >= FREEZE_SUSPEND_NS)
			e->cause = FC_SUSPENDED;
		else if (e->ctxt_share >= FREEZE_KERNEL_RAN_SHARE)
			e->cause = FC_RECORDER;
		else if (e->steal_in_pct >= 100 * FREEZE_STEAL_BUSY || e->steal_before_pct >= 100 * FREEZE_STEAL_BUSY)
			e->cause = FC_HOST_BUSY;
		else
			e->cause = FC_PAUSED;
	}
}

/* Episodes of a share over consecutive beats: PSI full of memory or io,
 * or steal. which: 0 memory, 1 io, 2 steal. */
static void find_shares(struct pm_flight *rec, int ring, const struct work *w, const struct run *run, int which)
{
	double min_share = which == 2 ? STEAL_SHARE : STALL_FULL_SHARE, min_s = which == 2 ? STEAL_MIN_S : STALL_MIN_S;
	uint32_t need = which == 0 ? WB_PSI_MEM : which == 1 ? WB_PSI_IO : WB_STAT;
	double dur = 0, sum = 0, peak = 0;
	int64_t start = 0, end = 0;
	long long running = 0;

	for (int i = run->first + 1; i <= run->last + 1; i++) {
		bool on = false;
		double sh = 0, dt = 0;

		if (i <= run->last) {
			const struct beat *p = &w->b[i - 1], *c = &w->b[i];
			dt = (double)(c->mono - p->mono) / 1e9;
			/* A freeze is not a stall: its pair is left out. */
			if ((p->b.known & need) && (c->b.known & need) && dt > 0 &&
			    c->mono - p->mono < 3 * run->interval_ns + WATCH_FREEZE_MIN_NS) {
				if (which == 2)
					sh = share_of(p->b.steal_ticks, c->b.steal_ticks, p->b.total_ticks, c->b.total_ticks);
				else
					sh = du(p->b.psi_us[which == 0 ? WPSI_MEM : WPSI_IO][WPSI_FULL],
						c->b.psi_us[which == 0 ? WPSI_MEM : WPSI_IO][WPSI_FULL]) / 1e6 / dt;
				on = sh >= min_share;
			}
			if (on) {
				if (dur == 0)
					start = p->real;
				end = c->real;
				dur += dt;
				sum += sh * dt;
				peak = sh > peak ? sh : peak;
				running = (long long)c->b.procs_running > running ? (long long)c->b.procs_running : running;
				continue;
			}
		}
		if (dur >= min_s) {
			struct pm_episode *e = add_ep(rec, which == 2 ? EP_STEAL : EP_STALL, ring);
			if (!e)
				return;
			e->start_real_ns = start;
			e->end_real_ns = end;
			e->duration_s = dur;
			e->peak = 100 * (peak > 1 ? 1 : peak);
			e->mean = 100 * (sum / dur > 1 ? 1 : sum / dur);
			e->count = running;
			strlcpy_(e->what, which == 0 ? "memory" : which == 1 ? "io" : "cpu", sizeof(e->what));
		}
		dur = sum = peak = 0;
		running = 0;
	}
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void find_wake(struct pm_flight *rec, int ring, const struct work *w, const struct run *run)
{
	double *late = xmalloc((size_t)(run->last - run->first + 2) * sizeof(*late));
	int n = 0;
	int64_t first = 0, last = 0;

	for (int i = run->first; i <= run->last; i++) {
		const struct wrec_beat *b = &w->b[i].b;
		/* The first tick after a freeze wakes as late as the freeze: not a wake-up's fault. */
		bool after_freeze = i > run->first && w->b[i].mono - w->b[i - 1].mono - run->interval_ns >= WATCH_FREEZE_MIN_NS;
		int64_t l = (b->known & WB_PROBE) && b->probe_late_ns > 0 ? b->probe_late_ns : 0;
		if (!after_freeze && b->tick_late_ns > l)
			l = b->tick_late_ns;
		if (l < WAKE_LATE_NS)
			continue;
		if (!n)
			first = w->b[i].real;
		last = w->b[i].real;
		late[n++] = (double)l / 1e6;
	}
	if (n) {
		struct pm_episode *e = add_ep(rec, EP_WAKE, ring);
		if (e) {
			qsort(late, (size_t)n, sizeof(*late), cmp_dbl);
			e->start_real_ns = first;
			e->end_real_ns = last;
			e->duration_s = (double)(last - first) / 1e9;
			e->count = n;
			e->peak = late[n - 1];
			e->mean = late[n / 2];
		}
	}
	free(late);
}

static void find_balloon_oom(struct pm_flight *rec, int ring, const struct work *w, const struct run *run, int r)
{
	int at = -1;

	for (int i = run->first + 1; i <= run->last && at < 0; i++)
		if ((w->b[i].b.known & WB_VMSTAT) && (w->b[i - 1].b.known & WB_VMSTAT) && w->b[i].b.oom_kill > w->b[i - 1].b.oom_kill)
			at = i;
	for (int k = 0; k < w->nk && at < 0; k++) {
		if (w->k[k].run != r || !w->k[k].oom)
			continue;
		/* The beat at or just before the OOM line. */
		for (int i = run->last; i >= run->first; i--)
			if (w->b[i].mono <= w->k[k].mono) {
				at = i;
				break;
			}
	}
	if (at < 0)
		return;
	int64_t min_balloon = INT64_MAX, max_total = 0;
	for (int i = at; i >= run->first && w->b[at].mono - w->b[i].mono <= BALLOON_LOOKBACK_NS; i--) {
		if (!(w->b[i].b.known & WB_VMSTAT) || !(w->b[i].b.known & WB_MEM))
			continue;
		min_balloon = w->b[i].b.balloon_kib < min_balloon ? w->b[i].b.balloon_kib : min_balloon;
		max_total = w->b[i].b.memtotal_kib > max_total ? w->b[i].b.memtotal_kib : max_total;
	}
	/* The OOM's own beat may come after the balloon deflated on OOM: the
	 * largest balloon in the window counts. */
	int64_t max_balloon = 0;
	for (int i = at; i >= run->first && w->b[at].mono - w->b[i].mono <= BALLOON_LOOKBACK_NS; i--)
		if (w->b[i].b.known & WB_VMSTAT)
			max_balloon = w->b[i].b.balloon_kib > max_balloon ? w->b[i].b.balloon_kib : max_balloon;
	if (min_balloon == INT64_MAX || max_balloon - min_balloon < BALLOON_GROW_MIN_KIB)
		return;
	struct pm_episode *e = add_ep(rec, EP_BALLOON_OOM, ring);
	if (!e)
		return;
	e->end_real_ns = w->b[at].real;
	/* From the last beat with the balloon at its smallest: when it began to grow. */
	e->start_real_ns = w->b[at].real;
	for (int i = at; i >= run->first && w->b[at].mono - w->b[i].mono <= BALLOON_LOOKBACK_NS; i--)
		if ((w->b[i].b.known & WB_VMSTAT) && w->b[i].b.balloon_kib == min_balloon) {
			e->start_real_ns = w->b[i].real;
			break;
		}
	e->duration_s = (double)(e->end_real_ns - e->start_real_ns) / 1e9;
	e->peak = (double)(max_balloon - min_balloon) / 1024;
	e->extra = (w->b[at].b.known & WB_MEM) && max_total > w->b[at].b.memtotal_kib ?
			   (double)(max_total - w->b[at].b.memtotal_kib) / 1024 : 0;
}

static void find_io_stalls(struct pm_flight *rec, int ring, const struct work *w)
{
	bool *done = xcalloc((size_t)w->nd + 1, sizeof(*done));

	for (int i = 0; i < w->nd; i++) {
		if (done[i] || w->d[i].d.stuck_ms < IO_STALL_MIN_MS)
			continue;
		/* One episode: this disk's records from here while they go on
		 * being stuck, each within a few intervals of the last. */
		const struct run *run = &w->r[w->d[i].run];
		int64_t gap_max = 3 * run->interval_ns + WATCH_FREEZE_MIN_NS, last_mono = w->d[i].mono;
		struct pm_episode *e = add_ep(rec, EP_IO_STALL, ring);
		if (!e)
			break;
		strlcpy_(e->what, w->d[i].d.name, sizeof(e->what));
		e->start_real_ns = w->d[i].real - (int64_t)w->d[i].d.stuck_ms * 1000000LL;
		for (int j = i; j < w->nd; j++) {
			const struct dsk *d = &w->d[j];
			if (d->run != w->d[i].run || strcmp(d->d.name, w->d[i].d.name))
				continue;
			if (d->mono - last_mono > gap_max || d->d.stuck_ms < IO_STALL_MIN_MS)
				break;
			done[j] = true;
			last_mono = d->mono;
			e->end_real_ns = d->real;
			e->peak = d->d.stuck_ms / 1000.0 > e->peak ? d->d.stuck_ms / 1000.0 : e->peak;
			e->extra = d->d.busy_ms / 1000.0 > e->extra ? d->d.busy_ms / 1000.0 : e->extra;
			e->count = d->d.in_flight > e->count ? d->d.in_flight : e->count;
		}
		e->duration_s = (double)(e->end_real_ns - e->start_real_ns) / 1e9;
	}
	free(done);
}

static void find_record_ends(struct pm_flight *rec, int ring, const struct work *w, struct pm_rec_ring *rr)
{
	for (int r = 0; r < w->nr; r++) {
		const struct run *run = &w->r[r];
		bool newest = r == w->nr - 1;

		if (run->stopped || run->last < run->first)
			continue;
		if (newest && rr->current)
			continue;
		struct pm_episode *e = add_ep(rec, EP_RECORD_END, ring);
		if (!e)
			return;
		e->start_real_ns = e->end_real_ns = w->b[run->last].real;
		e->extra = newest ? -1 : (double)(w->r[r + 1].start_real - w->b[run->last].real) / 1e9;
		e->duration_s = e->extra > 0 ? e->extra : 0;
	}
}

/* Which of n buckets of width s a time s before the end falls in; -1 none. */
static int bucket_of(double before_s, int n, double width)
{
	double k = ceil((n - 1) - before_s / width - 1e-9);

	return isfinite(k) && k >= 0 && k < n ? (int)k : -1;
}

/* The last minutes before the ring's last record, in buckets of at least
 * a second and the interval. */
static void timeline(struct pm_flight *rec, int ring, const struct work *w, int64_t end)
{
	double width = 1.0;
	int n;

	if (w->nr && w->r[w->nr - 1].interval_ns / 1e9 > width)
		width = w->r[w->nr - 1].interval_ns / 1e9;
	double span = (double)(end - w->b[0].real) / 1e9;
	if (span > PM_TL_SPAN_S)
		span = PM_TL_SPAN_S;
	n = (int)ceil(span / width);
	if (n > PM_TL_POINTS)
		n = PM_TL_POINTS;
	if (n < 1)
		n = 1;
	rec->tl_ring = ring;
	rec->tl_end_real_ns = end;
	rec->tl_n = n;
	for (int k = 0; k < n; k++) {
		rec->tl_t[k] = -(n - 1 - k) * width;
		for (int s = 0; s < TL_N; s++)
			rec->tl[s][k] = NAN;
	}
	/* bucket k ends at end - (n-1-k)*width */
#define BUCKET(real) bucket_of((double)(end - (real)) / 1e9, n, width)
	for (int i = 0; i < w->nb; i++) {
		const struct beat *c = &w->b[i];
		int k = BUCKET(c->real);
		if (k < 0 || k >= n)
			continue;
		double *v[TL_N];
		for (int s = 0; s < TL_N; s++)
			v[s] = &rec->tl[s][k];
		double late = (double)(c->b.tick_late_ns > c->b.probe_late_ns ? c->b.tick_late_ns : c->b.probe_late_ns) / 1e6;
		if (i > 0 && w->b[i - 1].run == c->run &&
		    c->mono - w->b[i - 1].mono - w->r[c->run].interval_ns >= WATCH_FREEZE_MIN_NS)
			late = c->b.probe_late_ns / 1e6; /* the freeze shows as a gap, not a late tick */
		*v[TL_LATE_MS] = isnan(*v[TL_LATE_MS]) || late > *v[TL_LATE_MS] ? late : *v[TL_LATE_MS];
		if (c->b.known & WB_MEM) {
			*v[TL_AVAIL_MIB] = c->b.memavail_kib / 1024.0;
		}
		if (c->b.known & WB_VMSTAT)
			*v[TL_BALLOON_MIB] = c->b.balloon_kib / 1024.0;
		if (isnan(*v[TL_IO_STUCK_S]))
			*v[TL_IO_STUCK_S] = 0;
		if (i > 0 && w->b[i - 1].run == c->run) {
			const struct beat *p = &w->b[i - 1];
			double dt = (double)(c->mono - p->mono) / 1e9;
			if ((c->b.known & WB_STAT) && (p->b.known & WB_STAT)) {
				double st = 100 * share_of(p->b.steal_ticks, c->b.steal_ticks, p->b.total_ticks, c->b.total_ticks);
				*v[TL_STEAL_PCT] = isnan(*v[TL_STEAL_PCT]) || st > *v[TL_STEAL_PCT] ? st : *v[TL_STEAL_PCT];
			}
			if (dt > 0) {
				double full = 0, cpu;
				for (int r = WPSI_MEM; r <= WPSI_IO; r++) {
					uint32_t bit = r == WPSI_MEM ? WB_PSI_MEM : WB_PSI_IO;
					if ((c->b.known & bit) && (p->b.known & bit)) {
						double f = 100 * du(p->b.psi_us[r][WPSI_FULL], c->b.psi_us[r][WPSI_FULL]) / 1e6 / dt;
						full = f > full ? f : full;
					}
				}
				full = full > 100 ? 100 : full;
				*v[TL_PSI_FULL_PCT] = isnan(*v[TL_PSI_FULL_PCT]) || full > *v[TL_PSI_FULL_PCT] ? full : *v[TL_PSI_FULL_PCT];
				if ((c->b.known & WB_PSI_CPU) && (p->b.known & WB_PSI_CPU)) {
					cpu = 100 * du(p->b.psi_us[WPSI_CPU][WPSI_SOME], c->b.psi_us[WPSI_CPU][WPSI_SOME]) / 1e6 / dt;
					cpu = cpu > 100 ? 100 : cpu;
					*v[TL_PSI_CPU_PCT] = isnan(*v[TL_PSI_CPU_PCT]) || cpu > *v[TL_PSI_CPU_PCT] ? cpu : *v[TL_PSI_CPU_PCT];
				}
			}
		}
	}
	for (int i = 0; i < w->nd; i++) {
		int k = BUCKET(w->d[i].real);
		if (k < 0 || k >= n)
			continue;
		double s = w->d[i].d.stuck_ms / 1000.0;
		if (isnan(rec->tl[TL_IO_STUCK_S][k]) || s > rec->tl[TL_IO_STUCK_S][k])
			rec->tl[TL_IO_STUCK_S][k] = s;
	}
#undef BUCKET
}

void pm_flight_analyse(struct pm_flight *rec, const uint8_t *buf, size_t len, const char *path)
{
	struct pm_rec_ring *rr;
	struct work w = { 0 };
	int ring;

	if (rec->nrings == PM_REC_MAX_RINGS)
		return;
	ring = rec->nrings++;
	rr = &rec->rings[ring];
	memset(rr, 0, sizeof(*rr));
	strlcpy_(rr->path, path, sizeof(rr->path));
	if (ring_parse(buf, len, &rr->scan) < 0 || rr->scan.n == 0) {
		ring_scan_free(&rr->scan);
		return;
	}
	split(&w, &rr->scan);
	fill_intervals(&w);
	rr->first_real_ns = rr->scan.recs[0].real_ns;
	rr->last_real_ns = rr->scan.recs[rr->scan.n - 1].real_ns;
	for (int r = 0; r < w.nr; r++)
		rr->runs += w.r[r].has_start;
	if (w.nr) {
		const struct run *last = &w.r[w.nr - 1];
		rr->clean_stop = last->stopped;
		rr->interval_s = last->interval_ns / 1e9;
		/* boot_id with its dashes; the post-mortem's without */
		char id[40];
		int o = 0;
		for (int i = 0; last->boot_id[i] && o < (int)sizeof(id) - 1; i++)
			if (last->boot_id[i] != '-')
				id[o++] = last->boot_id[i];
		id[o] = '\0';
		rr->current = rec->current_boot[0] && id[0] && !strcmp(id, rec->current_boot);
	}
	for (int r = 0; r < w.nr; r++) {
		const struct run *run = &w.r[r];
		if (run->last < run->first)
			continue;
		find_freezes(rec, ring, &w, run);
		for (int which = 0; which < 3; which++)
			find_shares(rec, ring, &w, run, which);
		find_wake(rec, ring, &w, run);
		find_balloon_oom(rec, ring, &w, run, r);
	}
	find_io_stalls(rec, ring, &w);
	find_record_ends(rec, ring, &w, rr);
	if (w.nb && (rec->tl_ring < 0 || rr->last_real_ns > rec->tl_end_real_ns))
		timeline(rec, ring, &w, rr->last_real_ns);
	free(w.b);
	free(w.k);
	free(w.d);
	free(w.r);
	/* The counts stay; the records are not needed any more. */
	free(rr->scan.recs);
	rr->scan.recs = NULL;
}

void pm_flight_read_file(struct pm_flight *r, struct check *c, const char *path)
{
	size_t max = RING_HEADER_SIZE + (size_t)RING_MAX_RECORDS * RING_RECORD_SIZE, len = 0;
	uint8_t *buf = (uint8_t *)read_file(path, max, &len);

	if (!buf) {
		if (c)
			check_note(c, "%s: cannot be read", path);
		return;
	}
	pm_flight_analyse(r, buf, len, path);
	free(buf);
	if (c && r->nrings) {
		const struct pm_rec_ring *rr = &r->rings[r->nrings - 1];
		if (!rr->scan.header_ok)
			check_note(c, "%s: not a readable record: %s", path, rr->scan.why);
		else
			check_ok(c, rr->scan.skipped_total == 0,
				 "flight record %s: %zu records, %zu skipped (%zu torn, %zu bad checksum), %zu never written",
				 path, rr->scan.n, rr->scan.skipped_total, rr->scan.skipped[RING_SKIP_TORN],
				 rr->scan.skipped[RING_SKIP_CRC], rr->scan.empty);
	}
}

void pm_flight_read(struct pm_flight *r, struct check *c, const char *root, const char *vardir)
{
	char p[700];

	if (root) {
		snprintf(p, sizeof(p), "%s" PM_REC_DIR "/watch.ring", root);
		if (access(p, F_OK) == 0)
			pm_flight_read_file(r, c, p);
	}
	if (vardir) {
		snprintf(p, sizeof(p), "%s/lib/vmtriage/watch.ring", vardir);
		if (access(p, F_OK) == 0)
			pm_flight_read_file(r, c, p);
	}
}

/* ---- output ---- */

static void iso(char *buf, size_t size, int64_t real_ns)
{
	time_t t = (time_t)(real_ns / 1000000000LL);
	struct tm tm;

	if (real_ns <= 0 || !gmtime_r(&t, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void num_or_null(struct jw *w, const char *key, double v)
{
	if (isfinite(v))
		jw_num(w, key, v);
	else
		jw_null(w, key);
}

static void write_episode(struct jw *w, const struct pm_episode *e, const struct pm_flight *r)
{
	char t[32];

	jw_obj(w, NULL);
	jw_str(w, "kind", pm_episode_kind_name(e->kind));
	jw_int(w, "ring", e->ring);
	iso(t, sizeof(t), e->start_real_ns);
	jw_str(w, "start", t);
	iso(t, sizeof(t), e->end_real_ns);
	jw_str(w, "end", t);
	jw_num(w, "duration_s", e->duration_s);
	/* Where the timeline's x axis has it: seconds before the record's end. */
	if (r->tl_ring == e->ring)
		jw_num(w, "start_rel_s", (double)(e->start_real_ns - r->tl_end_real_ns) / 1e9);
	switch (e->kind) {
	case EP_FREEZE:
		jw_str(w, "cause", pm_freeze_cause_name(e->cause));
		jw_num(w, "d_mono_s", e->d_mono_s);
		jw_num(w, "d_boot_s", e->d_boot_s);
		jw_num(w, "d_real_s", e->d_real_s);
		jw_num(w, "steal_before_pct", e->steal_before_pct);
		jw_num(w, "steal_in_pct", e->steal_in_pct);
		num_or_null(w, "ctxt_share", e->ctxt_share >= 0 ? e->ctxt_share : NAN);
		jw_int(w, "logged_inside", e->logged_inside);
		break;
	case EP_STALL:
	case EP_STEAL:
		jw_str(w, "resource", e->what);
		jw_num(w, "peak_pct", e->peak);
		jw_num(w, "mean_pct", e->mean);
		jw_int(w, "max_running", e->count);
		break;
	case EP_IO_STALL:
		jw_str(w, "disk", e->what);
		jw_num(w, "waited_at_least_s", e->peak);
		jw_num(w, "waited_at_most_s", e->extra);
		jw_int(w, "max_in_flight", e->count);
		break;
	case EP_BALLOON_OOM:
		jw_num(w, "balloon_grew_mib", e->peak);
		jw_num(w, "memtotal_drop_mib", e->extra);
		break;
	case EP_WAKE:
		jw_int(w, "late", e->count);
		jw_num(w, "worst_ms", e->peak);
		jw_num(w, "median_ms", e->mean);
		break;
	case EP_RECORD_END:
		num_or_null(w, "next_start_after_s", e->extra >= 0 ? e->extra : NAN);
		break;
	case EP_NKINDS:
		break;
	}
	jw_obj_end(w);
}

void pm_flight_write_data(const struct pm_flight *r, struct jw *w)
{
	static const char *const tl_keys[TL_N] = {
		[TL_LATE_MS] = "late_ms",	      [TL_STEAL_PCT] = "steal_pct",   [TL_PSI_FULL_PCT] = "psi_full_pct",
		[TL_PSI_CPU_PCT] = "psi_cpu_some_pct", [TL_AVAIL_MIB] = "mem_avail_mib", [TL_BALLOON_MIB] = "balloon_mib",
		[TL_IO_STUCK_S] = "io_stuck_s",
	};
	char t[32];

	if (!pm_flight_found(r))
		return;
	jw_obj(w, "record");
	jw_arr(w, "rings");
	for (int i = 0; i < r->nrings; i++) {
		const struct pm_rec_ring *rr = &r->rings[i];
		const struct ring_scan *s = &rr->scan;

		jw_obj(w, NULL);
		jw_str(w, "path", rr->path);
		jw_bool(w, "readable", s->header_ok);
		if (!s->header_ok) {
			jw_str(w, "why", s->why);
			jw_obj_end(w);
			continue;
		}
		jw_str(w, "role", s->hdr.role);
		jw_str(w, "host", s->hdr.host);
		iso(t, sizeof(t), s->hdr.created_real_ns);
		jw_str(w, "created", t);
		jw_int(w, "records", (long long)s->n);
		jw_int(w, "slots", (long long)s->slots);
		jw_int(w, "empty", (long long)s->empty);
		jw_obj(w, "skipped");
		for (int k = 0; k < RING_NSKIP; k++)
			jw_int(w, ring_skip_name((enum ring_skip)k), (long long)s->skipped[k]);
		jw_obj_end(w);
		jw_uint(w, "missing", s->missing);
		jw_bool(w, "short_file", s->short_file);
		iso(t, sizeof(t), rr->first_real_ns);
		jw_str(w, "first", t);
		iso(t, sizeof(t), rr->last_real_ns);
		jw_str(w, "last", t);
		jw_int(w, "runs", rr->runs);
		jw_bool(w, "clean_stop", rr->clean_stop);
		jw_bool(w, "current", rr->current);
		jw_num(w, "interval_s", rr->interval_s);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "episodes");
	for (int i = 0; i < r->nep; i++)
		write_episode(w, &r->ep[i], r);
	jw_arr_end(w);
	if (r->ep_lost)
		jw_int(w, "episodes_not_kept", r->ep_lost);
	if (r->tl_ring >= 0) {
		jw_obj(w, "timeline");
		jw_int(w, "ring", r->tl_ring);
		iso(t, sizeof(t), r->tl_end_real_ns);
		jw_str(w, "end", t);
		jw_arr(w, "t_s");
		for (int k = 0; k < r->tl_n; k++)
			jw_num(w, NULL, r->tl_t[k]);
		jw_arr_end(w);
		for (int s = 0; s < TL_N; s++) {
			jw_arr(w, tl_keys[s]);
			for (int k = 0; k < r->tl_n; k++)
				num_or_null(w, NULL, r->tl[s][k]);
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static int count_kind(const struct pm_flight *r, enum pm_ep_kind k)
{
	int n = 0;

	for (int i = 0; i < r->nep; i++)
		n += r->ep[i].kind == k;
	return n;
}

void pm_flight_write_metrics(const struct pm_flight *r, struct jw *m)
{
	long long recs = 0, skipped = 0;
	double longest = 0;

	if (!pm_flight_found(r))
		return;
	for (int i = 0; i < r->nrings; i++) {
		recs += (long long)r->rings[i].scan.n;
		skipped += (long long)r->rings[i].scan.skipped_total;
	}
	for (int i = 0; i < r->nep; i++)
		if (r->ep[i].kind == EP_FREEZE && r->ep[i].duration_s > longest)
			longest = r->ep[i].duration_s;
	jw_int(m, "record_records", recs);
	jw_int(m, "record_skipped", skipped);
	jw_int(m, "record_freezes", count_kind(r, EP_FREEZE));
	jw_num(m, "record_longest_freeze_s", longest);
	jw_int(m, "record_io_stalls", count_kind(r, EP_IO_STALL));
}

/* ---- findings: one per kind (and freeze cause), the episodes as evidence ---- */

#define HOST_WATCH "On the host, `triage host --watch` records each VM's vCPU threads (run delay, state), its QEMU I/O threads and the host's pressure in the same format, so the next episode shows the host's side; while a VM hangs, `triage host --autopsy VMID` captures QMP status, block and balloon stats and the threads' stacks before it is killed."

static const char advice_paused[] =
	"Nothing ran in the guest during the gap (no context switches, nothing logged, every clock jumped by it) and "
	"there was no steal before it: the host stopped running this VM rather than running it slowly. Look in the "
	"host's journal and task log at that time for a backup in suspend mode, a snapshot with RAM (vmstate), a "
	"migration, `qm suspend`/`qm resume`, or the host itself stalling (its own freeze, swap, storage). In Proxmox VE: "
	"Datacenter → Backup → Mode: Snapshot (with the QEMU Guest Agent enabled under VM → Options) rather than "
	"Suspend; avoid 'Include RAM' on snapshots of busy VMs. " HOST_WATCH;
static const char advice_host_busy[] =
	"The guest's vCPUs were runnable but the host ran other work (steal): the host's CPUs are overcommitted. In "
	"Proxmox VE: fewer vCPUs on this node's VMs (VM → Hardware → Processors), more 'CPU units' for this VM (VM → "
	"Options or Processors → CPU units), a 'CPU limit' on the noisy neighbours, or move VMs to another node. " HOST_WATCH;
static const char advice_recorder[] =
	"The guest's kernel kept switching tasks through the gap: the VM ran, only the recorder did not (stopped by a "
	"signal, a debugger, or starved by higher-priority work: see the stall and steal findings around it). Not a "
	"freeze of the VM.";
static const char advice_suspended[] =
	"CLOCK_BOOTTIME ran ahead of CLOCK_MONOTONIC across the gap: the guest itself was suspended (to RAM or disk), "
	"by its own power management or by the host's request through the guest agent. If that was not intended: "
	"`systemctl mask sleep.target suspend.target hibernate.target` in the guest.";
static const char advice_stall[] =
	"Every running task in the guest waited for memory or I/O for seconds (PSI full): for memory, the guest is "
	"short of it (VM → Hardware → Memory: more, and Minimum memory = Memory if ballooning); for io, its disk did not "
	"keep up (VM → Hardware → Hard Disk: a faster storage, no bandwidth limit, 'IO thread' with VirtIO SCSI single). " HOST_WATCH;
static const char advice_steal[] =
	"The host took this VM's CPU time for seconds at a time (steal): the host's CPUs are overcommitted. In Proxmox "
	"VE: fewer vCPUs in total on this node, more 'CPU units' for this VM, a 'CPU limit' on others, or another node. " HOST_WATCH;
static const char advice_io[] =
	"Requests to the disk stayed in flight without any completing: the host did not complete this VM's I/O (its "
	"storage path wedged, host writeback stalled, or the disk is throttled: VM → Hardware → Hard Disk → Bandwidth "
	"limits). In Proxmox VE: VirtIO SCSI single with 'IO thread' on, Async IO 'io_uring' or 'native', and check the "
	"host's storage (`dmesg`, `iostat -x 1` on the host). " HOST_WATCH;
static const char advice_balloon[] =
	"The balloon took this memory in the minutes before the OOM kill: the host reclaimed memory the guest then "
	"needed. In Proxmox VE: VM → Hardware → Memory: untick 'Ballooning Device' or set 'Minimum memory' equal to "
	"'Memory' (`qm set VMID --balloon 0`); PVE's automatic ballooning inflates balloons when the host's RAM use "
	"passes 80%. " HOST_WATCH;
static const char advice_wake[] =
	"Timer wake-ups came late by this much: the vCPU was not running when its timer fired (host C-states, vCPU "
	"scheduling). On the host: limit deep C-states (BIOS, or intel_idle.max_cstate=1 / processor.max_cstate=1 on "
	"the kernel command line) and check the host's load; `triage wake` in the guest and `triage host` on the host "
	"measure it in detail. " HOST_WATCH;
static const char advice_end[] =
	"The recorder's run ended without its stop record: the guest was reset, powered off or hung at that moment "
	"(the record stops there; its last minutes are in the timeline). With a watchdog (VM → Hardware → Add → "
	"Watchdog: i6300esb, action reset, and `triage watch --watchdog`) a hung guest is reset with its record on disk.";

static void freeze_finding(const struct pm_flight *r, struct check *c, enum pm_freeze_cause cause)
{
	static const char *const ids[] = {
		[FC_PAUSED] = "prev.watch.freeze.paused", [FC_HOST_BUSY] = "prev.watch.freeze.host-busy",
		[FC_RECORDER] = "prev.watch.freeze.recorder", [FC_SUSPENDED] = "prev.watch.freeze.suspended",
	};
	static const char *const advice[] = {
		[FC_PAUSED] = advice_paused, [FC_HOST_BUSY] = advice_host_busy,
		[FC_RECORDER] = advice_recorder, [FC_SUSPENDED] = advice_suspended,
	};
	const struct pm_episode *worst = NULL;
	int n = 0;
	char t[32], what[200];

	for (int i = 0; i < r->nep; i++)
		if (r->ep[i].kind == EP_FREEZE && r->ep[i].cause == cause) {
			n++;
			if (!worst || r->ep[i].duration_s > worst->duration_s)
				worst = &r->ep[i];
		}
	if (!n)
		return;
	iso(t, sizeof(t), worst->start_real_ns);
	switch (cause) {
	case FC_PAUSED:
		snprintf(what, sizeof(what), "the host stopped scheduling the VM: nothing ran or was logged inside, no steal before it");
		break;
	case FC_HOST_BUSY:
		snprintf(what, sizeof(what), "steal %.0f%% before it, %.0f%% across it: the host ran other work",
			 worst->steal_before_pct, worst->steal_in_pct);
		break;
	case FC_RECORDER:
		snprintf(what, sizeof(what), "the kernel kept running (%.0f%% of its usual context switches): only the recorder stopped",
			 100 * worst->ctxt_share);
		break;
	case FC_SUSPENDED:
		snprintf(what, sizeof(what), "BOOTTIME moved %.1f s, MONOTONIC %.1f s: the guest was suspended", worst->d_boot_s,
			 worst->d_mono_s);
		break;
	}
	enum severity sev = cause == FC_RECORDER ? SEV_INFO : cause == FC_SUSPENDED ? SEV_WARN : SEV_FAIL;
	struct finding *f = check_finding(c, ids[cause], sev, advice[cause],
					  "%d freeze(s) in the flight record, the longest %.1f s from %s (%s)", n,
					  worst->duration_s, t, what);
	jw_int(&f->ev, "count", n);
	jw_num(&f->ev, "longest_s", worst->duration_s);
	jw_arr(&f->ev, "episodes");
	for (int i = 0, k = 0; i < r->nep && k < 5; i++)
		if (r->ep[i].kind == EP_FREEZE && r->ep[i].cause == cause) {
			write_episode(&f->ev, &r->ep[i], r);
			k++;
		}
	jw_arr_end(&f->ev);
}

static void kind_finding(const struct pm_flight *r, struct check *c, enum pm_ep_kind kind)
{
	const struct pm_episode *worst = NULL;
	int n = 0;
	char t[32], what[200];
	const char *id, *advice;
	enum severity sev = SEV_WARN;

	for (int i = 0; i < r->nep; i++)
		if (r->ep[i].kind == kind) {
			n++;
			double a = kind == EP_IO_STALL || kind == EP_BALLOON_OOM || kind == EP_WAKE ? r->ep[i].peak : r->ep[i].duration_s;
			double b = !worst ? -1 : kind == EP_IO_STALL || kind == EP_BALLOON_OOM || kind == EP_WAKE ? worst->peak : worst->duration_s;
			if (a > b)
				worst = &r->ep[i];
		}
	if (!n)
		return;
	iso(t, sizeof(t), kind == EP_BALLOON_OOM ? worst->end_real_ns : worst->start_real_ns);
	switch (kind) {
	case EP_STALL:
		id = "prev.watch.stall";
		advice = advice_stall;
		snprintf(what, sizeof(what), "%d stall(s), the longest %.0f s of %s PSI full (peak %.0f%%, mean %.0f%%, up to %lld tasks running) from %s",
			 n, worst->duration_s, worst->what, worst->peak, worst->mean, worst->count, t);
		break;
	case EP_STEAL:
		id = "prev.watch.steal";
		advice = advice_steal;
		snprintf(what, sizeof(what), "%d steal episode(s), the longest %.0f s (peak %.0f%%, mean %.0f%%) from %s", n,
			 worst->duration_s, worst->peak, worst->mean, t);
		break;
	case EP_IO_STALL:
		id = "prev.watch.io-stall";
		advice = advice_io;
		sev = SEV_FAIL;
		snprintf(what, sizeof(what), "%d I/O stall(s): %lld request(s) to %s in flight and none completing for at least %.1f s (at most %.1f s) from %s",
			 n, worst->count, worst->what, worst->peak, worst->extra, t);
		break;
	case EP_BALLOON_OOM:
		id = "prev.watch.balloon-oom";
		advice = advice_balloon;
		sev = SEV_FAIL;
		snprintf(what, sizeof(what), "the balloon grew by %.0f MiB (MemTotal fell %.0f MiB) in the %.0f s before an OOM kill at %s",
			 worst->peak, worst->extra, worst->duration_s, t);
		break;
	case EP_WAKE:
		id = "prev.watch.wake-latency";
		advice = advice_wake;
		snprintf(what, sizeof(what), "%lld timer wake-up(s) late by %.0f ms or more (worst %.0f ms, median %.0f ms) from %s",
			 worst->count, WAKE_LATE_NS / 1e6, worst->peak, worst->mean, t);
		break;
	case EP_RECORD_END:
		id = "prev.watch.record-end";
		advice = advice_end;
		if (worst->extra >= 0)
			snprintf(what, sizeof(what), "%d run(s) of the recorder ended without a stop record, the last at %s (the next started %.0f s later)",
				 n, t, worst->extra);
		else
			snprintf(what, sizeof(what), "the record ends at %s without a stop record", t);
		break;
	default:
		return;
	}
	struct finding *f = check_finding(c, id, sev, advice, "%s", what);
	jw_int(&f->ev, "count", n);
	jw_arr(&f->ev, "episodes");
	for (int i = 0, k = 0; i < r->nep && k < 5; i++)
		if (r->ep[i].kind == kind) {
			write_episode(&f->ev, &r->ep[i], r);
			k++;
		}
	jw_arr_end(&f->ev);
}

void pm_flight_write_findings(const struct pm_flight *r, struct check *c)
{
	if (!pm_flight_found(r))
		return;
	freeze_finding(r, c, FC_PAUSED);
	freeze_finding(r, c, FC_HOST_BUSY);
	freeze_finding(r, c, FC_SUSPENDED);
	kind_finding(r, c, EP_IO_STALL);
	kind_finding(r, c, EP_BALLOON_OOM);
	kind_finding(r, c, EP_STALL);
	kind_finding(r, c, EP_STEAL);
	kind_finding(r, c, EP_WAKE);
	kind_finding(r, c, EP_RECORD_END);
	freeze_finding(r, c, FC_RECORDER);
}
