/* libFuzzer target: the ELF reader (lib/elf.c) and the scan of `triage
 * needs` over any bytes. Seeds: corpus/elf/ (small real ELF files).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I tools \
 *     tests/fuzz/fuzz_elf.c tools/lib/elf.c tools/lib/x86dec.c \
 *     tools/needs/scan.c tools/lib/faultinsn.c tools/lib/json.c \
 *     tools/lib/pvetypes.c tools/lib/util.c (with -std=gnu11 -D_GNU_SOURCE) */
#include <stdint.h>
#include <stdlib.h>

#include "lib/elf.h"
#include "needs/needs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf e;
	struct elf_seg seg;
	struct elf_sec sec;
	struct elf_props props;
	struct elf_sym *syms;
	uint64_t addrs[64], v, off, avail;
	size_t n;
	static struct needs_scan s;

	if (elf_open(&e, data, size) == 0) {
		for (unsigned i = 0; i < e.phnum; i++)
			elf_phdr(&e, i, &seg);
		for (unsigned i = 0; i < e.shnum; i++)
			elf_shdr(&e, i, &sec);
		elf_x86_props(&e, &props);
		syms = elf_func_symbols(&e, &n);
		if (n)
			elf_sym_at(syms, n, syms[n / 2].addr + 1);
		free(syms);
		elf_ifunc_resolvers(&e, addrs, 64);
		elf_relative_addends(&e, addrs, 64);
		if (elf_trap_vaddr(&e, 0x7f0000001234ULL, 0x7f0000001000ULL, 0x2000, &v))
			elf_vaddr_offset(&e, v, &off, &avail);
		elf_vaddr_offset(&e, e.entry, &off, &avail);
	}
	needs_scan(data, size, &s);
	return 0;
}
