/* triage host --watch: the host's side of the flight recorder. Every
 * interval it records, per VM (each VMID.pid under PVE's run folder), the
 * vCPU threads' run and run delay (schedstat) and states and the QEMU
 * threads in D state, and for the node PSI, dirty and writeback memory and
 * C-state residency: in the ring format (lib/ring.h, lib/hostrec.h) under
 * /var/lib/vmtriage/host/, and with --textfile as a node_exporter textfile.
 * It only reads /proc and /sys: no QMP (QEMU serves one QMP client at a
 * time, and PVE's own need it); vCPU threads are known by the names PVE's
 * -name ...,debug-threads=on gives them ("CPU 0/KVM"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "host/autopsy.h"
#include "host/host.h"
#include "host/modes.h"
#include "lib/hostrec.h"
#include "lib/procfs.h"
#include "lib/ring.h"
#include "lib/task.h"
#include "lib/util.h"

static const char usage[] =
	"usage: triage host --watch [options]\n"
	"Records, every interval, each VM's vCPU threads' run delay and states and its QEMU\n"
	"threads in D state, and the host's pressure (PSI), dirty and writeback memory and\n"
	"C-state residency, into a ring of checksummed records (docs/watch.md); with\n"
	"--textfile also a node_exporter textfile. Reads /proc and /sys only.";

enum {
	W_WATCH, W_DIR, W_RUN_DIR, W_ROOT, W_INTERVAL, W_DURATION, W_SIZE, W_SYNC, W_TEXTFILE, W_TEXTFILE_EVERY, W_QUIET,
	W_HELP, W_N
};

const struct opt host_watch_opts[] = {
	{ "watch", 0, OPT_FLAG, NULL, "record (this mode)", 0, 0 },
	{ "dir", 0, OPT_STR, "DIR", "the ring's folder (default /var/lib/vmtriage/host)", 0, 0 },
	{ "run-dir", 0, OPT_STR, "DIR", "PVE's VMID.pid files (default /var/run/qemu-server)", 0, 0 },
	{ "root", 0, OPT_STR, "DIR", "read /proc and /sys below DIR (default /; for tests)", 0, 0 },
	{ "interval", 0, OPT_DURATION, "TIME", "between records (default 1s)", 10000000LL, 3600000000000LL },
	{ "duration", 0, OPT_DURATION, "TIME", "stop after TIME (default: run until SIGTERM)", 0, 0 },
	{ "size", 0, OPT_SIZE, "BYTES", "the ring file's size (default 8M)", 65536, 1LL << 30 },
	{ "sync", 0, OPT_DURATION, "TIME", "at most one routine fdatasync per TIME (default 5s)", 0, 0 },
	{ "textfile", 0, OPT_STR, "DIR", "also write DIR/vmtriage_host_watch.prom (atomically)", 0, 0 },
	{ "textfile-every", 0, OPT_DURATION, "TIME", "how often (default 15s, node_exporter's usual scrape)", 0, 0 },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress on stderr", 0, 0 },
	{ "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

#define WATCH_VMS_MAX 512
#define WATCH_VCPUS_MAX AUT_VCPUS_MAX
#define WATCH_CSTATE_FDS 2048
#define PROM_NAME "vmtriage_host_watch.prom"
/* The textfile is replaced (lib file_replace, a rename) every 15 s,
 * Prometheus' usual scrape interval, rather than every tick. */
#define TEXTFILE_EVERY_NS 15000000000LL
/* An interval in which a vCPU waited on the run queue at least this share
 * of the time is a starved interval (the autopsy's threshold: a healthy
 * host keeps it well under 1%). */
#define WATCH_STARVED_SHARE AUT_STARVED_DELAY_SHARE

/* A QEMU thread's stat and schedstat, kept open between ticks. */
struct wthread {
	int tid, fds[2];
	bool seen;
};

