/* The kernel command line (triage.* options): any bytes give a parsed line
 * with terminated strings, counts within their arrays and a known mode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/cmdline.h"
#include "lib/mode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct triage_cmdline c;
	char *text = fuzz_cstr(data, size);

	cmdline_parse(text, &c);
	if (c.nproblems < 0 || c.nproblems > CMDLINE_MAX_PROBLEMS || c.nknobs < 0 || c.nknobs > CMDLINE_MAX_KNOBS ||
	    c.ntests < 0 || c.ntests > CMDLINE_MAX_TESTS || c.timelimit_ns < 0)
		abort();
	for (int i = 0; i < c.nproblems; i++)
		if (!memchr(c.problems[i], 0, sizeof(c.problems[i])))
			abort();
	for (int i = 0; i < c.nknobs; i++)
		if (!c.knobs[i].check[0] || !c.knobs[i].name[0] || !c.knobs[i].value[0])
			abort();
	(void)mode_name(c.mode);
	(void)after_name(c.after);
	free(text);
	return 0;
}
