/* libFuzzer target: the x86-64 decoder (lib/x86dec.c) over any bytes, as
 * a linear scan does: every length it returns must lie within the input.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I tools \
 *     tests/fuzz/fuzz_x86dec.c tools/lib/x86dec.c */
#include <stdint.h>
#include <stdlib.h>

#include "lib/x86dec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t off = 0; off < size;) {
		struct x86_insn in;
		int len = x86_decode(data + off, size - off, &in);

		if (len < 0 || len > X86_MAX_LEN || (size_t)len > size - off)
			abort();
		off += len ? (size_t)len : 1;
	}
	return 0;
}
