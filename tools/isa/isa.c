/* triage isa: which instructions the (virtual) CPU really executes.
 *
 * For every ISA extension of isa_exts[] and every CPU (pinned with
 * sched_setaffinity): is it advertised by CPUID, has the OS enabled its
 * state (OSXSAVE, XCR0), does its kernel execute (a fault is caught, the
 * process survives), and is the result right against a scalar reference
 * over random inputs? The kernel runs even when CPUID does not advertise
 * the extension: that tells "absent" from "works-unadvertised". Then the
 * x86-64 level from CPUID and from what executed, libcpuid's
 * identification, the hypervisor, and the closest Proxmox VE CPU type.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "isa.h"
#include "kernels.h"
#include "lib/check.h"
#include "lib/cpus.h"

/* Random inputs per kernel and CPU. One input through every kernel and its
 * reference costs about 28 us on this build machine (all 43 run) and 60 us
 * under QEMU TCG -cpu max (25 run, the rest fault at once), measured with
 * --mode standard; so quick takes a few ms per CPU on hardware and well
 * under a second on 2 TCG vCPUs (bench/isa.sh). */
static const int iterations_by_mode[] = {
	[MODE_QUICK] = 64,
	[MODE_STANDARD] = 4096,
	[MODE_BURNIN] = 65536,
};
/* Share of the mode's time limit (commands.h) the kernels may use, so that
 * hosts with hundreds of CPUs finish in time with fewer inputs. */
#define BUDGET_SHARE 0.5
#define BATCH 256	/* iterations per kernel call: bounds the buffers */
#define MAX_CPUS CPUS_MAX

const struct opt isa_opts[] = {
	CHECK_COMMON_OPTS,
	{ "cpus", 'c', OPT_STR, "LIST", "CPUs to test, e.g. 0-3,8 (default: every CPU this process may use)", 0, 0 },
	{ "iterations", 'n', OPT_INT, "N",
	  "random inputs per kernel and CPU (default 64 quick, 4096 standard, 65536 burnin, fewer if half the "
	  "mode's time limit runs out)", 1, 10000000 },
	{ "only", 0, OPT_STR, "LIST", "test only these extensions, comma-separated (see --list)", 0, 0 },
	{ "seed", 0, OPT_INT, "N", "seed of the random inputs (default: from the clock; the JSON reports it)", 0, 0 },
	{ "list", 0, OPT_FLAG, NULL, "list the extensions and what each kernel runs, then exit", 0, 0 },
	{ "dump-cpuid", 0, OPT_FLAG, NULL, "print the CPUID dump of the first CPU (tests/unit/data/isa format), then exit",
	  0, 0 },
	{ "inject", 0, OPT_STR, "KIND:EXT[@CPU]",
	  "for boot tests of the reporting: EXT raises SIGILL (KIND fault) or gives a wrong result (KIND wrong), "
	  "on every CPU or on CPU only; the JSON says so", 0, 0 },
	{ 0 },
};
enum { O_CPUS = CHECK_COMMON_COUNT, O_ITER, O_ONLY, O_SEED, O_LIST, O_DUMP, O_INJECT };

static const char usage[] =
	"Per ISA extension (SSE2 ... AVX-512, AES, SHA, RDRAND, XSAVE ...) and per CPU:\n"
	"advertised by CPUID? enabled by the OS (OSXSAVE, XCR0)? executes (a fault is\n"
	"caught)? right against a scalar reference? Then the x86-64 level (v1-v4) from\n"
	"CPUID and from execution, the hypervisor, and the closest Proxmox VE CPU type.";

struct ext_result {
	uint8_t *state;	     /* per tested CPU */
	uint8_t *adv, *os;
	int sig, sig_cpu;    /* first fault */
	bool mismatch;	     /* first wrong result */
	int mm_cpu;
	long mm_iter;
	struct isa_mismatch mm;
	bool aliased;	     /* not advertised, ran, wrong */
	uint8_t *kagree;     /* per tested CPU: enum isa_kagree against /proc/cpuinfo */
	int kshown;	     /* the kernel's flag on the first CPU: 1, 0, -1 not compared */
	int kbad_cpu;	     /* first CPU that is cleared or disagrees */
	char kcause[200];
	enum isa_state summary;
	bool adv_all, os_all, exec_all;
};

struct run {
	struct check *c;
	int ncpu, cpus[MAX_CPUS];
	bool selected[ISA_MAX_EXTS];
	bool all_selected;
	int iterations;
	int64_t budget_ns;	      /* 0: none (--iterations given) */
	int64_t deadline;	      /* of the kernel running now */
	int min_done;		      /* fewest inputs any kernel got */
	uint64_t seed;
	struct ext_result res[ISA_MAX_EXTS];
	struct cpuid_dump first;	      /* dump of the first CPU tested */
	struct isa_ident ident;
	isa_set usable, exec;	      /* on every CPU */
	int level_cpuid, level_exec;  /* level_exec 0: not known (--only) */
	struct pve_match pve;
	bool pve_known;
	const char *inject;	      /* as given, for the JSON */
	int inject_ext, inject_cpu;   /* -1: none / every CPU */
	bool inject_fault;
	/* the kernel's view: /proc/cpuinfo, the command line, its log */
	char *cpuinfo, *cmdline, *klog;
	int kernel_cleared, kernel_disagree;
	int kernel_release;	      /* isa_kernel_release of the running kernel */
	int rtm_commits;	      /* of TSX_TRIES transactions; -1: not tried */
};

/* Transactions tried for data.tsx: a CPU with TSX on commits nearly all of
 * these trivial ones; with TSX off or forced to abort, none. */
#define TSX_TRIES 64

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGILL: return "SIGILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	default: return "signal";
	}
}

static int parse_cpus(struct run *r, const char *list)
{
	char err[160];

	r->ncpu = cpus_select(list, r->cpus, MAX_CPUS, err, sizeof(err));
	if (r->ncpu < 0) {
		fprintf(stderr, "triage isa: %s\n", err);
		r->ncpu = 0;
		return -1;
	}
	return 0;
}

