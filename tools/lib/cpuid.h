/* Raw CPUID and XCR0: the leaves of one CPU, executed live or parsed from
 * a recorded dump, in one structure so that every decision made from them
 * is tested on recorded dumps. Shared by `triage isa` and `triage host`. */
#ifndef VMTRIAGE_CPUID_H
#define VMTRIAGE_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cpuid_reg { R_EAX, R_EBX, R_ECX, R_EDX };

struct cpuid_leaf {
	uint32_t leaf, sub;
	uint32_t r[4];
};

#define CPUID_MAX 256

/* The CPUID leaves of one CPU, plus XCR0 when the OS enabled XSAVE. */
struct cpuid_dump {
	int n;
	struct cpuid_leaf e[CPUID_MAX];
	bool has_xcr0;
	uint64_t xcr0;
};

/* CPUID (leaf, sub) on the calling CPU. */
void cpuid_exec(uint32_t leaf, uint32_t sub, uint32_t r[4]);
/* Every leaf worth keeping, on the calling CPU (pin it first). */
void cpuid_collect(struct cpuid_dump *c);
/* Regs of (leaf, sub), zeros when the leaf is not in the dump. */
const uint32_t *cpuid_get(const struct cpuid_dump *c, uint32_t leaf, uint32_t sub);
/* One bit, false where the leaf or sub-leaf is beyond what the CPU reports
 * valid (its range's maximum leaf; 7.0 and 0x24.0 EAX for sub-leaves). */
bool cpuid_bit(const struct cpuid_dump *c, uint32_t leaf, uint32_t sub, int reg, int bit);
/* "GenuineIntel", "AuthenticAMD", ... */
void cpuid_vendor(const struct cpuid_dump *c, char out[13]);
/* Text dump: "# comment" lines, "xcr0 HEX", "LEAF SUB EAX EBX ECX EDX". */
void cpuid_write(FILE *f, const struct cpuid_dump *c);
int cpuid_parse(const char *text, struct cpuid_dump *c, char *err, size_t errlen);
int cpuid_load(const char *path, struct cpuid_dump *c, char *err, size_t errlen);
/* XGETBV(0) under a fault guard; false if it faulted (no OSXSAVE). */
bool cpuid_read_xcr0(uint64_t *xcr0);

#endif
