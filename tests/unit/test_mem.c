/* Unit tests of triage mem: pattern verification with injected faults,
 * the stall detector, the sample statistics and the time series, the
 * procfs parsers (on recorded files), the balloon probe and the plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "lib/json.h"
#include "lib/util.h"
#include "mem/mem.h"
#include "schema.h"

#define DATA "tests/unit/data/mem/"
#define NPAGES 8
#define NWORDS (NPAGES * MEM_PAGE_WORDS)

static uint64_t *buf_new(void)
{
	void *p = NULL;

	assert_int_equal(posix_memalign(&p, 4096, NWORDS * 8), 0);
	return p;
}

static char *slurp(const char *name)
{
	char path[256];
	char *t;

	snprintf(path, sizeof(path), DATA "%s", name);
	t = read_file(path, 1 << 20, NULL);
	assert_non_null(t);
	return t;
}

/* ---- patterns ---- */

static void test_pattern_clean(void **state)
{
	uint64_t *p = buf_new();
	struct mem_err e[4];
	struct mem_errlog log = { .cap = 4, .e = e };

	(void)state;
	mem_fill(p, NWORDS, MEM_MASK_ADDR);
	for (size_t i = 0; i < NWORDS; i++)
		assert_true(p[i] == (uint64_t)(uintptr_t)&p[i]);
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, true, MEM_MASK_INV, 0, &log), 0);
	/* The rewrite left the inverted pattern everywhere. */
	for (size_t i = 0; i < NWORDS; i++)
		assert_true(p[i] == ~(uint64_t)(uintptr_t)&p[i]);
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_INV, false, 0, 0, &log), 0);
	assert_int_equal(log.count, 0);
	assert_int_equal(log.n, 0);
	free(p);
}

static void test_pattern_bit_flip(void **state)
{
	uint64_t *p = buf_new();
	struct mem_err e[4];
	struct mem_errlog log = { .cap = 4, .e = e, .pass = 2 };
	size_t k = 3 * MEM_PAGE_WORDS + 77;
	uint64_t want;
	int bits[4];

	(void)state;
	mem_fill(p, NWORDS, MEM_MASK_ADDR);
	want = p[k];
	p[k] ^= 1ULL << 13;
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, true, MEM_MASK_INV, 1000, &log), 1);
	assert_int_equal(log.count, 1);
	assert_int_equal(log.n, 1);
	assert_int_equal(e[0].offset, 1000 + k * 8);
	assert_true(e[0].vaddr == (uint64_t)(uintptr_t)&p[k]);
	assert_true(e[0].expected == want);
	assert_true(e[0].got == (want ^ (1ULL << 13)));
	assert_int_equal(e[0].pass, 2);
	assert_int_equal(mem_flipped_bits(e[0].expected, e[0].got, bits, 4), 1);
	assert_int_equal(bits[0], 13);
	/* The bad page was still rewritten: the next pass starts clean. */
	log.n = 0;
	log.count = 0;
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_INV, false, 0, 0, &log), 0);
	free(p);
}

/* A bit stuck at 0 survives the address pass wherever the address has a
 * 0 there; the inverted pass puts a 1 in it and sees it. */
static void test_pattern_stuck_bit_needs_inverse(void **state)
{
	uint64_t *p = buf_new();
	struct mem_err e[4];
	struct mem_errlog log = { .cap = 4, .e = e };
	size_t k = 100;
	int bit = 62; /* 0 in every user-space address */

	(void)state;
	mem_fill(p, NWORDS, MEM_MASK_ADDR);
	p[k] &= ~(1ULL << bit);
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, true, MEM_MASK_INV, 0, &log), 0);
	p[k] &= ~(1ULL << bit); /* still stuck after the rewrite */
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_INV, false, 0, 0, &log), 1);
	assert_int_equal(e[0].offset, k * 8);
	assert_true((e[0].expected ^ e[0].got) == 1ULL << bit);
	free(p);
}