static int parse_only(struct run *r, const char *list)
{
	for (int i = 0; i < isa_next; i++)
		r->selected[i] = !list;
	r->all_selected = !list;
	while (list && *list) {
		size_t len = strcspn(list, ",");
		char name[32];
		int i;

		if (len && len < sizeof(name)) {
			memcpy(name, list, len);
			name[len] = 0;
			i = isa_find(name);
			if (i < 0) {
				fprintf(stderr, "triage isa: --only: unknown extension '%s' (triage isa --list names them)\n",
					name);
				return -1;
			}
			r->selected[i] = true;
		}
		list += len + (list[len] == ',');
	}
	return 0;
}

static int parse_inject(struct run *r, const char *spec)
{
	char kind[16], name[32];
	int cpu = -1, used = 0;

	r->inject_ext = -1;
	if (!spec)
		return 0;
	if ((sscanf(spec, "%15[a-z]:%31[a-z0-9.-]@%d%n", kind, name, &cpu, &used) != 3 &&
	     sscanf(spec, "%15[a-z]:%31[a-z0-9.-]%n", kind, name, &used) != 2) ||
	    spec[used] || (strcmp(kind, "fault") && strcmp(kind, "wrong")) || isa_find(name) < 0) {
		fprintf(stderr, "triage isa: --inject '%s': expected fault:EXT or wrong:EXT, optionally @CPU\n", spec);
		return -1;
	}
	r->inject = spec;
	r->inject_ext = isa_find(name);
	r->inject_cpu = cpu;
	r->inject_fault = !strcmp(kind, "fault");
	return 0;
}

/* The kernel's log as text, for the messages of features it turned off
 * (needs root; NULL without /dev/kmsg). */
static char *read_klog(void)
{
	enum { CAP = 1 << 20 };
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char *text, rec[2048];
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	text = xcalloc(CAP, 1);
	/* One record per read; EPIPE means records were overwritten: go on. */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;
		size_t m;

		if (n <= 0)
			continue;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		m = strcspn(++msg, "\n");
		if (len + m + 2 >= CAP)
			break;
		memcpy(text + len, msg, m);
		len += m;
		text[len++] = '\n';
	}
	close(fd);
	return text;
}

static void kernel_compare(struct run *r, int xi, int ci, const char *flags, bool first)
{
	struct ext_result *res = &r->res[xi];
	const struct isa_ext *e = &isa_exts[xi];
	char cause[200];
	struct isa_kview kv = { r->cmdline, r->klog, r->kernel_release };
	enum isa_kagree a = isa_kernel_agree(e, res->adv[ci], res->os[ci], flags, &kv, cause, sizeof(cause));

	res->kagree[ci] = (uint8_t)a;
	if (first)
		res->kshown = a == ISA_K_NONE ? -1 : isa_flags_have(flags, e->kflag.name);
	if ((a == ISA_K_CLEARED || a == ISA_K_DISAGREE) && !res->kcause[0]) {
		snprintf(res->kcause, sizeof(res->kcause), "%s", cause);
		res->kbad_cpu = r->cpus[ci];
	}
}

/* Stands in for a kernel under --inject fault:EXT. */
static void k_injected_fault(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)out;
	(void)n;
	(void)ctx;
	__asm__ volatile("ud2");
}

static void list_exts(void)
{
	for (int i = 0; i < isa_next; i++) {
		const struct isa_ext *e = &isa_exts[i];

		printf("%-16s %s  CPUID %08x.%x %s[%2d]  %s\n", e->name, (const char *[]){ "- ", "v1", "v2", "v3", "v4" }[e->level], e->pred.leaf, e->pred.sub,
		       (const char *[]){ "eax", "ebx", "ecx", "edx" }[e->pred.reg], e->pred.bit, e->what);
	}
}

/* Runs one extension on the CPU we are pinned to. */
static enum isa_state test_ext(struct run *r, int xi, int ci, uint64_t *in, uint64_t *out, uint64_t *scratch)
{
	const struct isa_ext *e = &isa_exts[xi];
	struct ext_result *res = &r->res[xi];
	struct isa_ctx ctx = { .cpu = r->cpus[ci] };
	struct isa_rng rng = { r->seed ^ (uint64_t)(xi + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ctx.cpu << 40 };
	bool ran = true, right = true;
	bool inject = r->inject_ext == xi && (r->inject_cpu < 0 || r->inject_cpu == ctx.cpu);
	struct isa_ext faulty = *e;
	int done = 0;

	if (!e->kernel) /* CPUID only */
		return !res->adv[ci] ? ISA_ABSENT : res->os[ci] ? ISA_UNTESTED : ISA_NOT_OS_ENABLED;
	faulty.kernel = k_injected_fault;
	while (done < r->iterations && ran && right && (done == 0 || !r->budget_ns || now_ns() < r->deadline)) {
		int n = r->iterations - done < BATCH ? r->iterations - done : BATCH;
		struct isa_mismatch m;
		int sig;

		isa_gen(e, in, n, &rng);
		sig = isa_run_kernel(inject && r->inject_fault ? &faulty : e, in, out, n, &ctx);
		if (!sig && inject)
			isa_corrupt(e, out, n);
		if (sig) {
			ran = false;
			if (!res->sig) {
				res->sig = sig;
				res->sig_cpu = ctx.cpu;
			}
		} else if (!isa_verify(e, in, out, scratch, n, &ctx, &m)) {
			right = false;
			if (!res->mismatch) {
				res->mismatch = true;
				res->mm = m;
				res->mm_cpu = ctx.cpu;
				res->mm_iter = done + m.iter;
			}
		}
		done += n;
	}
	if (ran && right && done < r->min_done)
		r->min_done = done;
	res->aliased |= ran && !right && !res->adv[ci];
	return isa_classify(res->adv[ci], res->os[ci], ran, right);
}

static void *xaligned(size_t words)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, (words ? words : 1) * sizeof(uint64_t)))
		dief("out of memory");
	return p;
}

