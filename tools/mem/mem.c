/* triage mem: memory pressure that surfaces balloon faults, stalls and
 * corruption.
 *
 * The parent takes a baseline (MemTotal, MemAvailable, swap, the
 * virtio-balloon device and its counters, PSI), forks a worker that fills
 * a share of MemAvailable while timing every 2 MiB block, verifies it with
 * address-in-address and inverted patterns, holds it, and churns half of
 * it. Meanwhile the parent samples the machine every 100 ms: a balloon
 * that inflates under load shows as MemTotal falling. The worker is the
 * OOM killer's first choice and reports through shared memory, so the
 * parent always writes its report, even when the worker was killed. */
#include "mem.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/edac.h"
#include "lib/util.h"

enum {
	O_PERCENT = CHECK_COMMON_COUNT, O_SIZE, O_CHUNK, O_BUDGET, O_HOLD, O_OOM, O_NO_CHURN, O_COUNT
};

const struct opt mem_opts[] = {
	CHECK_COMMON_OPTS,
	{ "percent", 0, OPT_PERCENT, "N", "fill N% of MemAvailable (default: quick 60, standard 80, burnin 90)", 1, 99 },
	{ "size", 0, OPT_SIZE, "SIZE", "fill SIZE instead of a share (the reserve still applies)", 2 * MIB, 1LL << 50 },
	{ "chunk", 0, OPT_SIZE, "SIZE", "map memory in chunks of SIZE (default: 1/16 of the fill, 4M to 64M)", 2 * MIB, 64 * GIB },
	{ "budget", 0, OPT_DURATION, "TIME", "stop filling after TIME (default: quick 3s, standard 60s, burnin 5m)", 100000000LL, 24 * 3600 * 1000000000LL },
	{ "hold", 0, OPT_DURATION, "TIME", "hold the memory TIME while sampling (default: quick 3s, standard 30s, burnin 2m)", 0, 24 * 3600 * 1000000000LL },
	{ "oom", 0, OPT_FLAG, NULL, "ignore the reserve and the budget: fill until the OOM killer strikes", 0, 0 },
	{ "no-churn", 0, OPT_FLAG, NULL, "skip freeing and refilling half after the hold", 0, 0 },
	{ 0 },
};

static const char usage[] =
	"Fills a share of the free memory in chunks, timing every 2 MiB block, verifies\n"
	"it (address in address, then inverted), holds it while sampling MemTotal, the\n"
	"balloon counters and memory pressure every 100 ms, then frees half and refills\n"
	"it. Finds a balloon that takes memory back under load (MemTotal falls), stalls,\n"
	"OOM kills and corruption. The filler is the OOM killer's first choice; this\n"
	"process survives it and still reports.";

/* Per-mode defaults: quick must end in 10-15 s even under TCG, so its
 * fill stops on a time budget before it reaches its share. */
static const struct {
	int percent;
	int64_t budget_ns, hold_ns;
} mode_defaults[] = {
	[MODE_QUICK] = { 60, 3000000000LL, 3000000000LL },
	[MODE_STANDARD] = { 80, 60000000000LL, 30000000000LL },
	[MODE_BURNIN] = { 90, 300000000000LL, 120000000000LL },
};

#define SAMPLE_NS 100000000LL
/* A drop of MemTotal: it moves in whole pages only through ballooning and
 * memory hot-unplug, so any drop is real; 1 MiB ignores a stray page. */
#define SHRINK_MIN_KIB 1024
/* A balloon already holding this share of what the VM was given when the
 * run starts: a 'Minimum memory' far below 'Memory' that PVE's automatic
 * ballooning used and never gave back (reported by Home Assistant OS
 * users). A quarter is well past page-reporting noise and is memory the
 * guest was sized for. */
#define BALLOON_HELD_PCT 25.0
/* A 2 MiB block 50 times slower than the median and over 20 ms. 20 ms is
 * twice a scheduler time slice and the scale at which a person notices a
 * hiccup; on hardware (median ~0.4 ms) it is also ~50x. Under emulation
 * on a busy host, single blocks at 5-25x the median are ordinary
 * (measured: TCG, 2 GiB guest, load 5 on 2 cores), so 50x keeps uniform
 * slowness and scheduling noise from counting. */
#define STALL_FACTOR 50.0
#define STALL_MIN_NS 20e6
/* A chunk 4 times slower per byte than the median chunk: slowness spread
 * over a chunk (host swapping) that no single block shows. */
#define CHUNK_SLOW_FACTOR 4.0
/* ...and under 200 MiB/s (5 ms per MiB): a tenth of the page-fault speed
 * of any x86-64 machine of the last 15 years (2-4 GiB/s measured). */
#define CHUNK_STALL_MIN_NS_PER_MIB 5e6
#define CHUNK_STALL_MIN_CHUNKS 4
/* PSI "full" (every task stalled on memory) over 10% of any 1 s window:
 * 100 ms of a whole-guest stall per second is an outage users see.
 * (systemd-oomd starts killing at 60% "full" over 20 s by default.) */
#define PSI_FULL_WARN_PCT 10.0
#define PSI_WINDOW 10 /* samples: 1 s */
#define STALLS_LISTED 8
#define BITS_LISTED 16

static const char advice_balloon[] =
	"The host takes memory back through the virtio balloon while this guest uses it. "
	"In Proxmox VE: VM > Hardware > Memory, set 'Minimum memory' equal to 'Memory' "
	"(the host then never shrinks the guest below it), or untick 'Ballooning Device'; "
	"from the host shell `qm set VMID --balloon 0` turns ballooning off, or "
	"`qm set VMID --balloon MiB` raises the minimum. PVE's automatic ballooning "
	"shrinks guests toward their minimum when the host's RAM use passes 80%: "
	"give the host more RAM or overcommit it less.";
static const char advice_balloon_present[] =
	"A virtio balloon is attached: the host can take memory from this guest at any "
	"time. If the guest stalls or OOMs under load, in Proxmox VE set 'Minimum "
	"memory' equal to 'Memory' (VM > Hardware > Memory) or untick 'Ballooning "
	"Device' (`qm set VMID --balloon 0`).";
