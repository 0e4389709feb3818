/* The worker of triage mem: a forked child that the OOM killer picks
 * first (oom_score_adj 1000), so that the parent, and init, outlive it.
 *
 * It fills memory chunk by chunk up to the plan, timing every 2 MiB block,
 * verifies, holds (giving memory back if the machine runs short, unless
 * told to push into OOM), verifies again, then frees every other chunk
 * and refills it. Everything it learns goes straight into the shared
 * page, so a SIGKILL loses nothing but the block being written. */
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

const char *const mem_phase_names[PH_COUNT] = {
	[PH_START] = "start", [PH_FILL] = "fill", [PH_VERIFY] = "verify", [PH_HOLD] = "hold",
	[PH_VERIFY_HOLD] = "verify-after-hold", [PH_CHURN_FREE] = "churn-free",
	[PH_CHURN_FILL] = "churn-refill", [PH_CHURN_VERIFY] = "churn-verify", [PH_DONE] = "done",
};
const char *const mem_stop_names[STOP_COUNT] = {
	[STOP_TARGET] = "target", [STOP_RESERVE] = "reserve", [STOP_BUDGET] = "time-budget",
	[STOP_MMAP] = "mmap-refused",
};
const char *const mem_pass_names[PASS_COUNT] = {
	[PASS_ADDR] = "address, then write inverted",
	[PASS_INV_HOLD] = "inverted, after the hold",
	[PASS_REFILL_ADDR] = "address of the refilled half, then write inverted",
	[PASS_FINAL_INV] = "inverted, all memory at the end",
};

/* MemAvailable is read at most every this many bytes of fill: a read of
 * /proc/meminfo costs ~10 us on hardware (about 1% of a 2 MiB block) and
 * far more under emulation. */
#define ROOM_CHECK_BYTES (8 * MIB)
/* During the hold, memory given back overshoots the floor by half of it,
 * so a balloon that keeps inflating is not chased 100 ms at a time. */
#define YIELD_SLACK_DIV 2
#define HOLD_TICK_NS 100000000LL
/* With --oom the fill has no budget: this cap only ends a fill that swap
 * slows to a crawl without the OOM killer ever striking. */
#define OOM_FILL_CAP_NS (120 * 1000000000LL)

static struct mem_shared *sh;
static struct procfd pf;
static int pagemap_fd = -1;

static void set_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static void set_phase(int ph) { __atomic_store_n(&sh->phase, ph, __ATOMIC_RELEASE); }

static double t_run(void) { return (double)(now_ns() - sh->plan.t0_ns) / 1e9; }

/* Bytes the machine can still give before MemAvailable meets the floor. */
static uint64_t room(void)
{
	struct meminfo mi;
	int64_t kib;

	if (sh->plan.oom || mem_read_meminfo(&pf, &mi) < 0)
		return UINT64_MAX;
	kib = mi.avail_kib - sh->plan.reserve_kib;
	return kib > 0 ? (uint64_t)kib * KIB : 0;
}

/* A mapping aligned to MEM_BLOCK so every block is one huge page where
 * THP applies. MAP_NORESERVE: with --oom the kernel's OOM killer, not
 * mmap's overcommit guess, decides where the fill ends. */
static uint64_t *map_aligned(uint64_t len)
{
	uint64_t span = len + MEM_BLOCK;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
	uintptr_t start, end;

	if (raw == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)raw + MEM_BLOCK - 1) & ~(uintptr_t)(MEM_BLOCK - 1);
	end = start + len;
	if (start > (uintptr_t)raw)
		munmap(raw, start - (uintptr_t)raw);
	if ((uintptr_t)raw + span > end)
		munmap((void *)end, (uintptr_t)raw + span - end);
	return (uint64_t *)start;
}

struct fill_state {
	uint64_t allowance;	/* bytes left before the next room check */
	uint64_t since_check;
	int64_t deadline;	/* 0: none */
	int stop;
};

/* Fills up to want bytes of c, block by block. Returns false when the
 * fill must stop (st->stop says why). */
static bool fill_chunk(struct mem_chunk *c, uint64_t want, struct fill_state *st)
{
	while (c->bytes < want) {
		int64_t t0, dt;

		if (st->allowance < MEM_BLOCK || st->since_check >= ROOM_CHECK_BYTES) {
			st->allowance = room();
			st->since_check = 0;
			if (st->allowance < MEM_BLOCK) {
				st->stop = STOP_RESERVE;
				return false;
			}
		}
		if (st->deadline && now_ns() >= st->deadline) {
			st->stop = STOP_BUDGET;
			return false;
		}
		t0 = now_ns();
		mem_fill(c->base + c->bytes / 8, MEM_BLOCK / 8, MEM_MASK_ADDR);
		dt = now_ns() - t0;
		if (sh->nblocks < sh->plan.max_blocks) {
			sh->block_ns[sh->nblocks] = (uint64_t)dt;
			set_u64(&sh->nblocks, sh->nblocks + 1);
		}
		c->bytes += MEM_BLOCK;
		c->fill_ns += dt;
		if (st->allowance != UINT64_MAX)
			st->allowance -= MEM_BLOCK;
		st->since_check += MEM_BLOCK;
		set_u64(&sh->held, sh->held + MEM_BLOCK);
		if (sh->held > sh->peak)
			sh->peak = sh->held;
	}
	return true;
}

