/* triage isa against oracles nobody here wrote, on whatever machine runs
 * the tests: every extension the kernel names in /proc/cpuinfo "flags" is
 * advertised by our CPUID decoding exactly when the kernel shows it, on
 * every CPU (unless the kernel turned it off for a cause we name), and our
 * x86-64 level from CPUID is the highest level glibc's `ld.so --help` calls
 * supported. Then the parsers and the causes on fixed texts. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "isa/isa.h"
#include "lib/util.h"

/* glibc's dynamic loader; `--help` lists the levels since glibc 2.33. */
#define LDSO "/lib64/ld-linux-x86-64.so.2"

static char *run_text(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, len = 0, n;
	char *buf;

	if (!p)
		return NULL;
	buf = calloc(cap + 1, 1);
	while ((n = fread(buf + len, 1, cap - len, p)) > 0 && len + n < cap)
		len += n;
	pclose(p);
	return buf;
}

/* The CPUs this process may use, taken before any test pins it to one. */
static cpu_set_t allowed;

static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 && sched_getcpu() == cpu;
}

static void test_kernel_flags_on_every_cpu(void **state)
{
	static struct cpuid_dump c;
	char *cpuinfo = read_file("/proc/cpuinfo", 1 << 24, NULL), *cmdline = read_file("/proc/cmdline", 1 << 16, NULL);
	char *klog = run_text("dmesg 2>/dev/null"), *rel = read_file("/proc/sys/kernel/osrelease", 256, NULL);
	struct isa_kview kv = { cmdline, klog, isa_kernel_release(rel) };
	static char flags[1 << 14];
	int cpus = 0, compared = 0, cleared = 0, bad = 0;

	(void)state;
	assert_non_null(cpuinfo);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {

		if (!CPU_ISSET(cpu, &allowed) || !pin(cpu))
			continue;
		if (isa_cpuinfo_flags(cpuinfo, cpu, flags, sizeof(flags)) != 0) {
			print_message("  /proc/cpuinfo has no flags for processor %d\n", cpu);
			bad++;
			continue;
		}
		cpuid_collect(&c);
		cpus++;
		for (int i = 0; i < isa_next; i++) {
			const struct isa_ext *e = &isa_exts[i];
			char cause[200];
			bool adv = isa_advertised(e, &c);
			enum isa_kagree a = isa_kernel_agree(e, adv, isa_os_enabled(e, &c), flags, &kv, cause,
							     sizeof(cause));

			compared += a != ISA_K_NONE;
			if (a == ISA_K_CLEARED) {
				cleared++;
				print_message("  CPU %d %s: advertised, turned off by the kernel: %s\n", cpu, e->name, cause);
			} else if (a == ISA_K_DISAGREE) {
				bad++;
				print_message("  CPU %d %s (kernel: %s): advertised %s, kernel %s: %s\n", cpu, e->name,
					      e->kflag.name, adv ? "yes" : "no",
					      isa_flags_have(flags, e->kflag.name) ? "yes" : "no", cause);
			}
		}
	}
	print_message("  %d CPUs, %d extension flags compared with /proc/cpuinfo, %d cleared by the kernel, %d "
		      "disagree\n", cpus, compared, cleared, bad);
	free(cpuinfo);
	free(cmdline);
	free(klog);
	free(rel);
	assert_true(cpus > 0);
	assert_true(compared >= cpus * 30);
	assert_int_equal(bad, 0);
}

static void test_level_matches_glibc(void **state)
{
	static struct cpuid_dump c;
	char *help = run_text("env -u GLIBC_TUNABLES " LDSO " --help 2>/dev/null");
	int glibc = help ? isa_glibc_level(help) : -1;

	(void)state;
	free(help);
	if (glibc < 0) {
		print_message("  %s --help lists no x86-64 levels (glibc before 2.33): nothing to compare\n", LDSO);
		skip();
		return;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		int ours;

		if (!CPU_ISSET(cpu, &allowed) || !pin(cpu))
			continue;
		cpuid_collect(&c);
		ours = isa_level(isa_usable_set(&c));
		print_message("  CPU %d: level_cpuid v%d, glibc: x86-64-v%d supported\n", cpu, ours, glibc);
		assert_int_equal(ours, glibc);
	}
}