/* An address fault: word b reads what word a holds. */
static void test_pattern_address_alias(void **state)
{
	uint64_t *p = buf_new();
	struct mem_err e[4];
	struct mem_errlog log = { .cap = 4, .e = e };
	size_t a = 5, b = 5 + 4096 / 8 * 2;

	(void)state;
	mem_fill(p, NWORDS, MEM_MASK_ADDR);
	p[b] = p[a];
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, false, 0, 0, &log), 1);
	assert_true(e[0].got == (uint64_t)(uintptr_t)&p[a]);
	assert_true(e[0].expected == (uint64_t)(uintptr_t)&p[b]);
	free(p);
}

/* Every word position of a page, and the first of each page: each lane of
 * the unrolled kernel is looked at. */
static void test_pattern_every_position(void **state)
{
	uint64_t *p = buf_new();
	struct mem_err e[1];
	struct mem_errlog log = { .cap = 1, .e = e };

	(void)state;
	mem_fill(p, NWORDS, MEM_MASK_ADDR);
	for (size_t k = 0; k < NWORDS; k += k < MEM_PAGE_WORDS ? 1 : MEM_PAGE_WORDS - 1) {
		p[k] ^= 1ULL << (k % 64);
		log.n = 0;
		assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, false, 0, 0, &log), 1);
		assert_int_equal(e[0].offset, k * 8);
		p[k] ^= 1ULL << (k % 64);
	}
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, false, 0, 0, NULL), 0);
	free(p);
}

static void test_pattern_log_cap(void **state)
{
	uint64_t *p = buf_new();
	struct mem_err e[3];
	struct mem_errlog log = { .cap = 3, .e = e };

	(void)state;
	mem_fill(p, NWORDS, MEM_MASK_ADDR);
	for (size_t i = 0; i < 20; i++)
		p[i * 100] ^= 1;
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, false, 0, 0, &log), 20);
	assert_int_equal(log.count, 20);
	assert_int_equal(log.n, 3);
	assert_int_equal(e[0].offset, 0);
	assert_int_equal(e[2].offset, 200 * 8);
	/* No log at all is fine too. */
	assert_int_equal(mem_verify(p, NWORDS, MEM_MASK_ADDR, false, 0, 0, NULL), 20);
	free(p);
}

static void test_flipped_bits(void **state)
{
	int bits[2];

	(void)state;
	assert_int_equal(mem_flipped_bits(0, 0, bits, 2), 0);
	assert_int_equal(mem_flipped_bits(0, 0xa, bits, 2), 2);
	assert_int_equal(bits[0], 1);
	assert_int_equal(bits[1], 3);
	/* All 64 counted, only max listed. */
	assert_int_equal(mem_flipped_bits(0, ~0ULL, bits, 2), 64);
	assert_int_equal(bits[1], 1);
	assert_int_equal(mem_flipped_bits(1ULL << 63, 0, bits, 2), 1);
	assert_int_equal(bits[0], 63);
}

/* ---- statistics ---- */

static void test_quantiles(void **state)
{
	uint64_t odd[] = { 9, 1, 5 }, even[] = { 4, 1, 3, 2 }, hundred[100];
	double f[] = { 3.0, 1.0, 2.0 };

	(void)state;
	assert_true(stats_median_u64(odd, 3) == 5);
	assert_true(stats_median_u64(even, 4) == 2.5);
	assert_true(stats_median_u64(odd, 0) == 0);
	assert_true(stats_quantile_u64(even, 4, 0) == 1);
	assert_true(stats_quantile_u64(even, 4, 1) == 4);
	for (int i = 0; i < 100; i++)
		hundred[i] = (uint64_t)(100 - i); /* 1..100, reversed */
	assert_float_equal(stats_quantile_u64(hundred, 100, 0.99), 99.01, 1e-9);
	assert_float_equal(stats_quantile(f, 3, 0.5), 2.0, 1e-12);
	assert_float_equal(stats_quantile(f, 3, 0.25), 1.5, 1e-12);
	/* The input is left alone. */
	assert_true(odd[0] == 9 && even[0] == 4);
}

