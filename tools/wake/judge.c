/* triage wake: from samples to findings. Pure: the unit tests replay
 * recorded and synthetic samples through wake_judge(). */
#include "wake.h"

#include <string.h>

#include "lib/check.h"

/* With fewer samples than this, p99 is the maximum itself and one outlier
 * (an SMI, a host hiccup) would decide; such blocks are judged on p50. */
#define TAIL_MIN_SAMPLES 100

/* Bare metal: the timer interrupt, the wake-up and the switch to a
 * SCHED_FIFO thread take tens of microseconds on an idle non-RT kernel
 * (OSADL's latency plots of non-RT kernels with C-states held shallow stay
 * below 100 us). A wake-up that overshoots twice the deepest state's
 * claimed exit latency plus this is more than the idle states promise. */
#define BM_WAKE_OVERHEAD_NS 100000LL
#define BM_CLAIM_FACTOR 2

/* In a KVM guest, wake-ups that overshoot by a millisecond at p99 are the
 * host's deep C-states or its scheduler (intel_idle exit latencies reach
 * 2.6 ms: Haswell C10; 660 us on Alder Lake-N C10). Not applied under TCG,
 * whose jitter is of that order by itself. */
#define VM_SLOW_WAKE_NS 1000000LL

/* C-state share: a median shrinking by less than 20 us, or by less than a
 * quarter, is within the spread of the same sweep repeated: on the KVM
 * guest of issue 5, idle lengths where holding C-states shallow cannot
 * matter differed by -5 to +8 us between the two sweeps. */
#define SHARE_MIN_NS 20000LL
#define SHARE_MIN_FRAC 0.25
/* A median that shrinks by 100 us or more means most wake-ups pay a deep
 * state's exit (intel_idle: Skylake C6 85 us, Haswell C6 133 us, Alder
 * Lake-N C6 195 us, Sapphire Rapids C6 290 us): worth a warning. */
#define SHARE_WARN_NS 100000LL

/* The burst after a wake-up against the same burst warm (about 20 us at
 * 4 GHz): twice as slow and 50 us more is a clock that ramps after idle.
 * Cold caches alone cost less: 64 lines from DRAM are about 6 us, and
 * under TCG after 100 ms of idle the burst took 15-24 us longer. */
#define BURST_SLOW_RATIO 2.0
#define BURST_SLOW_MIN_NS 50000LL

/* Steal: 10% sustained is the usual alarm for busy guests; this vCPU
 * mostly sleeps and accrues steal only while it wants to run, so 5% of the
 * wall time already means the host took much of that time. */
#define STEAL_WARN_PCT 5.0

int64_t wake_claim_ns(const struct wake_block *b, int nb)
{
	int64_t claim = -1;

	for (int i = 0; i < nb; i++) {
		if (b[i].run != WAKE_DEFAULT)
			continue;
		for (int k = 0; k < b[i].nstates; k++)
			if (!b[i].states[k].disabled && b[i].states[k].latency_us * 1000 > claim)
				claim = b[i].states[k].latency_us * 1000;
	}
	return claim;
}

int64_t wake_stall_limit_ns(const struct wake_env *env, int64_t claim_ns)
{
	if (env->vm)
		return env->tcg ? WAKE_STALL_SEVERE_NS : VM_SLOW_WAKE_NS;
	return BM_CLAIM_FACTOR * (claim_ns > 0 ? claim_ns : 0) + BM_WAKE_OVERHEAD_NS;
}

/* One block against the thresholds: severity, the statistic that decided
 * and its value, or WAKE_NO_FINDING. */