static const char advice_balloon_held[] =
	"The balloon already held this memory when the run started: the host took it earlier (Proxmox VE's "
	"automatic ballooning shrinks a guest toward 'Minimum memory' whenever the host's RAM use passes 80%, "
	"and may never give it back), so the guest runs smaller than it was sized. Set 'Minimum memory' equal "
	"to 'Memory' (VM > Hardware > Memory, or `qm set VMID --balloon MiB`), give the host more RAM, or "
	"untick 'Ballooning Device' (`qm set VMID --balloon 0`).";
static const char advice_stall[] =
	"Touching fresh memory stalled. In a VM: the host is short of RAM (swapping, "
	"compacting, or its own balloon/KSM work); check the host's free memory and swap "
	"(`free -m`, `vmstat 1` on the PVE host), avoid overcommitting RAM, and consider "
	"a fixed allocation (Minimum memory = Memory) for latency-sensitive guests. "
	"On bare metal: look for swap activity and for memory errors in the kernel log.";
static const char advice_oom[] =
	"The guest ran out of memory and the OOM killer ended the filler. Real programs "
	"meet the same limit: give the VM more memory (PVE: VM > Hardware > Memory), "
	"add swap in the guest, or, if a balloon shrank the guest first, raise "
	"'Minimum memory' or turn ballooning off (`qm set VMID --balloon 0`).";
static const char advice_pressure[] =
	"Every task waited for memory for a large share of the time (PSI 'full'). The "
	"guest is short of RAM under this load: give it more memory, stop the host from "
	"ballooning it (PVE: Minimum memory = Memory), or add swap so that reclaim is "
	"not the only way out.";
static const char advice_corruption[] =
	"Memory returned other data than was written. In a VM the guest cannot tell its "
	"RAM from the host's: run this image (or memtest86+) on the host itself, and "
	"check the host for EDAC/MCE errors (`journalctl -k | grep -i -e edac -e mce`, "
	"/sys/devices/system/edac/mc). On bare metal: run memtest86+ for several "
	"passes, reseat the DIMMs and test them one at a time (the physical address "
	"points at the slot), and undo memory overclocking (XMP/EXPO) or raise DRAM "
	"voltage to specification.";

/* ---- sampling ---- */

struct sampler {
	struct procfd pf;
	int64_t t0;
	struct meminfo base_mi;
	struct vmstat base_vs, last_vs;
	struct psi last_psi;
	bool has_psi;
	int64_t last_t;
	struct mem_series series;
	/* full-resolution tracking */
	int64_t memtotal_min_kib, memavail_min_kib, balloon_max_kib;
	double t_memtotal_min, t_first_drop, t_first_inflate;
	int phase_at_first_drop, phase_at_first_inflate;
	int64_t memtotal_end_kib, balloon_end_kib;
	struct vmstat end_vs;
	uint64_t full_ring[PSI_WINDOW + 1], some_ring[PSI_WINDOW + 1];
	int64_t t_ring[PSI_WINDOW + 1];
	int nring;
	double full_max_pct, some_max_pct, t_full_max;
	int nsamples;
};

static void sampler_init(struct sampler *s, int64_t t0, const struct meminfo *mi, const struct vmstat *vs,
			 const struct psi *ps, bool has_psi)
{
	memset(s, 0, sizeof(*s));
	mem_procfd_open(&s->pf);
	s->t0 = t0;
	s->base_mi = *mi;
	s->base_vs = s->last_vs = s->end_vs = *vs;
	s->last_psi = *ps;
	s->has_psi = has_psi;
	s->last_t = t0;
	mem_series_init(&s->series, MEM_SERIES_CAP);
	s->memtotal_min_kib = s->memtotal_end_kib = mi->total_kib;
	s->memavail_min_kib = mi->avail_kib;
	s->balloon_max_kib = s->balloon_end_kib = vmstat_balloon_kib(vs);
	s->t_first_drop = -1;
	s->t_first_inflate = -1;
	s->full_ring[0] = ps->full_total_us;
	s->some_ring[0] = ps->some_total_us;
	s->t_ring[0] = t0;
	s->nring = 1;
}

static void sample(struct sampler *s, const struct mem_shared *sh)
{
	struct mem_sample x = { 0 };
	struct meminfo mi;
	struct vmstat vs;
	struct psi ps;
	int64_t t = now_ns();
	double dt_us = (double)(t - s->last_t) / 1e3;

	if (mem_read_meminfo(&s->pf, &mi) < 0)
		return;
	if (mem_read_vmstat(&s->pf, &vs) < 0)
		vs = s->last_vs;
	x.t_s = (double)(t - s->t0) / 1e9;
	x.memtotal_kib = mi.total_kib;
	x.memavail_kib = mi.avail_kib;
	x.balloon_kib = vmstat_balloon_kib(&vs);
	x.held_kib = (int64_t)(__atomic_load_n(&sh->held, __ATOMIC_RELAXED) / KIB);
	x.majflt = vs.pgmajfault - s->last_vs.pgmajfault;
	if (s->has_psi && mem_read_psi(&s->pf, &ps) == 0 && dt_us > 0) {
		x.psi_some_pct = 100.0 * (double)(ps.some_total_us - s->last_psi.some_total_us) / dt_us;
		x.psi_full_pct = 100.0 * (double)(ps.full_total_us - s->last_psi.full_total_us) / dt_us;
		s->last_psi = ps;
		/* The 1 s window ending now. */
		if (s->nring == PSI_WINDOW + 1) {
			memmove(s->full_ring, s->full_ring + 1, PSI_WINDOW * sizeof(s->full_ring[0]));
			memmove(s->some_ring, s->some_ring + 1, PSI_WINDOW * sizeof(s->some_ring[0]));
			memmove(s->t_ring, s->t_ring + 1, PSI_WINDOW * sizeof(s->t_ring[0]));
			s->nring--;
		}
		s->full_ring[s->nring] = ps.full_total_us;
		s->some_ring[s->nring] = ps.some_total_us;
		s->t_ring[s->nring] = t;
		s->nring++;
		double win_us = (double)(t - s->t_ring[0]) / 1e3;
		if (s->nring == PSI_WINDOW + 1 && win_us > 0) {
			double full = 100.0 * (double)(ps.full_total_us - s->full_ring[0]) / win_us;
			double some = 100.0 * (double)(ps.some_total_us - s->some_ring[0]) / win_us;

			if (full > s->full_max_pct) {
				s->full_max_pct = full;
				s->t_full_max = x.t_s;
			}
			if (some > s->some_max_pct)
				s->some_max_pct = some;
		}
	}
	if (mi.total_kib < s->memtotal_min_kib) {
		s->memtotal_min_kib = mi.total_kib;
		s->t_memtotal_min = x.t_s;
	}
	if (s->t_first_drop < 0 && s->base_mi.total_kib - mi.total_kib >= SHRINK_MIN_KIB) {
		s->t_first_drop = x.t_s;
		s->phase_at_first_drop = __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
	}
	/* With deflate-on-oom MemTotal stays: the counters show the balloon. */
	if (s->t_first_inflate < 0 && x.balloon_kib - vmstat_balloon_kib(&s->base_vs) >= SHRINK_MIN_KIB) {
		s->t_first_inflate = x.t_s;
		s->phase_at_first_inflate = __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
	}
	if (mi.avail_kib < s->memavail_min_kib)
		s->memavail_min_kib = mi.avail_kib;
	if (x.balloon_kib > s->balloon_max_kib)
		s->balloon_max_kib = x.balloon_kib;
	s->memtotal_end_kib = mi.total_kib;
	s->balloon_end_kib = x.balloon_kib;
	s->end_vs = vs;
	s->last_vs = vs;
	s->last_t = t;
	s->nsamples++;
	mem_series_add(&s->series, &x);
}

