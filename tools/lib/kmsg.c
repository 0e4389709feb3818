#include "lib/kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The strings are the kernel's own (v6.1): arch/x86/kernel/traps.c,
 * mm/oom_kill.c, kernel/watchdog.c, kernel/hung_task.c, kernel/rcu/tree_stall.h,
 * kernel/time/clocksource.c, arch/x86/kernel/tsc.c, drivers/edac/, arch/x86/
 * kernel/cpu/mce/, drivers/virtio/virtio_balloon.c. */
const struct kmsg_rule kmsg_rules[] = {
	{ "kernel.gpf", SEV_FAIL, { "general protection fault", "trap invalid opcode", NULL }, NULL,
	  "general protection fault or invalid-opcode message(s) in the kernel log",
	  "A program executed an instruction the (virtual) CPU refused. In a VM this is usually a CPU type "
	  "that hides extensions the software was built for: see the isa check and pick a CPU type that has them.", "isa" },
	/* Before kernel.bug: the soft-lockup message starts "BUG: soft lockup". */
	{ "kernel.soft-lockup", SEV_FAIL, { "soft lockup", "hard LOCKUP", NULL }, NULL,
	  "soft or hard lockup message(s)",
	  "A CPU did not schedule for many seconds. In a VM this is the host starving the vCPU (overcommit, "
	  "host swapping, deep host C-states): check the host's load and the wake check; on bare metal, a "
	  "driver or firmware problem.", "wake" },
	{ "kernel.bug", SEV_FAIL, { "^BUG: ", "Oops: ", "kernel BUG at", NULL }, NULL,
	  "kernel BUG or Oops message(s)",
	  "The kernel hit an internal error. On bare metal suspect hardware (memory, CPU) first: run the burn-in; "
	  "in a VM, report it with the log lines to the hypervisor's maintainers.", "burnin" },
	{ "kernel.mce", SEV_FAIL, { "Machine check", "Machine Check", "[Hardware Error]", NULL }, NULL,
	  "machine-check (hardware error) message(s)",
	  "The CPU reported a hardware error. Check cooling and power, update the BIOS and microcode, run the "
	  "burn-in, and replace the part the messages name (CPU, memory bank).", "burnin" },
	/* Error reports only: EDAC also logs its version and each controller at boot. */
	{ "kernel.edac", SEV_WARN, { "CE memory", "UE memory", "MEMORY ERROR", "Corrected error", "Uncorrected error", NULL },
	  NULL,
	  "EDAC (memory error detection) message(s)",
	  "The memory controller reported errors. Corrected errors (CE) on one DIMM are an early warning: "
	  "reseat or replace it; uncorrected errors (UE) mean replace it now.", "burnin" },
	{ "kernel.hung-task", SEV_WARN, { "blocked for more than", NULL }, NULL,
	  "hung-task message(s)",
	  "A task waited for I/O or a lock for minutes. In a VM, check the host's storage latency and load.", "wake" },
	{ "kernel.rcu-stall", SEV_WARN, { "rcu_sched self-detected stall", "rcu_preempt self-detected stall",
					  "detected stalls on CPUs", NULL }, NULL,
	  "RCU stall message(s)",
	  "CPUs stopped making progress for tens of seconds. In a VM this almost always means the host did not "
	  "run the vCPUs: overcommitted CPUs, host swapping, or a paused VM.", "wake" },
	{ "kernel.oom", SEV_WARN, { "Out of memory: Killed process", "oom-kill:", NULL }, NULL,
	  "OOM-killer message(s)",
	  "The kernel ran out of memory and killed a process. In a PVE guest with ballooning, raise the "
	  "minimum memory or turn the balloon off (see the mem check).", "mem" },
	{ "kernel.clocksource", SEV_WARN, { "Marking clocksource", "Marking TSC unstable", "clocksource watchdog",
					    "TSC found unstable", NULL }, NULL,
	  "clocksource or TSC complaint(s)",
	  "The kernel distrusts a clock, so timings and timeouts drift. In a VM use a CPU type with an "
	  "invariant TSC or kvm-clock; on bare metal update the BIOS and avoid deep package C-states.", "wake" },
	{ "kernel.balloon", SEV_INFO, { "virtio_balloon", "virtio-balloon", NULL }, NULL,
	  "virtio balloon message(s)", NULL, "mem" },
	/* Before kernel.bug: a panic after an Oops is its own finding. */
	{ "kernel.panic", SEV_FAIL, { "Kernel panic - not syncing", NULL }, NULL,
	  "kernel panic message(s)",
	  "The kernel stopped the machine. The lines before the panic say why: an Oops (see kernel.bug), a "
	  "machine check, or a hung task with hung_task_panic set.", "burnin" },
	{ "kernel.segfault", SEV_WARN, { "segfault at ", NULL }, NULL,
	  "segmentation fault message(s) of user programs",
	  "A program touched memory it does not own. Usually a bug in the program; when many unrelated "
	  "programs segfault, suspect memory: run the mem check and the burn-in.", "mem" },
	{ "kernel.io-error", SEV_WARN, { "I/O error", "critical medium error", "Medium Error", NULL }, NULL,
	  "block I/O error message(s)",
	  "Reads or writes to a disk failed. In a VM, check the host's storage (its logs, SMART, the "
	  "storage network); on bare metal, the disk and its cable.", NULL },
	{ "kernel.nic-hang", SEV_WARN, { "Detected Hardware Unit Hang", "NETDEV WATCHDOG", NULL }, NULL,
	  "network adapter hang message(s)",
	  "The network adapter stopped processing its queue (e1000e's known hang). In a PVE VM use a "
	  "virtio NIC instead of e1000/e1000e; on bare metal, turn off TSO/GSO offloads (ethtool -K) or "
	  "update the NIC firmware.", NULL },
	/* systemd's line for a unit whose process a signal killed (src/core/
	 * service.c: "Main process exited, code=dumped, status=11/SEGV"). */
	{ "service.signal", SEV_WARN, { "status=4/ILL", "status=11/SEGV", "status=7/BUS", NULL }, NULL,
	  "service(s) killed by SIGILL, SIGSEGV or SIGBUS",
	  "A service died of a CPU trap. SIGILL is an instruction the vCPU lacks (see the isa check); "
	  "SIGSEGV and SIGBUS are a bad memory access: the trap line before it says where.", "isa" },
	/* systemd-coredump's summary line ("Process 1 (x) of user 0 dumped core."). */
	{ "service.coredump", SEV_WARN, { " dumped core.", NULL }, NULL,
	  "core dump(s) kept by systemd-coredump",
	  "A program crashed and systemd-coredump kept its core: `coredumpctl info` on that system shows "
	  "the stack; the signal says what kind of crash.", "isa" },
	{ "kernel.warning", SEV_WARN, { "WARNING: CPU: ", NULL }, NULL,
	  "kernel WARNING(s) with a call trace",
	  "The kernel noticed something it did not expect; the log lines say where.", NULL },
};
const int kmsg_nrules = sizeof(kmsg_rules) / sizeof(kmsg_rules[0]);

