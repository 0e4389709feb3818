/* A helper of the ring's fuzz targets (fuzz_ring, fuzz_flight), linked
 * into every target as tests/fuzz/ helpers are. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "lib/ring.h"

void fuzz_ring_fix(uint8_t *buf, size_t len, bool seq_copies)
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
		if (seq_copies)
			memcpy(buf + off + RING_RECORD_SIZE - 12, buf + off, 8);
		c = ring_crc32c(0, buf + off, RING_RECORD_SIZE - 4);
		memcpy(buf + off + RING_RECORD_SIZE - 4, &c, 4);
	}
}