static int run_cpus(struct run *r)
{
	int max_in = 1, max_out = 1, tested = 0, nsel = 0;
	uint64_t *in, *out, *scratch;
	cpu_set_t saved;
	bool restore = sched_getaffinity(0, sizeof(saved), &saved) == 0;
	int64_t t0 = now_ns();

	for (int i = 0; i < isa_next; i++) {
		nsel += r->selected[i];
		max_in = isa_exts[i].in_words > max_in ? isa_exts[i].in_words : max_in;
		max_out = isa_exts[i].out_words > max_out ? isa_exts[i].out_words : max_out;
		r->res[i].state = xcalloc((size_t)r->ncpu, 1);
		r->res[i].adv = xcalloc((size_t)r->ncpu, 1);
		r->res[i].os = xcalloc((size_t)r->ncpu, 1);
		r->res[i].kagree = xcalloc((size_t)r->ncpu, 1);
		r->res[i].kshown = -1;
	}
	in = xaligned((size_t)BATCH * max_in);
	out = xaligned((size_t)BATCH * max_out);
	scratch = xaligned((size_t)BATCH * max_out);
	r->min_done = r->iterations;
	for (int ci = 0; ci < r->ncpu; ci++) {
		static struct cpuid_dump dump;
		struct isa_ident id;
		/* what is left of the budget, shared by the CPUs still to test */
		int64_t share = r->budget_ns ? (r->budget_ns - (now_ns() - t0)) / (r->ncpu - ci) / (nsel ? nsel : 1) : 0;

		if (cpu_pin(r->cpus[ci]) < 0) {
			check_note(r->c, "cannot run on CPU %d (offline?): not tested", r->cpus[ci]);
			continue;
		}
		cpuid_collect(&dump);
		isa_identify(&dump, &id);
		if (tested == 0) {
			r->first = dump;
			r->ident = id;
		}
		static char flags[1 << 14];
		bool have_flags = r->cpuinfo && isa_cpuinfo_flags(r->cpuinfo, r->cpus[ci], flags, sizeof(flags)) == 0;

		for (int xi = 0; xi < isa_next; xi++) {
			r->res[xi].adv[tested] = isa_advertised(&isa_exts[xi], &dump);
			r->res[xi].os[tested] = isa_os_enabled(&isa_exts[xi], &dump);
			kernel_compare(r, xi, tested, have_flags ? flags : NULL, tested == 0);
		}
		r->cpus[tested] = r->cpus[ci];
		for (int xi = 0; xi < isa_next; xi++)
			if (r->selected[xi]) {
				r->deadline = now_ns() + share;
				r->res[xi].state[tested] = (uint8_t)test_ext(r, xi, tested, in, out, scratch);
			}
		tested++;
		check_progress(r->c, (double)(ci + 1) / r->ncpu, "CPU %d done", r->cpus[ci]);
	}
	r->ncpu = tested;
	if (restore)
		sched_setaffinity(0, sizeof(saved), &saved);
	free(in);
	free(out);
	free(scratch);
	return tested;
}

/* Runs the RTM kernel TSX_TRIES times where CPUID advertises RTM and it
 * executed (no #UD): how many transactions committed. */
static void tsx_probe(struct run *r)
{
	int i = isa_find("rtm");
	uint64_t out[2 * TSX_TRIES];
	struct isa_ctx ctx = { .cpu = r->ncpu ? r->cpus[0] : 0 };

	r->rtm_commits = -1;
	if (i < 0 || !(r->exec >> i & 1) || isa_run_kernel(&isa_exts[i], NULL, out, TSX_TRIES, &ctx) != 0)
		return;
	r->rtm_commits = isa_rtm_commits(out, TSX_TRIES);
}

static void summarize(struct run *r)
{
	isa_set exec_tested = 0, untested = 0;

	r->usable = r->exec = 0;
	for (int xi = 0; xi < isa_next; xi++) {
		struct ext_result *res = &r->res[xi];

		res->adv_all = res->os_all = res->exec_all = true;
		res->summary = res->state[0];
		for (int ci = 0; ci < r->ncpu; ci++) {
			res->adv_all &= res->adv[ci];
			res->os_all &= res->os[ci];
			res->exec_all &= isa_state_executes(res->state[ci]);
			if (res->state[ci] != res->summary || res->adv[ci] != res->adv[0])
				res->summary = ISA_INCONSISTENT;
		}
		if (res->adv_all && res->os_all)
			r->usable |= 1ULL << xi;
		if (r->selected[xi] && res->exec_all)
			exec_tested |= 1ULL << xi;
		if (!isa_exts[xi].kernel)
			untested |= 1ULL << xi;
		for (int ci = 0; ci < r->ncpu; ci++) {
			if (res->kagree[ci] == ISA_K_CLEARED) {
				r->kernel_cleared++;
				break;
			}
			if (res->kagree[ci] == ISA_K_DISAGREE) {
				r->kernel_disagree++;
				break;
			}
		}
	}
	r->level_cpuid = isa_level(r->usable);
	/* What executed only means something for a level when every row of
	 * it was tested. */
	r->exec = exec_tested;
	r->level_exec = r->all_selected ? isa_level(r->exec) : 0;
	r->pve_known = r->all_selected;
	/* Rows without a kernel (AMX, AVX512-FP16...) count for the PVE type
	 * where CPUID and the OS offer them: nothing here can say otherwise. */
	tsx_probe(r);
	if (r->pve_known) {
		isa_set offer = r->exec | (r->usable & untested);

		/* RTM that always aborts is TSX switched off under the guest: a
		 * type with TSX is not what this CPU offers (cpu.rtm-always-aborts) */
		if (r->rtm_commits == 0)
			offer &= ~(1ULL << isa_find("rtm") | 1ULL << isa_find("hle"));
		pve_match(offer, &r->first, &r->pve);
	}
}

static void cpu_list(struct jw *w, const char *key, const struct run *r, const struct ext_result *res,
		     enum isa_state st)
{
	jw_arr(w, key);
	for (int ci = 0; ci < r->ncpu; ci++)
		if (res->state[ci] == st)
			jw_int(w, NULL, r->cpus[ci]);
	jw_arr_end(w);
}

static void set_names(struct jw *w, const char *key, isa_set s)
{
	jw_arr(w, key);
	for (int i = 0; i < isa_next; i++)
		if (s >> i & 1)
			jw_str(w, NULL, isa_exts[i].name);
	jw_arr_end(w);
}

static char *set_text(isa_set s)
{
	char *t = xstrdup("");

	for (int i = 0; i < isa_next; i++)
		if (s >> i & 1) {
			char *n = xasprintf("%s%s%s", t, *t ? ", " : "", isa_exts[i].name);

			free(t);
			t = n;
		}
	return t;
}

static bool any_state(const struct run *r, const struct ext_result *res, enum isa_state st)
{
	for (int ci = 0; ci < r->ncpu; ci++)
		if (res->state[ci] == st)
			return true;
	return false;
}