/* Maps and fills chunks until target bytes are held (or a stop). */
static int fill_to(uint64_t target, bool refill, struct fill_state *st)
{
	while (sh->held < target) {
		uint64_t len = target - sh->held;
		struct mem_chunk *c;

		if (sh->nchunks >= MEM_MAX_CHUNKS)
			return STOP_TARGET;
		if (len > sh->plan.chunk)
			len = sh->plan.chunk;
		len = (len + MEM_BLOCK - 1) & ~(MEM_BLOCK - 1);
		c = &sh->chunk[sh->nchunks];
		memset(c, 0, sizeof(*c));
		c->base = map_aligned(len);
		if (!c->base) {
			sh->mmap_errno = errno;
			return STOP_MMAP;
		}
		c->map_len = len;
		c->off = sh->next_off;
		c->refill = refill;
		bool go_on = fill_chunk(c, len, st);
		if (c->bytes == 0) {
			munmap(c->base, c->map_len);
			return st->stop;
		}
		/* Untouched tail pages cost nothing, but give them back so
		 * the mapping says what the chunk holds. */
		if (c->bytes < c->map_len) {
			munmap((char *)c->base + c->bytes, c->map_len - c->bytes);
			c->map_len = c->bytes;
		}
		sh->next_off += c->bytes;
		__atomic_store_n(&sh->nchunks, sh->nchunks + 1, __ATOMIC_RELEASE);
		if (!go_on)
			return st->stop;
	}
	return STOP_TARGET;
}

/* Physical address of vaddr, from /proc/self/pagemap (root only: others
 * read PFN 0). Lets a bare-metal owner map a bad word to a DIMM. */
static uint64_t phys_addr(uint64_t vaddr)
{
	uint64_t ent;

	if (pagemap_fd < 0)
		return 0;
	if (pread(pagemap_fd, &ent, sizeof(ent), (off_t)(vaddr / 4096 * 8)) != sizeof(ent))
		return 0;
	if (!(ent >> 63 & 1) || !(ent & ((1ULL << 55) - 1)))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * 4096 + vaddr % 4096;
}

/* One verification pass over the chunks that match (refill_only picks
 * the refilled ones). */
static void verify_pass(int pass, uint64_t mask, bool rewrite, uint64_t newmask, bool refill_only)
{
	struct mem_errlog log = { .cap = MEM_ERR_CAP - sh->nerr, .e = sh->err + sh->nerr, .pass = pass };
	int64_t t0 = now_ns();
	uint64_t bad = 0, bytes = 0;

	for (uint32_t i = 0; i < sh->nchunks; i++) {
		struct mem_chunk *c = &sh->chunk[i];

		if (c->freed || !c->bytes || (refill_only && !c->refill))
			continue;
		bad += mem_verify(c->base, c->bytes / 8, mask, rewrite, newmask, c->off, &log);
		bytes += c->bytes;
	}
	sh->pass[pass].ns = now_ns() - t0;
	sh->pass[pass].bytes = bytes;
	sh->pass[pass].mismatches = bad;
	sh->pass[pass].rewrote = rewrite;
	for (uint32_t i = 0; i < log.n; i++)
		log.e[i].paddr = phys_addr(log.e[i].vaddr);
	sh->nerr += log.n;
	sh->mismatches += bad;
}

/* Gives back bytes from the end of the held memory. */
static uint64_t release(uint64_t bytes)
{
	uint64_t done = 0;

	for (int i = (int)sh->nchunks - 1; i >= 0 && done < bytes; i--) {
		struct mem_chunk *c = &sh->chunk[i];
		uint64_t cut;

		if (c->freed || !c->bytes)
			continue;
		cut = (bytes - done + MEM_BLOCK - 1) & ~(MEM_BLOCK - 1);
		if (cut > c->bytes)
			cut = c->bytes;
		munmap((char *)c->base + c->bytes - cut, cut);
		c->bytes -= cut;
		c->map_len = c->bytes;
		c->freed = c->bytes == 0;
		done += cut;
		set_u64(&sh->held, sh->held - cut);
	}
	return done;
}

static void hold(void)
{
	int64_t t0 = now_ns(), end = t0 + sh->plan.hold_ns;

	while (now_ns() < end) {
		int64_t left = end - now_ns();
		struct timespec ts = { 0, left < HOLD_TICK_NS ? left : HOLD_TICK_NS };
		struct meminfo mi;

		nanosleep(&ts, NULL);
		if (sh->plan.oom || mem_read_meminfo(&pf, &mi) < 0 || mi.avail_kib >= sh->plan.reserve_kib)
			continue;
		/* The machine is short (a balloon inflating, another
		 * program): keep the floor rather than let it starve. */
		uint64_t need = (uint64_t)(sh->plan.reserve_kib - mi.avail_kib +
					   sh->plan.reserve_kib / YIELD_SLACK_DIV) * KIB;
		uint64_t got = release(need);

		if (got && !sh->yields)
			sh->first_yield_s = t_run();
		sh->yielded += got;
		sh->yields += got != 0;
	}
	sh->hold_ns = now_ns() - t0;
}

