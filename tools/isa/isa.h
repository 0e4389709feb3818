/* triage isa: which instructions the (virtual) CPU really executes.
 *
 * One row of isa_exts[] per ISA extension: its CPUID predicate, the OS
 * state it needs (OSXSAVE, XCR0 bits), a kernel compiled with a per-function
 * target attribute, and a scalar reference the kernel's output is compared
 * with over random inputs. The pure logic (CPUID dumps, predicates, state
 * classification, levels, PVE matching, verification) is here so that the
 * unit tests can call it without running anything.
 */
#ifndef VMTRIAGE_ISA_H
#define VMTRIAGE_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/cpuid.h"
#include "lib/pvetypes.h"

/* ---- random inputs ---- */

struct isa_rng {
	uint64_t s;
};

uint64_t isa_rng_next(struct isa_rng *r); /* splitmix64 */
/* Bits of a finite double with a random sign and mantissa and an
 * exponent in [emin, emax]: no NaN or infinity, whose propagation rules
 * differ between hardware and libm. */
uint64_t isa_rand_double(struct isa_rng *r, int emin, int emax);
uint32_t isa_rand_float(struct isa_rng *r, int emin, int emax);

/* ---- CPUID (the raw reading is lib/cpuid.h) ---- */

/* Who made the CPU and what it is: vendor, brand and family/model/stepping
 * from CPUID, the codename from libcpuid (cpu_identify on the dump). Only
 * identification: what the CPU offers comes from the raw bits, since
 * libcpuid may be older than the CPU (Debian 12's does not decode AVX-512
 * on AMD). */
struct isa_ident {
	char vendor[16];
	char brand[64];
	char codename[64];
	int family, model, stepping;
	bool lc_ok; /* libcpuid recognised it: codename is its guess */
	char name[160]; /* lib/cpunames: the kernel's name, libcpuid's where it agrees, or "unknown" */
};
void isa_identify(const struct cpuid_dump *c, struct isa_ident *id);

struct isa_hypervisor {
	bool present;		/* CPUID.1:ECX[31] */
	char sig0[13];		/* leaf 0x40000000 signature */
	uint32_t max0;
	char sig1[13];		/* leaf 0x40000100 (KVM beside Hyper-V enlightenments) */
	const char *name;	/* lib/hypervisor.h's name ("KVM", "QEMU TCG"...), "unknown", "none" */
};
void isa_hypervisor(const struct cpuid_dump *c, struct isa_hypervisor *h);

/* ---- the feature table ---- */

/* OS state an extension needs before its instructions stop raising #UD. */
enum isa_os {
	OS_NONE,  /* no extra state */
	OS_XSAVE, /* CR4.OSXSAVE (seen as CPUID.1:ECX.OSXSAVE) */
	OS_YMM,	  /* OSXSAVE and XCR0 SSE|AVX (bits 1, 2) */
	OS_ZMM,	  /* OS_YMM and XCR0 opmask|ZMM_Hi256|Hi16_ZMM (bits 5-7) */
	OS_AMX,	  /* OSXSAVE and XCR0 XTILECFG|XTILEDATA (bits 17-18); Linux also wants
		   * arch_prctl(ARCH_REQ_XCOMP_PERM) per process before the first use */
};

#define XCR0_SSE 0x2ULL
#define XCR0_YMM 0x4ULL
#define XCR0_AVX512 0xe0ULL /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_AMX 0x60000ULL /* XTILECFG, XTILEDATA */

/* Where CPUID advertises the extension: leaf, sub-leaf, register, bit. */
struct isa_pred {
	uint32_t leaf, sub;
	uint8_t reg, bit;
};

/* The kernel's name of the extension in /proc/cpuinfo "flags" (NULL: it
 * shows none); newer: only kernels after 6.1 show it, so its absence may
 * only mean an older kernel. */
struct isa_kflag {
	const char *name;
	bool newer;
};