struct wvm {
	int vmid, pid;
	struct wthread *th;
	int nth, cap;
	bool seen;			/* found this tick */
	int nvcpus;
	int vcpu_tid[WATCH_VCPUS_MAX];
	char state[WATCH_VCPUS_MAX], state_before[WATCH_VCPUS_MAX];
	struct hrec_vcpu now[WATCH_VCPUS_MAX], before[WATCH_VCPUS_MAX];
	bool have_before;
	int threads, d_threads, d_io_threads;
	int d_tids[16], nd;		/* in D at the last tick */
	double delay_share_max;		/* the last interval's, over the vCPUs; -1 not known */
	/* since the recorder started */
	double starved_s, io_stall_s, longest_starved_s, current_starved_s;
	long long starved_intervals;
};

struct watch {
	const char *root, *run_dir;
	int64_t interval_ns;
	struct wvm vm[WATCH_VMS_MAX];
	int nvms;
	struct ring_writer ring;
	int cfd[WATCH_CSTATE_FDS], cstate_of[WATCH_CSTATE_FDS], ncfd;
	struct hrec_cstates names;
	int ncpus_idle;
	int psi_fd[HPSI_N], meminfo_fd;
	struct hrec_node node;
	char node_name[64];
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }


/* ---- the node ---- */

static void open_node(struct watch *w)
{
	static const char *const psi[HPSI_N] = { "cpu", "memory", "io" };
	struct host_idle idle;
	char path[600];

	for (int i = 0; i < HPSI_N; i++) {
		snprintf(path, sizeof(path), "%s/proc/pressure/%s", w->root, psi[i]);
		w->psi_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	snprintf(path, sizeof(path), "%s/proc/meminfo", w->root);
	w->meminfo_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (host_read_idle(w->root, &idle) < 0)
		return;
	w->names.n = (uint32_t)(idle.nstates < HREC_CSTATES_MAX ? idle.nstates : HREC_CSTATES_MAX);
	for (uint32_t s = 0; s < w->names.n; s++)
		snprintf(w->names.name[s], sizeof(w->names.name[s]), "%.15s", idle.st[s].name);
	w->ncpus_idle = idle.ncpus;
	/* each CPU's stateN/time, kept open: sysfs reads them again at offset 0 */
	for (int cpu = 0; cpu < 8192 && w->ncfd < WATCH_CSTATE_FDS; cpu++) {
		bool any = false;

		for (uint32_t s = 0; s < w->names.n && w->ncfd < WATCH_CSTATE_FDS; s++) {
			int fd;

			snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%d/cpuidle/state%u/time", w->root, cpu,
				 s);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			any = true;
			w->cfd[w->ncfd] = fd;
			w->cstate_of[w->ncfd++] = (int)s;
		}
		snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%d", w->root, cpu);
		if (!any && access(path, F_OK) < 0)
			break;
	}
}

static void read_node(struct watch *w)
{
	struct hrec_node *n = &w->node;
	char buf[4096];
	struct meminfo mi;
	struct psi p;
	int64_t v;

	memset(n, 0, sizeof(*n));
	for (int i = 0; i < HPSI_N; i++)
		if (procfs_pread(w->psi_fd[i], buf, sizeof(buf)) == 0 && psi_parse(buf, &p) == 0) {
			n->known |= HN_PSI_CPU << i;
			n->psi_us[i][HPSI_SOME] = p.some_total_us;
			n->psi_us[i][HPSI_FULL] = p.has_full ? p.full_total_us : 0;
		}
	if (procfs_pread(w->meminfo_fd, buf, sizeof(buf)) == 0 && meminfo_parse(buf, &mi) == 0) {
		n->known |= HN_MEM;
		n->memavail_kib = mi.avail_kib;
		n->dirty_kib = procfs_field(buf, "Dirty", ':', &v) ? v : -1;
		n->writeback_kib = procfs_field(buf, "Writeback", ':', &v) ? v : -1;
	}
	if (w->ncfd) {
		long long t;

		n->known |= HN_CSTATES;
		n->ncstates = w->names.n;
		n->ncpus = (uint32_t)w->ncpus_idle;
		for (int i = 0; i < w->ncfd; i++)
			if (procfs_pread(w->cfd[i], buf, 64) == 0 && parse_ll(trim(buf), &t) == 0 && t > 0)
				n->cstate_us[w->cstate_of[i]] = sat_add_u64(n->cstate_us[w->cstate_of[i]], (uint64_t)t);
	}
	n->nvms = (uint32_t)w->nvms;
	n->cost_ns = self_cpu_ns();
}

