/* An ELF64 x86-64 reader: pure functions over the bytes of a file (no I/O),
 * for `triage needs` and the post-mortem. Every offset and count is checked
 * against the buffer: a truncated or hostile file gives a note in
 * elf.err, never a read out of bounds. */
#ifndef VMTRIAGE_ELF_H
#define VMTRIAGE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Counts we walk at most: real files have tens of program headers and at
 * most some thousands of sections (huge C++ objects: ~64k). */
#define ELF_MAX_PHDRS 4096
#define ELF_MAX_SHDRS 65536

#define ELF_PF_X 1
#define ELF_PT_LOAD 1
#define ELF_PT_NOTE 4
#define ELF_PT_GNU_PROPERTY 0x6474e553
#define ELF_SHF_EXECINSTR 4
#define ELF_SHT_NOBITS 8
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3

struct elf {
	const uint8_t *data;
	size_t size;
	uint16_t type;	    /* ET_EXEC, ET_DYN, ... */
	uint64_t entry;
	uint64_t phoff, shoff;
	unsigned phnum, shnum, shstrndx;
	char err[160];	    /* why the file cannot be read, or a warning */
};

struct elf_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct elf_sec {
	const char *name;   /* "" when the name table is bad */
	uint32_t type;
	uint64_t flags, addr, offset, size;
};

/* x86 GNU property notes (readelf -n "x86 ISA needed/used"). */
#define ELF_X86_ISA_BASELINE 1U
#define ELF_X86_ISA_V2 2U
#define ELF_X86_ISA_V3 4U
#define ELF_X86_ISA_V4 8U

struct elf_props {
	bool found;		/* a .note.gnu.property / PT_GNU_PROPERTY note */
	bool has_needed, has_used, has_feature_used;
	uint32_t isa_needed;	/* GNU_PROPERTY_X86_ISA_1_NEEDED bits */
	uint32_t isa_used;	/* GNU_PROPERTY_X86_ISA_1_USED bits */
	uint32_t feature_used;	/* GNU_PROPERTY_X86_FEATURE_2_USED bits */
	uint32_t feature_and;	/* GNU_PROPERTY_X86_FEATURE_1_AND (IBT, SHSTK) */
};

struct elf_sym {
	uint64_t addr, size;
	const char *name;   /* points into the file's bytes, NUL-checked */
	bool ifunc;	    /* STT_GNU_IFUNC */
};

/* Checks the header and the tables' bounds. Returns 0, or -1 with e->err. */
int elf_open(struct elf *e, const uint8_t *data, size_t size);

/* The i-th program header / section header (0 <= i < phnum/shnum). Returns
 * false when it lies outside the file. */
bool elf_phdr(const struct elf *e, unsigned i, struct elf_seg *s);
bool elf_shdr(const struct elf *e, unsigned i, struct elf_sec *s);

/* The bytes of [off, off+len) when they lie in the file, else NULL. */
const uint8_t *elf_bytes(const struct elf *e, uint64_t off, uint64_t len);

/* Reads the x86 properties from PT_GNU_PROPERTY, else PT_NOTE segments,
 * else SHT_NOTE sections. */
void elf_x86_props(const struct elf *e, struct elf_props *p);
/* "x86-64-baseline x86-64-v2" for a set of ISA_1 bits, as readelf names them. */
char *elf_isa_names(uint32_t bits, char *buf, size_t size);

/* The file offset of virtual address vaddr of the file (its own addresses,
 * before any load bias), the bytes available there up to the end of its
 * segment in *avail. Returns false if no PT_LOAD maps it from the file. */
bool elf_vaddr_offset(const struct elf *e, uint64_t vaddr, uint64_t *off, uint64_t *avail);

/* A trap at ip in a mapping [base, base+size) of this file, as the kernel
 * prints "in FILE[BASE+SIZE]": the file's own address of ip. The mapping
 * is the executable PT_LOAD whose page-rounded extent matches size (else
 * the first executable one containing ip). For ET_EXEC the load bias is 0.
 * Returns false when no executable segment fits. */
bool elf_trap_vaddr(const struct elf *e, uint64_t ip, uint64_t base, uint64_t size, uint64_t *vaddr);

/* Calls fn for every named symbol of .symtab and .dynsym (type: STT_*,
 * the low nibble of st_info) until it returns false. */
void elf_each_symbol(const struct elf *e, bool (*fn)(void *ctx, const char *name, uint64_t addr, unsigned type),
		     void *ctx);

/* The ifunc resolvers of the file: addends of R_X86_64_IRELATIVE
 * relocations and values of STT_GNU_IFUNC symbols, at most max of them
 * into out (duplicates possible). Returns how many. */
size_t elf_ifunc_resolvers(const struct elf *e, uint64_t *out, size_t max);

/* Addends of R_X86_64_RELATIVE relocations (pointers the loader fills in:
 * function pointer tables of a PIE or shared library), at most max. */
size_t elf_relative_addends(const struct elf *e, uint64_t *out, size_t max);

/* Function symbols (.symtab, else .dynsym), sorted by address, in a
 * malloc'd array the caller frees; NULL and *n 0 if there are none. */
struct elf_sym *elf_func_symbols(const struct elf *e, size_t *n);
/* The symbol containing addr (or the nearest one below within 64 KiB when
 * sizes are 0), or NULL. */
const struct elf_sym *elf_sym_at(const struct elf_sym *syms, size_t n, uint64_t addr);

#endif
