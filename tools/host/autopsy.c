/* triage host --autopsy VMID: reads a hung VM's QEMU twice, a gap apart,
 * and says which of paused, QEMU unresponsive, I/O stuck, vCPUs starved,
 * guest spinning or guest idle it is. Only reads: QMP queries, HMP `info
 * registers` (QEMU prints the vCPUs' registers, nothing else happens),
 * /proc. The QMP socket is held only while asking, never across the gap,
 * so PVE's own clients (pvestatd, the GUI) wait a moment at most. */
#include "host/autopsy.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/modes.h"
#include "host/qmp.h"
#include "lib/check.h"
#include "lib/task.h"
#include "lib/util.h"

static const char usage[] =
	"What to capture from a hung VM before it is killed: QEMU's status, its disks'\n"
	"I/O (twice, a gap apart: is it moving? requests in flight?), the balloon, the\n"
	"vCPU and I/O threads' states, kernel stacks and run delay, the guest's RIP; then\n"
	"one verdict: paused, QEMU unresponsive, I/O stuck, vCPUs starved, guest\n"
	"spinning or guest idle. Never changes the VM: QMP queries only.";

enum {
	O_AUTOPSY = CHECK_COMMON_COUNT,
	O_RUN_DIR,
	O_ROOT,
	O_GAP,
	O_TIMEOUT,
	O_SAVE,
	O_COUNT,
};

