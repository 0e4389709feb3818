/* triage needs: what an ELF file's code uses and what it declares.
 *
 * The scan decodes every executable section linearly (lib/x86dec) and
 * counts instructions per extension, split in two by the function each
 * instruction lies in: code in a function whose name marks it as one
 * variant of a runtime dispatch (memcpy_avx_unaligned_erms, foo.avx2.0,
 * ..._evex, ..._sse4_1), or in code an ifunc resolver chooses (the
 * rip-relative leas of each IRELATIVE relocation's resolver, from the
 * variant's entry to the next function start: a symbol or a call target;
 * this works on stripped files), is "used if reached"; the rest counts as
 * running unconditionally. What a static scan cannot know: a function compiled
 * with target("avx2") and called only after a CPUID check has no such
 * name and counts as unconditional; the scan says when the file checks the
 * CPU at run time (cpuid instructions, __cpu_model, glibc's cpu_features)
 * so that a reader knows to doubt it. Data in executable sections decodes
 * as instructions too (rare on x86-64, where tables live in .rodata). */
#ifndef VMTRIAGE_NEEDS_H
#define VMTRIAGE_NEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/elf.h"
#include "lib/x86dec.h"

#define NEEDS_FIRST 3 /* addresses kept per extension */

enum needs_class { NEEDS_ALWAYS, NEEDS_IF_REACHED, NEEDS_NCLASS };

struct needs_site {
	uint64_t addr;
	char symbol[64];    /* "" if none */
	char mnemonic[24];
};

struct needs_ext {
	uint64_t count;
	int nfirst;
	struct needs_site first[NEEDS_FIRST];
};

struct needs_scan {
	struct elf_props props;
	unsigned nsections;
	char sections[160];		/* their names, space-separated (cut) */
	uint64_t code_bytes, insns, undecoded;
	struct needs_ext ext[NEEDS_NCLASS][X86_NEXTS];
	x86_exts_t set[NEEDS_NCLASS];
	uint64_t cpuid;			/* cpuid instructions */
	bool cpu_model;			/* __cpu_model / __cpu_indicator_init / cpu_features symbols */
	unsigned dispatch_funcs;	/* functions classed as dispatch variants by name */
	unsigned ifunc_resolvers;	/* IRELATIVE relocations and IFUNC symbols */
	unsigned ifunc_variants;	/* code addresses those resolvers choose from */
	char dispatch_example[64];
	bool symbols;			/* the file has function symbols */
	char err[160];			/* unreadable: why */
};

/* Scans an ELF file's bytes. Returns 0, or -1 with s->err set (not ELF64
 * x86-64, no executable code). A warning about a damaged table may be in
 * s->err with a 0 return. */
int needs_scan(const uint8_t *data, size_t size, struct needs_scan *s);

/* One line per instruction of the executable sections, "ADDR LEN
 * MNEMONIC EXT,EXT" (hex address, "-" for none), for tests against
 * objdump. Returns 0, or -1 with err. */
int needs_list(const uint8_t *data, size_t size, FILE *o, char *err, size_t errlen);

/* Whether a function name marks a dispatch variant ("_avx2", ".avx512f.1",
 * "_evex", "_sse4_2"...). */
bool needs_dispatch_name(const char *name);

/* The declared level from ISA_1_NEEDED bits (0 if none declared). */
int needs_declared_level(uint32_t isa_needed);

/* The first PVE type (lib/pve-cpu-types.def order: generic types first,
 * poorest first) that offers every extension of set that the table knows;
 * NULL if none. Extensions no row names (sse4a, xop, clwb...) are left in
 * *unjudged. vendor NULL: any type. */
const char *needs_pve_type(x86_exts_t set, x86_exts_t *unjudged);
/* The extensions of set the named PVE type lacks (0: it runs all of it);
 * -1 cast if the type is unknown. */
x86_exts_t needs_missing_on(const char *type, x86_exts_t set, bool *known);

#endif
