/* The autopsy's readers of outside input on any bytes: a thread's stat
 * and schedstat (lib/task), HMP's `info registers` text, a QMP line and
 * query-blockstats' reply. No crash, no undefined behaviour, and what
 * they give stays in range: a name ends inside its buffer, times are never
 * negative, a CPU index stays below the room given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "host/autopsy.h"
#include "host/qmp.h"
#include "lib/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), err[200];
	static struct aut_regs regs[8];
	static struct aut_disk disks[8];
	struct task_stat st;
	struct schedstat ss;
	struct jval *v;
	int n;

	if (task_stat_parse(text, &st) == 0 &&
	    (strlen(st.comm) >= sizeof(st.comm) || st.utime < 0 || st.stime < 0 || !st.state))
		abort();
	if (schedstat_parse(text, &ss) == 0 && (ss.run_ns < 0 || ss.delay_ns < 0 || ss.slices < 0))
		abort();
	n = aut_parse_regs(text, regs, 8);
	if (n < 0 || n > 8)
		abort();
	for (int i = 0; i < 8; i++)
		if (regs[i].hlt < -1 || regs[i].hlt > 1 || regs[i].cs > 0xffff)
			abort();
	if ((v = qmp_parse_line(text, size, err, sizeof(err)))) {
		const struct jval *ret = json_get(v, "return");

		n = aut_parse_blockstats(ret ? ret : v, disks, 8);
		if (n < 0 || n > 8)
			abort();
		for (int i = 0; i < n; i++)
			if (disks[i].ops < 0 || disks[i].bytes < 0 || disks[i].failed < 0 || disks[i].idle_ns < -1 ||
			    strlen(disks[i].device) >= sizeof(disks[i].device))
				abort();
		json_free(v);
	}
	free(text);
	return 0;
}
