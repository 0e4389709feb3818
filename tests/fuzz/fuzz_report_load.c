/* triage report's loader on any bytes: a vmtriage/1 report, a check's own
 * JSON (wrapped as a report of that one check) or anything else, refused
 * with a sentence naming the file. What it returns both renderers take. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], err[600] = "";
	struct jval *rep;
	size_t len;

	if (fd < 0 && (fd = memfd_create("report", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rep = report_load(path, err, sizeof(err));
	if (!rep) {
		if (!strstr(err, path)) /* a refusal names the file */
			abort();
		return 0;
	}
	if (strcmp(json_str(rep, "schema", ""), REPORT_SCHEMA_NAME) != 0)
		abort();
	free(render_text(rep, &len));
	free(render_html(rep, &len));
	json_free(rep);
	return 0;
}