static const char advice_baseline[] =
	"kvm64 and qemu64 (PVE's CPU type when none is set) are x86-64-v1: no SSSE3, SSE4.1/4.2, POPCNT or AVX. "
	"RHEL 9 and its rebuilds need x86-64-v2 and do not boot; glibc falls back from its x86-64-v2/v3 hwcaps "
	"libraries; Go programs built with GOAMD64=v3, MongoDB 5.0+ and Bun's default builds need AVX/AVX2 and die "
	"with SIGILL. In PVE: VM > Hardware > Processors > Type (or qm set VMID --cpu TYPE), then stop and start "
	"the VM. x86-64-v2-AES (PVE's default for new VMs) needs Westmere / Opteron G4 or newer on every node; "
	"x86-64-v3 needs Haswell / Zen 1 or newer on every node; 'host' gives everything this node has but blocks "
	"live migration to nodes with a different CPU.";

/* Who needs x86-64-v3, said once for the three findings below. */
#define NEEDS_V3 \
	"Software built for x86-64-v3 does not start without it (SIGILL, or it refuses at startup): RHEL 10 and " \
	"its rebuilds (AlmaLinux, Rocky, Oracle Linux 10), distributions' x86-64-v3 package sets, MongoDB 5.0+, " \
	"Go programs built with GOAMD64=v3, Bun's default builds and many prebuilt AI runtimes. "
#define FIX_V3 \
	"If every node that may run this VM is Haswell / Zen 1 or newer, set the CPU type to the generic " \
	"x86-64-v3 (VM > Hardware > Processors, or qm set VMID --cpu x86-64-v3) and stop and start the VM; " \
	"'host' works too but blocks live migration between different CPUs."

static const char advice_no_avx[] =
	"The CPU type is x86-64-v2 class without AVX (PVE's default x86-64-v2-AES has none). " NEEDS_V3 FIX_V3;

static const char advice_no_avx2[] =
	"The CPU type offers AVX but not AVX2 (SandyBridge and IvyBridge types, or x86-64-v2-AES with +avx): "
	"x86-64-v3 also needs AVX2, BMI1/2, FMA, F16C, LZCNT and MOVBE. " NEEDS_V3 FIX_V3;

static const char advice_host_lacks_v3[] =
	"This is the processor itself, not a VM's CPU type: it lacks what x86-64-v3 needs, so no Proxmox VE CPU "
	"type can give its VMs AVX2 ('host' included). " NEEDS_V3
	"Use x86-64-v2 builds on this machine, or run such software on a node with Haswell / Zen 1 or newer "
	"(the Celeron, Pentium Silver and Atom of the Jasper Lake, Elkhart Lake and Gemini Lake families have no "
	"AVX at all).";

static const char advice_faults[] =
	"Software that checks CPUID will use this extension and crash (SIGILL or a general protection fault). In a "
	"VM the CPU type or a '+flag' promises what the host cannot run (a named model newer than the host, or a VM "
	"live-migrated from a newer host): pick a type every node supports (see data.pve), remove custom flags, "
	"stop and start the VM. On bare metal: update BIOS and microcode; the feature may be disabled in firmware "
	"while CPUID still shows it.";

static const char advice_wrong[] =
	"A CPU that computes wrong results is defective or misconfigured. Run `triage isa --mode standard` again "
	"to confirm, and run it on the host too; update BIOS and microcode, undo overclocking or undervolting, "
	"check cooling, and move VMs off that host meanwhile. Under emulation it can be an emulator bug: compare "
	"with the host.";

static const char advice_not_os[] =
	"Advertised by CPUID, but the OS has not enabled its register state (XCR0), so its instructions raise #UD: "
	"programs that check CPUID but not XGETBV crash, careful ones run slower paths. Usually a kernel parameter "
	"(noxsave, noavx, clearcpuid=) or a hypervisor that shows the CPUID bit without the XSAVE state: remove the "
	"parameter, or fix the VM's CPU type and flags.";

static const char advice_inconsistent[] =
	"Every CPU of one system must offer the same instructions: programs pick code paths once and are then "
	"moved between CPUs, so they crash only sometimes. Check that every socket has the same CPU model and "
	"stepping, BIOS settings and microcode (dmesg | grep microcode); in a VM, the vCPUs are configured "
	"differently: report it to the hypervisor's maintainers.";

static const char advice_unadvertised[] =
	"The processor runs these instructions but the CPU type hides them from CPUID, so software does not use "
	"them. A richer CPU type exposes them, if every node that may run this VM has them (see data.pve).";

static const char advice_kernel_cleared[] =
	"The processor (or the VM's CPU type) offers these instructions, but the running kernel turned them off, "
	"so software does not use them. If that was not meant, remove the option from the kernel command line "
	"(/etc/default/grub, GRUB_CMDLINE_LINUX, then update-grub; or /etc/kernel/cmdline and "
	"proxmox-boot-tool refresh on PVE) or update the microcode (gather_data_sampling) and reboot.";

static const char advice_kernel_disagrees[] =
	"triage isa reads CPUID itself; the kernel read the same CPU at boot. Where they differ without a known "
	"cause, one of them is wrong: the CPU type or hypervisor changed CPUID after boot (live migration to a "
	"different host), or triage isa decodes a bit wrongly. Please report it with `triage isa --dump-cpuid` "
	"and /proc/cpuinfo.";

/* One finding for what the kernel turned off and one for what it
 * disagrees about, each listing the extensions and the cause. */