/* ---- the VMs ---- */

static void vm_free(struct wvm *v)
{
	for (int i = 0; i < v->nth; i++)
		task_close(v->th[i].fds);
	free(v->th);
	v->th = NULL;
	v->nth = v->cap = 0;
}

static struct wvm *vm_slot(struct watch *w, int vmid, int pid)
{
	for (int i = 0; i < w->nvms; i++)
		if (w->vm[i].vmid == vmid) {
			if (w->vm[i].pid != pid) { /* restarted: a new QEMU, counters from zero */
				vm_free(&w->vm[i]);
				w->vm[i] = (struct wvm){ .vmid = vmid, .pid = pid };
			}
			return &w->vm[i];
		}
	if (w->nvms == WATCH_VMS_MAX)
		return NULL;
	w->vm[w->nvms] = (struct wvm){ .vmid = vmid, .pid = pid };
	return &w->vm[w->nvms++];
}

static bool was_d(const struct wvm *v, int tid)
{
	for (int i = 0; i < v->nd; i++)
		if (v->d_tids[i] == tid)
			return true;
	return false;
}

/* The thread's open files, opened when it is new. */
static struct wthread *thread_slot(struct watch *w, struct wvm *v, int tid)
{
	for (int i = 0; i < v->nth; i++)
		if (v->th[i].tid == tid)
			return &v->th[i];
	if (v->nth == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->th = xrealloc(v->th, (size_t)v->cap * sizeof(*v->th));
	}
	v->th[v->nth] = (struct wthread){ .tid = tid };
	if (task_open(w->root, v->pid, tid, v->th[v->nth].fds) < 0)
		return NULL;
	return &v->th[v->nth++];
}

static void read_vm(struct watch *w, struct wvm *v)
{
	static int tids[AUT_THREADS_MAX];
	int n = task_list(w->root, v->pid, tids, AUT_THREADS_MAX), nd = 0, d_tids[16];

	memcpy(v->before, v->now, sizeof(v->now));
	memcpy(v->state_before, v->state, sizeof(v->state));
	v->have_before = v->nvcpus > 0;
	v->threads = v->d_threads = v->d_io_threads = 0;
	v->nvcpus = 0;
	for (int i = 0; i < v->nth; i++)
		v->th[i].seen = false;
	for (int i = 0; i < n; i++) {
		struct aut_thread t = { 0 };
		struct task_stat st;
		struct schedstat ss;
		struct wthread *wt = thread_slot(w, v, tids[i]);
		int vcpu;

		if (!wt || task_read_fds(wt->fds, &st, &ss, &t.has_sched) < 0)
			continue;
		wt->seen = true;
		v->threads++;
		t.tid = st.tid;
		snprintf(t.comm, sizeof(t.comm), "%s", st.comm);
		if (st.state == 'D') {
			v->d_threads++;
			if (was_d(v, t.tid))
				v->d_io_threads++;
			if (nd < 16)
				d_tids[nd++] = t.tid;
		}
		if (aut_role(&t, v->pid, NULL, 0, &vcpu) != AUT_VCPU || vcpu >= WATCH_VCPUS_MAX)
			continue;
		if (vcpu >= v->nvcpus)
			v->nvcpus = vcpu + 1;
		v->vcpu_tid[vcpu] = t.tid;
		v->state[vcpu] = st.state;
		v->now[vcpu] = (struct hrec_vcpu){ (uint64_t)ss.run_ns, (uint64_t)ss.delay_ns };
	}
	for (int i = 0; i < v->nth;) /* threads that ended */
		if (!v->th[i].seen) {
			task_close(v->th[i].fds);
			v->th[i] = v->th[--v->nth];
		} else {
			i++;
		}
	memcpy(v->d_tids, d_tids, sizeof(d_tids));
	v->nd = nd;
	v->delay_share_max = -1;
	if (v->have_before)
		for (int c = 0; c < v->nvcpus; c++) {
			double d = (double)(v->now[c].delay_ns - v->before[c].delay_ns) / (double)w->interval_ns;
			double r = (double)(v->now[c].run_ns - v->before[c].run_ns) / (double)w->interval_ns;

			if (v->now[c].delay_ns < v->before[c].delay_ns || v->now[c].run_ns < v->before[c].run_ns)
				continue; /* a new thread in the slot */
			d = aut_wait_share(v->state_before[c], v->state[c], r, d);
			if (d > v->delay_share_max)
				v->delay_share_max = d;
		}
}

