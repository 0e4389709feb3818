/* libFuzzer target: the kernel's trap line (lib/trapline) and Code: line
 * (lib/faultinsn), and the decoding of what they give. Seeds:
 * tests/fuzz/corpus/trap/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/faultinsn.h"
#include "lib/trapline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	uint8_t code[FAULT_CODE_MAX];
	struct trap_event t;
	static struct fault_insn f;
	int ip, n;

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&t, 0, sizeof(t));
	n = fault_parse_code(text, code, sizeof(code), &ip);
	if (trap_parse(text, &t.line) == 0) {
		/* What the parser promises: an ip, a comm, names within their buffers. */
		if (!t.line.has_ip || !t.line.comm[0] || strlen(t.line.file) >= sizeof(t.line.file) ||
		    (t.line.has_offset && !t.line.has_map))
			abort();
		if (n > 0) {
			t.line.file[0] = '\0'; /* no file reads while fuzzing */
			t.code = code;
			t.code_len = (size_t)n;
			t.code_ip = ip;
			fault_insn(&t, NULL, NULL, &f);
		}
	}
	free(text);
	return 0;
}