static void kernel_findings(struct run *r)
{
	static const struct {
		enum isa_kagree kind;
		const char *id, *advice, *summary;
		enum severity sev;
	} kinds[] = {
		{ ISA_K_CLEARED, "cpu.kernel-disabled", advice_kernel_cleared,
		  "advertised by the CPU but turned off by the kernel", SEV_WARN },
		{ ISA_K_DISAGREE, "cpu.kernel-disagrees", advice_kernel_disagrees,
		  "CPUID and the kernel's /proc/cpuinfo disagree", SEV_WARN },
	};

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		isa_set set = 0;
		const char *cause = NULL;
		struct finding *f;
		char *names;

		for (int xi = 0; xi < isa_next; xi++)
			for (int ci = 0; ci < r->ncpu; ci++)
				if (r->res[xi].kagree[ci] == kinds[k].kind) {
					set |= 1ULL << xi;
					cause = cause ? cause : r->res[xi].kcause;
				}
		if (!set)
			continue;
		names = set_text(set);
		f = check_finding(r->c, kinds[k].id, kinds[k].sev, kinds[k].advice, "%s: %s (%s)", kinds[k].summary,
				  names, cause);
		jw_arr(&f->ev, "extensions");
		for (int xi = 0; xi < isa_next; xi++)
			if (set >> xi & 1) {
				jw_obj(&f->ev, NULL);
				jw_str(&f->ev, "name", isa_exts[xi].name);
				jw_str(&f->ev, "kernel_flag", isa_exts[xi].kflag.name);
				jw_bool(&f->ev, "advertised", r->res[xi].adv_all);
				jw_int(&f->ev, "cpu", r->res[xi].kbad_cpu);
				jw_str(&f->ev, "cause", r->res[xi].kcause);
				jw_obj_end(&f->ev);
			}
		jw_arr_end(&f->ev);
		free(names);
	}
}

static void findings(struct run *r)
{
	struct check *c = r->c;
	isa_set unadvertised = 0, inconsistent = 0;

	for (int xi = 0; xi < isa_next; xi++) {
		const struct isa_ext *e = &isa_exts[xi];
		struct ext_result *res = &r->res[xi];
		struct finding *f;
		char id[64];

		if (!r->selected[xi])
			continue;
		if (res->summary == ISA_INCONSISTENT)
			inconsistent |= 1ULL << xi;
		if (res->summary == ISA_WORKS_UNADVERTISED)
			unadvertised |= 1ULL << xi;
		if (any_state(r, res, ISA_FAULTS)) {
			snprintf(id, sizeof(id), "cpu.advertised-but-faults.%s", e->name);
			f = check_finding(c, id, SEV_FAIL, advice_faults,
					  "%s is advertised by CPUID but raises %s (first on CPU %d)", e->name,
					  sig_name(res->sig), res->sig_cpu);
			jw_str(&f->ev, "signal", sig_name(res->sig));
			cpu_list(&f->ev, "cpus", r, res, ISA_FAULTS);
			jw_str(&f->ev, "kernel", e->what);
		}
		if (any_state(r, res, ISA_WRONG)) {
			snprintf(id, sizeof(id), "cpu.wrong-result.%s", e->name);
			f = check_finding(c, id, SEV_FAIL, advice_wrong,
					  "%s gives a wrong result on CPU %d: expected 0x%016llx, got 0x%016llx (%s)",
					  e->name, res->mm_cpu, (unsigned long long)res->mm.expected,
					  (unsigned long long)res->mm.got, res->mm.what);
			jw_int(&f->ev, "cpu", res->mm_cpu);
			cpu_list(&f->ev, "cpus", r, res, ISA_WRONG);
			jw_int(&f->ev, "iteration", res->mm_iter);
			jw_int(&f->ev, "word", res->mm.word);
			jw_strf(&f->ev, "expected", "0x%016llx", (unsigned long long)res->mm.expected);
			jw_strf(&f->ev, "got", "0x%016llx", (unsigned long long)res->mm.got);
			jw_uint(&f->ev, "seed", r->seed);
			jw_str(&f->ev, "kernel", e->what);
		}
		if (any_state(r, res, ISA_NOT_OS_ENABLED)) {
			snprintf(id, sizeof(id), "cpu.not-os-enabled.%s", e->name);
			if (r->first.has_xcr0)
				f = check_finding(c, id, SEV_WARN, advice_not_os,
						  "%s is advertised but XCR0 0x%llx lacks its register state", e->name,
						  (unsigned long long)r->first.xcr0);
			else
				f = check_finding(c, id, SEV_WARN, advice_not_os,
						  "%s is advertised but the OS has not enabled XSAVE (OSXSAVE off)", e->name);
			jw_bool(&f->ev, "osxsave", cpuid_get(&r->first, 1, 0)[R_ECX] >> 27 & 1);
			jw_strf(&f->ev, "xcr0", "0x%llx", (unsigned long long)r->first.xcr0);
			cpu_list(&f->ev, "cpus", r, res, ISA_NOT_OS_ENABLED);
		}
	}
	if (inconsistent) {
		char *names = set_text(inconsistent);
		struct finding *f = check_finding(c, "cpu.inconsistent", SEV_FAIL, advice_inconsistent,
						  "CPUs disagree about: %s", names);

		jw_obj(&f->ev, "per_cpu");
		for (int xi = 0; xi < isa_next; xi++)
			if (inconsistent >> xi & 1) {
				jw_arr(&f->ev, isa_exts[xi].name);
				for (int ci = 0; ci < r->ncpu; ci++)
					jw_strf(&f->ev, NULL, "%d:%s%s", r->cpus[ci],
						isa_state_name(r->res[xi].state[ci]),
						r->res[xi].adv[ci] ? "" : " (not advertised)");
				jw_arr_end(&f->ev);
			}
		jw_obj_end(&f->ev);
		free(names);
	}

	if (r->level_cpuid == 1) {
		char *hidden = NULL, *advice, *missing = set_text(isa_level_missing(r->usable));
		struct finding *f;

		if (r->level_exec > 1)
			hidden = xasprintf(" This processor executes x86-64-v%d when the type lets it: the CPU type, not the "
					   "hardware, is the limit.", r->level_exec);
		advice = xasprintf("%s%s", advice_baseline, hidden ? hidden : "");
		f = check_finding(c, "cpu.baseline-only", SEV_WARN, advice,
				  "the CPU offers only x86-64-v1 (missing for v2: %s): modern software crashes with SIGILL",
				  missing);
		jw_int(&f->ev, "level_cpuid", r->level_cpuid);
		jw_int(&f->ev, "level_exec", r->level_exec);
		set_names(&f->ev, "missing_for_v2", isa_level_missing(r->usable));
		free(missing);
		free(hidden);
		free(advice);
	} else if (isa_v3_gap(r->usable, isa_cpuid_vm(&r->first)) != ISA_V3_OK) {
		static const struct {
			const char *id, *advice, *summary;
		} gaps[] = {
			[ISA_V3_NO_AVX] = { "cpu.no-avx", advice_no_avx,
					    "no usable AVX: the CPU is x86-64-v2, software built for v3 does not start" },
			[ISA_V3_NO_AVX2] = { "cpu.no-avx2", advice_no_avx2,
					     "AVX without AVX2: the CPU is x86-64-v2, software built for v3 does not "
					     "start; the generic type x86-64-v3 fixes it" },
			[ISA_V3_HOST_LACKS] = { "cpu.host-lacks-v3", advice_host_lacks_v3,
						"the processor itself is x86-64-v2 (no hypervisor): no CPU type can "
						"help; software built for v3 cannot run here" },
		};
		enum isa_v3_gap g = isa_v3_gap(r->usable, isa_cpuid_vm(&r->first));
		char *missing = set_text(isa_level_missing(r->usable));
		struct finding *f = check_finding(c, gaps[g].id, SEV_WARN, gaps[g].advice, "%s (missing: %s)",
						  gaps[g].summary, missing);

		jw_int(&f->ev, "level_cpuid", r->level_cpuid);
		jw_int(&f->ev, "level_exec", r->level_exec);
		set_names(&f->ev, "missing_for_v3", isa_level_missing(r->usable));
		free(missing);
	}
	kernel_findings(r);
	if (unadvertised) {
		char *names = set_text(unadvertised);
		struct finding *f = check_finding(c, "cpu.works-unadvertised", SEV_INFO, advice_unadvertised,
						  "executes but hidden by CPUID: %s", names);

		set_names(&f->ev, "extensions", unadvertised);
		free(names);
	}
	if (r->rtm_commits == 0) {
		const char *to = r->pve_known && r->pve.closest >= 0 ? pve_types[r->pve.closest].name : "x86-64-v3";
		char *advice = xasprintf("Set the VM's CPU type to one without TSX: %s, or the -noTSX variant of its "
					 "model (Haswell-noTSX, Broadwell-noTSX, Skylake-Client-noTSX-IBRS, "
					 "Skylake-Server-noTSX-IBRS, Cascadelake-Server-noTSX, Icelake-Server-noTSX): qm set "
					 "VMID --cpu %s, then stop and start the VM. Software that uses RTM then takes its "
					 "lock path from the start instead of aborting every time.", to, to);
		struct finding *f = check_finding(c, "cpu.rtm-always-aborts", SEV_WARN, advice,
						  "the vCPU advertises RTM, but all %d transactions aborted: TSX is off "
						  "on the host (or forced to abort)", TSX_TRIES);

		jw_int(&f->ev, "tries", TSX_TRIES);
		jw_str(&f->ev, "type", to);
		free(advice);
	}
	if (r->pve_known && r->pve.closest >= 0) {
		char *beyond = set_text(r->pve.beyond);
		char *host = r->pve.beyond ? xasprintf(" (it adds %s)", beyond) : xstrdup("");
		char *advice = xasprintf("In PVE: VM > Hardware > Processors > Type. On a cluster prefer a generic "
					 "x86-64-vN type that every node supports; 'host'%s blocks live migration to "
					 "nodes with a different CPU.", host);
		struct finding *f;

		f = check_finding(c, "cpu.pve-type", SEV_INFO, advice,
				  "closest Proxmox VE CPU type: %s%s%s", pve_types[r->pve.closest].name,
				  r->pve.beyond ? "; the CPU also has " : "", r->pve.beyond ? beyond : "");
		jw_str(&f->ev, "closest", pve_types[r->pve.closest].name);
		jw_str(&f->ev, "generic", r->pve.generic >= 0 ? pve_types[r->pve.generic].name : NULL);
		set_names(&f->ev, "beyond", r->pve.beyond);
		free(beyond);
		free(host);
		free(advice);
	}
}

