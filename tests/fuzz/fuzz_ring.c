/* The flight recorder's ring reader (lib/ring.c) on any bytes: no crash,
 * no undefined behaviour, and what it yields holds together: the records
 * are in strictly increasing seq order, each in the slot its seq maps to,
 * with a length within the payload; every slot is counted exactly once as
 * a record, an empty slot or a skip.
 *
 * An input whose first byte is odd has its checksums made right before it
 * is read (the header's, and every non-zero slot's, the rest as given), so
 * the fuzzer reaches the checks behind the CRC: the seq copies, the magic,
 * the type and length, the slot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/ring.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_scan s;
	uint8_t *buf;

	if (size == 0)
		return 0;
	buf = xmalloc(size);
	memcpy(buf, data + 1, size - 1);
	if (data[0] & 1)
		fuzz_ring_fix(buf, size - 1, false);
	if (ring_parse(buf, size - 1, &s) == 0) {
		if (!s.header_ok || s.hdr.capacity < RING_MIN_RECORDS || s.hdr.capacity > RING_MAX_RECORDS)
			abort();
		if (s.slots > s.hdr.capacity || s.n + s.empty + s.skipped_total != s.slots)
			abort();
		for (size_t i = 0; i < s.n; i++) {
			const struct ring_rec *r = &s.recs[i];
			if (r->len > RING_PAYLOAD_MAX || r->seq == 0 || r->type == 0 || r->type > RING_T_LAST)
				abort();
			if (i > 0 && r->seq <= s.recs[i - 1].seq)
				abort();
		}
		if (s.n > 1 && s.missing != s.recs[s.n - 1].seq - s.recs[0].seq + 1 - s.n)
			abort();
		if (strlen(s.hdr.role) >= sizeof(s.hdr.role) || strlen(s.hdr.host) >= sizeof(s.hdr.host))
			abort();
	} else if (s.why[0] == '\0' || s.n != 0) {
		abort();
	}
	ring_scan_free(&s);
	free(buf);
	return 0;
}
