/* triage compare: the comparison of two reports and the advice it gives.
 *
 * Host and guest are told apart by system.hypervisor.vm; with two VMs or
 * two hosts the reports are simply A and B. The CPU type advised is the
 * poorest Proxmox VE type (lib/pve-cpu-types.def, the table isa
 * reads too) that offers every extension the guest lacks and nothing the host
 * does not execute, so the VM keeps the widest migration choice. */
#include "compare/compare.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/opts.h"
#include "lib/pvetypes.h"
#include "lib/util.h"
#include "report/report.h"

/* One side's wake-ups count as slower when its worst p99 is this many
 * times the other's and at least WAKE_MIN_EXTRA_US more: three quick runs
 * on this build VM (KVM) gave worst p99s of 86, 104 and 126 us (1.5x apart),
 * and below 100 us no workload notices. */
#define WAKE_SLOWER_RATIO 3.0
#define WAKE_MIN_EXTRA_US 100.0
/* One side's first-touch fill counts as slower below this share of the
 * other's rate: three quick runs on this build VM filled at 0.21, 0.43 and
 * 0.47 GiB/s (0.46x apart), so only a gap of 4x is the host's doing. */
#define FILL_SLOWER_SHARE 0.25

static const struct cmp_figure fig_specs[] = {
	{ "system", "CPUs online", "system.cpu.online", NULL, 0, 1, { 0 } },
	{ "system", "MemTotal", "system.memory.MemTotal_kib", "MiB", 0, 1024, { 0 } },
	{ "isa", "x86-64 level, CPUID", "tests.isa.metrics.level_cpuid", NULL, 0, 1, { 0 } },
	{ "isa", "x86-64 level, executes", "tests.isa.metrics.level_exec", NULL, 0, 1, { 0 } },
	{ "isa", "extensions ok", "tests.isa.metrics.ok", NULL, 0, 1, { 0 } },
	{ "isa", "extensions faulting", "tests.isa.metrics.faults", NULL, 0, 1, { 0 } },
	{ "isa", "wrong results", "tests.isa.metrics.wrong", NULL, 0, 1, { 0 } },
	{ "wake", "p50 overshoot, worst", "tests.wake.metrics.overshoot_p50_worst_us", "us", 1, 1, { 0 } },
	{ "wake", "p99 overshoot, worst", "tests.wake.metrics.overshoot_p99_worst_us", "us", 1, 1, { 0 } },
	{ "wake", "max overshoot, worst", "tests.wake.metrics.overshoot_max_worst_us", "us", 1, 1, { 0 } },
	{ "wake", "C-state share of p50", "tests.wake.metrics.cstate_share_pct", "%", 0, 1, { 0 } },
	{ "wake", "burst cold / warm", "tests.wake.metrics.burst_cold_warm_ratio", "x", 2, 1, { 0 } },
	{ "wake", "steal, worst CPU", "tests.wake.metrics.steal_pct_worst", "%", 1, 1, { 0 } },
	{ "mem", "fill", "tests.mem.metrics.fill_gibps", "GiB/s", 2, 1, { 0 } },
	{ "mem", "verify", "tests.mem.metrics.verify_gibps", "GiB/s", 2, 1, { 0 } },
	{ "mem", "worst 2 MiB block", "tests.mem.metrics.worst_block_ms", "ms", 1, 1, { 0 } },
	{ "mem", "stalls", "tests.mem.metrics.stalls", NULL, 0, 1, { 0 } },
	{ "mem", "mismatches", "tests.mem.metrics.mismatches", NULL, 0, 1, { 0 } },
	{ "mem", "MemTotal drop", "tests.mem.metrics.memtotal_drop_kib", "MiB", 0, 1024, { 0 } },
	{ "mem", "PSI full, max", "tests.mem.metrics.psi_full_max_pct", "%", 1, 1, { 0 } },
};
_Static_assert(ARRAY_SIZE(fig_specs) <= CMP_NFIGURES, "CMP_NFIGURES too small");

/* Extension states the isa check reports for something advertised that
 * does not work as advertised. */
static const char *const broken_states[] = { "faults", "wrong", "not-os-enabled", "inconsistent" };