static void test_stalls_one_slow_block(void **state)
{
	uint64_t ns[1000];
	size_t idx[4];
	struct mem_stalls s;

	(void)state;
	for (int i = 0; i < 1000; i++)
		ns[i] = 1000000 + (uint64_t)(i % 7) * 1000; /* ~1 ms */
	ns[500] = 50000000;				   /* 50 ms */
	ns[20] = 30000000;				   /* 30 ms */
	mem_find_stalls(ns, 1000, 20.0, 20e6, &s, idx, 4);
	assert_int_equal(s.n, 1000);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.worst, 500);
	assert_true(s.max_ns == 50e6);
	assert_float_equal(s.median_ns, 1003000, 1);
	assert_float_equal(s.threshold_ns, 20.06e6, 1);
	/* Slowest first. */
	assert_int_equal(idx[0], 500);
	assert_int_equal(idx[1], 20);
}

static void test_stalls_thresholds(void **state)
{
	uint64_t ns[200];
	size_t idx[2];
	struct mem_stalls s;

	(void)state;
	/* Uniformly slow (emulation): nothing stands out. */
	for (int i = 0; i < 200; i++)
		ns[i] = 100000000;
	mem_find_stalls(ns, 200, 20.0, 20e6, &s, idx, 2);
	assert_int_equal(s.count, 0);
	/* 500x the median but under the absolute floor: not a stall. */
	for (int i = 0; i < 200; i++)
		ns[i] = 10000;
	ns[7] = 5000000;
	mem_find_stalls(ns, 200, 20.0, 20e6, &s, idx, 2);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.worst, 7);
	/* Many stalls, few slots: the slowest are kept, in order. */
	for (int i = 0; i < 200; i++)
		ns[i] = i % 10 == 0 ? (uint64_t)(100 + i) * 1000000 : 1000000;
	mem_find_stalls(ns, 200, 20.0, 20e6, &s, idx, 2);
	assert_int_equal(s.count, 20);
	assert_int_equal(idx[0], 190);
	assert_int_equal(idx[1], 180);
	/* No samples. */
	mem_find_stalls(ns, 0, 20.0, 20e6, &s, idx, 2);
	assert_int_equal(s.count, 0);
	assert_true(s.median_ns == 0);
}

static void test_series_folds(void **state)
{
	struct mem_series *s = calloc(1, sizeof(*s));
	int64_t sum_flt = 0, sum_in = 0;

	(void)state;
	mem_series_init(s, 16);
	for (int i = 0; i < 100; i++) {
		struct mem_sample x = {
			.t_s = (i + 1) * 0.1, .memtotal_kib = i == 37 ? 1000 : 2000, .memavail_kib = 1500,
			.balloon_kib = i == 61 ? 512 : 0, .held_kib = i, .psi_full_pct = 10.0, .majflt = i % 3,
		};

		sum_in += x.majflt;
		mem_series_add(s, &x);
		assert_true(s->n <= 16);
	}
	mem_series_flush(s);
	assert_true(s->n <= 16);
	assert_true(s->stride >= 8);
	/* The last point is the last sample; extremes and sums survive. */
	assert_float_equal(s->pt[s->n - 1].t_s, 10.0, 1e-9);
	assert_int_equal(s->pt[s->n - 1].held_kib, 99);
	int64_t min_total = INT64_MAX, max_balloon = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->pt[i].memtotal_kib < min_total)
			min_total = s->pt[i].memtotal_kib;
		if (s->pt[i].balloon_kib > max_balloon)
			max_balloon = s->pt[i].balloon_kib;
		sum_flt += s->pt[i].majflt;
		assert_float_equal(s->pt[i].psi_full_pct, 10.0, 1e-9);
		if (i)
			assert_true(s->pt[i].t_s > s->pt[i - 1].t_s);
	}
	assert_int_equal(min_total, 1000);
	assert_int_equal(max_balloon, 512);
	assert_int_equal(sum_flt, sum_in);
	free(s);
}

static void test_series_short_run_keeps_every_sample(void **state)
{
	struct mem_series *s = calloc(1, sizeof(*s));

	(void)state;
	mem_series_init(s, MEM_SERIES_CAP);
	for (int i = 0; i < 50; i++) {
		struct mem_sample x = { .t_s = i * 0.1, .memtotal_kib = 100 + i };

		mem_series_add(s, &x);
	}
	mem_series_flush(s);
	assert_int_equal(s->n, 50);
	assert_int_equal(s->stride, 1);
	assert_int_equal(s->pt[49].memtotal_kib, 149);
	free(s);
}

