/* libFuzzer target: the post-mortem's text-log path (rsyslog lines, trap
 * lines, the boot and event model) on any text, the same text as a
 * systemd-coredump message (its stack trace) and as an os-release file.
 * Seeds: tests/fuzz/corpus/syslog/. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/kmsg.h"
#include "lib/trapline.h"
#include "postmortem/join.h"
#include "postmortem/postmortem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm pm;
	struct pm_textstate ts;
	struct trap_line t;
	char line[512];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

	memcpy(line, data, n);
	line[n] = '\0';
	trap_parse(line, &t);

	pm_init(&pm);
	memset(&ts, 0, sizeof(ts));
	strcpy(ts.family, "syslog");
	ts.year = 2026;
	ts.mtime_us = 1795843855LL * 1000000;
	pm_feed_text(&pm, &ts, (const char *)data, size);
	{
		struct pm_record r = { .t_us = 1, .boot = "b", .source = "journal", .program = "systemd-coredump",
				       .pid = 1, .unit = "", .message = line, .coredump_signal = 4, .coredump_exe = "/x" };
		char v[64];

		pm_feed(&pm, &r);
		pm_os_field(line, "VERSION_ID", v, sizeof(v));
	}
	pm_finish(&pm);
	pm_free(&pm);
	return 0;
}