struct isa_ctx {
	int cpu; /* the CPU the kernel runs on (RDTSCP/RDPID report it) */
};

struct isa_mismatch {
	int iter, word;
	uint64_t expected, got;
	char what[96];	    /* for property checks: what was wrong */
};

struct isa_ext;
typedef void (*isa_kernel_fn)(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx);
typedef void (*isa_gen_fn)(uint64_t *in, int n, struct isa_rng *r);
/* Property checks (RDRAND, RDTSCP...): true if right, else fills m. */
typedef bool (*isa_check_fn)(const uint64_t *out, int n, const struct isa_ctx *ctx, struct isa_mismatch *m);
/* Makes out wrong in a way the check must see (tests). */
typedef void (*isa_corrupt_fn)(uint64_t *out, int n);

struct isa_ext {
	const char *name;      /* stable: finding ids use it */
	const char *what;      /* what the kernel runs */
	int level;	       /* x86-64 psABI level that requires it (0: none) */
	struct isa_pred pred;
	struct isa_kflag kflag;
	enum isa_os os;
	int in_words, out_words; /* per iteration */
	isa_gen_fn gen;	       /* NULL: uniform random words */
	isa_kernel_fn kernel;  /* uses the extension: target("..."); NULL: CPUID only, what says why */
	isa_kernel_fn ref;     /* baseline scalar reference, or NULL ... */
	isa_check_fn check;    /* ... and a property check instead */
	isa_corrupt_fn corrupt; /* NULL: flip one bit */
};

extern const struct isa_ext isa_exts[];
extern const int isa_next;

#define ISA_MAX_EXTS 64
typedef uint64_t isa_set; /* bit i: isa_exts[i] */

int isa_find(const char *name); /* index or -1 */

/* Per-CPU state of one extension. */
enum isa_state {
	ISA_OK,		       /* advertised, enabled, executes, right */
	ISA_ABSENT,	       /* not advertised and does not work: consistent */
	ISA_WORKS_UNADVERTISED, /* not advertised, yet executes correctly */
	ISA_FAULTS,	       /* advertised and enabled, raises a fault */
	ISA_WRONG,	       /* advertised and enabled, wrong result */
	ISA_NOT_OS_ENABLED,     /* advertised, the OS did not enable its state */
	ISA_INCONSISTENT,       /* summary only: CPUs disagree */
	ISA_UNTESTED,	       /* advertised and enabled; no kernel (CPUID only) */
	ISA_NSTATES
};
const char *isa_state_name(enum isa_state s);
enum isa_state isa_classify(bool advertised, bool os_enabled, bool ran, bool right);
/* "Usable as software sees it" and "really works". */
bool isa_state_executes(enum isa_state s);

/* The raw CPUID bit of the row: the hardware's (or hypervisor's) own word. */
bool isa_advertised(const struct isa_ext *e, const struct cpuid_dump *c);
bool isa_os_enabled(const struct isa_ext *e, const struct cpuid_dump *c);
/* Advertised-and-enabled set of a dump: what software would use. */
isa_set isa_usable_set(const struct cpuid_dump *c);

/* ---- running and verifying ---- */

/* Fills n iterations of input for e. */
void isa_gen(const struct isa_ext *e, uint64_t *in, int n, struct isa_rng *r);
/* Runs e's kernel under the fault guard: 0 if it ran, else the signal. */
int isa_run_kernel(const struct isa_ext *e, const uint64_t *in, uint64_t *out, int n,
		   const struct isa_ctx *ctx);
/* Checks out against the reference (scratch: n * out_words words) or the
 * property check. True if right; else m says where and what. */
bool isa_verify(const struct isa_ext *e, const uint64_t *in, const uint64_t *out, uint64_t *scratch,
		int n, const struct isa_ctx *ctx, struct isa_mismatch *m);
void isa_corrupt(const struct isa_ext *e, uint64_t *out, int n);