/* ---- procfs ---- */

static void test_meminfo(void **state)
{
	char *t = slurp("meminfo-guest-6.1-ballooned.txt");
	struct meminfo mi;

	(void)state;
	assert_int_equal(meminfo_parse(t, &mi), 0);
	assert_int_equal(mi.total_kib, 239000);
	assert_true(mi.has_avail);
	assert_int_equal(mi.swap_total_kib, 0);
	assert_true(mi.avail_kib > 0 && mi.avail_kib < mi.total_kib);
	free(t);
	t = slurp("meminfo-host-6.18.txt");
	assert_int_equal(meminfo_parse(t, &mi), 0);
	assert_int_equal(mi.total_kib, 24684084);
	assert_true(mi.commit_limit_kib > 0);
	free(t);
	/* Before 3.14 there is no MemAvailable: MemFree stands in. */
	assert_int_equal(meminfo_parse("MemTotal: 1000 kB\nMemFree: 600 kB\n", &mi), 0);
	assert_false(mi.has_avail);
	assert_int_equal(mi.avail_kib, 600);
	/* A key that only starts like another is not it. */
	assert_int_equal(meminfo_parse("MemTotalX: 5 kB\nMemFree: 1 kB\n", &mi), -1);
	assert_int_equal(meminfo_parse("", &mi), -1);
}

static void test_vmstat(void **state)
{
	char *t = slurp("vmstat-guest-6.1-ballooned.txt");
	struct vmstat vs;

	(void)state;
	assert_int_equal(vmstat_parse(t, &vs), 0);
	assert_true(vs.has_balloon);
	assert_false(vs.has_nr_balloon); /* 6.1 has no nr_balloon_pages */
	assert_int_equal(vs.balloon_inflate, 65536);
	assert_int_equal(vmstat_balloon_kib(&vs), 65536 * 4 - vs.balloon_deflate * 4);
	assert_true(vs.has_oom_kill);
	free(t);

	t = slurp("vmstat-host-6.18.txt");
	assert_int_equal(vmstat_parse(t, &vs), 0);
	assert_true(vs.has_nr_balloon);
	assert_int_equal(vmstat_balloon_kib(&vs), vs.nr_balloon_pages * 4);
	free(t);

	/* A kernel without CONFIG_MEMORY_BALLOON. */
	assert_int_equal(vmstat_parse("pgfault 10\npgmajfault 3\n", &vs), 0);
	assert_false(vs.has_balloon);
	assert_int_equal(vs.pgmajfault, 3);
	assert_int_equal(vmstat_balloon_kib(&vs), 0);
	/* "pgmajfault_s" (newer per-type counters) is not "pgmajfault". */
	assert_int_equal(vmstat_parse("pgmajfault_s 9\n", &vs), -1);
	/* Huge counters: the balloon's size saturates instead of overflowing. */
	assert_int_equal(vmstat_parse("pgmajfault 1\nballoon_inflate 9223372036854775807\n"
				      "balloon_deflate -9223372036854775808\n", &vs), 0);
	assert_true(vs.balloon_deflate == 0);
	assert_true(vmstat_balloon_kib(&vs) == INT64_MAX);
	assert_int_equal(vmstat_parse("pgmajfault 1\nballoon_inflate 1\nballoon_deflate 9223372036854775807\n", &vs), 0);
	assert_true(vmstat_balloon_kib(&vs) == 0);
	assert_int_equal(vmstat_parse("pgmajfault 1\nnr_balloon_pages 4611686018427387904\n", &vs), 0);
	assert_true(vmstat_balloon_kib(&vs) == INT64_MAX);
}