/* Linux hands out the AMX tile state per process on request (5.16+,
 * Documentation/arch/x86/xstate.rst): without it the first tile
 * instruction faults although CPUID and XCR0 say yes. */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static void amx_permission(struct jw *w, const struct cpuid_dump *c)
{
	if (!cpuid_bit(c, 7, 0, R_EDX, 24)) {
		jw_null(w, "amx_permission");
		return;
	}
	if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0)
		jw_str(w, "amx_permission", "granted");
	else
		jw_strf(w, "amx_permission", "refused: %s", strerror(errno));
}

/* AVX10 (Intel's AVX10 architecture specification): the version and the
 * vector lengths are in CPUID 0x24.0 EBX. */
static void avx10(struct jw *w, const struct cpuid_dump *c)
{
	uint32_t ebx = cpuid_get(c, 0x24, 0)[R_EBX];

	if (!cpuid_bit(c, 7, 1, R_EDX, 19)) {
		jw_null(w, "avx10");
		return;
	}
	jw_obj(w, "avx10");
	jw_int(w, "version", ebx & 0xff);
	jw_bool(w, "vl128", ebx >> 16 & 1);
	jw_bool(w, "vl256", ebx >> 17 & 1);
	jw_bool(w, "vl512", ebx >> 18 & 1);
	jw_obj_end(w);
}

/* The value of tsx= on the kernel command line (the kernel's
 * Documentation/admin-guide/kernel-parameters.txt: on, off, auto), into out;
 * false when absent. */
static bool cmdline_tsx(const char *cmdline, char *out, size_t len)
{
	for (const char *p = cmdline ? cmdline : ""; *p;) {
		size_t n = strcspn(p, " \t\n");

		if (n > 4 && !strncmp(p, "tsx=", 4)) {
			snprintf(out, len, "%.*s", (int)(n - 4), p + 4);
			return true;
		}
		p += n;
		p += strspn(p, " \t\n");
	}
	return false;
}

/* TSX as the CPU, the kernel and a real transaction see it. */
static void tsx_data(struct jw *w, const struct run *r)
{
	char val[32], *taa = read_file("/sys/devices/system/cpu/vulnerabilities/tsx_async_abort", 512, NULL);

	jw_obj(w, "tsx");
	jw_bool(w, "rtm", cpuid_bit(&r->first, 7, 0, R_EBX, 11));
	jw_bool(w, "hle", cpuid_bit(&r->first, 7, 0, R_EBX, 4));
	jw_bool(w, "rtm_always_abort", cpuid_bit(&r->first, 7, 0, R_EDX, 11)); /* CPUID.7.0:EDX[11] */
	jw_bool(w, "tsx_force_abort", cpuid_bit(&r->first, 7, 0, R_EDX, 13));  /* CPUID.7.0:EDX[13] */
	jw_str(w, "cmdline", cmdline_tsx(r->cmdline, val, sizeof(val)) ? val : NULL);
	if (taa)
		taa[strcspn(taa, "\n")] = 0;
	jw_str(w, "taa", taa);
	if (r->rtm_commits >= 0) {
		jw_int(w, "rtm_tries", TSX_TRIES);
		jw_int(w, "rtm_commits", r->rtm_commits);
	} else {
		jw_null(w, "rtm_tries");
		jw_null(w, "rtm_commits");
	}
	jw_obj_end(w);
	free(taa);
}

