/* The recorded CPUID dump format (lib/cpuid.c): what `triage isa
 * --dump-cpuid` writes and the unit tests and `triage host` read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cpuid_dump c;
	char *text = malloc(size + 1), err[128];

	memcpy(text, data, size);
	text[size] = 0;
	if (cpuid_parse(text, &c, err, sizeof(err)) == 0)
		for (int bit = 0; bit < 32; bit++)
			cpuid_bit(&c, 7, (uint32_t)bit & 3, R_EBX + (bit & 3) % 3, bit);
	free(text);
	return 0;
}