static void test_psi(void **state)
{
	char *t = slurp("psi-busy.txt");
	struct psi p;

	(void)state;
	assert_int_equal(psi_parse(t, &p), 0);
	assert_true(p.has_full);
	assert_float_equal(p.some_avg10, 12.5, 1e-9);
	assert_float_equal(p.full_avg10, 9.75, 1e-9);
	assert_int_equal(p.some_total_us, 4567890);
	assert_int_equal(p.full_total_us, 1234567);
	free(t);
	t = slurp("psi-some-only.txt");
	assert_int_equal(psi_parse(t, &p), 0);
	assert_false(p.has_full);
	assert_int_equal(p.some_total_us, 42);
	free(t);
	assert_int_equal(psi_parse("garbage\n", &p), -1);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_find_balloon(void **state)
{
	char root[] = "/tmp/test_mem_sysfs_XXXXXX", p[512];
	struct balloon_dev b;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(mem_find_balloon(root, &b), -1); /* no devices folder */
	snprintf(p, sizeof(p), "%s/devices", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/devices/virtio0", root);
	mkdir(p, 0755);
	put(p, "device", "0x0002\n");
	assert_int_equal(mem_find_balloon(root, &b), 0);
	assert_false(b.present);
	snprintf(p, sizeof(p), "%s/devices/virtio3", root);
	mkdir(p, 0755);
	put(p, "device", "0x0005\n");
	put(p, "features", "0110000000000000000000000000000000000000000000000000000000000000\n");
	assert_int_equal(mem_find_balloon(root, &b), 0);
	assert_true(b.present);
	assert_string_equal(b.name, "virtio3");
	assert_false(b.bound);
	assert_true(b.stats_vq);
	assert_true(b.deflate_on_oom);
	assert_false(b.reporting);
	snprintf(p, sizeof(p), "%s/drivers", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/drivers/virtio_balloon", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/drivers/virtio_balloon/virtio3", root);
	mkdir(p, 0755);
	assert_int_equal(mem_find_balloon(root, &b), 0);
	assert_true(b.bound);
	assert_string_equal(mem_balloon_feature_name(2), "deflate_on_oom");
	assert_null(mem_balloon_feature_name(7));
	assert_null(mem_balloon_feature_name(64));
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

/* ---- plan ---- */

static void test_reserve_and_plan(void **state)
{
	struct mem_plan pl = { 0 };

	(void)state;
	assert_int_equal(mem_reserve_kib(256 * 1024), 64 * 1024);
	assert_int_equal(mem_reserve_kib(24 * 1024 * 1024), 24 * 1024 * 1024 / 20);
	/* A MemTotal no machine has (a hostile or corrupt meminfo): 5% of it,
	 * computed without overflow. */
	assert_true(mem_reserve_kib(INT64_MAX) == INT64_MAX / 20);
	assert_true(mem_reserve_kib(INT64_MAX - 99) == (INT64_MAX - 99) / 100 * 5 + (INT64_MAX - 99) % 100 * 5 / 100);

	/* 60% of 475 MiB available: whole blocks, chunks of 1/16. */
	mem_plan_size(&pl, 475 * 1024, 489 * 1024, 60, 0, 0);
	assert_int_equal(pl.target, 284 * MIB);
	assert_int_equal(pl.chunk, 18 * MIB);
	assert_int_equal(pl.reserve_kib, 64 * 1024);
	assert_int_equal(pl.target % MEM_BLOCK, 0);

	/* A big host: chunks top out at 64 MiB. */
	mem_plan_size(&pl, 20LL * 1024 * 1024, 24LL * 1024 * 1024, 80, 0, 0);
	assert_int_equal(pl.chunk, 64 * MIB);
	/* An explicit size; a tiny chunk grows so the table holds the run. */
	mem_plan_size(&pl, 20LL * 1024 * 1024, 24LL * 1024 * 1024, 80, 8 * GIB, 2 * MIB);
	assert_int_equal(pl.target, 8 * GIB);
	assert_true(pl.target / pl.chunk <= MEM_MAX_CHUNKS / 2);
	assert_int_equal(pl.chunk % MEM_BLOCK, 0);
	/* --oom: past MemTotal, no reserve. */
	pl.oom = true;
	mem_plan_size(&pl, 200 * 1024, 237 * 1024, 60, 0, 0);
	assert_true(pl.target > 237 * MIB);
	assert_int_equal(pl.reserve_kib, 0);
	assert_true(pl.max_blocks >= pl.target / MEM_BLOCK);
}

/* What the VM was given: the firmware's RAM (this build machine's
 * /sys/firmware/memmap: 639 KiB + 3 GiB - 1 MiB + 21 GiB), else MemTotal
 * and the balloon. */
static void test_given_memory(void **state)
{
	(void)state;
	assert_int_equal(mem_memmap_ram_kib(DATA "memmap-buildhost"), 639 + 3144704 + 22020096);
	assert_int_equal(mem_memmap_ram_kib(DATA "no-such-folder"), -1);
	assert_int_equal(mem_given_kib(25165439, 24684084, 0, false), 25165439);
	/* a 4 GiB guest whose balloon holds 3 GiB: MemTotal 1 GiB, or 4 GiB with deflate-on-oom */
	assert_int_equal(mem_given_kib(-1, 1048576, 3145728, false), 4194304);
	assert_int_equal(mem_given_kib(-1, 4194304, 3145728, true), 4194304);
}

/* ---- the JSON `triage mem` writes, against its schema fragment ----
 *
 * The real command on this machine, small: 8 MiB filled, verified, held
 * for no time and churned (the defaults), then once without the churn.
 * Every member of metrics and data must be one schema/checks/mem.schema.json
 * declares, everything it requires must be there, and renaming any key
 * the command wrote must be rejected (--every-key). */
/* The check can fail: the same object with fill_gibps renamed is rejected,
 * and the message names both the stray key and the missing one. */
static void renamed_key_named(const char *text, size_t len)
{
	char path[] = "/tmp/test_mem_renamed_XXXXXX", msg[4096], *copy = strndup(text, len), *at;
	int fd = mkstemp(path);

	assert_non_null(copy);
	assert_true(fd >= 0);
	at = strstr(copy, "\"fill_gibps\"");
	assert_non_null(at);
	at[10] = 'z'; /* "fill_gibpz" */
	assert_int_equal(write(fd, copy, len), (ssize_t)len);
	close(fd);
	assert_true(schema_check_file("mem", path, false, msg, sizeof(msg)) > 0);
	if (!strstr(msg, "tests.mem.metrics: Additional properties are not allowed ('fill_gibpz' was unexpected)") ||
	    !strstr(msg, "tests.mem.metrics: 'fill_gibps' is a required property"))
		fail_msg("the message does not name the renamed key:\n%s", msg);
	unlink(path);
	free(copy);
}

static void test_json_matches_fragment(void **state)
{
	static const char *const runs[][12] = {
		{ "mem", "--size", "8M", "--chunk", "4M", "--budget", "2s", "--hold", "0", NULL },
		{ "mem", "--size", "4M", "--budget", "2s", "--hold", "100ms", "--no-churn", NULL },
	};
	char out[64], err[160], *text;
	struct jval *v;
	size_t len;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		int rc = run_check(cmd_mem, runs[i], out);

		text = read_file(out, 1 << 22, &len);
		assert_non_null(text);
		v = json_parse(text, len, err, sizeof(err));
		if (!v)
			fail_msg("%s: %s", out, err);
		/* A run that did not get to the end would leave parts unwritten. */
		if (rc != EXIT_PASS && rc != EXIT_WARN)
			fail_msg("triage mem exited %d: %s", rc, json_str(v, "reason", "?"));
		assert_non_null(json_path(v, "data.verify.passes"));
		assert_check_schema("mem", out, i == 0);
		if (i == 0)
			renamed_key_named(text, len);
		json_free(v);
		free(text);
		unlink(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_clean),
		cmocka_unit_test(test_pattern_bit_flip),
		cmocka_unit_test(test_pattern_stuck_bit_needs_inverse),
		cmocka_unit_test(test_pattern_address_alias),
		cmocka_unit_test(test_pattern_every_position),
		cmocka_unit_test(test_pattern_log_cap),
		cmocka_unit_test(test_flipped_bits),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_stalls_one_slow_block),
		cmocka_unit_test(test_stalls_thresholds),
		cmocka_unit_test(test_series_folds),
		cmocka_unit_test(test_series_short_run_keeps_every_sample),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_vmstat),
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_find_balloon),
		cmocka_unit_test(test_given_memory),
		cmocka_unit_test(test_reserve_and_plan),
		cmocka_unit_test(test_json_matches_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