static void write_data(struct run *r)
{
	struct jw *w = check_data(r->c);
	struct isa_hypervisor hv;
	int counts[ISA_NSTATES] = { 0 };
	struct jw *m = check_metrics(r->c);

	isa_hypervisor(&r->first, &hv);
	jw_uint(w, "seed", r->seed);
	jw_int(w, "iterations", r->iterations);
	jw_int(w, "iterations_min_done", r->min_done); /* fewer when the time budget ran out */
	jw_str(w, "injected", r->inject);
	jw_arr(w, "cpus");
	for (int ci = 0; ci < r->ncpu; ci++)
		jw_int(w, NULL, r->cpus[ci]);
	jw_arr_end(w);

	jw_obj(w, "identification");
	jw_str(w, "vendor", r->ident.vendor);
	jw_str(w, "brand", r->ident.brand);
	jw_int(w, "family", r->ident.family);
	jw_int(w, "model", r->ident.model);
	jw_int(w, "stepping", r->ident.stepping);
	jw_str(w, "codename", r->ident.lc_ok ? r->ident.codename : NULL); /* libcpuid's guess, by family/model */
	jw_str(w, "name", r->ident.name); /* lib/cpunames: known data, or "unknown" */
	jw_str(w, "source", r->ident.lc_ok ? "libcpuid" : "cpuid");
	jw_obj_end(w);

	jw_obj(w, "hypervisor");
	jw_bool(w, "present", hv.present);
	jw_str(w, "name", hv.name);
	jw_str(w, "signature", hv.present ? hv.sig0 : NULL);
	if (hv.present)
		jw_strf(w, "max_leaf", "0x%08x", hv.max0);
	else
		jw_null(w, "max_leaf");
	jw_str(w, "signature_40000100", hv.sig1[0] ? hv.sig1 : NULL);
	jw_obj_end(w);

	jw_obj(w, "os");
	jw_bool(w, "osxsave", cpuid_get(&r->first, 1, 0)[R_ECX] >> 27 & 1);
	if (r->first.has_xcr0)
		jw_strf(w, "xcr0", "0x%llx", (unsigned long long)r->first.xcr0);
	else
		jw_null(w, "xcr0");
	amx_permission(w, &r->first);
	jw_obj_end(w);
	avx10(w, &r->first);
	tsx_data(w, r);

	jw_arr(w, "extensions");
	for (int xi = 0; xi < isa_next; xi++) {
		const struct isa_ext *e = &isa_exts[xi];
		struct ext_result *res = &r->res[xi];

		if (!r->selected[xi])
			continue;
		counts[res->summary]++;
		jw_obj(w, NULL);
		jw_str(w, "name", e->name);
		jw_int(w, "level", e->level);
		jw_bool(w, "advertised", res->adv_all);
		jw_bool(w, "os_enabled", res->os_all);
		jw_str(w, "state", isa_state_name(res->summary));
		jw_arr(w, "per_cpu");
		for (int ci = 0; ci < r->ncpu; ci++)
			jw_str(w, NULL, isa_state_name(res->state[ci]));
		jw_arr_end(w);
		if (res->sig)
			jw_str(w, "signal", sig_name(res->sig));
		if (res->mismatch) {
			jw_obj(w, "mismatch");
			jw_int(w, "cpu", res->mm_cpu);
			jw_int(w, "iteration", res->mm_iter);
			jw_int(w, "word", res->mm.word);
			jw_strf(w, "expected", "0x%016llx", (unsigned long long)res->mm.expected);
			jw_strf(w, "got", "0x%016llx", (unsigned long long)res->mm.got);
			jw_str(w, "what", res->mm.what);
			jw_obj_end(w);
		}
		if (res->aliased)
			jw_str(w, "note", "not advertised; executes as another instruction (wrong result)");
		/* the kernel's /proc/cpuinfo flag on the first CPU: null where it has none to compare */
		jw_str(w, "kernel_name", e->kflag.name);
		if (res->kshown >= 0)
			jw_bool(w, "kernel_flag", res->kshown);
		else
			jw_null(w, "kernel_flag");
		if (res->kcause[0])
			jw_str(w, "kernel_note", res->kcause);
		jw_str(w, "kernel", e->what);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	/* The same, by state: easy to assert on ("by_state.absent ~ avx512f"). */
	jw_obj(w, "by_state");
	for (int st = 0; st < ISA_NSTATES; st++) {
		jw_arr(w, isa_state_name((enum isa_state)st));
		for (int xi = 0; xi < isa_next; xi++)
			if (r->selected[xi] && r->res[xi].summary == (enum isa_state)st)
				jw_str(w, NULL, isa_exts[xi].name);
		jw_arr_end(w);
	}
	jw_obj_end(w);

	jw_obj(w, "levels");
	jw_int(w, "cpuid", r->level_cpuid);
	if (r->level_exec)
		jw_int(w, "exec", r->level_exec);
	else
		jw_null(w, "exec");
	set_names(w, "cpuid_missing_for_next", isa_level_missing(r->usable));
	if (r->level_exec)
		set_names(w, "exec_missing_for_next", isa_level_missing(r->exec));
	jw_obj_end(w);

	if (r->pve_known) {
		isa_set closest = 0;
		char err[96];

		jw_obj(w, "pve");
		jw_str(w, "closest", r->pve.closest >= 0 ? pve_types[r->pve.closest].name : NULL);
		jw_str(w, "generic", r->pve.generic >= 0 ? pve_types[r->pve.generic].name : NULL);
		jw_str(w, "model", r->pve.model >= 0 ? pve_types[r->pve.model].name : NULL);
		jw_arr(w, "same_features");
		if (r->pve.closest >= 0) {
			pve_type_set(&pve_types[r->pve.closest], &closest, err, sizeof(err));
			for (int i = 0; i < pve_ntypes; i++) {
				isa_set s;

				if (i != r->pve.closest && pve_type_set(&pve_types[i], &s, err, sizeof(err)) == 0 &&
				    s == closest)
					jw_str(w, NULL, pve_types[i].name);
			}
		}
		jw_arr_end(w);
		set_names(w, "beyond", r->pve.beyond);
		jw_bool(w, "host_richer", r->pve.beyond != 0);
		jw_obj_end(w);
	} else {
		jw_null(w, "pve");
	}

	jw_int(m, "level_cpuid", r->level_cpuid);
	if (r->level_exec)
		jw_int(m, "level_exec", r->level_exec);
	else
		jw_null(m, "level_exec");
	jw_int(m, "ok", counts[ISA_OK]);
	jw_int(m, "absent", counts[ISA_ABSENT]);
	jw_int(m, "works_unadvertised", counts[ISA_WORKS_UNADVERTISED]);
	jw_int(m, "faults", counts[ISA_FAULTS]);
	jw_int(m, "wrong", counts[ISA_WRONG]);
	jw_int(m, "not_os_enabled", counts[ISA_NOT_OS_ENABLED]);
	jw_int(m, "inconsistent", counts[ISA_INCONSISTENT]);
	jw_int(m, "untested", counts[ISA_UNTESTED]);
	jw_int(m, "extensions", counts[ISA_OK] + counts[ISA_ABSENT] + counts[ISA_WORKS_UNADVERTISED] +
				   counts[ISA_FAULTS] + counts[ISA_WRONG] + counts[ISA_NOT_OS_ENABLED] +
				   counts[ISA_INCONSISTENT] + counts[ISA_UNTESTED]);
	jw_int(m, "cpus", r->ncpu);
	/* against /proc/cpuinfo: turned off by the kernel with a cause, and differing without one */
	jw_int(m, "kernel_cleared", r->kernel_cleared);
	jw_int(m, "kernel_disagreements", r->kernel_disagree);
}

static void tap(struct run *r)
{
	for (int xi = 0; xi < isa_next; xi++) {
		const struct ext_result *res = &r->res[xi];
		bool bad = res->summary == ISA_FAULTS || res->summary == ISA_WRONG || res->summary == ISA_INCONSISTENT;

		if (!r->selected[xi])
			continue;
		if (!isa_exts[xi].kernel && res->summary == ISA_ABSENT) {
			check_ok(r->c, true, "%s: absent on %d CPU%s (CPUID only)", isa_exts[xi].name, r->ncpu,
				 r->ncpu == 1 ? "" : "s");
			continue;
		}
		if (!isa_exts[xi].kernel) {
			check_skip(r->c, "%s: %s on %d CPU%s, not executed (%s)", isa_exts[xi].name,
				   isa_state_name(res->summary), r->ncpu, r->ncpu == 1 ? "" : "s", isa_exts[xi].what);
			continue;
		}
		check_ok(r->c, !bad, "%s: %s on %d CPU%s%s", isa_exts[xi].name, isa_state_name(res->summary), r->ncpu,
			 r->ncpu == 1 ? "" : "s", res->aliased ? " (runs as another instruction)" : "");
	}
	check_note(r->c, "x86-64 level: v%d by CPUID, %s by execution", r->level_cpuid,
		   r->level_exec ? (const char *[]){ "", "v1", "v2", "v3", "v4" }[r->level_exec] : "not known");
}

int cmd_isa(int argc, char **argv)
{
	static struct run run;
	struct optv vals[ARRAY_SIZE(isa_opts)];
	struct check c;
	int rc;

	memset(vals, 0, sizeof(vals));
	rc = check_begin(&c, "isa", usage, isa_opts, vals, argc, argv);
	if (rc >= 0)
		return rc;
	if (vals[O_LIST].set) {
		list_exts();
		return EXIT_PASS;
	}
	memset(&run, 0, sizeof(run));
	run.c = &c;
	if (parse_cpus(&run, vals[O_CPUS].set ? vals[O_CPUS].str : NULL) < 0 ||
	    parse_only(&run, vals[O_ONLY].set ? vals[O_ONLY].str : NULL) < 0 ||
	    parse_inject(&run, vals[O_INJECT].set ? vals[O_INJECT].str : NULL) < 0)
		return EXIT_ERROR;
	if (vals[O_DUMP].set) {
		static struct cpuid_dump dump;

		if (cpu_pin(run.cpus[0]) < 0)
			dief("cannot run on CPU %d", run.cpus[0]);
		cpuid_collect(&dump);
		printf("# CPU %d\n", run.cpus[0]);
		cpuid_write(stdout, &dump);
		return EXIT_PASS;
	}
	run.iterations = vals[O_ITER].set ? (int)vals[O_ITER].num : iterations_by_mode[c.mode];
	if (!vals[O_ITER].set)
		run.budget_ns = (int64_t)(c.limit_s * BUDGET_SHARE * 1e9);
	run.seed = vals[O_SEED].set ? (uint64_t)vals[O_SEED].num : (uint64_t)now_ns() ^ (uint64_t)getpid() << 32;

	check_note(&c, "%d extensions, %d CPUs, %d inputs per kernel, seed %llu", isa_next, run.ncpu,
		   run.iterations, (unsigned long long)run.seed);
	if (run.inject)
		check_note(&c, "injected for testing: %s", run.inject);
	run.cpuinfo = read_file("/proc/cpuinfo", 1 << 24, NULL);
	run.cmdline = read_file("/proc/cmdline", 1 << 16, NULL);
	run.klog = read_klog();
	{
		char *rel = read_file("/proc/sys/kernel/osrelease", 256, NULL);

		run.kernel_release = isa_kernel_release(rel);
		free(rel);
	}
	if (!run.cpuinfo)
		check_note(&c, "cannot read /proc/cpuinfo: no comparison with the kernel's flags");
	if (run_cpus(&run) == 0)
		return check_end(&c, ST_ERROR, "could not run on any CPU");
	summarize(&run);
	tap(&run);
	findings(&run);
	write_data(&run);
	for (int xi = 0; xi < isa_next; xi++) {
		free(run.res[xi].state);
		free(run.res[xi].adv);
		free(run.res[xi].os);
		free(run.res[xi].kagree);
	}
	free(run.cpuinfo);
	free(run.cmdline);
	free(run.klog);
	return check_end(&c, -1, NULL);
}