int kmsg_classify(const char *m)
{
	for (int r = 0; r < kmsg_nrules; r++) {
		const struct kmsg_rule *k = &kmsg_rules[r];

		if (k->unless && strstr(m, k->unless))
			continue;
		for (int p = 0; k->pattern[p]; p++) {
			const char *pat = k->pattern[p];

			if (pat[0] == '^' ? strncmp(m, pat + 1, strlen(pat + 1)) == 0 : strstr(m, pat) != NULL)
				return r;
		}
	}
	return -1;
}

/* A hex number after key ("ip:" or "ip "); the kernel prints them without 0x. */
static bool hex_after(const char *m, const char *key, unsigned long long *v)
{
	const char *p = strstr(m, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	*v = strtoull(p, &end, 16);
	return end != p;
}

int kmsg_parse_trap(const char *m, struct kmsg_trap *t)
{
	const char *open, *close, *kind, *in;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!strncmp(m, "traps: ", 7))
		m += 7;
	/* "comm[pid]" first: comm may hold spaces and brackets, pid is digits. */
	open = strchr(m, '[');
	if (!open || open == m || (size_t)(open - m) >= sizeof(t->comm))
		return -1;
	t->pid = (int)strtol(open + 1, (char **)&close, 10);
	if (close == open + 1 || *close != ']')
		return -1;
	memcpy(t->comm, m, (size_t)(open - m));
	kind = close + 1;
	if (*kind == ':')
		kind++;
	while (*kind == ' ')
		kind++;
	if (!strncmp(kind, "segfault at ", 12)) {
		snprintf(t->kind, sizeof(t->kind), "segfault");
		t->has_addr = hex_after(kind, "segfault at ", &t->addr);
	} else if (!strncmp(kind, "general protection fault", 24)) {
		snprintf(t->kind, sizeof(t->kind), "general protection fault");
	} else if (!strncmp(kind, "trap ", 5)) {
		const char *ip = strstr(kind, " ip:");

		if (!ip)
			return -1;
		n = (size_t)(ip - (kind + 5));
		snprintf(t->kind, sizeof(t->kind), "%.*s", (int)(n < sizeof(t->kind) ? n : sizeof(t->kind) - 1),
			 kind + 5);
	} else {
		return -1;
	}
	t->has_ip = hex_after(kind, " ip:", &t->ip) || hex_after(kind, " ip ", &t->ip);
	t->has_sp = hex_after(kind, " sp:", &t->sp) || hex_after(kind, " sp ", &t->sp);
	t->has_error = hex_after(kind, " error:", &t->error) || hex_after(kind, " error ", &t->error);
	if (!t->has_ip)
		return -1;
	/* " in FILE[BASE+SIZE]": the last " in " followed by a bracketed range. */
	for (in = strstr(kind, " in "); in; in = strstr(in + 1, " in ")) {
		const char *lb = strchr(in + 4, '['), *plus, *rb;
		char *end;

		if (!lb || lb == in + 4 || (size_t)(lb - (in + 4)) >= sizeof(t->file))
			continue;
		t->base = strtoull(lb + 1, &end, 16);
		plus = end;
		if (plus == lb + 1 || *plus != '+')
			continue;
		t->size = strtoull(plus + 1, &end, 16);
		rb = end;
		if (rb == plus + 1 || *rb != ']')
			continue;
		memcpy(t->file, in + 4, (size_t)(lb - (in + 4)));
		t->file[lb - (in + 4)] = '\0';
		t->has_map = true;
	}
	return 0;
}

