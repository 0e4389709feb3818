/* triage mem: the pieces of the memory check that tests can call.
 *
 * pattern.c  fill and verify kernels (SSE2, baseline x86-64) and the error log
 * stats.c    the stall detector, the compact time series
 * procfs.c   /proc/pressure/memory, the balloon's size, and the
 *            virtio-balloon device in sysfs (meminfo, vmstat: lib/procfs)
 * worker.c   the child that fills, verifies, holds and churns memory
 * mem.c      the command: plan, sampling, findings */
#ifndef VMTRIAGE_MEM_H
#define VMTRIAGE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/check.h"
#include "lib/procfs.h"
#include "lib/stats.h"

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

/* ---- pattern.c ---- */

/* The unit of the fast kernels: one 4 KiB page of 64-bit words. */
#define MEM_PAGE_WORDS 512

/* Patterns are "address in address" XOR a mask: word i holds its own
 * virtual address, so an address line fault reads another word's value;
 * the inverted pass (mask all ones) puts every bit at 1 where the first
 * put it at 0, so stuck bits show in one of the two. */
#define MEM_MASK_ADDR 0ULL
#define MEM_MASK_INV (~0ULL)

struct mem_err {
	uint64_t offset;   /* bytes from the start of the tested memory */
	uint64_t vaddr;
	uint64_t paddr;    /* from /proc/self/pagemap; 0 if unknown */
	uint64_t expected, got;
	int pass;	   /* index into the worker's pass table */
};

/* Mismatches: all are counted, the first cap are kept. */
struct mem_errlog {
	uint64_t count;
	uint32_t n, cap;
	struct mem_err *e;
	int pass;
};

/* Fills nwords (a multiple of MEM_PAGE_WORDS, p 16-byte aligned). */
void mem_fill(uint64_t *p, size_t nwords, uint64_t mask);

/* Checks nwords against mask and, when rewrite is set, writes the pattern
 * of newmask in the same streaming pass (page by page: a page is checked,
 * then rewritten while it is still in L1, so a bad word is logged with
 * the value it had). off is the byte offset of p in the tested memory.
 * Returns the number of mismatching words. */
uint64_t mem_verify(uint64_t *p, size_t nwords, uint64_t mask, bool rewrite, uint64_t newmask,
		    uint64_t off, struct mem_errlog *log);

/* The bits that differ, lowest first, at most max of them; returns how
 * many differ in all. */
int mem_flipped_bits(uint64_t expected, uint64_t got, int *bits, int max);

/* ---- stats.c ---- */

/* Quantiles: lib/stats.h. */

/* A block (or chunk) is a stall when it took more than factor times the
 * median and more than min_ns: both, so that a fast machine's 50 us
 * hiccup and a slow machine's uniform slowness are not stalls. */
struct mem_stalls {
	double median_ns, p99_ns, max_ns, threshold_ns;
	size_t n, count, worst;	 /* samples, stalls, index of the slowest */
};
/* Fills s; writes the indexes of up to cap stalls (slowest first) to idx. */
void mem_find_stalls(const uint64_t *ns, size_t n, double factor, double min_ns, struct mem_stalls *s,
		     size_t *idx, size_t cap);

/* One sample of the machine, every 100 ms by the parent. */
struct mem_sample {
	double t_s;
	int64_t memtotal_kib, memavail_kib, balloon_kib, held_kib;
	double psi_some_pct, psi_full_pct; /* share of the interval stalled */
	int64_t majflt;			   /* major faults in the interval */
};

/* A time series that stays under cap points however long the run: when
 * full, neighbours are merged in pairs and each point then stands for
 * twice as many raw samples (MemTotal and MemAvailable keep the minimum,
 * the balloon the maximum, PSI the mean, faults the sum). */
#define MEM_SERIES_CAP 256
struct mem_series {
	struct mem_sample pt[MEM_SERIES_CAP];
	size_t n, cap;		/* cap <= MEM_SERIES_CAP, even */
	int stride;		/* raw samples per point */
	struct mem_sample pending;
	int npending;
};
void mem_series_init(struct mem_series *s, size_t cap);
void mem_series_add(struct mem_series *s, const struct mem_sample *x);
/* Pushes a partly merged point, at the end of the run. */
void mem_series_flush(struct mem_series *s);

/* ---- procfs.c ---- */

/* /proc/meminfo and /proc/vmstat: lib/procfs.h. */

/* The balloon's size and PSI: lib/procfs.h (vmstat_balloon_kib, psi_parse). */

/* Stop filling when MemAvailable would fall under this (KiB). */
int64_t mem_reserve_kib(int64_t memtotal_kib);

/* Re-readable procfs files kept open (seq_file regenerates on pread at 0),
 * so sampling under memory pressure needs no allocation. */
struct procfd {
	int meminfo, vmstat, psi;
};
void mem_procfd_open(struct procfd *p);
void mem_procfd_close(struct procfd *p);
int mem_read_meminfo(const struct procfd *p, struct meminfo *mi);
int mem_read_vmstat(const struct procfd *p, struct vmstat *vs);
int mem_read_psi(const struct procfd *p, struct psi *ps);

