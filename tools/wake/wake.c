/* triage wake: idle-to-burst latency, and how much C-states are to blame.
 *
 * For each CPU in turn and each idle length: how far an absolute-deadline
 * sleep overshoots its deadline, and how long a fixed burst of work takes
 * right after waking against the same burst warm. Which idle states were
 * entered meanwhile, and what they claim as exit latency, come from cpuidle
 * sysfs. Then the same sweep again with C-states held shallow through
 * /dev/cpu_dma_latency: the difference is the C-state share of the stall.
 * cyclictest hides exactly this (it holds C-states shallow by default). */
#include "wake.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lib/check.h"
#include "lib/cpus.h"
#include "lib/hypervisor.h"
#include "measure.h"

static const char usage[] =
	"Measures how late a CPU wakes from idle (the overshoot of an absolute sleep\n"
	"past its deadline) per CPU and idle length, and how slow the first burst of\n"
	"work after waking is against the same burst warm; then repeats the sweep with\n"
	"C-states held shallow (/dev/cpu_dma_latency = 0) to tell the C-state share.\n"
	"Needs root for SCHED_FIFO and /dev/cpu_dma_latency; measures without them.";

enum {
	O_DURATIONS = CHECK_COMMON_COUNT,
	O_CPUS,
	O_SAMPLES,
	O_BUDGET,
	O_NO_SHALLOW,
	O_RECORD,
	O_COUNT,
};