static void scan_vms(struct watch *w)
{
	DIR *d = opendir(w->run_dir);
	struct dirent *e;

	for (int i = 0; i < w->nvms; i++)
		w->vm[i].seen = false;
	while (d && (e = readdir(d))) {
		char path[800], line[32];
		long long vmid, pid;
		size_t len = strlen(e->d_name);
		struct wvm *v;

		if (len < 5 || strcmp(e->d_name + len - 4, ".pid"))
			continue;
		snprintf(line, sizeof(line), "%.*s", (int)(len - 4), e->d_name);
		if (parse_ll(line, &vmid) < 0 || vmid <= 0 || vmid > 999999999)
			continue;
		snprintf(path, sizeof(path), "%s/%s", w->run_dir, e->d_name);
		if (read_line(path, line, sizeof(line)) < 0 || parse_ll(trim(line), &pid) < 0 || pid <= 1 ||
		    pid > 1 << 30)
			continue;
		snprintf(path, sizeof(path), "%s/proc/%lld/task", w->root, pid);
		if (access(path, F_OK) < 0) /* a stale pid file: the VM is off */
			continue;
		if ((v = vm_slot(w, (int)vmid, (int)pid)))
			v->seen = true;
	}
	if (d)
		closedir(d);
	/* VMs gone since: dropped */
	for (int i = 0; i < w->nvms;)
		if (!w->vm[i].seen) {
			vm_free(&w->vm[i]);
			w->vm[i] = w->vm[--w->nvms];
		} else {
			i++;
		}
}

/* Starved and I/O-stalled time, and the longest starved stretch. */
static void account(struct watch *w, struct wvm *v)
{
	double dt = (double)w->interval_ns / 1e9;

	if (v->delay_share_max >= WATCH_STARVED_SHARE) {
		v->starved_s += dt;
		v->current_starved_s += dt;
		v->starved_intervals++;
		if (v->current_starved_s > v->longest_starved_s)
			v->longest_starved_s = v->current_starved_s;
	} else {
		v->current_starved_s = 0;
	}
	if (v->d_io_threads)
		v->io_stall_s += dt;
}

/* ---- records ---- */

static void write_vm(struct watch *w, const struct wvm *v)
{
	bool event = v->delay_share_max >= WATCH_STARVED_SHARE || v->d_io_threads;
	int first = 0;

	do {
		struct hrec_vm r = { .vmid = (uint32_t)v->vmid, .pid = (uint32_t)v->pid, .nvcpus = (uint16_t)v->nvcpus,
				     .first = (uint16_t)first, .threads = (uint16_t)v->threads,
				     .d_threads = (uint16_t)v->d_threads, .d_io_threads = (uint16_t)v->d_io_threads };

		for (int c = first; c < v->nvcpus && c < first + HREC_VCPUS; c++) {
			r.state[c - first] = v->state[c];
			r.v[c - first] = v->now[c];
			r.n++;
		}
		if (ring_append(&w->ring, HREC_VM, event ? RING_F_EVENT : 0, &r, sizeof(r)) < 0)
			warn_msg("%s: %s", w->ring.path, strerror(errno));
		first += HREC_VCPUS;
	} while (first < v->nvcpus);
}

