/* The post-mortem's reading of a flight record (postmortem/record.c) on any
 * ring: no crash, no undefined behaviour (the payloads' counters are any
 * 64-bit values), the episodes within their array and their figures
 * finite, and what it writes is JSON that parses.
 *
 * As in fuzz_ring, an input whose first byte is odd has its checksums made
 * right first, so the fuzzer's changes reach the payloads. Seeds: rings of
 * tests/postmortem/make-flight-ring at 512 slots. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "fuzz.h"
#include "lib/ring.h"
#include "lib/util.h"
#include "postmortem/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pm_flight r;
	uint8_t *buf;
	char *text = NULL, err[200];
	size_t len = 0;

	if (size == 0)
		return 0;
	buf = xmalloc(size);
	memcpy(buf, data + 1, size - 1);
	if (data[0] & 1)
		fuzz_ring_fix(buf, size - 1, true);
	pm_flight_init(&r, (data[0] & 2) ? "22222222222222222222222222222222" : NULL);
	pm_flight_analyse(&r, buf, size - 1, "fuzz");
	if (r.nep < 0 || r.nep > PM_REC_MAX_EPISODES || r.tl_n < 0 || r.tl_n > PM_TL_POINTS)
		abort();
	for (int i = 0; i < r.nep; i++)
		if (!isfinite(r.ep[i].duration_s) || !isfinite(r.ep[i].peak) || (unsigned)r.ep[i].kind >= EP_NKINDS)
			abort();
	FILE *f = open_memstream(&text, &len);
	struct jw w;
	jw_init(&w, f, 0);
	jw_obj(&w, NULL);
	pm_flight_write_data(&r, &w);
	pm_flight_write_metrics(&r, &w);
	jw_obj_end(&w);
	fclose(f);
	struct jval *v = json_parse(text, len, err, sizeof(err));
	if (!v)
		abort();
	json_free(v);
	free(text);
	free(buf);
	return 0;
}