static int block_stall(const struct wake_env *env, int64_t claim, const struct wake_block *b, const char **stat,
		       int64_t *value, int64_t *limit)
{
	bool tail = b->os.n >= TAIL_MIN_SAMPLES;

	if (b->os.n == 0)
		return WAKE_NO_FINDING;
	if (tail && b->os.p99 >= WAKE_STALL_SEVERE_NS) {
		*stat = "p99", *value = b->os.p99, *limit = WAKE_STALL_SEVERE_NS;
		return SEV_FAIL;
	}
	if (b->os.max >= WAKE_STALL_SEVERE_NS) {
		*stat = "max", *value = b->os.max, *limit = WAKE_STALL_SEVERE_NS;
		return SEV_WARN;
	}
	/* The finer limits judge the machine as it runs; the shallow sweep is
	 * our own experiment (its polling CPUs compete with the host's work),
	 * so only its severe stalls count. */
	if ((env->vm && env->tcg) || b->run == WAKE_SHALLOW)
		return WAKE_NO_FINDING;
	*limit = wake_stall_limit_ns(env, claim);
	*stat = tail ? "p99" : "p50";
	*value = tail ? b->os.p99 : b->os.p50;
	return *value > *limit ? SEV_WARN : WAKE_NO_FINDING;
}

/* The worst tail is the system as it runs (the default sweep), and p99 of
 * a few samples is only their maximum: blocks with a tail rank first. */
static bool tail_worse(const struct wake_block *a, const struct wake_block *b)
{
	bool ta = a->os.n >= TAIL_MIN_SAMPLES, tb = b->os.n >= TAIL_MIN_SAMPLES;

	return ta != tb ? ta : a->os.p99 > b->os.p99;
}

static void judge_stall(const struct wake_env *env, const struct wake_block *b, int nb, struct wake_verdict *v)
{
	double worst_ratio = -1;

	for (int i = 0; i < nb; i++) {
		const char *stat = NULL;
		int64_t value = 0, limit = 1;
		int sev = block_stall(env, v->claim_ns, &b[i], &stat, &value, &limit);

		if (b[i].os.n && (!v->worst_max || b[i].os.max > v->worst_max->os.max))
			v->worst_max = &b[i];
		if (b[i].os.n && b[i].run == WAKE_DEFAULT && (!v->worst_p99 || tail_worse(&b[i], v->worst_p99)))
			v->worst_p99 = &b[i];
		if (sev == WAKE_NO_FINDING)
			continue;
		v->stall_blocks++;
		for (size_t k = 0; k < b[i].n; k++)
			v->stall_samples += b[i].over[k] > limit;
		/* The worst severity, then the furthest over its limit. */
		if (sev > v->stall_sev || (sev == v->stall_sev && (double)value / (double)limit > worst_ratio)) {
			v->stall_sev = sev;
			v->stall = &b[i];
			v->stall_stat = stat;
			v->stall_value_ns = value;
			v->stall_limit_ns = limit;
			worst_ratio = (double)value / (double)limit;
		}
	}
}

const struct wake_block *wake_twin(const struct wake_block *b, int nb, const struct wake_block *d)
{
	for (int i = 0; i < nb; i++)
		if (b[i].run == WAKE_SHALLOW && b[i].cpu == d->cpu && b[i].idle_ns == d->idle_ns && b[i].os.n)
			return &b[i];
	return NULL;
}

/* The C-state share is measured on the median, which one pause or one
 * interrupt cannot move; p99 is reported beside it. */
static void judge_share(const struct wake_env *env, const struct wake_block *b, int nb, struct wake_verdict *v)
{
	for (int i = 0; i < nb; i++) {
		const struct wake_block *d = &b[i], *s;
		int64_t delta;

		if (d->run != WAKE_DEFAULT || d->os.n == 0 || !(s = wake_twin(b, nb, d)))
			continue;
		delta = d->os.p50 - s->os.p50;
		if (v->share_default && delta <= v->share_p50_ns)
			continue;
		v->share_default = d;
		v->share_shallow = s;
		v->share_p50_ns = delta;
		v->share_p50 = d->os.p50 > 0 ? (double)delta / (double)d->os.p50 : 0;
		v->share_p99_ns = d->os.p99 - s->os.p99;
		v->share_p99 = d->os.p99 > 0 ? (double)v->share_p99_ns / (double)d->os.p99 : 0;
	}
	/* Without idle states to limit, the second sweep is only a repeat:
	 * any difference is noise, not a C-state share. */
	if (!env->shallow_held || !env->cpuidle || !v->share_default)
		return;
	if (v->share_p50_ns >= SHARE_MIN_NS && v->share_p50 >= SHARE_MIN_FRAC)
		v->share_sev = v->share_p50_ns >= SHARE_WARN_NS ? SEV_WARN : SEV_INFO;
}