/* ---- x86-64 levels and PVE CPU types ---- */

/* Highest psABI level (1..4) whose extensions are all in set. */
int isa_level(isa_set set);
/* Extensions of the next level missing from set (0 if at v4). */
isa_set isa_level_missing(isa_set set);

/* What a CPU at x86-64-v2 lacks for v3, for the findings: no AVX (a VM's
 * type: x86-64-v3 fixes it), AVX without AVX2 (the same), or, with no
 * hypervisor, the processor itself (no type can help). ISA_V3_OK at v1
 * (the baseline finding says more) and at v3 and above. */
enum isa_v3_gap { ISA_V3_OK, ISA_V3_NO_AVX, ISA_V3_NO_AVX2, ISA_V3_HOST_LACKS };
enum isa_v3_gap isa_v3_gap(isa_set usable, bool virtual_machine);
/* CPUID.1:ECX[31], the hypervisor bit. */
bool isa_cpuid_vm(const struct cpuid_dump *c);

/* The feature set of a type; -1 with the bad name in err if the table
 * names an unknown extension. */
int pve_type_set(const struct pve_type *t, isa_set *set, char *err, size_t errlen);

struct pve_match {
	int generic; /* richest generic type (x86-64-vN, kvm64...) within the set, or -1 */
	int model;   /* richest named model of the same vendor, or -1 */
	int closest; /* the richer of the two (generic on a tie), or -1 */
	isa_set beyond; /* in the set but not in the closest type */
};
/* c: the CPU's raw CPUID (its vendor, and the enforce predicate: a type
 * QEMU refuses here is never the answer). */
void pve_match(isa_set exec, const struct cpuid_dump *c, struct pve_match *m);

/* ---- the kernel's and glibc's view: oracles nobody here wrote ---- */

/* The "flags" line of processor cpu in /proc/cpuinfo text, copied to out
 * (NUL-terminated, truncated to outlen); -1 if that processor or its flags
 * line is missing. */
int isa_cpuinfo_flags(const char *cpuinfo, int cpu, char *out, size_t outlen);
/* Whether the space-separated flags list holds name as a whole word. */
bool isa_flags_have(const char *flags, const char *name);
/* The highest x86-64-vN that glibc's `ld.so --help` calls "supported"
 * (1 if none is), or -1 if the text lists no levels (glibc before 2.33). */
int isa_glibc_level(const char *help);

/* Why the kernel may hide an extension the CPU advertises: a kernel
 * command-line option (clearcpuid=, noxsave, gather_data_sampling=force...)
 * or the kernel's own message in its log, else NULL. cmdline and klog may
 * be NULL. Writes the cause into buf. */
const char *isa_kernel_cause(const struct isa_ext *e, bool os_enabled, const char *cmdline, const char *klog,
			     char *buf, size_t len);

/* What else the kernel says: its command line and log (either may be
 * NULL) and its release as major * 100 + minor (0: unknown, taken as
 * recent). Kernels before 6.1 may not know a K() name at all. */
struct isa_kview {
	const char *cmdline, *klog;
	int release;
};
/* "6.1.0-13-amd64" -> 601; 0 if it does not start with N.N. */
int isa_kernel_release(const char *osrelease);

/* Our CPUID decoding against the kernel's flags of one CPU. */
enum isa_kagree {
	ISA_K_NONE,	   /* the kernel has no name for it, or may not know it */
	ISA_K_AGREE,	   /* the kernel's flag is as CPUID says */
	ISA_K_CLEARED,	   /* advertised by the CPU, turned off by the kernel, cause known */
	ISA_K_DISAGREE,	   /* differs without a known cause: our decoding or the kernel is wrong */
};
enum isa_kagree isa_kernel_agree(const struct isa_ext *e, bool advertised, bool os_enabled, const char *flags,
				 const struct isa_kview *kv, char *cause, size_t len);

#endif
