#include "procfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* A count: strtoll, which saturates with ERANGE (defined for any text),
 * and a negative number as 0. */
static bool number(const char *s, int64_t *out, const char **end)
{
	char *e;
	long long v;

	errno = 0;
	v = strtoll(s, &e, 10);
	if (e == s)
		return false;
	*out = v > 0 ? v : 0;
	if (end)
		*end = e;
	return true;
}

bool procfs_field(const char *text, const char *key, char sep, int64_t *out)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) != 0 || p[klen] != sep)
			continue;
		return number(p + klen + 1, out, NULL);
	}
	return false;
}

int procfs_pread(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (fd < 0) {
		errno = ENOENT;
		return -1;
	}
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int meminfo_parse(const char *text, struct meminfo *mi)
{
	memset(mi, 0, sizeof(*mi));
	if (!procfs_field(text, "MemTotal", ':', &mi->total_kib) || !procfs_field(text, "MemFree", ':', &mi->free_kib))
		return -1;
	/* MemAvailable came with Linux 3.14; MemFree stands in before. */
	mi->has_avail = procfs_field(text, "MemAvailable", ':', &mi->avail_kib);
	if (!mi->has_avail)
		mi->avail_kib = mi->free_kib;
	/* Both read, whatever the first says: a half-known swap is still shown. */
	mi->has_swap = procfs_field(text, "SwapTotal", ':', &mi->swap_total_kib);
	mi->has_swap = procfs_field(text, "SwapFree", ':', &mi->swap_free_kib) && mi->has_swap;
	procfs_field(text, "CommitLimit", ':', &mi->commit_limit_kib);
	procfs_field(text, "Committed_AS", ':', &mi->committed_kib);
	mi->has_hugepages = procfs_field(text, "HugePages_Total", ':', &mi->hugepages_total);
	return 0;
}

int meminfo_read(struct meminfo *mi)
{
	char *text = read_file("/proc/meminfo", 1 << 16, NULL);
	int rc = text ? meminfo_parse(text, mi) : -1;

	free(text);
	if (rc < 0)
		memset(mi, 0, sizeof(*mi));
	return rc;
}

int vmstat_parse(const char *text, struct vmstat *vs)
{
	memset(vs, 0, sizeof(*vs));
	if (!procfs_field(text, "pgmajfault", ' ', &vs->pgmajfault))
		return -1;
	vs->has_balloon = procfs_field(text, "balloon_inflate", ' ', &vs->balloon_inflate);
	procfs_field(text, "balloon_deflate", ' ', &vs->balloon_deflate);
	procfs_field(text, "balloon_migrate", ' ', &vs->balloon_migrate);
	vs->has_nr_balloon = procfs_field(text, "nr_balloon_pages", ' ', &vs->nr_balloon_pages);
	vs->has_oom_kill = procfs_field(text, "oom_kill", ' ', &vs->oom_kill);
	return 0;
}

int cpustat_parse(const char *text, int cpu, struct cpustat *st)
{
	int64_t *f[] = { &st->user, &st->nice, &st->system, &st->idle, &st->iowait, &st->irq, &st->softirq, &st->steal };
	char tag[24];
	size_t tl;
	const char *p;

	memset(st, 0, sizeof(*st));
	if (cpu < 0)
		snprintf(tag, sizeof(tag), "cpu ");
	else
		snprintf(tag, sizeof(tag), "cpu%d ", cpu);
	tl = strlen(tag);
	for (p = text; p && strncmp(p, tag, tl) != 0; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		;
	if (!p)
		return -1;
	p += tl;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		while (*p == ' ')
			p++;
		/* A tick count is never negative: a '-' ends the line's numbers. */
		if (*p < '0' || *p > '9' || !number(p, f[i], &p))
			break;
		st->nfields++;
	}
	return st->nfields >= 4 ? 0 : -1;
}

int64_t cpustat_total(const struct cpustat *st)
{
	int64_t t = 0;

	t = sat_add_i64(t, st->user);
	t = sat_add_i64(t, st->nice);
	t = sat_add_i64(t, st->system);
	t = sat_add_i64(t, st->idle);
	t = sat_add_i64(t, st->iowait);
	t = sat_add_i64(t, st->irq);
	t = sat_add_i64(t, st->softirq);
	return sat_add_i64(t, st->steal);
}

int64_t cpustat_busy(const struct cpustat *st)
{
	return sat_sub_i64(sat_sub_i64(cpustat_total(st), st->idle), st->iowait);
}

int64_t vmstat_balloon_kib(const struct vmstat *vs)
{
	/* Both counts are >= 0 (lib/procfs): the difference cannot overflow. */
	int64_t pages = vs->balloon_inflate - vs->balloon_deflate;

	if (vs->has_nr_balloon)
		return sat_mul_i64(vs->nr_balloon_pages, 4);
	return pages > 0 ? sat_mul_i64(pages, 4) : 0;
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" */
static bool psi_line(const char *text, const char *kind, double *avg10, uint64_t *total)
{
	const char *p = strstr(text, kind);
	unsigned long long t;

	if (!p || (p != text && p[-1] != '\n'))
		return false;
	if (sscanf(p + strlen(kind), " avg10=%lf avg60=%*f avg300=%*f total=%llu", avg10, &t) != 2)
		return false;
	*total = t;
	return true;
}

int psi_parse(const char *text, struct psi *p)
{
	memset(p, 0, sizeof(*p));
	if (!psi_line(text, "some", &p->some_avg10, &p->some_total_us))
		return -1;
	p->has_full = psi_line(text, "full", &p->full_avg10, &p->full_total_us);
	return 0;
}

int diskstats_parse(const char *text, struct diskstat *d, int max)
{
	int n = 0;

	for (const char *p = text; p && *p && n < max; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		int64_t f[DISKSTAT_FIELDS] = { 0 };
		int nf = 0, i = 0;
		const char *q = p;
		struct diskstat *o = &d[n];

		/* major and minor, then the name */
		for (int k = 0; k < 2; k++) {
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q < '0' || *q > '9' || !number(q, &f[0], &q))
				goto next;
		}
		while (*q == ' ' || *q == '\t')
			q++;
		while (*q && *q != ' ' && *q != '\t' && *q != '\n' && i + 1 < (int)sizeof(o->name))
			o->name[i++] = *q++;
		o->name[i] = '\0';
		if (i == 0 || (*q != ' ' && *q != '\t'))
			goto next;
		while (nf < DISKSTAT_FIELDS) {
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q < '0' || *q > '9' || !number(q, &f[nf], &q))
				break;
			nf++;
		}
		/* Linux 2.6 has 11 fields, 4.18 adds discards (12-15), 5.5 flushes (16-17). */
		if (nf < 11)
			goto next;
		o->completed = sat_add_i64(sat_add_i64(f[0], f[4]), sat_add_i64(nf >= 12 ? f[11] : 0, nf >= 16 ? f[15] : 0));
		o->in_flight = f[8];
		o->io_ms = f[9];
		o->weighted_ms = f[10];
		n++;
		continue;
next:
		memset(o, 0, sizeof(*o));
	}
	return n;
}