/* ---- the textfile ---- */


static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The textfile as text, malloc'd. Counters are the kernel's (since boot,
 * or since the QEMU started), so Prometheus' rate() gives the shares. */
char *host_watch_prom(const struct watch *w, size_t *len);
char *host_watch_prom(const struct watch *w, size_t *len)
{
	static const char *const psi[HPSI_N] = { "cpu", "memory", "io" }, *const kind[2] = { "some", "full" };
	const struct hrec_node *n = &w->node;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		dief("out of memory");
	head(f, "vmtriage_host_watch_last_timestamp_seconds", "gauge", "When triage host --watch wrote this file.");
	fprintf(f, "vmtriage_host_watch_last_timestamp_seconds{node=");
	prom_label(f, w->node_name);
	fprintf(f, "} %lld\n", (long long)time(NULL));
	head(f, "vmtriage_host_watch_vms", "gauge", "VMs with a running QEMU (VMID.pid) this interval.");
	fprintf(f, "vmtriage_host_watch_vms %d\n", w->nvms);
	head(f, "vmtriage_host_watch_cpu_seconds_total", "counter", "CPU time the recorder itself used.");
	fprintf(f, "vmtriage_host_watch_cpu_seconds_total %.9f\n", (double)n->cost_ns / 1e9);
	head(f, "vmtriage_vm_vcpu_run_seconds_total", "counter", "Time a VM's vCPU thread ran on a host CPU (schedstat).");
	for (int i = 0; i < w->nvms; i++)
		for (int c = 0; c < w->vm[i].nvcpus; c++)
			fprintf(f, "vmtriage_vm_vcpu_run_seconds_total{vmid=\"%d\",vcpu=\"%d\"} %.9f\n", w->vm[i].vmid, c,
				(double)w->vm[i].now[c].run_ns / 1e9);
	head(f, "vmtriage_vm_vcpu_run_delay_seconds_total", "counter",
	     "Time a VM's vCPU thread was runnable but waited for a host CPU (schedstat's run delay).");
	for (int i = 0; i < w->nvms; i++)
		for (int c = 0; c < w->vm[i].nvcpus; c++)
			fprintf(f, "vmtriage_vm_vcpu_run_delay_seconds_total{vmid=\"%d\",vcpu=\"%d\"} %.9f\n",
				w->vm[i].vmid, c, (double)w->vm[i].now[c].delay_ns / 1e9);
	head(f, "vmtriage_vm_vcpu_delay_ratio", "gauge",
	     "The worst vCPU's run delay over the last interval, as a share of it.");
	for (int i = 0; i < w->nvms; i++)
		if (w->vm[i].delay_share_max >= 0)
			fprintf(f, "vmtriage_vm_vcpu_delay_ratio{vmid=\"%d\"} %.6f\n", w->vm[i].vmid,
				w->vm[i].delay_share_max);
	head(f, "vmtriage_vm_starved_seconds_total", "counter",
	     "Time in intervals in which a vCPU waited for a host CPU half the time or more, since the recorder started.");
	for (int i = 0; i < w->nvms; i++)
		fprintf(f, "vmtriage_vm_starved_seconds_total{vmid=\"%d\"} %.3f\n", w->vm[i].vmid, w->vm[i].starved_s);
	head(f, "vmtriage_vm_starved_longest_seconds", "gauge", "The longest run of starved intervals, since the recorder started.");
	for (int i = 0; i < w->nvms; i++)
		fprintf(f, "vmtriage_vm_starved_longest_seconds{vmid=\"%d\"} %.3f\n", w->vm[i].vmid,
			w->vm[i].longest_starved_s);
	head(f, "vmtriage_vm_io_stall_seconds_total", "counter",
	     "Time in intervals in which a QEMU thread stayed in D state (I/O that does not finish), since the recorder started.");
	for (int i = 0; i < w->nvms; i++)
		fprintf(f, "vmtriage_vm_io_stall_seconds_total{vmid=\"%d\"} %.3f\n", w->vm[i].vmid, w->vm[i].io_stall_s);
	head(f, "vmtriage_vm_threads_uninterruptible", "gauge", "QEMU threads in D state (uninterruptible) at the last tick.");
	for (int i = 0; i < w->nvms; i++)
		fprintf(f, "vmtriage_vm_threads_uninterruptible{vmid=\"%d\"} %d\n", w->vm[i].vmid, w->vm[i].d_threads);
	if (n->known & (HN_PSI_CPU | HN_PSI_MEM | HN_PSI_IO)) {
		head(f, "vmtriage_host_pressure_stalled_seconds_total", "counter",
		     "Time tasks stalled on a resource (PSI totals: some, or full for all non-idle tasks).");
		for (int i = 0; i < HPSI_N; i++)
			for (int k = 0; k < 2; k++)
				if (n->known & (HN_PSI_CPU << i))
					fprintf(f, "vmtriage_host_pressure_stalled_seconds_total{resource=\"%s\",kind=\"%s\"} "
						"%.6f\n", psi[i], kind[k], (double)n->psi_us[i][k] / 1e6);
	}
	if (n->known & HN_MEM) {
		head(f, "vmtriage_host_memory_dirty_bytes", "gauge", "Dirty page cache waiting to be written (Dirty).");
		fprintf(f, "vmtriage_host_memory_dirty_bytes %lld\n", (long long)n->dirty_kib * 1024);
		head(f, "vmtriage_host_memory_writeback_bytes", "gauge", "Page cache being written back now (Writeback).");
		fprintf(f, "vmtriage_host_memory_writeback_bytes %lld\n", (long long)n->writeback_kib * 1024);
	}
	if (n->known & HN_CSTATES) {
		head(f, "vmtriage_host_cstate_residency_seconds_total", "counter",
		     "Time the CPUs spent in an idle state, summed over the CPUs (cpuidle's time).");
		for (uint32_t s = 0; s < n->ncstates; s++) {
			fputs("vmtriage_host_cstate_residency_seconds_total{state=", f);
			prom_label(f, w->names.name[s]);
			fprintf(f, "} %.6f\n", (double)n->cstate_us[s] / 1e6);
		}
	}
	fclose(f);
	return buf;
}

