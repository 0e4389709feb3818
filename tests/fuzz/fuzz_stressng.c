/* stress-ng's output: its --yaml metrics file and the lines it prints
 * (each line of the input is also classified as a log line). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "burnin/burnin.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sng_result r;
	char *text = fuzz_cstr(data, size), *save = NULL, err[256];
	struct sng_line l;

	if (sng_parse_yaml(text, &r, err, sizeof(err)) == 0) {
		if (r.n < 0 || r.n > (int)(sizeof(r.m) / sizeof(r.m[0])))
			abort();
	} else if (!err[0]) {
		abort();
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		(void)sng_classify(line, &l);
	free(text);
	return 0;
}