/* Frees every other held chunk, then fills as much again. */
static void churn(void)
{
	struct fill_state st = { .allowance = 0 };
	uint32_t n = sh->nchunks;
	uint64_t freed = 0, before;

	set_phase(PH_CHURN_FREE);
	for (uint32_t i = 1; i < n; i += 2) {
		struct mem_chunk *c = &sh->chunk[i];

		if (c->freed || !c->bytes)
			continue;
		munmap(c->base, c->map_len);
		freed += c->bytes;
		set_u64(&sh->held, sh->held - c->bytes);
		c->freed = true;
	}
	sh->churn_freed = freed;
	set_phase(PH_CHURN_FILL);
	before = sh->held;
	if (sh->plan.budget_ns)
		st.deadline = now_ns() + sh->plan.budget_ns;
	sh->churn_stop = fill_to(before + freed, true, &st);
	sh->churn_refilled = sh->held - before;
	for (uint32_t i = n; i < sh->nchunks; i++)
		sh->churn_fill_ns += sh->chunk[i].fill_ns;
	set_phase(PH_CHURN_VERIFY);
	verify_pass(PASS_REFILL_ADDR, MEM_MASK_ADDR, true, MEM_MASK_INV, true);
	verify_pass(PASS_FINAL_INV, MEM_MASK_INV, false, 0, false);
}

_Noreturn void mem_worker(struct mem_shared *shared)
{
	struct fill_state st = { .allowance = 0 };
	int64_t t0;

	sh = shared;
	/* First: be the OOM killer's choice, and die with the parent. */
	write_str("/proc/self/oom_score_adj", "1000");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sh->parent)
		_exit(1); /* the parent died before the line above took hold */
	prctl(PR_SET_NAME, "triage-mem-fill");
	mem_procfd_open(&pf);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	set_phase(PH_FILL);
	t0 = now_ns();
	if (sh->plan.budget_ns)
		st.deadline = t0 + sh->plan.budget_ns;
	else if (sh->plan.oom)
		st.deadline = t0 + OOM_FILL_CAP_NS;
	sh->stop = fill_to(sh->plan.target, false, &st);
	sh->fill_ns = now_ns() - t0;
	sh->nblocks_fill = sh->nblocks;
	sh->t_fill_end_ns = now_ns();

	set_phase(PH_VERIFY);
	verify_pass(PASS_ADDR, MEM_MASK_ADDR, true, MEM_MASK_INV, false);
	set_phase(PH_HOLD);
	hold();
	set_phase(PH_VERIFY_HOLD);
	verify_pass(PASS_INV_HOLD, MEM_MASK_INV, false, 0, false);
	if (sh->plan.churn)
		churn();
	set_phase(PH_DONE);
	_exit(0);
}

size_t mem_shared_size(uint64_t max_blocks)
{
	return sizeof(struct mem_shared) + max_blocks * sizeof(uint64_t);
}

void mem_plan_size(struct mem_plan *pl, int64_t avail_kib, int64_t total_kib, int percent, uint64_t size,
		   uint64_t chunk)
{
	uint64_t target;

	if (pl->oom)
		/* Past everything there is: the OOM killer ends the fill. */
		target = (uint64_t)total_kib * KIB * 2;
	else if (size)
		target = size;
	else
		target = (uint64_t)(avail_kib > 0 ? avail_kib : 0) * KIB / 100 * (uint64_t)percent;
	target &= ~(MEM_BLOCK - 1);
	/* Automatic chunks: 1/16 of the fill, so even a small guest gets a
	 * throughput curve, between 4 and 64 MiB (64 MiB: a chunk takes
	 * ~20 ms at hardware fault speed, fine enough for the chart). */
	if (!chunk) {
		chunk = target / 16;
		if (chunk < 4 * MIB)
			chunk = 4 * MIB;
		if (chunk > 64 * MIB)
			chunk = 64 * MIB;
	}
	/* Room for the churn's refill chunks too. */
	if (target / chunk > MEM_MAX_CHUNKS / 2)
		chunk = target / (MEM_MAX_CHUNKS / 2) + 1;
	chunk = (chunk + MEM_BLOCK - 1) & ~(MEM_BLOCK - 1);
	pl->target = target;
	pl->chunk = chunk;
	pl->reserve_kib = pl->oom ? 0 : mem_reserve_kib(total_kib);
	/* Fill and refill blocks. */
	pl->max_blocks = target / MEM_BLOCK * 2 + 2 * MEM_MAX_CHUNKS;
}
