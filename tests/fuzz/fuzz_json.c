/* The JSON reader, and the writer behind it: whatever the reader accepts,
 * the writer writes as JSON that the reader accepts again, with the same
 * tree (numbers exactly: the writer writes digits enough to read back the
 * same double), and writing that gives the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	struct jval *v = json_parse((const char *)data, size, err, sizeof(err));
	struct jval *again;
	char *text, *text2;
	size_t len, len2;

	if (!v) {
		if (!err[0])
			abort(); /* every refusal says why */
		return 0;
	}
	for (int indent = 0; indent <= 2; indent += 2) {
		text = json_to_string(v, indent, &len);
		if (!text)
			abort(); /* the writer refused what the reader accepted */
		again = json_parse(text, len, err, sizeof(err));
		if (!again) {
			fprintf(stderr, "written JSON does not parse again: %s\n%.*s\n", err, (int)(len < 400 ? len : 400), text);
			abort();
		}
		if (!fuzz_equal(v, again, 0))
			abort();
		text2 = json_to_string(again, indent, &len2);
		if (!text2 || len2 != len || memcmp(text, text2, len) != 0)
			abort();
		free(text2);
		free(text);
		json_free(again);
	}
	json_free(v);
	return 0;
}