/* The virtio-balloon device as sysfs shows it. */
#define MEM_BALLOON_FEATURES 64
struct balloon_dev {
	bool present, bound;
	char name[32];		/* virtio0 */
	char features[MEM_BALLOON_FEATURES + 1]; /* '0'/'1' per bit, as in sysfs */
	bool deflate_on_oom, stats_vq, free_page_hint, reporting;
};
/* Looks under root (normally "/sys/bus/virtio") for device id 0x0005. */
int mem_find_balloon(const char *root, struct balloon_dev *b);
/* Name of a virtio-balloon feature bit, or NULL if it has none here. */
const char *mem_balloon_feature_name(int bit);
/* RAM the firmware handed the kernel: the "System RAM" entries of root
 * (normally /sys/firmware/memmap), in KiB; -1 if there are none. */
int64_t mem_memmap_ram_kib(const char *root);
/* What the VM was given: the firmware's RAM where known, else MemTotal plus
 * what the balloon holds (which MemTotal lacks unless deflate-on-oom). */
int64_t mem_given_kib(int64_t memmap_kib, int64_t memtotal_kib, int64_t balloon_kib, bool deflate_on_oom);

/* ---- the plan and the worker (worker.c) ---- */

/* Fill block: timed one by one for the stall detector. 2 MiB is the
 * transparent huge page size, so THP on or off, blocks cost alike. */
#define MEM_BLOCK (2 * MIB)
#define MEM_MAX_CHUNKS 512
#define MEM_ERR_CAP 16

struct mem_plan {
	uint64_t target;       /* bytes to fill */
	uint64_t chunk;	       /* bytes per mapping */
	int64_t reserve_kib;   /* MemAvailable floor; 0 with --oom */
	int64_t budget_ns;     /* fill time budget; 0: none */
	int64_t hold_ns;
	int64_t t0_ns;	       /* start of the run, for time stamps */
	uint64_t max_blocks;   /* capacity of block_ns[] */
	bool oom, churn;
};

/* Computes target and chunk from MemAvailable and the options
 * (percent of MemAvailable, or an explicit size; chunk 0: automatic). */
void mem_plan_size(struct mem_plan *pl, int64_t avail_kib, int64_t total_kib, int percent, uint64_t size,
		   uint64_t chunk);

enum mem_phase {
	PH_START, PH_FILL, PH_VERIFY, PH_HOLD, PH_VERIFY_HOLD, PH_CHURN_FREE, PH_CHURN_FILL, PH_CHURN_VERIFY,
	PH_DONE, PH_COUNT
};
extern const char *const mem_phase_names[PH_COUNT];

enum mem_stop { STOP_TARGET, STOP_RESERVE, STOP_BUDGET, STOP_MMAP, STOP_COUNT };
extern const char *const mem_stop_names[STOP_COUNT];

/* Verification passes, in the order they run. */
enum mem_pass { PASS_ADDR, PASS_INV_HOLD, PASS_REFILL_ADDR, PASS_FINAL_INV, PASS_COUNT };
extern const char *const mem_pass_names[PASS_COUNT];

struct mem_chunk {
	uint64_t *base;	   /* in the worker */
	uint64_t map_len;  /* mapped */
	uint64_t bytes;	   /* filled */
	uint64_t off;	   /* offset in the tested memory */
	int64_t fill_ns;
	bool refill, freed;
};

/* The worker's report, in a MAP_SHARED page the parent reads even after
 * the worker was killed. Counters the parent polls are written with
 * atomic stores. */
struct mem_shared {
	struct mem_plan plan;
	int parent;		/* pid, to notice a parent gone before the worker ran */
	int phase;
	int stop;		/* why the fill stopped */
	int mmap_errno;
	uint64_t held;		/* bytes mapped and filled now */
	uint64_t peak;
	uint64_t next_off;
	int64_t fill_ns, t_fill_end_ns;
	uint32_t nchunks;
	struct mem_chunk chunk[MEM_MAX_CHUNKS];
	uint64_t nblocks, nblocks_fill; /* refill blocks follow the fill's */
	struct {
		uint64_t bytes, mismatches;
		int64_t ns;
		bool rewrote;
	} pass[PASS_COUNT];
	uint64_t mismatches;
	uint32_t nerr;
	struct mem_err err[MEM_ERR_CAP];
	uint64_t yielded;	/* bytes given back during the hold */
	int yields;
	double first_yield_s;
	int64_t hold_ns;
	uint64_t churn_freed, churn_refilled;
	int64_t churn_fill_ns;
	int churn_stop;
	uint64_t block_ns[];	/* plan.max_blocks entries */
};

size_t mem_shared_size(uint64_t max_blocks);
/* Runs in the forked child; never returns. */
_Noreturn void mem_worker(struct mem_shared *sh);

#endif