int kmsg_open(struct kmsg_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return w->fd < 0 ? -1 : 0;
}

int kmsg_open_new(struct kmsg_watch *w)
{
	if (kmsg_open(w) < 0)
		return -1;
	if (lseek(w->fd, 0, SEEK_END) < 0) {
		kmsg_close(w);
		return -1;
	}
	return 0;
}

int kmsg_rule(const char *id)
{
	for (int r = 0; r < kmsg_nrules; r++)
		if (!strcmp(kmsg_rules[r].id, id))
			return r;
	return -1;
}

void kmsg_feed(struct kmsg_watch *w, const char *rec, size_t len)
{
	const char *semi = memchr(rec, ';', len), *end;
	char text[512];
	size_t n;
	int r;

	w->records++;
	if (!semi)
		return;
	semi++;
	end = memchr(semi, '\n', len - (size_t)(semi - rec));
	n = (size_t)((end ? end : rec + len) - semi);
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	memcpy(text, semi, n);
	text[n] = '\0';
	r = kmsg_classify(text);
	if (r < 0 || r >= (int)ARRAY_SIZE(w->hits))
		return;
	if (w->on_line) {
		unsigned long long usec;
		char head[64];
		size_t hn = (size_t)(semi - rec) < sizeof(head) ? (size_t)(semi - rec) : sizeof(head) - 1;

		memcpy(head, rec, hn);
		head[hn] = '\0';
		/* "pri,seq,usec,flags;" (Documentation/ABI/testing/dev-kmsg) */
		w->on_line(w->ctx, r, text, sscanf(head, "%*u,%*u,%llu", &usec) == 1 ? (long long)(usec & INT64_MAX) : -1);
	}
	if (w->hits[r].count < KMSG_EVIDENCE_LINES)
		snprintf(w->hits[r].lines[w->hits[r].count], sizeof(w->hits[r].lines[0]), "%.199s", text);
	w->hits[r].count++;
}

void kmsg_drain(struct kmsg_watch *w)
{
	char rec[8192];

	if (w->fd < 0)
		return;
	for (;;) {
		ssize_t n = read(w->fd, rec, sizeof(rec));

		if (n > 0) {
			kmsg_feed(w, rec, (size_t)n);
		} else if (n < 0 && errno == EPIPE) {
			/* Records were overwritten before we read them. */
			w->lost = true;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			return;
		}
	}
}

void kmsg_summary(const struct kmsg_watch *w, int rule, char *buf, size_t size)
{
	snprintf(buf, size, "%d %s", w->hits[rule].count, kmsg_rules[rule].summary);
}

void kmsg_write(const struct kmsg_watch *w, struct jw *jw, const char *key)
{
	jw_arr(jw, key);
	for (int r = 0; r < kmsg_nrules && r < (int)ARRAY_SIZE(w->hits); r++) {
		const struct kmsg_rule *k = &kmsg_rules[r];
		const struct kmsg_hit *h = &w->hits[r];
		char summary[200];

		if (!h->count)
			continue;
		kmsg_summary(w, r, summary, sizeof(summary));
		jw_obj(jw, NULL);
		jw_str(jw, "id", k->id);
		jw_str(jw, "severity", severity_name(k->sev));
		jw_str(jw, "summary", summary);
		jw_obj(jw, "evidence");
		jw_int(jw, "count", h->count);
		jw_arr(jw, "lines");
		for (int i = 0; i < h->count && i < KMSG_EVIDENCE_LINES; i++)
			jw_str(jw, NULL, h->lines[i]);
		jw_arr_end(jw);
		jw_bool(jw, "log_overran", w->lost);
		jw_obj_end(jw);
		jw_str(jw, "advice", k->advice);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

enum severity kmsg_worst(const struct kmsg_watch *w)
{
	enum severity worst = SEV_INFO;

	for (int r = 0; r < kmsg_nrules && r < (int)ARRAY_SIZE(w->hits); r++)
		if (w->hits[r].count && kmsg_rules[r].sev > worst)
			worst = kmsg_rules[r].sev;
	return worst;
}

void kmsg_close(struct kmsg_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