static void judge_burst(const struct wake_block *b, int nb, struct wake_verdict *v)
{
	for (int i = 0; i < nb; i++) {
		const struct wake_block *d = &b[i];
		int64_t extra;
		double ratio;

		if (d->run != WAKE_DEFAULT || d->cold_st.n == 0 || d->warm_st.n == 0 || d->warm_st.p50 <= 0)
			continue;
		extra = d->cold_st.p50 - d->warm_st.p50;
		ratio = (double)d->cold_st.p50 / (double)d->warm_st.p50;
		if (v->burst && extra <= v->burst_extra_ns)
			continue;
		v->burst = d;
		v->burst_extra_ns = extra;
		v->burst_ratio = ratio;
	}
	if (v->burst && v->burst_ratio >= BURST_SLOW_RATIO && v->burst_extra_ns >= BURST_SLOW_MIN_NS)
		v->burst_sev = SEV_WARN;
}

static void judge_steal(const struct wake_block *b, int nb, struct wake_verdict *v)
{
	for (int i = 0; i < nb; i++) {
		double ms = 0, elapsed_ms = 0;
		bool seen = false;

		/* Each CPU once: the first block that names it sums them all. */
		for (int k = 0; k < i && !seen; k++)
			seen = b[k].cpu == b[i].cpu;
		if (seen)
			continue;
		for (int k = i; k < nb; k++)
			if (b[k].cpu == b[i].cpu) {
				ms += b[k].steal_ms;
				elapsed_ms += (double)b[k].elapsed_ns / 1e6;
			}
		if (elapsed_ms <= 0)
			continue;
		if (v->steal_cpu < 0 || 100 * ms / elapsed_ms > v->steal_pct) {
			v->steal_cpu = b[i].cpu;
			v->steal_ms = ms;
			v->steal_pct = 100 * ms / elapsed_ms;
		}
	}
	if (v->steal_cpu >= 0 && v->steal_pct >= STEAL_WARN_PCT)
		v->steal_sev = SEV_WARN;
}

void wake_judge(const struct wake_env *env, const struct wake_block *b, int nb, struct wake_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->stall_sev = v->share_sev = v->burst_sev = v->steal_sev = WAKE_NO_FINDING;
	v->steal_cpu = -1;
	v->claim_ns = wake_claim_ns(b, nb);
	judge_stall(env, b, nb, v);
	judge_share(env, b, nb, v);
	judge_burst(b, nb, v);
	judge_steal(b, nb, v);
}

/* Clocksources by how well they time microseconds. */
static const struct {
	const char *name;
	enum wake_clock_trust trust;
} clocksources[] = {
	{ "tsc", CLOCK_TRUSTED },
	{ "kvm-clock", CLOCK_TRUSTED },
	{ "hyperv_clocksource_tsc_page", CLOCK_TRUSTED },
	{ "xen", CLOCK_TRUSTED },
	/* Each read is an I/O access, a microsecond or more, and traps in a VM. */
	{ "hpet", CLOCK_SLOW },
	{ "acpi_pm", CLOCK_SLOW },
	{ "pit", CLOCK_SLOW },
	/* Tick resolution: 1 to 10 ms, coarser than what is measured. */
	{ "jiffies", CLOCK_COARSE },
	{ "refined-jiffies", CLOCK_COARSE },
};

enum wake_clock_trust wake_clock_trust(const char *current)
{
	for (size_t i = 0; current && i < ARRAY_SIZE(clocksources); i++)
		if (strcmp(current, clocksources[i].name) == 0)
			return clocksources[i].trust;
	return CLOCK_UNKNOWN;
}

const char *wake_clock_trust_name(enum wake_clock_trust t)
{
	static const char *const names[] = { "trusted", "slow", "coarse", "unknown" };

	return names[t];
}