static void test_cpuinfo_parser(void **state)
{
	static const char text[] = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 abm\n\n"
				   "processor\t: 1\nflags\t\t: fpu sse2\nbugs\t\t: sysret_ss_attrs\n\n"
				   "processor\t: 12\nflags\t\t: avx512f avx512_vnni\n";
	char out[64], tiny[6];

	(void)state;
	assert_int_equal(isa_cpuinfo_flags(text, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "fpu sse2 avx2 abm");
	assert_true(isa_flags_have(out, "abm"));
	assert_true(isa_flags_have(out, "fpu"));
	assert_false(isa_flags_have(out, "avx")); /* a prefix of avx2 is not avx */
	assert_false(isa_flags_have(out, "sse"));
	assert_int_equal(isa_cpuinfo_flags(text, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "fpu sse2");
	assert_int_equal(isa_cpuinfo_flags(text, 12, out, sizeof(out)), 0);
	assert_true(isa_flags_have(out, "avx512_vnni"));
	assert_int_equal(isa_cpuinfo_flags(text, 2, out, sizeof(out)), -1);
	assert_int_equal(isa_cpuinfo_flags(text, 1, tiny, sizeof(tiny)), 0); /* truncated, terminated */
	assert_string_equal(tiny, "fpu s");
	assert_int_equal(isa_cpuinfo_flags("", 0, out, sizeof(out)), -1);
}

static void test_glibc_parser(void **state)
{
	/* glibc 2.36 (Debian 12) on a v3 machine, abridged */
	static const char v3[] = "Subdirectories of glibc-hwcaps directories, in priority order:\n"
				 "  x86-64-v4\n  x86-64-v3 (supported, searched)\n  x86-64-v2 (supported, searched)\n";
	static const char v1[] = "  x86-64-v4\n  x86-64-v3\n  x86-64-v2\n";

	(void)state;
	assert_int_equal(isa_glibc_level(v3), 3);
	assert_int_equal(isa_glibc_level(v1), 1);
	assert_int_equal(isa_glibc_level("Usage: ld.so [OPTION]..."), -1);
	assert_int_equal(isa_glibc_level("  x86-64-v4 (supported, searched)\n  x86-64-v3 (supported, searched)\n"), 4);
}

static enum isa_kagree agree(const struct isa_ext *e, bool adv, bool os, const char *flags, const char *cmdline,
			     const char *klog, int release, char *cause)
{
	struct isa_kview kv = { cmdline, klog, release };

	return isa_kernel_agree(e, adv, os, flags, &kv, cause, 200);
}

static void test_kernel_causes(void **state)
{
	const struct isa_ext *avx2 = &isa_exts[isa_find("avx2")], *avx512bw = &isa_exts[isa_find("avx512bw")];
	const struct isa_ext *xsavec = &isa_exts[isa_find("xsavec")], *sse42 = &isa_exts[isa_find("sse4.2")];
	const struct isa_ext *fp16 = &isa_exts[isa_find("avx512fp16")];
	char cause[200];

	(void)state;
	/* agreement either way */
	assert_int_equal(agree(avx2, true, true, "sse2 avx2", NULL, NULL, 0, cause), ISA_K_AGREE);
	assert_int_equal(agree(avx2, false, true, "sse2 avx", NULL, NULL, 0, cause), ISA_K_AGREE);
	/* cleared through an ancestor named by clearcpuid= */
	assert_int_equal(agree(avx2, true, true, "sse2", "quiet clearcpuid=sha_ni,avx", NULL, 0, cause),
			 ISA_K_CLEARED);
	assert_non_null(strstr(cause, "clearcpuid=sha_ni,avx"));
	assert_non_null(strstr(cause, "clears avx"));
	assert_int_equal(agree(avx512bw, true, true, "sse2", "clearcpuid=avx512f", NULL, 0, cause),
			 ISA_K_CLEARED);
	/* noxsave reaches everything under XSAVE */
	assert_int_equal(agree(xsavec, true, false, "sse2", "ro noxsave", NULL, 0, cause),
			 ISA_K_CLEARED);
	assert_string_equal(cause, "noxsave on the kernel command line");
	/* GDS: on the command line, and from the kernel's log */
	assert_int_equal(agree(avx2, true, true, "sse2", "gather_data_sampling=force", NULL, 0, cause),
			 ISA_K_CLEARED);
	assert_int_equal(agree(avx2, true, true, "sse2", "",
			       "[0.1] GDS: Microcode update needed! Disabling AVX as mitigation.\n", 0, cause),
			 ISA_K_CLEARED);
	assert_non_null(strstr(cause, "Disabling AVX"));
	/* no cause: a disagreement, either way */
	assert_int_equal(agree(avx2, true, true, "sse2", "noxsaves gather_data_sampling=off", NULL, 0, cause),
			 ISA_K_DISAGREE);
	assert_int_equal(agree(sse42, false, true, "sse2 sse4_2", NULL, NULL, 0, cause),
			 ISA_K_DISAGREE);
	assert_int_equal(agree(avx2, true, true, "sse2", "clearcpuid=avx2x", NULL, 0, cause),
			 ISA_K_DISAGREE);
	/* a kernel before 6.1 may not know a name: its absence is no disagreement */
	assert_int_equal(agree(fp16, true, true, "sse2 avx512f", NULL, NULL, 510, cause), ISA_K_NONE);
	assert_int_equal(agree(fp16, true, true, "sse2 avx512f", NULL, NULL, 601, cause), ISA_K_DISAGREE);
	assert_int_equal(agree(fp16, true, true, "sse2 avx512_fp16", NULL, NULL, 510, cause), ISA_K_AGREE);
	assert_int_equal(isa_kernel_release("6.1.0-13-amd64"), 601);
	assert_int_equal(isa_kernel_release("6.18.44-fc-v669"), 618);
	assert_int_equal(isa_kernel_release("5.10"), 510);
	assert_int_equal(isa_kernel_release("garbage"), 0);
	/* no cpuinfo: nothing to compare */
	assert_int_equal(agree(avx2, true, true, NULL, NULL, NULL, 0, cause), ISA_K_NONE);
}

/* This machine: its name from the data or "unknown", and the PVE type isa
 * would advise from what CPUID offers here is one QEMU with enforce starts
 * on this CPU. */
static void test_this_machine(void **state)
{
	static struct cpuid_dump c;
	struct isa_ident id;
	struct pve_match m;
	struct qm_verdict v;
	char why[1024];

	(void)state;
	cpuid_collect(&c);
	isa_identify(&c, &id);
	assert_true(id.name[0]);
	pve_match(isa_usable_set(&c), &c, &m);
	assert_true(m.closest >= 0);
	if (!pve_type_starts(&pve_types[m.closest], &c, &v)) {
		qm_verdict_describe(&v, why, sizeof(why));
		fail_msg("%s is advised here, QEMU refuses it: %s", pve_types[m.closest].name, why);
	}
	print_message("  this machine: %s family %#x model %#x: %s, advised %s\n", id.vendor, id.family, id.model, id.name,
		      pve_types[m.closest].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_machine),
		cmocka_unit_test(test_cpuinfo_parser),
		cmocka_unit_test(test_glibc_parser),
		cmocka_unit_test(test_kernel_causes),
		cmocka_unit_test(test_kernel_flags_on_every_cpu),
		cmocka_unit_test(test_level_matches_glibc),
	};

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return 1;
	return cmocka_run_group_tests_name("isa-oracle", tests, NULL, NULL);
}