static const char *const wake_run_keys[2] = { "default", "shallow" };
static const char *const wake_stat_keys[3] = { "p50_us", "p99_us", "max_us" };

static void sides(struct cmp *c, const struct jval *a, const char *pa, const struct jval *b, const char *pb)
{
	static const char *const ab[2] = { "A", "B" };
	const struct jval *rep[2] = { a, b };
	const char *path[2] = { pa, pb };

	for (int i = 0; i < 2; i++) {
		const struct jval *vm = json_path(rep[i], "system.hypervisor.vm");

		c->s[i].rep = rep[i];
		c->s[i].path = path[i];
		c->s[i].vm = vm && vm->type == J_BOOL && vm->b;
	}
	for (int i = 0; i < 2; i++)
		c->s[i].role = c->s[0].vm != c->s[1].vm ? (c->s[i].vm ? "guest" : "host") : ab[i];
}

static const struct jval *extensions(const struct jval *rep)
{
	const struct jval *e = json_path(rep, "tests.isa.data.extensions");

	return e && e->type == J_ARR ? e : NULL;
}

/* Each side's extension table sorted by name, for the look-ups of one
 * cmp_build: a report may list any number of extensions, and a scan per
 * look-up made compare quadratic (40k a side took 40 s). */
struct ext_ref {
	const char *name;
	size_t pos;		/* in the table: the first of equal names wins */
	const struct jval *e;
};

static struct ext_index {
	const struct jval *rep;
	struct ext_ref *ref;
	size_t n;
} ext_idx[2];

static int ext_ref_cmp(const void *a, const void *b)
{
	const struct ext_ref *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d ? d : (x->pos > y->pos) - (x->pos < y->pos);
}

static void ext_index_build(struct ext_index *ix, const struct jval *rep)
{
	const struct jval *exts = extensions(rep);

	ix->rep = rep;
	ix->n = 0;
	ix->ref = exts && exts->len ? xmalloc(exts->len * sizeof(*ix->ref)) : NULL;
	for (size_t i = 0; exts && i < exts->len; i++) {
		const char *name = json_str(exts->items[i], "name", NULL);

		if (name)
			ix->ref[ix->n++] = (struct ext_ref){ name, i, exts->items[i] };
	}
	if (ix->n)
		qsort(ix->ref, ix->n, sizeof(*ix->ref), ext_ref_cmp);
}

static void ext_index_free(struct ext_index *ix)
{
	free(ix->ref);
	memset(ix, 0, sizeof(*ix));
}

