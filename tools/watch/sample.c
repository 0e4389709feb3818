/* triage watch: what one tick reads, and the records it makes of it. */
#include "watch.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "lib/util.h"

static const char *const psi_files[WPSI_N] = { "/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io" };

static int open_ro(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Appends a record; a failing write is counted by the ring and otherwise
 * ignored: the recorder keeps recording (the disk may come back). */
static void put(struct watch *w, uint16_t type, uint8_t flags, const void *p, size_t len)
{
	(void)ring_append(&w->ring, type, flags, p, len);
}

static void on_kmsg(void *ctx, int rule, const char *text, long long usec)
{
	struct watch *w = ctx;
	struct wrec_kmsg k;

	memset(&k, 0, sizeof(k));
	k.usec = usec;
	k.rule = (uint16_t)rule;
	strlcpy_(k.rule_id, kmsg_rules[rule].id, sizeof(k.rule_id));
	strlcpy_(k.text, text, sizeof(k.text));
	w->kmsg_lines++;
	put(w, WREC_KMSG, RING_F_EVENT, &k, sizeof(k));
}

void watch_open_sources(struct watch *w)
{
	w->fd_stat = open_ro("/proc/stat");
	w->fd_meminfo = open_ro("/proc/meminfo");
	w->fd_vmstat = open_ro("/proc/vmstat");
	w->fd_diskstats = open_ro("/proc/diskstats");
	for (int i = 0; i < WPSI_N; i++)
		w->fd_psi[i] = open_ro(psi_files[i]);
	/* /proc/stat grows with the CPUs (a line each) and /proc/vmstat is
	 * about 5 KiB: one buffer sized for either. */
	w->statbuf_size = 16384 + 160 * (size_t)WATCH_MAX_CPUS;
	w->statbuf = xmalloc(w->statbuf_size);
	w->ncpus = 0;
	if (w->fd_stat >= 0 && procfs_pread(w->fd_stat, w->statbuf, w->statbuf_size) == 0) {
		struct cpustat st;
		/* Numbered from 0; offline CPUs leave holes, so count to the last. */
		for (int c = 0; c < WATCH_MAX_CPUS; c++)
			if (cpustat_parse(w->statbuf, c, &st) == 0)
				w->ncpus = c + 1;
	}
	w->user_hz = (int)sysconf(_SC_CLK_TCK);
	w->has_kmsg = kmsg_open_new(&w->km) == 0;
	if (w->has_kmsg) {
		w->km.on_line = on_kmsg;
		w->km.ctx = w;
	}
}

void watch_close_sources(struct watch *w)
{
	int *fds[] = { &w->fd_stat, &w->fd_meminfo, &w->fd_vmstat, &w->fd_diskstats,
		       &w->fd_psi[0], &w->fd_psi[1], &w->fd_psi[2] };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (w->has_kmsg)
		kmsg_close(&w->km);
	w->has_kmsg = false;
	free(w->statbuf);
	w->statbuf = NULL;
}

static void read_psi(struct watch *w, struct wrec_beat *b)
{
	static const uint32_t bit[WPSI_N] = { WB_PSI_CPU, WB_PSI_MEM, WB_PSI_IO };
	char buf[512];
	struct psi p;

	for (int i = 0; i < WPSI_N; i++) {
		/* EOPNOTSUPP with psi=0 on the kernel command line: absent. */
		if (w->fd_psi[i] < 0 || procfs_pread(w->fd_psi[i], buf, sizeof(buf)) < 0 || psi_parse(buf, &p) < 0)
			continue;
		b->known |= bit[i];
		b->psi_us[i][WPSI_SOME] = p.some_total_us;
		b->psi_us[i][WPSI_FULL] = p.full_total_us;
		if (i == WPSI_CPU && p.has_full)
			b->known |= WB_PSI_CPU_FULL;
	}
}

static void write_steal(struct watch *w)
{
	struct wrec_steal s;
	struct cpustat st;
	bool moved = !w->steal_written;
	uint32_t now[WATCH_MAX_CPUS];

	for (int c = 0; c < w->ncpus; c++) {
		now[c] = cpustat_parse(w->statbuf, c, &st) == 0 ? (uint32_t)st.steal : w->steal_last[c];
		moved |= now[c] != w->steal_last[c];
	}
	/* Written when any CPU's steal moved (and once at the start): a
	 * quiet host costs no records. */
	if (!moved)
		return;
	for (int first = 0; first < w->ncpus; first += WREC_STEAL_MAX) {
		memset(&s, 0, sizeof(s));
		s.first_cpu = (uint16_t)first;
		s.n = (uint16_t)(w->ncpus - first < WREC_STEAL_MAX ? w->ncpus - first : WREC_STEAL_MAX);
		memcpy(s.ticks, now + first, s.n * sizeof(uint32_t));
		put(w, WREC_STEAL, 0, &s, offsetof(struct wrec_steal, ticks) + s.n * sizeof(uint32_t));
	}
	memcpy(w->steal_last, now, (size_t)w->ncpus * sizeof(uint32_t));
	w->steal_written = true;
}

bool watch_disk_is_whole(const char *sys_block, const char *name)
{
	char path[300], n[64];

	if (!strncmp(name, "loop", 4) || !strncmp(name, "ram", 3))
		return false;
	/* "cciss/c0d0" is /sys/block/cciss!c0d0 */
	strlcpy_(n, name, sizeof(n));
	for (char *p = n; *p; p++)
		if (*p == '/')
			*p = '!';
	snprintf(path, sizeof(path), "%s/%s", sys_block, n);
	return access(path, F_OK) == 0;
}

void watch_disk_update(struct watch_disk *d, int64_t completed, int64_t in_flight, int64_t now)
{
	/* Stalled since the last tick: something was in flight then and now,
	 * and nothing completed between. */
	if (in_flight > 0 && d->stuck_ns >= 0 && completed == d->completed && d->last_ns > 0 && now > d->last_ns)
		d->stall_ns += now - d->last_ns;
	d->last_ns = now;
	if (in_flight <= 0) {
		d->zero_ns = now;
		d->stuck_ns = -1;
	} else if (d->stuck_ns < 0 || completed != d->completed) {
		/* What is in flight now may be new: the lower bound starts over. */
		d->stuck_ns = now;
	}
	d->completed = completed;
}

static struct watch_disk *disk_slot(struct watch *w, const char *name, int64_t now)
{
	for (int i = 0; i < w->ndisks; i++)
		if (!strcmp(w->disks[i].name, name))
			return &w->disks[i];
	if (w->ndisks == WATCH_MAX_DISKS)
		return NULL;
	struct watch_disk *d = &w->disks[w->ndisks++];
	memset(d, 0, sizeof(*d));
	strlcpy_(d->name, name, sizeof(d->name));
	d->whole = watch_disk_is_whole("/sys/block", name);
	d->zero_ns = now;
	d->stuck_ns = -1;
	d->completed = -1;
	return d;
}

static uint32_t ms_since(int64_t now, int64_t then)
{
	int64_t ms = (now - then) / 1000000;

	return ms < 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static void write_disks(struct watch *w, int64_t now)
{
	char buf[16384];
	struct diskstat ds[WATCH_MAX_DISKS * 4];
	struct wrec_disk r;
	int n;

	if (w->fd_diskstats < 0 || procfs_pread(w->fd_diskstats, buf, sizeof(buf)) < 0)
		return;
	n = diskstats_parse(buf, ds, (int)ARRAY_SIZE(ds));
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < n; i++) {
		struct watch_disk *d = disk_slot(w, ds[i].name, now);
		if (!d || !d->whole)
			continue;
		watch_disk_update(d, ds[i].completed, ds[i].in_flight, now);
		d->io_ms = ds[i].io_ms;
		if (ds[i].in_flight <= 0)
			continue;
		struct wrec_disk_one *o = &r.d[r.n++];
		char line[64];
		unsigned long long rd, wr;
		strlcpy_(o->name, d->name, sizeof(o->name));
		o->in_flight = (uint32_t)(ds[i].in_flight > UINT32_MAX ? UINT32_MAX : ds[i].in_flight);
		/* Reads and writes apart, only when something is in flight. */
		if (read_line_at(line, sizeof(line), "/sys/block/%s/inflight", d->name) == 0 &&
		    sscanf(line, "%llu %llu", &rd, &wr) == 2)
			o->in_flight_writes = (uint32_t)(wr > UINT32_MAX ? UINT32_MAX : wr);
		o->stuck_ms = d->stuck_ns < 0 ? 0 : ms_since(now, d->stuck_ns);
		o->busy_ms = ms_since(now, d->zero_ns);
		o->completed = (uint64_t)ds[i].completed;
		o->io_ms = (uint64_t)ds[i].io_ms;
		if (r.n == WREC_DISK_MAX) {
			put(w, WREC_DISK, 0, &r, sizeof(r));
			memset(&r, 0, sizeof(r));
		}
	}
	if (r.n)
		put(w, WREC_DISK, 0, &r, offsetof(struct wrec_disk, d) + r.n * sizeof(r.d[0]));
}


void watch_tick(struct watch *w, int64_t tick_late_ns, int64_t probe_late_ns)
{
	struct wrec_beat b;
	struct meminfo mi;
	struct vmstat vs;
	struct cpustat st;
	int64_t v;

	memset(&b, 0, sizeof(b));
	b.tick_late_ns = tick_late_ns;
	b.probe_late_ns = probe_late_ns;
	b.known |= probe_late_ns >= 0 ? WB_PROBE : 0;
	b.ncpus = (uint32_t)w->ncpus;
	read_psi(w, &b);
	{
		char buf[4096];
		if (w->fd_meminfo >= 0 && procfs_pread(w->fd_meminfo, buf, sizeof(buf)) == 0 && meminfo_parse(buf, &mi) == 0) {
			b.known |= WB_MEM;
			b.memtotal_kib = mi.total_kib;
			b.memavail_kib = mi.avail_kib;
		}
	}
	if (w->fd_vmstat >= 0 && procfs_pread(w->fd_vmstat, w->statbuf, w->statbuf_size) == 0 &&
	    vmstat_parse(w->statbuf, &vs) == 0) {
		b.known |= WB_VMSTAT;
		b.balloon_kib = vmstat_balloon_kib(&vs);
		b.oom_kill = (uint64_t)vs.oom_kill;
	}
	bool have_stat = w->fd_stat >= 0 && procfs_pread(w->fd_stat, w->statbuf, w->statbuf_size) == 0 &&
			 cpustat_parse(w->statbuf, -1, &st) == 0;
	if (have_stat) {
		b.known |= WB_STAT;
		b.steal_ticks = (uint64_t)st.steal;
		b.total_ticks = (uint64_t)cpustat_total(&st);
		if (procfs_field(w->statbuf, "ctxt", ' ', &v))
			b.ctxt = (uint64_t)v;
		if (procfs_field(w->statbuf, "procs_running", ' ', &v))
			b.procs_running = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
		if (procfs_field(w->statbuf, "procs_blocked", ' ', &v))
			b.procs_blocked = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
	}
	b.cost_ns = self_cpu_ns();
	put(w, WREC_BEAT, 0, &b, sizeof(b));
	if (have_stat)
		write_steal(w);
	write_disks(w, now_ns());
	if (w->has_kmsg)
		kmsg_drain(&w->km);
	w->ticks++;
}
