/* The kernel-log record parser and its rules: the input is a series of
 * /dev/kmsg records ("pri,seq,usec,flags;text\n KEY=value..."), separated
 * by NUL bytes as read() returns them one at a time; then the findings are
 * summarised and written as JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmsg_watch w;
	const uint8_t *p = data, *end = data + size;
	FILE *null = fopen("/dev/null", "w");
	char line[400];
	struct jw jw;

	if (!null)
		abort();
	memset(&w, 0, sizeof(w));
	w.fd = -1;
	while (p < end) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		/* the record in a buffer of its own size, as read() fills one */
		char *rec = malloc(n ? n : 1);

		memcpy(rec, p, n);
		kmsg_feed(&w, rec, n);
		free(rec);
		p += n + 1;
	}
	for (int r = 0; r < kmsg_nrules; r++)
		if (w.hits[r].count)
			kmsg_summary(&w, r, line, sizeof(line));
	(void)kmsg_worst(&w);
	jw_init(&jw, null, 0);
	jw_obj(&jw, NULL);
	kmsg_write(&w, &jw, "kernel_log");
	jw_obj_end(&jw);
	if (jw.misuse)
		abort();
	fclose(null);
	return 0;
}
