/* The renderers (report.txt, the serial summary, the console's verdict
 * page at 80x25 and larger, report.html) on a report that came from
 * elsewhere, with some members' types changed (the mutation
 * bytes after a NUL decide which): each must render or refuse, never crash. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "report/report.h"
#include "run/run.h"
#include "run/screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jval *a, *b;
	size_t len;

	if (!fuzz_report_pair(data, size, &a, &b))
		return 0;
	/* b is the mutated one (a carries the other side's mutations). */
	for (int i = 0; i < 2; i++) {
		struct jval *r = i ? b : a;

		if (!fuzz_is_report(r))
			continue;
		free(render_text(r, &len));
		free(render_screen(r, false, &len));
		free(render_screen(r, true, &len));
		free(render_html(r, &len));
		for (int big = 0; big < 2; big++) {
			struct page_opts o = { .rows = big ? 48 : 25, .cols = big ? 128 : 80, .color = big,
					       .unicode = big, .keys = SCREEN_KEYS };

			free(screen_page(r, &o, &len));
		}
	}
	json_free(a);
	json_free(b);
	return 0;
}
