/* The kernel's and glibc's text as triage isa reads it: /proc/cpuinfo
 * flags lines, `ld.so --help`, and the command line and log a cause is
 * looked for in (tools/isa/oracle.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), flags[256], cause[200];

	memcpy(text, data, size);
	text[size] = 0;
	for (int cpu = 0; cpu < 3; cpu++)
		if (isa_cpuinfo_flags(text, cpu, flags, sizeof(flags)) == 0)
			isa_flags_have(flags, "avx2");
	isa_glibc_level(text);
	for (int i = 0; i < isa_next; i++) {
		isa_kernel_agree(&isa_exts[i], true, i & 1, text, &(struct isa_kview){ text, text, 0 }, cause, sizeof(cause));
		isa_kernel_agree(&isa_exts[i], false, true, "sse2 avx", &(struct isa_kview){ text, NULL, 509 }, cause,
				 sizeof(cause));
		isa_kernel_release(text);
	}
	free(text);
	return 0;
}
