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
#include "lib/ring.h"
#include "lib/util.h"
#include "postmortem/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fix_crcs(uint8_t *buf, size_t len)
{
	if (len < RING_HEADER_SIZE)
		return;
	uint32_t c = ring_crc32c(0, buf, RING_HEADER_SIZE - 4);
	memcpy(buf + RING_HEADER_SIZE - 4, &c, 4);
	for (size_t off = RING_HEADER_SIZE; off + RING_RECORD_SIZE <= len; off += RING_RECORD_SIZE) {
		bool zero = true;
		for (size_t i = 0; i < RING_RECORD_SIZE && zero; i++)
			zero = buf[off + i] == 0;
		if (zero)
			continue;
		/* keep the seq copies equal too: the payload is what is fuzzed */
		memcpy(buf + off + RING_RECORD_SIZE - 12, buf + off, 8);
		c = ring_crc32c(0, buf + off, RING_RECORD_SIZE - 4);
		memcpy(buf + off + RING_RECORD_SIZE - 4, &c, 4);
	}
}

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
		fix_crcs(buf, size - 1);
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
