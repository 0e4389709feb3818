/* libFuzzer target: keyboard bytes into the report viewer (lib/pager), over
 * a report text taken from the same input. The first byte splits the
 * input into text and keys; every key is followed by a render, which must
 * never hold a line feed (it would scroll the console). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pager pg;
	size_t split, len;
	char *text;

	if (size < 2)
		return 0;
	split = 1 + data[0] % (size - 1);
	text = malloc(split + 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, split - 1);
	text[split - 1] = '\0';
	pager_init(&pg, text, "report.txt", 3 + data[0] % 40, 20 + data[0] % 100);
	for (size_t i = split; i < size; i++) {
		char *screen;

		if (pager_key(&pg, data[i]) == PAGER_QUIT)
			break;
		screen = pager_render(&pg, &len);
		if (memchr(screen, '\n', len))
			abort();
		free(screen);
	}
	pager_free(&pg);
	free(text);
	return 0;
}
