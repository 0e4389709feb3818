/* The autopsy's parsers and its judge: pure functions over two samples
 * (see host/autopsy.h). */
#include "host/autopsy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static const char *const verdict_names[AUT_NVERDICTS] = {
	[AUT_PAUSED] = "paused",	 [AUT_UNRESPONSIVE] = "qemu-unresponsive", [AUT_IO_STUCK] = "io-stuck",
	[AUT_STARVED] = "vcpu-starved", [AUT_SPINNING] = "guest-spinning",	   [AUT_IDLE] = "guest-idle",
};

const char *aut_verdict_name(enum aut_verdict v) { return v < AUT_NVERDICTS ? verdict_names[v] : "?"; }

enum aut_role aut_role(const struct aut_thread *t, int pid, const int *vcpu_tids, int nvcpus, int *vcpu)
{
	int n;
	char kind[8];

	*vcpu = -1;
	for (int i = 0; i < nvcpus; i++)
		if (vcpu_tids[i] == t->tid) {
			*vcpu = i;
			return AUT_VCPU;
		}
	/* QEMU names its threads (qemu_thread_create): "CPU 0/KVM", "IO
	 * iothread1", "worker" (the thread pool of aio=threads); io_uring
	 * adds "iou-wrk-PID" and "iou-sqp-PID" workers to the process */
	if (!nvcpus && sscanf(t->comm, "CPU %d/%7s", &n, kind) == 2 && n >= 0) {
		*vcpu = n;
		return AUT_VCPU;
	}
	if (!strncmp(t->comm, "IO ", 3))
		return AUT_IOTHREAD;
	if (!strcmp(t->comm, "worker"))
		return AUT_WORKER;
	if (!strncmp(t->comm, "iou-", 4))
		return AUT_IO_URING;
	if (t->tid == pid)
		return AUT_MAIN;
	return AUT_OTHER;
}

double aut_wait_share(char state_before, char state_after, double run_share, double delay_share)
{
	if (state_before == 'R' && state_after == 'R' && run_share == 0)
		return 1;
	return delay_share;
}

static const struct aut_thread *find_tid(const struct aut_sample *s, int tid)
{
	for (int i = 0; i < s->nthreads; i++)
		if (s->th[i].tid == tid)
			return &s->th[i];
	return NULL;
}

void aut_rates(const struct aut_sample *a, const struct aut_sample *b, int pid, const int *vcpu_tids, int nvcpus,
	       struct aut_rate *rates)
{
	double gap = (double)(b->t_ns - a->t_ns);

	for (int i = 0; i < b->nthreads; i++) {
		const struct aut_thread *t = &b->th[i], *o = find_tid(a, t->tid);
		struct aut_rate *r = &rates[i];

		r->role = aut_role(t, pid, vcpu_tids, nvcpus, &r->vcpu);
		r->run_share = r->delay_share = -1;
		if (o && o->has_sched && t->has_sched && gap > 0) {
			r->run_share = (double)sat_sub_i64(t->run_ns, o->run_ns) / gap;
			r->delay_share = (double)sat_sub_i64(t->delay_ns, o->delay_ns) / gap;
			if (r->run_share < 0)
				r->run_share = 0;
			if (r->run_share > 1)
				r->run_share = 1;
			if (r->delay_share < 0)
				r->delay_share = 0;
			r->delay_share = aut_wait_share(o->state, t->state, r->run_share, r->delay_share);
		}
	}
}

static const struct aut_disk *find_disk(const struct aut_sample *s, const struct aut_disk *d)
{
	for (int i = 0; i < s->ndisks; i++)
		if (!strcmp(s->disk[i].device, d->device) && !strcmp(s->disk[i].node, d->node) &&
		    !strcmp(s->disk[i].qdev, d->qdev))
			return &s->disk[i];
	return NULL;
}

static const char *status_word(const char *s) { return s[0] ? s : "not known"; }

void aut_judge(const struct aut_sample *a, const struct aut_sample *b, const struct aut_rate *rates,
	       struct aut_judgement *j)
{
	int ntasks = 0;
	int spin_cpu = -1;
	bool main_starved = false;