/* ---- the command ---- */

static void write_start(struct watch *w, int64_t sync_ns)
{
	struct hrec_start s = { .interval_ns = w->interval_ns, .sync_ns = sync_ns, .pid = (uint32_t)getpid() };
	struct utsname u;
	char path[600];

	s.ncpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", w->root);
	read_line(path, s.boot_id, sizeof(s.boot_id));
	if (uname(&u) == 0)
		snprintf(s.release, sizeof(s.release), "%.63s", u.release);
	snprintf(s.version, sizeof(s.version), "triage host --watch");
	ring_append(&w->ring, HREC_START, RING_F_START, &s, sizeof(s));
	if (w->names.n)
		ring_append(&w->ring, HREC_CSTATES, 0, &w->names, sizeof(w->names));
}

int host_watch(int argc, char **argv)
{
	struct optv v[W_N + 1] = { 0 };
	struct watch *w = xcalloc(1, sizeof(*w));
	char err[300], why[300], prom[700];
	const char *dir, *textfile;
	int64_t sync_ns, duration, t0, next, prom_every, prom_next = 0;
	struct utsname u = { 0 };
	int pos = opt_parse(host_watch_opts, v, argc, argv, err, sizeof(err));
	bool quiet;
	long long ticks = 0;

	if (pos < 0 || pos < argc) {
		fprintf(stderr, "triage host --watch: %s\n", pos < 0 ? err : "unexpected argument");
		free(w);
		return EXIT_ERROR;
	}
	if (v[W_HELP].set) {
		printf("%s\n\n", usage);
		opt_help(stdout, host_watch_opts);
		free(w);
		return EXIT_PASS;
	}
	dir = v[W_DIR].set ? v[W_DIR].str : "/var/lib/vmtriage/host";
	w->run_dir = v[W_RUN_DIR].set ? v[W_RUN_DIR].str : "/var/run/qemu-server";
	w->root = v[W_ROOT].set ? v[W_ROOT].str : "";
	w->interval_ns = v[W_INTERVAL].set ? v[W_INTERVAL].num : 1000000000LL;
	duration = v[W_DURATION].set ? v[W_DURATION].num : 0;
	sync_ns = v[W_SYNC].set ? v[W_SYNC].num : RING_DEFAULT_SYNC_NS;
	textfile = v[W_TEXTFILE].set ? v[W_TEXTFILE].str : NULL;
	prom_every = v[W_TEXTFILE_EVERY].set ? v[W_TEXTFILE_EVERY].num : TEXTFILE_EVERY_NS;
	quiet = v[W_QUIET].set;
	if (uname(&u) == 0)
		u.nodename[strcspn(u.nodename, ".")] = 0;
	snprintf(w->node_name, sizeof(w->node_name), "%.63s", u.nodename[0] ? u.nodename : "localhost");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		/* /var/lib/vmtriage may be missing too */
		char parent[600];

		snprintf(parent, sizeof(parent), "%s", dir);
		if (strrchr(parent, '/'))
			*strrchr(parent, '/') = 0;
		mkdir(parent, 0755);
	}
	if (ring_open(&w->ring, dir, "watch.ring", "host", v[W_SIZE].set ? (size_t)v[W_SIZE].num : 0, why,
		      sizeof(why)) < 0) {
		fprintf(stderr, "triage host --watch: %s\n", why);
		free(w);
		return EXIT_ERROR;
	}
	w->ring.sync_every_ns = sync_ns;
	open_node(w);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	write_start(w, sync_ns);
	if (!quiet)
		fprintf(stderr, "# triage host --watch: %s/watch.ring every %.3g s%s%s\n", dir,
			(double)w->interval_ns / 1e9, textfile ? ", textfile in " : "", textfile ? textfile : "");
	t0 = next = now_ns();
	while (!stop) {
		scan_vms(w);
		read_node(w);
		ring_append(&w->ring, HREC_NODE, 0, &w->node, sizeof(w->node));
		for (int i = 0; i < w->nvms; i++) {
			read_vm(w, &w->vm[i]);
			if (w->vm[i].have_before)
				account(w, &w->vm[i]);
			write_vm(w, &w->vm[i]);
		}
		ticks++;
		next += w->interval_ns;
		if (textfile && (now_ns() >= prom_next || stop || (duration && next - t0 > duration))) {
			size_t len;
			char *text = host_watch_prom(w, &len);

			snprintf(prom, sizeof(prom), "%s/%s", textfile, PROM_NAME);
			/* a textfile need not survive a power cut: no fsync */
			if (file_replace(prom, text, len, false, NULL, err, sizeof(err)) < 0)
				warn_msg("%s", err);
			free(text);
			prom_next = now_ns() + prom_every;
		}
		if (duration && next - t0 > duration)
			break;
		/* an absolute deadline: the interval does not drift with the work */
		for (int64_t left; !stop && (left = next - now_ns()) > 0;)
			nanosleep(&(struct timespec){ left / 1000000000, left % 1000000000 }, NULL);
		ring_tick(&w->ring);
		if (now_ns() > next + w->interval_ns) /* fell behind (suspended, stopped): no burst to catch up */
			next = now_ns();
	}
	ring_append(&w->ring, HREC_STOP, RING_F_EVENT, "", 0); /* not NULL: ring_append memcpys it */
	ring_sync(&w->ring);
	ring_close(&w->ring);
	for (int i = 0; i < w->nvms; i++)
		vm_free(&w->vm[i]);
	if (!quiet)
		fprintf(stderr, "# triage host --watch: %lld ticks, %.3f s of CPU\n", ticks, (double)self_cpu_ns() / 1e9);
	free(w);
	return EXIT_PASS;
}