/* ---- small helpers ---- */

static double round2(double v) { return round(v * 100) / 100; }
static double round3(double v) { return round(v * 1000) / 1000; }
static double gibps(uint64_t bytes, int64_t ns) { return ns > 0 ? (double)bytes / GIB / ((double)ns / 1e9) : 0; }
static double mib(uint64_t bytes) { return round2((double)bytes / MIB); }

/* Bytes chunk i filled: offsets are handed out in table order, so the
 * next chunk's offset ends this one even after memory was given back. */
static uint64_t chunk_filled(const struct mem_shared *sh, uint32_t i)
{
	return (i + 1 < sh->nchunks ? sh->chunk[i + 1].off : sh->next_off) - sh->chunk[i].off;
}

/* Sum of an EDAC counter over all memory controllers; -1 without EDAC. */
static long long edac_count(bool ue)
{
	static struct edac_mc mcs[64];
	int n = edac_read("", mcs, (int)ARRAY_SIZE(mcs));

	return n > 0 ? edac_sum(mcs, n, ue) : -1;
}

/* Lowers our own OOM score so the worker, not we, pay for the fill.
 * Lowering needs CAP_SYS_RESOURCE; without it we stay where we are. */
static int protect_self(void)
{
	static const char *const tries[] = { "-1000", "-500" };
	long long v = 0;

	for (size_t i = 0; i < ARRAY_SIZE(tries); i++)
		if (write_str("/proc/self/oom_score_adj", tries[i]) == 0)
			break;
	read_ll("/proc/self/oom_score_adj", &v);
	return (int)v;
}

/* ---- the report ---- */

static void write_baseline(struct jw *d, const struct meminfo *mi, const struct vmstat *vs, const struct psi *ps,
			   bool has_psi, const struct balloon_dev *b, int self_adj)
{
	jw_obj(d, "baseline");
	jw_int(d, "memtotal_kib", mi->total_kib);
	jw_int(d, "memavailable_kib", mi->avail_kib);
	jw_int(d, "memfree_kib", mi->free_kib);
	jw_int(d, "swaptotal_kib", mi->swap_total_kib);
	jw_int(d, "swapfree_kib", mi->swap_free_kib);
	jw_int(d, "commit_limit_kib", mi->commit_limit_kib);
	jw_int(d, "committed_as_kib", mi->committed_kib);
	jw_int(d, "reserve_kib", mem_reserve_kib(mi->total_kib));
	jw_int(d, "pgmajfault", vs->pgmajfault);
	jw_int(d, "parent_oom_score_adj", self_adj);
	if (has_psi) {
		jw_obj(d, "psi");
		jw_num(d, "some_avg10", ps->some_avg10);
		jw_num(d, "full_avg10", ps->full_avg10);
		jw_obj_end(d);
	} else {
		jw_null(d, "psi");
	}
	jw_obj(d, "balloon");
	jw_bool(d, "present", b->present);
	jw_bool(d, "driver_bound", b->bound);
	jw_str(d, "device", b->present ? b->name : NULL);
	jw_arr(d, "features");
	for (int i = 0; b->features[i]; i++)
		if (b->features[i] == '1') {
			const char *n = mem_balloon_feature_name(i);

			if (n)
				jw_str(d, NULL, n);
			else
				jw_strf(d, NULL, "bit%d", i);
		}
	jw_arr_end(d);
	jw_bool(d, "counters", vs->has_balloon);
	jw_int(d, "size_kib", vmstat_balloon_kib(vs));
	jw_int(d, "inflate_pages", vs->balloon_inflate);
	jw_int(d, "deflate_pages", vs->balloon_deflate);
	jw_int(d, "migrate_pages", vs->balloon_migrate);
	jw_obj_end(d);
	jw_obj_end(d);
}

