/* libFuzzer target: the journal file reader (tools/postmortem/journal.c) on
 * any bytes. Seeds: tests/fuzz/corpus/journal/ (tests/fuzz/make-journal-seeds). */
#include <stddef.h>
#include <stdint.h>

#include "postmortem/journal.h"

static int count(const struct journal_entry *e, void *ctx)
{
	/* Touch what the caller would read, so ASan sees any overrun. */
	*(size_t *)ctx += e->message_len + (e->message[0] != 0) + (e->boot_id[0] != 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_stats st;
	size_t sum = 0;

	journal_read(data, size, count, &sum, &st);
	return 0;
}