const struct opt autopsy_opts[] = {
	CHECK_COMMON_OPTS,
	{ "autopsy", 0, OPT_INT, "VMID", "the VM to examine", 1, 999999999 },
	{ "run-dir", 0, OPT_STR, "DIR", "PVE's VMID.pid and VMID.qmp (default /var/run/qemu-server)", 0, 0 },
	{ "root", 0, OPT_STR, "DIR", "read /proc below DIR (default /; for tests)", 0, 0 },
	{ "gap", 0, OPT_DURATION, "TIME", "between the two readings (default 3s)", 100000000LL, 60000000000LL },
	{ "timeout", 0, OPT_DURATION, "TIME", "for QEMU's answers on QMP (default 5s)", 100000000LL, 120000000000LL },
	{ "save", 0, OPT_STR, "DIR", "without -o: where the report is kept (default /var/lib/vmtriage/autopsy)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

#define DEFAULT_GAP_NS 3000000000LL
#define DEFAULT_TIMEOUT_NS 5000000000LL
/* A stack this deep says where a thread waits; the rest is the syscall
 * entry. */
#define STACK_FRAMES 12
/* A balloon that holds more than half the VM's memory takes enough for a
 * guest to stall or OOM under load (mem check's balloon findings). */
#define BALLOON_LOW_PCT 50
/* Between the two readings of the registers: long enough for a guest
 * that is not in a tight loop to have moved on. */
#define REGS_GAP_NS 100000000L

struct autopsy {
	int vmid, pid;
	const char *root, *run_dir;
	char cmdline[1024], qmp_path[600], qmp_error[300], version[32];
	int nvcpus;
	int vcpu_tid[AUT_VCPUS_MAX];
	struct aut_sample *s[2];
	char *stack[AUT_THREADS_MAX], wchan[AUT_THREADS_MAX][48];
	struct jval *block;	/* query-block's return, for the I/O limits */
	int64_t balloon_actual, base_memory; /* bytes, -1 not known */
	char balloon_note[160];
	int virtio_devices;
	bool virtio_known;	/* x-query-virtio answered */
};

/* ---- /proc ---- */

static void read_threads(struct autopsy *a, struct aut_sample *s)
{
	int tids[AUT_THREADS_MAX], n = task_list(a->root, a->pid, tids, AUT_THREADS_MAX);

	s->nthreads = 0;
	s->t_ns = now_ns();
	for (int i = 0; i < n; i++) {
		struct aut_thread *t = &s->th[s->nthreads];
		struct task_stat st;
		struct schedstat ss;

		if (task_read(a->root, a->pid, tids[i], &st, &ss, &t->has_sched) < 0)
			continue; /* gone meanwhile */
		t->tid = st.tid;
		snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
		t->state = st.state;
		t->cpu_ticks = sat_add_i64(st.utime, st.stime);
		t->run_ns = ss.run_ns;
		t->delay_ns = ss.delay_ns;
		s->nthreads++;
	}
}

/* The kernel stack (root only; "[<0>] func+0x1/0x2" lines) without the
 * address column, at most STACK_FRAMES frames; NULL when not readable. */
static char *read_stack(const struct autopsy *a, int tid)
{
	char path[300], *text, *out, *o;
	int frames = 0;

	snprintf(path, sizeof(path), "%s/proc/%d/task/%d/stack", a->root, a->pid, tid);
	if (!(text = read_file(path, 16384, NULL)))
		return NULL;
	o = out = xcalloc(1, strlen(text) + 1);
	for (char *line = strtok(text, "\n"); line && frames < STACK_FRAMES; line = strtok(NULL, "\n")) {
		char *sym = strstr(line, "] ");

		sym = sym ? sym + 2 : line;
		o += sprintf(o, "%s%s", frames ? "\n" : "", sym);
		frames++;
	}
	free(text);
	return out;
}

/* ---- QMP ---- */

/* A whole number from QEMU's JSON, def when absent or beyond [0, 2^62]:
 * no cast of an out-of-range double. */
static int64_t qnum(const struct jval *o, const char *key, int64_t def)
{
	double v = json_num(o, key, -1);

	return v >= 0 && v <= 4611686018427387904.0 ? (int64_t)v : def;
}

static void read_virtio(struct autopsy *a, struct qmp *q, struct aut_sample *s)
{
	struct jval *rep = NULL, *r2 = NULL, *r3 = NULL;
	char err[300], args[400];
	const struct jval *devs = qmp_call(q, "x-query-virtio", NULL, &rep, err, sizeof(err));

	a->virtio_known = devs != NULL;
	a->virtio_devices = (int)json_len(devs);
	for (size_t i = 0; i < json_len(devs); i++) {
		const char *path = json_str(json_at(devs, i), "path", "");
		const struct jval *st;
		int inuse = 0, nq;

		snprintf(args, sizeof(args), "{\"path\":\"%.300s\"}", path);
		if (strchr(path, '"') || strchr(path, '\\') || !(st = qmp_call(q, "x-query-virtio-status", args, &r2, err,
									       sizeof(err)))) {
			json_free(r2);
			continue;
		}
		nq = (int)(qnum(st, "num-vqs", 0) < 1024 ? qnum(st, "num-vqs", 0) : 1024);
		for (int k = 0; k < nq && k < 1024; k++) {
			const struct jval *qs;

			snprintf(args, sizeof(args), "{\"path\":\"%.300s\",\"queue\":%d}", path, k);
			if ((qs = qmp_call(q, "x-query-virtio-queue-status", args, &r3, err, sizeof(err))))
				inuse += (int)(qnum(qs, "inuse", 0) < 65536 ? qnum(qs, "inuse", 0) : 65536);
			json_free(r3);
		}
		json_free(r2);
		/* blockstats' qdev is the device's QOM path, the path here */
		for (int d = 0; d < s->ndisks; d++)
			if (!strcmp(s->disk[d].qdev, path))
				s->disk[d].inflight = inuse;
	}
	json_free(rep);
}

/* One conversation: status, blockstats, virtio queues, registers; the
 * first also the vCPU threads, the I/O limits and the balloon. */
static void read_qmp(struct autopsy *a, struct aut_sample *s, bool first, int64_t timeout)
{
	struct qmp q;
	struct jval *rep = NULL;
	const struct jval *v;
	char err[300];

	s->qmp = false;
	if (qmp_open(&q, a->qmp_path, timeout, err, sizeof(err)) < 0) {
		snprintf(a->qmp_error, sizeof(a->qmp_error), "%s", err);
		return;
	}
	s->qmp = true;
	snprintf(a->version, sizeof(a->version), "%s", q.version);
	if ((v = qmp_call(&q, "query-status", NULL, &rep, err, sizeof(err))))
		snprintf(s->status, sizeof(s->status), "%s", json_str(v, "status", ""));
	json_free(rep);
	if (first) {
		if ((v = qmp_call(&q, "query-cpus-fast", NULL, &rep, err, sizeof(err))))
			for (size_t i = 0; i < json_len(v); i++) {
				const struct jval *c = json_at(v, i);
				double idx = json_num(c, "cpu-index", -1), tid = json_num(c, "thread-id", 0);

				if (idx >= 0 && idx < AUT_VCPUS_MAX && tid > 0 && tid < 1e9) {
					a->vcpu_tid[(int)idx] = (int)tid;
					if ((int)idx + 1 > a->nvcpus)
						a->nvcpus = (int)idx + 1;
				}
			}
		json_free(rep);
		if ((v = qmp_call(&q, "query-block", NULL, &rep, err, sizeof(err)))) {
			char *t = json_to_string(v, 0, NULL);

			a->block = json_parse(t, strlen(t), err, sizeof(err));
			free(t);
		}
		json_free(rep);
		if ((v = qmp_call(&q, "query-balloon", NULL, &rep, err, sizeof(err))))
			a->balloon_actual = qnum(v, "actual", -1);
		else
			snprintf(a->balloon_note, sizeof(a->balloon_note), "%.150s", err);
		json_free(rep);
		if ((v = qmp_call(&q, "query-memory-size-summary", NULL, &rep, err, sizeof(err))))
			a->base_memory = qnum(v, "base-memory", -1);
		json_free(rep);
	}
	if ((v = qmp_call(&q, "query-blockstats", NULL, &rep, err, sizeof(err))))
		s->ndisks = aut_parse_blockstats(v, s->disk, AUT_DISKS_MAX);
	json_free(rep);
	read_virtio(a, &q, s);
	qmp_close(&q);
}

/* The vCPUs' registers twice, REGS_GAP_NS apart: the same RIP both times
 * is a tight loop. QEMU reads them on each vCPU's own thread (run_on_cpu)
 * and its main loop waits for that, so this is asked only when no vCPU
 * is starved: one that does not run would hold the main loop up. */
static void read_regs(struct autopsy *a, int64_t timeout)
{
	static const char args[] = "{\"command-line\":\"info registers -a\"}";
	struct qmp q;
	struct jval *rep = NULL;
	const struct jval *v;
	char err[300];

	if (qmp_open(&q, a->qmp_path, timeout, err, sizeof(err)) < 0)
		return;
	for (int i = 0; i < 2; i++) {
		struct aut_sample *s = a->s[i];

		if (i)
			nanosleep(&(struct timespec){ 0, REGS_GAP_NS }, NULL);
		if ((v = qmp_call(&q, "human-monitor-command", args, &rep, err, sizeof(err))))
			s->nregs = aut_parse_regs(json_as_str(v, ""), s->regs, AUT_VCPUS_MAX);
		json_free(rep);
	}
	qmp_close(&q);
}

/* A vCPU thread in D is held in the kernel (KVM waiting on a page that
 * does not come): run_on_cpu would wait for it as long, with QEMU's main
 * loop. */
static bool vcpu_in_d(const struct aut_sample *s, const struct aut_rate *rates)
{
	for (int i = 0; i < s->nthreads; i++)
		if (rates[i].role == AUT_VCPU && s->th[i].state == 'D')
			return true;
	return false;
}

/* ---- the report ---- */

static const char *role_name(enum aut_role r)
{
	static const char *const n[] = { "vcpu", "iothread", "worker", "io_uring", "main", "other" };

	return r <= AUT_OTHER ? n[r] : "other";
}

static void num_or_null(struct jw *w, const char *key, double v, bool known)
{
	known ? jw_num(w, key, v) : jw_null(w, key);
}

/* A share or a time to a stated number of decimals: what the figure is
 * good for, and what report.html's ten significant digits show whole. */
static void rounded(struct jw *w, const char *key, double v, bool known, double per_unit)
{
	num_or_null(w, key, round(v * per_unit) / per_unit, known);
}

static const struct aut_thread *prior(const struct aut_sample *s, int tid)
{
	for (int i = 0; i < s->nthreads; i++)
		if (s->th[i].tid == tid)
			return &s->th[i];
	return NULL;
}

static void write_regs(struct jw *w, const char *key, const struct aut_regs *g)
{
	if (!g->known) {
		jw_null(w, key);
		return;
	}
	jw_obj(w, key);
	jw_strf(w, "ip", "0x%016" PRIx64, g->ip);
	jw_str(w, "register", g->long_mode ? "RIP" : "EIP");
	jw_strf(w, "cs", "0x%04x", g->cs);
	jw_strf(w, "cs_base", "0x%016" PRIx64, g->cs_base);
	g->hlt >= 0 ? jw_bool(w, "halted", g->hlt) : jw_null(w, "halted");
	jw_obj_end(w);
}

/* The I/O limits of a drive (query-block's inserted), as "bps_wr 512" pairs. */
static void limits(const struct autopsy *a, const char *device, const char *qdev, char *buf, size_t size)
{
	static const char *const keys[] = { "bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr" };

	buf[0] = 0;
	for (size_t i = 0; i < json_len(a->block); i++) {
		const struct jval *b = json_at(a->block, i), *ins = json_obj(b, "inserted");

		bool by_device = device[0] && !strcmp(json_str(b, "device", ""), device);
		bool by_qdev = qdev[0] && !strcmp(json_str(b, "qdev", ""), qdev);

		if (!ins || !(by_device || by_qdev))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			if (json_num(ins, keys[k], 0) > 0)
				str_append(buf, size, ", ", "%s %.0f", keys[k], json_num(ins, keys[k], 0));
	}
}

static void write_disks(struct jw *d, const struct autopsy *a, int *throttled_stuck, char *tdisk, size_t tsize,
			char *tlim, size_t lsize)
{
	const struct aut_sample *s0 = a->s[0], *s1 = a->s[1];
	double gap = (double)(s1->t_ns - s0->t_ns) / 1e9;
	char lim[200];

	jw_arr(d, "disks");
	for (int i = 0; i < s1->ndisks; i++) {
		const struct aut_disk *k = &s1->disk[i], *o = NULL;

		for (int j = 0; j < s0->ndisks; j++)
			if (!strcmp(s0->disk[j].device, k->device) && !strcmp(s0->disk[j].qdev, k->qdev) &&
			    !strcmp(s0->disk[j].node, k->node))
				o = &s0->disk[j];
		limits(a, k->device, k->qdev, lim, sizeof(lim));
		jw_obj(d, NULL);
		jw_str(d, "device", k->device);
		jw_str(d, "qdev", k->qdev);
		jw_str(d, "node", k->node);
		jw_int(d, "operations", k->ops);
		o ? jw_int(d, "completed_in_gap", sat_sub_i64(k->ops, o->ops)) : jw_null(d, "completed_in_gap");
		rounded(d, "bytes_per_s", o ? (double)sat_sub_i64(k->bytes, o->bytes) / gap : 0, o != NULL, 1);
		jw_int(d, "failed_operations", k->failed);
		rounded(d, "idle_s", (double)k->idle_ns / 1e9, k->idle_ns >= 0, 1e3);
		num_or_null(d, "in_flight", k->inflight, k->inflight >= 0);
		num_or_null(d, "in_flight_before", o ? o->inflight : -1, o && o->inflight >= 0);
		lim[0] ? jw_str(d, "io_limits", lim) : jw_null(d, "io_limits");
		jw_obj_end(d);
		if (lim[0] && o && k->inflight > 0 && o->inflight > 0 && k->ops == o->ops) {
			(*throttled_stuck)++;
			snprintf(tdisk, tsize, "%s", k->device[0] ? k->device : k->qdev);
			snprintf(tlim, lsize, "%s", lim);
		}
	}
	jw_arr_end(d);
}

static void write_threads(struct jw *d, const struct autopsy *a, const struct aut_rate *rates)
{
	const struct aut_sample *s0 = a->s[0], *s1 = a->s[1];

	jw_arr(d, "threads");
	for (int i = 0; i < s1->nthreads; i++) {
		const struct aut_thread *t = &s1->th[i], *o = prior(s0, t->tid);
		const struct aut_rate *r = &rates[i];

		jw_obj(d, NULL);
		jw_int(d, "tid", t->tid);
		jw_str(d, "name", t->comm);
		jw_str(d, "role", role_name(r->role));
		r->vcpu >= 0 ? jw_int(d, "vcpu", r->vcpu) : jw_null(d, "vcpu");
		o ? jw_strf(d, "state_before", "%c", o->state) : jw_null(d, "state_before");
		jw_strf(d, "state", "%c", t->state);
		rounded(d, "run_share", r->run_share, r->run_share >= 0, 1e4);
		rounded(d, "delay_share", r->delay_share, r->delay_share >= 0, 1e4);
		rounded(d, "run_delay_s", (double)t->delay_ns / 1e9, t->has_sched, 1e6);
		a->wchan[i][0] ? jw_str(d, "wchan", a->wchan[i]) : jw_null(d, "wchan");
		jw_str(d, "stack", a->stack[i]);
		jw_obj_end(d);
	}
	jw_arr_end(d);
}

static const char *paused_advice(const char *status, bool stopped)
{
	if (stopped)
		return "Something stopped the QEMU process (SIGSTOP, a debugger): kill -CONT the PID below, or find "
		       "who stopped it.";
	if (!strcmp(status, "io-error"))
		return "A disk's storage returned an error (often: it is full) and the disk's werror policy paused "
		       "the VM: free space or repair the storage, then `qm resume VMID`.";
	if (!strcmp(status, "guest-panicked"))
		return "The guest kernel panicked (pvpanic): read its log (the serial console, or vmtriage's "
		       "post-mortem after a reset), then `qm reset VMID`.";
	if (!strcmp(status, "internal-error"))
		return "KVM stopped the VM on an internal error: the host's kernel log (dmesg) says which; `qm reset "
		       "VMID`.";
	if (!strcmp(status, "suspended"))
		return "The guest suspended itself (ACPI S3): wake it from the console, or `qm resume VMID`.";
	return "Something paused it (`qm suspend`, a snapshot or backup that froze it, a migration): `qm status "
	       "VMID --verbose` says which; `qm resume VMID` if that is over.";
}

static void verdict_finding(struct check *c, const struct autopsy *a, const struct aut_judgement *j)
{
	static const struct {
		const char *id;
		enum severity sev;
		const char *advice;
	} v[AUT_NVERDICTS] = {
		[AUT_PAUSED] = { "autopsy.paused", SEV_WARN, NULL },
		[AUT_UNRESPONSIVE] = { "autopsy.qemu-unresponsive", SEV_FAIL,
				       "QEMU's main loop is stuck: the threads' kernel stacks below show where. Look "
				       "at the host's kernel log (dmesg: hung tasks, storage errors) before `qm stop "
				       "VMID --skiplock`." },
		[AUT_IO_STUCK] = { "autopsy.io-stuck", SEV_FAIL,
				   "The VM's disk requests do not complete: check the storage under it (`pvesm status`, "
				   "the host's dmesg for I/O errors and hung tasks, NFS, iSCSI or Ceph health). A disk "
				   "with I/O limits (Hardware -> Hard Disk -> Bandwidth) is held back by QEMU itself." },
		[AUT_STARVED] = { "autopsy.vcpu-starved", SEV_FAIL,
				  "The host does not give the VM's vCPUs CPU time: it is overcommitted (more busy vCPUs "
				  "and host processes than cores), or the VM's CPU limit, units or affinity squeeze it. "
				  "`top -H -p PID` on the host; fewer vCPUs elsewhere, or Options -> CPU limit." },
		[AUT_SPINNING] = { "autopsy.guest-spinning", SEV_WARN,
				   "The guest is busy: a kernel lockup or a busy loop inside it (RIP below; the same RIP "
				   "twice is a tight loop). Its console (noVNC, `qm terminal VMID`) or vmtriage's "
				   "post-mortem after a reset says which." },
		[AUT_IDLE] = { "autopsy.guest-idle", SEV_INFO,
			       "The host is not holding the VM back: its vCPUs are idle and its I/O completes. The guest "
			       "waits for something (network, a lock, a service): look inside it (console, `qm guest "
			       "cmd VMID`), or boot vmtriage's post-mortem after a reset." },
	};
	const char *adv = j->verdict == AUT_PAUSED
				  ? paused_advice(a->s[1]->status, j->stopped_threads && j->stopped_threads ==
									      a->s[1]->nthreads)
				  : v[j->verdict].advice;
	char *advice = xstrdup(adv), *p;
	struct finding *f;

	/* the VMID in the commands */
	while ((p = strstr(advice, "VMID"))) {
		char *n = xasprintf("%.*s%d%s", (int)(p - advice), advice, a->vmid, p + 4);

		free(advice);
		advice = n;
	}
	f = check_finding(c, v[j->verdict].id, v[j->verdict].sev, advice, "VM %d: %s", a->vmid, j->why);
	free(advice);
	jw_int(&f->ev, "vmid", a->vmid);
	jw_int(&f->ev, "pid", a->pid);
	jw_str(&f->ev, "verdict", aut_verdict_name(j->verdict));
	a->s[1]->status[0] ? jw_str(&f->ev, "status", a->s[1]->status) : jw_null(&f->ev, "status");
	if (j->verdict == AUT_SPINNING || j->verdict == AUT_IDLE) {
		jw_arr(&f->ev, "rip");
		for (int i = 0; i < a->s[1]->nregs; i++)
			a->s[1]->regs[i].known ? jw_strf(&f->ev, NULL, "0x%016" PRIx64, a->s[1]->regs[i].ip)
					       : jw_null(&f->ev, NULL);
		jw_arr_end(&f->ev);
	}
}

static void findings(struct check *c, struct autopsy *a, const struct aut_judgement *j, const struct aut_rate *rates,
		     int throttled, const char *tdisk, const char *tlim)
{
	const struct aut_sample *s1 = a->s[1];
	struct finding *f;

	verdict_finding(c, a, j);
	if (throttled) {
		f = check_finding(c, "autopsy.io-throttled", SEV_WARN,
				  "Hardware -> Hard Disk -> Bandwidth (or `qm set` with mbps_wr=, iops_wr= ... on the disk): "
				  "raise or remove the limit.",
				  "VM %d: disk %s has I/O limits (%s) and its requests wait in QEMU", a->vmid, tdisk, tlim);
		jw_str(&f->ev, "disk", tdisk);
		jw_str(&f->ev, "limits", tlim);
	}
	if (j->d_threads && j->verdict != AUT_IO_STUCK) {
		f = check_finding(c, "autopsy.threads-in-d", SEV_WARN,
				  "The threads wait in the kernel (their stacks below): the host's dmesg for hung tasks "
				  "and storage errors.", "VM %d: %d QEMU thread%s stayed in D state (uninterruptible, "
				  "in the kernel) through the gap", a->vmid, j->d_threads, j->d_threads == 1 ? "" : "s");
		jw_arr(&f->ev, "threads");
		for (int i = 0; i < s1->nthreads; i++)
			if (s1->th[i].state == 'D')
				jw_strf(&f->ev, NULL, "%d %s (%s)", s1->th[i].tid, s1->th[i].comm, role_name(rates[i].role));
		jw_arr_end(&f->ev);
	}
	if (a->balloon_actual > 0 && a->base_memory > 0 && a->balloon_actual * 100 < a->base_memory * BALLOON_LOW_PCT) {
		f = check_finding(c, "autopsy.balloon-low", SEV_WARN,
				  "Hardware -> Memory: set the minimum memory to the memory, or turn ballooning off, so "
				  "PVE's automatic ballooning cannot take this much.",
				  "VM %d: the balloon leaves the guest %" PRId64 " of %" PRId64 " MiB", a->vmid,
				  a->balloon_actual >> 20, a->base_memory >> 20);
		jw_int(&f->ev, "actual_mib", a->balloon_actual >> 20);
		jw_int(&f->ev, "memory_mib", a->base_memory >> 20);
	}
}

static void write_report(struct check *c, struct autopsy *a, const struct aut_judgement *j,
			 const struct aut_rate *rates)
{
	struct jw *m = check_metrics(c), *d = check_data(c);
	const struct aut_sample *s0 = a->s[0], *s1 = a->s[1];
	int throttled = 0;
	char tdisk[160] = "", tlim[200] = "";

	jw_int(m, "vmid", a->vmid);
	jw_int(m, "pid", a->pid);
	jw_str(m, "verdict", aut_verdict_name(j->verdict));
	jw_bool(m, "qmp_answered", s0->qmp && s1->qmp);
	s1->status[0] ? jw_str(m, "status", s1->status) : jw_null(m, "status");
	jw_int(m, "vcpus", j->vcpus);
	rounded(m, "vcpu_run_share_max", j->run_share_max, j->run_share_max >= 0, 1e4);
	rounded(m, "vcpu_delay_share_max", j->delay_share_max, j->delay_share_max >= 0, 1e4);
	num_or_null(m, "in_flight", j->inflight, j->inflight >= 0);
	num_or_null(m, "io_completed_in_gap", (double)j->ops_completed, j->ops_completed >= 0);
	jw_int(m, "threads_in_d", j->d_threads);
	rounded(m, "gap_s", (double)(s1->t_ns - s0->t_ns) / 1e9, true, 1e6);
	num_or_null(m, "balloon_actual_mib", (double)(a->balloon_actual >> 20), a->balloon_actual > 0);

	jw_obj(d, "verdict");
	jw_str(d, "name", aut_verdict_name(j->verdict));
	jw_str(d, "why", j->why);
	jw_obj_end(d);
	jw_obj(d, "qemu");
	jw_int(d, "pid", a->pid);
	jw_str(d, "cmdline", a->cmdline);
	a->version[0] ? jw_str(d, "version", a->version) : jw_null(d, "version");
	jw_obj_end(d);
	jw_obj(d, "qmp");
	jw_str(d, "socket", a->qmp_path);
	jw_bool(d, "answered_before", s0->qmp);
	jw_bool(d, "answered_after", s1->qmp);
	a->qmp_error[0] ? jw_str(d, "error", a->qmp_error) : jw_null(d, "error");
	s0->status[0] ? jw_str(d, "status_before", s0->status) : jw_null(d, "status_before");
	jw_bool(d, "virtio_queues_known", a->virtio_known);
	jw_obj_end(d);
	jw_obj(d, "balloon");
	num_or_null(d, "actual_mib", (double)(a->balloon_actual >> 20), a->balloon_actual > 0);
	num_or_null(d, "memory_mib", (double)(a->base_memory >> 20), a->base_memory > 0);
	a->balloon_note[0] ? jw_str(d, "note", a->balloon_note) : jw_null(d, "note");
	jw_obj_end(d);
	jw_arr(d, "vcpus");
	for (int i = 0; i < a->nvcpus || i < s1->nregs; i++) {
		jw_obj(d, NULL);
		jw_int(d, "index", i);
		i < a->nvcpus && a->vcpu_tid[i] ? jw_int(d, "tid", a->vcpu_tid[i]) : jw_null(d, "tid");
		write_regs(d, "regs_before", i < s0->nregs ? &s0->regs[i] : &(struct aut_regs){ 0 });
		write_regs(d, "regs", i < s1->nregs ? &s1->regs[i] : &(struct aut_regs){ 0 });
		jw_obj_end(d);
	}
	jw_arr_end(d);
	write_disks(d, a, &throttled, tdisk, sizeof(tdisk), tlim, sizeof(tlim));
	write_threads(d, a, rates);
	findings(c, a, j, rates, throttled, tdisk, tlim);
}

static int read_pid(const struct autopsy *a, char *err, size_t errlen)
{
	char path[600], line[64];
	long long pid;

	snprintf(path, sizeof(path), "%s/%d.pid", a->run_dir, a->vmid);
	if (read_line(path, line, sizeof(line)) < 0) {
		snprintf(err, errlen, "%s: %s: is VM %d running on this node?", path, strerror(errno), a->vmid);
		return -1;
	}
	if (parse_ll(trim(line), &pid) < 0 || pid <= 1 || pid > 1 << 30) {
		snprintf(err, errlen, "%s: '%.20s' is not a process id", path, line);
		return -1;
	}
	return (int)pid;
}

static void read_cmdline(struct autopsy *a)
{
	char path[300];
	size_t len;
	char *t;

	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", a->root, a->pid);
	a->cmdline[0] = 0;
	if (!(t = read_file(path, 1 << 16, &len)))
		return;
	for (size_t i = 0; i + 1 < len; i++)
		if (!t[i])
			t[i] = ' ';
	snprintf(a->cmdline, sizeof(a->cmdline), "%s", t);
	free(t);
}

int host_autopsy(int argc, char **argv)
{
	struct optv vals[O_COUNT + 1] = { 0 };
	struct autopsy a = { .balloon_actual = -1, .base_memory = -1 };
	struct check c;
	int rc = check_begin(&c, "autopsy", usage, autopsy_opts, vals, argc, argv);
	int64_t gap, timeout;
	struct aut_judgement j;
	struct aut_rate *rates;
	char err[700], path[300], saved[700];

	if (rc >= 0)
		return rc;
	a.vmid = (int)vals[O_AUTOPSY].num;
	a.run_dir = vals[O_RUN_DIR].set ? vals[O_RUN_DIR].str : "/var/run/qemu-server";
	a.root = vals[O_ROOT].set ? vals[O_ROOT].str : "";
	gap = vals[O_GAP].set ? vals[O_GAP].num : DEFAULT_GAP_NS;
	timeout = vals[O_TIMEOUT].set ? vals[O_TIMEOUT].num : DEFAULT_TIMEOUT_NS;
	if ((a.pid = read_pid(&a, err, sizeof(err))) < 0)
		return check_end(&c, ST_ERROR, err);
	snprintf(path, sizeof(path), "%s/proc/%d/task", a.root, a.pid);
	if (access(path, R_OK) < 0) {
		snprintf(err, sizeof(err), "VM %d: its QEMU (pid %d) is not running: %s", a.vmid, a.pid, strerror(errno));
		return check_end(&c, ST_ERROR, err);
	}
	read_cmdline(&a);
	snprintf(a.qmp_path, sizeof(a.qmp_path), "%s/%d.qmp", a.run_dir, a.vmid);
	a.s[0] = xcalloc(1, sizeof(*a.s[0]));
	a.s[1] = xcalloc(1, sizeof(*a.s[1]));

	check_progress(&c, 0.1, "VM %d, QEMU pid %d: first reading", a.vmid, a.pid);
	read_threads(&a, a.s[0]);
	read_qmp(&a, a.s[0], true, timeout);
	check_ok(&c, a.s[0]->qmp, "QMP %s: %s", a.qmp_path, a.s[0]->qmp ? a.s[0]->status : a.qmp_error);
	{
		/* the gap counts from the first reading of the threads */
		int64_t left = a.s[0]->t_ns + gap - now_ns();

		if (left > 0)
			nanosleep(&(struct timespec){ left / 1000000000, left % 1000000000 }, NULL);
	}
	check_progress(&c, 0.6, "second reading");
	read_threads(&a, a.s[1]);
	for (int i = 0; i < a.s[1]->nthreads; i++) {
		snprintf(path, sizeof(path), "%s/proc/%d/task/%d/wchan", a.root, a.pid, a.s[1]->th[i].tid);
		if (read_line(path, a.wchan[i], sizeof(a.wchan[i])) < 0 || !strcmp(a.wchan[i], "0"))
			a.wchan[i][0] = 0;
		a.stack[i] = read_stack(&a, a.s[1]->th[i].tid);
	}
	read_qmp(&a, a.s[1], false, timeout);
	check_ok(&c, a.s[1]->qmp, "QMP again: %s", a.s[1]->qmp ? a.s[1]->status : a.qmp_error);

	rates = xcalloc(AUT_THREADS_MAX, sizeof(*rates));
	aut_rates(a.s[0], a.s[1], a.pid, a.vcpu_tid, a.nvcpus, rates);
	aut_judge(a.s[0], a.s[1], rates, &j);
	if (a.s[1]->qmp && !j.vcpus_starved && !vcpu_in_d(a.s[1], rates)) {
		read_regs(&a, timeout);
		aut_judge(a.s[0], a.s[1], rates, &j); /* with the RIP */
	}
	check_ok(&c, true, "verdict: %s: %s", aut_verdict_name(j.verdict), j.why);
	write_report(&c, &a, &j, rates);
	for (int i = 0; i < AUT_THREADS_MAX; i++)
		free(a.stack[i]);
	free(rates);
	json_free(a.block);
	free(a.s[0]);
	free(a.s[1]);
	/* the evidence outlives the VM: without -o it is kept, and said where */
	if (!c.out_path) {
		const char *dir = vals[O_SAVE].set ? vals[O_SAVE].str : "/var/lib/vmtriage/autopsy";
		char stamp[32];

		utc_stamp(stamp, sizeof(stamp), true);
		snprintf(saved, sizeof(saved), "%s/%d-%s.json", dir, a.vmid, stamp);
		if (mkdir(dir, 0755) < 0 && errno == ENOENT) { /* /var/lib/vmtriage may be missing too */
			char parent[600];

			snprintf(parent, sizeof(parent), "%s", dir);
			if (strrchr(parent, '/'))
				*strrchr(parent, '/') = 0;
			mkdir(parent, 0755);
			mkdir(dir, 0755);
		}
		c.out_path = saved;
		fprintf(stderr, "triage host --autopsy: the report is %s (triage report %s: report.txt)\n", saved, saved);
	}
	return check_end(&c, -1, NULL);
}
