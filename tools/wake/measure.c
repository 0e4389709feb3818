/* triage wake: sleeps, bursts, and what sysfs and procfs count meanwhile. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "lib/util.h"

/* The burst: a dependent chain of multiply-adds (frequency-bound: 4 cycles
 * each, about 20 us at 4 GHz, 100 us at 800 MHz) and a walk over 64 cache
 * lines in random order, 256 bytes apart over 4 pages, so that cold caches
 * and TLBs show without drowning the frequency effect. */
#define BURST_CHAIN 20000
#define BURST_LINES 64
#define BURST_STRIDE 256

/* The warm reference: bursts back to back for 30 ms, long enough for HWP
 * and schedutil to raise the clock; only the last 10 ms are kept. */
#define WARM_SPIN_NS 30000000LL
#define WARM_KEEP_NS 10000000LL
#define WARM_MAX 4096

/* Even a block whose idle length exceeds its budget takes two samples. */
#define MIN_SAMPLES 2

#define FLOOR_GETTIME_N 20000
#define FLOOR_SLEEP0_N 2000

#define CSTATE_FILE "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/%s"

static uint32_t *burst_mem;
static volatile uint64_t burst_sink;

int wake_realtime(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	/* musl's sched_setscheduler() is a stub (ENOSYS); the pthread call
	 * sets the thread's policy through the real system call. */
	return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

int wake_read_cstates(int cpu, struct wake_cstate *st, int max)
{
	int n = 0;

	for (; n < max; n++) {
		struct wake_cstate *s = &st[n];
		long long dis = 0;

		memset(s, 0, sizeof(*s));
		if (read_line_at(s->name, sizeof(s->name), CSTATE_FILE, cpu, n, "name") < 0)
			break;
		read_ll_at(&s->latency_us, CSTATE_FILE, cpu, n, "latency");
		read_ll_at(&s->residency_us, CSTATE_FILE, cpu, n, "residency");
		read_ll_at(&s->usage, CSTATE_FILE, cpu, n, "usage");
		read_ll_at(&s->time_us, CSTATE_FILE, cpu, n, "time");
		/* "disable" is missing on old kernels: then nothing is disabled. */
		read_ll_at(&dis, CSTATE_FILE, cpu, n, "disable");
		s->disabled = dis != 0;
	}
	return n;
}

void wake_cstates_delta(struct wake_cstate *after, const struct wake_cstate *before, int n)
{
	for (int i = 0; i < n; i++) {
		after[i].usage -= before[i].usage;
		after[i].time_us -= before[i].time_us;
	}
}

double wake_steal_ms(int cpu)
{
	char *text = read_file("/proc/stat", 1 << 20, NULL);
	struct cpustat st;
	double ms = -1;

	/* steal is the eighth field (Linux 2.6.11 on). */
	if (text && cpustat_parse(text, cpu, &st) == 0 && st.nfields >= 8)
		ms = (double)st.steal * 1000.0 / (double)sysconf(_SC_CLK_TCK);
	free(text);
	return ms;
}

int wake_hold_shallow(char *why, size_t whylen, int *now)
{
	int32_t zero = 0, cur;
	int fd = open("/dev/cpu_dma_latency", O_RDWR | O_CLOEXEC);

	*now = -1;
	if (fd < 0) {
		snprintf(why, whylen, "cannot open /dev/cpu_dma_latency: %s", strerror(errno));
		return -1;
	}
	/* A 4-byte write is taken as a binary s32 (other lengths as hex
	 * text); the request holds until the fd is closed. */
	if (write(fd, &zero, sizeof(zero)) != sizeof(zero)) {
		snprintf(why, whylen, "cannot write /dev/cpu_dma_latency: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (pread(fd, &cur, sizeof(cur), 0) == sizeof(cur) || read(fd, &cur, sizeof(cur)) == sizeof(cur))
		*now = cur;
	return fd;
}

void wake_burst_init(void)
{
	uint32_t perm[BURST_LINES], seed = 0x9e3779b9u;
	const size_t step = BURST_STRIDE / sizeof(uint32_t);

	if (burst_mem)
		return;
	burst_mem = xcalloc(BURST_LINES * step, sizeof(uint32_t));
	for (uint32_t i = 0; i < BURST_LINES; i++)
		perm[i] = i;
	/* Sattolo's shuffle: one cycle through every line, no prefetchable
	 * order. A fixed seed keeps the burst the same from run to run. */
	for (uint32_t i = BURST_LINES - 1; i > 0; i--) {
		uint32_t j, t;

		seed = seed * 1664525u + 1013904223u;
		j = (seed >> 8) % i;
		t = perm[i], perm[i] = perm[j], perm[j] = t;
	}
	for (uint32_t i = 0; i < BURST_LINES; i++)
		burst_mem[perm[i] * step] = perm[(i + 1) % BURST_LINES];
}

static void burst(void)
{
	const size_t step = BURST_STRIDE / sizeof(uint32_t);
	uint64_t x = burst_sink;
	uint32_t p = 0;

	for (int i = 0; i < BURST_CHAIN; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		/* Keeps the chain a chain: no unrolling into closed forms. */
		__asm__ volatile("" : "+r"(x));
	}
	for (int i = 0; i < BURST_LINES; i++)
		p = *(volatile uint32_t *)&burst_mem[p * step];
	burst_sink = x + p;
}

void wake_sample_block(struct wake_block *b, int64_t budget_ns, long samples)
{
	int64_t t0 = now_ns(), sample_end = t0 + budget_ns - WARM_SPIN_NS, wend, keep;

	wake_burst_init();
	burst(); /* faults the data in, so the first sample is not a page fault */
	for (;;) {
		int64_t start = now_ns(), deadline, t1, t2;

		if (samples > 0 ? (long)b->n >= samples : (b->n >= MIN_SAMPLES && start + b->idle_ns > sample_end))
			break;
		deadline = start + b->idle_ns;
		sleep_until_ns(deadline, NULL);
		t1 = now_ns();
		burst();
		t2 = now_ns();
		wake_block_push(b, t1 - deadline, t2 - t1);
	}
	wend = now_ns() + WARM_SPIN_NS;
	keep = wend - WARM_KEEP_NS;
	for (int64_t t1 = now_ns(), t2; t1 < wend && b->nwarm < WARM_MAX; t1 = t2) {
		burst();
		t2 = now_ns();
		if (t1 >= keep)
			wake_block_push_warm(b, t2 - t1);
	}
	b->elapsed_ns = now_ns() - t0;
}

void wake_floor(struct order_stats *gettime, struct order_stats *sleep0)
{
	int64_t *d = xmalloc(FLOOR_GETTIME_N * sizeof(*d));

	for (int i = 0; i < FLOOR_GETTIME_N; i++) {
		int64_t t0 = now_ns();

		d[i] = now_ns() - t0;
	}
	order_stats_of(d, FLOOR_GETTIME_N, gettime);
	for (int i = 0; i < FLOOR_SLEEP0_N; i++) {
		int64_t deadline = now_ns();

		sleep_until_ns(deadline, NULL);
		d[i] = now_ns() - deadline;
	}
	order_stats_of(d, FLOOR_SLEEP0_N, sleep0);
	free(d);
}
