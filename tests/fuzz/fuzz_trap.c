/* libFuzzer target: the parsers of a kernel trap report in lib/faultinsn
 * (the trap line and the Code: line), and the decoding of what they give.
 *   clang -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -I tools tests/fuzz/fuzz_trap.c tools/lib/faultinsn.c tools/lib/elf.c \
 *     tools/lib/x86dec.c tools/lib/pvetypes.c tools/lib/util.c tools/lib/json.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/faultinsn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), file[256];
	uint8_t code[FAULT_CODE_MAX];
	struct trap_event t;
	static struct fault_insn f;
	int ip, n;

	memcpy(text, data, size);
	text[size] = '\0';
	n = fault_parse_code(text, code, sizeof(code), &ip);
	if (fault_parse_trap(text, &t, file, sizeof(file)) == 0 && n > 0) {
		t.file = NULL; /* no file reads while fuzzing */
		t.code = code;
		t.code_len = (size_t)n;
		t.code_ip = ip;
		fault_insn(&t, NULL, NULL, &f);
	}
	free(text);
	return 0;
}