	memset(j, 0, sizeof(*j));
	j->inflight = -1;
	j->ops_completed = -1;
	j->run_share_max = j->delay_share_max = -1;
	for (int i = 0; i < b->nthreads; i++) {
		const struct aut_thread *t = &b->th[i], *o = find_tid(a, t->tid);
		const struct aut_rate *r = &rates[i];

		if (!t->state)
			continue;
		ntasks++;
		if (r->role == AUT_MAIN && r->delay_share >= AUT_STARVED_DELAY_SHARE &&
		    r->run_share < AUT_STARVED_RUN_SHARE)
			main_starved = true;
		if (o && o->state == 'T' && (t->state == 'T' || t->state == 't'))
			j->stopped_threads++;
		if (o && o->state == 'D' && t->state == 'D')
			j->d_threads++;
		if (r->role != AUT_VCPU)
			continue;
		j->vcpus++;
		if (r->run_share > j->run_share_max)
			j->run_share_max = r->run_share;
		if (r->delay_share > j->delay_share_max)
			j->delay_share_max = r->delay_share;
		if (r->delay_share >= AUT_STARVED_DELAY_SHARE && r->run_share < AUT_STARVED_RUN_SHARE)
			j->vcpus_starved++;
		else if (r->run_share >= AUT_STARVED_RUN_SHARE &&
			 r->run_share + r->delay_share >= AUT_SPIN_RUNNABLE_SHARE) {
			j->vcpus_spinning++;
			if (spin_cpu < 0)
				spin_cpu = r->vcpu;
		}
	}
	for (int i = 0; i < b->ndisks; i++) {
		const struct aut_disk *d = &b->disk[i], *o = find_disk(a, d);
		int64_t done;

		if (!o)
			continue;
		done = sat_sub_i64(d->ops, o->ops);
		j->ops_completed = j->ops_completed < 0 ? done : sat_add_i64(j->ops_completed, done);
		if (d->inflight >= 0)
			j->inflight = (j->inflight < 0 ? 0 : j->inflight) + d->inflight;
		if (d->inflight > 0 && o->inflight > 0 && done == 0)
			j->stuck_disks++;
	}

	if (ntasks && j->stopped_threads == ntasks) {
		j->verdict = AUT_PAUSED;
		snprintf(j->why, sizeof(j->why), "the QEMU process itself is stopped (all %d threads in state T: "
			 "SIGSTOP, or a debugger): no vCPU runs", ntasks);
	} else if (b->qmp && b->status[0] && strcmp(b->status, "running")) {
		j->verdict = AUT_PAUSED;
		snprintf(j->why, sizeof(j->why), "QEMU reports the VM as '%s', not running", b->status);
	} else if (!b->qmp && !j->vcpus_starved && !main_starved) {
		j->verdict = AUT_UNRESPONSIVE;
		snprintf(j->why, sizeof(j->why), "QEMU does not answer on its QMP socket: its main loop is stuck%s",
			 j->d_threads ? " (threads in D state: the kernel holds it)" : "");
	} else if (j->stuck_disks) {
		j->verdict = AUT_IO_STUCK;
		snprintf(j->why, sizeof(j->why), "%d request%s in flight on %d disk%s and none completed in %.1f s",
			 j->inflight, j->inflight == 1 ? "" : "s", j->stuck_disks, j->stuck_disks == 1 ? "" : "s",
			 (double)(b->t_ns - a->t_ns) / 1e9);
	} else if (j->d_threads && j->ops_completed == 0) {
		j->verdict = AUT_IO_STUCK;
		snprintf(j->why, sizeof(j->why), "%d QEMU thread%s in D state (waiting in the kernel) through the gap "
			 "and no I/O completed", j->d_threads, j->d_threads == 1 ? "" : "s");
	} else if (j->vcpus_starved || main_starved) {
		j->verdict = AUT_STARVED;
		snprintf(j->why, sizeof(j->why), "%d of %d vCPU threads waited on the host's run queue for %.0f%% of "
			 "the time at worst (runnable, not run) and ran %.0f%% at most%s", j->vcpus_starved, j->vcpus,
			 j->delay_share_max * 100, j->run_share_max * 100,
			 main_starved ? "; QEMU's main loop waits for a CPU too" : "");
	} else if (j->vcpus_spinning) {
		const struct aut_regs *g = spin_cpu >= 0 && spin_cpu < b->nregs ? &b->regs[spin_cpu] : NULL;

		j->verdict = AUT_SPINNING;
		snprintf(j->why, sizeof(j->why), "%d of %d vCPUs were runnable all along (ran %.0f%% of the time, "
			 "waited for a CPU %.0f%%)%s", j->vcpus_spinning, j->vcpus, j->run_share_max * 100,
			 j->delay_share_max * 100, g && g->known ? "" : " (RIP not known)");
		if (g && g->known)
			str_append(j->why, sizeof(j->why), "", "; vCPU %d at %s=%04x:%016" PRIx64 "%s", spin_cpu,
				   g->long_mode ? "RIP" : "EIP", g->cs, g->ip,
				   spin_cpu < a->nregs && a->regs[spin_cpu].known && a->regs[spin_cpu].ip == g->ip
					   ? " both times: a tight loop" : "");
	} else {
		j->verdict = AUT_IDLE;
		snprintf(j->why, sizeof(j->why), "the vCPUs sleep in the host (%.0f%% on a CPU at most), the VM is %s "
			 "and its I/O completes: the guest waits for something", j->run_share_max < 0 ? 0 :
			 j->run_share_max * 100, status_word(b->status));
	}
}