/* A named extension's entry in a report's table, or NULL. */
static const struct jval *ext_find(const struct jval *rep, const char *name)
{
	for (int i = 0; i < 2; i++) {
		const struct ext_index *ix = &ext_idx[i];
		size_t lo = 0, hi = ix->n;

		if (ix->rep != rep)
			continue;
		/* the first entry not less than name (pos 0 sorts first) */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(ix->ref[mid].name, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < ix->n && !strcmp(ix->ref[lo].name, name) ? ix->ref[lo].e : NULL;
	}
	return NULL;
}

/* The state of a named extension in a report, NULL if not in its table. */
static const char *ext_state(const struct jval *rep, const char *name)
{
	const struct jval *e = ext_find(rep, name);

	return e ? json_str(e, "state", "?") : NULL;
}

/* An extension's psABI level (1-4), 0 if none or not a level: the value
 * comes from a file and is checked before it becomes an int. */
static int level_of(const struct jval *e)
{
	double l = json_num(e, "level", 0);

	return l >= 1 && l <= 4 ? (int)l : 0;
}

/* The psABI level of a named extension in a report's table, 0 if none. */
static int ext_level(const struct jval *rep, const char *name)
{
	const struct jval *e = ext_find(rep, name);

	return e ? level_of(e) : 0;
}

static void only_add(struct cmp_only *o, const struct jval *e)
{
	if (o->n >= CMP_MAX_EXTS)
		return;
	o->name[o->n] = json_str(e, "name", "?");
	o->level[o->n++] = level_of(e);
}

static bool is_broken(const char *state)
{
	for (size_t i = 0; i < ARRAY_SIZE(broken_states); i++)
		if (!strcmp(state, broken_states[i]))
			return true;
	return false;
}

static void isa_diff(struct cmp *c)
{
	for (int i = 0; i < 2; i++) {
		const struct jval *exts = extensions(c->s[i].rep);

		c->isa[i] = exts != NULL;
		for (size_t k = 0; exts && k < exts->len; k++) {
			const struct jval *e = exts->items[k];
			const char *st = json_str(e, "state", "?");
			const char *other = ext_state(c->s[1 - i].rep, json_str(e, "name", ""));

			if (!strcmp(st, "ok") && other && strcmp(other, "ok") != 0)
				only_add(&c->only[i], e);
			if (is_broken(st))
				only_add(&c->broken[i], e);
		}
	}
}

static void figures(struct cmp *c)
{
	for (size_t k = 0; k < ARRAY_SIZE(fig_specs); k++) {
		struct cmp_figure *fg = &c->fig[c->nfig++];

		*fg = fig_specs[k];
		for (int i = 0; i < 2; i++) {
			const struct jval *v = json_path(c->s[i].rep, fg->path);

			fg->v[i] = v && v->type == J_NUM ? v->num : v && v->type == J_BOOL ? v->b : NAN;
		}
	}
}

const struct cmp_figure *cmp_figure(const struct cmp *c, const char *path)
{
	for (int k = 0; k < c->nfig; k++)
		if (!strcmp(c->fig[k].path, path))
			return &c->fig[k];
	return NULL;
}

/* The worst CPU's value of key for one run and idle length. */
static double wake_worst(const struct jval *rep, const char *run, double idle, const char *key)
{
	const struct jval *blocks = json_path(rep, "tests.wake.data.blocks");
	double worst = NAN;

	for (size_t i = 0; blocks && blocks->type == J_ARR && i < blocks->len; i++) {
		const struct jval *b = blocks->items[i];
		double v = json_num(b, key, NAN);

		if (!strcmp(json_str(b, "run", ""), run) && json_num(b, "idle_us", NAN) == idle && isfinite(v) &&
		    !(v <= worst))
			worst = v;
	}
	return worst;
}

static void add_idle(struct cmp *c, double idle)
{
	int k = 0;

	while (k < c->nwake && c->wake[k].idle_us < idle)
		k++;
	if ((k < c->nwake && c->wake[k].idle_us == idle) || c->nwake == CMP_MAX_IDLE)
		return;
	memmove(&c->wake[k + 1], &c->wake[k], (size_t)(c->nwake - k) * sizeof(c->wake[0]));
	c->wake[k].idle_us = idle;
	c->nwake++;
}

static void wake_rows(struct cmp *c)
{
	for (int i = 0; i < 2; i++) {
		const struct jval *blocks = json_path(c->s[i].rep, "tests.wake.data.blocks");

		for (size_t k = 0; blocks && blocks->type == J_ARR && k < blocks->len; k++)
			if (isfinite(json_num(blocks->items[k], "idle_us", NAN)))
				add_idle(c, json_num(blocks->items[k], "idle_us", NAN));
	}
	for (int k = 0; k < c->nwake; k++)
		for (int r = 0; r < 2; r++)
			for (int i = 0; i < 2; i++)
				for (int s = 0; s < 3; s++)
					c->wake[k].v[r][i][s] =
						wake_worst(c->s[i].rep, wake_run_keys[r], c->wake[k].idle_us, wake_stat_keys[s]);
}

/* ---- advice ---- */

static struct cmp_advice *advice(struct cmp *c, const char *id, const char *sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct cmp_advice *advice(struct cmp *c, const char *id, const char *sev, const char *fmt, ...)
{
	struct cmp_advice *a;
	va_list ap;

	if (c->nadv >= CMP_MAX_ADVICE)
		return NULL;
	a = &c->adv[c->nadv++];
	a->id = id;
	a->severity = sev;
	va_start(ap, fmt);
	vsnprintf(a->text, sizeof(a->text), fmt, ap);
	va_end(ap);
	a->text[0] = (char)toupper((unsigned char)a->text[0]); /* "the host ..." starts a sentence */
	return a;
}

static void append(struct cmp_advice *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(struct cmp_advice *a, const char *fmt, ...)
{
	size_t n = strlen(a->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->text + n, sizeof(a->text) - n, fmt, ap);
	va_end(ap);
}

/* "a, b and c" into buf. */
static const char *name_list(const struct cmp_only *o, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < o->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : i + 1 == o->n ? " and " : ", ", o->name[i]);
	return buf;
}

/* Does PVE type t offer only what the host executes? "untested" (a row
 * isa has no kernel for: AMX, AVX512-FP16...) counts on CPUID's word, and
 * a row a report from an older triage lacks does not count against it. */
static bool runs_on(const struct pve_type *t, const struct jval *host)
{
	for (const char *p = pve_type_features(t); *p;) {
		size_t len = strcspn(p, " ");
		char name[40];
		const char *st;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		st = ext_state(host, name);
		if (len && st && strcmp(st, "ok") != 0 && strcmp(st, "untested") != 0)
			return false;
		/* TSX: QEMU with enforce refuses a model with it on a CPU without
		 * (lib/qemumodels), and most Intel CPUs since 2019 have none; a
		 * report from before the rtm row cannot vouch for it. */
		if (len && !st && (!strcmp(name, "rtm") || !strcmp(name, "hle")))
			return false;
		p += len + (p[len] == ' ');
	}
	return true;
}

static bool offers_any(const struct pve_type *t, const struct cmp_only *need)
{
	for (int i = 0; i < need->n; i++)
		if (pve_type_has(t, need->name[i]))
			return true;
	return false;
}

static bool usable_type(const struct pve_type *t, const struct jval *host, const struct cmp_only *need,
			enum pve_kind kind)
{
	const char *vendor = json_str(json_path(host, "system.cpu"), "vendor", "");

	return t->kind == kind && pve_vendor_fits(t->vendor, vendor) && offers_any(t, need) && runs_on(t, host);
}

/* The richest generic type that runs on the host and offers some of need
 * (the table lists them poorest first), or -1. */
static int best_generic(const struct jval *host, const struct cmp_only *need)
{
	int best = -1;

	for (int i = 0; i < pve_ntypes; i++)
		if (usable_type(&pve_types[i], host, need, PVE_GENERIC))
			best = i;
	return best;
}

/* The generic type just poorer than best when all best adds to it is
 * AVX-512 (level 4): what tells apart the nodes of many clusters. */
static int cluster_fallback(const struct jval *host, const struct cmp_only *need, int best)
{
	int fb = -1;

	for (int i = 0; i < best; i++)
		if (usable_type(&pve_types[i], host, need, PVE_GENERIC))
			fb = i;
	for (const char *p = fb >= 0 ? pve_type_features(&pve_types[best]) : ""; *p;) {
		size_t len = strcspn(p, " ");
		char name[40];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (len && !pve_type_has(&pve_types[fb], name) && ext_level(host, name) != 4)
			return -1;
		p += len + (p[len] == ' ');
	}
	return fb;
}

/* The poorest named model of the host's vendor that runs on the host and
 * offers all of rest, or NULL. */
static const struct pve_type *model_for(const struct jval *host, const struct cmp_only *rest)
{
	for (int i = 0; i < pve_ntypes; i++) {
		const struct pve_type *t = &pve_types[i];
		bool all = true;

		for (int k = 0; k < rest->n; k++)
			all &= pve_type_has(t, rest->name[k]);
		if (all && usable_type(t, host, rest, PVE_MODEL))
			return t;
	}
	return NULL;
}

static void cpu_type_advice(struct cmp_advice *a, const struct jval *host, const struct cmp_only *need)
{
	int best = best_generic(host, need), fb = best >= 0 ? cluster_fallback(host, need, best) : -1;
	const struct pve_type *model;
	struct cmp_only rest = { .n = 0 };
	char list[700];

	for (int i = 0; i < need->n; i++)
		if (best < 0 || !pve_type_has(&pve_types[best], need->name[i]))
			rest.name[rest.n++] = need->name[i];
	model = rest.n ? model_for(host, &rest) : NULL;
	if (best >= 0) {
		append(a, "set the VM's CPU type to %s", pve_types[best].name);
		if (fb >= 0)
			append(a, " (%s on a cluster whose other nodes lack AVX-512)", pve_types[fb].name);
		append(a, " or host (which ties live migration to identical CPUs). ");
	}
	if (rest.n && best >= 0)
		append(a, "%s %s in no generic type: ", name_list(&rest, list, sizeof(list)), rest.n == 1 ? "is" : "are");
	if (rest.n && model)
		append(a, "only %s or host passes %s through, and both tie live migration to such CPUs. ", model->name,
		       rest.n == 1 ? "it" : "them");
	else if (rest.n)
		append(a, "only host passes %s through, which ties live migration to identical CPUs. ",
		       rest.n == 1 ? "it" : "them");
	append(a, "Change it in VM > Hardware > Processors > Type (or qm set VMID --cpu %s), then stop and start "
		  "the VM.", best >= 0 ? pve_types[best].name : model ? model->name : "host");
}

/* A side in a sentence: "the host", "the guest", or "A", "B". */
static const char *who(const struct cmp_side *s)
{
	return !strcmp(s->role, "host") ? "the host" : !strcmp(s->role, "guest") ? "the guest" : s->role;
}

static void advise_hidden(struct cmp *c)
{
	char list[700];

	for (int i = 0; i < 2; i++) {
		const struct cmp_side *x = &c->s[i], *y = &c->s[1 - i];
		struct cmp_advice *a;

		if (!c->only[i].n)
			continue;
		name_list(&c->only[i], list, sizeof(list));
		if (!y->vm) {
			advice(c, "compare.isa-differs", "info",
			       "%s executes %s, which %s does not: different CPUs, so software built on %s may crash "
			       "with SIGILL on %s.", who(x), list, who(y), who(x), who(y));
			continue;
		}
		if (x->vm)
			a = advice(c, "compare.isa-hidden", "warn", "%s has %s but %s does not: if both run on the same "
				   "host, %s's CPU type hides them; ", x->role, list, y->role, y->role);
		else
			a = advice(c, "compare.isa-hidden", "warn", "The %s has %s but the %s does not: ", x->role, list,
				   y->role);
		if (a)
			cpu_type_advice(a, x->rep, &c->only[i]);
	}
}

static void advise_broken(struct cmp *c)
{
	char list[700];

	for (int i = 0; i < 2; i++) {
		if (!c->broken[i].n)
			continue;
		advice(c, "compare.isa-broken", "warn",
		       "On %s, %s %s advertised but fault, give wrong results or are not enabled: see that report's isa "
		       "findings. In a guest this comes from a CPU type or flag that promises what the host does "
		       "not execute: pick a type the host supports.", who(&c->s[i]), name_list(&c->broken[i], list, sizeof(list)),
		       c->broken[i].n == 1 ? "is" : "are");
	}
}

static void advise_wake(struct cmp *c)
{
	const struct cmp_figure *p99 = cmp_figure(c, "tests.wake.metrics.overshoot_p99_worst_us");

	for (int i = 0; p99 && i < 2; i++) {
		double v = p99->v[i], o = p99->v[1 - i];
		struct cmp_advice *a;

		if (!(v > WAKE_SLOWER_RATIO * o && v - o >= WAKE_MIN_EXTRA_US))
			continue;
		a = advice(c, "compare.wake-slower", "warn",
			   "Wake-ups after idle are %.1fx slower at p99 on %s (%.0f us) than on %s (%.0f us). ", v / o,
			   who(&c->s[i]), v, who(&c->s[1 - i]), o);
		if (a && c->s[i].vm && !c->s[1 - i].vm)
			append(a, "The difference is the hypervisor's: the host waking the vCPU thread from its own "
				  "idle states, and vCPUs waiting for a busy host CPU. On the host, keep C-states shallow "
				  "(BIOS: C-states off or C1 only, or cpupower idle-set -D 10) and do not overcommit the "
				  "cores this VM uses; compare the steal figures.");
		else if (a)
			append(a, "See the wake findings of %s's report for the cause (C-states, steal, clocksource).",
			       who(&c->s[i]));
	}
}

static void advise_fill(struct cmp *c)
{
	const struct cmp_figure *fill = cmp_figure(c, "tests.mem.metrics.fill_gibps");

	for (int i = 0; fill && i < 2; i++) {
		double v = fill->v[i], o = fill->v[1 - i];
		struct cmp_advice *a;

		if (!(v > 0 && o > 0 && v < FILL_SLOWER_SHARE * o))
			continue;
		a = advice(c, "compare.mem-fill-slower", "warn",
			   "Touching fresh memory is %.1fx slower on %s (%.3g GiB/s) than on %s (%.3g GiB/s). ", o / v,
			   who(&c->s[i]), v, who(&c->s[1 - i]), o);
		if (a && c->s[i].vm && !c->s[1 - i].vm)
			append(a, "The host backs guest memory on first touch and may swap, merge (KSM) or balloon it. "
				  "For steady memory performance give the VM hugepages (qm set VMID --hugepages 2, with "
				  "hugepages reserved on the host) and keep the balloon from taking memory back "
				  "(Hardware > Memory: minimum memory = memory, or no ballooning device).");
		else if (a)
			append(a, "See the mem findings of %s's report (stalls, balloon, pressure).", who(&c->s[i]));
	}
}

static void (*const advisors[])(struct cmp *c) = { advise_hidden, advise_broken, advise_wake, advise_fill };

void cmp_build(struct cmp *c, const struct jval *a, const char *path_a, const struct jval *b, const char *path_b)
{
	memset(c, 0, sizeof(*c));
	sides(c, a, path_a, b, path_b);
	ext_index_build(&ext_idx[0], a);
	ext_index_build(&ext_idx[1], b);
	isa_diff(c);
	figures(c);
	wake_rows(c);
	for (size_t i = 0; i < ARRAY_SIZE(advisors); i++)
		advisors[i](c);
	ext_index_free(&ext_idx[0]);
	ext_index_free(&ext_idx[1]);
}

/* ---- the command ---- */

const struct opt compare_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "write JSON instead of text", 0, 0 },
	{ "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ 0 },
};
enum { O_JSON, O_HELP };

static void usage(void)
{
	printf("usage: triage compare [--json] A.json B.json\n\n"
	       "Two reports side by side, typically the Proxmox VE host's (triage run --no-disk\n"
	       "on the host) against a guest's: the instructions one executes that the other\n"
	       "lacks (the VM's CPU type hides them), the x86-64 levels, wake-up latency and\n"
	       "memory figures, and the advice that follows, such as the CPU type to set.\n"
	       "A report that says it is a VM is the guest, one that does not is the host;\n"
	       "otherwise they are A and B. Text is 80 columns; --json gives the same as JSON.\n\n"
	       "options:\n");
	opt_help(stdout, compare_opts);
	printf("\nexit status: 0 compared, 3 error (unreadable file, not JSON, not a vmtriage/1 report)\n");
}

int cmd_compare(int argc, char **argv)
{
	struct optv v[ARRAY_SIZE(compare_opts)] = { 0 };
	struct jval *rep[2] = { NULL, NULL };
	char err[600];
	struct cmp *c;
	int pos;

	pos = opt_parse(compare_opts, v, argc, argv, err, sizeof(err));
	if (pos >= 0 && v[O_HELP].set) {
		usage();
		return 0;
	}
	if (pos < 0 || argc - pos != 2) {
		fprintf(stderr, "triage compare: %s\n", pos < 0 ? err : "expects two reports: A.json B.json (see --help)");
		return EXIT_ERROR;
	}
	for (int i = 0; i < 2; i++) {
		rep[i] = report_load(argv[pos + i], err, sizeof(err));
		if (!rep[i]) {
			fprintf(stderr, "triage compare: %s\n", err);
			json_free(rep[0]);
			return EXIT_ERROR;
		}
	}
	c = xmalloc(sizeof(*c));
	cmp_build(c, rep[0], argv[pos], rep[1], argv[pos + 1]);
	if (v[O_JSON].set)
		cmp_write_json(stdout, c);
	else
		cmp_write_text(stdout, c);
	free(c);
	json_free(rep[0]);
	json_free(rep[1]);
	return fflush(stdout) == 0 ? 0 : EXIT_ERROR;
}
