/* triage compare on two reports that came from elsewhere: a report and the
 * same report with some members' types changed (the mutation bytes after a
 * NUL decide which), both ways round, written as text and as JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "compare/compare.h"
#include "fuzz.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmp c;
	struct jval *a, *b;
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		abort();
	if (fuzz_report_pair(data, size, &a, &b)) {
		if (fuzz_is_report(a) && fuzz_is_report(b)) {
			cmp_build(&c, a, "A.json", b, "B.json");
			cmp_write_text(null, &c);
			cmp_write_json(null, &c);
			cmp_build(&c, b, "B.json", a, "A.json");
			cmp_write_text(null, &c);
			cmp_write_json(null, &c);
		}
		json_free(a);
		json_free(b);
	}
	fclose(null);
	return 0;
}