const struct opt wake_opts[] = {
	CHECK_COMMON_OPTS,
	{ "durations", 'd', OPT_DURLIST, "LIST",
	  "idle lengths to sweep (quick 50us,1ms,20ms,100ms; else 50us,200us,1ms,5ms,20ms,100ms)", 0, 10000000000LL },
	{ "cpus", 'c', OPT_STR, "LIST",
	  "CPUs to measure, e.g. 0-3,8 (default: all, spread over at most 4 in quick mode, 32 else)", 0, 0 },
	{ "samples", 'n', OPT_INT, "N", "wake-ups per (CPU, idle length) block instead of a time budget", 1, 1000000 },
	{ "budget", 'b', OPT_DURATION, "TIME",
	  "time per block (default quick 0.8s, standard 2s, burnin 5s; less when many blocks)", 100000000LL,
	  600000000000LL },
	{ "no-shallow", 0, OPT_FLAG, NULL, "skip the second sweep with C-states held shallow", 0, 0 },
	{ "record", 0, OPT_STR, "FILE", "also write every sample to FILE (the format of tests/unit/data/wake/)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

/* Below the threaded IRQ handlers (FIFO 50) so they still run, above
 * everything of SCHED_OTHER; cyclictest's examples use 80 to 99. */
#define WAKE_RT_PRIO 49

#define MAX_CPUS 256

static const long long quick_durations[] = { 50000, 1000000, 20000000, 100000000 };
static const long long full_durations[] = { 50000, 200000, 1000000, 5000000, 20000000, 100000000 };

/* Per mode: the sweep, how many CPUs at most, a block's time, and the
 * time all blocks share. Quick stays about 13 s with 2 CPUs, TCG included
 * (2 runs x 2 CPUs x 4 lengths x 0.8 s), so that the boot tests' pauses
 * land in sampled sleeps. */
static const struct plan {
	const long long *durations;
	int ndurations;
	int max_cpus;
	int64_t block_ns, total_ns;
} plans[] = {
	[MODE_QUICK] = { quick_durations, ARRAY_SIZE(quick_durations), 4, 800000000LL, 14000000000LL },
	[MODE_STANDARD] = { full_durations, ARRAY_SIZE(full_durations), 32, 2000000000LL, 240000000000LL },
	[MODE_BURNIN] = { full_durations, ARRAY_SIZE(full_durations), 32, 5000000000LL, 600000000000LL },
};
/* A block shorter than this holds too few long sleeps to say anything. */
#define MIN_BLOCK_NS 250000000LL

static const char advice_host_cstates[] =
	"Limit deep C-states on this host: in the BIOS/UEFI choose the performance power profile (or OS control) "
	"and cap the package C-state (Package C State Limit C1/C2); at run time `cpupower idle-set -D 10` "
	"disables the idle states with an exit latency above 10 us (`cpupower idle-set -d N` disables state N); "
	"persistently, `intel_idle.max_cstate=1` (acpi_idle, AMD: `processor.max_cstate=1`) on the kernel command "
	"line; and the performance governor (`cpupower frequency-set -g performance`). It costs idle power.";
static const char advice_guest_cstates[] =
	"The fix lives on the host: a guest cannot change the host's C-states (a Proxmox VE guest has no access to "
	"them). On the host: the performance power profile and a capped package C-state in the BIOS/UEFI; "
	"`cpupower idle-set -D 10` at run time; `intel_idle.max_cstate=1` (or `processor.max_cstate=1`) on the "
	"host's kernel command line (/etc/default/grub and update-grub, or /etc/kernel/cmdline and "
	"proxmox-boot-tool refresh); the performance governor. Run `triage wake` on the host to compare.";
static const char advice_guest_stall[] =
	"The vCPU did not run for tens of milliseconds: the host was overloaded (more vCPUs than cores, swapping), "
	"the VM was paused (a backup in suspend or snapshot mode, a migration, `qm suspend`), or the host stalled. "
	"Check the host's load and this VM's task log at the time of the run; give the VM fewer vCPUs than the "
	"host has cores and avoid memory overcommit. Host C-states alone stay below 3 ms.";
static const char advice_guest_slow[] =
	"Wake-ups in this guest are late by a millisecond or more: the host's deep C-states (wake.cstate-share tells "
	"how much) or a busy host (wake.steal). The fix lives on the host: a guest cannot change the host's C-states. "
	"On the host: the performance power profile and a capped package C-state in the BIOS/UEFI, `cpupower "
	"idle-set -D 10`, `intel_idle.max_cstate=1` (or `processor.max_cstate=1`) on its kernel command line, the "
	"performance governor; and fewer vCPUs in all than the host has cores.";
static const char advice_host_stall[] =
	"Wake-ups stall far beyond what the idle states claim: look for SMIs (`turbostat` shows an SMI count), "
	"thermal or power throttling, or interrupt storms; update the BIOS/UEFI. Then limit deep C-states: "
	"the performance power profile and a capped package C-state in the BIOS/UEFI, `cpupower idle-set -D 10`, "
	"`intel_idle.max_cstate=1` (or `processor.max_cstate=1`) on the kernel command line.";
static const char advice_host_burst[] =
	"The clock is low after idle and ramps slowly: use the performance governor (`cpupower frequency-set -g "
	"performance`), or with intel_pstate/amd-pstate set energy_performance_preference to performance "
	"(/sys/devices/system/cpu/cpu*/cpufreq/energy_performance_preference); in the BIOS/UEFI choose the "
	"performance power profile.";
static const char advice_guest_burst[] =
	"The physical CPU runs slowly after idle: the fix lives on the host (the performance governor or "
	"energy_performance_preference=performance there, the performance power profile in its BIOS/UEFI); "
	"a guest cannot change the host's clock.";
static const char advice_steal[] =
	"The host gave this vCPU's time to other work: lower the overcommit (the vCPUs of all running VMs against "
	"the host's cores), look at the host's load, limit noisy neighbours (PVE: CPU limit and CPU units), or give "
	"this VM dedicated cores (PVE: CPU affinity).";
static const char advice_clock[] =
	"The kernel times with a slow or coarse clock, which blurs every figure here. It falls back to one when it "
	"finds the TSC unstable (kernel log: \"Marking clocksource 'tsc' as unstable\"): on a host update the "
	"BIOS/UEFI and check TSC sync across sockets; in a guest use kvm-clock (the default with Proxmox VE).";

static double us(int64_t ns) { return (double)ns / 1000.0; }

/* The CPUs to measure: the --cpus list, else all, spread evenly over at
 * most max (first and last included) so that both ends of a package show. */
static int pick_cpus(const struct optv *v, int max, int *out)
{
	int allowed[MAX_CPUS], n, k = 0;
	char err[160];

	n = cpus_select(v->set ? v->str : NULL, v->set ? out : allowed, MAX_CPUS, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "triage wake: %s\n", err);
		return -1;
	}
	if (v->set)
		return n;
	if (n <= max) {
		memcpy(out, allowed, (size_t)n * sizeof(*out));
		return n;
	}
	for (int i = 0; i < max; i++)
		out[k++] = allowed[(long)i * (n - 1) / (max - 1)];
	return k;
}

/* n and the order statistics in us, into the open object; brief: n, p50,
 * p99 and max only (a finding's evidence). */
static void write_order_us(struct jw *w, const struct order_stats *s, bool brief)
{
	jw_int(w, "n", (long long)s->n);
	if (!brief)
		jw_num(w, "min_us", us(s->min));
	jw_num(w, "p50_us", us(s->p50));
	jw_num(w, "p99_us", us(s->p99));
	if (!brief)
		jw_num(w, "p999_us", us(s->p999));
	jw_num(w, "max_us", us(s->max));
}

static void write_stats_us(struct jw *w, const char *key, const struct order_stats *s)
{
	jw_obj(w, key);
	write_order_us(w, s, false);
	jw_obj_end(w);
}

static void write_block(struct jw *w, const struct wake_block *b)
{
	jw_obj(w, NULL);
	jw_str(w, "run", wake_run_names[b->run]);
	jw_int(w, "cpu", b->cpu);
	jw_num(w, "idle_us", us(b->idle_ns));
	write_order_us(w, &b->os, false);
	jw_arr(w, "hist");
	for (int k = 0; k < WAKE_HIST_BUCKETS; k++)
		jw_uint(w, NULL, b->hist[k]);
	jw_arr_end(w);
	jw_obj(w, "burst");
	jw_num(w, "cold_p50_us", us(b->cold_st.p50));
	jw_num(w, "cold_p99_us", us(b->cold_st.p99));
	jw_num(w, "warm_p50_us", us(b->warm_st.p50));
	jw_num(w, "warm_p99_us", us(b->warm_st.p99));
	jw_num(w, "ratio_p50", b->warm_st.p50 > 0 ? (double)b->cold_st.p50 / (double)b->warm_st.p50 : NAN);
	jw_int(w, "warm_n", (long long)b->warm_st.n);
	jw_obj_end(w);
	jw_num(w, "steal_ms", b->steal_ms);
	jw_num(w, "elapsed_s", (double)b->elapsed_ns / 1e9);
	jw_arr(w, "cpuidle");
	for (int k = 0; k < b->nstates; k++) {
		const struct wake_cstate *s = &b->states[k];

		jw_obj(w, NULL);
		jw_str(w, "name", s->name);
		jw_int(w, "latency_us", s->latency_us);
		jw_int(w, "residency_us", s->residency_us);
		jw_bool(w, "disabled", s->disabled);
		jw_int(w, "usage", s->usage);
		jw_int(w, "time_us", s->time_us);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* The deepest state a block entered, by claimed latency; NULL if none. */
static const struct wake_cstate *deepest_entered(const struct wake_block *b)
{
	const struct wake_cstate *d = NULL;

	for (int k = 0; k < b->nstates; k++)
		if (b->states[k].usage > 0 && (!d || b->states[k].latency_us >= d->latency_us))
			d = &b->states[k];
	return d;
}

static void ev_block(struct jw *w, const char *key, const struct wake_block *b)
{
	const struct wake_cstate *d = deepest_entered(b);

	jw_obj(w, key);
	jw_str(w, "run", wake_run_names[b->run]);
	jw_int(w, "cpu", b->cpu);
	jw_num(w, "idle_us", us(b->idle_ns));
	write_order_us(w, &b->os, true);
	jw_str(w, "deepest_state_entered", d ? d->name : NULL);
	jw_obj_end(w);
}

static void write_findings(struct check *c, const struct wake_context *x, const struct wake_verdict *v,
			   const struct wake_block *b, int nb)
{
	const bool vm = x->env.vm;
	struct finding *f;
	enum wake_clock_trust trust = wake_clock_trust(x->clock_cur);
	char lim[32], val[32];

	if (v->stall_sev != WAKE_NO_FINDING) {
		const struct wake_block *s = v->stall;
		bool severe = v->stall_limit_ns >= WAKE_STALL_SEVERE_NS;
		char idle[32];

		format_duration(val, sizeof(val), v->stall_value_ns);
		format_duration(lim, sizeof(lim), v->stall_limit_ns);
		format_duration(idle, sizeof(idle), s->idle_ns);
		f = check_finding(c, "wake.stall", (enum severity)v->stall_sev,
				  vm ? (severe ? advice_guest_stall : advice_guest_slow)
				     : (severe ? advice_host_stall : advice_host_cstates),
				  "wake-ups from idle overshoot by %s (%s; CPU %d, idle %s, %s sweep), %s allowed", val,
				  v->stall_stat, s->cpu, idle, wake_run_names[s->run], lim);
		jw_str(&f->ev, "statistic", v->stall_stat);
		jw_num(&f->ev, "value_us", us(v->stall_value_ns));
		jw_num(&f->ev, "threshold_us", us(v->stall_limit_ns));
		ev_block(&f->ev, "block", s);
		jw_int(&f->ev, "blocks_over", v->stall_blocks);
		jw_int(&f->ev, "samples_over", (long long)v->stall_samples);
		if (v->worst_max)
			ev_block(&f->ev, "worst_max", v->worst_max);
		jw_num(&f->ev, "claimed_exit_latency_us", v->claim_ns >= 0 ? us(v->claim_ns) : NAN);
		jw_bool(&f->ev, "vm", vm);
		jw_str(&f->ev, "hypervisor", x->hv.name);
		/* As an ordinary thread, other tasks' CPU time shows up as stall. */
		jw_bool(&f->ev, "sched_fifo", x->realtime);
		jw_str(&f->ev, "loadavg", x->loadavg);
		jw_num(&f->ev, "floor_sleep0_p50_us", us(x->floor_sleep0.p50));
		/* Every block whose maximum is a severe stall: these are the pauses. */
		jw_arr(&f->ev, "stalls");
		for (int i = 0; i < nb; i++)
			if (b[i].os.n && b[i].os.max >= WAKE_STALL_SEVERE_NS) {
				jw_obj(&f->ev, NULL);
				jw_str(&f->ev, "run", wake_run_names[b[i].run]);
				jw_int(&f->ev, "cpu", b[i].cpu);
				jw_num(&f->ev, "idle_us", us(b[i].idle_ns));
				jw_num(&f->ev, "max_us", us(b[i].os.max));
				jw_obj_end(&f->ev);
			}
		jw_arr_end(&f->ev);
		if (!x->env.shallow_held)
			jw_str(&f->ev, "cstate_share", x->shallow_reason ? x->shallow_reason : "not measured");
	}
	if (v->share_sev != WAKE_NO_FINDING) {
		const struct wake_block *d = v->share_default, *s = v->share_shallow;
		char by[32], idle[32];

		format_duration(by, sizeof(by), v->share_p50_ns);
		format_duration(idle, sizeof(idle), d->idle_ns);
		f = check_finding(c, "wake.cstate-share", (enum severity)v->share_sev,
				  vm ? advice_guest_cstates : advice_host_cstates,
				  "with C-states held shallow the median wake-up is %s faster (%.0f%% of it; CPU %d, idle %s)",
				  by, 100 * v->share_p50, d->cpu, idle);
		jw_num(&f->ev, "p50_shrink_us", us(v->share_p50_ns));
		jw_num(&f->ev, "p50_share_pct", 100 * v->share_p50);
		jw_num(&f->ev, "p99_shrink_us", us(v->share_p99_ns));
		jw_num(&f->ev, "p99_share_pct", 100 * v->share_p99);
		ev_block(&f->ev, "default", d);
		ev_block(&f->ev, "shallow", s);
		jw_num(&f->ev, "claimed_exit_latency_us", v->claim_ns >= 0 ? us(v->claim_ns) : NAN);
		jw_str(&f->ev, "cpuidle_driver", x->idle_driver);
	}
	if (v->burst_sev != WAKE_NO_FINDING) {
		const struct wake_block *d = v->burst;
		char idle[32];

		format_duration(idle, sizeof(idle), d->idle_ns);
		f = check_finding(c, "wake.burst-slow", (enum severity)v->burst_sev, vm ? advice_guest_burst : advice_host_burst,
				  "the first burst after %s idle takes %.1fx as long as warm (+%.0f us, CPU %d)", idle,
				  v->burst_ratio, us(v->burst_extra_ns), d->cpu);
		jw_int(&f->ev, "cpu", d->cpu);
		jw_num(&f->ev, "idle_us", us(d->idle_ns));
		jw_num(&f->ev, "cold_p50_us", us(d->cold_st.p50));
		jw_num(&f->ev, "warm_p50_us", us(d->warm_st.p50));
		jw_num(&f->ev, "ratio_p50", v->burst_ratio);
		jw_num(&f->ev, "extra_us", us(v->burst_extra_ns));
	}
	if (v->steal_sev != WAKE_NO_FINDING) {
		f = check_finding(c, "wake.steal", (enum severity)v->steal_sev, advice_steal,
				  "the host took %.1f%% of CPU %d's time during the measurement (%.0f ms steal)",
				  v->steal_pct, v->steal_cpu, v->steal_ms);
		jw_int(&f->ev, "cpu", v->steal_cpu);
		jw_num(&f->ev, "steal_ms", v->steal_ms);
		jw_num(&f->ev, "steal_pct", v->steal_pct);
	}
	if (trust != CLOCK_TRUSTED || (strstr(x->clock_avail, "tsc") && strcmp(x->clock_cur, "tsc") &&
				      strcmp(x->clock_cur, "kvm-clock"))) {
		f = check_finding(c, "wake.clocksource", trust == CLOCK_COARSE ? SEV_WARN : SEV_INFO, advice_clock,
				  "the kernel's clocksource is %s (%s; available: %s)", x->clock_cur,
				  wake_clock_trust_name(trust), x->clock_avail);
		jw_str(&f->ev, "current", x->clock_cur);
		jw_str(&f->ev, "available", x->clock_avail);
		jw_str(&f->ev, "trust", wake_clock_trust_name(trust));
	}
}

static void write_data(struct check *c, const struct wake_context *x, const struct wake_verdict *v,
		       const struct wake_block *b, int nb, const struct wake_sweep *s, int shallow_now)
{
	struct jw *w = check_data(c);
	const struct wake_cstate *st = x->states;
	int nst = x->nstates;

	jw_obj(w, "env");
	jw_bool(w, "vm", x->env.vm);
	jw_str(w, "hypervisor", x->hv.name);
	jw_str(w, "dmi_hint", x->hv.dmi_hint);
	jw_bool(w, "tcg", x->env.tcg);
	jw_obj(w, "clocksource");
	jw_str(w, "current", x->clock_cur);
	jw_str(w, "available", x->clock_avail);
	jw_str(w, "trust", wake_clock_trust_name(wake_clock_trust(x->clock_cur)));
	jw_obj_end(w);
	jw_obj(w, "cpuidle");
	jw_bool(w, "present", x->env.cpuidle);
	jw_str(w, "driver", x->idle_driver[0] ? x->idle_driver : NULL);
	jw_str(w, "governor", x->idle_governor[0] ? x->idle_governor : NULL);
	jw_num(w, "deepest_enabled_latency_us", v->claim_ns >= 0 ? us(v->claim_ns) : NAN);
	jw_arr(w, "states");
	for (int k = 0; k < nst; k++) {
		jw_obj(w, NULL);
		jw_str(w, "name", st[k].name);
		jw_int(w, "latency_us", st[k].latency_us);
		jw_int(w, "residency_us", st[k].residency_us);
		jw_bool(w, "disabled", st[k].disabled);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj(w, "shallow");
	jw_bool(w, "held", x->env.shallow_held);
	jw_str(w, "how", "/dev/cpu_dma_latency = 0 (binary s32, fd kept open)");
	if (shallow_now >= 0)
		jw_int(w, "limit_read_back_us", shallow_now);
	else
		jw_null(w, "limit_read_back_us");
	jw_str(w, "reason", x->shallow_reason);
	jw_obj_end(w);
	jw_obj(w, "thread");
	jw_str(w, "policy", x->realtime ? "fifo" : "other");
	if (x->realtime)
		jw_int(w, "priority", WAKE_RT_PRIO);
	jw_int(w, "timer_slack_ns", x->timer_slack_ns);
	jw_obj_end(w);
	jw_str(w, "loadavg", x->loadavg);
	jw_obj_end(w);

	jw_obj(w, "floor");
	jw_int(w, "cpu", s->cpus[0]);
	jw_obj(w, "clock_read_ns");
	jw_int(w, "n", (long long)x->floor_read.n);
	jw_int(w, "min", x->floor_read.min);
	jw_int(w, "p50", x->floor_read.p50);
	jw_int(w, "p99", x->floor_read.p99);
	jw_int(w, "max", x->floor_read.max);
	jw_obj_end(w);
	write_stats_us(w, "sleep0", &x->floor_sleep0);
	jw_obj_end(w);

	jw_obj(w, "plan");
	jw_arr(w, "cpus");
	for (int i = 0; i < s->ncpus; i++)
		jw_int(w, NULL, s->cpus[i]);
	jw_arr_end(w);
	jw_arr(w, "idle_us");
	for (int i = 0; i < s->ndur; i++)
		jw_num(w, NULL, us(s->dur[i]));
	jw_arr_end(w);
	if (s->samples > 0)
		jw_int(w, "samples", s->samples);
	else
		jw_num(w, "block_s", (double)s->block_ns / 1e9);
	jw_obj_end(w);

	jw_arr(w, "hist_edges_us");
	for (int k = 0; k < WAKE_HIST_EDGES; k++)
		jw_num(w, NULL, us(wake_hist_edge_ns[k]));
	jw_arr_end(w);

	jw_arr(w, "blocks");
	for (int i = 0; i < nb; i++)
		if (b[i].os.n)
			write_block(w, &b[i]);
	jw_arr_end(w);

	/* Default and shallow side by side: the C-state share per block. */
	jw_arr(w, "attribution");
	for (int i = 0; i < nb; i++) {
		const struct wake_block *d = &b[i], *sh;

		if (d->run != WAKE_DEFAULT || !d->os.n || !(sh = wake_twin(b, nb, d)))
			continue;
		jw_obj(w, NULL);
		jw_int(w, "cpu", d->cpu);
		jw_num(w, "idle_us", us(d->idle_ns));
		jw_num(w, "default_p50_us", us(d->os.p50));
		jw_num(w, "shallow_p50_us", us(sh->os.p50));
		jw_num(w, "default_p99_us", us(d->os.p99));
		jw_num(w, "shallow_p99_us", us(sh->os.p99));
		jw_num(w, "share_p50_pct", d->os.p50 > 0 ? 100.0 * (double)(d->os.p50 - sh->os.p50) / (double)d->os.p50 : NAN);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void write_metrics(struct check *c, const struct wake_context *x, const struct wake_verdict *v,
			  const struct wake_block *b, int nb)
{
	struct jw *w = check_metrics(c);
	int64_t p50 = 0, samples = 0;
	double ratio = NAN;
	/* Without idle states to limit, a difference is noise: null. */
	bool share = x->env.shallow_held && x->env.cpuidle && v->share_default;

	for (int i = 0; i < nb; i++) {
		samples += (int64_t)b[i].n;
		if (b[i].run == WAKE_DEFAULT && b[i].os.n && b[i].os.p50 > p50)
			p50 = b[i].os.p50;
	}
	if (v->burst)
		ratio = v->burst_ratio;
	jw_num(w, "overshoot_p50_worst_us", us(p50));
	jw_num(w, "overshoot_p99_worst_us", v->worst_p99 ? us(v->worst_p99->os.p99) : NAN);
	jw_num(w, "overshoot_max_worst_us", v->worst_max ? us(v->worst_max->os.max) : NAN);
	jw_int(w, "floor_clock_read_ns", x->floor_read.p50);
	jw_num(w, "floor_sleep0_us", us(x->floor_sleep0.p50));
	jw_num(w, "cstate_share_p50_us", share ? us(v->share_p50_ns) : NAN);
	jw_num(w, "cstate_share_pct", share ? 100 * v->share_p50 : NAN);
	jw_num(w, "burst_cold_warm_ratio", ratio);
	jw_num(w, "steal_pct_worst", v->steal_cpu >= 0 ? v->steal_pct : NAN);
	jw_num(w, "claimed_exit_latency_us", v->claim_ns >= 0 ? us(v->claim_ns) : NAN);
	jw_int(w, "samples", samples);
}

void wake_write(struct check *c, const struct wake_context *x, const struct wake_verdict *v,
		const struct wake_block *b, int nb, const struct wake_sweep *s, int shallow_now)
{
	write_metrics(c, x, v, b, nb);
	write_data(c, x, v, b, nb, s, shallow_now);
	write_findings(c, x, v, b, nb);
}

static void facts(struct check *c, struct wake_context *x, int cpu0)
{
	struct wake_cstate st[WAKE_MAX_STATES];

	hypervisor_detect(&x->hv);
	x->env.vm = x->hv.vm;
	x->env.tcg = x->hv.name && strcmp(x->hv.name, "QEMU TCG") == 0;
	if (read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", x->clock_cur,
		      sizeof(x->clock_cur)) < 0)
		strlcpy_(x->clock_cur, "unknown", sizeof(x->clock_cur));
	if (read_line("/sys/devices/system/clocksource/clocksource0/available_clocksource", x->clock_avail,
		      sizeof(x->clock_avail)) < 0)
		x->clock_avail[0] = '\0';
	trim(x->clock_avail);
	read_line("/sys/devices/system/cpu/cpuidle/current_driver", x->idle_driver, sizeof(x->idle_driver));
	if (read_line("/sys/devices/system/cpu/cpuidle/current_governor_ro", x->idle_governor,
		      sizeof(x->idle_governor)) < 0)
		read_line("/sys/devices/system/cpu/cpuidle/current_governor", x->idle_governor, sizeof(x->idle_governor));
	x->env.cpuidle = wake_read_cstates(cpu0, st, WAKE_MAX_STATES) > 0;
	/* Other work competes with the wake-ups: say how busy the system was. */
	read_line("/proc/loadavg", x->loadavg, sizeof(x->loadavg));
	check_note(c, "%s%s%s; clocksource %s (available: %s); cpuidle %s%s%s", x->env.vm ? "virtual machine" : "bare metal",
		   x->hv.name ? ": " : "", x->hv.name ? x->hv.name : "", x->clock_cur, x->clock_avail,
		   x->env.cpuidle ? x->idle_driver : "absent", x->env.cpuidle ? "/" : "",
		   x->env.cpuidle ? x->idle_governor : "");
	if (!x->env.cpuidle)
		check_note(c, "no cpuidle states: the kernel idles with HLT (or polls); the shallow sweep has nothing to limit");
}

/* One block on the CPU the thread is pinned to, with the cpuidle and
 * steal counters read around it. */
static void measure_block(struct check *c, struct wake_sweep *s, struct wake_block *bl, enum wake_run run, int cpu,
			  int64_t idle_ns)
{
	struct wake_cstate before[WAKE_MAX_STATES];
	double steal0;
	char idle[32];
	int nst;

	format_duration(idle, sizeof(idle), idle_ns);
	check_progress(c, (double)s->done / s->nblocks, "%s sweep: CPU %d, idle %s", wake_run_names[run], cpu, idle);
	bl->run = run;
	bl->cpu = cpu;
	bl->idle_ns = idle_ns;
	nst = wake_read_cstates(cpu, before, WAKE_MAX_STATES);
	steal0 = wake_steal_ms(cpu);
	wake_sample_block(bl, s->block_ns, s->samples);
	bl->steal_ms = steal0 >= 0 ? wake_steal_ms(cpu) - steal0 : 0;
	bl->nstates = wake_read_cstates(cpu, bl->states, WAKE_MAX_STATES);
	if (bl->nstates == nst)
		wake_cstates_delta(bl->states, before, nst);
	else
		bl->nstates = 0; /* a driver change midway: no honest delta */
	wake_block_finish(bl);
	check_note(c, "%s CPU %d idle %s: n=%zu p50 %.1f us p99 %.1f us max %.1f us; burst %.1fx warm",
		   wake_run_names[run], cpu, idle, bl->os.n, us(bl->os.p50), us(bl->os.p99), us(bl->os.max),
		   bl->warm_st.p50 ? (double)bl->cold_st.p50 / (double)bl->warm_st.p50 : 0.0);
	s->done++;
}

/* Every CPU in turn, every idle length: fills b and returns the count. */
static int run_sweep(struct check *c, struct wake_sweep *s, enum wake_run run, struct wake_block *b)
{
	int64_t p99 = 0, max = 0;
	int nb = 0;

	for (int i = 0; i < s->ncpus; i++) {
		if (cpu_pin(s->cpus[i]) < 0) {
			check_note(c, "cannot run on CPU %d (%s): skipped", s->cpus[i], strerror(errno));
			s->done += s->ndur;
			continue;
		}
		for (int k = 0; k < s->ndur; k++, nb++) {
			measure_block(c, s, &b[nb], run, s->cpus[i], s->dur[k]);
			p99 = b[nb].os.p99 > p99 ? b[nb].os.p99 : p99;
			max = b[nb].os.max > max ? b[nb].os.max : max;
		}
	}
	check_ok(c, nb > 0, "%s sweep: %d blocks, worst p99 %.1f us, worst max %.1f us", wake_run_names[run], nb,
		 us(p99), us(max));
	return nb;
}

/* The measuring thread: locked memory (a page fault after a wake-up would
 * count as stall), SCHED_FIFO, and the least timer slack. */
static void prepare_thread(struct check *c, struct wake_context *x)
{
	int err;

	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		check_note(c, "mlockall: %s (page faults may add to the figures)", strerror(errno));
	err = wake_realtime(WAKE_RT_PRIO);
	x->realtime = err == 0;
	if (err)
		check_note(c, "SCHED_FIFO not allowed (%s): measuring as an ordinary thread", strerror(err));
	/* The kernel may delay a timer by the thread's slack (50 us by default)
	 * to batch wake-ups; 1 ns asks for the deadline itself. (Kernels since
	 * 6.7 give real-time threads no slack at all.) */
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) < 0)
		check_note(c, "timer slack stays at its default: %s", strerror(errno));
	x->timer_slack_ns = prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
}

static void record(struct check *c, const char *path, const struct wake_env *env, const struct wake_block *b, int nb)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		check_note(c, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	wake_save(f, env, b, nb);
	if (fclose(f) != 0)
		check_note(c, "writing %s failed", path);
}

int cmd_wake(int argc, char **argv)
{
	struct optv vals[O_COUNT + 1] = { 0 };
	struct check c;
	struct wake_context x = { 0 };
	struct wake_sweep s = { 0 };
	struct wake_verdict v;
	struct wake_block *b;
	const struct plan *plan;
	int cpus[MAX_CPUS], nb = 0, nruns, shallow_now = -1;
	char why[160];
	int rc = check_begin(&c, "wake", usage, wake_opts, vals, argc, argv);

	if (rc >= 0)
		return rc;
	plan = &plans[c.mode];
	s.dur = vals[O_DURATIONS].set ? vals[O_DURATIONS].list : plan->durations;
	s.ndur = vals[O_DURATIONS].set ? vals[O_DURATIONS].nlist : plan->ndurations;
	s.ncpus = pick_cpus(&vals[O_CPUS], plan->max_cpus, cpus);
	s.cpus = cpus;
	if (s.ncpus < 0)
		return EXIT_ERROR;
	if (s.ncpus == 0)
		return check_end(&c, ST_ERROR, "no CPU to measure");
	s.samples = vals[O_SAMPLES].set ? (long)vals[O_SAMPLES].num : 0;
	nruns = vals[O_NO_SHALLOW].set ? 1 : WAKE_NRUNS;
	s.nblocks = nruns * s.ncpus * s.ndur;
	/* The mode's block time, shared out when there are many blocks. */
	s.block_ns = plan->block_ns;
	if (vals[O_BUDGET].set)
		s.block_ns = vals[O_BUDGET].num;
	else if (plan->total_ns / s.nblocks < s.block_ns)
		s.block_ns = plan->total_ns / s.nblocks > MIN_BLOCK_NS ? plan->total_ns / s.nblocks : MIN_BLOCK_NS;

	facts(&c, &x, cpus[0]);
	prepare_thread(&c, &x);
	b = xcalloc((size_t)WAKE_NRUNS * s.ncpus * s.ndur, sizeof(*b));

	if (cpu_pin(cpus[0]) < 0)
		check_note(&c, "cannot run on CPU %d (%s): floor measured unpinned", cpus[0], strerror(errno));
	wake_floor(&x.floor_read, &x.floor_sleep0);
	check_ok(&c, true, "measurement floor on CPU %d: clock read %lld ns, zero sleep %.1f us (p50)", cpus[0],
		 (long long)x.floor_read.p50, us(x.floor_sleep0.p50));

	nb += run_sweep(&c, &s, WAKE_DEFAULT, b);
	if (vals[O_NO_SHALLOW].set) {
		x.shallow_reason = "skipped (--no-shallow)";
		check_skip(&c, "shallow sweep: --no-shallow");
	} else {
		int fd = wake_hold_shallow(why, sizeof(why), &shallow_now);

		if (fd >= 0) {
			x.env.shallow_held = true;
			check_note(&c, "C-states held shallow: /dev/cpu_dma_latency = 0 (kernel reports %d us)",
				   shallow_now);
			nb += run_sweep(&c, &s, WAKE_SHALLOW, b + nb);
			close(fd);
		} else {
			x.shallow_reason = why;
			check_skip(&c, "shallow sweep: %s; the C-state share stays unknown", why);
		}
	}
	check_progress(&c, 1.0, "judging");

	wake_judge(&x.env, b, nb, &v);
	check_ok(&c, v.stall_sev < SEV_WARN, "wake-up overshoot within limits%s",
		 v.stall_sev >= SEV_WARN ? " (no: wake.stall)" : "");
	if (x.env.shallow_held && x.env.cpuidle && v.share_default)
		check_ok(&c, v.share_sev < SEV_WARN, "C-state share of the median: %.1f us (%.0f%%)", us(v.share_p50_ns),
			 100 * v.share_p50);
	check_ok(&c, v.burst_sev < SEV_WARN, "burst after idle against warm: %.1fx", v.burst ? v.burst_ratio : 0.0);
	check_ok(&c, v.steal_sev < SEV_WARN, "steal: %.1f%% at most", v.steal_cpu >= 0 ? v.steal_pct : 0.0);

	/* The claimed idle states of the first CPU, as they are now. */
	x.nstates = wake_read_cstates(cpus[0], x.states, WAKE_MAX_STATES);
	wake_write(&c, &x, &v, b, nb, &s, shallow_now);
	if (vals[O_RECORD].set)
		record(&c, vals[O_RECORD].str, &x.env, b, nb);

	for (int i = 0; i < nb; i++)
		wake_block_free(&b[i]);
	free(b);
	return check_end(&c, -1, NULL);
}
