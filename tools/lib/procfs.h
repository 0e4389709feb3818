/* The one reader of each of /proc/meminfo, /proc/vmstat and /proc/stat:
 * pure parsers over the file's text (the unit tests and fuzzers feed them
 * recorded or hostile text) and a pread helper for files kept open.
 *
 * Every figure these files hold is a count or a size: a number is read as
 * one in [0, INT64_MAX] (beyond it saturates, a negative one is 0), so the
 * difference of two readings cannot overflow, and every sum or product
 * here saturates: a corrupt or hostile file gives a huge figure, never
 * undefined behaviour. */
#ifndef VMTRIAGE_PROCFS_H
#define VMTRIAGE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The number after key and sep at the start of a line ("MemTotal" ':',
 * "pgmajfault" ' '); false when no line has it or no number follows. */
bool procfs_field(const char *text, const char *key, char sep, int64_t *out);

/* Reads a re-readable procfs file (seq_file regenerates at offset 0) into
 * buf as a NUL-terminated string. Returns 0, or -1 with errno set. */
int procfs_pread(int fd, char *buf, size_t size);

struct meminfo {
	int64_t total_kib, free_kib, avail_kib, swap_total_kib, swap_free_kib;
	int64_t commit_limit_kib, committed_kib;
	int64_t hugepages_total;	/* pages, not KiB */
	bool has_avail;			/* MemAvailable (Linux 3.14); else avail = free */
	bool has_swap, has_hugepages;	/* SwapTotal and SwapFree; HugePages_Total */
};
/* -1 without MemTotal and MemFree. */
int meminfo_parse(const char *text, struct meminfo *mi);
/* /proc/meminfo itself; -1 when it cannot be read or parsed. */
int meminfo_read(struct meminfo *mi);

struct vmstat {
	int64_t balloon_inflate, balloon_deflate, balloon_migrate, nr_balloon_pages;
	int64_t pgmajfault, oom_kill;
	bool has_balloon, has_nr_balloon, has_oom_kill;
};
/* -1 without pgmajfault. */
int vmstat_parse(const char *text, struct vmstat *vs);

/* Balloon size in KiB: nr_balloon_pages where the kernel has it, else the
 * pages inflated minus deflated since boot (4 KiB each on x86). */
int64_t vmstat_balloon_kib(const struct vmstat *vs);

/* One file of /proc/pressure/ (cpu, memory, io):
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * totals in microseconds stalled since boot. cpu has a full line from
 * Linux 5.13 (all zero at the system level). -1 without a some line. */
struct psi {
	double some_avg10, full_avg10;
	uint64_t some_total_us, full_total_us;
	bool has_full;
};
int psi_parse(const char *text, struct psi *p);

/* One "cpu" line of /proc/stat, in USER_HZ ticks. */
struct cpustat {
	int64_t user, nice, system, idle, iowait, irq, softirq, steal;
	int nfields;			/* how many of the eight the line had */
};
/* The line of one CPU, or with cpu -1 the "cpu" line of all of them.
 * -1 when the line is missing or has fewer than four numbers. */
int cpustat_parse(const char *text, int cpu, struct cpustat *st);
/* All eight fields, and all but idle and iowait. */
int64_t cpustat_total(const struct cpustat *st);
int64_t cpustat_busy(const struct cpustat *st);

/* One line of /proc/diskstats (Documentation/admin-guide/iostats.rst):
 * requests completed (reads, writes, discards and flushes), in flight
 * now, ms with any in flight, and the weighted ms (in flight x time). */
#define DISKSTAT_FIELDS 17
struct diskstat {
	char name[32];
	int64_t completed, in_flight, io_ms, weighted_ms;
};
/* Up to max devices, in the file's order; lines that do not parse are
 * left out. Returns the count. */
int diskstats_parse(const char *text, struct diskstat *d, int max);

#endif