static void write_series(struct jw *d, const struct mem_series *s)
{
	static const char *const keys[] = { "t_s", "memtotal_kib", "memavailable_kib", "balloon_kib", "held_mib",
					    "psi_some_pct", "psi_full_pct", "pgmajfault" };

	jw_obj(d, "samples");
	jw_num(d, "interval_s", round3((double)SAMPLE_NS * s->stride / 1e9));
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		jw_arr(d, keys[k]);
		for (size_t i = 0; i < s->n; i++) {
			const struct mem_sample *p = &s->pt[i];

			switch (k) {
			case 0: jw_num(d, NULL, round2(p->t_s)); break;
			case 1: jw_int(d, NULL, p->memtotal_kib); break;
			case 2: jw_int(d, NULL, p->memavail_kib); break;
			case 3: jw_int(d, NULL, p->balloon_kib); break;
			case 4: jw_num(d, NULL, round2((double)p->held_kib / 1024)); break;
			case 5: jw_num(d, NULL, round2(p->psi_some_pct)); break;
			case 6: jw_num(d, NULL, round2(p->psi_full_pct)); break;
			case 7: jw_int(d, NULL, p->majflt); break;
			}
		}
		jw_arr_end(d);
	}
	jw_obj_end(d);
}

static void write_err(struct jw *w, const struct mem_err *e)
{
	int bits[BITS_LISTED];
	int n = mem_flipped_bits(e->expected, e->got, bits, BITS_LISTED);

	jw_obj(w, NULL);
	jw_str(w, "pass", mem_pass_names[e->pass]);
	jw_uint(w, "offset", e->offset);
	jw_strf(w, "vaddr", "0x%016" PRIx64, e->vaddr);
	if (e->paddr)
		jw_strf(w, "paddr", "0x%016" PRIx64, e->paddr);
	else
		jw_null(w, "paddr");
	jw_strf(w, "expected", "0x%016" PRIx64, e->expected);
	jw_strf(w, "got", "0x%016" PRIx64, e->got);
	jw_int(w, "nflipped", n);
	jw_arr(w, "flipped_bits");
	for (int i = 0; i < n && i < BITS_LISTED; i++)
		jw_int(w, NULL, bits[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

struct outcome {
	bool exited, killed, oom_killed;
	int sig, code;
	int phase_at_end;
	double t_end_s;
	int64_t oom_kill_delta;
	bool timed_out;
};

/* Block and chunk stall analysis into data and findings. */
static void report_stalls(struct check *c, const struct mem_shared *sh, double *worst_ms, size_t *nstalls)
{
	struct jw *d = check_data(c);
	size_t idx[STALLS_LISTED], cidx[STALLS_LISTED];
	struct mem_stalls bs, cs;
	uint64_t per_mib[MEM_MAX_CHUNKS];
	size_t nc = 0;
	uint32_t chunk_of[MEM_MAX_CHUNKS];

	mem_find_stalls(sh->block_ns, sh->nblocks, STALL_FACTOR, STALL_MIN_NS, &bs, idx, STALLS_LISTED);
	for (uint32_t i = 0; i < sh->nchunks; i++) {
		const struct mem_chunk *ch = &sh->chunk[i];
		/* The bytes a chunk filled, whatever was given back since. */
		uint64_t bytes = chunk_filled(sh, i);

		/* Refills reuse pages the kernel (and the host) just had:
		 * several times faster, they would drag the median up. */
		if (!ch->fill_ns || !bytes || ch->refill)
			continue;

		per_mib[nc] = (uint64_t)((double)ch->fill_ns * MIB / (double)bytes);
		chunk_of[nc++] = i;
	}
	memset(&cs, 0, sizeof(cs));
	if (nc >= CHUNK_STALL_MIN_CHUNKS)
		mem_find_stalls(per_mib, nc, CHUNK_SLOW_FACTOR, CHUNK_STALL_MIN_NS_PER_MIB, &cs, cidx, STALLS_LISTED);

	jw_obj(d, "blocks");
	jw_int(d, "block_bytes", MEM_BLOCK);
	jw_int(d, "count", (long long)bs.n);
	jw_num(d, "median_us", round2(bs.median_ns / 1e3));
	jw_num(d, "p99_us", round2(bs.p99_ns / 1e3));
	jw_num(d, "max_us", round2(bs.max_ns / 1e3));
	jw_num(d, "stall_threshold_us", round2(bs.threshold_ns / 1e3));
	jw_int(d, "stalls", (long long)bs.count);
	jw_arr(d, "slowest");
	for (size_t i = 0; i < bs.count && i < STALLS_LISTED; i++) {
		jw_obj(d, NULL);
		jw_int(d, "block", (long long)idx[i]);
		jw_bool(d, "refill", idx[i] >= sh->nblocks_fill);
		jw_num(d, "us", round2((double)sh->block_ns[idx[i]] / 1e3));
		jw_obj_end(d);
	}
	jw_arr_end(d);
	jw_obj_end(d);

	*worst_ms = bs.max_ns / 1e6;
	*nstalls = bs.count + cs.count;
	if (bs.count == 0 && cs.count == 0)
		return;
	struct finding *f;
	if (bs.count)
		f = check_finding(c, "mem.alloc-stall", SEV_WARN, advice_stall,
				  "touching fresh memory stalled: a 2 MiB block took %.1f ms, %.0fx the median %.0f us",
				  bs.max_ns / 1e6, bs.max_ns / bs.median_ns, bs.median_ns / 1e3);
	else
		f = check_finding(c, "mem.alloc-stall", SEV_WARN, advice_stall,
				  "filling chunk %u was %.1fx slower per byte than the median chunk (%.0f MiB/s)",
				  chunk_of[cidx[0]], cs.max_ns / cs.median_ns, 1e9 / cs.max_ns);
	jw_int(&f->ev, "block_stalls", (long long)bs.count);
	jw_num(&f->ev, "worst_block_ms", round3(bs.max_ns / 1e6));
	jw_num(&f->ev, "median_block_us", round2(bs.median_ns / 1e3));
	jw_num(&f->ev, "threshold_ms", round3(bs.threshold_ns / 1e6));
	jw_int(&f->ev, "blocks", (long long)bs.n);
	jw_int(&f->ev, "chunk_stalls", (long long)cs.count);
	if (cs.count) {
		jw_num(&f->ev, "worst_chunk_ms_per_mib", round3(cs.max_ns / 1e6));
		jw_num(&f->ev, "median_chunk_ms_per_mib", round3(cs.median_ns / 1e6));
		jw_arr(&f->ev, "slow_chunks");
		for (size_t i = 0; i < cs.count && i < STALLS_LISTED; i++)
			jw_int(&f->ev, NULL, chunk_of[cidx[i]]);
		jw_arr_end(&f->ev);
	}
}

static void report(struct check *c, const struct mem_shared *sh, const struct sampler *s,
		   const struct outcome *o, const struct balloon_dev *b, long long ce0, long long ue0)
{
	struct jw *m = check_metrics(c), *d = check_data(c);
	const struct mem_plan *pl = &sh->plan;
	uint64_t filled = 0;
	int64_t tested_ns, verify_ns = 0;
	uint64_t verified = 0;
	double worst_ms = 0;
	size_t nstalls = 0;

	for (uint32_t i = 0; i < sh->nchunks; i++)
		if (!sh->chunk[i].refill)
			filled += chunk_filled(sh, i);
	uint64_t filled_chunks = filled; /* what fill_ns timed */
	/* A worker killed mid-chunk: its last chunk is not in the table yet. */
	if (o->killed && sh->phase == PH_FILL && sh->held > filled)
		filled = sh->held;
	int64_t fill_ns = 0;
	for (uint32_t i = 0; i < sh->nchunks; i++)
		if (!sh->chunk[i].refill)
			fill_ns += sh->chunk[i].fill_ns;

	jw_obj(d, "plan");
	jw_int(d, "target_bytes", (long long)pl->target);
	jw_int(d, "chunk_bytes", (long long)pl->chunk);
	jw_int(d, "reserve_kib", pl->reserve_kib);
	jw_num(d, "budget_s", round3((double)pl->budget_ns / 1e9));
	jw_num(d, "hold_s", round3((double)pl->hold_ns / 1e9));
	jw_bool(d, "oom", pl->oom);
	jw_bool(d, "churn", pl->churn);
	jw_obj_end(d);

	jw_obj(d, "fill");
	jw_str(d, "stopped_by", o->killed && sh->phase == PH_FILL ? "killed" : mem_stop_names[sh->stop]);
	if (sh->stop == STOP_MMAP)
		jw_str(d, "mmap_error", strerror(sh->mmap_errno));
	jw_int(d, "bytes", (long long)filled);
	/* Killed mid-fill: the worker never wrote its fill time. */
	jw_num(d, "seconds", round3(sh->fill_ns ? (double)sh->fill_ns / 1e9 : o->t_end_s));
	jw_num(d, "gibps", round3(gibps(filled_chunks, fill_ns)));
	jw_int(d, "peak_bytes", (long long)sh->peak);
	jw_arr(d, "chunk_mib");
	for (uint32_t i = 0; i < sh->nchunks; i++) {
		jw_num(d, NULL, mib(chunk_filled(sh, i)));
	}
	jw_arr_end(d);
	jw_arr(d, "chunk_gibps");
	for (uint32_t i = 0; i < sh->nchunks; i++) {
		jw_num(d, NULL, round3(gibps(chunk_filled(sh, i), sh->chunk[i].fill_ns)));
	}
	jw_arr_end(d);
	jw_arr(d, "chunk_refill");
	for (uint32_t i = 0; i < sh->nchunks; i++)
		jw_bool(d, NULL, sh->chunk[i].refill);
	jw_arr_end(d);
	jw_obj_end(d);

	report_stalls(c, sh, &worst_ms, &nstalls);

	jw_obj(d, "verify");
	jw_arr(d, "passes");
	for (int p = 0; p < PASS_COUNT; p++) {
		if (!sh->pass[p].bytes)
			continue;
		jw_obj(d, NULL);
		jw_str(d, "name", mem_pass_names[p]);
		jw_int(d, "bytes", (long long)sh->pass[p].bytes);
		jw_num(d, "seconds", round3((double)sh->pass[p].ns / 1e9));
		jw_num(d, "gibps", round3(gibps(sh->pass[p].bytes, sh->pass[p].ns)));
		jw_int(d, "mismatches", (long long)sh->pass[p].mismatches);
		jw_obj_end(d);
		verify_ns += sh->pass[p].ns;
		verified += sh->pass[p].bytes;
	}
	jw_arr_end(d);
	jw_int(d, "mismatches", (long long)sh->mismatches);
	jw_arr(d, "errors");
	for (uint32_t i = 0; i < sh->nerr && i < MEM_ERR_CAP; i++)
		write_err(d, &sh->err[i]);
	jw_arr_end(d);
	jw_obj_end(d);

	jw_obj(d, "hold");
	jw_num(d, "seconds", round3((double)sh->hold_ns / 1e9));
	jw_int(d, "yielded_bytes", (long long)sh->yielded);
	jw_int(d, "yields", sh->yields);
	if (sh->yields)
		jw_num(d, "first_yield_s", round2(sh->first_yield_s));
	jw_obj_end(d);

	if (pl->churn && sh->phase >= PH_CHURN_FREE) {
		jw_obj(d, "churn");
		jw_int(d, "freed_bytes", (long long)sh->churn_freed);
		jw_int(d, "refilled_bytes", (long long)sh->churn_refilled);
		jw_num(d, "gibps", round3(gibps(sh->churn_refilled, sh->churn_fill_ns)));
		jw_str(d, "stopped_by", mem_stop_names[sh->churn_stop]);
		jw_obj_end(d);
	}
	write_series(d, &s->series);

	/* The first fill and its first two passes: what the bench compares
	 * with memtester (bytes tested per second, writes and reads both). */
	tested_ns = sh->fill_ns + sh->pass[PASS_ADDR].ns + sh->pass[PASS_INV_HOLD].ns;
	int64_t drop_kib = s->base_mi.total_kib - s->memtotal_min_kib;
	int64_t inflated_kib = ((s->end_vs.balloon_inflate - s->base_vs.balloon_inflate) -
				(s->end_vs.balloon_deflate - s->base_vs.balloon_deflate)) * 4;
	int64_t balloon_grew_kib = s->balloon_max_kib - vmstat_balloon_kib(&s->base_vs);

	jw_int(m, "memtotal_kib", s->base_mi.total_kib);
	jw_int(m, "memavailable_kib", s->base_mi.avail_kib);
	jw_num(m, "filled_mib", mib(filled));
	jw_num(m, "fill_gibps", round3(gibps(filled_chunks, fill_ns)));
	jw_num(m, "verify_gibps", round3(gibps(verified, verify_ns)));
	jw_num(m, "tested_gibps", round3(sh->pass[PASS_INV_HOLD].bytes ? gibps(filled, tested_ns) : 0));
	jw_num(m, "worst_block_ms", round3(worst_ms));
	jw_int(m, "stalls", (long long)nstalls);
	jw_int(m, "mismatches", (long long)sh->mismatches);
	jw_int(m, "memtotal_drop_kib", drop_kib);
	jw_int(m, "balloon_kib", s->balloon_end_kib);
	jw_int(m, "balloon_inflated_kib", inflated_kib);
	jw_num(m, "psi_full_max_pct", round2(s->full_max_pct));
	jw_int(m, "pgmajfault", s->end_vs.pgmajfault - s->base_vs.pgmajfault);
	jw_bool(m, "oom_killed", o->oom_killed);
	jw_num(m, "yielded_mib", mib(sh->yielded));

	if (b->present) {
		struct finding *f = check_finding(c, "mem.balloon-present", SEV_INFO, advice_balloon_present,
						  "virtio balloon %s%s: the host can take memory back (now %.0f MiB ballooned)",
						  b->name, b->bound ? "" : " (no driver bound)",
						  (double)s->balloon_end_kib / 1024);
		jw_str(&f->ev, "device", b->name);
		jw_bool(&f->ev, "driver_bound", b->bound);
		jw_bool(&f->ev, "deflate_on_oom", b->deflate_on_oom);
		jw_bool(&f->ev, "stats_vq", b->stats_vq);
		jw_bool(&f->ev, "free_page_reporting", b->reporting);
		jw_int(&f->ev, "balloon_kib", s->balloon_end_kib);
		jw_int(&f->ev, "memtotal_kib", s->base_mi.total_kib);
	}

	/* Held from the start: judged against what the VM was given. */
	int64_t held_kib = vmstat_balloon_kib(&s->base_vs);
	int64_t memmap_kib = mem_memmap_ram_kib("/sys/firmware/memmap");
	int64_t given_kib = mem_given_kib(memmap_kib, s->base_mi.total_kib, held_kib, b->deflate_on_oom);
	double held_pct = given_kib > 0 ? 100.0 * (double)held_kib / (double)given_kib : 0;

	jw_int(m, "balloon_start_kib", held_kib);
	jw_num(m, "balloon_start_pct", round2(held_pct));
	if (b->present && held_pct >= BALLOON_HELD_PCT) {
		struct finding *f = check_finding(c, "mem.balloon-held", SEV_WARN, advice_balloon_held,
						  "the balloon held %.0f MiB (%.0f%%) of the %.0f MiB this VM was given "
						  "before the run started",
						  (double)held_kib / 1024, held_pct, (double)given_kib / 1024);
		jw_int(&f->ev, "balloon_start_kib", held_kib);
		jw_int(&f->ev, "given_kib", given_kib);
		jw_str(&f->ev, "given_from", memmap_kib > 0 ? "/sys/firmware/memmap" : "MemTotal and the balloon");
		jw_num(&f->ev, "held_pct", round2(held_pct));
		jw_num(&f->ev, "threshold_pct", BALLOON_HELD_PCT);
	}

	/* Shrink: MemTotal falls when the balloon inflates, unless the device
	 * has deflate-on-oom (then the kernel keeps counting the pages and
	 * only the balloon counters show it). */
	int64_t shrink_kib = drop_kib > balloon_grew_kib ? drop_kib : balloon_grew_kib;
	if (shrink_kib >= SHRINK_MIN_KIB) {
		bool by_total = drop_kib >= SHRINK_MIN_KIB;
		struct finding *f = check_finding(
			c, "mem.balloon-shrank", SEV_WARN, advice_balloon,
			"the host took %.0f MiB (%.1f%%) of this guest's memory back %.1f s into the run",
			(double)shrink_kib / 1024, 100.0 * (double)shrink_kib / (double)s->base_mi.total_kib,
			by_total ? s->t_first_drop : s->t_first_inflate);
		jw_int(&f->ev, "shrink_kib", shrink_kib);
		jw_num(&f->ev, "shrink_pct", round2(100.0 * (double)shrink_kib / (double)s->base_mi.total_kib));
		jw_str(&f->ev, "measured_by", by_total ? "MemTotal" : "balloon counters");
		jw_int(&f->ev, "memtotal_start_kib", s->base_mi.total_kib);
		jw_int(&f->ev, "memtotal_min_kib", s->memtotal_min_kib);
		jw_int(&f->ev, "memtotal_end_kib", s->memtotal_end_kib);
		jw_num(&f->ev, "first_drop_s", round2(by_total ? s->t_first_drop : s->t_first_inflate));
		if (by_total)
			jw_num(&f->ev, "min_at_s", round2(s->t_memtotal_min));
		jw_int(&f->ev, "balloon_start_kib", vmstat_balloon_kib(&s->base_vs));
		jw_int(&f->ev, "balloon_max_kib", s->balloon_max_kib);
		jw_int(&f->ev, "balloon_inflated_kib", inflated_kib);
		jw_int(&f->ev, "filler_gave_back_kib", (long long)(sh->yielded / KIB));
		jw_str(&f->ev, "phase_at_first_drop",
		       mem_phase_names[by_total ? s->phase_at_first_drop : s->phase_at_first_inflate]);
	}

	if (o->killed) {
		bool expected = pl->oom;
		struct finding *f = check_finding(
			c, "mem.oom", expected ? SEV_INFO : SEV_WARN, advice_oom,
			"the %s killed the filler after it held %.0f MiB (%.0f%% of MemTotal), during %s; this process survived",
			o->oom_killed ? "OOM killer" : "kernel (SIGKILL)", (double)sh->peak / MIB,
			100.0 * (double)sh->peak / KIB / (double)s->base_mi.total_kib, mem_phase_names[o->phase_at_end]);
		jw_int(&f->ev, "held_bytes", (long long)sh->held);
		jw_int(&f->ev, "peak_bytes", (long long)sh->peak);
		jw_int(&f->ev, "chunks", sh->nchunks);
		jw_str(&f->ev, "phase", mem_phase_names[o->phase_at_end]);
		jw_num(&f->ev, "killed_at_s", round2(o->t_end_s));
		jw_int(&f->ev, "signal", o->sig);
		jw_int(&f->ev, "oom_kill_count", o->oom_kill_delta);
		jw_bool(&f->ev, "pushed_on_purpose", expected);
		jw_int(&f->ev, "memtotal_kib", s->base_mi.total_kib);
		jw_int(&f->ev, "memavailable_min_kib", s->memavail_min_kib);
		jw_int(&f->ev, "swaptotal_kib", s->base_mi.swap_total_kib);
	}

	if (s->full_max_pct >= PSI_FULL_WARN_PCT) {
		struct finding *f = check_finding(
			c, "mem.pressure", SEV_WARN, advice_pressure,
			"every task waited for memory %.0f%% of a second (PSI full) at %.1f s", s->full_max_pct,
			s->t_full_max);
		jw_num(&f->ev, "full_max_1s_pct", round2(s->full_max_pct));
		jw_num(&f->ev, "some_max_1s_pct", round2(s->some_max_pct));
		jw_num(&f->ev, "at_s", round2(s->t_full_max));
		jw_num(&f->ev, "threshold_pct", PSI_FULL_WARN_PCT);
		jw_int(&f->ev, "pgmajfault", s->end_vs.pgmajfault - s->base_vs.pgmajfault);
	}

	if (sh->mismatches) {
		long long ce = edac_count(false), ue = edac_count(true);
		int bits[1], nbits = sh->nerr ? mem_flipped_bits(sh->err[0].expected, sh->err[0].got, bits, 1) : 0;
		struct finding *f = check_finding(c, "mem.corruption", SEV_FAIL, advice_corruption,
						  "memory returned other data than written (%" PRIu64 " bad reads); first at offset %" PRIu64
						  ": expected 0x%016" PRIx64 ", got 0x%016" PRIx64 " (%d bit%s flipped)",
						  sh->mismatches, sh->nerr ? sh->err[0].offset : 0,
						  sh->nerr ? sh->err[0].expected : 0, sh->nerr ? sh->err[0].got : 0, nbits,
						  nbits == 1 ? "" : "s");
		jw_int(&f->ev, "mismatches", (long long)sh->mismatches);
		jw_int(&f->ev, "verified_bytes", (long long)verified);
		jw_arr(&f->ev, "errors");
		for (uint32_t i = 0; i < sh->nerr && i < MEM_ERR_CAP; i++)
			write_err(&f->ev, &sh->err[i]);
		jw_arr_end(&f->ev);
		if (ce >= 0) {
			jw_int(&f->ev, "edac_ce_delta", ce - ce0);
			jw_int(&f->ev, "edac_ue_delta", ue - ue0);
		} else {
			jw_null(&f->ev, "edac_ce_delta");
		}
		jw_bool(&f->ev, "balloon_present", b->present);
	}
}

/* ---- the run ---- */

static void on_sigchld(int sig)
{
	(void)sig;
}

static double progress_of(const struct mem_shared *sh, int64_t now, int64_t t_phase)
{
	const struct mem_plan *pl = &sh->plan;
	double f = 0;

	switch (sh->phase) {
	case PH_START: return 0;
	case PH_FILL:
		f = pl->target ? (double)sh->held / (double)pl->target : 0;
		if (pl->budget_ns && (double)(now - pl->t0_ns) / (double)pl->budget_ns > f)
			f = (double)(now - pl->t0_ns) / (double)pl->budget_ns;
		return 0.4 * (f > 1 ? 1 : f);
	case PH_VERIFY: return 0.45;
	case PH_HOLD:
		f = pl->hold_ns ? (double)(now - t_phase) / (double)pl->hold_ns : 1;
		return 0.5 + 0.3 * (f > 1 ? 1 : f);
	case PH_VERIFY_HOLD: return 0.82;
	case PH_CHURN_FREE: case PH_CHURN_FILL: return 0.88;
	case PH_CHURN_VERIFY: return 0.95;
	default: return 1;
	}
}

int cmd_mem(int argc, char **argv)
{
	struct optv v[O_COUNT + 1];
	struct check c;
	struct procfd pf;
	struct meminfo mi;
	struct vmstat vs;
	struct psi ps = { 0 };
	struct balloon_dev b;
	struct mem_plan plan = { 0 };
	struct mem_shared *sh;
	struct sampler *s;
	struct outcome o = { 0 };
	size_t shsize;
	bool has_psi;
	int rc, self_adj, status, last_phase = -1;
	int64_t deadline, t_phase = 0, next, last_progress = 0;
	long long ce0, ue0;
	pid_t pid;

	memset(v, 0, sizeof(v));
	rc = check_begin(&c, "mem", usage, mem_opts, v, argc, argv);
	if (rc >= 0)
		return rc;

	mem_procfd_open(&pf);
	if (mem_read_meminfo(&pf, &mi) < 0) {
		mem_procfd_close(&pf);
		return check_end(&c, ST_SKIP, "no /proc/meminfo: not Linux, or /proc is not mounted");
	}
	if (mem_read_vmstat(&pf, &vs) < 0)
		memset(&vs, 0, sizeof(vs));
	has_psi = mem_read_psi(&pf, &ps) == 0;
	mem_procfd_close(&pf);
	mem_find_balloon("/sys/bus/virtio", &b);
	ce0 = edac_count(false);
	ue0 = edac_count(true);
	self_adj = protect_self();

	plan.oom = v[O_OOM].set;
	plan.churn = !v[O_NO_CHURN].set;
	plan.budget_ns = v[O_BUDGET].set ? v[O_BUDGET].num : mode_defaults[c.mode].budget_ns;
	if (plan.oom && !v[O_BUDGET].set)
		plan.budget_ns = 0;
	plan.hold_ns = v[O_HOLD].set ? v[O_HOLD].num : mode_defaults[c.mode].hold_ns;
	mem_plan_size(&plan, mi.avail_kib, mi.total_kib,
		      v[O_PERCENT].set ? (int)v[O_PERCENT].num : mode_defaults[c.mode].percent,
		      v[O_SIZE].set ? (uint64_t)v[O_SIZE].num : 0, v[O_CHUNK].set ? (uint64_t)v[O_CHUNK].num : 0);

	write_baseline(check_data(&c), &mi, &vs, &ps, has_psi, &b, self_adj);
	check_ok(&c, true, "baseline: MemTotal %lld MiB, MemAvailable %lld MiB, swap %lld MiB, balloon %s%s",
		 (long long)mi.total_kib / 1024, (long long)mi.avail_kib / 1024, (long long)mi.swap_total_kib / 1024,
		 b.present ? b.name : "none", b.present && !b.bound ? " (unbound)" : "");
	if (!plan.oom && mi.avail_kib - plan.reserve_kib < (int64_t)(MEM_BLOCK / KIB))
		return check_end(&c, ST_SKIP, "MemAvailable is already under the reserve: nothing to fill safely");
	if (plan.target < MEM_BLOCK)
		return check_end(&c, ST_SKIP, "the planned fill is under 2 MiB");

	shsize = mem_shared_size(plan.max_blocks);
	sh = mmap(NULL, shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s = xmalloc(sizeof(*s));
	if (sh == MAP_FAILED) {
		free(s);
		return check_end(&c, ST_ERROR, "cannot map the shared report page");
	}
	plan.t0_ns = now_ns();
	sh->plan = plan;
	sh->parent = getpid();
	sampler_init(s, plan.t0_ns, &mi, &vs, &ps, has_psi);
	check_note(&c, "filling up to %.0f MiB in %.0f MiB chunks, reserve %lld MiB%s", (double)plan.target / MIB,
		   (double)plan.chunk / MIB, (long long)plan.reserve_kib / 1024,
		   plan.oom ? ", pushing into OOM on purpose" : "");

	sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = on_sigchld }, NULL);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		munmap(sh, shsize);
		free(s);
		return check_end(&c, ST_ERROR, "fork failed");
	}
	if (pid == 0)
		mem_worker(sh);

	/* A generous end: every phase is bounded by the budget or the hold
	 * except verification, which reads what the fill wrote (faster). */
	deadline = plan.t0_ns + 120 * 1000000000LL + plan.hold_ns +
		   6 * (plan.budget_ns ? plan.budget_ns : 120 * 1000000000LL);
	next = plan.t0_ns;
	for (;;) {
		struct timespec ts;
		pid_t w;
		int64_t now;

		next += SAMPLE_NS;
		ts.tv_sec = next / 1000000000LL;
		ts.tv_nsec = next % 1000000000LL;
		/* SIGCHLD cuts the sleep short: the worker is done. */
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			next = now_ns();
		sample(s, sh);
		now = now_ns();
		int ph = __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
		bool changed = ph != last_phase;
		if (changed) {
			t_phase = now;
			last_phase = ph;
			if (ph == PH_VERIFY)
				check_ok(&c, true, "fill: %.0f MiB in %.2f s (%.2f GiB/s), stopped by %s",
					 (double)sh->held / MIB, (double)sh->fill_ns / 1e9,
					 gibps(sh->held, sh->fill_ns), mem_stop_names[sh->stop]);
		}
		if (now - last_progress >= 1000000000LL || changed) {
			check_progress(&c, progress_of(sh, now, t_phase), "%s, %.0f MiB held, MemTotal %lld MiB",
				       mem_phase_names[ph], (double)sh->held / MIB,
				       (long long)s->memtotal_end_kib / 1024);
			last_progress = now;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (now > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			o.timed_out = true;
			break;
		}
	}
	sample(s, sh);
	mem_series_flush(&s->series);
	o.t_end_s = (double)(now_ns() - plan.t0_ns) / 1e9;
	o.phase_at_end = sh->phase;
	o.exited = WIFEXITED(status);
	o.code = o.exited ? WEXITSTATUS(status) : 0;
	if (WIFSIGNALED(status) && !o.timed_out) {
		o.sig = WTERMSIG(status);
		o.killed = o.sig == SIGKILL;
		o.oom_kill_delta = s->end_vs.oom_kill - s->base_vs.oom_kill;
		/* Without the oom_kill counter (before 4.13), a SIGKILL no one
		 * else sent is the OOM killer's. */
		o.oom_killed = o.killed && (!s->end_vs.has_oom_kill || o.oom_kill_delta > 0);
	}

	if (o.killed)
		check_ok(&c, true, "the filler was killed (%s) during %s after holding %.0f MiB; still here",
			 o.oom_killed ? "OOM" : "SIGKILL", mem_phase_names[o.phase_at_end], (double)sh->peak / MIB);
	else if (sh->phase == PH_DONE) {
		check_ok(&c, sh->mismatches == 0, "verify: %" PRIu64 " mismatches over %d passes", sh->mismatches,
			 PASS_COUNT);
		check_ok(&c, true, "hold %.1f s, gave back %.0f MiB; MemTotal min %lld MiB (start %lld MiB)",
			 (double)sh->hold_ns / 1e9, (double)sh->yielded / MIB, (long long)s->memtotal_min_kib / 1024,
			 (long long)s->base_mi.total_kib / 1024);
	}

	report(&c, sh, s, &o, &b, ce0, ue0);
	mem_procfd_close(&s->pf);

	const char *reason = NULL;
	int st = -1;
	if (o.timed_out) {
		reason = "the filler did not finish in time and was stopped";
		st = ST_ERROR;
	} else if (o.sig && !o.killed) {
		reason = xasprintf("the filler died of signal %d (%s)", o.sig, strsignal(o.sig));
		st = ST_ERROR;
	} else if (o.exited && (o.code != 0 || sh->phase != PH_DONE)) {
		reason = "the filler exited early";
		st = ST_ERROR;
	}
	munmap(sh, shsize);
	free(s);
	return check_end(&c, st, reason);
}