/* "KEY=hex" anywhere in line: true with the value. */
static bool hex_after(const char *line, const char *key, uint64_t *v)
{
	const char *p = strstr(line, key);
	char *e;

	if (!p)
		return false;
	p += strlen(key);
	*v = strtoull(p, &e, 16);
	return e != p;
}

int aut_parse_regs(const char *text, struct aut_regs *regs, int max)
{
	int cpu = -1, n = 0;

	for (int i = 0; i < max; i++)
		regs[i] = (struct aut_regs){ .hlt = -1 };
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];
		uint64_t v;
		long long c;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = 0;
		trim(line);
		p = nl ? nl + 1 : NULL;
		if (!strncmp(line, "CPU#", 4)) {
			cpu = parse_ll(line + 4, &c) == 0 && c >= 0 && c < max ? (int)c : -1;
			if (cpu >= n)
				n = cpu + 1;
			continue;
		}
		if (cpu < 0)
			continue;
		if (hex_after(line, "RIP=", &v)) {
			regs[cpu].ip = v;
			regs[cpu].long_mode = regs[cpu].known = true;
		} else if (!strncmp(line, "EIP=", 4) && hex_after(line, "EIP=", &v)) {
			regs[cpu].ip = v;
			regs[cpu].known = true;
		}
		if (strstr(line, "HLT=") && hex_after(line, "HLT=", &v))
			regs[cpu].hlt = v != 0;
		if (!strncmp(line, "CS =", 4)) {
			char *e;
			unsigned long sel = strtoul(line + 4, &e, 16);

			regs[cpu].cs = (unsigned)(sel & 0xffff);
			regs[cpu].cs_base = strtoull(e, NULL, 16);
		}
	}
	return n;
}

static int64_t stat_num(const struct jval *st, const char *key)
{
	double v = json_num(st, key, 0);

	return v > 0 && v < 9e18 ? (int64_t)v : 0;
}

int aut_parse_blockstats(const struct jval *ret, struct aut_disk *disks, int max)
{
	static const char *const ops[] = { "rd_operations", "wr_operations", "flush_operations", "unmap_operations" };
	static const char *const bytes[] = { "rd_bytes", "wr_bytes", "unmap_bytes" };
	static const char *const failed[] = { "failed_rd_operations", "failed_wr_operations", "failed_flush_operations",
					      "failed_unmap_operations" };
	int n = 0;

	for (size_t i = 0; i < json_len(ret) && n < max; i++) {
		const struct jval *e = json_at(ret, i), *st = json_obj(e, "stats");
		struct aut_disk *d = &disks[n];
		double idle;

		if (!st)
			continue;
		memset(d, 0, sizeof(*d));
		snprintf(d->device, sizeof(d->device), "%s", json_str(e, "device", ""));
		snprintf(d->qdev, sizeof(d->qdev), "%s", json_str(e, "qdev", ""));
		snprintf(d->node, sizeof(d->node), "%s", json_str(e, "node-name", ""));
		for (size_t k = 0; k < ARRAY_SIZE(ops); k++)
			d->ops = sat_add_i64(d->ops, stat_num(st, ops[k]));
		for (size_t k = 0; k < ARRAY_SIZE(bytes); k++)
			d->bytes = sat_add_i64(d->bytes, stat_num(st, bytes[k]));
		for (size_t k = 0; k < ARRAY_SIZE(failed); k++)
			d->failed = sat_add_i64(d->failed, stat_num(st, failed[k]));
		idle = json_num(st, "idle_time_ns", -1);
		d->idle_ns = idle >= 0 && idle < 9e18 ? (int64_t)idle : -1;
		d->inflight = -1;
		n++;
	}
	return n;
}
